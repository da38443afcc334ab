// What the stop planner decides: targets (and how each is stopped), refusals (and why), for which options.

/**
 * How a target is stopped. `systemd-unit` is part of the contract for a later opt-in
 * (`--unit`); today a unit's main process is reported as supervised, never stopped by us.
 */
export type StopTargetKind = 'container' | 'signal' | 'windows-close' | 'windows-service' | 'systemd-unit';

/** What restarts a process when only the process is stopped, and how to stop that instead. */
export interface Supervisor {
  kind: 'systemd' | 'launchd' | 'pm2' | 'nodemon' | 'parent';
  /** The command that stops the supervised program for good (for the user's own shell). */
  command: string;
}

export interface StopTarget {
  kind: StopTargetKind;
  /** The process to signal or close; null for containers and services stopped through their manager. */
  pid: number | null;
  /** With the PID, the identity re-checked right before every signal (PIDs are reused). */
  startTime: string | null;
  /** Process, container or service name, display-escaped. */
  name: string | null;
  description: string;
  /** Why this is the right thing to stop (and not, e.g., a forwarder). */
  why: string;
  /** The target's parent, to recognise a parent that starts it again. */
  parentPid: number | null;
  parentName: string | null;
  containerId: string | null;
  containerName: string | null;
  serviceName: string | null;
  unit: string | null;
  /** Set when Docker starts the container again by itself (restart policy always / unless-stopped). */
  restartPolicyWarning: string | null;
  supervisor: Supervisor | null;
}

export type StopRefusalCode =
  | 'system-pid'
  | 'self'
  | 'ancestor'
  | 'critical'
  | 'critical-service'
  | 'ambiguous-service'
  | 'http-sys'
  | 'hidden'
  | 'unconfirmed'
  | 'needs-elevation'
  | 'supervised'
  | 'wsl'
  | 'forwarder';

export interface StopRefusal {
  owner: string;
  pid: number | null;
  reason: string;
  code: StopRefusalCode;
  /** What the user can run instead (elevated stop, supervisor stop, WSL lookup); null when nothing. */
  command: string | null;
  supervisor: Supervisor | null;
}

export interface StopPlan {
  targets: StopTarget[];
  refusals: StopRefusal[];
  /** Nobody holds the port (for the selected owner): nothing to do. */
  nothingToStop: boolean;
}

export interface StopPlanOptions {
  pid?: number;
  container?: string;
  /**
   * The targets a person confirmed (`stopTargetKey` of each, from a dry run they were shown): when
   * the plan holds any other target, nothing is stopped, so whatever took the port while the
   * question was on screen is never stopped without being asked about.
   */
  confirmed?: readonly string[];
  force: boolean;
  timeoutSeconds: number;
  selfPid: number;
  /** This process's parents (shell, npm, terminal...): never stopped. */
  ancestorPids: readonly number[];
  currentUid: number | null;
  platform: NodeJS.Platform;
  /** How this tool was started, for the elevated command; `tapo-port` when unknown. */
  selfCommand?: readonly string[];
  /**
   * Command lines of parents whose name hides what they run (`node`, `python`): nodemon, pm2 and
   * forever run as `node .../nodemon`. Filled by the caller; missing entries mean "not known".
   */
  parentCommandLines?: ReadonlyMap<number, string | null>;
}
