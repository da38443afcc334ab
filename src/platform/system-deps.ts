import type { CheckDeps } from '../commands/check.ts';
import type { FindPortDeps } from '../commands/find-port.ts';
import { probeBind } from '../probe/bind-probe.ts';
import { projectPorts } from '../probe/project-ports.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';
import type { ListenerTable } from '../sockets/listener.ts';

/** What differs between operating systems; everything else is shared. */
export interface PlatformAdapter {
  readListeners: CheckDeps['readListeners'];
  /** TCP listeners on ports `from`..`to` (no owner lookup), for the next-free-port scan. */
  readListenersBetween(from: number, to: number): Promise<ListenerTable>;
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
  const adapter = loadAdapter(platform);
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
    // Loaded on demand: find-port and stop's re-checks need no Docker client code.
    queryDocker: async (port, ids) => (await import('./docker-deps.ts')).queryDockerForPort(port, ids),
    fetchHealthStatus: async (url) =>
      (await import('../probe/fetch-health-status.ts')).fetchHealthStatus(url),
    findNextFreePort: async (host, port) => {
      if (port >= 65535) return null;
      const { runFindPort } = await import('../commands/find-port.ts');
      const end = Math.min(65535, port + NEXT_PORT_SCAN_LIMIT);
      try {
        const found = await runFindPort(
          {
            readListenersBetween: async (from, to) => (await adapter).readListenersBetween(from, to),
            readReservedRanges: async () => ({ ranges: await reservedRanges, warnings: [] }),
            probeBind,
          },
          { host, start: port + 1, end, exclude: projectPorts.map((p) => ({ from: p, to: p })) },
        );
        return found.data.port;
      } catch {
        // No free port near, or no table to be sure: then no port is suggested.
        return null;
      }
    },
  };
}

/**
 * Other systems have no adapter of their own; the Linux one then finds no /proc/net/tcp and the
 * answer is "unknown", never "free".
 */
function loadAdapter(platform: NodeJS.Platform): Promise<PlatformAdapter> {
  return (adapters[platform] ?? adapters.linux ?? missingAdapter)();
}

function missingAdapter(): never {
  throw new Error('no platform adapter is registered');
}

/** What find-port needs: the platform's table reader, reserved ranges and the bind probe. */
export function createFindPortDeps(platform: NodeJS.Platform = process.platform): FindPortDeps {
  const adapter = loadAdapter(platform);
  return {
    readListenersBetween: async (from, to) => (await adapter).readListenersBetween(from, to),
    readReservedRanges: async () => (await adapter).readReservedRanges(),
    probeBind,
  };
}
