import { parsePsArgs, parsePsFacts } from '../owners/parse-ps.ts';
import type { ProcessFacts } from '../owners/process-facts.ts';
import { parseMacNetstat } from '../sockets/parse-netstat-macos.ts';
import { readMacListeners } from '../sockets/read-listeners-macos.ts';
import { execFileText, runTool, type Exec } from './exec.ts';
import { memoizeExec } from './memoize-exec.ts';
import type { PlatformAdapter } from './system-deps.ts';

export function macosAdapter(exec: Exec = memoizeExec(execFileText)): PlatformAdapter {
  return {
    readListeners: (port) => readMacListeners(port, exec),
    readListenersBetween: async (from, to) => {
      const result = await runTool(exec, '/usr/sbin/netstat', ['-anv', '-p', 'tcp'], { timeoutMs: 10_000 });
      const listeners = typeof result === 'string' ? [] : parseMacNetstat(result.stdout);
      return listeners.filter((l) => l.port >= from && l.port <= to);
    },
    readReservedRanges: async () => ({ ranges: [], warnings: [] }),
    readOwnerFacts: async (pids) => {
      const processes = new Map<number, ProcessFacts>();
      if (pids.length === 0) return { processes, services: new Map() };
      const list = pids.join(',');
      // ps exits 1 when one of the PIDs is gone; its output for the others is still right,
      // so the exit code is not used to discard it.
      const run = (format: string): Promise<string> =>
        exec('/bin/ps', ['-ww', '-o', format, '-p', list], { timeoutMs: 10_000 }).then(
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
      return { processes, services: new Map() };
    },
    readHttpSys: async () => null,
  };
}

/** `ps -o lstart` prints local time, e.g. `Wed Nov 25 12:34:47 2026`, which Date parses. */
function localTimeToIso(lstart: string): string | null {
  const time = new Date(lstart.replace(/\s+/g, ' '));
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}
