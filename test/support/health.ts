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

/** The old shorthand: a status word, or null for no answer. */
export function healthOf(status: string | null): HealthReport {
  return status === null ? noAnswer() : answered(status);
}
