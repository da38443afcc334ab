import type { CheckData } from '../check/run-check.ts';
import type { Owner } from '../owners/owner.ts';
import type { HealthReport } from '../health/health-report.ts';
import { describeHealth, formatSeconds, isReusable } from '../health/health-meaning.ts';
import { ownerList } from '../status/describe-conflict.ts';
import { toDisplayName, toDisplayText } from '../text/display-safe.ts';
import type { ConflictOwner, ConflictRecord, StartPolicy } from '../status/status-record.ts';

/** What `start` does about the port `check` just looked at. Pure. */
export type StartDecision =
  | { action: 'launch' }
  | { action: 'reuse'; dashboard: Owner; healthUrl: string; health: HealthReport }
  | { action: 'fail'; reason: string }
  | { action: 'next' }
  | { action: 'stop' };

export function decideStart(check: CheckData, policy: StartPolicy): StartDecision {
  if (check.status === 'free') return { action: 'launch' };
  if (policy === 'next') return { action: 'next' };
  if (policy === 'stop') return { action: 'stop' };
  if (policy === 'fail') return { action: 'fail', reason: check.summary };
  const dashboards = check.owners.filter((owner) => owner.kind === 'dashboard' && owner.dashboard !== null);
  // Of several (IPv4 and IPv6 listeners, workers), the one in the best health is reported.
  const running = dashboards
    .filter((owner) => owner.dashboard !== null && isReusable(owner.dashboard.health))
    .sort((a, b) => healthRank(a) - healthRank(b))[0];
  if (running?.dashboard)
    return {
      action: 'reuse',
      dashboard: running,
      healthUrl: running.dashboard.healthUrl,
      health: running.dashboard.health,
    };
  const first = dashboards[0];
  if (first?.dashboard) {
    return {
      action: 'fail',
      reason:
        `${check.summary} It is a Tapo dashboard, but ${whyNotReusable(first.dashboard.health, first.dashboard.healthUrl)}, ` +
        'so it is not reused.',
    };
  }
  return {
    action: 'fail',
    reason: `${check.summary} It is not a Tapo dashboard, so there is nothing to reuse.`,
  };
}

const statusOrder = ['healthy', 'warning', 'critical'];

function healthRank(owner: Owner): number {
  const rank = statusOrder.indexOf(owner.dashboard?.health.status ?? '');
  return rank === -1 ? statusOrder.length : rank;
}

function whyNotReusable(health: HealthReport, healthUrl: string): string {
  const url = toDisplayText(healthUrl);
  switch (health.answer) {
    case 'answered':
      return `its health says "${describeHealth(health)}" (its own health check failed)`;
    case 'slow':
      return `${url} did not answer within ${formatSeconds(health.elapsedMs)}`;
    case 'no-answer':
      return `${url} does not answer`;
    case 'not-dashboard':
      return `${url} did not answer with the dashboard's JSON${health.httpStatus ? ` (HTTP ${health.httpStatus})` : ''}`;
  }
}

/** The conflict as the health feed records it: who held the port and what was done about it. */
export function toConflictRecord(check: CheckData, resolution: ConflictRecord['resolution']): ConflictRecord {
  return {
    status: check.status,
    summary: check.summary,
    owners: check.owners.map(toConflictOwner),
    resolution,
  };
}

function toConflictOwner(owner: Owner): ConflictOwner {
  const container = owner.container?.name ?? null;
  // A service is named by its service: svchost.exe hosts many.
  const name =
    owner.kind === 'service'
      ? (owner.services?.[0] ?? owner.process?.name ?? null)
      : (container ?? owner.process?.name ?? owner.forwarder?.name ?? owner.services?.[0] ?? null);
  // The record is read by other programs too (health dashboards): names in it are display-safe.
  return {
    kind: owner.kind,
    pid: owner.pid,
    name: name === null ? null : toDisplayName(name),
    container: container === null ? null : toDisplayName(container),
  };
}

/** Who is in the way, in a few words, for "starting on 7779 because 7777 is held by ...". */
export function describeHolder(conflict: ConflictRecord): string {
  return conflict.owners.length > 0 ? ownerList(conflict.owners) : `something (${conflict.status})`;
}
