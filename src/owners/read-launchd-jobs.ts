import { isToolFailure, runTool, type Exec } from '../system/exec.ts';
import { parseLaunchctlList } from './parse-launchctl-list.ts';
import { parseLaunchctlPrint } from './parse-launchctl-print.ts';
import type { LaunchdJob } from './process-facts.ts';

const LAUNCHCTL = '/bin/launchctl';
const TIMEOUT_MS = 5_000;

/**
 * The launchd jobs whose running process is one of `pids` (children of launchd, PPID 1): matched
 * by PID in `launchctl list` (this user's domain; the system domain as root), then read with
 * `launchctl print <domain>/<label>`, which must name the same PID. A GUI login's agents live in
 * gui/<uid>, an SSH session's in user/<uid>: both are asked. Another user's daemon is not in
 * our list, so it is not named (nothing is guessed from XPC_SERVICE_NAME, which children inherit).
 */
export async function readLaunchdJobs(
  pids: readonly number[],
  uid: number | null,
  exec: Exec,
): Promise<Map<number, LaunchdJob>> {
  const jobs = new Map<number, LaunchdJob>();
  if (pids.length === 0 || uid === null) return jobs;
  const list = await runTool(exec, LAUNCHCTL, ['list'], { timeoutMs: TIMEOUT_MS });
  if (isToolFailure(list)) return jobs;
  const labels = parseLaunchctlList(list.stdout);
  const domains = uid === 0 ? ['system'] : [`gui/${uid}`, `user/${uid}`];
  await Promise.all(
    pids.map(async (pid) => {
      const label = labels.get(pid);
      if (label === undefined) return;
      for (const domain of domains) {
        const print = await runTool(exec, LAUNCHCTL, ['print', `${domain}/${label}`], {
          timeoutMs: TIMEOUT_MS,
        });
        if (isToolFailure(print)) continue;
        const job = parseLaunchctlPrint(print.stdout);
        // The label's process now is another one (it restarted): not this PID's job.
        if (job.pid !== pid) return;
        jobs.set(pid, { label, domain, keepAlive: job.keepAlive, plist: job.path });
        return;
      }
    }),
  );
  return jobs;
}
