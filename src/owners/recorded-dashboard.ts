import { sameProcessStart, type ProcessFacts } from './process-facts.ts';

/** A dashboard that a `tapo-port start` launched and recorded (the health feed in the state directory). */
export interface RecordedDashboard {
  pid: number;
  startTime: string | null;
  /** The health URL that start used (a custom `--health-url` included). */
  healthUrl: string;
  requestedPort: number;
}

/**
 * The record that names this process: the same PID and the same start time (a reused PID is not
 * the recorded dashboard). Recognises our dashboard without reading its command line, which may
 * be unreadable (another user's process on Windows) or a custom `start -- COMMAND`.
 */
export function findRecordedDashboard(
  facts: ProcessFacts,
  recorded: readonly RecordedDashboard[],
): RecordedDashboard | null {
  return (
    recorded.find(
      (entry) =>
        entry.pid === facts.pid &&
        entry.startTime !== null &&
        facts.startTime !== null &&
        sameProcessStart(entry.startTime, facts.startTime),
    ) ?? null
  );
}
