import { thisSelfCommand } from '../system/self-command.ts';
import { runCheck } from '../check/run-check.ts';
import type { StopPlanOptions } from './stop-plan-types.ts';
import type { StopDeps } from './stop-types.ts';
import type { ProcessIdentity } from '../system/process-identity.ts';
import { readLinuxProcessFacts } from '../owners/read-linux-process.ts';
import { readWindowsProcessFacts } from '../owners/read-windows-owners.ts';
import { encodePowerShellCommand, windowsPowerShellPath } from '../system/windows-powershell.ts';
import { resolveDockerEndpointOfThisMachine } from '../docker/query-docker.ts';
import { execFileText, type Exec } from '../system/exec.ts';
import { realProcFs } from '../system/proc-fs.ts';
import { createSystemDeps } from '../check/check-deps.ts';
import { buildWindowsStopScript, windowsStopExit } from './windows-ctrl-c.ts';

export interface StopDepsOptions {
  platform?: NodeJS.Platform;
  exec?: Exec;
  /** Where progress lines go; stderr by default (stdout carries the JSON document). */
  progress?: (line: string) => void;
}

const WINDOWS_TOOL_TIMEOUT_MS = 30_000;

/** The real StopDeps: signals, Docker's stop, the Windows close helper and Stop-Service on this machine. */
export function createStopDeps(options: StopDepsOptions = {}): StopDeps {
  const platform = options.platform ?? process.platform;
  const exec = options.exec ?? execFileText;
  const identity = identityReaders[platform] ?? identityReaders.linux ?? (async () => null);
  return {
    // A new CheckDeps for every check: the Windows and macOS adapters memoize their child
    // processes per instance, and a stop must see the port change while it waits.
    check: async (port, host) => {
      const deps = { ...createSystemDeps(platform), findNextFreePort: async () => null };
      return (await runCheck(deps, host, port)).data;
    },
    readIdentity: (pid) => identity(pid, exec),
    sendSignal: async (pid, signal) => {
      // The planner never targets these; this is the last line of defence (kill(-1) signals
      // every process of the user, kill(0) our own group).
      if (!Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) {
        throw new Error(`refusing to signal PID ${String(pid)}`);
      }
      try {
        process.kill(pid, signal);
        return 'sent';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
        throw error;
      }
    },
    signalContainer: async (id, mode) => {
      const endpoint = resolveLocalDockerEndpoint();
      const { loadDockerEngine } = await import('../docker/load-docker-engine.ts');
      const engine = await loadDockerEngine();
      await engine.signalContainer({ endpoint, id, mode });
    },
    stopWindowsService: async (name) => {
      // -NoWait: the port, polled within --timeout, tells when it has stopped.
      const result = await exec(
        windowsPowerShellPath(),
        [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          `Stop-Service -Name '${validServiceName(name)}' -NoWait -ErrorAction Stop`,
        ],
        { timeoutMs: WINDOWS_TOOL_TIMEOUT_MS },
      );
      if (result.code !== 0) throw new Error(`Stop-Service ${name} failed: ${firstLine(result)}`);
    },
    windowsStop: async (pid, startTime, mode) => {
      const script = buildWindowsStopScript({
        pid,
        startTime,
        mode,
        protectedPids: [process.pid, ...readAncestorPidsCached()],
      });
      const run = () =>
        exec(
          windowsPowerShellPath(),
          ['-NoProfile', '-NonInteractive', '-EncodedCommand', encodePowerShellCommand(script)],
          {
            timeoutMs: WINDOWS_TOOL_TIMEOUT_MS,
          },
        );
      // A Ctrl+C sent to a console we might share must not end us (the script refuses that case).
      const result = mode === 'close' ? await withSigintIgnored(run) : await run();
      switch (result.code) {
        case windowsStopExit.done:
          return 'sent';
        case windowsStopExit.gone:
          return 'gone';
        case windowsStopExit.otherProcess:
          return 'reused';
        case windowsStopExit.sharesOurConsole:
          throw new Error(
            'it shares the console of tapo-port or its parents: Ctrl+C would interrupt them too; nothing was sent',
          );
        case windowsStopExit.cannotVerify:
          throw new Error('its start time cannot be read (run elevated), so it is not acted on');
        case windowsStopExit.noConsole:
          throw new Error('it has no window and no console to ask; only --force can end it');
        default:
          throw new Error(`the stop helper failed (exit ${result.code ?? 'killed'}): ${firstLine(result)}`);
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    progress: options.progress ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}

/**
 * Who is stopping: this process, its parents, its uid and how it was started. The planner never
 * stops the first two, and names the last in its "run it elevated" commands.
 */
export async function readStopperContext(
  platform: NodeJS.Platform = process.platform,
): Promise<Pick<StopPlanOptions, 'selfPid' | 'ancestorPids' | 'currentUid' | 'selfCommand'>> {
  return {
    selfPid: process.pid,
    ancestorPids: await readAncestorPids(platform),
    currentUid: typeof process.getuid === 'function' ? process.getuid() : null,
    selfCommand: thisSelfCommand(),
  };
}

/** This process's parents, nearest first (shell, npm, terminal): `stop` never stops them. */
export async function readAncestorPids(platform: NodeJS.Platform = process.platform): Promise<number[]> {
  if (platform === 'linux') {
    const self = readLinuxProcessFacts(process.pid, realProcFs);
    if (self) return self.parentChain.map((p) => p.pid);
  }
  // macOS and Windows: the whole chain from one process list (ps, fastlist), not only the parent.
  try {
    const { default: psList } = await import('ps-list');
    const parentOf = new Map((await psList()).map((p) => [p.pid, p.ppid]));
    const chain: number[] = [];
    for (
      let pid = process.ppid;
      pid > 0 && !chain.includes(pid) && chain.length < 64;
      pid = parentOf.get(pid) ?? 0
    ) {
      chain.push(pid);
    }
    ancestorCache = chain;
    return chain;
  } catch {
    ancestorCache = process.ppid > 0 ? [process.ppid] : [];
    return ancestorCache;
  }
}

let ancestorCache: number[] | null = null;
function readAncestorPidsCached(): number[] {
  return ancestorCache ?? (process.ppid > 0 ? [process.ppid] : []);
}

type IdentityReader = (pid: number, exec: Exec) => Promise<ProcessIdentity | null>;

const identityReaders: Partial<Record<NodeJS.Platform, IdentityReader>> = {
  // /proc gives the same start time (boot time + start ticks) that `check` reported.
  linux: async (pid) => {
    const facts = readLinuxProcessFacts(pid, realProcFs);
    return facts === null ? null : { startTime: facts.startTime, commandLine: facts.commandLine };
  },
  darwin: async (pid, exec) => {
    const run = (format: string) =>
      exec('/bin/ps', ['-ww', '-o', format, '-p', String(pid)], { timeoutMs: 10_000, env: { LC_ALL: 'C' } });
    const [lstart, args] = await Promise.all([run('lstart='), run('args=')]);
    // ps exits 1 when the PID does not exist.
    if (lstart.code !== 0 || lstart.stdout.trim() === '') return null;
    const time = new Date(lstart.stdout.trim().replace(/\s+/g, ' '));
    return {
      startTime: Number.isNaN(time.getTime()) ? null : time.toISOString(),
      commandLine: args.code === 0 ? args.stdout.trim() || null : null,
    };
  },
  win32: async (pid, exec) => {
    const facts = (await readWindowsProcessFacts([pid], exec)).processes.get(pid);
    return facts ? { startTime: facts.startTime, commandLine: facts.commandLine } : null;
  },
};

function resolveLocalDockerEndpoint(): string {
  const resolved = resolveDockerEndpointOfThisMachine();
  // `check` found the container at this same endpoint, so none is an error, not an answer.
  if (resolved === null) throw new Error('no Docker engine endpoint found to stop the container');
  return resolved.endpoint;
}

/**
 * Service key names are letters, digits and a few marks; anything else is refused rather than
 * quoted, so no caller text is ever PowerShell code.
 */
export function validServiceName(name: string): string {
  if (!/^[A-Za-z0-9_.$@-]{1,256}$/.test(name)) {
    throw new RangeError(`not a service name tapo-port will pass to PowerShell: ${JSON.stringify(name)}`);
  }
  return name;
}

function firstLine(result: { stdout: string; stderr: string; code: number | null }): string {
  const text = (result.stderr.trim() || result.stdout.trim()).split(/\r?\n/)[0] ?? '';
  return `exit ${result.code ?? 'killed'}${text === '' ? '' : `: ${text}`}`;
}

/**
 * CTRL_C_EVENT goes to every process attached to the target's console; when the target runs in
 * our own console (started from the same terminal), it reaches us too. Ignore it meanwhile.
 */
async function withSigintIgnored<T>(run: () => Promise<T>): Promise<T> {
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  try {
    return await run();
  } finally {
    // The event is delivered asynchronously; keep ignoring it a moment longer.
    setTimeout(() => process.off('SIGINT', ignore), 500).unref();
  }
}
