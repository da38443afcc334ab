import type { BindHost } from '../input/parse-host.ts';
import type { Listener } from '../sockets/listener.ts';
import type { PortRange } from '../input/port-range.ts';
import { relateListener } from '../sockets/relate-listener.ts';
import { findReservedRange, type ReservedRange } from '../sockets/reserved-range.ts';

export type SkipReason = 'in-use' | 'shadowed' | 'reserved' | 'excluded';

export interface PortSearchSnapshot {
  host: BindHost;
  start: number;
  end: number;
  /** Every TCP listener on start..end, from one socket-table snapshot. */
  listeners: readonly Listener[];
  reservedRanges: readonly ReservedRange[];
  exclude: readonly PortRange[];
}

/**
 * Why each port from start to end is no candidate, decided from one snapshot of the socket
 * table: the search then binds only the candidates, in order, instead of one bind per busy
 * port. A port is a candidate when `check` would call it free: nothing on an overlapping
 * address blocks or shadows it, no reserved range of the host's family covers it, and the
 * user did not exclude it.
 */
export function* portCandidates(
  snapshot: PortSearchSnapshot,
  skipped: Record<SkipReason, number>,
): Generator<number> {
  const relation = new Map<number, 'blocks' | 'shadows'>();
  for (const listener of snapshot.listeners) {
    const related = relateListener(listener, snapshot.host);
    if (related === 'blocks' || (related === 'shadows' && relation.get(listener.port) !== 'blocks')) {
      relation.set(listener.port, related);
    }
  }
  const ranges = snapshot.reservedRanges.filter((range) => range.family === snapshot.host.family);
  for (let port = snapshot.start; port <= snapshot.end; port += 1) {
    const reason: SkipReason | null = snapshot.exclude.some((r) => port >= r.from && port <= r.to)
      ? 'excluded'
      : findReservedRange(ranges, port)
        ? 'reserved'
        : relation.get(port) === 'blocks'
          ? 'in-use'
          : relation.get(port) === 'shadows'
            ? 'shadowed'
            : null;
    if (reason) skipped[reason] += 1;
    else yield port;
  }
}
