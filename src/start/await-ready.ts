// Readiness: the dashboard's health URL from its template, and the wait until the port accepts
// connections and the URL answers with the dashboard's JSON.
import type { BindHost } from '../input/parse-host.ts';
import { connectAddressOf, formatEndpoint } from '../input/address-family.ts';
import type { LaunchedDashboard, DashboardExit, StartDeps } from './start-types.ts';
import type { HealthReport } from '../health/health-report.ts';
import { describeHealth, isReady } from '../health/health-meaning.ts';

/** A refused connect costs microseconds: poll often, so "ready" is seen within 100 ms of being true. */
const READY_FIRST_POLL_MS = 20;
const READY_MAX_POLL_MS = 100;
/** While a health request is out, the person sees a line each second that it is still waiting. */
const PROGRESS_EVERY_MS = 1000;

export type ReadyResult =
  | { kind: 'ready'; health: HealthReport; elapsedMs: number }
  | { kind: 'exited'; exit: DashboardExit }
  /** `lastHealth`: the last answer seen (null: the port never accepted a connection). */
  | { kind: 'timeout'; lastHealth: HealthReport | null };

/**
 * Ready = the port accepts a connection and the health URL answers with the dashboard's JSON,
 * whatever its status (`warning` with the cameras offline is a running dashboard). Each request
 * may take `healthBudgetMs` (the real endpoint needs up to about 7 s), never past the deadline;
 * a slow answer is waited for, with a progress line each second, not counted as "no answer".
 */
export async function waitUntilReady(
  deps: StartDeps,
  dashboard: LaunchedDashboard,
  target: {
    connectAddress: string;
    port: number;
    healthUrl: string;
    healthBudgetMs: number;
    timeoutMs: number;
  },
): Promise<ReadyResult> {
  let exit: DashboardExit | null = null;
  void dashboard.exited.then((value) => (exit = value));
  const started = deps.now();
  const elapsed = (): number => deps.now() - started;
  let delay = READY_FIRST_POLL_MS;
  let lastProgress = -1;
  let lastHealth: HealthReport | null = null;
  const showProgress = (waitingFor: string): void => {
    const second = Math.floor(elapsed() / 1000);
    if (second === lastProgress) return;
    lastProgress = second;
    deps.progress(
      `Waiting for the dashboard at ${target.healthUrl}: ${second} s of ${Math.round(target.timeoutMs / 1000)} s (${waitingFor})`,
    );
  };
  for (;;) {
    if (exit !== null) return { kind: 'exited', exit };
    if (await deps.canConnect(target.connectAddress, target.port)) {
      const budget = Math.max(1, Math.min(target.healthBudgetMs, target.timeoutMs - elapsed()));
      const stopTicking = deps.every(PROGRESS_EVERY_MS, () =>
        showProgress('the port is open; its health has not answered yet'),
      );
      let health: HealthReport;
      try {
        health = await deps.fetchHealth(target.healthUrl, budget);
      } finally {
        stopTicking();
      }
      lastHealth = health;
      // An answer while our process is already gone came from someone else.
      if (exit !== null) return { kind: 'exited', exit };
      if (isReady(health)) return { kind: 'ready', health, elapsedMs: elapsed() };
    }
    if (elapsed() >= target.timeoutMs) return { kind: 'timeout', lastHealth };
    showProgress(
      lastHealth === null
        ? 'the port does not accept connections yet'
        : `health: ${describeHealth(lastHealth)}`,
    );
    const wait = new AbortController();
    await Promise.race([
      deps.sleep(Math.min(delay, target.timeoutMs - elapsed()), wait.signal),
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
