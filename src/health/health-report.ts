// What a dashboard's `/api/health` said, and the pure reading of its answer. The shape and the
// status words come from the real dashboard: sandraschi/tapo-camera-mcp,
// src/tapo_camera_mcp/web/server.py, `get_health()` (main, 2026-01-14, commit 9fbb862).
import { toDisplayText } from '../text/display-safe.ts';

/**
 * One health request, as `check`, `start` and `status` report it (docs/json-contract.md):
 * - `answered`: the dashboard's JSON came back (any status, `error` included);
 * - `slow`: the port took the request, but no answer came within the budget (the real
 *   endpoint waits up to 3 s twice for the cameras): slow is not the same as silent;
 * - `no-answer`: the connection was refused, reset or unreachable;
 * - `not-dashboard`: something answered, but not with the dashboard's JSON (an HTML page, a 404,
 *   another program's health).
 */
export interface HealthReport {
  answer: 'answered' | 'slow' | 'no-answer' | 'not-dashboard';
  /** The dashboard's status word (`healthy`, `warning`, `critical`, `error`); null unless answered. */
  status: string | null;
  /** Its `issues` list (`no_cameras_online`, `high_cpu`, ...), display-safe; empty unless answered. */
  issues: string[];
  /** Its `cameras` counts when it gave them as numbers, else null. */
  cameras: { total: number; online: number } | null;
  /** The HTTP status of an answer; null when none came. */
  httpStatus: number | null;
  /** How long the answer took, or how long we waited for it. */
  elapsedMs: number;
}

/** The status words the real dashboard sends (`error`: its own handler failed). */
export const dashboardStatuses = ['healthy', 'warning', 'critical', 'error'] as const;

/** A status or issue word is believed only when it is a short plain word: no escape, no new line. */
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const MAX_ISSUES = 20;

/** The status word of an answer; null when there was none (slow, silent, not the dashboard's). */
export function statusWordOf(report: HealthReport | null): string | null {
  return report !== null && report.answer === 'answered' ? report.status : null;
}

export function healthNotAnswered(answer: 'slow' | 'no-answer', elapsedMs: number): HealthReport {
  return { answer, status: null, issues: [], cameras: null, httpStatus: null, elapsedMs };
}

/**
 * Reads an HTTP answer from a health URL. The dashboard's JSON is an object with a plain-word
 * `status` (the real one always sends HTTP 200, also with `"status": "error"`); anything else,
 * whatever its HTTP status, is `not-dashboard`.
 */
export function readHealthAnswer(httpStatus: number, body: string, elapsedMs: number): HealthReport {
  const notDashboard: HealthReport = {
    answer: 'not-dashboard',
    status: null,
    issues: [],
    cameras: null,
    httpStatus,
    elapsedMs,
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return notDashboard;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return notDashboard;
  const fields = parsed as Record<string, unknown>;
  const status = fields.status;
  // Whatever answers on the port decides this text: only a plain word is believed, so no escape
  // sequence or megabyte reaches a terminal, a log or a PowerShell table.
  if (typeof status !== 'string' || !PLAIN_WORD.test(status)) return notDashboard;
  return {
    answer: 'answered',
    status,
    issues: readIssues(fields.issues),
    cameras: readCameras(fields.cameras),
    httpStatus,
    elapsedMs,
  };
}

function readIssues(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const words = value.filter((item): item is string => typeof item === 'string');
  const shown = words
    .slice(0, MAX_ISSUES)
    .map((word) => (PLAIN_WORD.test(word) ? word : toDisplayText(word, { maxLength: 64 })));
  if (words.length > MAX_ISSUES) shown.push(`(${words.length - MAX_ISSUES} more)`);
  return shown;
}

function readCameras(value: unknown): HealthReport['cameras'] {
  if (value === null || typeof value !== 'object') return null;
  const { total, online } = value as Record<string, unknown>;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  return count(total) && count(online) ? { total, online } : null;
}
