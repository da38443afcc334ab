import { existsSync, statSync } from 'node:fs';
import { runCheck } from '../check/run-check.ts';
import { runFindPort } from '../find-port/run-find-port.ts';
import type { LaunchedDashboard, StartDeps } from './start-types.ts';
import { runStop } from '../stop/run-stop.ts';
import { runStatus } from '../status/run-status.ts';
import { TapoError } from '../contract/error-catalogue.ts';
import type { BindHost } from '../input/parse-host.ts';
import { probeBind } from '../system/bind-probe.ts';
import { fetchHealth } from '../health/fetch-health.ts';
import { readRecordedDashboards } from '../status/recorded-dashboards.ts';
import { dashboardEnvironment } from './dashboard-environment.ts';
import {
  dependencyCheckTimeoutMs,
  findDependencyCheckScript,
  type DependencyCheckResult,
} from './dependency-check.ts';
import { projectPorts } from '../find-port/project-ports.ts';
import {
  defaultDashboardCommand,
  fillPlaceholders,
  findProjectPython,
  interpretModuleProbe,
  moduleProbeArgs,
  pythonMissingError,
} from './dashboard-command.ts';
import { acquireInstanceLock } from './instance-lock.ts';
import { asTapoError, ensureStateDir } from '../status/state-dir.ts';
import { statusRecordPath, writeStatusRecord } from '../status/status-record-file.ts';
import type { DashboardStatusRecord } from '../status/status-record.ts';
import { execFileText } from '../system/exec.ts';
import { launchDashboard } from './launch-dashboard.ts';
import { canConnect, createStatusDeps } from '../status/status-deps.ts';
import { createStopDeps, readStopperContext } from '../stop/stop-deps.ts';
import { createSystemDeps } from '../check/check-deps.ts';
import { createFindPortDeps } from '../find-port/find-port-deps.ts';

export interface StartDepsOptions {
  platform: NodeJS.Platform;
  stateDir: string;
  projectDir: string;
  /** The words after `--`; null for the dashboard's default command. */
  customCommand: string[] | null;
  force: boolean;
  stopTimeoutSeconds: number;
  /** With the stop policy: only these confirmed holders may be stopped (see StopPlanOptions). */
  confirmed: string[] | undefined;
  /** Per health request: reuse decisions wait this long for the dashboard's answer. */
  healthBudgetMs: number;
  /** Our output: a line for people and logs, a progress line, and the dashboard's lines. */
  output: {
    say(line: string, level: 'info' | 'loud'): void;
    progress(line: string): void;
    dashboardLine(stream: 'out' | 'err', line: string): void;
    dashboardStdout: NodeJS.WritableStream;
    dashboardStderr: NodeJS.WritableStream;
  };
  /** Told about the lock and the dashboard as they come, so a signal can clean up. */
  session: StartSession;
}

/** What a signal handler must know: the lock to release, the dashboard to pass the signal on to. */
export interface StartSession {
  releaseLock: (() => void) | null;
  dashboard: LaunchedDashboard | null;
  /** The status record as last written, so an interrupted start can say how it ended. */
  lastRecord: DashboardStatusRecord | null;
  /** A dashboard was launched (it may have exited since: then start is about to end with its code). */
  launched: boolean;
  /** The project's dependency check while it runs: ended with us, whatever way we end. */
  dependencyCheck: LaunchedDashboard | null;
}

/** The real StartDeps: check, find-port and stop as the CLI runs them, the lock, the launch. */
export function createStartDeps(options: StartDepsOptions): StartDeps {
  const { platform, stateDir, projectDir, output, session } = options;
  const stopDeps = createStopDeps({ platform, progress: (line) => output.say(line, 'info') });
  const statusDeps = createStatusDeps(stateDir, stopDeps.readIdentity);
  let stateDirReady: Promise<void> | null = null;
  const ensureDir = (): Promise<void> => {
    stateDirReady ??= ensureStateDir(stateDir).catch((error: unknown) => {
      throw asTapoError(error);
    });
    return stateDirReady;
  };
  // The Python lookup (a child process) runs beside the check from the start; its answer, or its
  // error, matters only if the dashboard is launched.
  const python: Promise<string> | null =
    options.customCommand === null ? findCheckedPython(platform, projectDir) : null;
  python?.catch(() => undefined);

  return {
    // The reuse decision rests on the health answer: it gets the full budget, and the records.
    check: (host, port) =>
      runCheck(
        createSystemDeps(platform, {
          healthBudgetMs: options.healthBudgetMs,
          readRecordedDashboards: () => readRecordedDashboards(stateDir),
        }),
        host,
        port,
      ),
    runDependencyCheck: () => runDependencyCheck(options),
    findNextPort: async (host, after) => {
      if (after >= 65535) return null;
      try {
        const { data } = await runFindPort(createFindPortDeps(platform), {
          host,
          start: after + 1,
          end: Math.min(65535, after + 100),
          exclude: projectPorts.map((port) => ({ from: port, to: port })),
        });
        return data.port;
      } catch (error) {
        if (error instanceof TapoError && error.code === 'E_NO_FREE_PORT') return null;
        throw error;
      }
    },
    stop: async (host, port) =>
      runStop(stopDeps, {
        port,
        host,
        dryRun: false,
        force: options.force,
        timeoutSeconds: options.stopTimeoutSeconds,
        ...(options.confirmed !== undefined ? { confirmed: options.confirmed } : {}),
        ...(await readStopperContext(platform)),
      }),
    probeBind,
    acquireLock: async (self) => {
      await ensureDir();
      const result = await acquireInstanceLock(stateDir, self, {
        readIdentity: statusDeps.readIdentity,
      }).catch((error: unknown) => {
        // A symlink or a device where the lock belongs: someone else's trap, never followed.
        throw new TapoError('E_STATE_DIR', error instanceof Error ? error.message : String(error));
      });
      if (result.acquired) session.releaseLock = result.release;
      return result.acquired
        ? {
            ...result,
            release: () => {
              result.release();
              session.releaseLock = null;
            },
          }
        : result;
    },
    writeRecord: async (record) => {
      await ensureDir();
      await writeStatusRecord(stateDir, record);
      session.lastRecord = record;
    },
    readStatus: (port) => runStatus(statusDeps, port),
    prepareCommand: async (host: BindHost, port: number) => {
      if (!isDirectory(projectDir)) {
        throw new TapoError(
          'E_USAGE',
          `the project directory ${JSON.stringify(projectDir)} does not exist`,
          'Pass --project-dir <the dashboard checkout> or set TAPO_PROJECT_DIR.',
        );
      }
      const values = { host: host.requested.replace(/^\[(.*)\]$/, '$1'), port };
      if (options.customCommand !== null) {
        return { argv: fillPlaceholders(options.customCommand, values), cwd: projectDir };
      }
      const found = await (python ?? findCheckedPython(platform, projectDir));
      return { argv: fillPlaceholders(defaultDashboardCommand(found), values), cwd: projectDir };
    },
    launch: async (argv, cwd, context) => {
      const dashboard = await launchDashboard({
        argv,
        cwd,
        env: dashboardEnvironment(context, statusRecordPath(stateDir, context.requestedPort)),
        platform,
        stdout: output.dashboardStdout,
        stderr: output.dashboardStderr,
        onLine: output.dashboardLine,
        onWarning: (line) => output.say(line, 'loud'),
        // A signal from now on goes to it, even while its start time is still being read.
        onSpawn: (spawned) => {
          session.dashboard = spawned;
          session.launched = true;
          void spawned.exited.then(() => {
            if (session.dashboard === spawned) session.dashboard = null;
          });
        },
      });
      const identity = await stopDeps.readIdentity(dashboard.pid).catch(() => null);
      return { ...dashboard, startTime: identity?.startTime ?? null };
    },
    canConnect,
    fetchHealth: (url, budgetMs) => fetchHealth(url, budgetMs),
    say: output.say,
    progress: output.progress,
    sleep: (ms, cancel) =>
      new Promise((resolve) => {
        if (cancel?.aborted) return resolve();
        const timer = setTimeout(resolve, ms);
        cancel?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    now: () => Date.now(),
    every: (ms, tick) => {
      const timer = setInterval(tick, ms);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}

/**
 * The project's validate_dependencies.py with the project's Python, its output passed through
 * like the dashboard's; UTF-8 (the December 2025 script prints emoji, which the ANSI code page
 * of a Windows pipe cannot encode).
 */
async function runDependencyCheck(options: StartDepsOptions): Promise<DependencyCheckResult> {
  const { platform, projectDir, output, session } = options;
  const script = findDependencyCheckScript(projectDir, platform, isFile);
  if (script === null) return { kind: 'absent' };
  const python = findProjectPython({ platform, projectDir, env: process.env, isFile });
  if (python === null) return { kind: 'no-python', script };
  output.say(`Checking the dashboard's dependencies: ${python.path} ${script}`, 'info');
  const started = Date.now();
  const child = await launchDashboard({
    argv: [python.path, script],
    cwd: projectDir,
    env: {},
    platform,
    stdout: output.dashboardStdout,
    stderr: output.dashboardStderr,
    onLine: output.dashboardLine,
    onSpawn: (spawned) => (session.dependencyCheck = spawned),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), dependencyCheckTimeoutMs);
  });
  try {
    const exit = await Promise.race([child.exited, timedOut]);
    if (exit === null) {
      child.terminate('kill');
      await child.exited;
      return { kind: 'timed-out', script, timeoutMs: dependencyCheckTimeoutMs };
    }
    if (exit.exitCode !== 0)
      return { kind: 'failed', script, exitCode: exit.exitCode, lastLines: child.lastLines() };
    return { kind: 'passed', script, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    session.dependencyCheck = null;
  }
}

/** The project's Python, once it has shown that it finds the dashboard module (without importing it). */
async function findCheckedPython(platform: NodeJS.Platform, projectDir: string): Promise<string> {
  const found = findProjectPython({ platform, projectDir, env: process.env, isFile });
  if (found === null) {
    const { message, hint } = pythonMissingError(platform);
    throw new TapoError('E_DEPENDENCY_MISSING', message, hint);
  }
  let result;
  try {
    result = await execFileText(found.path, moduleProbeArgs(), { cwd: projectDir, timeoutMs: 20_000 });
  } catch (error) {
    throw new TapoError(
      'E_DEPENDENCY_MISSING',
      `Python at ${found.path} could not be started: ${error instanceof Error ? error.message : String(error)}`,
      pythonMissingError(platform).hint,
    );
  }
  const verdict = interpretModuleProbe(result, { python: found.path, projectDir, platform });
  if (!verdict.ok) throw new TapoError('E_DEPENDENCY_MISSING', verdict.message, verdict.hint);
  return found.path;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
