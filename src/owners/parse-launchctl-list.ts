/**
 * PID → label from `launchctl list`: a `PID<TAB>Status<TAB>Label` table whose PID is `-` for a
 * job that is not running (lunchy-go#7, OS X 10.11; the same on macOS 15 and 26). Only running
 * jobs are kept. The caller's own domain is listed (gui/<uid>; the system domain as root).
 */
export function parseLaunchctlList(text: string): Map<number, string> {
  const jobs = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^(\d+)\s+(-?\d+|-)\s+(\S.*?)\s*$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid > 0) jobs.set(pid, match[3] ?? '');
  }
  return jobs;
}
