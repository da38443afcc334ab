import type { ProcessIdentity } from './process-identity.ts';

/**
 * An identity reader for "is that process still there?" (the lock, `status`): null only when the
 * PID certainly does not exist. A reader that cannot tell (a CIM query that failed or timed out on
 * Windows) gives an unknown start time instead, which counts as alive: taking a running start's
 * lock, or calling its dashboard gone, is worse than waiting.
 */
export function livenessReader(
  readIdentity: (pid: number) => Promise<ProcessIdentity | null>,
): (pid: number) => Promise<ProcessIdentity | null> {
  return async (pid) => {
    if (!exists(pid)) return null;
    try {
      return (await readIdentity(pid)) ?? { startTime: null };
    } catch {
      return { startTime: null };
    }
  };
}

/** kill(pid, 0): no signal is sent; ESRCH means there is no such process, EPERM that there is one. */
function exists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
