import type { DockerStatus } from './container-facts.ts';

/** The states a query of a resolved endpoint can end in (not-installed/not-checked are decided earlier). */
export type DockerQueryState = Extract<
  DockerStatus['state'],
  'ok' | 'not-running' | 'unresponsive' | 'error'
>;

export interface DockerQueryStatus {
  state: DockerQueryState;
  message: string | null;
}

export interface DockerFailure {
  error: unknown;
  endpoint: string;
  /** Our own overall deadline fired: the engine accepted (or never refused) and did not answer. */
  deadlineHit: boolean;
  elapsedMs: number;
  timeoutMs: number;
}

/**
 * Maps a failed query to a state by error code and HTTP status, never by message text.
 * Docker not running is normal on a developer machine, so it is a state, not an error.
 */
export function classifyDockerFailure(failure: DockerFailure): DockerQueryStatus {
  const { endpoint, timeoutMs } = failure;
  const code = errorCode(failure.error);
  const unresponsive = {
    state: 'unresponsive',
    message: `The Docker engine at ${endpoint} did not answer within ${timeoutMs} ms; it may be starting, paused or hung.`,
  } as const;

  if (failure.deadlineHit) return unresponsive;
  // dockerode's per-request timeout destroys the request, which surfaces as ECONNRESET ("socket
  // hang up"); it is armed with the same budget, so it can win the race against our own timer.
  if (code === 'ECONNRESET' && failure.elapsedMs >= timeoutMs) return unresponsive;
  if (code === 'ETIMEDOUT' || code === 'ABORT_ERR') return unresponsive;

  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    return { state: 'not-running', message: `No Docker engine is listening at ${endpoint}.` };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      state: 'error',
      message: `Permission denied on ${endpoint}; run as root or as a member of the docker group to see containers.`,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { state: 'not-running', message: `The Docker host in ${endpoint} cannot be reached (${code}).` };
  }
  const status = httpStatus(failure.error);
  if (status !== null) {
    return {
      state: 'error',
      message: `The Docker engine at ${endpoint} answered HTTP ${status}: ${messageOf(failure.error)}`,
    };
  }
  return {
    state: 'error',
    message: `Asking the Docker engine at ${endpoint} failed${code ? ` (${code})` : ''}: ${messageOf(failure.error)}`,
  };
}

function errorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}

function httpStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : null;
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
