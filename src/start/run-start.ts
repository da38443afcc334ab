import { TapoError } from '../contract/error-catalogue.ts';
import { ExitCode } from '../contract/exit-codes.ts';
import type { Owner } from '../owners/owner.ts';
import { toDisplayName, toDisplayText } from '../text/display-safe.ts';
import type { HealthReport } from '../health/health-report.ts';
import { describeHealth, formatSeconds } from '../health/health-meaning.ts';
import { connectAddressOf, formatEndpoint } from '../input/address-family.ts';

import { classifyBindFailure } from './address-in-use.ts';
import type { LockOwner } from './instance-lock.ts';
import { decideStart, describeHolder, toConflictRecord, type StartDecision } from './plan-start.ts';
import type { ConflictRecord, DashboardState, DashboardStatusRecord } from '../status/status-record.ts';
import { exitCodeForStatus } from '../check/port-status-exit.ts';
import type { StopData } from '../stop/stop-types.ts';
import { stopExitCodes } from '../stop/stop-exit-codes.ts';
import {
  completeStartData,
  type LaunchedDashboard,
  type DashboardExit,
  type StartDeps,
  type StartOptions,
  type StartData,
} from './start-types.ts';
import { waitUntilReady, resolveHealthUrl, baseUrl } from './await-ready.ts';
import { dependencyCheckError } from './dependency-check.ts';
import { reportOtherStart, otherStartNotReady } from './report-other-start.ts';

/** Launches, the first included, before an address-in-use at start-up is final. */
const MAX_LAUNCHES = 3;
/** Pre-launch probes that find the port taken again before `start` gives up. */
const MAX_RECHECKS = 3;
const GRACE_AFTER_TERMINATE_MS = 5000;
const OTHER_START_POLL_MS = 200;

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
    return completeStartData(options, { recoveredStaleLock: stale, conflict: record.conflict, ...data });
  };
  await save({});
  const live: LiveDashboard = { dashboard: null };
  try {
    if (options.dependencyCheck) await checkDependencies(deps);
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

/** The original script's first step: the project's own dependency check; a failure ends the start. */
async function checkDependencies(deps: StartDeps): Promise<void> {
  const result = await deps.runDependencyCheck();
  switch (result.kind) {
    case 'absent':
      return;
    case 'no-python':
      deps.say(
        `The dependency check ${toDisplayText(result.script)} was not run: no Python for the project was found.`,
        'info',
      );
      return;
    case 'passed':
      deps.say(`Dependencies checked in ${formatSeconds(result.elapsedMs)}.`, 'info');
      return;
    case 'failed':
    case 'timed-out':
      throw dependencyCheckError(result);
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
        const health = describeHealth(decision.health);
        return end('reused', {
          outcome: 'reused',
          port,
          launches,
          url,
          healthUrl: decision.healthUrl,
          health: decision.health.status,
          healthReport: decision.health,
          exitCode: ExitCode.ok,
          summary:
            `The dashboard already runs on port ${port} (${describeReused(decision.dashboard)}); health: ${health}. ` +
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
    const dashboard = await deps.launch(command.argv, command.cwd, {
      requestedPort: options.requestedPort,
      port,
      resolution:
        conflict === null || conflict.resolution === 'reused' || conflict.resolution === 'failed'
          ? 'none'
          : conflict.resolution,
    });
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
      healthBudgetMs: options.healthBudgetMs,
      timeoutMs: options.readyTimeoutMs,
    });
    if (ready.kind === 'ready') {
      const moved =
        port === options.requestedPort
          ? ''
          : ` because ${options.requestedPort} is held by ${conflict ? describeHolder(conflict) : 'something else'}`;
      const health = describeHealth(ready.health);
      const message = `Running on ${port}${moved}; health: ${health}.`;
      await save({ state: 'running', message });
      deps.say(
        `Dashboard ready at ${url} in ${(ready.elapsedMs / 1000).toFixed(1)} s (PID ${dashboard.pid}, health: ${health}). Press Ctrl+C to stop it.`,
        port === options.requestedPort ? 'info' : 'loud',
      );
      const exit = await dashboard.exited;
      deps.say(`The dashboard exited with ${describeExit(exit)}.`, 'info');
      return end('exited', {
        outcome: 'exited',
        port,
        url,
        healthUrl,
        health: ready.health.status,
        healthReport: ready.health,
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
        healthReport: ready.lastHealth,
        stop: stopData,
        dashboard: launched,
        launches,
        lastLines: dashboard.lastLines(),
        exitCode: ExitCode.notReady,
        summary: `The dashboard was not ready within ${options.readyTimeoutMs / 1000} s (${whyNotReady(ready.lastHealth, healthUrl, port)}), so it was stopped.`,
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

/** "python3, PID 4242": the dashboard found serving the port (its description repeats the health). */
function describeReused(owner: Owner): string {
  const name = owner.process?.name;
  const pid = owner.pid === null ? null : `PID ${owner.pid}`;
  return [name === null || name === undefined ? 'the Tapo dashboard' : toDisplayName(name), pid]
    .filter((part) => part !== null)
    .join(', ');
}

/** What the last look before the deadline saw. */
function whyNotReady(lastHealth: HealthReport | null, healthUrl: string, port: number): string {
  if (lastHealth === null) return `port ${port} never accepted a connection`;
  const url = toDisplayText(healthUrl);
  switch (lastHealth.answer) {
    case 'slow':
      return `the port is open, but ${url} was still answering after ${formatSeconds(lastHealth.elapsedMs)}; raise --ready-timeout if it is always this slow`;
    case 'no-answer':
      return `the port is open, but ${url} does not answer`;
    case 'not-dashboard':
      return `${url} answers, but not with the dashboard's JSON${lastHealth.httpStatus ? ` (HTTP ${lastHealth.httpStatus})` : ''}; check --health-url`;
    case 'answered':
      return `health: ${describeHealth(lastHealth)}`;
  }
}

function describeExit(exit: DashboardExit): string {
  return exit.signal === null
    ? `code ${exit.code ?? exit.exitCode}`
    : `signal ${exit.signal} (code ${exit.exitCode})`;
}
