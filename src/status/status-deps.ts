import { connect } from 'node:net';
import { homedir } from 'node:os';
import type { StopDeps } from '../stop/stop-types.ts';
import type { StatusDeps } from './run-status.ts';
import { fetchHealth } from '../health/fetch-health.ts';
import { decidingHealthBudgetMs } from '../health/health-meaning.ts';
import { asTapoError, resolveStateDir } from './state-dir.ts';
import { readStatusRecord } from './status-record-file.ts';
import { livenessReader } from '../system/process-liveness.ts';
import { createStopDeps } from '../stop/stop-deps.ts';

const CONNECT_TIMEOUT_MS = 1000;

/** This user's state directory (TAPO_STATE_DIR or the platform's place), as a usage error when unusable. */
export function stateDirOfThisUser(): string {
  try {
    return resolveStateDir({ platform: process.platform, env: process.env, homeDir: homedir() });
  } catch (error) {
    throw asTapoError(error);
  }
}

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
