// One status record for every test that needs one: the dashboard of a start on 7777, running
// (PID 4242, started 2026-11-25T10:02:00Z, launched by PID 4200); `fields` changes what a test needs.
import type { DashboardStatusRecord } from '../../src/status/status-record.ts';

export const RECORD_STARTED = '2026-11-25T10:02:00.000Z';

export function statusRecord(fields: Partial<DashboardStatusRecord> = {}): DashboardStatusRecord {
  return {
    schemaVersion: '1.0',
    requestedPort: 7777,
    host: '0.0.0.0',
    policy: 'reuse',
    port: 7777,
    state: 'running',
    conflict: null,
    dashboard: { pid: 4242, startTime: RECORD_STARTED, command: ['python', '-m', 'tapo_camera_mcp.web'] },
    url: 'http://127.0.0.1:7777/',
    healthUrl: 'http://127.0.0.1:7777/api/health',
    launcher: { pid: 4200, startTime: '2026-11-25T10:01:59.000Z' },
    startedAt: RECORD_STARTED,
    updatedAt: '2026-11-25T10:05:30.000Z',
    exitCode: null,
    message: null,
    logFile: null,
    ...fields,
  };
}
