import type { CheckDeps } from '../commands/check.ts';
import { probeBind } from '../probe/bind-probe.ts';
import { findNextFreePort } from '../probe/find-next-free-port.ts';
import { relateListener } from '../sockets/relate-listener.ts';
import { findReservedRange, type ReservedRange } from '../sockets/reserved-range.ts';
import type { Listener } from '../sockets/listener.ts';
import { queryDockerForPort } from './docker-deps.ts';

/** What differs between operating systems; everything else is shared. */
export interface PlatformAdapter {
  readListeners: CheckDeps['readListeners'];
  /** TCP listeners on ports `from`..`to` (no owner lookup), for the next-free-port scan. */
  readListenersBetween(from: number, to: number): Promise<Listener[]>;
  readReservedRanges: CheckDeps['readReservedRanges'];
  readOwnerFacts: CheckDeps['readOwnerFacts'];
  readHttpSys: CheckDeps['readHttpSys'];
}

// Loaded on demand: each platform's readers pull in what only that platform needs
// (child_process and ps-list on Windows and macOS, nothing on Linux).
const adapters: Partial<Record<NodeJS.Platform, () => Promise<PlatformAdapter>>> = {
  linux: async () => (await import('./linux-adapter.ts')).linuxAdapter(),
  darwin: async () => (await import('./macos-adapter.ts')).macosAdapter(),
  win32: async () => (await import('./windows-adapter.ts')).windowsAdapter(),
};

/** How far above the requested port a replacement is looked for. */
const NEXT_PORT_SCAN_LIMIT = 100;

export function createSystemDeps(platform: NodeJS.Platform = process.platform): CheckDeps {
  // Other systems have no adapter of their own; the Linux one then finds no /proc/net/tcp and
  // the answer is "unknown", never "free".
  const adapter = (adapters[platform] ?? adapters.linux ?? missingAdapter)();
  let reservedRanges: Promise<ReservedRange[]> = Promise.resolve([]);
  return {
    platform,
    currentUid: typeof process.getuid === 'function' ? process.getuid() : null,
    selfCommand: [process.execPath, ...process.argv.slice(1, 2)],
    probeBind,
    readListeners: async (port) => (await adapter).readListeners(port),
    readReservedRanges: () => {
      const answer = adapter.then((a) => a.readReservedRanges());
      reservedRanges = answer.then((r) => r.ranges);
      return answer;
    },
    readOwnerFacts: async (pids) => (await adapter).readOwnerFacts(pids),
    readHttpSys: async (port) => (await adapter).readHttpSys(port),
    queryDocker: queryDockerForPort,
    fetchHealthStatus: async (url) =>
      (await import('../probe/fetch-health-status.ts')).fetchHealthStatus(url),
    findNextFreePort: async (host, port) => {
      const [listeners, ranges] = await Promise.all([
        (await adapter).readListenersBetween(port + 1, Math.min(65535, port + NEXT_PORT_SCAN_LIMIT)),
        reservedRanges,
      ]);
      const taken = new Set(listeners.filter((l) => relateListener(l, host) !== 'none').map((l) => l.port));
      const isTaken = async (candidate: number): Promise<boolean> =>
        taken.has(candidate) ||
        findReservedRange(
          ranges.filter((range) => range.family === host.family),
          candidate,
        ) !== null;
      return findNextFreePort(host, port, isTaken, probeBind, NEXT_PORT_SCAN_LIMIT);
    },
  };
}

function missingAdapter(): never {
  throw new Error('no platform adapter is registered');
}
