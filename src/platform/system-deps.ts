import type { CheckDeps } from '../commands/check.ts';
import { probeBind } from '../probe/bind-probe.ts';
import { fetchHealthStatus } from '../probe/fetch-health-status.ts';
import { findNextFreePort } from '../probe/find-next-free-port.ts';
import { relateListener } from '../sockets/relate-listener.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';
import type { Listener } from '../sockets/listener.ts';
import { queryDockerForPort } from './docker-deps.ts';
import { linuxAdapter } from './linux-adapter.ts';
import { macosAdapter } from './macos-adapter.ts';
import { windowsAdapter } from './windows-adapter.ts';

/** What differs between operating systems; everything else is shared. */
export interface PlatformAdapter {
  readListeners: CheckDeps['readListeners'];
  /** Every TCP listener on any port (no owner lookup), for the next-free-port scan. */
  readAllListeners(): Promise<Listener[]>;
  readReservedRanges: CheckDeps['readReservedRanges'];
  readOwnerFacts: CheckDeps['readOwnerFacts'];
  readHttpSys: CheckDeps['readHttpSys'];
}

const adapters: Partial<Record<NodeJS.Platform, () => PlatformAdapter>> = {
  linux: linuxAdapter,
  darwin: macosAdapter,
  win32: windowsAdapter,
};

export function createSystemDeps(platform: NodeJS.Platform = process.platform): CheckDeps {
  const makeAdapter = adapters[platform] ?? linuxAdapter;
  const adapter = makeAdapter();
  let reservedRanges: Promise<ReservedRange[]> | null = null;
  return {
    platform,
    currentUid: typeof process.getuid === 'function' ? process.getuid() : null,
    probeBind,
    readListeners: adapter.readListeners,
    readReservedRanges: () => {
      const answer = adapter.readReservedRanges();
      reservedRanges = answer.then((r) => r.ranges);
      return answer;
    },
    readOwnerFacts: adapter.readOwnerFacts,
    readHttpSys: adapter.readHttpSys,
    queryDocker: queryDockerForPort,
    fetchHealthStatus: (url) => fetchHealthStatus(url),
    findNextFreePort: async (host, port) => {
      const [listeners, ranges] = await Promise.all([
        adapter.readAllListeners(),
        reservedRanges ?? Promise.resolve([]),
      ]);
      const taken = new Set(listeners.filter((l) => relateListener(l, host) !== 'none').map((l) => l.port));
      const isTaken = async (candidate: number): Promise<boolean> =>
        taken.has(candidate) || ranges.some((r) => candidate >= r.start && candidate <= r.end);
      return findNextFreePort(host, port, isTaken, probeBind);
    },
  };
}
