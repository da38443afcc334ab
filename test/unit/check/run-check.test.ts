import { answered } from '../../support/health.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../../src/check/run-check.ts';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { scenario } from './check-scenarios.ts';
import {
  container,
  dockerOk,
  facts,
  fakeDeps,
  host,
  listener,
  probe,
  readableTable,
} from '../../support/check-fakes.ts';

describe('runCheck: what it asks, and when', () => {
  it('a free port: no owner lookup beyond the empty list, no next-port scan', async () => {
    const { deps, calls } = fakeDeps(scenario('linux-free').world);
    const { data } = await runCheck(deps, host('0.0.0.0'), 7799);
    assert.equal(data.status, 'free');
    assert.deepEqual(calls.ownerPids, [[]]);
    assert.deepEqual(calls.nextFreePort, []);
    assert.deepEqual(calls.httpSysPorts, []);
  });

  it('asks for facts of the blocking and shadowing PIDs only, each once', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([
        listener({ address: '0.0.0.0', family: 4, pid: 10 }),
        listener({ address: '::', family: 6, pid: 10 }),
        listener({ address: '::1', family: 6, pid: 11 }),
        listener({ address: '192.168.1.9', family: 4, pid: 12 }),
      ]),
    });
    const { data } = await runCheck(deps, host('127.0.0.1'), 7777);
    assert.deepEqual(calls.ownerPids, [[10, 11]]);
    // Every listener is reported with its relation, the unrelated one too.
    assert.deepEqual(
      data.listeners.map((l) => [l.address, l.pid, l.relation]),
      [
        ['0.0.0.0', 10, 'blocks'],
        ['::', 10, 'shadows'],
        ['::1', 11, 'shadows'],
        ['192.168.1.9', 12, 'none'],
      ],
    );
    assert.deepEqual(calls.nextFreePort, [{ host: '127.0.0.1', port: 7777 }]);
  });

  it('asks http.sys only on Windows and only when PID 4 holds the port, and looks up its registrants', async () => {
    const windows = fakeDeps(scenario('win32-pid4-http-sys').world);
    await runCheck(windows.deps, host('0.0.0.0'), 8080);
    assert.deepEqual(windows.calls.httpSysPorts, [8080]);
    // Neither of the two unnamed queues is certainly the URL's: their processes are not asked about.
    assert.deepEqual(windows.calls.ownerPids, [[4]]);

    const linux = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 4 })]),
    });
    await runCheck(linux.deps, host('0.0.0.0'), 7777);
    assert.deepEqual(linux.calls.httpSysPorts, []);

    const otherPid = fakeDeps(scenario('win32-wslhost').world);
    await runCheck(otherPid.deps, host('0.0.0.0'), 80);
    assert.deepEqual(otherPid.calls.httpSysPorts, []);
  });

  it('asks Docker for the port, then again with the container ids found in holders cgroups', async () => {
    const id = 'd'.repeat(64);
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 5000 })]),
      processes: [facts(5000, { name: 'httpd', cgroupContainerId: id })],
      docker: {
        status: dockerOk,
        containers: [container({ id, name: 'probe2', publishedPorts: [], networkMode: 'host' })],
      },
    });
    const { data } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.deepEqual(calls.docker, [
      { port: 7777, containerIds: [] },
      { port: 7777, containerIds: [id] },
    ]);
    assert.deepEqual(
      data.owners.map((o) => [o.kind, o.pid, o.container?.name]),
      [['container', null, 'probe2']],
    );
  });

  it('asks a dashboard for its health through the loopback of the family it listens on', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('bound'),
      table: readableTable([listener({ address: '::', family: 6, pid: 2345 })]),
      processes: [
        facts(2345, { name: 'python', commandLine: 'python -m tapo_camera_mcp.web --host :: --port 7777' }),
      ],
      health: { 'http://[::1]:7777/api/health': 'degraded' },
    });
    const { data } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.deepEqual(calls.healthUrls, ['http://[::1]:7777/api/health']);
    assert.equal(data.status, 'shadowed');
    assert.deepEqual(data.owners[0]?.dashboard, {
      healthUrl: 'http://[::1]:7777/api/health',
      healthStatus: 'degraded',
      health: answered('degraded'),
      recognizedBy: 'command-line',
    });
  });

  it('recognises a dashboard a start recorded (PID and start time) whatever its command line, and asks its recorded health URL', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 4321 })]),
      processes: [
        facts(4321, {
          name: 'python',
          commandLine: 'python app.py --port 7777',
          startTime: '2026-11-25T10:00:00.000Z',
        }),
      ],
      recorded: [
        {
          pid: 4321,
          startTime: '2026-11-25T10:00:00.000Z',
          healthUrl: 'http://127.0.0.1:7777/healthz',
          requestedPort: 7777,
        },
      ],
      health: { 'http://127.0.0.1:7777/healthz': answered('warning', { issues: ['high_cpu'] }) },
    });
    const { data } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.deepEqual(calls.healthUrls, ['http://127.0.0.1:7777/healthz']);
    assert.equal(data.owners[0]?.kind, 'dashboard');
    assert.equal(data.owners[0]?.dashboard?.recognizedBy, 'status-record');
    assert.match(
      data.summary,
      /an earlier Tapo dashboard, python \(PID 4321\).*; health: warning \(high_cpu\)/,
    );
  });

  it('a record whose PID now belongs to a process started later is not our dashboard (PID reuse)', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 4321 })]),
      processes: [
        facts(4321, { name: 'nginx', commandLine: 'nginx', startTime: '2026-11-25T12:00:00.000Z' }),
      ],
      recorded: [
        {
          pid: 4321,
          startTime: '2026-11-25T10:00:00.000Z',
          healthUrl: 'http://127.0.0.1:7777/api/health',
          requestedPort: 7777,
        },
      ],
    });
    const { data } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.deepEqual(calls.healthUrls, []);
    assert.equal(data.owners[0]?.kind, 'process');
  });

  it('spends no health time on a holder that is not a dashboard', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 4321 })]),
      processes: [facts(4321, { name: 'node', commandLine: 'node server.js' })],
      recorded: [],
    });
    await runCheck(deps, host('0.0.0.0'), 7777);
    assert.deepEqual(calls.healthUrls, []);
  });

  it('reader warnings become W_PARTIAL, an unreadable table W_SOCKET_TABLE, a failing engine W_DOCKER', async () => {
    const { deps } = fakeDeps({
      platform: 'win32',
      probe: probe('bound'),
      table: {
        readable: false,
        source: 'netstat -ano',
        reason: 'could not run netstat.exe -ano (ENOENT)',
        warnings: [],
      },
      reserved: { ranges: [], warnings: ['IPv6 excluded port ranges are unknown: timed out'] },
      docker: {
        status: {
          state: 'error',
          endpoint: 'npipe:////./pipe/docker_engine',
          endpointSource: 'default',
          message: null,
        },
        containers: [],
      },
    });
    const { data, warnings } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.equal(data.status, 'unknown');
    assert.deepEqual(warnings, [
      { code: 'W_PARTIAL', message: 'IPv6 excluded port ranges are unknown: timed out' },
      { code: 'W_SOCKET_TABLE', message: 'socket table unreadable: could not run netstat.exe -ano (ENOENT)' },
      { code: 'W_DOCKER', message: 'Docker engine error' },
    ]);
  });

  // The dynamic range Hyper-V/WinNAT draw from: a free port inside it may be taken at the next
  // boot, so check says how to keep it; a reserved port gets the fix with WinNAT instead.
  const dynamicCases: [string, number, 4 | 6, boolean][] = [
    ['IPv4 port inside the IPv4 dynamic range', 7777, 4, true],
    ['IPv4 port below the IPv4 dynamic range', 1023, 4, false],
    ['IPv6 port: only the IPv6 range counts', 50000, 6, false],
    ['IPv4 port inside both', 50000, 4, true],
  ];
  for (const [name, port, family, warned] of dynamicCases) {
    it(`W_DYNAMIC_PORT_RANGE: ${name}`, async () => {
      const { deps } = fakeDeps({
        platform: 'win32',
        probe: probe('bound'),
        table: readableTable([]),
        reserved: { ranges: [], warnings: [] },
        dynamicRanges: [
          { start: 1024, end: 65535, family: 4 },
          { start: 60000, end: 65535, family: 6 },
        ],
      });
      const { data, warnings } = await runCheck(deps, host(family === 4 ? '0.0.0.0' : '::'), port);
      assert.equal(data.status, 'free');
      assert.deepEqual(data.dynamicPortRange, warned ? { start: 1024, end: 65535, family: 4 } : null);
      assert.deepEqual(
        warnings,
        warned
          ? [
              {
                code: 'W_DYNAMIC_PORT_RANGE',
                message: `port ${port} lies in Windows' dynamic port range 1024-65535, from which Hyper-V and WinNAT reserve ranges at boot; to keep it, as administrator: netsh int ipv4 add excludedportrange protocol=tcp startport=${port} numberofports=1 store=persistent`,
              },
            ]
          : [],
      );
    });
  }

  it('WSL is asked only when its relay holds the port, and its answer reaches owner, summary and fixes', async () => {
    const relay = {
      platform: 'win32' as const,
      probe: probe('in-use', 'EADDRINUSE'),
      table: readableTable([listener({ address: '127.0.0.1', family: 4, pid: 19820 })]),
      processes: [facts(19820, { name: 'wslrelay.exe' })],
    };
    const stale = fakeDeps({ ...relay, wslRelay: { answer: 'no-distribution-running' } });
    const { data } = await runCheck(stale.deps, host('127.0.0.1'), 7777);
    assert.deepEqual(stale.calls.wslRelayPorts, [7777]);
    assert.equal(data.owners[0]?.forwarder?.stale, true);
    assert.equal(
      data.summary,
      'Port 7777 on 127.0.0.1 is in use: WSL: wslrelay.exe (PID 19820) holds the port, but no WSL distribution is running: a stale relay.',
    );
    assert.deepEqual(
      data.fixes.map((fix) => fix.commands.powershell),
      ['python -m tapo_camera_mcp.web --host 127.0.0.1 --port 7779', 'wsl --shutdown'],
    );

    const unanswered = fakeDeps(relay);
    const { warnings } = await runCheck(unanswered.deps, host('127.0.0.1'), 7777);
    assert.deepEqual(warnings, [{ code: 'W_WSL', message: 'WSL did not answer: not set by the test' }]);

    const notRelay = fakeDeps({ ...relay, processes: [facts(19820, { name: 'python.exe' })] });
    await runCheck(notRelay.deps, host('127.0.0.1'), 7777);
    assert.deepEqual(notRelay.calls.wslRelayPorts, []);
  });

  it('a port Hyper-V/WinNAT already reserved gets the WinNAT fix, not the warning', async () => {
    const { deps } = fakeDeps({
      platform: 'win32',
      probe: probe('forbidden', 'EACCES'),
      table: readableTable([]),
      reserved: { ranges: [{ start: 7700, end: 7799, family: 4, administered: false }], warnings: [] },
      dynamicRanges: [{ start: 1024, end: 65535, family: 4 }],
    });
    const { data, warnings } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.equal(data.status, 'reserved');
    assert.deepEqual(warnings, []);
    assert.ok(
      data.fixes.some(
        (fix) =>
          fix.commands.cmd ===
          'net stop winnat & netsh int ipv4 add excludedportrange protocol=tcp startport=7777 numberofports=1 store=persistent & net start winnat',
      ),
    );
  });

  it('an address this machine does not have is E_HOST_NOT_LOCAL (exit 2), not a port answer', async () => {
    const { deps } = fakeDeps({
      platform: 'linux',
      probe: probe('address-not-local', 'EADDRNOTAVAIL'),
      table: readableTable([]),
    });
    await assert.rejects(runCheck(deps, host('192.0.2.1'), 7777), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_HOST_NOT_LOCAL');
      assert.equal(error.message, '--host "192.0.2.1" is not an address of this machine (EADDRNOTAVAIL)');
      return true;
    });
  });

  it('a socket table whose tool is not installed is E_DEPENDENCY_MISSING (exit 3), not "unknown"', async () => {
    const { deps, calls } = fakeDeps({
      platform: 'win32',
      probe: probe('bound'),
      table: {
        readable: false,
        source: 'netstat -ano',
        reason: 'could not run netstat.exe -ano (ENOENT)',
        warnings: [],
        missingTool: 'netstat.exe',
      },
    });
    await assert.rejects(runCheck(deps, host('0.0.0.0'), 7777), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_DEPENDENCY_MISSING');
      assert.equal(
        error.message,
        'cannot read the socket table: netstat.exe is not installed (could not run netstat.exe -ano (ENOENT))',
      );
      return true;
    });
    assert.deepEqual(calls.ownerPids, []);
  });

  it('an unreadable table whose tool is there is "unknown", never "free"', async () => {
    const { deps } = fakeDeps({
      platform: 'win32',
      probe: probe('bound'),
      table: {
        readable: false,
        source: 'netstat -ano',
        reason: 'netstat -ano printed no TCP rows',
        warnings: [],
      },
    });
    const { data } = await runCheck(deps, host('0.0.0.0'), 7777);
    assert.equal(data.status, 'unknown');
  });

  // queryDocker is started before the socket table is read. The real one can reject (the
  // separately bundled Docker client fails to load); the socket answer must survive that, and no
  // rejection may be left unhandled (Node ends the process on one, after the CLI wrote its answer).
  it('a Docker query that rejects is a W_DOCKER warning, not a failed check', async () => {
    const { deps } = fakeDeps(scenario('linux-python3-wildcard').world);
    deps.queryDocker = async () => {
      throw new Error('Cannot find module dist/docker-engine.cjs');
    };
    const { data, warnings } = await runCheck(deps, host('0.0.0.0'), 7781);
    assert.equal(data.status, 'in-use');
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['W_DOCKER'],
    );
  });

  it('a Docker query that rejects while the host is refused leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const { deps } = fakeDeps({
        platform: 'linux',
        probe: probe('address-not-local', 'EADDRNOTAVAIL'),
        table: readableTable([]),
      });
      deps.queryDocker = () =>
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error('docker client failed')), 5));
      await assert.rejects(runCheck(deps, host('192.0.2.1'), 7777), { code: 'E_HOST_NOT_LOCAL' });
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
