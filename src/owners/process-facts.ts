/** What is known about one process. Unknown facts are null, never guessed. */
export interface ProcessFacts {
  pid: number;
  name: string | null;
  /** Executable path; null when hidden (other user, not elevated) or gone. */
  path: string | null;
  commandLine: string | null;
  user: string | null;
  uid: number | null;
  /** ISO-8601 UTC. Together with the PID it identifies the process (PIDs are reused). */
  startTime: string | null;
  ppid: number | null;
  /** Parents from the direct parent upwards, nearest first, bounded. */
  parentChain: { pid: number; name: string | null }[];
  /** Linux: the container id found in /proc/<pid>/cgroup (a `--network host` container). */
  cgroupContainerId: string | null;
  /** Linux: the systemd unit from /proc/<pid>/cgroup, when it is a service. */
  systemdUnit: string | null;
  /** The unit runs under the user's own manager (`systemctl --user`), not the system's. */
  systemdUserUnit: boolean;
  /** macOS: the launchd job that started this very process (`launchctl list`, `launchctl print`). */
  launchdJob: LaunchdJob | null;
}

/** A launchd job (LaunchAgent or LaunchDaemon) whose running process is the one described. */
export interface LaunchdJob {
  label: string;
  /** The service target's domain: `gui/501`, `user/501` or `system`. */
  domain: string;
  /** launchd starts it again when it exits (`properties = keepalive` in `launchctl print`); null: not read. */
  keepAlive: boolean | null;
  /** The job's plist (`path =`), null when launchd did not say. */
  plist: string | null;
}

export function emptyProcessFacts(pid: number): ProcessFacts {
  return {
    pid,
    name: null,
    path: null,
    commandLine: null,
    user: null,
    uid: null,
    startTime: null,
    ppid: null,
    parentChain: [],
    cgroupContainerId: null,
    systemdUnit: null,
    systemdUserUnit: false,
    launchdJob: null,
  };
}

/** Clock steps move a start time derived from boot time + ticks (Linux btime) by a little. */
const START_TIME_TOLERANCE_MS = 2000;

/**
 * Whether two recorded start times name the same process start. Unknown (null) on either side
 * counts as the same: only a clear difference says the PID now belongs to another process.
 */
export function sameProcessStart(recorded: string | null, now: string | null): boolean {
  if (recorded === null || now === null) return true;
  const a = Date.parse(recorded);
  const b = Date.parse(now);
  if (Number.isNaN(a) || Number.isNaN(b)) return recorded === now;
  return Math.abs(a - b) <= START_TIME_TOLERANCE_MS;
}
