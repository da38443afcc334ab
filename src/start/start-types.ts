// What start needs (StartDeps), what it is asked (StartOptions) and what it answers (StartData): the contract of run-start.ts, which its planner, its session and the tests share.
import type { Warning } from '../contract/envelope.ts';
import type { HealthReport } from '../health/health-report.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { BindProbeResult } from '../system/bind-probe.ts';
import type { LockOwner, LockResult } from './instance-lock.ts';
import type { LaunchContext } from './dashboard-environment.ts';
import type { DependencyCheckResult } from './dependency-check.ts';
import type { ConflictRecord, DashboardStatusRecord, StartPolicy } from '../status/status-record.ts';
import type { CheckData } from '../check/run-check.ts';
import type { StopData } from '../stop/stop-types.ts';
import type { StatusData } from '../status/run-status.ts';

/** A dashboard process we launched. */
export interface LaunchedDashboard {
  pid: number;
  startTime: string | null;
  /** Settles once the process has exited and its output is drained. */
  exited: Promise<DashboardExit>;
  /** The last lines it printed (stdout and stderr), for the reader of an error. */
  lastLines(): string[];
  /**
   * `ask`: SIGTERM to its process group; `kill`: SIGKILL. On Windows, with its tree held in a job
   * (windows-job-keeper.ts): `ask` asks its windows to close, `kill` ends the whole job; without
   * the job, both are TerminateProcess of the dashboard alone.
   */
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
  /** The project's validate_dependencies.py, when it has one (dependency-check.ts). */
  runDependencyCheck(): Promise<DependencyCheckResult>;
  /** The command to run on `port` and its working directory; throws E_DEPENDENCY_MISSING. */
  prepareCommand(host: BindHost, port: number): Promise<{ argv: string[]; cwd: string }>;
  /** Starts it, telling it through its environment where it runs and why (dashboard-environment.ts). */
  launch(argv: string[], cwd: string, context: LaunchContext): Promise<LaunchedDashboard>;
  canConnect(address: string, port: number): Promise<boolean>;
  /** One health request that gives up after `budgetMs` (reported as `slow` when it was taken). */
  fetchHealth(url: string, budgetMs: number): Promise<HealthReport>;
  /** A line for the person and the log; `loud` ones must not be missed. */
  say(line: string, level: 'info' | 'loud'): void;
  /** A progress line: rewritten in place on a terminal, rare in logs. */
  progress(line: string): void;
  /** Resolves after `ms`, or at once when `cancel` aborts (a lost race must not keep us alive). */
  sleep(ms: number, cancel?: AbortSignal): Promise<void>;
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called (progress while a request is out). */
  every(ms: number, tick: () => void): () => void;
}

export interface StartOptions {
  requestedPort: number;
  host: BindHost;
  policy: StartPolicy;
  /** A path (`/api/health`) or a URL with optional `{host}` / `{port}`. */
  healthUrl: string;
  /** Per health request (readiness, reuse): long enough for the real endpoint, 10 s by default. */
  healthBudgetMs: number;
  readyTimeoutMs: number;
  /** Run the project's dependency check before the port check (unless --skip-dependency-check). */
  dependencyCheck: boolean;
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
  /** The health status word seen when it was ready (or reused). */
  health: string | null;
  /** That whole health answer, with its issues (or the last one, when it never became ready). */
  healthReport: HealthReport | null;
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

/** StartData with every key present (null when unknown), as the contract wants. */
export function completeStartData(
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
    healthReport: data.healthReport ?? null,
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
