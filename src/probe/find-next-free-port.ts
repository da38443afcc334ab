import type { BindHost } from '../input/parse-host.ts';
import type { BindProbeResult } from './bind-probe.ts';

/**
 * Ports the dashboard's own project uses beside it (7778: its USB camera server), which a
 * suggestion must not collide with.
 */
export const projectPorts: readonly number[] = [7778];

/**
 * The first port above `port` that binds and that the socket table does not show as taken.
 * A bounded upward scan: users dislike random ports.
 */
export async function findNextFreePort(
  host: BindHost,
  port: number,
  isTaken: (candidate: number) => Promise<boolean>,
  probe: (host: BindHost, port: number) => Promise<BindProbeResult>,
  limit = 100,
): Promise<number | null> {
  for (let candidate = port + 1; candidate <= Math.min(65535, port + limit); candidate += 1) {
    if (projectPorts.includes(candidate)) continue;
    if (await isTaken(candidate)) continue;
    if ((await probe(host, candidate)).outcome === 'bound') return candidate;
  }
  return null;
}
