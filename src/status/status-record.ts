import type { PortStatus } from '../check/port-status.ts';
import type { OwnerKind } from '../owners/owner.ts';

export type StartPolicy = 'reuse' | 'fail' | 'next' | 'stop';

export type DashboardState = 'starting' | 'running' | 'exited' | 'not-ready' | 'reused' | 'not-started';

export interface ConflictOwner {
  kind: OwnerKind;
  pid: number | null;
  /** Process name or container name, display-safe. */
  name: string | null;
  container: string | null;
}

export interface ConflictRecord {
  status: PortStatus;
  summary: string;
  owners: ConflictOwner[];
  resolution: 'next' | 'stopped' | 'reused' | 'failed';
}

/** The health feed: what the last `tapo-port start` for a requested port did (docs/start.md). */
export interface DashboardStatusRecord {
  schemaVersion: '1.0';
  requestedPort: number;
  host: string;
  policy: StartPolicy;
  /** The port the dashboard was started on; null when nothing was started. */
  port: number | null;
  state: DashboardState;
  conflict: ConflictRecord | null;
  dashboard: { pid: number; startTime: string | null; command: string[] } | null;
  url: string | null;
  healthUrl: string | null;
  launcher: { pid: number; startTime: string | null };
  startedAt: string;
  updatedAt: string;
  exitCode: number | null;
  message: string | null;
  logFile: string | null;
}
