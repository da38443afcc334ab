import { answered, noAnswer, notDashboard, slow } from '../../support/health.ts';
import type { HealthReport } from '../../../src/health/health-report.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PortStatus } from '../../../src/check/port-status.ts';
import type { DockerStatus } from '../../../src/docker/container-facts.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import type { WslRelayFacts } from '../../../src/owners/wsl-relay-facts.ts';
import { excludePortCommands, planFixes, type Fix, type FixInput } from '../../../src/check/plan-fixes.ts';
import type { ReservedRange } from '../../../src/sockets/reserved-range.ts';
import {
  container,
  dockerOk,
  facts,
  host,
  listener,
  owners,
  UNSAFE_FOR_TERMINAL,
} from '../../support/check-fakes.ts';

const plan = (fields: Partial<FixInput> & { status: PortStatus }): Fix[] =>
  planFixes({
    platform: 'linux',
    host: host('0.0.0.0'),
    port: 7777,
    owners: [],
    reservedRange: null,
    nextFreePort: null,
    docker: dockerOk,
    currentUid: 1000,
    ...fields,
  });

const allCommands = (fixes: Fix[]): string[] =>
  fixes
    .flatMap((fix) => [fix.commands.powershell, fix.commands.cmd, fix.commands.posix])
    .filter((command): command is string => command !== null);

const KILL = /\b(kill|Stop-Process|taskkill)\b/i;

const dockerUnresponsive: DockerStatus = {
  state: 'unresponsive',
  endpoint: 'npipe:////./pipe/dockerDesktopLinuxEngine',
  endpointSource: 'context desktop-linux',
  message: 'The Docker engine at npipe:////./pipe/dockerDesktopLinuxEngine did not answer within 2000 ms',
};

const processOwner = (
  pid: number,
  fields: Parameters<typeof facts>[1] = {},
  platform: NodeJS.Platform = 'linux',
): Owner[] =>
  owners({
    platform,
    listeners: [listener({ address: '0.0.0.0', family: 4, pid })],
    processes: new Map([[pid, facts(pid, { name: 'python3', ...fields })]]),
  });

describe('planFixes: the next free port and the status', () => {
  it('a free port needs no fix, even with an owner or a next port given', () => {
    assert.deepEqual(plan({ status: 'free', nextFreePort: 7779, owners: processOwner(4242) }), []);
  });

  const nextPort: [string, number, Fix['commands']][] = [
    [
      '0.0.0.0',
      7779,
      {
        powershell: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
        cmd: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
        posix: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
      },
    ],
    [
      'localhost',
      8081,
      {
        powershell: 'python -m tapo_camera_mcp.web --host localhost --port 8081',
        cmd: 'python -m tapo_camera_mcp.web --host localhost --port 8081',
        posix: 'python -m tapo_camera_mcp.web --host localhost --port 8081',
      },
    ],
    [
      '::1',
      7779,
      {
        powershell: "python -m tapo_camera_mcp.web --host '::1' --port 7779",
        cmd: 'python -m tapo_camera_mcp.web --host ::1 --port 7779',
        posix: 'python -m tapo_camera_mcp.web --host ::1 --port 7779',
      },
    ],
  ];
  for (const [hostText, port, commands] of nextPort) {
    it(`offers the next free port first: --host ${hostText} --port ${port}`, () => {
      const fixes = plan({
        status: 'in-use',
        host: host(hostText),
        nextFreePort: port,
        owners: processOwner(4242),
      });
      assert.deepEqual(fixes[0], {
        title: `Start the dashboard on the next free port, ${port}`,
        commands,
        elevated: false,
        note: null,
      });
    });
  }

  it('no next-port fix when none was found', () => {
    assert.deepEqual(
      plan({ status: 'unknown', nextFreePort: null }).map((f) => f.title),
      ['The socket table could not be read; run the check again with elevated rights'],
    );
  });

  // `store=persistent` keeps the exclusion across reboots; WinNAT is started again even when netsh
  // fails (`;` in PowerShell, a single `&` in cmd: `&&` would leave WinNAT stopped).
  for (const family of [4, 6] as const) {
    it(`reserved by a Hyper-V/WinNAT range (IPv${family}): stop WinNAT, exclude the port for good, start WinNAT, as administrator`, () => {
      const range: ReservedRange = { start: 2480, end: 2579, family, administered: false };
      const fixes = plan({
        platform: 'win32',
        status: 'reserved',
        port: 2500,
        reservedRange: range,
        currentUid: null,
      });
      const add = `netsh int ipv${family} add excludedportrange protocol=tcp startport=2500 numberofports=1 store=persistent`;
      assert.deepEqual(fixes, [
        {
          title:
            'As administrator: keep port 2500 for good: stop WinNAT (which releases the ranges it drew), exclude the port from them, start WinNAT',
          commands: {
            powershell: `net stop winnat; ${add}; net start winnat`,
            cmd: `net stop winnat & ${add} & net start winnat`,
            posix: null,
          },
          elevated: true,
          note: 'Stopping WinNAT briefly cuts network access of WSL, Docker Desktop and Hyper-V machines. The TapoDashboard module does the same with -WhatIf and -Confirm: Add-TapoPortExclusion -Port 2500',
        },
      ]);
    });
  }

  it('the exclusion alone, without WinNAT, for a port that is only in the dynamic range', () => {
    assert.deepEqual(excludePortCommands(7777, 4, false), {
      powershell:
        'netsh int ipv4 add excludedportrange protocol=tcp startport=7777 numberofports=1 store=persistent',
      cmd: 'netsh int ipv4 add excludedportrange protocol=tcp startport=7777 numberofports=1 store=persistent',
      posix: null,
    });
  });

  // An administered (`*`) range was added with `netsh ... add excludedportrange` and stays across
  // WinNAT restarts; adding another exclusion over it fails ("The process cannot access the file
  // because it is being used by another process"). The remedy is to delete that range.
  it('reserved by an administered range: does not offer to add another exclusion over it', () => {
    const range: ReservedRange = { start: 50000, end: 50059, family: 4, administered: true };
    const fixes = plan({
      platform: 'win32',
      status: 'reserved',
      port: 50010,
      reservedRange: range,
      currentUid: null,
    });
    for (const command of allCommands(fixes)) assert.doesNotMatch(command, /add excludedportrange/);
  });

  const forbidden: [NodeJS.Platform, number, Fix][] = [
    [
      'linux',
      80,
      {
        title: 'Ports below 1024 need privileges here; use a port from 1024 up or allow Python to bind it',
        commands: {
          powershell: null,
          cmd: null,
          // The interpreter itself, not a pyenv shim script (setcap on a script does nothing).
          posix:
            'sudo setcap cap_net_bind_service=+ep "$(python3 -c \'import os, sys; print(os.path.realpath(sys.executable))\')"',
        },
        elevated: true,
        note: 'This lets every script run by that Python interpreter bind low ports.',
      },
    ],
    [
      'linux',
      7777,
      {
        title:
          'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
        commands: { powershell: null, cmd: null, posix: 'sudo lsof -nP -iTCP:7777' },
        elevated: true,
        note: null,
      },
    ],
    [
      'win32',
      80,
      {
        title:
          'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
        commands: { powershell: 'netstat -abno', cmd: 'netstat -abno', posix: null },
        elevated: true,
        note: null,
      },
    ],
  ];
  for (const [platform, port, fix] of forbidden) {
    it(`forbidden on ${platform}, port ${port}`, () => {
      assert.deepEqual(plan({ platform, status: 'forbidden', port }), [fix]);
    });
  }

  // setcap and readlink -f are Linux tools; macOS has neither (and lets anyone bind below 1024
  // since 10.14, so a refusal there is not about privileged ports).
  it('forbidden on macOS below 1024 does not suggest the Linux-only setcap', () => {
    for (const command of allCommands(plan({ platform: 'darwin', status: 'forbidden', port: 80 })))
      assert.doesNotMatch(command, /setcap/);
  });

  it('unknown: run the check again elevated (sudo on POSIX, an administrator shell on Windows)', () => {
    const [fix] = plan({ status: 'unknown' });
    assert.equal(fix?.title, 'The socket table could not be read; run the check again with elevated rights');
    assert.equal(fix?.elevated, true);
    assert.equal(fix?.note, null);
    assert.equal(fix?.commands.powershell, null);
    assert.equal(fix?.commands.cmd, null);
    assert.match(fix?.commands.posix ?? '', /^sudo tapo-port check --port 7777\b/);
    const windows = plan({ platform: 'win32', status: 'unknown', currentUid: null })[0]?.commands;
    assert.match(windows?.powershell ?? '', /^tapo-port check --port 7777\b/);
    assert.match(windows?.cmd ?? '', /^tapo-port check --port 7777\b/);
    assert.equal(windows?.posix, null);
  });

  // Run again without --host, the check would look at 0.0.0.0, not at the address asked about.
  it('unknown: the command to run again keeps the --host that was asked about', () => {
    for (const command of allCommands(plan({ status: 'unknown', host: host('127.0.0.1') })))
      assert.match(command, /--host 127\.0\.0\.1\b/);
  });
});

describe('planFixes: processes', () => {
  it('Linux: kill the PID, no sudo for our own process', () => {
    assert.deepEqual(plan({ status: 'in-use', owners: processOwner(4242, { uid: 1000 }) }), [
      {
        title: 'Stop python3 (PID 4242)',
        commands: { powershell: null, cmd: null, posix: 'kill 4242' },
        elevated: false,
        note: null,
      },
    ]);
  });

  it('Linux: sudo kill for another user, but not when running as root', () => {
    const other = processOwner(4242, { uid: 0 });
    assert.deepEqual(plan({ status: 'in-use', owners: other })[0]?.commands.posix, 'sudo kill 4242');
    assert.equal(plan({ status: 'in-use', owners: other })[0]?.elevated, true);
    assert.deepEqual(
      plan({ status: 'in-use', owners: other, currentUid: 0 })[0]?.commands.posix,
      'kill 4242',
    );
    // An unknown uid is not a reason for sudo.
    assert.deepEqual(plan({ status: 'in-use', owners: processOwner(4242) })[0]?.commands.posix, 'kill 4242');
  });

  it('Windows: the gentle taskkill (no /F) in both shells, and what to do when it is ignored', () => {
    const fixes = plan({
      platform: 'win32',
      status: 'in-use',
      owners: processOwner(4242, {}, 'win32'),
      currentUid: null,
    });
    assert.deepEqual(fixes, [
      {
        title: 'Stop python3 (PID 4242)',
        commands: { powershell: 'taskkill /PID 4242', cmd: 'taskkill /PID 4242', posix: null },
        elevated: false,
        note: 'Console programs ignore this request; if it is still running, add /F to end it at once.',
      },
    ]);
  });

  it('a process launchd keeps alive is stopped through launchctl bootout, not killed', () => {
    const owner = (domain: string, keepAlive: boolean | null, ppid = 1) =>
      processOwner(
        812,
        {
          ppid,
          parentChain: [{ pid: ppid, name: ppid === 1 ? 'launchd' : 'zsh' }],
          launchdJob: { label: 'homebrew.mxcl.herdr', domain, keepAlive, plist: null },
        },
        'darwin',
      );
    assert.deepEqual(
      plan({ platform: 'darwin', status: 'in-use', owners: owner('gui/501', true), currentUid: 501 }),
      [
        {
          title:
            'Stop launchd job homebrew.mxcl.herdr (KeepAlive: launchd starts the process again if only the process is killed)',
          commands: { powershell: null, cmd: null, posix: 'launchctl bootout gui/501/homebrew.mxcl.herdr' },
          elevated: false,
          note: 'It is loaded again at the next login; to keep it off: launchctl disable gui/501/homebrew.mxcl.herdr',
        },
      ],
    );
    assert.deepEqual(
      plan({ platform: 'darwin', status: 'in-use', owners: owner('system', null), currentUid: 501 }),
      [
        {
          title: 'Stop launchd job homebrew.mxcl.herdr',
          commands: {
            powershell: null,
            cmd: null,
            posix: 'sudo launchctl bootout system/homebrew.mxcl.herdr',
          },
          elevated: true,
          note: 'It is loaded again at the next boot; to keep it off: sudo launchctl disable system/homebrew.mxcl.herdr',
        },
      ],
    );
    // Not kept alive, or not started by launchd itself: the ordinary stop.
    for (const other of [owner('gui/501', false), owner('gui/501', true, 600)]) {
      const fixes = plan({ platform: 'darwin', status: 'in-use', owners: other, currentUid: 501 });
      assert.deepEqual(
        fixes.map((fix) => fix.commands.posix),
        ['kill 812'],
      );
    }
  });

  it('a process systemd started for a unit is stopped through systemd, not killed', () => {
    const fixes = plan({
      status: 'in-use',
      owners: processOwner(812, {
        uid: 0,
        systemdUnit: 'nginx.service',
        parentChain: [{ pid: 1, name: 'systemd' }],
      }),
    });
    assert.deepEqual(fixes, [
      {
        title: 'Stop systemd unit nginx.service (it restarts the process if only the process is killed)',
        commands: { powershell: null, cmd: null, posix: 'sudo systemctl stop nginx.service' },
        elevated: true,
        note: null,
      },
    ]);
  });

  it('a process a service spawned (a cron job) is not that service: it is killed, the service stays', () => {
    const fixes = plan({
      status: 'in-use',
      owners: processOwner(813, {
        uid: 0,
        systemdUnit: 'cron.service',
        parentChain: [{ pid: 700, name: 'cron' }],
      }),
    });
    assert.deepEqual(
      fixes.map((f) => f.commands.posix),
      ['sudo kill 813'],
    );
  });

  it('a user unit is stopped with systemctl --user, without sudo', () => {
    const fixes = plan({
      status: 'in-use',
      owners: processOwner(2200, {
        uid: 1000,
        systemdUnit: 'tapo-dashboard.service',
        systemdUserUnit: true,
        parentChain: [{ pid: 1500, name: 'systemd' }],
      }),
    });
    assert.deepEqual(fixes[0]?.commands.posix, 'systemctl --user stop tapo-dashboard.service');
    assert.equal(fixes[0]?.elevated, false);
  });

  it('services Windows needs are never offered for stopping; of shared ones each on its own', () => {
    const svchost = (services: string[]): Owner[] =>
      owners({
        platform: 'win32',
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 672 })],
        processes: new Map([[672, facts(672, { name: 'svchost.exe' })]]),
        services: new Map([[672, services]]),
      });
    const critical = plan({
      platform: 'win32',
      status: 'in-use',
      currentUid: null,
      owners: svchost(['RpcEptMapper', 'RpcSs']),
    });
    assert.deepEqual(allCommands(critical), []);
    const shared = plan({
      platform: 'win32',
      status: 'in-use',
      currentUid: null,
      owners: svchost(['RpcSs', 'W3SVC', 'WAS']),
    });
    assert.deepEqual(
      shared.map((f) => f.commands.powershell),
      ['Stop-Service -Name W3SVC', 'Stop-Service -Name WAS'],
    );
    assert.match(
      shared[0]?.title ?? '',
      /^If the port belongs to service W3SVC \(it shares PID 672 with 2 others\)/,
    );
  });

  it('an earlier dashboard: open it (first of all fixes), or stop it', () => {
    const dashboard = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 2345 })],
      processes: new Map([
        [
          2345,
          facts(2345, {
            name: 'python',
            commandLine: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777',
          }),
        ],
      ]),
      dashboardHealth: new Map([[2345, 'healthy']]),
    });
    assert.deepEqual(plan({ status: 'in-use', owners: dashboard, nextFreePort: 7779 }), [
      {
        title: 'Open http://127.0.0.1:7777/: the dashboard already runs there, health: healthy',
        commands: { powershell: null, cmd: null, posix: null },
        elevated: false,
        note: null,
      },
      {
        title: 'Start the dashboard on the next free port, 7779',
        commands: {
          powershell: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
          cmd: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
          posix: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7779',
        },
        elevated: false,
        note: null,
      },
      {
        title: 'Stop python (PID 2345)',
        commands: { powershell: null, cmd: null, posix: 'kill 2345' },
        elevated: false,
        note: null,
      },
    ]);
    // A dashboard that does not answer its health URL is not offered as "open it".
    const silent = plan({
      status: 'in-use',
      owners: dashboard.map((o) => ({
        ...o,
        dashboard: {
          healthUrl: 'http://[::1]:7777/api/health',
          healthStatus: null,
          health: noAnswer(),
          recognizedBy: 'command-line' as const,
        },
      })),
    });
    assert.deepEqual(
      silent.map((f) => f.title),
      ['Stop python (PID 2345)'],
    );
    // Slow to answer is still a running dashboard; an answer that is not the dashboard's is not.
    const answering = (health: HealthReport): string[] =>
      plan({
        status: 'in-use',
        owners: dashboard.map((o) => ({
          ...o,
          dashboard: {
            healthUrl: 'http://127.0.0.1:7777/api/health',
            healthStatus: null,
            health,
            recognizedBy: 'command-line' as const,
          },
        })),
      }).map((f) => f.title);
    assert.deepEqual(answering(slow(1000)), [
      'Open http://127.0.0.1:7777/: the dashboard already runs there, health: slow: no answer within 1 s',
      'Stop python (PID 2345)',
    ]);
    assert.deepEqual(answering(notDashboard(404)), ['Stop python (PID 2345)']);
    assert.deepEqual(answering(answered('error')), [
      'Open http://127.0.0.1:7777/: the dashboard already runs there, health: error',
      'Stop python (PID 2345)',
    ]);
  });

  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`${platform}: PIDs 0, 1 and 4 never get a kill fix, whatever their kind`, () => {
      for (const pid of [0, 1, 4]) {
        const ownersOfPid = processOwner(pid, { name: 'System' }, platform);
        const direct: Owner = { ...(ownersOfPid[0] as Owner), kind: 'process', pid };
        const fixes = [
          ...plan({ platform, status: 'in-use', owners: ownersOfPid }),
          ...plan({ platform, status: 'in-use', owners: [direct] }),
          ...plan({ platform, status: 'in-use', owners: [{ ...direct, kind: 'dashboard' }] }),
        ];
        for (const command of allCommands(fixes))
          assert.doesNotMatch(command, KILL, `PID ${pid}: ${command}`);
      }
    });
  }
});

describe('planFixes: forwarders are never killed; their container is stopped', () => {
  const proxy = (
    platform: NodeJS.Platform,
    name: string,
    pid: number,
    evidence: Partial<Parameters<typeof owners>[0]> = {},
  ): Owner[] =>
    owners({
      platform,
      listeners: [listener({ address: '0.0.0.0', family: 4, pid, processName: name })],
      processes: new Map([[pid, facts(pid, { name })]]),
      ...evidence,
    });

  it('Linux, Docker answering, no container: restart Docker', () => {
    assert.deepEqual(plan({ status: 'in-use', owners: proxy('linux', 'docker-proxy', 11522) }), [
      {
        title:
          'No container publishes the port: Docker (docker-proxy) kept a stale forwarder; restart Docker',
        commands: { powershell: null, cmd: null, posix: 'sudo systemctl restart docker' },
        elevated: true,
        note: 'Restarting the engine stops every container unless live-restore is enabled.',
      },
    ]);
  });

  for (const platform of ['win32', 'darwin'] as const) {
    it(`${platform}: Docker Desktop answering, no container: a stale forwarder; restart Docker Desktop with its CLI`, () => {
      const fixes = plan({
        platform,
        status: 'in-use',
        port: 80,
        owners: proxy(platform, 'com.docker.backend', 4332),
        currentUid: null,
      });
      assert.deepEqual(fixes, [
        {
          title:
            'No container publishes the port: Docker Desktop kept a stale forwarder; restart Docker Desktop',
          commands: {
            powershell: 'docker desktop restart',
            cmd: 'docker desktop restart',
            posix: platform === 'darwin' ? 'docker desktop restart' : null,
          },
          elevated: false,
          note: 'Docker Desktop before 4.37 has no such command: quit it from its tray menu and start it again. Do not kill the forwarder alone.',
        },
      ]);
    });
  }

  it('Docker not answering: list the containers publishing the port instead', () => {
    const fixes = plan({
      platform: 'win32',
      status: 'in-use',
      port: 80,
      owners: proxy('win32', 'com.docker.backend.exe', 4332, { dockerState: 'unresponsive' }),
      docker: dockerUnresponsive,
      currentUid: null,
    });
    assert.deepEqual(fixes, [
      {
        title:
          'Docker Desktop holds the port, but the Docker engine did not answer (unresponsive); list the containers publishing it',
        commands: {
          powershell: 'docker ps --filter publish=80',
          cmd: 'docker ps --filter "publish=80"',
          posix: 'docker ps --filter publish=80',
        },
        elevated: false,
        note: 'Do not kill the forwarder: stop the container instead.',
      },
    ]);
  });

  const forwarders: [NodeJS.Platform, string, number][] = [
    ['linux', 'docker-proxy', 11522],
    ['linux', 'docker-pr', 11527],
    ['linux', 'rootlesskit', 3001],
    ['darwin', 'com.docker.backend', 812],
    ['darwin', 'OrbStack Helper', 913],
    ['darwin', 'gvproxy', 1414],
    ['win32', 'com.docker.backend.exe', 4332],
    ['win32', 'wslrelay.exe', 19820],
    ['win32', 'wslhost.exe', 19821],
  ];
  for (const [platform, name, pid] of forwarders) {
    it(`${platform} ${name} (PID ${pid}): no fix names its PID or kills anything`, () => {
      for (const docker of [dockerOk, dockerUnresponsive]) {
        for (const containers of [[], [container()]]) {
          const found = owners({
            platform,
            listeners: [listener({ address: '0.0.0.0', family: 4, pid, processName: name })],
            processes: new Map([[pid, facts(pid, { name })]]),
            containers,
            dockerState: docker.state,
          });
          assert.ok(found.every((o) => o.pid === null));
          const fixes = plan({ platform, status: 'in-use', owners: found, docker, nextFreePort: 7779 });
          for (const command of allCommands(fixes)) {
            assert.doesNotMatch(command, KILL, command);
            assert.doesNotMatch(command, new RegExp(`\\b${pid}\\b`), command);
          }
          if (containers.length > 0) assert.ok(allCommands(fixes).includes('docker stop web7777'));
        }
      }
    });
  }

  const lookInside = (distribution: string | null): Fix => ({
    title: 'See which Linux program inside WSL holds the port',
    commands:
      distribution === null
        ? {
            powershell: "wsl --exec ss -ltnp 'sport = :80'",
            cmd: 'wsl --exec ss -ltnp "sport = :80"',
            posix: null,
          }
        : {
            powershell: `wsl --distribution ${distribution} --exec ss -ltnp 'sport = :80'`,
            cmd: `wsl --distribution ${distribution} --exec ss -ltnp "sport = :80"`,
            posix: null,
          },
    elevated: false,
    note: 'Stop that program inside WSL; do not kill wslhost.exe.',
  });
  const shutDown: Fix = {
    title: 'Or shut WSL down entirely (stops every WSL distribution)',
    commands: { powershell: 'wsl --shutdown', cmd: 'wsl --shutdown', posix: null },
    elevated: false,
    note: null,
  };
  const leftover: Fix = {
    title:
      'Nothing inside WSL uses the port any more: end the leftover relay with wsl --shutdown (stops every WSL distribution)',
    commands: { powershell: 'wsl --shutdown', cmd: 'wsl --shutdown', posix: null },
    elevated: false,
    note: 'If wslhost.exe still holds the port after that (older WSL builds, microsoft/WSL#9334), nothing is behind it any more: end it in Task Manager, or restart Windows.',
  };
  const wslCases: [string, WslRelayFacts | null, Fix[]][] = [
    ['WSL not asked: look inside WSL, or shut WSL down', null, [lookInside(null), shutDown]],
    [
      'WSL did not answer: the same',
      { answer: 'unknown', reason: 'wsl.exe timed out' },
      [lookInside(null), shutDown],
    ],
    [
      'a program inside Ubuntu listens: look inside that distribution, or shut WSL down',
      { answer: 'listening', distribution: 'Ubuntu-24.04', addresses: ['127.0.0.1:80'] },
      [lookInside('Ubuntu-24.04'), shutDown],
    ],
    [
      'no distribution running: the relay is a leftover; wsl --shutdown only',
      { answer: 'no-distribution-running' },
      [leftover],
    ],
    [
      'a distribution runs but nothing inside listens: the relay is a leftover; wsl --shutdown only',
      { answer: 'nothing-listening', distribution: 'Ubuntu' },
      [leftover],
    ],
  ];
  for (const [name, wslRelay, expected] of wslCases) {
    it(name, () => {
      assert.deepEqual(
        plan({
          platform: 'win32',
          status: 'in-use',
          port: 80,
          owners: proxy('win32', 'wslhost.exe', 19820, { wslRelay }),
        }),
        expected,
      );
    });
  }

  it('http.sys: find the service that registered the URL; never kill PID 4', () => {
    const httpSys = owners({
      platform: 'win32',
      port: 8080,
      listeners: [listener({ address: '::', family: 6, pid: 4, port: 8080 })],
      httpSys: { urls: ['HTTP://LOCALHOST:8080/'], processIds: [5492] },
    });
    assert.deepEqual(plan({ platform: 'win32', status: 'shadowed', port: 8080, owners: httpSys }), [
      {
        title: 'See which service registered the URL with http.sys (IIS, WinRM, SSRS, ...)',
        commands: {
          powershell: 'netsh http show servicestate view=requestq',
          cmd: 'netsh http show servicestate view=requestq',
          posix: null,
        },
        elevated: true,
        note: 'PID 4 is the Windows kernel: never kill it.',
      },
    ]);
  });
});

describe('planFixes: http.sys with the services behind the URL', () => {
  it('stops the registering service first, then shows how to look further; never kills PID 4', () => {
    const httpSys = owners({
      platform: 'win32',
      port: 8080,
      listeners: [listener({ address: '::', family: 6, pid: 4, port: 8080 })],
      httpSys: { urls: ['HTTP://+:8080/'], processIds: [5492] },
      processes: new Map([[5492, facts(5492, { name: 'w3wp.exe' })]]),
      services: new Map([[5492, ['W3SVC']]]),
    });
    const fixes = plan({
      platform: 'win32',
      status: 'in-use',
      port: 8080,
      owners: httpSys,
      currentUid: null,
    });
    assert.deepEqual(fixes, [
      {
        title: 'Stop the Windows service W3SVC',
        commands: { powershell: 'Stop-Service -Name W3SVC', cmd: 'net stop W3SVC', posix: null },
        elevated: true,
        note: null,
      },
      {
        title: 'See which service registered the URL with http.sys (IIS, WinRM, SSRS, ...)',
        commands: {
          powershell: 'netsh http show servicestate view=requestq',
          cmd: 'netsh http show servicestate view=requestq',
          posix: null,
        },
        elevated: true,
        note: 'PID 4 is the Windows kernel: never kill it.',
      },
    ]);
    for (const command of allCommands(fixes)) assert.doesNotMatch(command, KILL);
  });
});

describe('planFixes: containers', () => {
  const fixesFor = (fields: Parameters<typeof container>[0]): Fix[] =>
    plan({ status: 'in-use', owners: owners({ listeners: [], containers: [container(fields)] }) });

  it('docker stop NAME, in every shell', () => {
    assert.deepEqual(fixesFor({}), [
      {
        title: 'Stop container web7777',
        commands: {
          powershell: 'docker stop web7777',
          cmd: 'docker stop web7777',
          posix: 'docker stop web7777',
        },
        elevated: false,
        note: null,
      },
    ]);
  });

  it('a compose service is stopped through compose first, then the container', () => {
    const fixes = fixesFor({
      name: 'tapo-web-1',
      composeProject: 'tapo',
      composeService: 'web',
      restartPolicy: 'no',
    });
    assert.deepEqual(fixes, [
      {
        title: 'Stop compose service web of project tapo',
        commands: {
          powershell: 'docker compose -p tapo stop web',
          cmd: 'docker compose -p tapo stop web',
          posix: 'docker compose -p tapo stop web',
        },
        elevated: false,
        note: null,
      },
      {
        title: 'Stop container tapo-web-1',
        commands: {
          powershell: 'docker stop tapo-web-1',
          cmd: 'docker stop tapo-web-1',
          posix: 'docker stop tapo-web-1',
        },
        elevated: false,
        note: null,
      },
    ]);
  });

  const policies: [string | null, Fix | null][] = [
    [
      'unless-stopped',
      {
        title: 'Keep it stopped: its restart policy "unless-stopped" starts it again with Docker',
        commands: {
          powershell: 'docker update --restart no web7777',
          cmd: 'docker update --restart no web7777',
          posix: 'docker update --restart no web7777',
        },
        elevated: false,
        note: null,
      },
    ],
    [
      'always',
      {
        title: 'Keep it stopped: its restart policy "always" starts it again with Docker',
        commands: {
          powershell: 'docker update --restart no web7777',
          cmd: 'docker update --restart no web7777',
          posix: 'docker update --restart no web7777',
        },
        elevated: false,
        note: null,
      },
    ],
    ['on-failure', null],
    ['no', null],
    [null, null],
  ];
  for (const [restartPolicy, keepStopped] of policies) {
    it(`restart policy ${restartPolicy}: ${keepStopped === null ? 'no extra fix' : 'a fix keeps it stopped'}`, () => {
      const fixes = fixesFor({ restartPolicy });
      if (keepStopped === null) assert.equal(fixes.at(-1)?.title, 'Stop container web7777');
      else assert.deepEqual(fixes.at(-1), keepStopped);
    });
  }

  const hostileNames: [string, Fix['commands']][] = [
    [
      'web$(touch pwned)',
      {
        powershell: "docker stop 'web$(touch pwned)'",
        cmd: 'docker stop "web$(touch pwned)"',
        posix: "docker stop 'web$(touch pwned)'",
      },
    ],
    [
      'a`id`b',
      { powershell: "docker stop 'a`id`b'", cmd: 'docker stop "a`id`b"', posix: "docker stop 'a`id`b'" },
    ],
    [
      "it's",
      { powershell: "docker stop 'it''s'", cmd: 'docker stop "it\'s"', posix: "docker stop 'it'\\''s'" },
    ],
    [
      'x;rm -rf ~',
      {
        powershell: "docker stop 'x;rm -rf ~'",
        cmd: 'docker stop "x;rm -rf ~"',
        posix: "docker stop 'x;rm -rf ~'",
      },
    ],
    ['%PATH%', { powershell: "docker stop '%PATH%'", cmd: null, posix: 'docker stop %PATH%' }],
    ['say "hi"', { powershell: null, cmd: null, posix: 'docker stop \'say "hi"\'' }],
    ['a\nb', { powershell: null, cmd: null, posix: null }],
    ['\x1b[31mred', { powershell: null, cmd: null, posix: null }],
  ];
  for (const [name, commands] of hostileNames) {
    it(`container named ${JSON.stringify(name)} is quoted for each shell, or left out`, () => {
      assert.deepEqual(fixesFor({ name }).at(-1)?.commands, commands);
    });
  }

  // The note is copied as a command too; a name pasted raw after `--restart=no` would run `$(...)`.
  it('the restart-policy note never carries a hostile container name unquoted', () => {
    const name = 'web$(touch pwned)';
    const note = fixesFor({ name, restartPolicy: 'always' }).at(-1)?.note ?? '';
    assert.ok(!note.includes(`--restart=no ${name}`), note);
  });
});

describe('planFixes: Windows services and hidden owners', () => {
  const serviceOwner = (services: string[]): Owner[] =>
    owners({
      platform: 'win32',
      port: 135,
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 672, port: 135 })],
      processes: new Map([[672, facts(672, { name: 'svchost.exe' })]]),
      services: new Map([[672, services]]),
    });

  const rows: [string[], Fix['commands']][] = [
    [['W3SVC'], { powershell: 'Stop-Service -Name W3SVC', cmd: 'net stop W3SVC', posix: null }],
    [
      ['My Service'],
      { powershell: "Stop-Service -Name 'My Service'", cmd: 'net stop "My Service"', posix: null },
    ],
    [['a%b%'], { powershell: "Stop-Service -Name 'a%b%'", cmd: null, posix: null }],
    [['x$(y)'], { powershell: "Stop-Service -Name 'x$(y)'", cmd: 'net stop "x$(y)"', posix: null }],
  ];
  for (const [services, commands] of rows) {
    it(`services ${services.join(', ')}`, () => {
      const fixes = plan({
        platform: 'win32',
        status: 'in-use',
        port: 135,
        owners: serviceOwner(services),
        currentUid: null,
      });
      assert.deepEqual(fixes, [
        { title: `Stop the Windows service ${services.join(', ')}`, commands, elevated: true, note: null },
      ]);
    });
  }

  const hidden = (platform: NodeJS.Platform): Owner[] =>
    owners({ platform, listeners: [listener({ address: '0.0.0.0', family: 4, uid: 0 })] });

  it('Linux hidden owner: sudo ss for the exact port', () => {
    assert.deepEqual(plan({ status: 'in-use', owners: hidden('linux') }), [
      {
        title: 'See which process it is',
        commands: { powershell: null, cmd: null, posix: "sudo ss -ltnp 'sport = :7777'" },
        elevated: true,
        note: null,
      },
    ]);
  });

  it('macOS hidden owner: sudo lsof', () => {
    assert.deepEqual(plan({ platform: 'darwin', status: 'in-use', owners: hidden('darwin') })[0]?.commands, {
      powershell: null,
      cmd: null,
      posix: 'sudo lsof -nP -iTCP:7777 -sTCP:LISTEN',
    });
  });

  // The fix command is pasted as it is: "(in an elevated PowerShell)" after it is a parse error.
  it('Windows hidden owner: a PowerShell command that can be pasted as it is', () => {
    assert.deepEqual(
      plan({ platform: 'win32', status: 'in-use', owners: hidden('win32'), currentUid: null })[0],
      {
        title: 'See which process it is',
        commands: {
          powershell: 'Get-NetTCPConnection -LocalPort 7777 -State Listen',
          cmd: null,
          posix: null,
        },
        elevated: true,
        note: null,
      },
    );
  });
});

describe('planFixes: hostile names in titles and notes', () => {
  // Titles and notes are carried in the JSON and printed as they are by the PowerShell side, which
  // does not re-derive them: a raw ESC or newline there moves the cursor or fakes a line.
  const hostileOwners: [string, Owner[]][] = [
    ['a process name', processOwner(4242, { name: '\x1b[31mred\x1b]0;t\x07\nFAKE' })],
    ['a systemd unit', processOwner(4242, { systemdUnit: 'x\x1b[2J.service' })],
    [
      'a container name',
      owners({ listeners: [], containers: [container({ name: 'w\x1b[2J', restartPolicy: 'always' })] }),
    ],
    [
      'a compose project',
      owners({
        listeners: [],
        containers: [container({ composeProject: 'p\nFAKE', composeService: 's\r' })],
      }),
    ],
    [
      'a Windows service',
      owners({
        platform: 'win32',
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 700 })],
        processes: new Map([[700, facts(700, { name: 'svchost.exe' })]]),
        services: new Map([[700, ['Evil\x1b[2J\nService']]]),
      }),
    ],
  ];
  for (const [what, list] of hostileOwners) {
    it(`${what} with control characters does not reach a title or note raw`, () => {
      const fixes = plan({ status: 'in-use', owners: list });
      assert.ok(fixes.length > 0);
      for (const fix of fixes) {
        assert.doesNotMatch(fix.title, UNSAFE_FOR_TERMINAL, JSON.stringify(fix.title));
        assert.doesNotMatch(fix.note ?? '', UNSAFE_FOR_TERMINAL, JSON.stringify(fix.note));
      }
    });
  }
});

describe('planFixes: processes the operating system needs are never offered for stopping', () => {
  const critical: [NodeJS.Platform, string][] = [
    ['win32', 'lsass.exe'],
    ['win32', 'svchost.exe'],
    ['win32', 'csrss.exe'],
    ['linux', 'systemd'],
    ['darwin', 'launchd'],
  ];
  for (const [platform, name] of critical) {
    it(`${platform} ${name}: told to use another port, no stop command`, () => {
      const fixes = plan({ platform, status: 'in-use', owners: processOwner(812, { name }, platform) });
      assert.deepEqual(fixes, [
        {
          title: `${name} (PID 812) is part of the operating system; do not stop it. Use another port.`,
          commands: { powershell: null, cmd: null, posix: null },
          elevated: false,
          note: null,
        },
      ]);
    });
  }

  it('a Windows process of NT AUTHORITY is stopped as administrator', () => {
    const fixes = plan({
      platform: 'win32',
      status: 'in-use',
      currentUid: null,
      owners: processOwner(3100, { name: 'sqlservr.exe', user: 'NT AUTHORITY\\NETWORK SERVICE' }, 'win32'),
    });
    assert.equal(fixes[0]?.title, 'Stop sqlservr.exe (PID 3100)');
    assert.equal(fixes[0]?.elevated, true);
    assert.equal(fixes[0]?.commands.powershell, 'taskkill /PID 3100');
  });

  it('"run the check again" repeats the host and uses the command this tool was started with', () => {
    const fixes = plan({
      status: 'unknown',
      host: host('::1'),
      selfCommand: ['/usr/bin/node', '/opt/tapo port/dist/tapo-port.cjs'],
    });
    assert.equal(
      fixes[0]?.commands.posix,
      "sudo /usr/bin/node '/opt/tapo port/dist/tapo-port.cjs' check --port 7777 --host ::1",
    );
  });
});

// Decisions of the planner, one input at a time, with the whole fix each one gives.
describe('planFixes: one decision at a time', () => {
  for (const [family, start, end, count] of [
    [4, 50000, 50059, 60],
    [6, 1025, 1025, 1],
  ] as const) {
    it(`an administrator's IPv${family} range ${start}-${end}: delete exactly it (${count} ports)`, () => {
      const range: ReservedRange = { start, end, family, administered: true };
      const remove = `netsh int ipv${family} delete excludedportrange protocol=tcp startport=${start} numberofports=${count}`;
      assert.deepEqual(
        plan({ platform: 'win32', status: 'reserved', port: start, reservedRange: range, currentUid: null }),
        [
          {
            title: `As administrator: remove the excluded range ${start}-${end} that an administrator added`,
            commands: { powershell: remove, cmd: remove, posix: null },
            elevated: true,
            note: 'Only if nothing on this machine relies on that exclusion.',
          },
        ],
      );
    });
  }

  it('reserved without a range to name: no range fix is made up', () => {
    assert.deepEqual(
      plan({ platform: 'win32', status: 'reserved', reservedRange: null, currentUid: null }),
      [],
    );
  });
  it('a range given with another status: no range fix', () => {
    const range: ReservedRange = { start: 7700, end: 7799, family: 4, administered: false };
    assert.deepEqual(
      plan({ platform: 'win32', status: 'in-use', reservedRange: range, currentUid: null }),
      [],
    );
  });

  const forbidden: [NodeJS.Platform, number, string][] = [
    [
      'linux',
      1023,
      'Ports below 1024 need privileges here; use a port from 1024 up or allow Python to bind it',
    ],
    [
      'linux',
      1024,
      'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
    ],
    ['darwin', 1023, 'Ports below 1024 need privileges here; use a port from 1024 up'],
    [
      'darwin',
      1024,
      'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
    ],
    [
      'win32',
      80,
      'Another program holds the port with an exclusive socket, or security software blocks it; look as administrator',
    ],
  ];
  for (const [platform, port, title] of forbidden) {
    it(`forbidden, ${platform}, port ${port}: ${title.slice(0, 40)}...`, () => {
      assert.equal(
        plan({ platform, status: 'forbidden', port, currentUid: platform === 'win32' ? null : 1000 })[0]
          ?.title,
        title,
      );
    });
  }

  it('a hidden owner: the command that reveals it, in the shell of the platform', () => {
    const hidden = (platform: NodeJS.Platform): Owner[] =>
      owners({ platform, listeners: [listener({ address: '0.0.0.0', family: 4, uid: 0 })] });
    assert.deepEqual(plan({ status: 'in-use', owners: hidden('linux') })[0]?.commands, {
      powershell: null,
      cmd: null,
      posix: "sudo ss -ltnp 'sport = :7777'",
    });
    assert.deepEqual(
      plan({ platform: 'win32', status: 'in-use', owners: hidden('win32'), currentUid: null })[0]?.commands,
      {
        powershell: 'Get-NetTCPConnection -LocalPort 7777 -State Listen',
        cmd: null,
        posix: null,
      },
    );
  });

  it('a compose container without a service name: no compose fix, only docker stop', () => {
    const found = owners({
      listeners: [],
      containers: [container({ composeProject: 'tapo', composeService: null })],
    });
    assert.deepEqual(
      plan({ status: 'in-use', owners: found }).map((fix) => fix.commands.posix),
      ['docker stop web7777'],
    );
  });

  it('a stale forwarder of another product (rootless Docker): restart it through its own tool', () => {
    const found = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 3001, processName: 'rootlesskit' })],
      processes: new Map([[3001, facts(3001, { name: 'rootlesskit' })]]),
    });
    assert.deepEqual(plan({ status: 'in-use', owners: found }), [
      {
        title:
          'Docker rootless (rootlesskit) holds the port, but the Docker engine asked has no container publishing it; restart Docker rootless (rootlesskit) or stop its container',
        commands: { powershell: null, cmd: null, posix: null },
        elevated: false,
        note: 'Do not kill the forwarder.',
      },
    ]);
  });

  it("Docker Desktop's vpnkit is Docker Desktop too: its fix is Docker Desktop's", () => {
    const found = owners({
      platform: 'darwin',
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 900, processName: 'vpnkit' })],
      processes: new Map([[900, facts(900, { name: 'vpnkit' })]]),
    });
    assert.equal(
      plan({ platform: 'darwin', status: 'in-use', owners: found })[0]?.commands.posix,
      'docker desktop restart',
    );
  });

  for (const platform of ['win32', 'darwin'] as const) {
    it(`${platform}: a stale docker-proxy (not Docker Desktop's) is restarted from the tray, no command`, () => {
      const found = owners({
        platform,
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 11522, processName: 'docker-proxy' })],
        processes: new Map([[11522, facts(11522, { name: 'docker-proxy' })]]),
      });
      assert.deepEqual(plan({ platform, status: 'in-use', owners: found, currentUid: null }), [
        {
          title:
            'No container publishes the port: Docker (docker-proxy) kept a stale forwarder; restart Docker',
          commands: { powershell: null, cmd: null, posix: null },
          elevated: false,
          note: 'Quit and reopen Docker from its tray menu.',
        },
      ]);
    });
  }

  it('IP Helper among other services in one svchost: the port proxy fix is still offered', () => {
    const found = owners({
      platform: 'win32',
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 2100 })],
      processes: new Map([[2100, facts(2100, { name: 'svchost.exe' })]]),
      services: new Map([[2100, ['Spooler', 'iphlpsvc']]]),
    });
    assert.ok(
      plan({ platform: 'win32', status: 'in-use', owners: found, currentUid: null }).some(
        (fix) => fix.commands.powershell === 'netsh interface portproxy show all',
      ),
    );
  });

  const windowsUsers: [string | null, boolean][] = [
    ['NT AUTHORITY\\SYSTEM', true],
    ['nt authority\\network service', true],
    ['WIN11\\alice', false],
    ['WIN11\\NT AUTHORITY\\x', false],
    [null, false],
  ];
  for (const [user, elevated] of windowsUsers) {
    it(`a Windows process of ${user ?? 'an unknown user'}: ${elevated ? 'elevated' : 'not elevated'}`, () => {
      const found = owners({
        platform: 'win32',
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 4242 })],
        processes: new Map([[4242, facts(4242, { name: 'python.exe', user })]]),
      });
      const fix = plan({ platform: 'win32', status: 'in-use', owners: found, currentUid: null })[0];
      assert.equal(fix?.commands.powershell, 'taskkill /PID 4242');
      assert.equal(fix?.elevated, elevated);
    });
  }

  const posixUsers: [number | null, number | null, string][] = [
    [1000, 1000, 'kill 4242'],
    [1000, 1001, 'sudo kill 4242'],
    [0, 1001, 'kill 4242'],
    [null, 1001, 'kill 4242'],
    [1000, null, 'kill 4242'],
  ];
  for (const [currentUid, ownerUid, command] of posixUsers) {
    it(`a process of uid ${ownerUid ?? '?'} seen by uid ${currentUid ?? '?'}: ${command}`, () => {
      const found = owners({
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 4242 })],
        processes: new Map([[4242, facts(4242, { name: 'python3', uid: ownerUid })]]),
      });
      assert.equal(plan({ status: 'in-use', owners: found, currentUid })[0]?.commands.posix, command);
    });
  }
});
