import { TapoError } from '../contract/error-catalogue.ts';
import { isCriticalProcess, isCriticalWindowsService, isSystemPid } from '../owners/known-holders.ts';
import { emptyOwner, type Owner } from '../owners/owner.ts';
import type { ContainerFacts } from '../docker/container-facts.ts';
import { toDisplayName as shown } from '../text/display-safe.ts';
import { commandFor, shellCommandFor } from '../text/fix-command.ts';
import type { CheckData } from '../check/run-check.ts';
import type {
  StopTargetKind,
  StopTarget,
  StopRefusalCode,
  StopRefusal,
  StopPlan,
  StopPlanOptions,
} from './stop-plan-types.ts';
import { findSupervisor, supervisorLabel } from './find-supervisor.ts';

/** Turns the owners `check` found into what `stop` may act on, and what it must refuse. Pure. */
export function planStop(check: CheckData, options: StopPlanOptions): StopPlan {
  const owners = selectOwners(check, options);
  // "Nothing to stop" is said only of a free port: in use with no visible owner (an exclusive
  // socket, an unreadable table) is no reason to report success.
  const plan: StopPlan = {
    targets: [],
    refusals: [],
    // A --pid or --container that selects nobody has already thrown E_NOT_AN_OWNER.
    nothingToStop: owners.length === 0 && check.status === 'free',
  };
  if (owners.length === 0 && !plan.nothingToStop) {
    plan.refusals.push({
      owner: `port ${check.port}`,
      pid: null,
      reason: `${check.summary} No owner can be named, so nothing is stopped.`,
      code: 'unconfirmed',
      command: null,
      supervisor: null,
    });
  }
  for (const owner of owners) {
    const decision = planOwner(owner, check, options);
    if ('code' in decision) plan.refusals.push(decision);
    else plan.targets.push(...decision.targets);
  }
  return options.confirmed === undefined ? plan : keepConfirmed(plan, options.confirmed);
}

/** How a dry run's target is named back in `--confirmed`: the container, or the PID with its start time. */
export function stopTargetKey(target: Pick<StopTarget, 'pid' | 'startTime' | 'containerId'>): string {
  return target.containerId !== null
    ? `container:${target.containerId}`
    : `${target.pid}@${target.startTime ?? ''}`;
}

/** All targets, or none when one of them was not confirmed: no partial stop of a changed port. */
function keepConfirmed(plan: StopPlan, confirmed: readonly string[]): StopPlan {
  const asked = new Set(confirmed);
  const unconfirmed = plan.targets.filter((target) => !asked.has(stopTargetKey(target)));
  if (unconfirmed.length === 0) return plan;
  const newcomers = unconfirmed.map((target) => target.description).join('; ');
  const refusals = plan.targets.map((target): StopRefusal => ({
    owner: target.description,
    pid: target.pid,
    reason: unconfirmed.includes(target)
      ? 'It holds the port now but was not among the holders you confirmed; nothing is stopped without asking. Check the port again and confirm what it shows.'
      : `Not stopped: the port is now also held by ${newcomers}, which you did not confirm; nothing is stopped until you confirm again.`,
    code: 'unconfirmed',
    command: null,
    supervisor: null,
  }));
  return { targets: [], refusals: [...plan.refusals, ...refusals], nothingToStop: false };
}

function selectOwners(check: CheckData, options: StopPlanOptions): Owner[] {
  let owners = check.owners;
  if (options.pid !== undefined) {
    const pid = options.pid;
    // Hidden owners have no PID to match: a request for a PID never selects them.
    owners = owners.filter((o) => o.pid === pid || o.process?.pid === pid || o.forwarder?.pid === pid);
    // The PID-0/1/4 and self rules must answer a request for them even when they hold nothing:
    // a refusal says more than "not an owner".
    if (owners.length === 0 && isGuardedPid(pid, options))
      return [emptyOwner('process', pid, { description: `PID ${pid}` })];
    if (owners.length === 0) {
      throw new TapoError(
        'E_NOT_AN_OWNER',
        `PID ${pid} does not hold port ${check.port} on ${check.host}${ownerList(check)}`,
      );
    }
  }
  if (options.container !== undefined) {
    const wanted = options.container.replace(/^\//, '');
    owners = owners.filter((o) => {
      const c = o.container;
      if (!c) return false;
      // Container ids are hex, so only a hex text can be a prefix of one.
      return c.name === wanted || (wanted.length >= 4 && c.id.startsWith(wanted));
    });
    if (owners.length === 0) {
      throw new TapoError(
        'E_NOT_AN_OWNER',
        `container ${JSON.stringify(options.container)} does not publish port ${check.port} on ${check.host}${ownerList(check)}`,
      );
    }
    // Like docker itself: an id prefix that fits several containers names none of them.
    if (owners.length > 1) {
      throw new TapoError(
        'E_NOT_AN_OWNER',
        `container ${JSON.stringify(options.container)} fits ${owners.length} containers; give more of the id or the name`,
      );
    }
  }
  return owners;
}

function isGuardedPid(pid: number, options: StopPlanOptions): boolean {
  return isSystemPid(pid) || pid === options.selfPid || options.ancestorPids.includes(pid);
}

/** PIDs never acted on, whatever kind of owner they are: system PIDs, this process, its parents. */
function guardPid(
  pid: number,
  options: StopPlanOptions,
  refuse: (code: StopRefusalCode, reason: string, command?: string | null) => StopRefusal,
): StopRefusal | null {
  if (isSystemPid(pid)) {
    return refuse(
      'system-pid',
      `PID ${pid} is ${pid === 1 ? 'init (systemd), the root of every process' : 'a pseudo-process of the kernel'}; it is never stopped.`,
    );
  }
  if (pid === options.selfPid) return refuse('self', `PID ${pid} is tapo-port itself.`);
  if (options.ancestorPids.includes(pid)) {
    return refuse(
      'ancestor',
      `PID ${pid} started tapo-port (a parent of this process); stopping it would stop us too.`,
    );
  }
  return null;
}

function ownerList(check: CheckData): string {
  const who = check.owners.map((o) =>
    o.container ? `container ${shown(o.container.name)}` : o.pid !== null ? `PID ${o.pid}` : o.kind,
  );
  return who.length === 0 ? ' (nobody holds it)' : ` (held by ${who.join(', ')})`;
}

type Decision = { targets: StopTarget[] } | StopRefusal;

function planOwner(owner: Owner, check: CheckData, options: StopPlanOptions): Decision {
  const refuse = (code: StopRefusalCode, reason: string, command: string | null = null): StopRefusal => ({
    owner: owner.description,
    pid: owner.pid ?? owner.process?.pid ?? null,
    reason,
    code,
    command,
    supervisor: null,
  });
  // Asked for docker-proxy's PID: the container behind it is the owner, and the user is told so
  // rather than having a container stopped that they did not name.
  if (owner.kind === 'container' && options.pid !== undefined && owner.forwarder?.pid === options.pid) {
    const name = owner.container ? shown(owner.container.name) : null;
    return refuse(
      'forwarder',
      `PID ${options.pid} is ${owner.forwarder.product}, which only forwards the port${
        name ? ` for container ${name}; stop the container instead (--container ${name})` : ''
      }. Killing it would not free the port for long and breaks Docker.`,
    );
  }
  switch (owner.kind) {
    case 'container':
      return owner.container
        ? { targets: [containerTarget(owner, owner.container)] }
        : refuse(
            'unconfirmed',
            'Docker gave no facts about this container, so it cannot be stopped through Docker. Check the port again.',
          );
    case 'forwarder':
      return refuse(
        'forwarder',
        `${owner.forwarder?.product ?? 'A Docker forwarder'} holds the port but no container publishes it (a stale forwarder, or Docker did not answer); restart Docker rather than killing the forwarder.`,
        shellCommandFor(options.platform, ['docker', 'ps', '--filter', `publish=${check.port}`]),
      );
    case 'wsl':
      return refuse(
        'wsl',
        `The port is relayed from a Linux program inside WSL; stop that program inside WSL (never the relay ${shown(owner.forwarder?.name ?? 'wslrelay')}). Find it with the command shown.`,
        commandFor(['wsl', '-e', 'ss', '-ltnp', `sport = :${check.port}`]).powershell,
      );
    case 'http.sys':
      return refuse(
        'http-sys',
        'PID 4 is the Windows kernel (http.sys) serving URLs registered by other programs; stop the service that registered the URL, never PID 4.',
        'netsh http show servicestate view=requestq',
      );
    case 'hidden':
      return owner.hidden
        ? refuse(
            'hidden',
            `${owner.hidden.reason}; see it with the command shown (elevated) and stop it there.`,
            owner.hidden.revealCommand,
          )
        : refuse(
            'hidden',
            'the owning process cannot be read; look at the port with elevated rights and stop it there.',
          );
    case 'service': {
      // The same guards as for a process: a service hosting our own session (sshd) or PID 4.
      const guard = owner.pid === null ? null : guardPid(owner.pid, options, refuse);
      return guard ?? planService(owner, refuse);
    }
    case 'dashboard':
    case 'process':
      return planProcess(owner, check, options, refuse);
  }
}

function containerTarget(owner: Owner, c: ContainerFacts): StopTarget {
  const compose =
    c.composeProject !== null
      ? ` (compose project ${shown(c.composeProject)}, service ${shown(c.composeService ?? '?')})`
      : '';
  const forwarder = owner.forwarder
    ? ` ${owner.forwarder.product} (${shown(owner.forwarder.name ?? '?')}, PID ${owner.forwarder.pid ?? '?'}) only forwards the port and is left alone.`
    : '';
  const restarts = c.restartPolicy === 'always' || c.restartPolicy === 'unless-stopped';
  return {
    ...blankTarget('container'),
    name: shown(c.name),
    description: `Docker container ${shown(c.name)}${compose}`,
    why: `The container publishes the port; it is stopped through the Docker API, which ends its published ports.${forwarder}`,
    containerId: c.id,
    containerName: c.name,
    restartPolicyWarning: restarts
      ? `Its restart policy "${c.restartPolicy}" starts it again when Docker restarts; keep it stopped with: docker update --restart no ${shown(c.name)}`
      : null,
  };
}

function planService(
  owner: Owner,
  refuse: (code: StopRefusalCode, reason: string, command?: string | null) => StopRefusal,
): Decision {
  const services = owner.services ?? [];
  // Nothing to name (no service list was read): refused like any owner whose facts are missing.
  if (services.length === 0) {
    return refuse(
      'unconfirmed',
      `PID ${owner.pid ?? '?'} runs a Windows service that could not be named, so none is stopped. Check the port again.`,
    );
  }
  const stoppable = services.filter((s) => !isCriticalWindowsService(s));
  if (stoppable.length === 0) {
    return refuse(
      'critical-service',
      `${services.map(shown).join(', ')} ${services.length === 1 ? 'is a service' : 'are services'} Windows needs; use another port.`,
    );
  }
  // Services sharing one svchost: only one of them holds the port, and stopping them all would
  // take others down with it. The user names the one (Stop-Service) after looking.
  if (stoppable.length > 1 || stoppable.length < services.length) {
    return refuse(
      'ambiguous-service',
      `PID ${owner.pid ?? '?'} hosts several services (${services.map(shown).join(', ')}); only one holds the port, so none is stopped blindly. Stop the right one yourself.`,
      stoppable.map((s) => commandFor(['Stop-Service', '-Name', s]).powershell).join('; '),
    );
  }
  const [service] = stoppable as [string];
  return {
    targets: [
      {
        ...blankTarget('windows-service'),
        pid: owner.pid,
        startTime: owner.process?.startTime ?? null,
        name: shown(service),
        description: `Windows service ${shown(service)} (PID ${owner.pid ?? '?'})`,
        why: 'A service is stopped through the Service Control Manager: killing its process would make Windows restart it (recovery actions) or leave it marked as failed.',
        serviceName: service,
        parentPid: owner.process?.ppid ?? null,
        parentName: owner.process?.parentChain[0]?.name ?? null,
      },
    ],
  };
}

function planProcess(
  owner: Owner,
  check: CheckData,
  options: StopPlanOptions,
  refuse: (code: StopRefusalCode, reason: string, command?: string | null) => StopRefusal,
): Decision {
  const pid = owner.pid;
  if (pid === null) return refuse('unconfirmed', 'the socket table gives no PID for this owner');
  const guard = guardPid(pid, options, refuse);
  if (guard) return guard;
  const facts = owner.process;
  if (facts === null || facts.startTime === null) {
    // Without a start time the PID cannot be re-checked before the signal: it may have exited and
    // been given to another process meanwhile.
    return refuse(
      'unconfirmed',
      `PID ${pid} could not be read${facts === null ? '' : ' fully (no start time)'}; it may have exited and its number been reused. Run the command again.`,
    );
  }
  const name = shown(facts.name ?? 'unknown process');
  if (isCriticalProcess(options.platform, facts.name)) {
    return refuse('critical', `${name} (PID ${pid}) is part of the operating system; use another port.`);
  }
  const supervisor = findSupervisor(facts, options);
  if (supervisor) {
    return {
      ...refuse(
        'supervised',
        `${name} (PID ${pid}) is run by ${supervisorLabel(supervisor, facts)}, which would start it again; stop it there.`,
        supervisor.command,
      ),
      supervisor: { kind: supervisor.kind, command: supervisor.command },
    };
  }
  if (
    options.currentUid !== null &&
    options.currentUid !== 0 &&
    facts.uid !== null &&
    facts.uid !== options.currentUid
  ) {
    const self = options.selfCommand ?? ['tapo-port'];
    const argv = [
      'sudo',
      ...self,
      'stop',
      '--port',
      String(check.port),
      '--host',
      check.host,
      '--pid',
      String(pid),
    ];
    return refuse(
      'needs-elevation',
      `${name} (PID ${pid}) belongs to ${facts.user ? `user ${shown(facts.user)}` : `uid ${facts.uid}`}; only that user or root may stop it.`,
      shellCommandFor(options.platform, argv),
    );
  }
  const windows = options.platform === 'win32';
  return {
    targets: [
      {
        ...blankTarget(windows ? 'windows-close' : 'signal'),
        pid,
        startTime: facts.startTime,
        name,
        description: owner.description,
        why: windows
          ? 'It listens on the port itself; it is asked to close first (WM_CLOSE to its window, Ctrl+C to a console program) before anything forceful.'
          : 'It listens on the port itself; it gets SIGTERM first so it can shut down cleanly.',
        parentPid: facts.ppid,
        parentName: facts.parentChain[0]?.name ?? null,
      },
    ],
  };
}

/** A target of `kind` with every fact empty; each planner adds what it knows, with its description and why. */
function blankTarget(kind: StopTargetKind): Omit<StopTarget, 'description' | 'why'> {
  return {
    kind,
    pid: null,
    startTime: null,
    name: null,
    parentPid: null,
    parentName: null,
    containerId: null,
    containerName: null,
    serviceName: null,
    unit: null,
    restartPolicyWarning: null,
    supervisor: null,
  };
}
