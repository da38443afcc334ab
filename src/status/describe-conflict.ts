import type { ConflictOwner, ConflictRecord } from './status-record.ts';
import { toDisplayName } from '../text/display-safe.ts';

/** "7777 is held by container tapo-camera-mcp": why the dashboard is not on the port it asked for. */
export function conflictClause(requestedPort: number, conflict: ConflictRecord): string {
  if (conflict.owners.length > 0) return `${requestedPort} is held by ${ownerList(conflict.owners)}`;
  switch (conflict.status) {
    case 'reserved':
      return `${requestedPort} is in a reserved port range`;
    case 'forbidden':
      return `binding ${requestedPort} is not allowed`;
    case 'shadowed':
      return `${requestedPort} is shadowed by another listener on localhost`;
    case 'unknown':
      return `${requestedPort} could not be checked`;
    case 'free':
    case 'in-use':
      return `${requestedPort} was in use`;
  }
}

const MAX_OWNERS_NAMED = 3;

export function ownerList(owners: readonly ConflictOwner[]): string {
  const named = owners.slice(0, MAX_OWNERS_NAMED).map(describeOwner);
  const rest = owners.length - named.length;
  if (rest > 0) named.push(`${rest} other${rest === 1 ? '' : 's'}`);
  if (named.length === 1) return named[0] ?? '';
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

function describeOwner(owner: ConflictOwner): string {
  const pid = owner.pid === null ? '' : ` (PID ${owner.pid})`;
  const name = owner.name === null || owner.name === '' ? null : toDisplayName(owner.name);
  const container =
    owner.container === null || owner.container === '' ? null : toDisplayName(owner.container);
  switch (owner.kind) {
    case 'container':
      return `container ${container ?? name ?? '(unnamed)'}`;
    case 'dashboard':
      return `another dashboard${pid}`;
    case 'forwarder':
      return container !== null ? `container ${container}` : `the port forwarder ${name ?? 'process'}${pid}`;
    case 'wsl':
      return `a program inside WSL${pid === '' ? '' : ` (forwarded by PID ${owner.pid})`}`;
    case 'http.sys':
      return 'the Windows HTTP service (http.sys)';
    case 'service':
      return `the service ${name ?? '(unnamed)'}${pid}`;
    case 'hidden':
      return `a process tapo-port cannot see${pid}`;
    case 'process':
      return name === null ? `a process${pid}` : `${name}${pid}`;
  }
}

/** ISO-8601 -> "2026-11-25 10:02 UTC"; anything unparsable is shown escaped as it is. */
