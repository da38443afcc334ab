// Health answers for tests, shaped as fetchHealth reports them.
import type { HealthReport } from '../../src/health/health-report.ts';

export function answered(
  status: string,
  fields: Partial<Omit<HealthReport, 'answer' | 'status'>> = {},
): HealthReport {
  return {
    answer: 'answered',
    status,
    issues: [],
    cameras: null,
    httpStatus: 200,
    elapsedMs: 250,
    ...fields,
  };
}

export function slow(elapsedMs = 10_000): HealthReport {
  return { answer: 'slow', status: null, issues: [], cameras: null, httpStatus: null, elapsedMs };
}

export function noAnswer(): HealthReport {
  return { answer: 'no-answer', status: null, issues: [], cameras: null, httpStatus: null, elapsedMs: 1 };
}

export function notDashboard(httpStatus = 404): HealthReport {
  return { answer: 'not-dashboard', status: null, issues: [], cameras: null, httpStatus, elapsedMs: 5 };
}

/** Shorthand: a status word, null for no answer, or a whole report (taken as it is). */
export function healthOf(answer: string | null | HealthReport): HealthReport {
  if (answer === null) return noAnswer();
  return typeof answer === 'string' ? answered(answer) : answer;
}
