import { connect } from 'node:net';
import type { StopDeps } from '../stop/stop-types.ts';
import type { StatusDeps } from './run-status.ts';
import { fetchHealth } from '../health/fetch-health.ts';
import { decidingHealthBudgetMs } from '../health/health-meaning.ts';
import { readStatusRecord } from './status-record-file.ts';
import { livenessReader } from '../system/process-liveness.ts';
import { createStopDeps } from '../stop/stop-deps.ts';

const CONNECT_TIMEOUT_MS = 1000;

/** The real StatusDeps: the record file, the process table, a TCP connect and the health URL. */
export function createStatusDeps(
  stateDir: string,
  readIdentity: StopDeps['readIdentity'] = createStopDeps().readIdentity,
  healthBudgetMs: number = decidingHealthBudgetMs,
): StatusDeps {
  return {
    readRecord: (port) => readStatusRecord(stateDir, port),
    readIdentity: livenessReader(readIdentity),
    canConnect,
    fetchHealth: (url) => fetchHealth(url, healthBudgetMs),
  };
}

/** A TCP connection to address:port is accepted within a second. */
export function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
