// The fixes users meet rarely, each pinned whole (title, commands, elevation, note), since the
// text is what they read and paste: Windows services that share a process, http.sys registrants,
// processes without a name, user units, launchd labels no shell can carry, and owners whose facts
// are missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planFixes, type Fix, type FixInput } from '../../../src/check/plan-fixes.ts';
import type { PortStatus } from '../../../src/check/port-status.ts';
import type { DockerStatus } from '../../../src/docker/container-facts.ts';
import { emptyOwner, type Owner } from '../../../src/owners/owner.ts';
import { container, dockerOk, facts, host, listener, owners } from '../../support/check-fakes.ts';

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

const noCommand: Fix['commands'] = { powershell: null, cmd: null, posix: null };

const dockerUnresponsive: DockerStatus = {
  state: 'unresponsive',
  endpoint: 'npipe:////./pipe/dockerDesktopLinuxEngine',
  endpointSource: 'context desktop-linux',
  message: 'The Docker engine at npipe:////./pipe/dockerDesktopLinuxEngine did not answer within 2000 ms',
};

const stopService = (name: string, title: string): Fix => ({
  title,
  commands: { powershell: `Stop-Service -Name ${name}`, cmd: `net stop ${name}`, posix: null },
  elevated: true,
  note: null,
});

const httpSysLookup: Fix = {
  title: 'See which service registered the URL with http.sys (IIS, WinRM, SSRS, ...)',
  commands: {
    powershell: 'netsh http show servicestate view=requestq',
    cmd: 'netsh http show servicestate view=requestq',
    posix: null,
  },
  elevated: true,
  note: 'PID 4 is the Windows kernel: never kill it.',
};

describe('planFixes: Windows services in one svchost, the whole fix', () => {
  // `readable: false`: the services were read for PID 672, its process facts were not (access
  // denied, or it exited in between); the PID they share is still the one the table named.
  const svchost = (services: string[], readable = true): Owner[] =>
    owners({
      platform: 'win32',
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 672, processName: 'svchost.exe' })],
      processes: readable ? new Map([[672, facts(672, { name: 'svchost.exe' })]]) : new Map(),
      services: new Map([[672, services]]),
    });

  const cases: [string, Owner[], Fix[]][] = [
    [
      'one service Windows needs: not offered, use another port',
      svchost(['RpcSs']),
      [
        {
          title: 'RpcSs is a service Windows needs; do not stop it. Use another port.',
          commands: noCommand,
          elevated: false,
          note: null,
        },
      ],
    ],
    [
      'two services Windows needs: neither offered, use another port',
      svchost(['RpcEptMapper', 'RpcSs']),
      [
        {
          title: 'RpcEptMapper, RpcSs are services Windows needs; do not stop them. Use another port.',
          commands: noCommand,
          elevated: false,
          note: null,
        },
      ],
    ],
    [
      'two stoppable services: each on its own, sharing the PID with one other',
      svchost(['W3SVC', 'WAS']),
      [
        stopService(
          'W3SVC',
          'If the port belongs to service W3SVC (it shares PID 672 with 1 other), stop it',
        ),
        stopService('WAS', 'If the port belongs to service WAS (it shares PID 672 with 1 other), stop it'),
      ],
    ],
    [
      'three services, one Windows needs: the two others, sharing the PID with two others',
      svchost(['RpcSs', 'W3SVC', 'WAS']),
      [
        stopService(
          'W3SVC',
          'If the port belongs to service W3SVC (it shares PID 672 with 2 others), stop it',
        ),
        stopService('WAS', 'If the port belongs to service WAS (it shares PID 672 with 2 others), stop it'),
      ],
    ],
    [
      'process facts unreadable: the PID the table named is still the one they share',
      svchost(['W3SVC', 'WAS'], false),
      [
        stopService(
          'W3SVC',
          'If the port belongs to service W3SVC (it shares PID 672 with 1 other), stop it',
        ),
        stopService('WAS', 'If the port belongs to service WAS (it shares PID 672 with 1 other), stop it'),
      ],
    ],
    [
      'IP Helper: the port proxy rules first, then the service itself',
      svchost(['iphlpsvc']),
      [
        {
          title:
            'A port proxy rule (netsh interface portproxy) may listen here; list the rules and delete the one for this port',
          commands: {
            powershell: 'netsh interface portproxy show all',
            cmd: 'netsh interface portproxy show all',
            posix: null,
          },
          elevated: false,
          note: 'Delete it with: netsh interface portproxy delete v4tov4 listenport=7777 listenaddress=<address shown>',
        },
        stopService('iphlpsvc', 'Stop the Windows service iphlpsvc'),
      ],
    ],
  ];
  for (const [name, found, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        plan({ platform: 'win32', status: 'in-use', owners: found, currentUid: null }),
        expected,
      );
    });
  }

  // IIS: W3SVC and WAS run together in the svchost (PID 5492) that registered the URL; PID 4 is
  // http.sys itself and runs no service, so the title must not say they share PID 4.
  it('http.sys with two services behind the URL: each on its own, without naming PID 4', () => {
    const found = owners({
      platform: 'win32',
      port: 8080,
      listeners: [listener({ address: '::', family: 6, pid: 4, port: 8080 })],
      httpSys: { urls: ['HTTP://+:8080/'], processIds: [5492] },
      processes: new Map([
        [4, facts(4, { name: 'System' })],
        [5492, facts(5492, { name: 'svchost.exe' })],
      ]),
      services: new Map([[5492, ['W3SVC', 'WAS']]]),
    });
    assert.deepEqual(
      plan({ platform: 'win32', status: 'in-use', port: 8080, owners: found, currentUid: null }),
      [
        stopService(
          'W3SVC',
          'If the port belongs to service W3SVC (one of 2 services that registered URLs with http.sys), stop it',
        ),
        stopService(
          'WAS',
          'If the port belongs to service WAS (one of 2 services that registered URLs with http.sys), stop it',
        ),
        httpSysLookup,
      ],
    );
  });
});

describe('planFixes: rare process fixes, the whole fix', () => {
  const one = (pid: number, fields: Parameters<typeof facts>[1], platform: NodeJS.Platform): Owner[] =>
    owners({
      platform,
      listeners: [listener({ address: '0.0.0.0', family: 4, pid })],
      processes: new Map([[pid, facts(pid, fields)]]),
    });

  const cases: [string, NodeJS.Platform, number | null, Owner[], Fix[]][] = [
    [
      'Linux, a process whose name could not be read: "the process"',
      'linux',
      1000,
      one(4242, { name: null, uid: 1000 }, 'linux'),
      [
        {
          title: 'Stop the process (PID 4242)',
          commands: { powershell: null, cmd: null, posix: 'kill 4242' },
          elevated: false,
          note: null,
        },
      ],
    ],
    [
      'Windows, a process whose name could not be read: "the process"',
      'win32',
      null,
      one(4242, { name: null }, 'win32'),
      [
        {
          title: 'Stop the process (PID 4242)',
          commands: { powershell: 'taskkill /PID 4242', cmd: 'taskkill /PID 4242', posix: null },
          elevated: false,
          note: 'Console programs ignore this request; if it is still running, add /F to end it at once.',
        },
      ],
    ],
    [
      'a user unit: stopped through systemctl --user, said to be a user unit',
      'linux',
      1000,
      one(
        2200,
        {
          name: 'python3',
          uid: 1000,
          systemdUnit: 'tapo-dashboard.service',
          systemdUserUnit: true,
          parentChain: [{ pid: 1500, name: 'systemd' }],
        },
        'linux',
      ),
      [
        {
          title:
            'Stop systemd user unit tapo-dashboard.service (it restarts the process if only the process is killed)',
          commands: { powershell: null, cmd: null, posix: 'systemctl --user stop tapo-dashboard.service' },
          elevated: false,
          note: null,
        },
      ],
    ],
    [
      // A label with a newline cannot be pasted into any shell: no command, and no dangling
      // "to keep it off:" with nothing after it.
      'a launchd job whose label no shell can carry: named escaped, no command offered',
      'darwin',
      501,
      one(
        812,
        {
          name: 'herdr',
          ppid: 1,
          parentChain: [{ pid: 1, name: 'launchd' }],
          launchdJob: { label: 'herdr\nFAKE', domain: 'gui/501', keepAlive: true, plist: null },
        },
        'darwin',
      ),
      [
        {
          title:
            'Stop launchd job herdr\\x0AFAKE (KeepAlive: launchd starts the process again if only the process is killed)',
          commands: noCommand,
          elevated: false,
          note: 'It is loaded again at the next login.',
        },
      ],
    ],
  ];
  for (const [name, platform, currentUid, found, expected] of cases) {
    it(name, () => {
      assert.deepEqual(plan({ platform, status: 'in-use', owners: found, currentUid }), expected);
    });
  }
});

describe('planFixes: a container with only part of its compose labels', () => {
  // Compose sets both labels; a container labelled by hand may carry one. `docker compose -p`
  // needs both the project and the service, so with either missing only `docker stop` is offered.
  const stopWeb: Fix = {
    title: 'Stop container web7777',
    commands: { powershell: 'docker stop web7777', cmd: 'docker stop web7777', posix: 'docker stop web7777' },
    elevated: false,
    note: null,
  };
  const cases: [string, string | null, string | null][] = [
    ['a service label without a project', null, 'web'],
    ['a project label without a service', 'tapo', null],
  ];
  for (const [name, composeProject, composeService] of cases) {
    it(`${name}: docker stop only`, () => {
      const found = owners({ listeners: [], containers: [container({ composeProject, composeService })] });
      assert.deepEqual(plan({ status: 'in-use', owners: found }), [stopWeb]);
    });
  }
});

// The Owner type is one flat shape: every sub-object may be null. assembleOwners fills in the one
// of each kind, but the planner takes any Owner (and the JSON contract carries them), so an owner
// whose facts are missing gets a fix that claims nothing it does not know, or none, never a crash.
// These owners are constructed (emptyOwner), not recorded.
describe('planFixes: an owner with only its kind known', () => {
  const cases: [string, NodeJS.Platform, DockerStatus, Owner, Fix[]][] = [
    ['a process without a PID: nothing to stop', 'linux', dockerOk, emptyOwner('process', null), []],
    [
      'a dashboard without a PID or facts: nothing to open or stop',
      'linux',
      dockerOk,
      emptyOwner('dashboard', null),
      [],
    ],
    ['a container without its facts: nothing to stop', 'linux', dockerOk, emptyOwner('container', null), []],
    [
      'a service whose services are unknown: nothing to stop',
      'win32',
      dockerOk,
      emptyOwner('service', 672),
      [],
    ],
    [
      'a shared svchost whose PID is unknown: "?" for the PID',
      'win32',
      dockerOk,
      emptyOwner('service', null, { services: ['W3SVC', 'WAS'] }),
      [
        stopService('W3SVC', 'If the port belongs to service W3SVC (it shares PID ? with 1 other), stop it'),
        stopService('WAS', 'If the port belongs to service WAS (it shares PID ? with 1 other), stop it'),
      ],
    ],
    [
      'http.sys without its registrants: only the lookup',
      'win32',
      dockerOk,
      emptyOwner('http.sys', null),
      [httpSysLookup],
    ],
    [
      'a forwarder without its facts, the engine answering: "Docker", restart it or stop its container',
      'linux',
      dockerOk,
      emptyOwner('forwarder', null),
      [
        {
          title:
            'Docker holds the port, but the Docker engine asked has no container publishing it; restart Docker or stop its container',
          commands: noCommand,
          elevated: false,
          note: 'Do not kill the forwarder.',
        },
      ],
    ],
    [
      'a forwarder without its facts, the engine silent: list the containers publishing the port',
      'linux',
      dockerUnresponsive,
      emptyOwner('forwarder', null),
      [
        {
          title:
            'Docker holds the port, but the Docker engine did not answer (unresponsive); list the containers publishing it',
          commands: {
            powershell: 'docker ps --filter publish=7777',
            cmd: 'docker ps --filter "publish=7777"',
            posix: 'docker ps --filter publish=7777',
          },
          elevated: false,
          note: 'Do not kill the forwarder: stop the container instead.',
        },
      ],
    ],
    [
      'a WSL relay without its facts: look inside WSL, never kill "the WSL relay"',
      'win32',
      dockerOk,
      emptyOwner('wsl', null),
      [
        {
          title: 'See which Linux program inside WSL holds the port',
          commands: {
            powershell: "wsl --exec ss -ltnp 'sport = :7777'",
            cmd: 'wsl --exec ss -ltnp "sport = :7777"',
            posix: null,
          },
          elevated: false,
          note: 'Stop that program inside WSL; do not kill the WSL relay.',
        },
        {
          title: 'Or shut WSL down entirely (stops every WSL distribution)',
          commands: { powershell: 'wsl --shutdown', cmd: 'wsl --shutdown', posix: null },
          elevated: false,
          note: null,
        },
      ],
    ],
    ...(['linux', 'win32'] as const).map(
      (platform): [string, NodeJS.Platform, DockerStatus, Owner, Fix[]] => [
        `${platform}, a hidden owner without the command that reveals it: the step, no command`,
        platform,
        dockerOk,
        emptyOwner('hidden', null),
        [{ title: 'See which process it is', commands: noCommand, elevated: true, note: null }],
      ],
    ),
  ];
  for (const [name, platform, docker, owner, expected] of cases) {
    it(name, () => {
      assert.deepEqual(plan({ platform, status: 'in-use', owners: [owner], docker }), expected);
    });
  }
});
