import { win32 } from 'node:path';
import { runCheck } from '../commands/check.ts';
import type { ProcessIdentity, StopDeps } from '../commands/run-stop.ts';
import { readLinuxProcessFacts } from '../owners/read-linux-process.ts';
import { readWindowsProcessFacts } from '../owners/read-windows-owners.ts';
import { system32Of } from '../sockets/read-listeners-windows.ts';
import { resolveDockerEndpointOfThisMachine } from './docker-deps.ts';
import { execFileText, type Exec } from './exec.ts';
import { realProcFs } from './proc-fs.ts';
import { createSystemDeps } from './system-deps.ts';
import { buildCtrlCScript, encodePowerShellCommand } from './windows-ctrl-c.ts';

export interface StopDepsOptions {
  platform?: NodeJS.Platform;
  exec?: Exec;
  /** Where progress lines go; stderr by default (stdout carries the JSON document). */
  progress?: (line: string) => void;
}

/** taskkill's exit code when no process has the PID. */
const TASKKILL_NOT_FOUND = 128;
const WINDOWS_TOOL_TIMEOUT_MS = 30_000;

/** The real StopDeps: signals, Docker's stop, taskkill and Stop-Service on this machine. */
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
      try {
        process.kill(pid, signal);
        return 'sent';
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
        throw error;
      }
    },
    stopContainer: async (id, timeoutSeconds) => {
      const endpoint = resolveLocalDockerEndpoint();
      const { loadDockerEngine } = await import('../docker/load-docker-engine.ts');
      const engine = await loadDockerEngine();
      await engine.stopContainer({ endpoint, id, timeoutSeconds });
    },
    stopWindowsService: async (name) => {
      const result = await exec(
        powershellPath(),
        [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          `Stop-Service -Name '${validServiceName(name)}' -ErrorAction Stop`,
        ],
        { timeoutMs: WINDOWS_TOOL_TIMEOUT_MS },
      );
      if (result.code !== 0) throw new Error(`Stop-Service ${name} failed: ${firstLine(result)}`);
    },
    windowsClose: async (pid) => {
      const taskkill = await exec(taskkillPath(), ['/PID', String(pid)], {
        timeoutMs: WINDOWS_TOOL_TIMEOUT_MS,
      });
      if (taskkill.code === 0 || taskkill.code === TASKKILL_NOT_FOUND) return;
      // taskkill without /F only reaches programs with a window; a console program gets Ctrl+C.
      const ctrlC = await withSigintIgnored(() =>
        exec(
          powershellPath(),
          [
            '-NoProfile',
            '-NonInteractive',
            '-EncodedCommand',
            encodePowerShellCommand(buildCtrlCScript(pid)),
          ],
          { timeoutMs: WINDOWS_TOOL_TIMEOUT_MS },
        ),
      );
      if (ctrlC.code !== 0) {
        throw new Error(
          `taskkill /PID ${pid} failed (${firstLine(taskkill)}) and Ctrl+C could not be delivered (exit ${ctrlC.code ?? 'killed'})`,
        );
      }
    },
    windowsForceKill: async (pid) => {
      const result = await exec(taskkillPath(), ['/PID', String(pid), '/T', '/F'], {
        timeoutMs: WINDOWS_TOOL_TIMEOUT_MS,
      });
      if (result.code !== 0 && result.code !== TASKKILL_NOT_FOUND) {
        throw new Error(`taskkill /PID ${pid} /T /F failed: ${firstLine(result)}`);
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    progress: options.progress ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}

/** This process's parents, nearest first (shell, npm, terminal): `stop` never stops them. */
export function readAncestorPids(platform: NodeJS.Platform = process.platform): number[] {
  if (platform === 'linux') {
    const self = readLinuxProcessFacts(process.pid, realProcFs);
    if (self) return self.parentChain.map((p) => p.pid);
  }
  return process.ppid > 0 ? [process.ppid] : [];
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

function powershellPath(): string {
  return win32.join(system32Of({}), 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

function taskkillPath(): string {
  return win32.join(system32Of({}), 'taskkill.exe');
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
