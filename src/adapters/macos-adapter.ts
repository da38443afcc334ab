import { parsePsArgs, parsePsFacts } from '../owners/parse-ps.ts';
import { readLaunchdJobs } from '../owners/read-launchd-jobs.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import type { ListenerTable } from '../sockets/listener.ts';
import { parseLsofListeners } from '../sockets/parse-lsof.ts';
import { parseMacNetstat } from '../sockets/parse-netstat-macos.ts';
import { readMacListeners } from '../sockets/read-listeners-macos.ts';
import { execFileText, isToolFailure, runTool, type Exec } from '../system/exec.ts';
import { memoizeExec } from '../system/memoize-exec.ts';
import type { PlatformAdapter } from './platform-adapter.ts';

export function macosAdapter(exec: Exec = memoizeExec(execFileText)): PlatformAdapter {
  return {
    readListeners: async (port) => {
      const table = await readMacListeners(port, exec);
      return table.readable ? table : readListenersWithLsof(port, table, exec);
    },
    readListenersBetween: async (from, to) => {
      const result = await runTool(exec, '/usr/sbin/netstat', ['-anv', '-p', 'tcp'], { timeoutMs: 10_000 });
      if (isToolFailure(result)) {
        return {
          readable: false,
          source: 'netstat -anv -p tcp',
          reason: result.reason,
          warnings: [],
          ...(result.missing ? { missingTool: 'netstat' } : {}),
        };
      }
      const listeners = parseMacNetstat(result.stdout).filter((l) => l.port >= from && l.port <= to);
      return { readable: true, source: 'netstat -anv -p tcp', listeners, warnings: [] };
    },
    readReservedRanges: async () => ({ ranges: [], warnings: [] }),
    readOwnerFacts: async (pids) => {
      const processes = new Map<number, ProcessFacts>();
      if (pids.length === 0) return { processes, services: new Map() };
      const list = pids.join(',');
      // ps exits 1 when one of the PIDs is gone; its output for the others is still right,
      // so the exit code is not used to discard it.
      const run = (format: string): Promise<string> =>
        // LC_ALL=C: ps prints lstart in the user's language (`Mi 25 Nov` in German) otherwise.
        exec('/bin/ps', ['-ww', '-o', format, '-p', list], { timeoutMs: 10_000, env: { LC_ALL: 'C' } }).then(
          (result) => result.stdout,
          () => '',
        );
      const [factsText, argsText] = await Promise.all([
        run('pid=,ppid=,uid=,user=,lstart=,comm='),
        run('pid=,args='),
      ]);
      const args = parsePsArgs(argsText);
      for (const [pid, facts] of parsePsFacts(factsText, localTimeToIso)) {
        processes.set(pid, { ...facts, commandLine: args.get(pid) ?? null });
      }
      // A child of launchd may be a job that launchd starts again (KeepAlive): ask launchd.
      const launchedByLaunchd = [...processes.values()].filter((p) => p.ppid === 1).map((p) => p.pid);
      const currentUid = typeof process.getuid === 'function' ? process.getuid() : null;
      for (const [pid, job] of await readLaunchdJobs(launchedByLaunchd, currentUid, exec)) {
        const facts = processes.get(pid);
        if (facts) processes.set(pid, { ...facts, launchdJob: job });
      }
      return { processes, services: new Map() };
    },
    readHttpSys: async () => null,
  };
}

/**
 * When netstat cannot be run, lsof still shows listeners, but without sudo only this user's own:
 * the answer says so, since another user's listener would be missed.
 */
async function readListenersWithLsof(
  port: number,
  unread: ListenerTable,
  exec: Exec,
): Promise<ListenerTable> {
  const result = await runTool(exec, '/usr/sbin/lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN'], {
    timeoutMs: 10_000,
  });
  // lsof exits 1 when it finds nothing: that is an answer, not a failure.
  const output = isToolFailure(result) ? null : result.stdout;
  if (isToolFailure(result) && result.exitCode !== 1) {
    return {
      readable: false,
      source: 'netstat -anv, lsof',
      reason: `${unread.readable ? '' : unread.reason} ${result.reason}`.trim(),
      warnings: unread.warnings,
      ...(result.missing ? { missingTool: 'netstat or lsof' } : {}),
    };
  }
  return {
    readable: true,
    source: 'lsof -nP -iTCP -sTCP:LISTEN',
    listeners: parseLsofListeners(output ?? '', port),
    warnings: [
      ...unread.warnings,
      `netstat could not be run; lsof shows only this user's listeners: run sudo lsof -nP -iTCP:${port} -sTCP:LISTEN to see all`,
    ],
  };
}

/** `ps -o lstart` prints local time, e.g. `Wed Nov 25 12:34:47 2026`, which Date parses. */
function localTimeToIso(lstart: string): string | null {
  const time = new Date(lstart.replace(/\s+/g, ' '));
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}
