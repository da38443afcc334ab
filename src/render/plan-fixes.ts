import type { DockerStatus } from '../docker/container-facts.ts';
import type { BindHost } from '../input/parse-host.ts';
import type { PortStatus } from '../commands/port-status.ts';
import { isSystemPid } from '../owners/known-holders.ts';
import type { Owner } from '../owners/owner.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';
import { commandFor, type ShellCommands } from './fix-command.ts';

/** One numbered fix: what to do, and the exact command for each shell (null where it does not apply). */
export interface Fix {
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
}

const none: ShellCommands = { powershell: null, cmd: null, posix: null };

export function planFixes(input: FixInput): Fix[] {
  if (input.status === 'free') return [];
  const fixes: Fix[] = [];
  // Our own healthy dashboard already serves the port: using it beats every other fix.
  for (const owner of input.owners) if (owner.kind === 'dashboard') fixes.push(openDashboardFix(owner));
  const nextPort = nextPortFix(input);
  if (nextPort) fixes.push(nextPort);
  if (input.status === 'reserved' && input.reservedRange) fixes.push(...reservedRangeFixes(input.port));
  if (input.status === 'forbidden') fixes.push(forbiddenFix(input));
  if (input.status === 'unknown') fixes.push(unknownFix(input));
  for (const owner of input.owners) fixes.push(...ownerFixes(owner, input));
  return fixes;
}

function nextPortFix(input: FixInput): Fix | null {
  if (input.nextFreePort === null) return null;
  const argv = [
    'python',
    '-m',
    'tapo_camera_mcp.web',
    '--host',
    input.host.requested,
    '--port',
    String(input.nextFreePort),
  ];
  return {
    title: `Start the dashboard on the next free port, ${input.nextFreePort}`,
    commands: commandFor(argv),
    elevated: false,
    note: null,
  };
}

function reservedRangeFixes(port: number): Fix[] {
  return [
    {
      title:
        'As administrator: restart WinNAT so Windows re-draws its reserved ranges, and reserve this port',
      commands: {
        powershell: `net stop winnat; netsh int ipv4 add excludedportrange protocol=tcp startport=${port} numberofports=1; net start winnat`,
        cmd: `net stop winnat && netsh int ipv4 add excludedportrange protocol=tcp startport=${port} numberofports=1 && net start winnat`,
        posix: null,
      },
      elevated: true,
      note: 'Stopping WinNAT briefly cuts network access of WSL, Docker Desktop and Hyper-V machines.',
    },
  ];
}

function forbiddenFix(input: FixInput): Fix {
  if (input.platform !== 'win32' && input.port < 1024) {
    return {
      title: `Ports below 1024 need privileges here; use a port from 1024 up or allow Python to bind it`,
      commands: {
        ...none,
        posix: 'sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v python3)")"',
      },
      elevated: true,
      note: null,
    };
  }
  return {
    title:
      'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
    commands:
      input.platform === 'win32'
        ? { powershell: 'netstat -abno', cmd: 'netstat -abno', posix: null }
        : { ...none, posix: `sudo lsof -nP -iTCP:${input.port}` },
    elevated: true,
    note: null,
  };
}

function unknownFix(input: FixInput): Fix {
  return {
    title: 'The socket table could not be read; run the check again with elevated rights',
    commands:
      input.platform === 'win32'
        ? {
            powershell: `tapo-port check --port ${input.port}`,
            cmd: `tapo-port check --port ${input.port}`,
            posix: null,
          }
        : { ...none, posix: `sudo tapo-port check --port ${input.port}` },
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
      return wslFixes(input.port);
    case 'http.sys':
      return owner.services && owner.services.length > 0 ? [serviceFix(owner), httpSysFix()] : [httpSysFix()];
    case 'service':
      return [serviceFix(owner)];
    case 'hidden':
      return [
        {
          title: 'See which process it is (needs elevated rights)',
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
      title: `Stop compose service ${container.composeService} of project ${container.composeProject}`,
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
  const comesBack = container.restartPolicy === 'always' || container.restartPolicy === 'unless-stopped';
  fixes.push({
    title: `Stop container ${container.name}`,
    commands: commandFor(['docker', 'stop', container.name]),
    elevated: false,
    note: comesBack
      ? `Its restart policy is "${container.restartPolicy}": it starts again with Docker unless you also run: docker update --restart=no ${container.name}`
      : null,
  });
  return fixes;
}

function staleForwarderFix(owner: Owner, input: FixInput): Fix {
  if (input.docker.state !== 'ok') {
    return {
      title: `${owner.forwarder?.product ?? 'Docker'} holds the port, but the Docker engine did not answer (${input.docker.state}); list the containers publishing it`,
      commands: commandFor(['docker', 'ps', '--filter', `publish=${input.port}`]),
      elevated: false,
      note: 'Do not kill the forwarder: stop the container instead.',
    };
  }
  const desktop = input.platform === 'win32' || input.platform === 'darwin';
  return {
    title: `No container publishes the port: ${owner.forwarder?.product ?? 'Docker'} kept a stale forwarder; restart Docker`,
    commands: desktop ? none : { ...none, posix: 'sudo systemctl restart docker' },
    elevated: !desktop,
    note: desktop ? 'Quit and reopen Docker Desktop from its tray menu.' : null,
  };
}

function wslFixes(port: number): Fix[] {
  return [
    {
      title: 'See which Linux program inside WSL holds the port',
      commands: { ...commandFor(['wsl', '-e', 'ss', '-ltnp', `sport = :${port}`]), posix: null },
      elevated: false,
      note: 'Stop that program inside WSL; do not kill wslrelay.exe.',
    },
    {
      title: 'Or shut WSL down entirely (stops every WSL distribution)',
      commands: { powershell: 'wsl --shutdown', cmd: 'wsl --shutdown', posix: null },
      elevated: false,
      note: null,
    },
  ];
}

function httpSysFix(): Fix {
  return {
    title: 'See which service registered the URL with http.sys (IIS, WinRM, SSRS, ...); stop that service',
    commands: {
      powershell: 'netsh http show servicestate view=requestq',
      cmd: 'netsh http show servicestate view=requestq',
      posix: null,
    },
    elevated: true,
    note: 'PID 4 is the Windows kernel: never kill it.',
  };
}

function serviceFix(owner: Owner): Fix {
  const services = owner.services ?? [];
  // One command per service: PowerShell's array syntax cannot come from an argument list.
  const each = services.map((service) => ({
    powershell: commandFor(['Stop-Service', '-Name', service]).powershell,
    cmd: commandFor(['net', 'stop', service]).cmd,
  }));
  const joined = (key: 'powershell' | 'cmd', separator: string): string | null =>
    each.length > 0 && each.every((c) => c[key] !== null) ? each.map((c) => c[key]).join(separator) : null;
  return {
    title: `Stop the Windows service ${services.join(', ')}`,
    commands: { powershell: joined('powershell', '; '), cmd: joined('cmd', ' && '), posix: null },
    elevated: true,
    note: null,
  };
}

function openDashboardFix(owner: Owner): Fix {
  const url = (owner.dashboard?.healthUrl ?? '').replace(/api\/health$/, '');
  const health = owner.dashboard?.healthStatus;
  return {
    title: `The dashboard is already running (health: ${health ?? 'not answering'}): open ${url}`,
    commands: none,
    elevated: false,
    note: null,
  };
}

function processFixes(owner: Owner, input: FixInput): Fix[] {
  const facts = owner.process;
  const pid = owner.pid;
  if (pid === null || isSystemPid(pid)) return [];
  const fixes: Fix[] = [];
  const otherUser =
    input.currentUid !== null &&
    facts?.uid !== null &&
    facts?.uid !== undefined &&
    facts.uid !== input.currentUid &&
    input.currentUid !== 0;
  if (facts?.systemdUnit) {
    fixes.push({
      title: `Stop systemd unit ${facts.systemdUnit} (it restarts the process if only the process is killed)`,
      commands: { ...none, posix: commandFor(['sudo', 'systemctl', 'stop', facts.systemdUnit]).posix },
      elevated: true,
      note: null,
    });
    return fixes;
  }
  fixes.push({
    title: `Stop ${facts?.name ?? 'the process'} (PID ${pid})`,
    commands: {
      powershell: input.platform === 'win32' ? `Stop-Process -Id ${pid}` : null,
      cmd: input.platform === 'win32' ? `taskkill /PID ${pid}` : null,
      posix: input.platform === 'win32' ? null : `${otherUser ? 'sudo ' : ''}kill ${pid}`,
    },
    elevated: otherUser,
    note: input.platform === 'win32' ? 'Stop-Process ends the process at once; save its work first.' : null,
  });
  return fixes;
}
