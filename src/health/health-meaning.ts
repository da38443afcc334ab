// What a health answer means for each verb, and how it reads: one place, so `check`, `start`,
// `status` and the PowerShell module (which shows the core's text) never disagree.
import { toDisplayText } from '../text/display-safe.ts';
import type { HealthReport } from './health-report.ts';

/**
 * Per request. `check` only names the holder, so it keeps its own speed; `start` (reuse,
 * readiness) and `status` decide on the answer, so they wait as long as the real endpoint can
 * take: 0.2 s of CPU samples, 1 s for PostgreSQL, 3 s twice for the cameras.
 */
export const checkHealthBudgetMs = 1_000;
export const decidingHealthBudgetMs = 10_000;

/**
 * `start --on-conflict reuse`: our dashboard runs and answers. `healthy`, `warning` (cameras
 * offline, a full disk) and `critical` (CPU, memory or disk above the dashboard's critical line)
 * are all a running dashboard; only `error` (its health handler failed), no answer (slow or
 * silent) and an answer that is not the dashboard's JSON are not.
 */
export function isReusable(report: HealthReport): boolean {
  return report.answer === 'answered' && report.status !== 'error';
}

/**
 * `status` exits 0 only for `healthy` and `warning`: a `warning` says the dashboard serves and
 * something around it (cameras, disk, CPU) needs a look, which is not a failed run of a
 * scheduled task. `critical`, `error`, a status word the dashboard does not define, and no
 * answer exit 13 (docs/start.md).
 */
export function isWell(report: HealthReport): boolean {
  return report.answer === 'answered' && (report.status === 'healthy' || report.status === 'warning');
}

/** Ready (start): the dashboard's JSON came back, whatever its status. */
export function isReady(report: HealthReport): boolean {
  return report.answer === 'answered';
}

/**
 * "warning (no_cameras_online; 0 of 2 cameras online)", "slow: no answer within 1 s",
 * "not answering", "not the dashboard's answer (HTTP 404)". Display-safe.
 */
export function describeHealth(report: HealthReport): string {
  switch (report.answer) {
    case 'answered': {
      // The issues were checked when read; a planner's input is escaped again all the same.
      const shown = report.issues
        .slice(0, ISSUES_SHOWN)
        .map((issue) => toDisplayText(issue, { maxLength: 64 }));
      if (report.issues.length > ISSUES_SHOWN) shown.push(`${report.issues.length - ISSUES_SHOWN} more`);
      const details = shown;
      const cameras = report.cameras;
      // Only a shortfall is news: "2 of 2 cameras online" would be noise on every healthy line.
      if (cameras !== null && cameras.online < cameras.total)
        details.push(`${cameras.online} of ${cameras.total} cameras online`);
      const status = toDisplayText(report.status ?? '?', { maxLength: 64 });
      return details.length === 0 ? status : `${status} (${details.join('; ')})`;
    }
    case 'slow':
      return `slow: no answer within ${formatSeconds(report.elapsedMs)}`;
    case 'no-answer':
      return 'not answering';
    case 'not-dashboard':
      return report.httpStatus === null || report.httpStatus === 0
        ? "not the dashboard's answer"
        : `not the dashboard's answer (HTTP ${report.httpStatus})`;
  }
}

/** A sentence names a few issues; the JSON has them all. */
const ISSUES_SHOWN = 5;

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
