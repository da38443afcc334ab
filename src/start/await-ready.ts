// Readiness: the dashboard's health URL from its template, and the wait until the port accepts
// connections and the URL answers with the dashboard's JSON.
import type { BindHost } from '../input/parse-host.ts';
import { connectAddressOf, formatEndpoint } from '../input/address-family.ts';
import type { LaunchedDashboard, DashboardExit, StartDeps } from './start-types.ts';

/** A refused connect costs microseconds: poll often, so "ready" is seen within 100 ms of being true. */
const READY_FIRST_POLL_MS = 20;
const READY_MAX_POLL_MS = 100;

export type ReadyResult =
  | { kind: 'ready'; health: string; elapsedMs: number }
  | { kind: 'exited'; exit: DashboardExit }
  | { kind: 'timeout' };

/** Ready = the port accepts a connection and the health URL answers with the dashboard's JSON. */
export async function waitUntilReady(
  deps: StartDeps,
  dashboard: LaunchedDashboard,
  target: { connectAddress: string; port: number; healthUrl: string; timeoutMs: number },
): Promise<ReadyResult> {
  let exit: DashboardExit | null = null;
  void dashboard.exited.then((value) => (exit = value));
  const started = deps.now();
  let delay = READY_FIRST_POLL_MS;
  let lastProgress = -1;
  for (;;) {
    if (exit !== null) return { kind: 'exited', exit };
    if (await deps.canConnect(target.connectAddress, target.port)) {
      const health = await deps.fetchHealthStatus(target.healthUrl);
      // An answer while our process is already gone came from someone else.
      if (exit !== null) return { kind: 'exited', exit };
      if (health !== null) return { kind: 'ready', health, elapsedMs: deps.now() - started };
    }
    const elapsed = deps.now() - started;
    if (elapsed >= target.timeoutMs) return { kind: 'timeout' };
    const second = Math.floor(elapsed / 1000);
    if (second !== lastProgress) {
      lastProgress = second;
      deps.progress(
        `Waiting for the dashboard at ${target.healthUrl}: ${second} s of ${Math.round(target.timeoutMs / 1000)} s`,
      );
    }
    const wait = new AbortController();
    await Promise.race([
      deps.sleep(Math.min(delay, target.timeoutMs - elapsed), wait.signal),
      dashboard.exited,
    ]);
    wait.abort();
    delay = Math.min(delay * 2, READY_MAX_POLL_MS);
  }
}

/** `/api/health` -> http://127.0.0.1:7777/api/health; a full URL gets `{host}` and `{port}` filled. */
export function resolveHealthUrl(template: string, host: BindHost, port: number): string {
  const address = connectAddressOf(host.address);
  if (template.startsWith('/')) return `http://${formatEndpoint(address, port)}${template}`;
  const hostText = address.includes(':') ? `[${address}]` : address;
  return template.replaceAll('{host}', hostText).replaceAll('{port}', String(port));
}

export function baseUrl(healthUrl: string): string {
  try {
    return new URL('/', healthUrl).toString();
  } catch {
    return healthUrl;
  }
}
