import { describeJobKeeperExit, parseJobKeeperLine, type JobKeeperCommand } from './windows-job-keeper.ts';

/** The running keeper (windows-job-keeper.ts), as the control sees it; tests pass a fake. */
export interface JobKeeperProcess {
  /** Each line it prints on stdout. */
  onLine(listener: (line: string) => void): void;
  /** Once, when it has exited (or could not be started: code null). */
  onExit(listener: (code: number | null) => void): void;
  send(command: JobKeeperCommand): void;
  /** Closes its stdin: it ends what is left in the job and exits. */
  end(): void;
}

export interface JobControlOptions {
  keeper: JobKeeperProcess;
  /** Today's way, when the keeper does not hold the tree: TerminateProcess of the dashboard alone. */
  killDashboardOnly(): void;
  /** The one line that says the tree is not held (and why). */
  warn(line: string): void;
  /** Arms the bound on the keeper's start; the returned function disarms it. */
  startTimer(ms: number, fire: () => void): () => void;
}

/** Windows PowerShell's cold start and the C# compile: seconds on a slow disk, never this long. */
export const JOB_KEEPER_READY_TIMEOUT_MS = 20_000;

export interface JobControl {
  terminate(mode: 'ask' | 'kill'): void;
  /** The dashboard exited: what is left of its tree goes, and the keeper is released. */
  dashboardExited(): void;
}

/**
 * How `terminate` works on Windows while a keeper holds the tree: `ask` becomes `close`
 * (WM_CLOSE to windows), `kill` becomes `kill` (the whole job at once). Until the keeper says
 * `ready`, commands wait in its stdin; if it fails or does not answer in time, `start` goes on as
 * before (TerminateProcess of the dashboard) after one warning line, and a command that waited
 * is carried out that way. The keeper never holds `start` up: every wait here is bounded.
 */
export function createJobControl(options: JobControlOptions): JobControl {
  const { keeper } = options;
  let state: 'starting' | 'ready' | 'failed' | 'ended' = 'starting';
  let pending: 'ask' | 'kill' | null = null;
  let dashboardGone = false;

  const fail = (reason: string): void => {
    if (state !== 'starting' && state !== 'ready') return;
    const wasReady = state === 'ready';
    state = 'failed';
    disarm();
    if (!dashboardGone) {
      options.warn(
        wasReady
          ? `The Windows job helper stopped (${reason}); the dashboard's child processes are no longer held, only the dashboard itself can be ended.`
          : `The Windows job helper is not holding the dashboard's process tree (${reason}); ending start ends the dashboard process only, and its child processes may keep the port.`,
      );
    }
    keeper.end();
    if (pending !== null && !dashboardGone) options.killDashboardOnly();
    pending = null;
  };
  const disarm = options.startTimer(JOB_KEEPER_READY_TIMEOUT_MS, () =>
    fail(`no answer within ${JOB_KEEPER_READY_TIMEOUT_MS / 1000} s`),
  );

  keeper.onLine((line) => {
    const parsed = parseJobKeeperLine(line);
    if (parsed?.kind === 'ready' && state === 'starting') {
      state = 'ready';
      disarm();
      pending = null;
    }
  });
  keeper.onExit((code) => {
    if (state === 'ended') return;
    fail(describeJobKeeperExit(code));
  });

  return {
    terminate: (mode) => {
      if (dashboardGone) return;
      if (state === 'failed' || state === 'ended') {
        options.killDashboardOnly();
        return;
      }
      keeper.send(mode === 'ask' ? 'close' : 'kill');
      if (state === 'starting' && pending !== 'kill') pending = mode;
    },
    dashboardExited: () => {
      if (dashboardGone) return;
      dashboardGone = true;
      pending = null;
      if (state === 'starting' || state === 'ready') {
        // Nothing graceful is left to do for it; its children must not keep the port.
        keeper.send('kill');
        keeper.end();
        state = 'ended';
        disarm();
      }
    },
  };
}
