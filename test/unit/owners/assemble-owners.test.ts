import { answered, noAnswer, notDashboard, slow } from '../../support/health.ts';
import type { HealthReport } from '../../../src/health/health-report.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containersPublishingPort } from '../../../src/docker/match-containers.ts';
import { formatEndpoint } from '../../../src/input/address-family.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import type { WslRelayFacts } from '../../../src/owners/wsl-relay-facts.ts';
import type { OwnerEvidence } from '../../../src/owners/assemble-owners.ts';
import { parseSsListeners } from '../../../src/sockets/parse-ss.ts';
import { parseWindowsNetstat } from '../../../src/sockets/parse-netstat-windows.ts';
import {
  container,
  facts,
  fixture,
  fixtureJson,
  host,
  listener,
  owners,
  UNSAFE_FOR_TERMINAL,
} from '../../support/check-fakes.ts';

const summary = (list: Owner[]): [Owner['kind'], number | null, string[], string][] =>
  list.map((o) => [o.kind, o.pid, o.addresses, o.description]);

const python = facts(4242, { name: 'python3', commandLine: 'python3 -m http.server 7777', uid: 1000 });

describe('assembleOwners: processes', () => {
  it('one process on one address', () => {
    const result = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 4242 })],
      processes: new Map([[4242, python]]),
    });
    assert.deepEqual(result, [
      {
        kind: 'process',
        pid: 4242,
        description: 'python3 (PID 4242) listening on 0.0.0.0:7777',
        addresses: ['0.0.0.0'],
        process: python,
        container: null,
        forwarder: null,
        services: null,
        httpSys: null,
        dashboard: null,
        hidden: null,
      },
    ]);
  });

  it('dedups by PID: IPv4 and IPv6 rows of one PID are one owner with two addresses', () => {
    const result = owners({
      listeners: [
        listener({ address: '0.0.0.0', family: 4, pid: 4242 }),
        listener({ address: '::', family: 6, pid: 4242 }),
        listener({ address: '0.0.0.0', family: 4, pid: 4242 }),
      ],
      processes: new Map([[4242, python]]),
    });
    assert.deepEqual(summary(result), [
      ['process', 4242, ['0.0.0.0', '::'], 'python3 (PID 4242) listening on 0.0.0.0:7777, [::]:7777'],
    ]);
  });

  it('a SO_REUSEPORT group (two PIDs on one address) gives two owners, in table order', () => {
    const result = owners({
      listeners: [
        listener({ address: '0.0.0.0', family: 4, pid: 5001 }),
        listener({ address: '0.0.0.0', family: 4, pid: 5000 }),
      ],
      processes: new Map([
        [5000, facts(5000, { name: 'gunicorn' })],
        [5001, facts(5001, { name: 'gunicorn' })],
      ]),
    });
    assert.deepEqual(summary(result), [
      ['process', 5001, ['0.0.0.0'], 'gunicorn (PID 5001) listening on 0.0.0.0:7777'],
      ['process', 5000, ['0.0.0.0'], 'gunicorn (PID 5000) listening on 0.0.0.0:7777'],
    ]);
  });

  it('a pre-fork socket from a recorded ss table: one owner per PID sharing it', () => {
    const line =
      'LISTEN 0 511 0.0.0.0:7777 0.0.0.0:* users:(("nginx",pid=1201,fd=6),("nginx",pid=1200,fd=6),("nginx",pid=1201,fd=7))';
    const result = owners({ listeners: parseSsListeners(line, 7777) });
    assert.deepEqual(summary(result), [
      ['process', 1201, ['0.0.0.0'], 'nginx (PID 1201) listening on 0.0.0.0:7777'],
      ['process', 1200, ['0.0.0.0'], 'nginx (PID 1200) listening on 0.0.0.0:7777'],
    ]);
  });

  it('names the process from the table when its facts are gone, but claims no facts for it', () => {
    const result = owners({
      listeners: [listener({ address: '::1', family: 6, pid: 77, processName: 'node' })],
    });
    assert.deepEqual(summary(result), [['process', 77, ['::1'], 'node (PID 77) listening on [::1]:7777']]);
    // The process may have exited and its PID been reused: no facts are invented for it.
    assert.equal(result[0]?.process, null);
  });

  it('says "unknown process" when no name is known at all', () => {
    const result = owners({ listeners: [listener({ address: '0.0.0.0', family: 4, pid: 9 })] });
    assert.deepEqual(summary(result), [
      ['process', 9, ['0.0.0.0'], 'unknown process (PID 9) listening on 0.0.0.0:7777'],
    ]);
  });

  it('a process on PID 4 is only http.sys on Windows', () => {
    const onLinux = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 4 })],
      processes: new Map([[4, facts(4, { name: 'kworker' })]]),
    });
    assert.equal(onLinux[0]?.kind, 'process');
  });

  it('a Windows service hosted in svchost', () => {
    const result = owners({
      platform: 'win32',
      port: 135,
      listeners: parseWindowsNetstat(fixture('windows/netstat-ano.en.win7.pid4-ipv6-udp.txt', 'latin1'), 135),
      processes: new Map([[672, facts(672, { name: 'svchost.exe' })]]),
      services: new Map([[672, ['RpcEptMapper', 'RpcSs']]]),
    });
    assert.deepEqual(summary(result), [
      [
        'service',
        672,
        ['0.0.0.0', '::'],
        'Windows service RpcEptMapper, RpcSs in svchost.exe (PID 672) listening on 0.0.0.0:135, [::]:135',
      ],
    ]);
    assert.deepEqual(result[0]?.services, ['RpcEptMapper', 'RpcSs']);
  });

  it('an earlier dashboard, with the health it answered', () => {
    const dashboard = facts(2345, {
      name: 'python',
      commandLine: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777',
    });
    const evidence = {
      listeners: [listener({ address: '0.0.0.0', family: 4 as const, pid: 2345 })],
      processes: new Map([[2345, dashboard]]),
    };
    const healthy = owners({ ...evidence, dashboardHealth: new Map([[2345, 'healthy']]) });
    assert.deepEqual(summary(healthy), [
      [
        'dashboard',
        2345,
        ['0.0.0.0'],
        'an earlier Tapo dashboard, python (PID 2345) listening on 0.0.0.0:7777; health: healthy',
      ],
    ]);
    assert.deepEqual(healthy[0]?.dashboard, {
      healthUrl: 'http://127.0.0.1:7777/api/health',
      healthStatus: 'healthy',
      health: answered('healthy'),
      recognizedBy: 'command-line',
    });
    const said = (health: HealthReport): string =>
      owners({ ...evidence, dashboardHealth: new Map([[2345, health]]) })[0]?.description ?? '';
    assert.match(said(noAnswer()), /; health: not answering$/);
    assert.match(said(slow(1000)), /; health: slow: no answer within 1 s$/);
    assert.match(said(notDashboard(404)), /; health: not the dashboard's answer \(HTTP 404\)$/);
    assert.match(
      said(
        answered('warning', { issues: ['no_cameras_online', 'high_disk'], cameras: { total: 3, online: 0 } }),
      ),
      /; health: warning \(no_cameras_online; high_disk; 0 of 3 cameras online\)$/,
    );
    // Recognising is runCheck's job (command line or status record): without it, a process.
    assert.equal(owners(evidence)[0]?.kind, 'process');
  });
});

describe('assembleOwners: forwarders and containers', () => {
  const proxyListeners = [
    listener({ address: '0.0.0.0', family: 4, pid: 11522, processName: 'docker-proxy' }),
    listener({ address: '::', family: 6, pid: 11527, processName: 'docker-proxy' }),
  ];

  // The summary line is this description: it must say as much as the fixes do.
  const unbacked: [string, OwnerEvidence['dockerState'], string, boolean | null][] = [
    [
      'the engine answered',
      'ok',
      'Docker (docker-proxy): docker-proxy (PID 11522) holds the port, but no container publishes it: a stale forwarder Docker left behind',
      true,
    ],
    [
      'the engine did not answer',
      'unresponsive',
      'Docker (docker-proxy): docker-proxy (PID 11522) forwards the port, but the Docker engine did not answer (unresponsive), so which container is behind it is unknown',
      null,
    ],
    [
      'no engine was found',
      'not-running',
      'Docker (docker-proxy): docker-proxy (PID 11522) forwards the port, but the Docker engine did not answer (not-running), so which container is behind it is unknown',
      null,
    ],
  ];
  for (const [when, dockerState, description, stale] of unbacked) {
    it(`a forwarder with no container behind it, ${when}: a forwarder owner with no PID to act on, stale ${stale}`, () => {
      const result = owners({ listeners: proxyListeners.slice(0, 1), dockerState });
      assert.deepEqual(summary(result), [['forwarder', null, ['0.0.0.0'], description]]);
      assert.deepEqual(result[0]?.forwarder, {
        product: 'Docker (docker-proxy)',
        name: 'docker-proxy',
        pid: 11522,
        stale,
        wslDistribution: null,
      });
    });
  }

  it('a forwarder of another product (Podman) with no Docker container: not called stale, Docker cannot vouch', () => {
    const result = owners({
      platform: 'darwin',
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 1414, processName: 'gvproxy' })],
    });
    assert.deepEqual(summary(result), [
      [
        'forwarder',
        null,
        ['0.0.0.0'],
        'Podman (gvproxy): gvproxy (PID 1414) holds the port; the Docker engine asked has no container publishing it, so it forwards for a container of Podman (gvproxy) or is left over',
      ],
    ]);
    assert.equal(result[0]?.forwarder?.stale, null);
  });

  it('docker-proxy on 0.0.0.0 and :: with the recorded container: one container owner, not docker-proxy', () => {
    const containers = containersPublishingPort(
      fixtureJson('docker/local-engine-20.10.24/docker-api-v1.41-containers-json.json'),
      7777,
    );
    const result = owners({ listeners: proxyListeners, containers });
    assert.deepEqual(summary(result), [
      [
        'container',
        null,
        ['0.0.0.0', '::'],
        'Docker container web7777 (image hostbin:latest) publishes the port through Docker (docker-proxy) (docker-proxy, PID 11522)',
      ],
    ]);
    assert.equal(result[0]?.container?.name, 'web7777');
    assert.deepEqual(result[0]?.forwarder, {
      product: 'Docker (docker-proxy)',
      name: 'docker-proxy',
      pid: 11522,
      stale: false,
      wslDistribution: null,
    });
  });

  it('a container publishing the port with no host socket at all (rootless, DNAT) is still an owner', () => {
    const result = owners({ listeners: [], containers: [container()] });
    assert.deepEqual(summary(result), [
      [
        'container',
        null,
        ['0.0.0.0', '::'],
        'Docker container web7777 (image hostbin:latest) publishes the port',
      ],
    ]);
  });

  it('names the compose project and service', () => {
    const result = owners({
      listeners: [],
      containers: [container({ name: 'tapo-web-1', composeProject: 'tapo', composeService: 'web' })],
    });
    assert.equal(
      result[0]?.description,
      'Docker container tapo-web-1 (image hostbin:latest, compose project tapo service web) publishes the port',
    );
  });

  it('ignores containers that publish the number over UDP only, or on an address that does not conflict', () => {
    const udp = container({
      publishedPorts: [{ hostIp: '0.0.0.0', hostPort: 7777, containerPort: 53, protocol: 'udp' }],
    });
    const otherAddress = container({
      id: 'b'.repeat(64),
      publishedPorts: [{ hostIp: '192.168.1.9', hostPort: 7777, containerPort: 80, protocol: 'tcp' }],
    });
    const otherPort = container({
      id: 'c'.repeat(64),
      publishedPorts: [{ hostIp: '', hostPort: 17777, containerPort: 80, protocol: 'tcp' }],
    });
    assert.deepEqual(owners({ listeners: [], containers: [udp, otherPort] }), []);
    assert.deepEqual(
      owners({ listeners: [], containers: [udp, otherAddress, otherPort], host: host('127.0.0.1') }),
      [],
    );
    // A dashboard on every interface does collide with a container on one of them.
    assert.equal(owners({ listeners: [], containers: [otherAddress] })[0]?.kind, 'container');
    // The same loopback-only container does conflict with a dashboard on 127.0.0.1.
    const loopback = container({
      publishedPorts: [{ hostIp: '127.0.0.1', hostPort: 7777, containerPort: 80, protocol: 'tcp' }],
    });
    assert.equal(
      owners({ listeners: [], containers: [loopback], host: host('127.0.0.1') })[0]?.kind,
      'container',
    );
    assert.deepEqual(owners({ listeners: [], containers: [loopback], host: host('192.168.1.5') }), []);
  });

  it('a host-network container found through the holder cgroup is a container owner with the process facts', () => {
    const httpd = facts(5000, { name: 'httpd', cgroupContainerId: 'd'.repeat(64) });
    const probe2 = container({ id: 'd'.repeat(64), name: 'probe2', publishedPorts: [], networkMode: 'host' });
    const result = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 5000 })],
      processes: new Map([[5000, httpd]]),
      containers: [probe2],
    });
    assert.deepEqual(summary(result), [
      [
        'container',
        null,
        ['0.0.0.0'],
        'container probe2 (host network): httpd (PID 5000) listening on 0.0.0.0:7777',
      ],
    ]);
    assert.equal(result[0]?.process, httpd);
  });

  it('Windows Docker Desktop from the recorded netstat: forwarder, svchost and the [::1] holder', () => {
    const listeners = parseWindowsNetstat(
      fixture('windows/netstat-aon-findstr.docker-desktop-backend.for-win-12474.txt', 'latin1'),
      80,
    );
    const result = owners({
      platform: 'win32',
      port: 80,
      listeners,
      processes: new Map([
        [4332, facts(4332, { name: 'com.docker.backend.exe' })],
        [9676, facts(9676, { name: 'svchost.exe' })],
      ]),
    });
    assert.deepEqual(summary(result), [
      ['process', 9676, ['0.0.0.0'], 'svchost.exe (PID 9676) listening on 0.0.0.0:80'],
      ['process', 2672, ['::1'], 'unknown process (PID 2672) listening on [::1]:80'],
      [
        'forwarder',
        null,
        ['0.0.0.0', '::'],
        'Docker Desktop: com.docker.backend.exe (PID 4332) holds the port, but no container publishes it: a stale forwarder Docker left behind',
      ],
    ]);
  });

  it('WSL relay from the recorded netstat: one wsl owner on both loopbacks, no PID to act on', () => {
    const listeners = parseWindowsNetstat(
      fixture('windows/netstat-ano-find.wslhost.WSL-9763.txt', 'latin1'),
      80,
    );
    const result = owners({
      platform: 'win32',
      port: 80,
      listeners,
      processes: new Map([[19820, facts(19820, { name: 'wslhost.exe' })]]),
    });
    assert.deepEqual(summary(result), [
      [
        'wsl',
        null,
        ['127.0.0.1', '::1'],
        'WSL: wslhost.exe (PID 19820) relays the port from a program inside a WSL distribution',
      ],
    ]);
    assert.deepEqual(result[0]?.forwarder, {
      product: 'WSL',
      name: 'wslhost.exe',
      pid: 19820,
      stale: null,
      wslDistribution: null,
    });
  });

  const relayAnswers: [WslRelayFacts, string, boolean | null, string | null][] = [
    [
      { answer: 'no-distribution-running' },
      'WSL: wslrelay.exe (PID 19820) holds the port, but no WSL distribution is running: a stale relay',
      true,
      null,
    ],
    [
      { answer: 'nothing-listening', distribution: 'Ubuntu' },
      'WSL: wslrelay.exe (PID 19820) holds the port, but nothing inside WSL listens on it (Ubuntu running): a stale relay',
      true,
      'Ubuntu',
    ],
    [
      { answer: 'listening', distribution: 'docker-desktop', addresses: ['0.0.0.0:80', '[::]:80'] },
      'WSL: wslrelay.exe (PID 19820) relays the port from a program inside WSL listening on 0.0.0.0:80, [::]:80 (seen from distribution docker-desktop)',
      false,
      'docker-desktop',
    ],
    [
      { answer: 'unknown', reason: 'wsl.exe timed out' },
      'WSL: wslrelay.exe (PID 19820) relays the port from a program inside a WSL distribution',
      null,
      null,
    ],
  ];
  for (const [wslRelay, description, stale, wslDistribution] of relayAnswers) {
    it(`WSL relay when WSL answered ${wslRelay.answer}: stale ${stale}`, () => {
      const result = owners({
        platform: 'win32',
        port: 80,
        listeners: [
          listener({ address: '127.0.0.1', family: 4, port: 80, pid: 19820, processName: 'wslrelay.exe' }),
        ],
        processes: new Map([[19820, facts(19820, { name: 'wslrelay.exe' })]]),
        wslRelay,
      });
      assert.deepEqual(summary(result), [['wsl', null, ['127.0.0.1'], description]]);
      assert.deepEqual(result[0]?.forwarder, {
        product: 'WSL',
        name: 'wslrelay.exe',
        pid: 19820,
        stale,
        wslDistribution,
      });
    });
  }

  it('PID 4 on Windows is http.sys, with no PID to act on, naming the URL and who registered it', () => {
    const listeners = parseWindowsNetstat(
      fixture('windows/netstat-ano-find.pid4-httpsys.uts-iotbay.txt', 'latin1'),
      8080,
    );
    const httpSys = { urls: ['HTTP://LOCALHOST:8080/'], processIds: [5492, 37584] };
    const result = owners({
      platform: 'win32',
      port: 8080,
      listeners,
      httpSys,
      processes: new Map([[5492, facts(5492, { name: 'w3wp.exe' })]]),
      services: new Map([[5492, ['W3SVC', 'WAS']]]),
    });
    assert.deepEqual(summary(result), [
      [
        'http.sys',
        null,
        ['::'],
        'the Windows HTTP service (http.sys, PID 4) listening on [::]:8080 for HTTP://LOCALHOST:8080/ of w3wp.exe (PID 5492, service W3SVC, WAS), unknown process (PID 37584)',
      ],
    ]);
    assert.deepEqual(result[0]?.httpSys, httpSys);
    assert.deepEqual(result[0]?.services, ['W3SVC', 'WAS']);
    // Facts for PID 4 were not read in this scenario, so none are claimed.
    assert.equal(result[0]?.process, null);
  });

  it('http.sys when netsh could not be read: no URL, no registrant, empty lists', () => {
    const listeners = parseWindowsNetstat(
      fixture('windows/netstat-ano-find.pid4-httpsys.uts-iotbay.txt', 'latin1'),
      8080,
    );
    const unread = owners({ platform: 'win32', port: 8080, listeners, httpSys: null });
    assert.deepEqual(summary(unread), [
      [
        'http.sys',
        null,
        ['::'],
        'the Windows HTTP service (http.sys, PID 4) listening on [::]:8080 for a registered URL',
      ],
    ]);
    assert.deepEqual(unread[0]?.httpSys, { urls: [], processIds: [] });
    assert.deepEqual(unread[0]?.services, []);
  });
});

describe('assembleOwners: hidden owners', () => {
  const reveal: [NodeJS.Platform, string][] = [
    ['linux', "sudo ss -ltnp 'sport = :7777'"],
    ['darwin', 'sudo lsof -nP -iTCP:7777 -sTCP:LISTEN'],
  ];
  for (const [platform, revealCommand] of reveal) {
    it(`${platform}: a socket of another uid, with how to see it`, () => {
      const result = owners({
        platform,
        listeners: [
          listener({ address: '0.0.0.0', family: 4, uid: 0 }),
          listener({ address: '::', family: 6, uid: 0 }),
        ],
      });
      assert.deepEqual(result, [
        {
          kind: 'hidden',
          pid: null,
          description:
            'a process of user id 0 that this account is not allowed to see, listening on 0.0.0.0:7777, [::]:7777',
          addresses: ['0.0.0.0', '::'],
          process: null,
          container: null,
          forwarder: null,
          services: null,
          httpSys: null,
          dashboard: null,
          hidden: {
            uid: 0,
            reason:
              'the socket belongs to user id 0; without elevated rights the owning process cannot be read',
            revealCommand,
          },
        },
      ]);
    });
  }

  it('one hidden owner per uid; an unknown uid is "another user"', () => {
    const result = owners({
      listeners: [
        listener({ address: '0.0.0.0', family: 4, uid: 1001 }),
        listener({ address: '::', family: 6, uid: null }),
        listener({ address: '127.0.0.1', family: 4, pid: 4242 }),
      ],
      processes: new Map([[4242, python]]),
    });
    assert.deepEqual(summary(result), [
      ['process', 4242, ['127.0.0.1'], 'python3 (PID 4242) listening on 127.0.0.1:7777'],
      [
        'hidden',
        null,
        ['0.0.0.0'],
        'a process of user id 1001 that this account is not allowed to see, listening on 0.0.0.0:7777',
      ],
      [
        'hidden',
        null,
        ['::'],
        'a process of another user that this account is not allowed to see, listening on [::]:7777',
      ],
    ]);
  });
});

describe('assembleOwners: hostile names never reach a description raw', () => {
  const hostile: [string, string][] = [
    ['\x1b[31mred\x1b[0m', '\\x1B[31mred\\x1B[0m'],
    ['\x1b]0;t\x07', '\\x1B]0;t\\x07'],
    ['a\nFAKE LINE', 'a\\x0AFAKE LINE'],
    ['real\rfake', 'real\\x0Dfake'],
    ['caf\u00e9\u{1F525}', 'caf\\u{00E9}\\u{1F525}'],
    ['exe.\u202etxt', 'exe.\\u{202E}txt'],
  ];
  for (const [name, shown] of hostile) {
    it(`process name ${JSON.stringify(name)} is shown as ${shown}`, () => {
      const result = owners({
        listeners: [listener({ address: '0.0.0.0', family: 4, pid: 31337 })],
        processes: new Map([[31337, facts(31337, { name })]]),
      });
      assert.equal(result[0]?.description, `${shown} (PID 31337) listening on 0.0.0.0:7777`);
      assert.doesNotMatch(result[0]?.description ?? '', UNSAFE_FOR_TERMINAL);
      // The facts keep the real name: JSON carries it escaped, intact.
      assert.equal(result[0]?.process?.name, name);
    });
  }

  it('cuts a 100 kB name to 80 characters in the description', () => {
    const name = 'A'.repeat(100_000);
    const result = owners({
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 31337 })],
      processes: new Map([[31337, facts(31337, { name })]]),
    });
    assert.equal(
      result[0]?.description,
      `${'A'.repeat(80)}... (99920 more characters) (PID 31337) listening on 0.0.0.0:7777`,
    );
  });

  it('container, compose and service names are escaped too', () => {
    const result = owners({
      listeners: [],
      containers: [
        container({
          name: 'web\x1b[2J',
          image: 'img\nFAKE',
          composeProject: 'p\r',
          composeService: 's\u202e',
        }),
      ],
    });
    assert.equal(
      result[0]?.description,
      'Docker container web\\x1B[2J (image img\\x0AFAKE, compose project p\\x0D service s\\u{202E}) publishes the port',
    );
    const service = owners({
      platform: 'win32',
      listeners: [listener({ address: '0.0.0.0', family: 4, pid: 700 })],
      processes: new Map([[700, facts(700, { name: 'svchost.exe' })]]),
      services: new Map([[700, ['Evil\nService']]]),
    });
    assert.match(service[0]?.description ?? '', /^Windows service Evil\\x0AService in svchost\.exe/);
  });
});

describe('formatEndpoint', () => {
  const rows: [string, number, string][] = [
    ['0.0.0.0', 7777, '0.0.0.0:7777'],
    ['127.0.0.1', 1, '127.0.0.1:1'],
    ['::', 7777, '[::]:7777'],
    ['::1', 65535, '[::1]:65535'],
    ['fe80::1', 80, '[fe80::1]:80'],
  ];
  for (const [address, port, expected] of rows) {
    it(`${address} ${port} -> ${expected}`, () => assert.equal(formatEndpoint(address, port), expected));
  }
});

describe('assembleOwners: a docker-group user sees docker-proxy without its PID', () => {
  it('folds those hidden sockets into the container that publishes them', () => {
    const published = container({
      publishedPorts: [{ hostIp: '0.0.0.0', hostPort: 7777, containerPort: 80, protocol: 'tcp' }],
    });
    const result = owners({
      listeners: [
        listener({ address: '0.0.0.0', family: 4, uid: 0 }),
        listener({ address: '127.0.0.1', family: 4, uid: 0 }),
      ],
      containers: [published],
    });
    assert.deepEqual(
      result.map((o) => [o.kind, o.addresses]),
      [
        ['container', ['0.0.0.0']],
        ['hidden', ['127.0.0.1']],
      ],
    );
  });
});
