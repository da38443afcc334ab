import { ExitCode } from '../contract/exit-codes.ts';
import { sameProcessStart } from '../owners/process-facts.ts';
import { connectAddressOf } from '../input/address-family.ts';
import { toDisplayText } from '../text/display-safe.ts';
import { conflictClause, ownerList } from './describe-conflict.ts';
import type { DashboardStatusRecord } from './status-record.ts';
import { statusWordOf, type HealthReport } from '../health/health-report.ts';
import { describeHealth, isWell } from '../health/health-meaning.ts';

/** Everything `status` needs from the outside world; tests pass fakes. */
export interface StatusDeps {
  readRecord(
    requestedPort: number,
  ): Promise<{ record: DashboardStatusRecord } | { record: null; problem: string | null }>;
  /** Null when no such PID. */
  readIdentity(pid: number): Promise<{ startTime: string | null } | null>;
  /** A TCP connect to host:port succeeds within ~1 s. */
  canConnect(host: string, port: number): Promise<boolean>;
  /** The health URL's answer, within the deciding budget (10 s unless `--health-timeout`). */
  fetchHealth(url: string): Promise<HealthReport>;
}

export interface StatusData {
  requestedPort: number;
  record: DashboardStatusRecord | null;
  recordProblem: string | null;
  live: {
    state: 'running' | 'not-running';
    /** The recorded dashboard PID is alive with the recorded start time (null when there is no PID to check). */
    processAlive: boolean | null;
    portAccepting: boolean | null;
    /** The status word of the health answer; null when it did not answer (or was not asked). */
    health: string | null;
    /** The whole health answer (slow, silent, not the dashboard's, its issues); null when not asked. */
    healthReport: HealthReport | null;
  };
  summary: string;
}

type Live = StatusData['live'];

/** Why the recorded dashboard process is not alive; null when it is (or there is none). */
type Gone = 'exited' | 'vanished' | 'pid-reused' | null;

/**
 * Reads the last start's record for the port and checks it against the live system: the same
 * process (PID and start time), a port that accepts connections, and the health answer.
 */
export async function runStatus(deps: StatusDeps, requestedPort: number): Promise<StatusData> {
  const read = await deps.readRecord(requestedPort);
  if (read.record === null) {
    const live: Live = notAsked('not-running');
    return {
      requestedPort,
      record: null,
      recordProblem: read.problem,
      live,
      summary: summarizeMissing(requestedPort, read.problem),
    };
  }
  const record = read.record;
  const { live, gone } = await observe(deps, record);
  return {
    requestedPort,
    record,
    recordProblem: null,
    live,
    summary: summarize(requestedPort, record, live, gone),
  };
}

/**
 * 0: running, health `healthy` or `warning`; 13: running, health `critical`, `error`, another
 * word, slow or no answer; 12: not running (docs/start.md).
 */
export type StatusExitCode = typeof ExitCode.ok | typeof ExitCode.notRunning | typeof ExitCode.unhealthy;

export function statusExitCode(data: StatusData): StatusExitCode {
  if (data.live.state !== 'running') return ExitCode.notRunning;
  return data.live.healthReport !== null && isWell(data.live.healthReport) ? ExitCode.ok : ExitCode.unhealthy;
}

function notAsked(state: Live['state']): Live {
  return { state, processAlive: null, portAccepting: null, health: null, healthReport: null };
}

async function observe(deps: StatusDeps, record: DashboardStatusRecord): Promise<{ live: Live; gone: Gone }> {
  if (record.port === null) {
    // Nothing was started (or reused): there is no process and no port to ask.
    return { live: notAsked('not-running'), gone: null };
  }
  const host = connectAddressOf(record.host);
  const askHealth = async (): Promise<HealthReport | null> =>
    record.healthUrl === null ? null : deps.fetchHealth(record.healthUrl);

  if (record.dashboard === null) {
    // Reused (or a record without a process): the dashboard is whatever serves the port, so it
    // counts as running only when it also answers its health URL (or is slow to: it took the request).
    const portAccepting = await deps.canConnect(host, record.port);
    const healthReport = portAccepting ? await askHealth() : null;
    const answers =
      healthReport !== null && (healthReport.answer === 'answered' || healthReport.answer === 'slow');
    return {
      live: {
        state: portAccepting && answers ? 'running' : 'not-running',
        processAlive: null,
        portAccepting,
        health: statusWordOf(healthReport),
        healthReport,
      },
      gone: null,
    };
  }

  const gone = await checkProcess(deps, record, record.dashboard);
  const processAlive = gone === null;
  // Asked even when the process is gone: a port held by something else is worth saying.
  const portAccepting = await deps.canConnect(host, record.port);
  const running = processAlive && portAccepting;
  const healthReport = running ? await askHealth() : null;
  return {
    live: {
      state: running ? 'running' : 'not-running',
      processAlive,
      portAccepting,
      health: statusWordOf(healthReport),
      healthReport,
    },
    gone,
  };
}

async function checkProcess(
  deps: StatusDeps,
  record: DashboardStatusRecord,
  dashboard: NonNullable<DashboardStatusRecord['dashboard']>,
): Promise<Gone> {
  // The launcher saw it end: asking its PID again could only find another process.
  if (record.state === 'exited') return 'exited';
  const identity = await deps.readIdentity(dashboard.pid);
  if (identity === null) return 'vanished';
  // Status only reads, so an unreadable start time is given the benefit of the doubt (stop,
  // which signals, is stricter).
  const recorded = dashboard.startTime;
  if (!sameProcessStart(recorded, identity.startTime)) return 'pid-reused';
  return null;
}

// --- summary -----------------------------------------------------------------------------------

function summarizeMissing(requestedPort: number, problem: string | null): string {
  if (problem === null) return `Not running: no start has been recorded for port ${requestedPort}.`;
  return `Not running: no usable start record for port ${requestedPort}. ${safe(problem)}`;
}

function summarize(requestedPort: number, record: DashboardStatusRecord, live: Live, gone: Gone): string {
  const healthPart = `health: ${live.healthReport === null ? 'not asked' : describeHealth(live.healthReport)}`;
  const port = record.port;
  const pid = record.dashboard?.pid ?? null;
  const because = record.conflict === null ? null : conflictClause(requestedPort, record.conflict);

  if (port === null) {
    const why =
      because !== null ? ` because ${because}` : record.message !== null ? `: ${safe(record.message)}` : '';
    return `Not running: the last start for port ${requestedPort} (${formatRecordTime(record.startedAt)}) did not start a dashboard${why}${why.endsWith('.') ? '' : '.'}`;
  }

  if (record.dashboard === null) {
    if (live.state === 'running') {
      return `The dashboard on ${port} was reused (already running); ${healthPart}.`;
    }
    return live.portAccepting
      ? `Not running: port ${port} accepts connections, but what answers there is not the dashboard that was reused (${healthPart}).`
      : `Not running: the dashboard that was reused on ${port} no longer accepts connections.`;
  }

  const started = `the dashboard started on ${port} (PID ${pid})`;
  if (live.state === 'running') {
    if (record.conflict?.resolution === 'next' && because !== null && port !== requestedPort) {
      return `Running on ${port} because ${because}; ${healthPart}.`;
    }
    const since = `(PID ${pid}, since ${formatRecordTime(record.startedAt)})`;
    if (record.conflict?.resolution === 'stopped' && record.conflict.owners.length > 0) {
      return `Running on ${port} ${since} after stopping ${ownerList(record.conflict.owners)}, which held it; ${healthPart}.`;
    }
    return `Running on ${port} ${since}; ${healthPart}.`;
  }

  const elsewhere = live.portAccepting ? ` Something else now accepts connections on ${port}.` : '';
  switch (gone) {
    case 'exited': {
      const code = record.exitCode === null ? '' : ` with code ${record.exitCode}`;
      return `Not running: ${started} exited${code} at ${formatRecordTime(record.updatedAt)}.${elsewhere}`;
    }
    case 'vanished':
      return record.state === 'not-ready'
        ? `Not running: ${started} did not become ready and was stopped at ${formatRecordTime(record.updatedAt)}.${elsewhere}`
        : `Not running: ${started} is gone, and its exit was not recorded.${elsewhere}`;
    case 'pid-reused':
      return `Not running: ${started} is gone; PID ${pid} now belongs to another process.${elsewhere}`;
    case null:
      return record.state === 'starting'
        ? `Not running yet: ${started} is starting but does not accept connections yet.`
        : `Not running: ${started} is alive, but nothing accepts connections on ${port}.`;
  }
}

/** "7777 is held by container tapo-camera-mcp", for a conflict the start ran into. */
export function formatRecordTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return safe(iso, 40);
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function safe(text: string, maxLength = 400): string {
  return toDisplayText(text, { maxLength });
}
