import type { Owner } from '../owners/owner.ts';
import type { CheckData } from '../check/run-check.ts';
import { planStop } from './plan-stop.ts';
import type { StopPlan, StopTarget } from './stop-plan-types.ts';
import type { StopDeps, StopOptions, StopOutcome, StopAction, StopRespawn, StopData } from './stop-types.ts';
import { ownerKeys } from './find-respawn.ts';
import { waitForRelease } from './wait-for-release.ts';

/** What a PID is right now: enough to tell the same process from a new one with its number. */

/** Owners changing under us this often means something keeps grabbing the port: give up. */
const MAX_REPLANS = 3;
/** After SIGKILL / TerminateProcess the kernel frees the socket at once; this only bounds a stuck exit. */
const FORCE_WAIT_MS = 5000;
/** Interpreters whose name hides the supervisor they run (`node .../nodemon.js`). */
const INTERPRETERS = /^(node|nodejs|python\d?(\.\d+)?|ruby|perl|bun|deno)(\.exe)?$/i;

/**
 * `check`, plan, and (unless dry run) stop: gently first, force only with `force` after the
 * timeout; the PID and start time are re-read right before every signal, and the port itself,
 * not the signal, decides whether it worked.
 */
export async function runStop(deps: StopDeps, options: StopOptions): Promise<StopData> {
  const actions: StopAction[] = [];
  try {
    return await planAndStop(deps, options, actions);
  } catch (error) {
    // A usage error before anything was done stays an error (exit 2).
    if (actions.length === 0) throw error;
    // Something failed after signals were sent: the answer still says what was done.
    const detail = error instanceof Error ? error.message : String(error);
    deps.progress(`Stopping was interrupted: ${detail}`);
    return finish({
      port: options.port,
      host: options.host.requested,
      dryRun: options.dryRun,
      plan: { targets: [], refusals: [], nothingToStop: false },
      actions,
      forced: actions.some(
        (a) => a.action === 'SIGKILL' || a.action === 'taskkill-force' || a.action === 'docker-kill',
      ),
      portFreeAfter: false,
      outcome: 'failed',
      respawn: null,
      replans: 0,
    });
  }
}

async function planAndStop(deps: StopDeps, options: StopOptions, actions: StopAction[]): Promise<StopData> {
  let replans = 0;
  let check = await deps.check(options.port, options.host);
  for (;;) {
    const plan = planStop(check, {
      ...options,
      platform: check.platform as NodeJS.Platform,
      parentCommandLines: await readParentCommandLines(deps, check.owners),
    });
    const base = { port: options.port, host: options.host.requested, plan, replans };
    if (plan.nothingToStop || plan.targets.length === 0 || options.dryRun) {
      const outcome: StopOutcome = plan.nothingToStop
        ? 'nothing-to-stop'
        : plan.targets.length === 0
          ? 'refused'
          : 'would-stop';
      return finish({
        ...base,
        dryRun: options.dryRun,
        actions,
        forced: false,
        portFreeAfter: check.status === 'free',
        outcome,
        respawn: null,
      });
    }
    const gentle = await actGently(deps, plan.targets, options, actions);
    if (gentle === 'changed') {
      if (replans >= MAX_REPLANS) {
        return finish({
          ...base,
          dryRun: false,
          actions,
          forced: false,
          portFreeAfter: false,
          outcome: 'failed',
          respawn: null,
        });
      }
      replans += 1;
      deps.progress(`The owners of port ${options.port} changed before they were stopped; checking again.`);
      check = await deps.check(options.port, options.host);
      continue;
    }
    return finish({
      ...base,
      ...(await waitAndEscalate(deps, plan, gentle.failed, options, actions, ownerKeys(check))),
    });
  }
}

/**
 * First, gentle step for every target. Stops early ('changed') when a PID turned out to be gone
 * or reused: the plan no longer describes the port, so it is made again rather than acted on.
 */
async function actGently(
  deps: StopDeps,
  targets: readonly StopTarget[],
  options: StopOptions,
  actions: StopAction[],
): Promise<{ failed: Set<StopTarget> } | 'changed'> {
  const failed = new Set<StopTarget>();
  let skipped = 0;
  for (const target of targets) {
    const record = recorder(deps, target, actions);
    switch (target.kind) {
      case 'signal':
      case 'windows-close': {
        const action = target.kind === 'signal' ? 'SIGTERM' : 'taskkill';
        const identity = await verifyIdentity(deps, target);
        if (identity !== 'same') {
          // Gone by itself, or its PID given to another process: nothing is sent to it, and the
          // wait (or a new plan, when nothing at all was acted on) decides what the port is now.
          record(
            action,
            identity === 'gone' ? 'gone' : 'pid-reused',
            identity === 'gone'
              ? 'it had already exited'
              : `PID ${target.pid} now has another start time: not ours, not signalled`,
          );
          skipped += 1;
          break;
        }
        deps.progress(
          `${action === 'SIGTERM' ? 'Sending SIGTERM to' : 'Asking to close'} ${target.description}`,
        );
        await attempt(
          record,
          action,
          () =>
            target.kind === 'signal'
              ? deps.sendSignal(requirePid(target), 'SIGTERM')
              : deps.windowsStop(requirePid(target), target.startTime ?? '', 'close').then(pidOutcome),
          failed,
          target,
        );
        break;
      }
      case 'container':
        deps.progress(`Sending its stop signal to ${target.description} through the Docker API`);
        await attempt(
          record,
          'docker-stop',
          () => deps.signalContainer(target.containerId ?? '', 'stop-signal').then(() => 'done' as const),
          failed,
          target,
        );
        break;
      case 'windows-service':
        deps.progress(`Stopping ${target.description} (Stop-Service)`);
        await attempt(
          record,
          'stop-service',
          () => deps.stopWindowsService(target.serviceName ?? '').then(() => 'done' as const),
          failed,
          target,
        );
        break;
      case 'systemd-unit':
        // Never planned today (supervised processes are reported); refuse to guess how to act.
        record('stop-service', 'failed', 'stopping systemd units is not supported; use the command shown');
        failed.add(target);
        break;
    }
  }
  // Every target turned out gone or reused: the plan no longer describes the port.
  return skipped === targets.length ? 'changed' : { failed };
}

/** A target that reaches a signal has a PID: planStop refuses owners without one. */
function requirePid(target: StopTarget): number {
  if (target.pid === null || !Number.isSafeInteger(target.pid) || target.pid <= 1) {
    throw new Error(`no PID to act on for ${target.description}`);
  }
  return target.pid;
}

function pidOutcome(result: 'sent' | 'gone' | 'reused'): 'sent' | 'gone' {
  if (result === 'reused')
    throw Object.assign(new Error('its PID now belongs to another process; nothing was done'), {
      code: 'PID_REUSED',
    });
  return result;
}

/** Waits for the port; with `force`, escalates after the timeout. Returns the result's tail. */
async function waitAndEscalate(
  deps: StopDeps,
  plan: StopPlan,
  failed: Set<StopTarget>,
  options: StopOptions,
  actions: StopAction[],
  known: ReadonlySet<string>,
): Promise<Pick<StopData, 'dryRun' | 'actions' | 'forced' | 'portFreeAfter' | 'outcome' | 'respawn'>> {
  const pending = plan.targets.filter((t) => !failed.has(t));
  const done = (
    outcome: StopOutcome,
    check: CheckData | null,
    forced: boolean,
    respawn: StopRespawn | null = null,
  ): Pick<StopData, 'dryRun' | 'actions' | 'forced' | 'portFreeAfter' | 'outcome' | 'respawn'> => {
    const free = check?.status === 'free';
    // Without --pid/--container the job is a free port: targets gone while another (refused or
    // unseen) owner still holds it is not success.
    const selected = options.pid !== undefined || options.container !== undefined;
    const incomplete = failed.size > 0 || (!selected && !free);
    return {
      dryRun: false,
      actions,
      forced,
      portFreeAfter: free,
      outcome:
        outcome === 'stopped' && incomplete
          ? plan.refusals.length > 0 && failed.size === 0
            ? 'refused'
            : 'failed'
          : outcome,
      respawn,
    };
  };

  let waited = await waitForRelease(
    deps,
    plan.targets,
    pending,
    options,
    options.timeoutSeconds * 1000,
    known,
  );
  if (waited.kind === 'respawn') return done('failed', waited.check, false, waited.respawn);
  if (waited.kind === 'released') return done('stopped', waited.check, false);
  if (!options.force) {
    deps.progress(
      `Still running after ${options.timeoutSeconds} s: ${waited.remaining.map((t) => t.description).join('; ')}. Run again with --force to end it at once.`,
    );
    return done('timed-out', waited.check, false);
  }

  let forced = false;
  for (const target of waited.remaining) {
    const record = recorder(deps, target, actions);
    if (target.kind === 'signal' || target.kind === 'windows-close') {
      const action = target.kind === 'signal' ? 'SIGKILL' : 'taskkill-force';
      // Re-read right before the kill: the timeout is long enough for the PID to change hands.
      const identity = await verifyIdentity(deps, target);
      if (identity !== 'same') {
        record(action, identity === 'gone' ? 'gone' : 'pid-reused', null);
        continue;
      }
      deps.progress(`Forcing ${target.description} (${action})`);
      const sent = await attempt(
        record,
        action,
        () =>
          target.kind === 'signal'
            ? deps.sendSignal(requirePid(target), 'SIGKILL')
            : deps.windowsStop(requirePid(target), target.startTime ?? '', 'kill').then(pidOutcome),
        failed,
        target,
      );
      forced ||= sent;
    } else if (target.kind === 'container') {
      deps.progress(`Forcing ${target.description} (docker kill)`);
      const sent = await attempt(
        record,
        'docker-kill',
        () => deps.signalContainer(target.containerId ?? '', 'kill').then(() => 'done' as const),
        failed,
        target,
      );
      forced ||= sent;
    } else {
      // A service that does not stop is not killed: its process may host others, and Windows
      // would restart it through its recovery actions anyway.
      record('stop-service', 'failed', 'the service did not stop within the timeout; it is not forced');
      failed.add(target);
    }
  }
  const stillPending = waited.remaining.filter((t) => !failed.has(t));
  waited = await waitForRelease(deps, plan.targets, stillPending, options, FORCE_WAIT_MS, known);
  if (waited.kind === 'respawn') return done('failed', waited.check, forced, waited.respawn);
  return done(waited.kind === 'released' ? 'stopped' : 'failed', waited.check, forced);
}

async function verifyIdentity(deps: StopDeps, target: StopTarget): Promise<'same' | 'gone' | 'reused'> {
  if (target.pid === null) return 'gone';
  const identity = await deps.readIdentity(target.pid);
  if (identity === null) return 'gone';
  // An unreadable start time cannot confirm the process: treated as another process.
  return identity.startTime !== null && identity.startTime === target.startTime ? 'same' : 'reused';
}

type Record_ = (action: StopAction['action'], outcome: StopAction['outcome'], detail: string | null) => void;

function recorder(deps: StopDeps, target: StopTarget, actions: StopAction[]): Record_ {
  return (action, outcome, detail) =>
    actions.push({
      target: {
        kind: target.kind,
        pid: target.pid,
        name: target.name,
        containerId: target.containerId,
        serviceName: target.serviceName,
      },
      action,
      at: new Date(deps.now()).toISOString(),
      outcome,
      detail,
    });
}

/** Runs one action and records it; true when it was carried out. */
async function attempt(
  record: Record_,
  action: StopAction['action'],
  run: () => Promise<'sent' | 'done' | 'gone'>,
  failed: Set<StopTarget>,
  target: StopTarget,
): Promise<boolean> {
  try {
    const outcome = await run();
    record(action, outcome, null);
    return outcome !== 'gone';
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : String(error);
    record(action, 'failed', typeof code === 'string' ? `${code}: ${message}` : message);
    failed.add(target);
    return false;
  }
}

/** Command lines of interpreter parents, so `node .../nodemon.js` is seen as nodemon. */
async function readParentCommandLines(
  deps: StopDeps,
  owners: readonly Owner[],
): Promise<Map<number, string | null>> {
  const pids = new Set<number>();
  for (const owner of owners) {
    for (const parent of owner.process?.parentChain ?? []) {
      if (parent.pid > 1 && parent.name !== null && INTERPRETERS.test(parent.name)) pids.add(parent.pid);
    }
  }
  const entries = await Promise.all(
    [...pids].map(async (pid) => [pid, (await deps.readIdentity(pid))?.commandLine ?? null] as const),
  );
  return new Map(entries);
}

function finish(data: Omit<StopData, 'summary'>): StopData {
  return { ...data, summary: summarizeStop(data) };
}

function summarizeStop(data: Omit<StopData, 'summary'>): string {
  const where = `port ${data.port} on ${data.host}`;
  const refused = data.plan.refusals.map((r) => r.reason).join(' ');
  switch (data.outcome) {
    case 'nothing-to-stop':
      return `Nothing holds ${where}; nothing was stopped.`;
    case 'refused':
      return `Not stopped: ${refused}`;
    case 'would-stop':
      return `Dry run: would stop ${data.plan.targets.map((t) => t.description).join('; ')}.${refused ? ` Refused: ${refused}` : ''}`;
    case 'stopped':
      return `Stopped ${data.plan.targets.map((t) => t.description).join('; ')}${data.forced ? ' (forced)' : ''}; ${where} is ${data.portFreeAfter ? 'free' : 'still not free'}.${refused ? ` Refused: ${refused}` : ''}`;
    case 'timed-out':
      return `Still running after the timeout; nothing was forced (use --force). ${where} is not free.`;
    case 'failed':
      if (data.respawn) {
        return `PID ${data.respawn.oldPid} was restarted as PID ${data.respawn.newPid} by its parent ${data.respawn.parentName ?? '?'} (PID ${data.respawn.parentPid}); stop the parent instead: ${data.respawn.command}`;
      }
      return `Could not stop every owner of ${where}${data.replans >= MAX_REPLANS ? ' (its owners kept changing)' : ''}; see actions.`;
  }
}
