import { thisSelfCommand } from '../system/self-command.ts';
import type { CheckDeps } from './run-check.ts';
import { checkHealthBudgetMs } from '../health/health-meaning.ts';
import { probeBind } from '../system/bind-probe.ts';
import { projectPorts } from '../find-port/project-ports.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';
import { loadPlatformAdapter } from '../adapters/load-platform-adapter.ts';

/** How far above the requested port a replacement is looked for. */
const NEXT_PORT_SCAN_LIMIT = 100;

export interface SystemDepsOptions {
  /** Per health request: `checkHealthBudgetMs` for check, more where the answer decides (start). */
  healthBudgetMs?: number;
  /** The dashboards `tapo-port start` recorded (wired by the caller, which knows the state directory). */
  readRecordedDashboards?: CheckDeps['readRecordedDashboards'];
}

export function createSystemDeps(
  platform: NodeJS.Platform = process.platform,
  options: SystemDepsOptions = {},
): CheckDeps {
  const healthBudgetMs = options.healthBudgetMs ?? checkHealthBudgetMs;
  const adapter = loadPlatformAdapter(platform);
  let reservedRanges: Promise<ReservedRange[]> = Promise.resolve([]);
  return {
    platform,
    currentUid: typeof process.getuid === 'function' ? process.getuid() : null,
    selfCommand: thisSelfCommand(),
    probeBind,
    readListeners: async (port) => (await adapter).readListeners(port),
    readReservedRanges: () => {
      const answer = adapter.then((a) => a.readReservedRanges());
      reservedRanges = answer.then((r) => r.ranges);
      return answer;
    },
    readDynamicPortRanges: async () => {
      const read = (await adapter).readDynamicPortRanges;
      return read ? read() : [];
    },
    readOwnerFacts: async (pids) => (await adapter).readOwnerFacts(pids),
    readHttpSys: async (port) => (await adapter).readHttpSys(port),
    readWslRelay: async (port) => {
      const read = (await adapter).readWslRelay;
      return read ? read(port) : { answer: 'unknown', reason: 'WSL exists only on Windows' };
    },
    // Loaded on demand: find-port and stop's re-checks need no Docker client code.
    queryDocker: async (port, ids) =>
      (await import('../docker/query-docker.ts')).queryDockerForPort(port, ids),
    fetchHealth: async (url) => (await import('../health/fetch-health.ts')).fetchHealth(url, healthBudgetMs),
    ...(options.readRecordedDashboards ? { readRecordedDashboards: options.readRecordedDashboards } : {}),
    findNextFreePort: async (host, port) => {
      if (port >= 65535) return null;
      const { runFindPort } = await import('../find-port/run-find-port.ts');
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
