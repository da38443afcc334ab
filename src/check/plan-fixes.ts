// Over 400 lines on purpose: one planner, one small function per kind of holder (process,
// container, stale forwarder, WSL, http.sys, service, dashboard, reserved range, forbidden, unknown),
// kept together so the order and the wording of every fix can be read and compared in one place.
import type { HealthReport } from '../health/health-report.ts';
import { describeHealth } from '../health/health-meaning.ts';
import type { DockerStatus } from '../docker/container-facts.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { PortStatus } from './port-status.ts';
import { isCriticalProcess, isCriticalWindowsService, isSystemPid } from '../owners/known-holders.ts';
import type { DashboardFacts, Owner } from '../owners/owner.ts';
import { launchdStopArgv } from '../owners/launchd-commands.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';
import { toDisplayName as shown } from '../text/display-safe.ts';
import { commandFor, type ShellCommands } from '../text/fix-command.ts';

/** One numbered fix: what to do, and the exact command for each shell (null where it does not apply). */
export interface Fix {
  /** Safe to print as it is: names in it are display-escaped. */
  title: string;
  commands: ShellCommands;
  /** The command needs an elevated PowerShell/cmd or sudo. */
  elevated: boolean;
  note: string | null;
}

export interface FixInput {
  platform: NodeJS.Platform;
  status: PortStatus;
  host: BindHost;
  port: number;
  owners: readonly Owner[];
  reservedRange: ReservedRange | null;
  nextFreePort: number | null;
  docker: DockerStatus;
  /** The uid running the check (POSIX), to tell when `sudo` is needed. */
  currentUid: number | null;
  /** How this tool was started (e.g. node and the bundle's path), for "run it again" fixes. */
  selfCommand?: readonly string[];
}

const none: ShellCommands = { powershell: null, cmd: null, posix: null };

export function planFixes(input: FixInput): Fix[] {
  if (input.status === 'free') return [];
  const fixes: Fix[] = [];
  // Our own dashboard already serving the port beats every other fix. Only an owner recognised
  // as our dashboard carries dashboard facts (each sub-object belongs to one kind).
  for (const owner of input.owners) {
    if (owner.dashboard && servesPages(owner.dashboard.health)) fixes.push(openDashboardFix(owner.dashboard));
  }
  const nextPort = nextPortFix(input);
  if (nextPort) fixes.push(nextPort);
  if (input.status === 'reserved' && input.reservedRange)
    fixes.push(reservedRangeFix(input.reservedRange, input.port));
  if (input.status === 'forbidden') fixes.push(forbiddenFix(input));
  if (input.status === 'unknown') fixes.push(unknownFix(input));
  for (const owner of input.owners) fixes.push(...ownerFixes(owner, input));
  return fixes;
}

function nextPortFix(input: FixInput): Fix | null {
  if (input.nextFreePort === null) return null;
  // The literal address (`[::1]` as typed would not bind in Python), but `localhost` as typed.
  const bindHost = input.host.requested.toLowerCase() === 'localhost' ? 'localhost' : input.host.address;
  const argv = ['python', '-m', 'tapo_camera_mcp.web', '--host', bindHost];
  return {
    title: `Start the dashboard on the next free port, ${input.nextFreePort}`,
    commands: commandFor([...argv, '--port', String(input.nextFreePort)]),
    elevated: false,
    note: null,
  };
}

function reservedRangeFix(range: ReservedRange, port: number): Fix {
  const ip = `ipv${range.family}`;
  if (range.administered) {
    // An administrator's exclusion survives WinNAT restarts; only deleting it frees the range.
    const remove = `netsh int ${ip} delete excludedportrange protocol=tcp startport=${range.start} numberofports=${range.end - range.start + 1}`;
    return {
      title: `As administrator: remove the excluded range ${range.start}-${range.end} that an administrator added`,
      commands: { powershell: remove, cmd: remove, posix: null },
      elevated: true,
      note: 'Only if nothing on this machine relies on that exclusion.',
    };
  }
  return {
    title: `As administrator: keep port ${port} for good: stop WinNAT (which releases the ranges it drew), exclude the port from them, start WinNAT`,
    commands: excludePortCommands(port, range.family, true),
    elevated: true,
    note: `Stopping WinNAT briefly cuts network access of WSL, Docker Desktop and Hyper-V machines. The TapoDashboard module does the same with -WhatIf and -Confirm: Add-TapoPortExclusion -Port ${port}`,
  };
}

/**
 * The administrator's commands that exclude `port` from the ranges Hyper-V/WinNAT reserve, kept
 * across reboots (`store=persistent`). With `restartWinNat`, WinNAT is stopped first (a range it
 * holds is released only then) and started again even when netsh fails: `;` in PowerShell and a
 * single `&` in cmd run the next command whatever the previous one did.
 */
export function excludePortCommands(port: number, family: 4 | 6, restartWinNat: boolean): ShellCommands {
  const add = `netsh int ipv${family} add excludedportrange protocol=tcp startport=${port} numberofports=1 store=persistent`;
  if (!restartWinNat) return { powershell: add, cmd: add, posix: null };
  return {
    powershell: `net stop winnat; ${add}; net start winnat`,
    cmd: `net stop winnat & ${add} & net start winnat`,
    posix: null,
  };
}

function forbiddenFix(input: FixInput): Fix {
  if (input.platform === 'linux' && input.port < 1024) {
    return {
      title: 'Ports below 1024 need privileges here; use a port from 1024 up or allow Python to bind it',
      commands: {
        ...none,
        posix:
          'sudo setcap cap_net_bind_service=+ep "$(python3 -c \'import os, sys; print(os.path.realpath(sys.executable))\')"',
      },
      elevated: true,
      note: 'This lets every script run by that Python interpreter bind low ports.',
    };
  }
  return {
    title:
      input.port < 1024 && input.platform !== 'win32'
        ? 'Ports below 1024 need privileges here; use a port from 1024 up'
        : 'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
    commands:
      input.platform === 'win32'
        ? { powershell: 'netstat -abno', cmd: 'netstat -abno', posix: null }
        : { ...none, posix: commandFor(['sudo', 'lsof', '-nP', `-iTCP:${input.port}`]).posix },
    elevated: true,
    note: null,
  };
}

function unknownFix(input: FixInput): Fix {
  const self = input.selfCommand ?? ['tapo-port'];
  const again = commandFor([...self, 'check', '--port', String(input.port), '--host', input.host.requested]);
  return {
    title: 'The socket table could not be read; run the check again with elevated rights',
    commands:
      input.platform === 'win32'
        ? { ...again, posix: null }
        : {
            ...none,
            posix: commandFor([
              'sudo',
              ...self,
              'check',
              '--port',
              String(input.port),
              '--host',
              input.host.requested,
            ]).posix,
          },
    elevated: true,
    note: null,
  };
}

function ownerFixes(owner: Owner, input: FixInput): Fix[] {
  switch (owner.kind) {
    case 'container':
      return containerFixes(owner);
    case 'forwarder':
      return [staleForwarderFix(owner, input)];
    case 'wsl':
      return wslFixes(owner, input.port);
    case 'http.sys':
      return [...serviceFixes(owner, input.port), httpSysFix()];
    case 'service':
      return serviceFixes(owner, input.port);
    case 'hidden':
      return [
        {
          title: 'See which process it is',
          commands:
            input.platform === 'win32'
              ? { powershell: owner.hidden?.revealCommand ?? null, cmd: null, posix: null }
              : { ...none, posix: owner.hidden?.revealCommand ?? null },
          elevated: true,
          note: null,
        },
      ];
    case 'dashboard':
    case 'process':
      return processFixes(owner, input);
  }
}

function containerFixes(owner: Owner): Fix[] {
  const container = owner.container;
  if (!container) return [];
  const fixes: Fix[] = [];
  if (container.composeProject !== null && container.composeService !== null) {
    fixes.push({
      title: `Stop compose service ${shown(container.composeService)} of project ${shown(container.composeProject)}`,
      commands: commandFor([
        'docker',
        'compose',
        '-p',
        container.composeProject,
        'stop',
        container.composeService,
      ]),
      elevated: false,
      note: null,
    });
  }
  fixes.push({
    title: `Stop container ${shown(container.name)}`,
    commands: commandFor(['docker', 'stop', container.name]),
    elevated: false,
    note: null,
  });
  if (container.restartPolicy === 'always' || container.restartPolicy === 'unless-stopped') {
    fixes.push({
      title: `Keep it stopped: its restart policy "${container.restartPolicy}" starts it again with Docker`,
      commands: commandFor(['docker', 'update', '--restart', 'no', container.name]),
      elevated: false,
      note: null,
    });
  }
  return fixes;
}

function staleForwarderFix(owner: Owner, input: FixInput): Fix {
  const product = owner.forwarder?.product ?? 'Docker';
  // `stale` is only ever set from the engine's answer: an engine that did not answer vouches for nothing.
  if (input.docker.state !== 'ok') {
    return {
      title: `${product} holds the port, but the Docker engine did not answer (${input.docker.state}); list the containers publishing it`,
      commands: commandFor(['docker', 'ps', '--filter', `publish=${input.port}`]),
      elevated: false,
      note: 'Do not kill the forwarder: stop the container instead.',
    };
  }
  // Only the engine that was asked can vouch that no container publishes the port; a forwarder
  // of another product (Podman, Lima, OrbStack, rootless Docker) is restarted by its own tool.
  if (owner.forwarder?.stale !== true) {
    return {
      title: `${product} holds the port, but the Docker engine asked has no container publishing it; restart ${product} or stop its container`,
      commands: none,
      elevated: false,
      note: 'Do not kill the forwarder.',
    };
  }
  if (product === 'Docker Desktop' || product.startsWith('Docker Desktop ')) {
    // `docker desktop restart`: the Docker Desktop CLI, 4.37 and later (docs.docker.com).
    const restart = 'docker desktop restart';
    return {
      title: 'No container publishes the port: Docker Desktop kept a stale forwarder; restart Docker Desktop',
      commands: { powershell: restart, cmd: restart, posix: input.platform === 'darwin' ? restart : null },
      elevated: false,
      note: 'Docker Desktop before 4.37 has no such command: quit it from its tray menu and start it again. Do not kill the forwarder alone.',
    };
  }
  const desktop = input.platform === 'win32' || input.platform === 'darwin';
  return {
    title: `No container publishes the port: ${product} kept a stale forwarder; restart Docker`,
    commands: desktop ? none : { ...none, posix: 'sudo systemctl restart docker' },
    elevated: !desktop,
    note: desktop
      ? 'Quit and reopen Docker from its tray menu.'
      : 'Restarting the engine stops every container unless live-restore is enabled.',
  };
}

function wslFixes(owner: Owner, port: number): Fix[] {
  const relay = shown(owner.forwarder?.name ?? 'the WSL relay');
  const shutdown: ShellCommands = { powershell: 'wsl --shutdown', cmd: 'wsl --shutdown', posix: null };
  if (owner.forwarder?.stale === true) {
    return [
      {
        title: `Nothing inside WSL uses the port any more: end the leftover relay with wsl --shutdown (stops every WSL distribution)`,
        commands: shutdown,
        elevated: false,
        note: `If ${relay} still holds the port after that (older WSL builds, microsoft/WSL#9334), nothing is behind it any more: end it in Task Manager, or restart Windows.`,
      },
    ];
  }
  const distribution = owner.forwarder?.wslDistribution ?? null;
  const inside = distribution === null ? ['wsl'] : ['wsl', '--distribution', distribution];
  return [
    {
      title: 'See which Linux program inside WSL holds the port',
      commands: { ...commandFor([...inside, '--exec', 'ss', '-ltnp', `sport = :${port}`]), posix: null },
      elevated: false,
      note: `Stop that program inside WSL; do not kill ${relay}.`,
    },
    {
      title: 'Or shut WSL down entirely (stops every WSL distribution)',
      commands: shutdown,
      elevated: false,
      note: null,
    },
  ];
}

function httpSysFix(): Fix {
  return {
    title: 'See which service registered the URL with http.sys (IIS, WinRM, SSRS, ...)',
    commands: {
      powershell: 'netsh http show servicestate view=requestq',
      cmd: 'netsh http show servicestate view=requestq',
      posix: null,
    },
    elevated: true,
    note: 'PID 4 is the Windows kernel: never kill it.',
  };
}

function serviceFixes(owner: Owner, port: number): Fix[] {
  const services = owner.services ?? [];
  if (services.length === 0) return [];
  const fixes: Fix[] = [];
  // IP Helper holds the ports of `netsh interface portproxy` rules: the rule is the owner.
  if (services.some((service) => service.toLowerCase() === 'iphlpsvc')) {
    fixes.push({
      title:
        'A port proxy rule (netsh interface portproxy) may listen here; list the rules and delete the one for this port',
      commands: {
        powershell: 'netsh interface portproxy show all',
        cmd: 'netsh interface portproxy show all',
        posix: null,
      },
      elevated: false,
      note: `Delete it with: netsh interface portproxy delete v4tov4 listenport=${port} listenaddress=<address shown>`,
    });
  }
  const stoppable = services.filter((service) => !isCriticalWindowsService(service));
  if (stoppable.length === 0) {
    fixes.push({
      title: `${services.map(shown).join(', ')} ${services.length === 1 ? 'is a service' : 'are services'} Windows needs; do not stop ${services.length === 1 ? 'it' : 'them'}. Use another port.`,
      commands: none,
      elevated: false,
      note: null,
    });
    return fixes;
  }
  // Several services share one svchost: only one of them holds the port, so each is offered on
  // its own, never "stop them all". Behind http.sys the services are those of the processes that
  // registered URLs, not of PID 4 (the kernel), so no PID is named for them.
  const shared = services.length > 1;
  const among =
    owner.kind === 'http.sys'
      ? `one of ${services.length} services that registered URLs with http.sys`
      : `it shares PID ${owner.pid ?? '?'} with ${services.length - 1} other${services.length > 2 ? 's' : ''}`;
  for (const service of stoppable) {
    fixes.push({
      title: shared
        ? `If the port belongs to service ${shown(service)} (${among}), stop it`
        : `Stop the Windows service ${shown(service)}`,
      commands: {
        powershell: commandFor(['Stop-Service', '-Name', service]).powershell,
        cmd: commandFor(['net', 'stop', service]).cmd,
        posix: null,
      },
      elevated: true,
      note: null,
    });
  }
  return fixes;
}

/** It answered (any status), or it is only slow: either way it runs and serves its pages. */
function servesPages(health: HealthReport): boolean {
  return health.answer === 'answered' || health.answer === 'slow';
}

function openDashboardFix(dashboard: DashboardFacts): Fix {
  let url = dashboard.healthUrl;
  try {
    url = new URL('/', dashboard.healthUrl).toString();
  } catch {
    // not a URL: shown as it is
  }
  return {
    title: `Open ${shown(url)}: the dashboard already runs there, health: ${describeHealth(dashboard.health)}`,
    commands: none,
    elevated: false,
    note: null,
  };
}

function processFixes(owner: Owner, input: FixInput): Fix[] {
  const facts = owner.process;
  const pid = owner.pid;
  if (pid === null || isSystemPid(pid)) return [];
  if (facts === null) {
    // The table named the PID but the process could not be read: it may have exited, and its
    // PID may already belong to someone else. Never offer to kill an unconfirmed PID.
    return [
      {
        title: `PID ${pid} could not be read (it may have exited); run the check again`,
        commands: none,
        elevated: false,
        note: null,
      },
    ];
  }
  const name = shown(facts.name ?? 'the process');
  if (isCriticalProcess(input.platform, facts.name)) {
    return [
      {
        title: `${name} (PID ${pid}) is part of the operating system; do not stop it. Use another port.`,
        commands: none,
        elevated: false,
        note: null,
      },
    ];
  }
  // A unit's main process is started by systemd itself; a process some service spawned (a cron
  // job, a CI runner's build) is not that service, and stopping the service would stop more.
  if (facts.systemdUnit && facts.parentChain[0]?.name === 'systemd') {
    const user = facts.systemdUserUnit;
    return [
      {
        title: `Stop systemd ${user ? 'user ' : ''}unit ${shown(facts.systemdUnit)} (it restarts the process if only the process is killed)`,
        commands: {
          ...none,
          posix: commandFor(
            user
              ? ['systemctl', '--user', 'stop', facts.systemdUnit]
              : ['sudo', 'systemctl', 'stop', facts.systemdUnit],
          ).posix,
        },
        elevated: !user,
        note: null,
      },
    ];
  }
  // A launchd job with KeepAlive comes back when only its process ends (like a systemd unit).
  const job = facts.launchdJob;
  if (job !== null && job.keepAlive !== false && facts.ppid === 1) {
    const stop = launchdStopArgv(job, input.currentUid);
    const loadedAgain = `It is loaded again at the next ${job.domain === 'system' ? 'boot' : 'login'}`;
    // A label no shell can carry safely gets no command, and the note then offers none either.
    const disable = commandFor(stop.disable).posix;
    return [
      {
        title: `Stop launchd job ${shown(job.label)}${job.keepAlive ? ' (KeepAlive: launchd starts the process again if only the process is killed)' : ''}`,
        commands: { ...none, posix: commandFor(stop.bootout).posix },
        elevated: stop.bootout[0] === 'sudo',
        note: disable === null ? `${loadedAgain}.` : `${loadedAgain}; to keep it off: ${disable}`,
      },
    ];
  }
  if (input.platform === 'win32') {
    const elevated = facts.user?.toUpperCase().startsWith('NT AUTHORITY\\') === true;
    // taskkill without /F asks the program to close (as its window's close button does);
    // Stop-Process would end it at once, losing unsaved work.
    return [
      {
        title: `Stop ${name} (PID ${pid})`,
        commands: { powershell: `taskkill /PID ${pid}`, cmd: `taskkill /PID ${pid}`, posix: null },
        elevated,
        note: 'Console programs ignore this request; if it is still running, add /F to end it at once.',
      },
    ];
  }
  const otherUser =
    input.currentUid !== null &&
    input.currentUid !== 0 &&
    facts.uid !== null &&
    facts.uid !== input.currentUid;
  return [
    {
      title: `Stop ${name} (PID ${pid})`,
      commands: { ...none, posix: `${otherUser ? 'sudo ' : ''}kill ${pid}` },
      elevated: otherUser,
      note: null,
    },
  ];
}
