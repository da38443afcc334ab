import { closeSync, constants as fsConstants, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import { runStart } from '../start/run-start.ts';
import type { StartData } from '../start/start-types.ts';
import { successEnvelope, toAsciiJson } from '../contract/envelope.ts';
import { TapoError } from '../contract/error-catalogue.ts';
import { renderCheckText } from '../check/render-check-text.ts';
import { renderStopText } from '../stop/render-stop-text.ts';
import { toDisplayText } from '../text/display-safe.ts';
import type { StartRequest } from '../start/parse-start-request.ts';
import { VERSION } from '../contract/version.ts';
import { writeStatusRecordSync } from '../status/status-record-file.ts';
import { signalDashboard } from '../start/launch-dashboard.ts';
import { createStartDeps, type StartSession } from '../start/start-deps.ts';
import { createStopDeps } from '../stop/stop-deps.ts';

export interface StartIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** On a non-terminal, how often the readiness wait is logged. */
const PROGRESS_LOG_EVERY_MS = 5000;
/** A repeated signal sooner than this is the same Ctrl+C delivered twice, not a second one. */
const REPEAT_MEANS_FORCE_AFTER_MS = 1000;
const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * `tapo-port start` with real I/O: our lines on stderr (timestamped when it is not a terminal)
 * and in the log file, the dashboard's output passed through, signals passed on to it, and the
 * lock released whatever happens. Returns the exit code.
 */
export async function runStartSession(request: StartRequest, io: StartIo): Promise<number> {
  const log = openLog(request.logFile);
  // A reader that went away (`| head`, a closed SSH session) must not end us, or leave the
  // dashboard running without us: its output still goes to the log file.
  const broken = new Set<NodeJS.WriteStream>();
  const watch = (stream: NodeJS.WriteStream): void => {
    stream.on('error', () => broken.add(stream));
  };
  watch(io.stdout);
  watch(io.stderr);
  const out = (stream: NodeJS.WriteStream, text: string | Buffer): void => {
    if (!broken.has(stream)) stream.write(text);
  };
  const terminal = io.stderr.isTTY === true;
  const colour = terminal && !('NO_COLOR' in process.env);
  const stamp = (): string => new Date().toISOString();
  const safe = (line: string): string => toDisplayText(line, { maxLength: 4000 });
  let progressShown = false;
  let lastProgressLogged = 0;
  const clearProgress = (): void => {
    if (progressShown) out(io.stderr, '\r\x1b[K');
    progressShown = false;
  };
  const toLog = (source: string, line: string): void => log.write(`${stamp()} [${source}] ${safe(line)}\n`);
  const say = (line: string, level: 'info' | 'loud'): void => {
    clearProgress();
    const text = safe(line);
    const shown = level === 'loud' && colour ? `\x1b[1;33m${text}\x1b[0m` : text;
    out(io.stderr, terminal ? `tapo-port: ${shown}\n` : `[${stamp()}] tapo-port: ${shown}\n`);
    toLog('tapo-port', line);
  };
  const output = {
    say,
    progress: (line: string): void => {
      if (terminal) {
        out(io.stderr, `\r\x1b[Ktapo-port: ${safe(line)}`);
        progressShown = true;
        return;
      }
      if (Date.now() - lastProgressLogged < PROGRESS_LOG_EVERY_MS) return;
      lastProgressLogged = Date.now();
      out(io.stderr, `[${stamp()}] tapo-port: ${safe(line)}\n`);
      toLog('tapo-port', line);
    },
    dashboardLine: (stream: 'out' | 'err', line: string): void => {
      clearProgress();
      toLog(`dashboard:${stream}`, line);
    },
    dashboardStdout: request.json ? io.stderr : io.stdout,
    dashboardStderr: io.stderr,
  };
  // The dashboard's own output ends a progress line too, so it starts on a clean line.
  const passThrough = (sink: NodeJS.WriteStream): NodeJS.WritableStream =>
    ({
      write: (chunk: Buffer | string) => {
        clearProgress();
        out(sink, chunk);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  output.dashboardStdout = passThrough(request.json ? io.stderr : io.stdout) as NodeJS.WriteStream;
  output.dashboardStderr = passThrough(io.stderr) as NodeJS.WriteStream;

  const session: StartSession = {
    releaseLock: null,
    dashboard: null,
    lastRecord: null,
    launched: false,
    dependencyCheck: null,
  };
  const removeSignalHandlers = forwardSignals(session, say, request.stateDir);
  // Whatever way we end, nothing we started is left running and the lock is not left held.
  const releaseOnExit = (): void => {
    session.dashboard?.terminate('ask');
    session.dependencyCheck?.terminate('kill');
    session.releaseLock?.();
  };
  process.once('exit', releaseOnExit);
  try {
    const deps = createStartDeps({
      platform: process.platform,
      stateDir: request.stateDir,
      projectDir: request.projectDir,
      customCommand: request.customCommand,
      force: request.force,
      stopTimeoutSeconds: request.stopTimeoutSeconds,
      confirmed: request.confirmed,
      healthBudgetMs: request.healthBudgetMs,
      output,
      session,
    });
    const identity = await createStopDeps()
      .readIdentity(process.pid)
      .catch(() => null);
    const data = await runStart(deps, {
      requestedPort: request.port,
      host: request.host,
      policy: request.policy,
      healthUrl: request.healthUrl,
      readyTimeoutMs: request.readyTimeoutMs,
      healthBudgetMs: request.healthBudgetMs,
      dependencyCheck: !request.skipDependencyCheck,
      launcher: { pid: process.pid, startTime: identity?.startTime ?? null },
      logFile: request.logFile,
      version: VERSION,
    });
    clearProgress();
    report(data, request, io, out, say, (text) => {
      for (const line of text.replace(/\n$/, '').split('\n')) toLog('tapo-port', line);
    });
    return data.exitCode;
  } catch (error) {
    clearProgress();
    if (error instanceof TapoError)
      toLog('tapo-port', `${error.message} (${error.code}) Hint: ${error.hint}`);
    else toLog('tapo-port', `unexpected: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    removeSignalHandlers();
    process.removeListener('exit', releaseOnExit);
    log.close();
  }
}

function report(
  data: StartData,
  request: StartRequest,
  io: StartIo,
  out: (stream: NodeJS.WriteStream, text: string) => void,
  say: (line: string, level: 'info' | 'loud') => void,
  logText: (text: string) => void,
): void {
  if (request.json) {
    out(io.stdout, toAsciiJson(successEnvelope('DashboardStart', data, [])) + '\n');
  }
  // The details a reader needs to act: who holds the port, what stop did, what the dashboard said.
  let details = '';
  if (data.outcome === 'stop-failed' && data.stop !== null)
    details = renderStopText(data.stop, process.platform);
  else if (data.outcome === 'conflict' && data.check !== null) {
    details = renderCheckText(data.check, [], { colour: false });
  }
  if ((data.outcome === 'crashed' || data.outcome === 'not-ready') && data.lastLines.length > 0) {
    details = ['The last lines the dashboard printed:', ...data.lastLines.map((line) => `  | ${line}`)]
      .map((line) => toDisplayText(line, { maxLength: 600 }))
      .join('\n')
      .concat('\n');
  }
  if (details !== '') {
    // stderr is for people, JSON or not (the PowerShell module reads stdout and shows stderr).
    logText(details);
    out(io.stderr, details);
  }
  say(data.summary, data.exitCode === 0 ? 'info' : 'loud');
}

/**
 * Ctrl+C, SIGTERM and SIGHUP go to the dashboard (its group, on POSIX; on Windows the console
 * already gave it Ctrl+C), once; a second one ends it with SIGKILL. Before anything was launched,
 * a signal ends `start` at once, lock released.
 */
function forwardSignals(
  session: StartSession,
  say: (line: string, level: 'info' | 'loud') => void,
  stateDir: string,
): () => void {
  let seen = 0;
  let firstAt = 0;
  const posix = process.platform !== 'win32';
  const handler = (signal: NodeJS.Signals): void => {
    // One Ctrl+C often arrives twice: from the terminal to the whole group and again from a
    // wrapper that forwards it (npx, timeout). Only a later one means "force".
    if (seen > 0 && Date.now() - firstAt < REPEAT_MEANS_FORCE_AFTER_MS) return;
    seen += 1;
    if (seen === 1) firstAt = Date.now();
    const dashboard = session.dashboard;
    // Launched and already exited: start is finishing with the dashboard's own exit code.
    if (dashboard === null && session.launched) return;
    if (dashboard === null) {
      const message = `${signal} received before the dashboard was started; nothing was started.`;
      const record = session.lastRecord;
      if (record !== null && record.state === 'starting') {
        try {
          writeStatusRecordSync(stateDir, {
            ...record,
            state: 'not-started',
            message,
            updatedAt: new Date().toISOString(),
          });
        } catch {
          // The feed is a report; the exit must happen anyway.
        }
      }
      session.releaseLock?.();
      say(message, 'info');
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    }
    if (seen === 1) {
      say(
        `${signal} received: stopping the dashboard (PID ${dashboard.pid}); send it again to force.`,
        'info',
      );
      if (posix)
        signalDashboard(dashboard.pid, true, signal === 'SIGHUP' ? 'SIGTERM' : signal, () => undefined);
      else if (signal !== 'SIGINT') dashboard.terminate('ask');
      return;
    }
    say(`${signal} received again: ending the dashboard (PID ${dashboard.pid}) with SIGKILL.`, 'loud');
    dashboard.terminate('kill');
  };
  for (const signal of FORWARDED) process.on(signal, handler);
  return () => {
    for (const signal of FORWARDED) process.removeListener(signal, handler);
  };
}

interface LogSink {
  write(text: string): void;
  close(): void;
}

/** Appends, never truncates; created private (0600). A file that cannot be opened is a usage error. */
function openLog(file: string | null): LogSink {
  if (file === null) return { write: () => undefined, close: () => undefined };
  let fd: number;
  try {
    // The default log of a scheduled task lives in a folder that may not exist yet.
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fd = openSync(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o600);
  } catch (error) {
    throw new TapoError(
      'E_USAGE',
      `cannot open --log-file ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'Give a file in a folder that exists and that you can write to.',
    );
  }
  let open = true;
  return {
    write: (text) => {
      if (!open) return;
      try {
        writeSync(fd, text);
      } catch {
        // A full disk must not take the dashboard down; the terminal still has every line.
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
