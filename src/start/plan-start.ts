import type { CheckData } from '../check/run-check.ts';
import type { Owner } from '../owners/owner.ts';
import { ownerList } from '../status/describe-conflict.ts';
import { toDisplayName } from '../text/display-safe.ts';
import type { ConflictOwner, ConflictRecord, StartPolicy } from '../status/status-record.ts';

/** What `start` does about the port `check` just looked at. Pure. */
export type StartDecision =
  | { action: 'launch' }
  | { action: 'reuse'; dashboard: Owner; healthUrl: string }
  | { action: 'fail'; reason: string }
  | { action: 'next' }
  | { action: 'stop' };

export function decideStart(check: CheckData, policy: StartPolicy): StartDecision {
  if (check.status === 'free') return { action: 'launch' };
  if (policy === 'next') return { action: 'next' };
  if (policy === 'stop') return { action: 'stop' };
  if (policy === 'fail') return { action: 'fail', reason: check.summary };
  const dashboards = check.owners.filter((owner) => owner.kind === 'dashboard' && owner.dashboard !== null);
  const healthy = dashboards.find((owner) => owner.dashboard?.healthStatus === 'healthy');
  if (healthy?.dashboard)
    return { action: 'reuse', dashboard: healthy, healthUrl: healthy.dashboard.healthUrl };
  const first = dashboards[0];
  if (first?.dashboard) {
    const health = first.dashboard.healthStatus;
    return {
      action: 'fail',
      reason:
        `${check.summary} It is a Tapo dashboard, but its health ` +
        (health === null
          ? `URL ${first.dashboard.healthUrl} does not answer`
          : `is "${toDisplayName(health)}", not "healthy"`) +
        ', so it is not reused.',
    };
  }
  return {
    action: 'fail',
    reason: `${check.summary} It is not a Tapo dashboard, so there is nothing to reuse.`,
  };
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
