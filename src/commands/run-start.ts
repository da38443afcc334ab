import type { Warning } from '../contract/envelope.ts';
import { TapoError } from '../contract/error-catalogue.ts';
import { ExitCode } from '../contract/exit-codes.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { Owner } from '../owners/owner.ts';
import { toDisplayName } from '../render/display-safe.ts';
import type { BindProbeResult } from '../probe/bind-probe.ts';
import { connectAddressOf, formatEndpoint } from '../sockets/address-family.ts';

export { connectAddressOf };
import { classifyBindFailure } from '../start/address-in-use.ts';
import type { LockOwner, LockResult } from '../start/instance-lock.ts';
import { decideStart, describeHolder, toConflictRecord, type StartDecision } from '../start/plan-start.ts';
import type {
  ConflictRecord,
  DashboardState,
  DashboardStatusRecord,
  StartPolicy,
} from '../start/status-record.ts';
import type { CheckData } from './check.ts';
import { exitCodeForStatus } from './port-status-exit.ts';
import type { StopData, StopOutcome } from './run-stop.ts';
import type { StatusData } from './status.ts';

/** A dashboard process we launched. */
export interface LaunchedDashboard {
  pid: number;
  startTime: string | null;
  /** Settles once the process has exited and its output is drained. */
  exited: Promise<DashboardExit>;
  /** The last lines it printed (stdout and stderr), for the reader of an error. */
  lastLines(): string[];
  /** `ask`: SIGTERM to its process group (TerminateProcess on Windows); `kill`: SIGKILL. */
  terminate(mode: 'ask' | 'kill'): void;
}

export interface DashboardExit {
  code: number | null;
  signal: string | null;
  /** What we exit with: the code, or 128 + the signal's number. */
  exitCode: number;
}

/** Everything `start` needs from the outside world; tests pass fakes, start-deps.ts the real ones. */
export interface StartDeps {
  check(host: BindHost, port: number): Promise<{ data: CheckData; warnings: Warning[] }>;
  /** The first port above `after` that `find-port` would give (never 7778), or null. */
  findNextPort(host: BindHost, after: number): Promise<number | null>;
  stop(host: BindHost, port: number): Promise<StopData>;
  probeBind(host: BindHost, port: number): Promise<BindProbeResult>;
  acquireLock(self: LockOwner): Promise<LockResult>;
  writeRecord(record: DashboardStatusRecord): Promise<void>;
  /** `status` of the requested port: what another start recorded, and how it is now. */
  readStatus(requestedPort: number): Promise<StatusData>;
  /** The command to run on `port` and its working directory; throws E_DEPENDENCY_MISSING. */
  prepareCommand(host: BindHost, port: number): Promise<{ argv: string[]; cwd: string }>;
  launch(argv: string[], cwd: string): Promise<LaunchedDashboard>;
  canConnect(address: string, port: number): Promise<boolean>;
  fetchHealthStatus(url: string): Promise<string | null>;
  /** A line for the person and the log; `loud` ones must not be missed. */
  say(line: string, level: 'info' | 'loud'): void;
  /** A progress line: rewritten in place on a terminal, rare in logs. */
  progress(line: string): void;
  /** Resolves after `ms`, or at once when `cancel` aborts (a lost race must not keep us alive). */
  sleep(ms: number, cancel?: AbortSignal): Promise<void>;
  now(): number;
}

export interface StartOptions {
  requestedPort: number;
  host: BindHost;
  policy: StartPolicy;
  /** A path (`/api/health`) or a URL with optional `{host}` / `{port}`. */
  healthUrl: string;
  readyTimeoutMs: number;
  launcher: { pid: number; startTime: string | null };
  logFile: string | null;
  version: string;
}

export type StartOutcome =
  'exited' | 'crashed' | 'reused' | 'conflict' | 'already-running' | 'not-ready' | 'stop-failed';

export interface StartData {
  requestedPort: number;
  host: string;
  policy: StartPolicy;
  outcome: StartOutcome;
  /** The port the dashboard ran (or runs) on; null when none. */
  port: number | null;
  url: string | null;
  healthUrl: string | null;
  /** The health status seen when it was ready (or reused). */
  health: string | null;
  conflict: ConflictRecord | null;
  /** The check that explains an unresolved conflict (outcome `conflict`), else null. */
  check: CheckData | null;
  /** What the `stop` policy did, else null. */
  stop: StopData | null;
  dashboard: { pid: number; startTime: string | null; command: string[] } | null;
  /** The dashboard's exit code (outcomes `exited`, `crashed`), else null. */
  dashboardExitCode: number | null;
  launches: number;
  lastLines: string[];
  /** Set when the lock was held by a start that had died (its lock was taken over). */
  recoveredStaleLock: { pid: number; createdAt: string } | null;
  summary: string;
  exitCode: number;
}

/** Launches, the first included, before an address-in-use at start-up is final. */
const MAX_LAUNCHES = 3;
/** Pre-launch probes that find the port taken again before `start` gives up. */
const MAX_RECHECKS = 3;
/** A refused connect costs microseconds: poll often, so "ready" is seen within 100 ms of being true. */
const READY_FIRST_POLL_MS = 20;
const READY_MAX_POLL_MS = 100;
const GRACE_AFTER_TERMINATE_MS = 5000;
const OTHER_START_POLL_MS = 200;

const stopExitCodes: Record<StopOutcome, number> = {
  stopped: ExitCode.ok,
  'would-stop': ExitCode.ok,
  'nothing-to-stop': ExitCode.nothingToStop,
  refused: ExitCode.refused,
  failed: ExitCode.stopFailed,
  'timed-out': ExitCode.stopFailed,
};

/**
 * One dashboard per user and requested port: take the lock (or report the start that has it),
 * check, apply the policy, launch, wait until ready, and stay until the dashboard exits.
 */
export async function runStart(deps: StartDeps, options: StartOptions): Promise<StartData> {
  const self: LockOwner = {
    pid: options.launcher.pid,
    startTime: options.launcher.startTime,
    port: options.requestedPort,
    host: options.host.requested,
    createdAt: new Date(deps.now()).toISOString(),
    version: options.version,
  };
  const deadline = deps.now() + options.readyTimeoutMs;
  for (;;) {
    const lock = await deps.acquireLock(self);
    if (lock.acquired) {
      try {
        return await startHoldingLock(deps, options, lock.recoveredStale);
      } finally {
        lock.release();
      }
    }
    const other = await reportOtherStart(deps, options, lock.holder);
    if (other !== null) return other;
    if (deps.now() >= deadline) return otherStartNotReady(options, lock.holder);
    await deps.sleep(OTHER_START_POLL_MS);
  }
}

/** The start holding the lock, once its dashboard answers; null while it is not there yet. */
async function reportOtherStart(
  deps: StartDeps,
  options: StartOptions,
  holder: LockOwner,
): Promise<StartData | null> {
  const status = await deps.readStatus(options.requestedPort);
  const record = status.record;
  if (record === null || record.launcher.pid !== holder.pid) return null;
  if (record.state !== 'running' || status.live.state !== 'running' || status.live.health === null) {
    return null;
  }
  const healthy = status.live.health === 'healthy';
  const exitCode = options.policy === 'reuse' && healthy ? ExitCode.ok : ExitCode.alreadyRunning;
  const pid = record.dashboard?.pid;
  return finish(options, {
    outcome: 'already-running',
    port: record.port,
    url: record.url,
    healthUrl: record.healthUrl,
    health: status.live.health,
    conflict: record.conflict,
    dashboard: record.dashboard,
    exitCode,
    summary:
      `Another tapo-port start (PID ${holder.pid}) already runs the dashboard for port ` +
      `${options.requestedPort}: ${record.url ?? `port ${record.port ?? '?'}`}` +
      `${pid === undefined ? '' : ` (PID ${pid})`}; health: ${status.live.health}. Nothing was started.`,
  });
}

function otherStartNotReady(options: StartOptions, holder: LockOwner): StartData {
  return finish(options, {
    outcome: 'already-running',
    exitCode: ExitCode.alreadyRunning,
    summary:
      (holder.pid === 0
        ? 'Another tapo-port start (its lock file cannot be read) is starting the dashboard '
        : `Another tapo-port start (PID ${holder.pid}, since ${holder.createdAt}) is starting the dashboard `) +
      `for port ${options.requestedPort}, and it was not ready within ${options.readyTimeoutMs / 1000} s. ` +
      'Nothing was started.',
  });
}

async function startHoldingLock(
  deps: StartDeps,
  options: StartOptions,
  recoveredStale: LockOwner | null,
): Promise<StartData> {
  const { host, policy } = options;
  const startedAt = new Date(deps.now()).toISOString();
  const stale =
    recoveredStale === null ? null : { pid: recoveredStale.pid, createdAt: recoveredStale.createdAt };
  if (recoveredStale !== null) {
    deps.say(
      `A lock left by tapo-port PID ${recoveredStale.pid}, which no longer runs, was taken over.`,
      'info',
    );
  }
  let record: DashboardStatusRecord = {
    schemaVersion: '1.0',
    requestedPort: options.requestedPort,
    host: host.requested,
    policy,
    port: null,
    state: 'starting',
    conflict: null,
    dashboard: null,
    url: null,
    healthUrl: null,
    launcher: options.launcher,
    startedAt,
    updatedAt: startedAt,
    exitCode: null,
    message: null,
    logFile: options.logFile,
  };
  const save = async (changes: Partial<DashboardStatusRecord>): Promise<void> => {
    record = { ...record, ...changes, updatedAt: new Date(deps.now()).toISOString() };
    try {
      await deps.writeRecord(record);
    } catch (error) {
      // The health feed is a report; failing to write it must not stop the dashboard.
      deps.say(
        `Could not write the status record: ${error instanceof Error ? error.message : String(error)}`,
        'info',
      );
    }
  };
  const end = async (
    state: DashboardState,
    data: Partial<Omit<StartData, 'summary' | 'exitCode'>> & { summary: string; exitCode: number },
  ): Promise<StartData> => {
    await save({
      state,
      message: data.summary,
      ...(data.dashboardExitCode !== undefined ? { exitCode: data.dashboardExitCode } : {}),
    });
    return finish(options, { recoveredStaleLock: stale, conflict: record.conflict, ...data });
  };
  await save({});
  const live: LiveDashboard = { dashboard: null };
  try {
    return await applyPolicyAndLaunch(deps, options, { save, end, live });
  } catch (error) {
    // An error ends the start (no Python, no free port, a failing dependency): a dashboard it
    // launched is not left running without us, and the feed says what happened, not "starting".
    const launched = live.dashboard;
    if (launched !== null) await endDashboard(deps, launched);
    await save({
      state: launched !== null ? 'exited' : 'not-started',
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

/** The dashboard launched and not yet seen to exit, for the clean-up of a failed start. */
interface LiveDashboard {
  dashboard: LaunchedDashboard | null;
}

/** SIGTERM, then SIGKILL after the grace: it is gone when this returns. */
async function endDashboard(deps: StartDeps, dashboard: LaunchedDashboard): Promise<DashboardExit> {
  dashboard.terminate('ask');
  const grace = new AbortController();
  const exited = await Promise.race([
    dashboard.exited,
    deps.sleep(GRACE_AFTER_TERMINATE_MS, grace.signal).then(() => null),
  ]);
  grace.abort();
  if (exited !== null) return exited;
  dashboard.terminate('kill');
  return dashboard.exited;
}

interface RecordKeeper {
  live: LiveDashboard;
  save(changes: Partial<DashboardStatusRecord>): Promise<void>;
  end(
    state: DashboardState,
    data: Partial<Omit<StartData, 'summary' | 'exitCode'>> & { summary: string; exitCode: number },
  ): Promise<StartData>;
}

async function applyPolicyAndLaunch(
  deps: StartDeps,
  options: StartOptions,
  { save, end, live }: RecordKeeper,
): Promise<StartData> {
  const { host, policy } = options;
  let port = options.requestedPort;
  let conflict: ConflictRecord | null = null;
  let stopData: StopData | null = null;
  let launches = 0;
  let rechecks = 0;
  for (;;) {
    {
      const { data: check } = await deps.check(host, port);
      // After a launch that lost the port, `stop` is not tried twice: the race is explained.
      const decision: StartDecision = decideStart(check, launches > 0 && policy === 'stop' ? 'fail' : policy);
      if (decision.action === 'reuse') {
        conflict = toConflictRecord(check, 'reused');
        const url = baseUrl(decision.healthUrl);
        await save({ conflict, port, url, healthUrl: decision.healthUrl });
        return end('reused', {
          outcome: 'reused',
          port,
          launches,
          url,
          healthUrl: decision.healthUrl,
          health: 'healthy',
          exitCode: ExitCode.ok,
          summary:
            `The dashboard already runs on port ${port} (${describeReused(decision.dashboard)}); health: healthy. ` +
            `Open ${url}. Nothing was started.`,
        });
      }
      if (decision.action === 'fail') {
        conflict = toConflictRecord(check, 'failed');
        await save({ conflict });
        return end('not-started', {
          outcome: 'conflict',
          check,
          launches,
          exitCode: exitCodeForStatus(check.status),
          summary: `${decision.reason} The dashboard was not started.`,
        });
      }
      if (decision.action === 'next') {
        conflict ??= toConflictRecord(check, 'next');
        const next = await deps.findNextPort(host, port);
        if (next === null) {
          await save({ conflict: { ...conflict, resolution: 'failed' } });
          throw new TapoError(
            'E_NO_FREE_PORT',
            `port ${port} is ${check.status} and no free port was found above it (up to ${Math.min(65535, port + 100)})`,
          );
        }
        deps.say(
          `PORT CHANGED: port ${port} is held by ${describeHolder(conflict)}; the dashboard starts on port ${next} instead.`,
          'loud',
        );
        port = next;
        await save({ conflict });
      }
      if (decision.action === 'stop') {
        deps.say(
          `Port ${port} is held by ${describeHolder(toConflictRecord(check, 'stopped'))}; stopping it first.`,
          'info',
        );
        stopData = await deps.stop(host, port);
        // Nothing to stop: the holder left by itself; the probe before the launch has the last word.
        if (stopData.outcome !== 'stopped' && stopData.outcome !== 'nothing-to-stop') {
          conflict = toConflictRecord(check, 'failed');
          await save({ conflict });
          return end('not-started', {
            outcome: 'stop-failed',
            stop: stopData,
            check,
            exitCode: stopExitCodes[stopData.outcome],
            summary: `${stopData.summary} The dashboard was not started.`,
          });
        }
        conflict = toConflictRecord(check, 'stopped');
        await save({ conflict });
      }
    }

    // Right before the launch: the port may have been taken since it was checked.
    const probe = await deps.probeBind(host, port);
    if (probe.outcome !== 'bound') {
      rechecks += 1;
      if (rechecks >= MAX_RECHECKS) {
        const { data: check } = await deps.check(host, port);
        return end('not-started', {
          outcome: 'conflict',
          check,
          port: null,
          launches,
          exitCode: check.status === 'free' ? ExitCode.portUnavailable : exitCodeForStatus(check.status),
          summary: `Port ${port} was taken again each time just before the launch (${probe.errno ?? probe.outcome}). ${check.summary}`,
        });
      }
      deps.say(
        `Port ${port} was taken just before the launch (${probe.errno ?? probe.outcome}); checking again.`,
        'info',
      );
      continue;
    }

    const command = await deps.prepareCommand(host, port);
    const healthUrl = resolveHealthUrl(options.healthUrl, host, port);
    const url = baseUrl(healthUrl);
    deps.say(
      `Starting the dashboard on ${formatEndpoint(host.address, port)}: ${command.argv.join(' ')}`,
      'info',
    );
    const dashboard = await deps.launch(command.argv, command.cwd);
    live.dashboard = dashboard;
    void dashboard.exited.then(() => {
      if (live.dashboard === dashboard) live.dashboard = null;
    });
    launches += 1;
    const launched = { pid: dashboard.pid, startTime: dashboard.startTime, command: command.argv };
    await save({ port, dashboard: launched, url, healthUrl, exitCode: null, state: 'starting' });

    const ready = await waitUntilReady(deps, dashboard, {
      connectAddress: connectAddressOf(host.address),
      port,
      healthUrl,
      timeoutMs: options.readyTimeoutMs,
    });
    if (ready.kind === 'ready') {
      const moved =
        port === options.requestedPort
          ? ''
          : ` because ${options.requestedPort} is held by ${conflict ? describeHolder(conflict) : 'something else'}`;
      const message = `Running on ${port}${moved}; health: ${ready.health}.`;
      await save({ state: 'running', message });
      deps.say(
        `Dashboard ready at ${url} in ${(ready.elapsedMs / 1000).toFixed(1)} s (PID ${dashboard.pid}, health: ${ready.health}). Press Ctrl+C to stop it.`,
        port === options.requestedPort ? 'info' : 'loud',
      );
      const exit = await dashboard.exited;
      deps.say(`The dashboard exited with ${describeExit(exit)}.`, 'info');
      return end('exited', {
        outcome: 'exited',
        port,
        url,
        healthUrl,
        health: ready.health,
        stop: stopData,
        dashboard: launched,
        dashboardExitCode: exit.exitCode,
        launches,
        lastLines: dashboard.lastLines(),
        exitCode: exit.exitCode,
        summary: `The dashboard on port ${port} ran and exited with ${describeExit(exit)}.`,
      });
    }
    if (ready.kind === 'timeout') {
      await endDashboard(deps, dashboard);
      return end('not-ready', {
        outcome: 'not-ready',
        port,
        url,
        healthUrl,
        stop: stopData,
        dashboard: launched,
        launches,
        lastLines: dashboard.lastLines(),
        exitCode: ExitCode.notReady,
        summary: `The dashboard did not answer ${healthUrl} within ${options.readyTimeoutMs / 1000} s, so it was stopped.`,
      });
    }
    // It exited before it was ready.
    const lastLines = dashboard.lastLines();
    const bindFailure = classifyBindFailure(lastLines.join('\n'));
    if (bindFailure !== null && launches < MAX_LAUNCHES) {
      // That launch is over: the record must not name it as the dashboard any more.
      await save({ port: null, dashboard: null, url: null, healthUrl: null });
      deps.say(
        `The dashboard could not bind port ${port} (${bindFailure === 'in-use' ? 'address in use' : 'access forbidden'}); checking the port again.`,
        'info',
      );
      continue;
    }
    const exitCode = ready.exit.exitCode === 0 ? ExitCode.notReady : ready.exit.exitCode;
    return end('exited', {
      outcome: 'crashed',
      port,
      url,
      healthUrl,
      stop: stopData,
      dashboard: launched,
      dashboardExitCode: ready.exit.exitCode,
      launches,
      lastLines,
      exitCode,
      summary:
        `The dashboard exited with ${describeExit(ready.exit)} before it was ready` +
        (bindFailure === null ? '.' : ` (it could not bind port ${port}, ${launches} launches).`),
    });
  }
}

type ReadyResult =
  | { kind: 'ready'; health: string; elapsedMs: number }
  | { kind: 'exited'; exit: DashboardExit }
  | { kind: 'timeout' };

/** Ready = the port accepts a connection and the health URL answers with the dashboard's JSON. */
async function waitUntilReady(
  deps: StartDeps,
  dashboard: LaunchedDashboard,
  target: { connectAddress: string; port: number; healthUrl: string; timeoutMs: number },
): Promise<ReadyResult> {
  let exit: DashboardExit | null = null;
  void dashboard.exited.then((value) => (exit = value));
  const started = deps.now();
  let delay = READY_FIRST_POLL_MS;
  let lastProgress = -1;
  for (;;) {
    if (exit !== null) return { kind: 'exited', exit };
    if (await deps.canConnect(target.connectAddress, target.port)) {
      const health = await deps.fetchHealthStatus(target.healthUrl);
      // An answer while our process is already gone came from someone else.
      if (exit !== null) return { kind: 'exited', exit };
      if (health !== null) return { kind: 'ready', health, elapsedMs: deps.now() - started };
    }
    const elapsed = deps.now() - started;
    if (elapsed >= target.timeoutMs) return { kind: 'timeout' };
    const second = Math.floor(elapsed / 1000);
    if (second !== lastProgress) {
      lastProgress = second;
      deps.progress(
        `Waiting for the dashboard at ${target.healthUrl}: ${second} s of ${Math.round(target.timeoutMs / 1000)} s`,
      );
    }
    const wait = new AbortController();
    await Promise.race([
      deps.sleep(Math.min(delay, target.timeoutMs - elapsed), wait.signal),
      dashboard.exited,
    ]);
    wait.abort();
    delay = Math.min(delay * 2, READY_MAX_POLL_MS);
  }
}

/** `/api/health` -> http://127.0.0.1:7777/api/health; a full URL gets `{host}` and `{port}` filled. */
export function resolveHealthUrl(template: string, host: BindHost, port: number): string {
  const address = connectAddressOf(host.address);
  if (template.startsWith('/')) return `http://${formatEndpoint(address, port)}${template}`;
  const hostText = address.includes(':') ? `[${address}]` : address;
  return template.replaceAll('{host}', hostText).replaceAll('{port}', String(port));
}

function baseUrl(healthUrl: string): string {
  try {
    return new URL('/', healthUrl).toString();
  } catch {
    return healthUrl;
  }
}

/** "python3, PID 4242": the dashboard found serving the port (its description repeats the health). */
function describeReused(owner: Owner): string {
  const name = owner.process?.name;
  const pid = owner.pid === null ? null : `PID ${owner.pid}`;
  return [name === null || name === undefined ? 'the Tapo dashboard' : toDisplayName(name), pid]
    .filter((part) => part !== null)
    .join(', ');
}

function describeExit(exit: DashboardExit): string {
  return exit.signal === null
    ? `code ${exit.code ?? exit.exitCode}`
    : `signal ${exit.signal} (code ${exit.exitCode})`;
}

function finish(
  options: StartOptions,
  data: Partial<Omit<StartData, 'summary' | 'exitCode'>> & { summary: string; exitCode: number },
): StartData {
  return {
    requestedPort: options.requestedPort,
    host: options.host.requested,
    policy: options.policy,
    outcome: data.outcome ?? 'conflict',
    port: data.port ?? null,
    url: data.url ?? null,
    healthUrl: data.healthUrl ?? null,
    health: data.health ?? null,
    conflict: data.conflict ?? null,
    check: data.check ?? null,
    stop: data.stop ?? null,
    dashboard: data.dashboard ?? null,
    dashboardExitCode: data.dashboardExitCode ?? null,
    launches: data.launches ?? 0,
    lastLines: data.lastLines ?? [],
    recoveredStaleLock: data.recoveredStaleLock ?? null,
    summary: data.summary,
    exitCode: data.exitCode,
  };
}
