import type { BindProbeResult } from '../system/bind-probe.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';

export type PortStatus = 'free' | 'in-use' | 'reserved' | 'forbidden' | 'shadowed' | 'unknown';

export interface PortStatusInput {
  probe: BindProbeResult;
  tableReadable: boolean;
  blockingCount: number;
  shadowingCount: number;
  /** Containers publishing the port even when no host socket shows it (DNAT, rootless). */
  publishingContainerCount: number;
  reservedRange: ReservedRange | null;
}

/**
 * Combines the bind probe and the socket table. Neither alone is the truth: a wildcard bind
 * succeeds on Windows and macOS while 127.0.0.1 is held, and a table cannot see an exclusive
 * socket or a reserved range. When unsure the answer is `unknown`, never `free`.
 */
export function decidePortStatus(input: PortStatusInput): PortStatus {
  const { probe } = input;
  if (input.blockingCount > 0 || probe.outcome === 'in-use') return 'in-use';
  // An administrator's exclusion (`*`) only keeps Windows' own dynamic ranges away; programs can
  // still bind inside it, so a bind that worked there is believed.
  const range = input.reservedRange;
  if (range && !(range.administered && probe.outcome === 'bound')) return 'reserved';
  if (probe.outcome === 'forbidden') return 'forbidden';
  if (input.publishingContainerCount > 0) return 'in-use';
  if (!input.tableReadable) return 'unknown';
  if (input.shadowingCount > 0) return probe.outcome === 'bound' ? 'shadowed' : 'unknown';
  return probe.outcome === 'bound' ? 'free' : 'unknown';
}
