/** Process exit codes. Documented in `--help`, README.md and docs/json-contract.md. */
export const ExitCode = {
  /** The port is free for the dashboard (check) / the command did what was asked. */
  ok: 0,
  /** The port cannot be used as it is: in use, reserved, forbidden or shadowed. */
  portUnavailable: 1,
  /** Bad input: a port, host or flag that is not valid. */
  usage: 2,
  /** A tool the check needs is missing (for example no way to read the socket table). */
  dependencyMissing: 3,
  /** The check ran but could not decide (the socket table could not be read). Never reported as free. */
  unknown: 4,
  /** A bug or an environment failure the user did not cause. */
  unexpected: 5,
  /** find-port: no port in the range is free. */
  noFreePort: 6,
  /** stop: the owners were stopped and the port released (same value as ok). */
  stopped: 0,
  /** stop: nobody holds the port; nothing was done. */
  nothingToStop: 7,
  /** stop: every owner is one tapo-port must not stop (system, supervised, another user, ...). */
  refused: 8,
  /** stop: an owner could not be stopped, came back (respawned), or outlived the timeout. */
  stopFailed: 9,
  /** start: another tapo-port start owns the dashboard for this port (it is reported, nothing started). */
  alreadyRunning: 10,
  /** start: the dashboard did not become ready in time (it was stopped), or exited 0 before it was ready. */
  notReady: 11,
  /** status: no dashboard is running for the port. */
  notRunning: 12,
  /** status: the dashboard runs, but its health is `critical`, `error`, another word, slow or silent (`warning` is ok). */
  unhealthy: 13,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeTable: readonly { code: ExitCodeValue; meaning: string }[] = [
  { code: ExitCode.ok, meaning: 'free: the dashboard can use the port' },
  { code: ExitCode.portUnavailable, meaning: 'in use, reserved, forbidden or shadowed' },
  { code: ExitCode.usage, meaning: 'usage error (invalid port, host or flag)' },
  {
    code: ExitCode.dependencyMissing,
    meaning:
      "a required tool is missing (start: Python, the module, or the project's dependency check failed)",
  },
  { code: ExitCode.unknown, meaning: 'could not decide (socket table unreadable); never reported as free' },
  { code: ExitCode.unexpected, meaning: 'unexpected internal error' },
  { code: ExitCode.noFreePort, meaning: 'find-port: no free port in the range' },
  { code: ExitCode.nothingToStop, meaning: 'stop: nothing holds the port' },
  { code: ExitCode.refused, meaning: "stop: refused (system, supervised or another user's process, ...)" },
  { code: ExitCode.stopFailed, meaning: 'stop: failed, respawned or timed out' },
  { code: ExitCode.alreadyRunning, meaning: 'start: another tapo-port start owns this dashboard' },
  { code: ExitCode.notReady, meaning: 'start: the dashboard was not ready in time (it was stopped)' },
  { code: ExitCode.notRunning, meaning: 'status: no dashboard is running' },
  {
    code: ExitCode.unhealthy,
    meaning: 'status: running, but critical, error, slow or silent (warning is 0)',
  },
];
