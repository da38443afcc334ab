// The wait after a stop: fkill's doubling waits until the port is free, then a short watch for a
// parent that starts the process again.
import type { CheckData } from '../check/run-check.ts';
import type { StopTarget } from './stop-plan-types.ts';
import type { StopDeps, StopOptions, StopRespawn } from './stop-types.ts';
import { mayRespawn, stillHolds, findRespawn } from './find-respawn.ts';

export type WaitResult =
  | { kind: 'released'; check: CheckData }
  | { kind: 'timeout'; check: CheckData; remaining: StopTarget[] }
  | { kind: 'respawn'; check: CheckData; respawn: StopRespawn };

/** fkill's doubling waits: 5 ms, 10 ms, ... up to about 1.3 s between checks. */
export const FIRST_POLL_MS = 5;

export const MAX_POLL_MS = 1280;

/** How long a released port is watched for a restart by a live parent (systemd's RestartSec is 100 ms). */
export const RESPAWN_WATCH_MS = 1000;

/** Doubling waits until none of `pending` holds the port, a parent restarts one, or time is up. */
export async function waitForRelease(
  deps: StopDeps,
  allTargets: readonly StopTarget[],
  pending: readonly StopTarget[],
  options: StopOptions,
  budgetMs: number,
  known: ReadonlySet<string>,
): Promise<WaitResult> {
  const started = deps.now();
  const deadline = started + budgetMs;
  let delay = FIRST_POLL_MS;
  let watchUntil: number | null = null;
  for (;;) {
    const until = watchUntil ?? deadline;
    await deps.sleep(Math.max(0, Math.min(delay, until - deps.now())));
    delay = Math.min(delay * 2, MAX_POLL_MS);
    const check = await deps.check(options.port, options.host);
    const respawn = findRespawn(allTargets, check, known);
    if (respawn) {
      deps.progress(
        `PID ${respawn.oldPid} exited, but its parent ${respawn.parentName ?? '?'} (PID ${respawn.parentPid}) started PID ${respawn.newPid} on the port again; stop the parent: ${respawn.command}`,
      );
      return { kind: 'respawn', check, respawn };
    }
    const remaining = pending.filter((t) => stillHolds(t, check));
    if (remaining.length === 0 && watchUntil === null) {
      // A supervisor restarts its child only after it has exited, so "released" is confirmed by
      // watching a little longer when a parent that might do that is still alive.
      if (await mayRespawn(deps, allTargets)) {
        watchUntil = deps.now() + RESPAWN_WATCH_MS;
        delay = FIRST_POLL_MS * 4;
        deps.progress(
          `Port ${options.port} was released; watching ${RESPAWN_WATCH_MS} ms for a restart by a parent`,
        );
        continue;
      }
    }
    if (remaining.length === 0 && watchUntil !== null && deps.now() < watchUntil) continue;
    if (remaining.length === 0) {
      deps.progress(
        check.status === 'free'
          ? `Port ${options.port} is free.`
          : `Stopped; port ${options.port} is ${check.status} (${check.summary})`,
      );
      return { kind: 'released', check };
    }
    const elapsed = deps.now() - started;
    if (deps.now() >= deadline) return { kind: 'timeout', check, remaining };
    deps.progress(
      `Waiting for port ${options.port} to be released (${(elapsed / 1000).toFixed(1)} s of ${(budgetMs / 1000).toFixed(0)} s)`,
    );
  }
}
