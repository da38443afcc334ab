import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { TapoError } from '../contract/error-catalogue.ts';
import type { DashboardExit, LaunchedDashboard } from './start-types.ts';
import { OutputTail } from './output-tail.ts';
import { createJobControl, type JobControl, type JobKeeperProcess } from './windows-job-control.ts';
import type { JobKeeperRequest } from './windows-job-keeper.ts';
import { startJobKeeper } from './start-job-keeper.ts';

export interface LaunchOptions {
  argv: string[];
  cwd: string;
  /** Set for it on top of ours (where it runs and why). */
  env: Record<string, string>;
  platform: NodeJS.Platform;
  /** Where its stdout goes (our stdout; our stderr under --json). */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Each complete line it printed, for the log file. */
  onLine(stream: 'out' | 'err', line: string): void;
  /** Told the PID the moment it exists, before anything is awaited (a signal may come at once). */
  onSpawn?(dashboard: LaunchedDashboard): void;
  /**
   * Windows only: holds the dashboard's process tree in a job object (windows-job-keeper.ts), so
   * ending it ends its children too. The real one by default; tests pass a fake.
   */
  startJobKeeper?(request: JobKeeperRequest): JobKeeperProcess;
  /** A line about how it can be ended (the one warning when its tree is not held). */
  onWarning?(line: string): void;
}

/** After the process exits, how long its pipes may stay open (a grandchild holding them). */
const DRAIN_AFTER_EXIT_MS = 1000;

/**
 * Starts the dashboard in the foreground: output passes through and is kept (the last lines, for
 * errors), Python output is unbuffered, and on Linux and macOS it leads its own process group so
 * a signal we forward reaches it (and its workers) exactly once.
 */
export function launchDashboard(options: LaunchOptions): Promise<LaunchedDashboard> {
  const [file, ...args] = options.argv;
  if (file === undefined || file === '') {
    return Promise.reject(new TapoError('E_USAGE', 'the dashboard command is empty'));
  }
  const posix = options.platform !== 'win32';
  let child: ReturnType<typeof spawn>;
  const spawnedAfterMs = Date.now();
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      // Unbuffered, so lines pass through as they come; UTF-8, because into a pipe Python writes
      // the ANSI code page on Windows and fails on the first character outside it.
      env: {
        PYTHONIOENCODING: 'utf-8',
        ...process.env,
        ...options.env,
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: posix,
      windowsHide: false,
      shell: false,
    });
  } catch (error) {
    // Node refuses .cmd and .bat files without a shell (EINVAL) before anything starts.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return Promise.reject(
      new TapoError(
        'E_DEPENDENCY_MISSING',
        `the dashboard command ${JSON.stringify(file)} cannot be started directly (${code})`,
        'A .cmd or .bat file runs through cmd: tapo-port start -- cmd /c <file> ..., or name the program it starts.',
      ),
    );
  }
  const tail = new OutputTail();
  const pass = (stream: 'out' | 'err', sink: NodeJS.WritableStream) => {
    let partial = '';
    // A character split across two chunks must not become two replacement characters.
    const decoder = new StringDecoder('utf8');
    return (chunk: Buffer): void => {
      sink.write(chunk);
      const text = decoder.write(chunk);
      tail.push(text);
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(stream, line);
      if (partial.length > 8192) {
        options.onLine(stream, partial);
        partial = '';
      }
    };
  };
  child.stdout?.on('data', pass('out', options.stdout));
  child.stderr?.on('data', pass('err', options.stderr));

  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new TapoError(
              'E_DEPENDENCY_MISSING',
              `the dashboard command ${JSON.stringify(file)} was not found (working directory ${options.cwd})`,
              'Check the command after --, or install the program it names.',
            )
          : new TapoError(
              'E_DEPENDENCY_MISSING',
              `the dashboard command ${JSON.stringify(file)} could not be started: ${error.code ?? error.message}`,
              'Check that the program exists and is executable.',
            ),
      );
    });
    child.once('spawn', () => {
      const pid = child.pid;
      if (pid === undefined) {
        reject(new TapoError('E_UNEXPECTED', 'the dashboard started without a PID'));
        return;
      }
      const killDashboardOnly = (signal: NodeJS.Signals) => () =>
        signalDashboard(child.pid, posix, signal, () => child.kill(signal));
      // Windows: Node's kill ends the direct child only; its tree is held in a job of ours.
      const jobControl: JobControl | null = posix
        ? null
        : createJobControl({
            keeper: (options.startJobKeeper ?? startJobKeeper)({
              dashboardPid: pid,
              launcherPid: process.pid,
              spawnedAfterMs,
              spawnedBeforeMs: Date.now(),
            }),
            killDashboardOnly: killDashboardOnly('SIGKILL'),
            warn: (line) => options.onWarning?.(line),
            startTimer: (ms, fire) => {
              const timer = setTimeout(fire, ms);
              timer.unref();
              return () => clearTimeout(timer);
            },
          });
      const exited = new Promise<DashboardExit>((settle) => {
        child.once('exit', (code, signal) => {
          // What it left in its process group (workers, a reloader's child) goes with it.
          if (posix) signalDashboard(pid, true, 'SIGTERM', () => undefined);
          jobControl?.dashboardExited();
          const result: DashboardExit = {
            code,
            signal,
            exitCode: code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)),
          };
          // 'close' comes once its pipes are drained; a grandchild holding them must not hold us.
          const timer = setTimeout(() => settle(result), DRAIN_AFTER_EXIT_MS);
          child.once('close', () => {
            clearTimeout(timer);
            settle(result);
          });
        });
      });
      const dashboard: LaunchedDashboard = {
        pid,
        startTime: null,
        exited,
        lastLines: () => tail.lines(),
        terminate: (mode) =>
          jobControl === null
            ? killDashboardOnly(mode === 'ask' ? 'SIGTERM' : 'SIGKILL')()
            : jobControl.terminate(mode),
      };
      options.onSpawn?.(dashboard);
      resolve(dashboard);
    });
  });
}

/**
 * To the whole process group on POSIX (the dashboard leads it), as a terminal's Ctrl+C would;
 * on Windows Node's kill is TerminateProcess whatever the signal.
 */
export function signalDashboard(
  pid: number | undefined,
  posix: boolean,
  signal: NodeJS.Signals,
  fallback: () => void,
): void {
  if (pid === undefined) return;
  try {
    if (posix) process.kill(-pid, signal);
    else fallback();
  } catch {
    // Already gone: its exit is on its way.
  }
}
