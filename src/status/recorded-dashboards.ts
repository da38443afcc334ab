import { readdir } from 'node:fs/promises';
import type { RecordedDashboard } from '../owners/recorded-dashboard.ts';
import { readStatusRecord } from './status-record-file.ts';
import type { DashboardStatusRecord } from './status-record.ts';

const RECORD_NAME = /^dashboard-(\d{1,5})\.json$/;
/** A state directory holds one record per requested port: a handful, never thousands. */
const MAX_RECORDS = 64;

/**
 * The dashboards the records in `stateDir` say a start launched and that may still run, for
 * `check` to recognise by PID and start time. A missing directory or an unusable record is
 * simply not a recorded dashboard.
 */
export async function readRecordedDashboards(stateDir: string): Promise<RecordedDashboard[]> {
  let names: string[];
  try {
    names = await readdir(stateDir);
  } catch {
    return [];
  }
  const ports = names
    .map((name) => RECORD_NAME.exec(name)?.[1])
    .filter((port): port is string => port !== undefined)
    .map(Number)
    .filter((port) => port >= 1 && port <= 65535)
    .slice(0, MAX_RECORDS);
  const reads = await Promise.all(ports.map((port) => readStatusRecord(stateDir, port).catch(() => null)));
  return reads.flatMap((read) => (read?.record ? toRecordedDashboard(read.record) : []));
}

export function toRecordedDashboard(record: DashboardStatusRecord): RecordedDashboard[] {
  const live = record.state === 'starting' || record.state === 'running';
  if (!live || record.dashboard === null || record.healthUrl === null) return [];
  return [
    {
      pid: record.dashboard.pid,
      startTime: record.dashboard.startTime,
      healthUrl: record.healthUrl,
      requestedPort: record.requestedPort,
    },
  ];
}
