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
  };
}
