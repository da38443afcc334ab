import { TapoError } from '../contract/error-catalogue.ts';
import type { Warning } from '../contract/envelope.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { BindProbeResult } from '../system/bind-probe.ts';
import { portCandidates, type SkipReason } from './plan-port-search.ts';
import type { ListenerTable } from '../sockets/listener.ts';
import type { PortRange } from '../input/port-range.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';

export interface FindPortDeps {
  /** TCP listeners on ports from..to, one snapshot, no owner lookup. */
  readListenersBetween(from: number, to: number): Promise<ListenerTable>;
  readReservedRanges(): Promise<{ ranges: ReservedRange[]; warnings: string[] }>;
  probeBind(host: BindHost, port: number): Promise<BindProbeResult>;
}

export interface PortSearchRequest {
  host: BindHost;
  start: number;
  end: number;
  exclude: PortRange[];
}

export interface PortSearchData {
  host: string;
  address: string;
  start: number;
  end: number;
  exclude: PortRange[];
  /** The first port from start up that `check` would call free for the host. */
  port: number;
  /** Ports passed over, by reason; `probe-failed` = free in the table, but the bind failed. */
  skipped: Record<SkipReason | 'probe-failed', number>;
}

/**
 * The first free port at or above `start`: one socket-table snapshot skips every occupied port,
 * then a real bind confirms the pick (and moves on when something else holds it after all).
 */
export async function runFindPort(
  deps: FindPortDeps,
  request: PortSearchRequest,
): Promise<{ data: PortSearchData; warnings: Warning[] }> {
  const { host, start, end } = request;
  const [table, reserved] = await Promise.all([
    deps.readListenersBetween(start, end),
    deps.readReservedRanges(),
  ]);
  if (!table.readable) {
    // Without the table a bind alone would call ports free that another address holds.
    throw new TapoError(
      table.missingTool ? 'E_DEPENDENCY_MISSING' : 'E_SOCKET_TABLE',
      `cannot read the socket table: ${table.reason}`,
    );
  }
  const warnings: Warning[] = [...table.warnings, ...reserved.warnings].map((message) => ({
    code: 'W_PARTIAL',
    message,
  }));
  const skipped: PortSearchData['skipped'] = {
    'in-use': 0,
    shadowed: 0,
    reserved: 0,
    excluded: 0,
    'probe-failed': 0,
  };
  const snapshot = {
    host,
    start,
    end,
    listeners: table.listeners,
    reservedRanges: reserved.ranges,
    exclude: request.exclude,
  };
  for (const candidate of portCandidates(snapshot, skipped)) {
    const probe = await deps.probeBind(host, candidate);
    if (probe.outcome === 'address-not-local') {
      throw new TapoError(
        'E_HOST_NOT_LOCAL',
        `--host ${JSON.stringify(host.requested)} is not an address of this machine`,
      );
    }
    if (probe.outcome === 'bound') {
      return {
        data: {
          host: host.requested,
          address: host.address,
          start,
          end,
          exclude: request.exclude,
          port: candidate,
          skipped,
        },
        warnings,
      };
    }
    skipped['probe-failed'] += 1;
  }
  throw new TapoError('E_NO_FREE_PORT', `no free port from ${start} to ${end} on ${host.requested}`);
}
