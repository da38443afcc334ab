// A stopped process that comes back: whose parent may start it again, and the newcomer that
// took the port from the same parent (a respawn, reported with the parent, never fought in a loop).
import type { CheckData } from '../check/run-check.ts';
import type { StopTarget } from './stop-plan-types.ts';
import type { StopDeps, StopRespawn } from './stop-types.ts';

/** `pid@startTime` of every owner in a check: who was there when the plan was made. */
export function ownerKeys(check: CheckData): Set<string> {
  return new Set(check.owners.flatMap((o) => (o.process ? [`${o.process.pid}@${o.process.startTime}`] : [])));
}

/** Parents that never restart a child that exits: shells, terminals, session managers. */
export const NON_SUPERVISING_PARENTS =
  /^(-?(ba|z|da|k|c|tc|fi)?sh|fish|tmux.*|screen|sshd|login|sudo|su|explorer|cmd|powershell|pwsh|windowsterminal|conhost|code|init|systemd)(\.exe)?$/i;

/** Whether a stopped target's parent is still there and could start it again. */
export async function mayRespawn(deps: StopDeps, targets: readonly StopTarget[]): Promise<boolean> {
  for (const target of targets) {
    if (target.kind !== 'signal' && target.kind !== 'windows-close') continue;
    if (target.parentPid === null || target.parentPid <= 1) continue;
    if (target.parentName !== null && NON_SUPERVISING_PARENTS.test(target.parentName)) continue;
    if ((await deps.readIdentity(target.parentPid)) !== null) return true;
  }
  return false;
}

/** The target still holds the port (a PID listed without facts counts: it may be ours). */
export function stillHolds(target: StopTarget, check: CheckData): boolean {
  if (target.kind === 'container') return check.owners.some((o) => o.container?.id === target.containerId);
  return check.owners.some((o) => {
    const pid = o.pid ?? o.process?.pid ?? null;
    if (pid !== target.pid) return false;
    const startTime = o.process?.startTime ?? null;
    return startTime === null || startTime === target.startTime;
  });
}

/**
 * A parent that restarts its child: the old PID no longer holds the port and a new process with
 * the same parent does. Reported once, never fought (that loop has no end).
 */
export function findRespawn(
  targets: readonly StopTarget[],
  check: CheckData,
  known: ReadonlySet<string>,
): StopRespawn | null {
  // Only a process that was not there when the plan was made is a restart: a sibling worker that
  // held the port all along (and was not selected, or was refused) is not.
  const ours = new Set([...known, ...targets.map((t) => `${t.pid}@${t.startTime}`)]);
  for (const target of targets) {
    if (target.pid === null || target.parentPid === null || target.parentPid <= 1) continue;
    if (target.kind !== 'signal' && target.kind !== 'windows-close') continue;
    if (stillHolds(target, check)) continue;
    const newcomer = check.owners.find(
      (o) =>
        o.process !== null &&
        o.process.ppid === target.parentPid &&
        !ours.has(`${o.process.pid}@${o.process.startTime}`),
    );
    if (newcomer?.process) {
      const parent = target.parentPid;
      return {
        oldPid: target.pid,
        newPid: newcomer.process.pid,
        parentPid: parent,
        parentName: target.parentName,
        command: target.kind === 'windows-close' ? `taskkill /PID ${parent} /T` : `kill ${parent}`,
      };
    }
  }
  return null;
}
