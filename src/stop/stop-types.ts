// What stop needs (StopDeps), what it is asked (StopOptions) and what it answers (StopData).
import type { ProcessIdentity } from '../system/process-identity.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { CheckData } from '../check/run-check.ts';
import type { StopPlan, StopPlanOptions, StopTarget } from './stop-plan-types.ts';

/** Everything `stop` needs from the outside world; tests pass fakes, stop-deps.ts the real ones. */
export interface StopDeps {
  /** A fresh `check` of the port (never a cached one: it is asked again while waiting). */
  check(port: number, host: BindHost): Promise<CheckData>;
  /** Null when the PID does not exist. */
  readIdentity(pid: number): Promise<ProcessIdentity | null>;
  /** 'gone' when the process no longer exists (ESRCH); throws on anything else (EPERM). */
  sendSignal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<'sent' | 'gone'>;
  /**
   * `stop-signal`: the container's own stop signal (SIGTERM unless its image says otherwise),
   * nothing more: unlike `docker stop`, no SIGKILL follows by itself. `kill`: SIGKILL (--force).
   */
  signalContainer(id: string, mode: 'stop-signal' | 'kill'): Promise<void>;
  stopWindowsService(name: string): Promise<void>;
  /**
   * Windows, with a handle held from the identity check to the action: `close` asks (WM_CLOSE for
   * a window, Ctrl+C for a console program), `kill` ends that one process. 'reused': the PID now
   * belongs to another process, nothing was done.
   */
  windowsStop(pid: number, startTime: string, mode: 'close' | 'kill'): Promise<'sent' | 'gone' | 'reused'>;
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the epoch. */
  now(): number;
  progress(line: string): void;
}

export interface StopOptions extends Omit<StopPlanOptions, 'platform' | 'parentCommandLines'> {
  port: number;
  host: BindHost;
  dryRun: boolean;
}

export type StopOutcome = 'stopped' | 'nothing-to-stop' | 'refused' | 'failed' | 'timed-out' | 'would-stop';

export interface StopAction {
  target: {
    kind: StopTarget['kind'];
    pid: number | null;
    name: string | null;
    containerId: string | null;
    serviceName: string | null;
  };
  action:
    'SIGTERM' | 'SIGKILL' | 'docker-stop' | 'docker-kill' | 'stop-service' | 'taskkill' | 'taskkill-force';
  /** ISO-8601 UTC. */
  at: string;
  /** `pid-reused`: the PID now belongs to another process (start time changed), so nothing was sent. */
  outcome: 'sent' | 'done' | 'gone' | 'pid-reused' | 'failed';
  detail: string | null;
}

export interface StopRespawn {
  oldPid: number;
  newPid: number;
  parentPid: number;
  parentName: string | null;
  /** How to stop the parent that keeps restarting it. */
  command: string;
}

export interface StopData {
  port: number;
  host: string;
  dryRun: boolean;
  plan: StopPlan;
  actions: StopAction[];
  /** SIGKILL, TerminateProcess or docker kill was used (only ever with --force). */
  forced: boolean;
  portFreeAfter: boolean;
  outcome: StopOutcome;
  respawn: StopRespawn | null;
  /** How often the owners changed under us and the plan was made again. */
  replans: number;
  summary: string;
}
