// Another start holds the lock for this port: what it reports once its dashboard is ready, or
// that it was not ready in time. Nothing is started.
import { ExitCode } from '../contract/exit-codes.ts';
import type { LockOwner } from './instance-lock.ts';
import { describeHealth, isReusable } from '../health/health-meaning.ts';
import { completeStartData, type StartDeps, type StartOptions, type StartData } from './start-types.ts';

/** The start holding the lock, once its dashboard answers; null while it is not there yet. */
export async function reportOtherStart(
  deps: StartDeps,
  options: StartOptions,
  holder: LockOwner,
): Promise<StartData | null> {
  const status = await deps.readStatus(options.requestedPort);
  const record = status.record;
  if (record === null || record.launcher.pid !== holder.pid) return null;
  const health = status.live.healthReport;
  if (
    record.state !== 'running' ||
    status.live.state !== 'running' ||
    health === null ||
    health.answer !== 'answered'
  ) {
    return null;
  }
  // The same rule as reusing a dashboard found on the port: it runs and answers.
  const exitCode = options.policy === 'reuse' && isReusable(health) ? ExitCode.ok : ExitCode.alreadyRunning;
  const pid = record.dashboard?.pid;
  return completeStartData(options, {
    outcome: 'already-running',
    port: record.port,
    url: record.url,
    healthUrl: record.healthUrl,
    health: status.live.health,
    healthReport: health,
    conflict: record.conflict,
    dashboard: record.dashboard,
    exitCode,
    summary:
      `Another tapo-port start (PID ${holder.pid}) already runs the dashboard for port ` +
      `${options.requestedPort}: ${record.url ?? `port ${record.port ?? '?'}`}` +
      `${pid === undefined ? '' : ` (PID ${pid})`}; health: ${describeHealth(health)}. Nothing was started.`,
  });
}

export function otherStartNotReady(options: StartOptions, holder: LockOwner): StartData {
  return completeStartData(options, {
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
