// runStart with a fake machine (test/support/start-fakes.ts): every port policy, the pre-launch
// re-check, address-in-use after the launch, readiness and its timeout, the lock held by another
// start, and the status record as it moves from starting to running to exited. The clock is
// virtual, so waits of a minute take no time.
import { answered, notDashboard, slow } from '../../support/health.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectAddressOf } from '../../../src/input/address-family.ts';
import { runStart } from '../../../src/start/run-start.ts';
import { resolveHealthUrl } from '../../../src/start/await-ready.ts';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { parseHost } from '../../../src/input/parse-host.ts';
import {
  busy,
  dashboardOwner,
  FakeStartWorld,
  free,
  LAUNCHER,
  lockOwner,
  otherRecord,
  startOptions,
  statusOf,
  stopData,
  T0,
} from '../../support/start-fakes.ts';
import { containerOwner, processOwner } from '../stop/stop-fakes.ts';

const IN_USE_LINE =
  "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 7777): address already in use";

const container = containerOwner({ name: 'tapo-camera-mcp' });
const foreign = processOwner(3000, { name: 'nginx' });

describe('runStart: a free port', () => {
  it('launches on the requested port and records starting, running, exited with the exit code', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ exit: { code: 0, signal: null, exitCode: 0 } }];
    const data = await runStart(world.deps(), startOptions());

    assert.equal(data.outcome, 'exited');
    assert.equal(data.exitCode, 0);
    assert.equal(data.dashboardExitCode, 0);
    assert.equal(data.port, 7777);
    assert.equal(data.url, 'http://127.0.0.1:7777/');
    assert.equal(data.healthUrl, 'http://127.0.0.1:7777/api/health');
    assert.equal(data.health, 'healthy');
    assert.equal(data.launches, 1);
    assert.equal(data.conflict, null);
    assert.equal(data.recoveredStaleLock, null);
    assert.deepEqual(data.dashboard, {
      pid: 5000,
      startTime: new Date(T0).toISOString(),
      command: ['/p/venv/bin/python', '-m', 'tapo_camera_mcp.web', '--host', '0.0.0.0', '--port', '7777'],
    });
    assert.deepEqual(world.launched(), ['launch 7777']);
    assert.deepEqual(world.states(), ['starting', 'running', 'exited']);

    const last = world.lastRecord();
    assert.equal(last.exitCode, 0);
    assert.equal(last.port, 7777);
    assert.equal(last.requestedPort, 7777);
    assert.equal(last.policy, 'reuse');
    assert.equal(last.dashboard?.pid, 5000);
    assert.deepEqual(last.launcher, LAUNCHER);
    assert.equal(last.schemaVersion, '1.0');
    assert.equal(last.startedAt, new Date(T0).toISOString());
    const running = world.records.find((r) => r.state === 'running');
    assert.equal(running?.message, 'Running on 7777; health: healthy.');
    assert.equal(world.releases, 1);
  });

  it("passes the dashboard's own exit code on, 128 + n for a signal", async () => {
    for (const exit of [
      { code: 1, signal: null, exitCode: 1 },
      { code: 42, signal: null, exitCode: 42 },
      { code: null, signal: 'SIGINT', exitCode: 130 },
    ]) {
      const world = new FakeStartWorld();
      world.scripts = [{ exit }];
      const data = await runStart(world.deps(), startOptions());
      assert.equal(data.outcome, 'exited');
      assert.equal(data.exitCode, exit.exitCode);
      assert.equal(data.dashboardExitCode, exit.exitCode);
      assert.equal(world.lastRecord().state, 'exited');
      assert.equal(world.lastRecord().exitCode, exit.exitCode);
    }
  });

  it('asks the wildcard on its loopback and the health URL it was given', async () => {
    const world = new FakeStartWorld();
    const data = await runStart(world.deps(), startOptions({ host: parseHost('::'), healthUrl: '/status' }));
    assert.equal(data.healthUrl, 'http://[::1]:7777/status');
    assert.equal(data.url, 'http://[::1]:7777/');
    assert.ok(world.calls.includes('connect ::1 7777'));
    assert.ok(world.calls.includes('health http://[::1]:7777/status'));
    const connects = world.calls.filter((c) => c.startsWith('connect '));
    assert.ok(connects.length > 0 && connects.every((c) => c === 'connect ::1 7777'));
  });

  it('polls with doubling waits from 20 ms, capped at 100 ms, and shows progress', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: 3000 }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'exited');
    assert.deepEqual(world.sleeps.slice(0, 6), [20, 40, 80, 100, 100, 100]);
    assert.ok(world.sleeps.every((ms) => ms <= 100));
    assert.ok(
      world.progress.some((line) =>
        /Waiting for the dashboard at http:\/\/127\.0\.0\.1:7777\/api\/health: 0 s of 60 s/.test(line),
      ),
    );
    const ready = world.lines.find((l) => l.line.startsWith('Dashboard ready'));
    assert.equal(ready?.level, 'info');
    assert.match(ready?.line ?? '', /in 3\.\d s \(PID 5000, health: healthy\)/);
  });

  it('is not ready while the port accepts but the health URL does not answer', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: 0, health: null, exitsAt: 'never' }];
    const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 2000 }));
    assert.equal(data.outcome, 'not-ready');
    assert.equal(data.exitCode, 11);
  });

  it('says the health the dashboard answered when it is not healthy, and still runs it', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ health: 'warning' }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'exited');
    assert.equal(data.health, 'warning');
    assert.equal(
      world.records.find((r) => r.state === 'running')?.message,
      'Running on 7777; health: warning.',
    );
  });
});

describe('runStart: policy reuse', () => {
  it('a healthy dashboard of ours: reused, exit 0, nothing launched', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([dashboardOwner(2345, 'healthy')])]);
    const data = await runStart(world.deps(), startOptions({ policy: 'reuse' }));
    assert.equal(data.outcome, 'reused');
    assert.equal(data.exitCode, 0);
    assert.equal(data.port, 7777);
    assert.equal(data.health, 'healthy');
    assert.equal(data.url, 'http://127.0.0.1:7777/');
    assert.equal(data.healthUrl, 'http://127.0.0.1:7777/api/health');
    assert.equal(data.conflict?.resolution, 'reused');
    assert.equal(data.launches, 0);
    assert.deepEqual(world.launched(), []);
    assert.ok(
      !world.calls.some((c) => c.startsWith('probe') || c.startsWith('prepare') || c.startsWith('stop')),
    );
    assert.match(data.summary, /already runs on port 7777 .*Nothing was started\./);
    assert.deepEqual(world.states(), ['starting', 'reused']);
    assert.equal(world.lastRecord().dashboard, null);
    assert.equal(world.lastRecord().conflict?.owners[0]?.pid, 2345);
    assert.equal(world.releases, 1);
  });

  // Cameras offline, a full disk, CPU above the dashboard's critical line: it still runs and answers.
  for (const [status, issues, shown] of [
    ['warning', ['no_cameras_online'], 'health: warning (no_cameras_online)'],
    ['critical', ['critical_cpu'], 'health: critical (critical_cpu)'],
  ] as const) {
    it(`a dashboard answering ${status}: reused, exit 0, and its health and issues are said`, async () => {
      const world = new FakeStartWorld();
      const health = answered(status, { issues: [...issues] });
      world.checks.set(7777, [busy([dashboardOwner(2345, health)])]);
      const data = await runStart(world.deps(), startOptions({ policy: 'reuse' }));
      assert.equal(data.outcome, 'reused');
      assert.equal(data.exitCode, 0);
      assert.equal(data.health, status);
      assert.deepEqual(data.healthReport, health);
      assert.ok(data.summary.includes(`; ${shown}. Open http://127.0.0.1:7777/.`), data.summary);
      assert.deepEqual(world.launched(), []);
    });
  }

  for (const [name, owners, reason] of [
    ['a dashboard whose health handler failed', [dashboardOwner(2345, 'error')], /its health says "error"/],
    ['a dashboard too slow to answer', [dashboardOwner(2345, slow(10_000))], /did not answer within 10 s/],
    [
      'something answering that is not the dashboard',
      [dashboardOwner(2345, notDashboard(404))],
      /not .*dashboard's JSON \(HTTP 404\)/,
    ],
    ['a silent dashboard', [dashboardOwner(2345, null)], /does not answer/],
    ['a foreign process', [foreign], /not a Tapo dashboard/],
    ['a container', [container], /not a Tapo dashboard/],
  ] as const) {
    it(`${name}: conflict, exit 1, nothing launched`, async () => {
      const world = new FakeStartWorld();
      world.checks.set(7777, [busy([...owners])]);
      const data = await runStart(world.deps(), startOptions({ policy: 'reuse' }));
      assert.equal(data.outcome, 'conflict');
      assert.equal(data.exitCode, 1);
      assert.match(data.summary, reason);
      assert.match(data.summary, /The dashboard was not started\.$/);
      assert.equal(data.check?.status, 'in-use');
      assert.equal(data.conflict?.resolution, 'failed');
      assert.equal(data.port, null);
      assert.deepEqual(world.launched(), []);
      assert.equal(world.lastRecord().state, 'not-started');
      assert.equal(world.lastRecord().port, null);
      assert.equal(world.releases, 1);
    });
  }
});

describe('runStart: policy fail', () => {
  it('even a healthy dashboard: conflict, exit 1', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([dashboardOwner(2345, 'healthy')])]);
    const data = await runStart(world.deps(), startOptions({ policy: 'fail' }));
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 1);
    assert.deepEqual(world.launched(), []);
    assert.equal(data.check?.owners[0]?.pid, 2345);
  });

  it('exit 4 when the status is unknown', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([], { status: 'unknown', summary: 'Port 7777 could not be checked.' })]);
    const data = await runStart(world.deps(), startOptions({ policy: 'fail' }));
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 4);
    assert.equal(world.lastRecord().conflict?.status, 'unknown');
  });

  it('exit 1 for a reserved port', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([], { status: 'reserved', summary: 'Port 7777 is reserved.' })]);
    const data = await runStart(world.deps(), startOptions({ policy: 'fail' }));
    assert.equal(data.exitCode, 1);
  });
});

describe('runStart: policy next', () => {
  it('moves to the port find-port gives, says so loudly and records resolution next', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([container])]);
    const data = await runStart(world.deps(), startOptions({ policy: 'next' }));
    assert.deepEqual(
      world.calls.filter((c) => /^(check|find-port|probe|prepare|launch)/.test(c)),
      ['check 7777', 'find-port 7777', 'probe 7779', 'prepare 7779', 'launch 7779'],
    );
    const loud = world.lines.filter((l) => l.level === 'loud').map((l) => l.line);
    assert.ok(
      loud.includes(
        'PORT CHANGED: port 7777 is held by container tapo-camera-mcp; the dashboard starts on port 7779 instead.',
      ),
    );
    assert.ok(loud.some((line) => line.startsWith('Dashboard ready at http://127.0.0.1:7779/')));
    assert.equal(data.outcome, 'exited');
    assert.equal(data.port, 7779);
    assert.equal(data.requestedPort, 7777);
    assert.equal(data.conflict?.resolution, 'next');
    assert.equal(data.conflict?.owners[0]?.container, 'tapo-camera-mcp');
    const running = world.records.find((r) => r.state === 'running');
    assert.equal(running?.port, 7779);
    assert.equal(running?.requestedPort, 7777);
    assert.equal(running?.conflict?.resolution, 'next');
    assert.equal(
      running?.message,
      'Running on 7779 because 7777 is held by container tapo-camera-mcp; health: healthy.',
    );
  });

  it('no free port: E_NO_FREE_PORT thrown, the record says not-started, the lock is released', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign])]);
    world.nextPorts.set(7777, null);
    await assert.rejects(runStart(world.deps(), startOptions({ policy: 'next' })), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_NO_FREE_PORT');
      assert.equal(error.exitCode, 6);
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, /port 7777 is in-use and no free port was found above it \(up to 7877\)/);
      return true;
    });
    assert.deepEqual(world.launched(), []);
    const last = world.lastRecord();
    assert.equal(last.state, 'not-started');
    assert.equal(last.port, null);
    assert.equal(last.conflict?.resolution, 'failed');
    assert.match(last.message ?? '', /no free port/);
    assert.equal(world.releases, 1);
  });

  it('a free port is launched on as asked, find-port untouched', async () => {
    const world = new FakeStartWorld();
    const data = await runStart(world.deps(), startOptions({ policy: 'next' }));
    assert.equal(data.port, 7777);
    assert.ok(!world.calls.some((c) => c.startsWith('find-port')));
    assert.ok(!world.lines.some((l) => l.level === 'loud'));
  });
});

describe('runStart: policy stop', () => {
  it('stops the holder, then launches on the requested port', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign])]);
    const data = await runStart(world.deps(), startOptions({ policy: 'stop' }));
    assert.deepEqual(
      world.calls.filter((c) => /^(check|stop|probe|launch)/.test(c)),
      ['check 7777', 'stop 7777', 'probe 7777', 'launch 7777'],
    );
    assert.equal(data.outcome, 'exited');
    assert.equal(data.port, 7777);
    assert.equal(data.stop?.outcome, 'stopped');
    assert.equal(data.conflict?.resolution, 'stopped');
    assert.equal(world.records.find((r) => r.state === 'running')?.conflict?.resolution, 'stopped');
  });

  for (const [outcome, code] of [
    ['refused', 8],
    ['failed', 9],
    ['timed-out', 9],
  ] as const) {
    it(`a stop that ends ${outcome}: exit ${code}, nothing launched`, async () => {
      const world = new FakeStartWorld();
      world.checks.set(7777, [busy([foreign])]);
      world.stopAnswer = stopData(outcome);
      const data = await runStart(world.deps(), startOptions({ policy: 'stop' }));
      assert.equal(data.outcome, 'stop-failed');
      assert.equal(data.exitCode, code);
      assert.equal(data.stop?.outcome, outcome);
      assert.equal(data.conflict?.resolution, 'failed');
      assert.match(data.summary, /The dashboard was not started\.$/);
      assert.deepEqual(world.launched(), []);
      assert.ok(!world.calls.some((c) => c.startsWith('probe')));
      assert.equal(world.lastRecord().state, 'not-started');
      assert.equal(world.releases, 1);
    });
  }

  it('a holder that went away before the stop (nothing to stop): launches, never exit 7', async () => {
    // start's exit codes (docs/start.md) have no 7: the port is free, so the start goes on.
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign]), free()]);
    world.stopAnswer = stopData('nothing-to-stop');
    const data = await runStart(world.deps(), startOptions({ policy: 'stop' }));
    assert.notEqual(data.exitCode, 7);
    assert.deepEqual(world.launched(), ['launch 7777']);
    assert.equal(data.outcome, 'exited');
  });
});

describe('runStart: the pre-launch bind probe', () => {
  it('finds the port taken: checks again, then launches', async () => {
    const world = new FakeStartWorld();
    world.probes = ['in-use'];
    const data = await runStart(world.deps(), startOptions());
    assert.deepEqual(
      world.calls.filter((c) => /^(check|probe|launch)/.test(c)),
      ['check 7777', 'probe 7777', 'check 7777', 'probe 7777', 'launch 7777'],
    );
    assert.ok(
      world.lines.some((l) => /taken just before the launch \(EADDRINUSE\); checking again/.test(l.line)),
    );
    assert.equal(data.outcome, 'exited');
  });

  it('taken every time: gives up after 3 probes with a conflict, nothing launched', async () => {
    const world = new FakeStartWorld();
    world.probes = ['in-use', 'in-use', 'in-use', 'in-use', 'in-use'];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(world.calls.filter((c) => c.startsWith('probe')).length, 3);
    assert.equal(world.calls.filter((c) => c.startsWith('check')).length, 4);
    assert.deepEqual(world.launched(), []);
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 1);
    assert.equal(data.launches, 0);
    assert.match(data.summary, /taken again each time just before the launch/);
    assert.equal(world.lastRecord().state, 'not-started');
    assert.equal(world.releases, 1);
  });

  it('taken every time, and check then names the holder: its status decides the exit code', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), free(), free(), busy([], { status: 'unknown', summary: 'unknown' })]);
    world.probes = ['in-use', 'in-use', 'in-use'];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 4);
  });
});

describe('runStart: address in use after the launch', () => {
  it('re-checks and explains the holder like check (reuse with a foreign holder: exit 1)', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), busy([foreign])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.deepEqual(world.launched(), ['launch 7777']);
    assert.equal(world.calls.filter((c) => c.startsWith('check')).length, 2);
    assert.ok(
      world.lines.some((l) =>
        /could not bind port 7777 \(address in use\); checking the port again/.test(l.line),
      ),
    );
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 1);
    assert.equal(data.check?.owners[0]?.pid, 3000);
    assert.equal(data.launches, 1);
  });

  it('the record after a lost race names no dashboard of ours', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), busy([foreign])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    await runStart(world.deps(), startOptions());
    const last = world.lastRecord();
    assert.equal(last.state, 'not-started');
    // docs/start.md: port is "null when nothing was started"; a dashboard that died at start-up
    // must not be left in the record as if it were alive (status would call it "gone, exit not recorded").
    assert.equal(last.port, null);
    assert.equal(last.dashboard, null);
  });

  it('reuse: a healthy dashboard that won the race is reused, and the record names no dashboard of ours', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), busy([dashboardOwner(2345, 'healthy')])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'reused');
    assert.equal(data.exitCode, 0);
    const last = world.lastRecord();
    assert.equal(last.state, 'reused');
    assert.equal(last.dashboard, null, 'the reused dashboard is not the one we launched');
  });

  it('reuse after a lost race: the launch that was made is counted', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), busy([dashboardOwner(2345, 'healthy')])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'reused');
    assert.equal(data.launches, 1);
  });

  it('next: moves on to the next port and runs there', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [free(), busy([container])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
      {},
    ];
    const data = await runStart(world.deps(), startOptions({ policy: 'next' }));
    assert.deepEqual(world.launched(), ['launch 7777', 'launch 7779']);
    assert.equal(data.outcome, 'exited');
    assert.equal(data.port, 7779);
    assert.equal(data.launches, 2);
    assert.equal(data.conflict?.resolution, 'next');
    assert.ok(world.lines.some((l) => l.level === 'loud' && l.line.startsWith('PORT CHANGED: port 7777')));
  });

  it('next: at most 3 launches in all', async () => {
    const world = new FakeStartWorld();
    // 7777 is free when first checked; every port is taken by the time its dashboard binds.
    world.checks.set(7777, [free(), busy([foreign])]);
    for (const port of [7779, 7780, 7781]) world.checks.set(port, [busy([foreign], { port })]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions({ policy: 'next' }));
    assert.deepEqual(world.launched(), ['launch 7777', 'launch 7779', 'launch 7780']);
    assert.equal(data.launches, 3);
    assert.equal(data.outcome, 'crashed');
    assert.equal(data.exitCode, 1);
    assert.match(data.summary, /could not bind port 7780, 3 launches/);
    assert.equal(world.releases, 1);
  });

  it('reuse with a port that checks free each time: at most 3 launches', async () => {
    const world = new FakeStartWorld();
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 100,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(world.launched().length, 3);
    assert.equal(data.outcome, 'crashed');
    assert.deepEqual(data.lastLines, [IN_USE_LINE]);
  });

  it('stop: the holder is stopped once; a second loss is explained, not stopped again', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign]), busy([processOwner(3001, { name: 'other' })])]);
    world.scripts = [
      {
        readyAfterMs: null,
        exitsAt: 200,
        exit: { code: 1, signal: null, exitCode: 1 },
        lines: [IN_USE_LINE],
      },
    ];
    const data = await runStart(world.deps(), startOptions({ policy: 'stop' }));
    assert.equal(world.calls.filter((c) => c.startsWith('stop')).length, 1);
    assert.deepEqual(world.launched(), ['launch 7777']);
    assert.equal(data.outcome, 'conflict');
    assert.equal(data.exitCode, 1);
  });
});

describe('runStart: the dashboard ends before it is ready', () => {
  it('code 3: crashed, exit 3, last lines kept', async () => {
    const world = new FakeStartWorld();
    const lines = ['Traceback (most recent call last):', "ModuleNotFoundError: No module named 'fastapi'"];
    world.scripts = [
      { readyAfterMs: null, exitsAt: 400, exit: { code: 3, signal: null, exitCode: 3 }, lines },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'crashed');
    assert.equal(data.exitCode, 3);
    assert.equal(data.dashboardExitCode, 3);
    assert.deepEqual(data.lastLines, lines);
    assert.equal(data.launches, 1);
    assert.match(data.summary, /exited with code 3 before it was ready\.$/);
    assert.equal(world.lastRecord().state, 'exited');
    assert.equal(world.lastRecord().exitCode, 3);
    assert.equal(world.calls.filter((c) => c.startsWith('check')).length, 1, 'a crash is not a port problem');
  });

  it('code 0: exit 11', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: null, exitsAt: 0, exit: { code: 0, signal: null, exitCode: 0 } }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'crashed');
    assert.equal(data.exitCode, 11);
    assert.equal(data.dashboardExitCode, 0);
    assert.equal(world.lastRecord().exitCode, 0);
  });

  it('a signal: 128 + n', async () => {
    const world = new FakeStartWorld();
    world.scripts = [
      { readyAfterMs: null, exitsAt: 10, exit: { code: null, signal: 'SIGKILL', exitCode: 137 } },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.exitCode, 137);
    assert.match(data.summary, /signal SIGKILL \(code 137\)/);
  });

  it('an answer on the port while our process is already gone is not ours', async () => {
    const world = new FakeStartWorld();
    // It accepts at once and exits at once: whatever answers afterwards is someone else.
    world.scripts = [{ readyAfterMs: 0, exitsAt: 0, exit: { code: 2, signal: null, exitCode: 2 } }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'crashed');
    assert.equal(data.exitCode, 2);
  });
});

describe('runStart: readiness timeout', () => {
  it('asks it to stop; it does: exit 11, last lines, record not-ready', async () => {
    const world = new FakeStartWorld();
    world.scripts = [
      { readyAfterMs: null, exitsAt: 'never', onAsk: 'exit', lines: ['starting...', 'still starting'] },
    ];
    const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 2000 }));
    assert.equal(data.outcome, 'not-ready');
    assert.equal(data.exitCode, 11);
    assert.deepEqual(data.lastLines, ['starting...', 'still starting']);
    assert.deepEqual(world.dashboards[0]?.terminations, ['ask']);
    assert.equal(world.lastRecord().state, 'not-ready');
    assert.equal(
      data.summary,
      'The dashboard was not ready within 2 s (port 7777 never accepted a connection), so it was stopped.',
    );
    assert.equal(data.healthReport, null);
    assert.ok(world.clock - T0 >= 2000);
    assert.equal(world.releases, 1);
  });

  it('it ignores SIGTERM: SIGKILL after the 5 s grace', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: null, exitsAt: 'never', onAsk: 'ignore', lines: ['hung'] }];
    const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 2000 }));
    assert.deepEqual(world.dashboards[0]?.terminations, ['ask', 'kill']);
    const ask = world.calls.indexOf('terminate ask 5000');
    const kill = world.calls.indexOf('terminate kill 5000');
    assert.ok(ask !== -1 && kill > ask);
    assert.ok(world.sleeps.includes(5000));
    assert.equal(data.exitCode, 11);
    assert.deepEqual(data.lastLines, ['hung']);
    assert.equal(world.dashboards[0]?.alive, false);
  });

  it('waits the whole timeout in virtual time, never longer than one poll beyond it', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: null, exitsAt: 'never' }];
    await runStart(world.deps(), startOptions({ readyTimeoutMs: 60_000 }));
    const waited = world.sleeps.filter((ms) => ms !== 5000).reduce((a, b) => a + b, 0);
    assert.equal(waited, 60_000);
    assert.ok(
      world.progress.some((line) =>
        line.includes(': 59 s of 60 s (the port does not accept connections yet)'),
      ),
    );
  });

  // The real endpoint: 0.2 s of CPU samples, then up to 3 s twice for the cameras.
  for (const delay of [2_000, 6_000]) {
    it(`a health answer that takes ${delay / 1000} s is waited for (slow, not silent), with progress: ready`, async () => {
      const world = new FakeStartWorld();
      world.scripts = [
        { readyAfterMs: 300, health: 'warning', healthIssues: ['no_cameras_online'], healthDelayMs: delay },
      ];
      const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 60_000 }));
      assert.equal(data.outcome, 'exited');
      assert.equal(data.exitCode, 0);
      assert.equal(data.health, 'warning');
      assert.deepEqual(data.healthReport?.issues, ['no_cameras_online']);
      // One request, given the whole budget, not abandoned after a second and asked again.
      assert.deepEqual(world.healthBudgets, [10_000]);
      assert.ok(
        world.progress.some((line) => line.endsWith('(the port is open; its health has not answered yet)')),
        world.progress.join('\n'),
      );
      assert.ok(
        world.lines.some(({ line }) =>
          /^Dashboard ready at .* health: warning \(no_cameras_online\)\)/.test(line),
        ),
      );
      assert.equal(
        world.records.find((r) => r.state === 'running')?.message,
        'Running on 7777; health: warning (no_cameras_online).',
      );
    });
  }

  it('an answer slower than the budget, every time: not ready, and the summary says it was slow', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: 300, healthDelayMs: 15_000, exitsAt: 'never' }];
    const data = await runStart(
      world.deps(),
      startOptions({ readyTimeoutMs: 25_000, healthBudgetMs: 10_000 }),
    );
    assert.equal(data.outcome, 'not-ready');
    assert.equal(data.exitCode, 11);
    assert.equal(data.healthReport?.answer, 'slow');
    assert.match(
      data.summary,
      /^The dashboard was not ready within 25 s \(the port is open, but http:\/\/127\.0\.0\.1:7777\/api\/health was still answering after [0-9.]+ s; raise --ready-timeout if it is always this slow\), so it was stopped\.$/,
    );
    // No request outlives the deadline: the last one gets what is left.
    assert.ok(world.healthBudgets.every((budget) => budget <= 10_000));
    assert.ok(world.clock - T0 <= 25_000 + 5_000 + 100, String(world.clock - T0));
  });

  it('an answer that is not the dashboard JSON until the deadline: not ready, and the summary says so', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ readyAfterMs: 300, health: null, exitsAt: 'never' }];
    const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 3_000 }));
    assert.equal(data.outcome, 'not-ready');
    assert.match(
      data.summary,
      /the port is open, but http:\/\/127\.0\.0\.1:7777\/api\/health does not answer/,
    );
  });

  it('"error" from its health handler is still a running dashboard: ready', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ health: 'error' }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'exited');
    assert.equal(data.health, 'error');
  });
});

describe('runStart: the lock held by another start', () => {
  const holder = lockOwner(4100);
  const runningFor = (health: string | null) => () =>
    statusOf(otherRecord(4100), { state: 'running', health });

  for (const [policy, code] of [
    ['reuse', 0],
    ['fail', 10],
    ['next', 10],
    ['stop', 10],
  ] as const) {
    it(`running and healthy: already-running, exit ${code} under ${policy}`, async () => {
      const world = new FakeStartWorld();
      world.locks = [{ acquired: false, holder }];
      world.status = runningFor('healthy');
      const data = await runStart(world.deps(), startOptions({ policy }));
      assert.equal(data.outcome, 'already-running');
      assert.equal(data.exitCode, code);
      assert.equal(data.port, 7777);
      assert.equal(data.health, 'healthy');
      assert.equal(data.dashboard?.pid, 6100);
      assert.match(
        data.summary,
        /Another tapo-port start \(PID 4100\) already runs the dashboard for port 7777/,
      );
      assert.deepEqual(world.launched(), []);
      assert.deepEqual(world.records, [], 'the other start owns the record');
      assert.ok(!world.calls.some((c) => c.startsWith('check')));
      assert.equal(world.releases, 0);
    });
  }

  it('running, health "error": exit 10 even under reuse', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }];
    world.status = runningFor('error');
    const data = await runStart(world.deps(), startOptions({ policy: 'reuse' }));
    assert.equal(data.outcome, 'already-running');
    assert.equal(data.exitCode, 10);
    assert.equal(data.health, 'error');
  });

  it('running, health "warning" with the cameras offline: reported, exit 0 under reuse', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }];
    world.status = () =>
      statusOf(otherRecord(4100), {
        state: 'running',
        health: 'warning',
        healthReport: answered('warning', { issues: ['no_cameras_online'] }),
      });
    const data = await runStart(world.deps(), startOptions({ policy: 'reuse' }));
    assert.equal(data.outcome, 'already-running');
    assert.equal(data.exitCode, 0);
    assert.match(data.summary, /; health: warning \(no_cameras_online\)\. Nothing was started\.$/);
  });

  it('waits for the other start to become ready, then reports it', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }];
    world.status = (now) =>
      now - T0 < 3000
        ? statusOf(otherRecord(4100, { state: 'starting' }), { state: 'not-running', health: null })
        : statusOf(otherRecord(4100), { state: 'running', health: 'healthy' });
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.exitCode, 0);
    assert.ok(world.clock - T0 >= 3000 && world.clock - T0 < 3400);
    assert.ok(world.sleeps.every((ms) => ms === 200));
  });

  it('never ready: exit 10 after the ready timeout, in virtual time', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }];
    world.status = () =>
      statusOf(otherRecord(4100, { state: 'starting' }), { state: 'not-running', health: null });
    const data = await runStart(world.deps(), startOptions({ policy: 'reuse', readyTimeoutMs: 60_000 }));
    assert.equal(data.outcome, 'already-running');
    assert.equal(data.exitCode, 10);
    assert.match(
      data.summary,
      /PID 4100, since 2026-11-25T09:58:01\.000Z.*not ready within 60 s\. Nothing was started\./,
    );
    const elapsed = world.clock - T0;
    assert.ok(elapsed >= 60_000 && elapsed <= 60_200, `elapsed ${elapsed}`);
    assert.deepEqual(world.launched(), []);
    assert.deepEqual(world.records, []);
    assert.equal(world.releases, 0);
  });

  it('a record left by an earlier start (another launcher PID) is not the holder', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }];
    world.status = () => statusOf(otherRecord(3999), { state: 'running', health: 'healthy' });
    const data = await runStart(world.deps(), startOptions({ readyTimeoutMs: 1000 }));
    assert.equal(data.exitCode, 10);
    assert.equal(data.dashboard, null);
  });

  it('the other start ends and releases the lock: this one starts', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: false, holder }, { acquired: false, holder }, { acquired: true }];
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'exited');
    assert.deepEqual(world.launched(), ['launch 7777']);
    assert.equal(world.calls.filter((c) => c === 'lock').length, 3);
    assert.equal(world.releases, 1);
  });

  it('asks for the lock as itself: launcher PID, start time, requested port and host', async () => {
    const world = new FakeStartWorld();
    await runStart(world.deps(), startOptions({ host: parseHost('127.0.0.1') }));
    assert.deepEqual(world.lockAttempts[0], {
      pid: LAUNCHER.pid,
      startTime: LAUNCHER.startTime,
      port: 7777,
      host: '127.0.0.1',
      createdAt: new Date(T0).toISOString(),
      version: '0.1.0',
    });
  });
});

describe('runStart: a stale lock taken over', () => {
  it('sets recoveredStaleLock and says so', async () => {
    const world = new FakeStartWorld();
    world.locks = [
      { acquired: true, recoveredStale: lockOwner(4000, { createdAt: '2026-11-24T08:00:00.000Z' }) },
    ];
    const data = await runStart(world.deps(), startOptions());
    assert.deepEqual(data.recoveredStaleLock, { pid: 4000, createdAt: '2026-11-24T08:00:00.000Z' });
    assert.ok(
      world.lines.some(
        (l) => l.line === 'A lock left by tapo-port PID 4000, which no longer runs, was taken over.',
      ),
    );
    assert.equal(data.outcome, 'exited');
  });

  it('is reported with a conflict too', async () => {
    const world = new FakeStartWorld();
    world.locks = [{ acquired: true, recoveredStale: lockOwner(4000) }];
    world.checks.set(7777, [busy([foreign])]);
    const data = await runStart(world.deps(), startOptions({ policy: 'fail' }));
    assert.equal(data.recoveredStaleLock?.pid, 4000);
  });
});

describe('runStart: the lock is released on every path', () => {
  const scenarios: [string, (world: FakeStartWorld) => void, Parameters<typeof startOptions>[0]][] = [
    ['exited', () => undefined, {}],
    ['reused', (w) => w.checks.set(7777, [busy([dashboardOwner(1, 'healthy')])]), {}],
    ['conflict', (w) => w.checks.set(7777, [busy([foreign])]), {}],
    [
      'stop-failed',
      (w) => (w.checks.set(7777, [busy([foreign])]), (w.stopAnswer = stopData('refused'))),
      { policy: 'stop' },
    ],
    [
      'crashed',
      (w) =>
        (w.scripts = [{ readyAfterMs: null, exitsAt: 10, exit: { code: 3, signal: null, exitCode: 3 } }]),
      {},
    ],
    ['not-ready', (w) => (w.scripts = [{ readyAfterMs: null, exitsAt: 'never' }]), { readyTimeoutMs: 1000 }],
  ];
  for (const [outcome, arrange, fields] of scenarios) {
    it(`${outcome}`, async () => {
      const world = new FakeStartWorld();
      arrange(world);
      const data = await runStart(world.deps(), startOptions(fields));
      assert.equal(data.outcome, outcome);
      assert.equal(world.releases, 1);
      assert.equal(world.calls.at(-1), 'release');
    });
  }

  for (const dep of ['check', 'findNextPort', 'stop', 'probeBind', 'prepareCommand', 'launch'] as const) {
    it(`when ${dep} throws: the error goes on, the record says not-started`, async () => {
      const world = new FakeStartWorld();
      world.checks.set(7777, [dep === 'findNextPort' || dep === 'stop' ? busy([foreign]) : free()]);
      const error =
        dep === 'prepareCommand'
          ? new TapoError('E_DEPENDENCY_MISSING', 'no Python found in /p/venv, /p/.venv or on PATH')
          : new Error(`${dep} broke`);
      world.failing = { dep, error };
      const policy = dep === 'findNextPort' ? 'next' : dep === 'stop' ? 'stop' : 'reuse';
      await assert.rejects(runStart(world.deps(), startOptions({ policy })), (thrown) => thrown === error);
      assert.equal(world.releases, 1);
      assert.equal(world.lastRecord().state, 'not-started');
      assert.equal(world.lastRecord().message, error.message);
      assert.deepEqual(world.launched().length, dep === 'launch' ? 1 : 0);
    });
  }

  it('when the lock itself cannot be taken (throws): nothing to release, the error goes on', async () => {
    const world = new FakeStartWorld();
    const error = new TapoError('E_STATE_DIR', 'The state directory /s is a symbolic link.');
    world.failing = { dep: 'acquireLock', error };
    await assert.rejects(runStart(world.deps(), startOptions()), (thrown) => thrown === error);
    assert.equal(world.releases, 0);
    assert.deepEqual(world.records, []);
  });

  it('a dep that throws after the launch: the lock is released and the dashboard is not left running', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ exitsAt: 'never' }];
    world.failing = { dep: 'canConnect', error: new Error('connect broke') };
    await assert.rejects(runStart(world.deps(), startOptions()), /connect broke/);
    assert.equal(world.releases, 1);
    // Nobody waits for it any more: a dashboard left behind would run with no lock, no record.
    assert.equal(world.dashboards[0]?.alive, false, 'the launched dashboard must be stopped');
    assert.deepEqual(world.dashboards[0]?.terminations, ['ask']);
    assert.equal(world.lastRecord().state, 'exited');
    assert.equal(world.lastRecord().message, 'connect broke');
  });

  it('a dep that throws after the launch, and the dashboard ignores SIGTERM: SIGKILL after the grace', async () => {
    const world = new FakeStartWorld();
    world.scripts = [{ exitsAt: 'never', onAsk: 'ignore' }];
    world.failing = { dep: 'fetchHealth', error: new Error('health broke') };
    await assert.rejects(runStart(world.deps(), startOptions()), /health broke/);
    assert.deepEqual(world.dashboards[0]?.terminations, ['ask', 'kill']);
    assert.ok(world.sleeps.includes(5000));
    assert.equal(world.dashboards[0]?.alive, false);
    assert.equal(world.releases, 1);
    assert.equal(world.calls.at(-1), 'release');
  });

  it('a status record that cannot be written is said, and the start goes on', async () => {
    const world = new FakeStartWorld();
    world.writeRecordError = new Error('ENOSPC: no space left on device');
    const data = await runStart(world.deps(), startOptions());
    assert.equal(data.outcome, 'exited');
    assert.ok(
      world.lines.some(
        (l) => l.line === 'Could not write the status record: ENOSPC: no space left on device',
      ),
    );
    assert.equal(world.releases, 1);
  });
});

describe('resolveHealthUrl', () => {
  const cases: [template: string, host: string, port: number, expected: string][] = [
    ['/api/health', '0.0.0.0', 7777, 'http://127.0.0.1:7777/api/health'],
    ['/api/health', '127.0.0.1', 7779, 'http://127.0.0.1:7779/api/health'],
    ['/api/health', 'localhost', 7777, 'http://127.0.0.1:7777/api/health'],
    ['/api/health', '192.168.1.20', 8080, 'http://192.168.1.20:8080/api/health'],
    ['/api/health', '::', 7777, 'http://[::1]:7777/api/health'],
    ['/api/health', '[::]', 7777, 'http://[::1]:7777/api/health'],
    ['/api/health', '::1', 7777, 'http://[::1]:7777/api/health'],
    ['/api/health', '2001:db8::5', 7777, 'http://[2001:db8::5]:7777/api/health'],
    ['/h?x=1', '0.0.0.0', 7777, 'http://127.0.0.1:7777/h?x=1'],
    ['http://{host}:{port}/api/health', '0.0.0.0', 7779, 'http://127.0.0.1:7779/api/health'],
    ['http://{host}:{port}/api/health', '::', 7779, 'http://[::1]:7779/api/health'],
    ['http://{host}:{port}/api/health', '2001:db8::5', 7779, 'http://[2001:db8::5]:7779/api/health'],
    [
      'https://dash.example:{port}/health?port={port}',
      '0.0.0.0',
      7780,
      'https://dash.example:7780/health?port=7780',
    ],
    ['http://127.0.0.1:9000/ready', '0.0.0.0', 7777, 'http://127.0.0.1:9000/ready'],
  ];
  for (const [template, hostText, port, expected] of cases) {
    it(`${template} on ${hostText}:${port} -> ${expected}`, () => {
      assert.equal(resolveHealthUrl(template, parseHost(hostText), port), expected);
      assert.doesNotThrow(() => new URL(expected));
    });
  }
});

describe('resolveHealthUrl: the long forms of ::', () => {
  for (const hostText of ['0:0:0:0:0:0:0:0', '::0']) {
    it(`${hostText} is asked on ::1`, () => {
      assert.equal(
        resolveHealthUrl('/api/health', parseHost(hostText), 7777),
        'http://[::1]:7777/api/health',
      );
    });
  }
});

describe('connectAddressOf', () => {
  const cases: [string, string][] = [
    ['0.0.0.0', '127.0.0.1'],
    ['::', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '::1'],
    ['192.168.1.20', '192.168.1.20'],
    ['2001:db8::5', '2001:db8::5'],
  ];
  for (const [address, expected] of cases) {
    it(`${address} -> ${expected}`, () => assert.equal(connectAddressOf(address), expected));
  }

  it('wildcards as parseHost gives them', () => {
    assert.equal(connectAddressOf(parseHost('[::]').address), '::1');
    assert.equal(connectAddressOf(parseHost('0:0:0:0:0:0:0:0').address), '::1');
    assert.equal(connectAddressOf(parseHost('::0').address), '::1');
    assert.equal(connectAddressOf(parseHost('localhost').address), '127.0.0.1');
  });
});

describe('runStart: the project dependency check (the original script first step)', () => {
  it('runs before the port check, and a pass lets the start go on', async () => {
    const world = new FakeStartWorld();
    world.dependencyCheck = { kind: 'passed', script: '/p/validate_dependencies.py', elapsedMs: 2400 };
    const data = await runStart(world.deps(), startOptions({ dependencyCheck: true }));
    assert.equal(data.outcome, 'exited');
    assert.deepEqual(world.calls.slice(0, 3), ['lock', 'dependency-check', 'check 7777']);
    assert.ok(world.lines.some(({ line }) => line === 'Dependencies checked in 2.4 s.'));
  });

  it('a failure ends the start with exit 3 before the port is looked at: nothing launched, the record says why', async () => {
    const world = new FakeStartWorld();
    world.dependencyCheck = {
      kind: 'failed',
      script: '/p/validate_dependencies.py',
      exitCode: 1,
      lastLines: ['Server may not start! Install critical dependencies first.'],
    };
    await assert.rejects(
      runStart(world.deps(), startOptions({ dependencyCheck: true })),
      (error: TapoError) => {
        assert.equal(error.exitCode, 3);
        assert.match(error.message, /dependency check \/p\/validate_dependencies\.py failed \(exit 1\)/);
        return true;
      },
    );
    assert.ok(!world.calls.some((call) => call.startsWith('check') || call.startsWith('launch')));
    assert.equal(world.lastRecord().state, 'not-started');
    assert.match(world.lastRecord().message ?? '', /dependency check/);
    assert.equal(world.releases, 1);
  });

  it('no script in the project: nothing run, nothing said', async () => {
    const world = new FakeStartWorld();
    await runStart(world.deps(), startOptions({ dependencyCheck: true }));
    assert.ok(world.calls.includes('dependency-check'));
    assert.ok(!world.lines.some(({ line }) => /[Dd]ependenc/.test(line)));
  });

  it('a script but no project Python: said, and the start goes on (the launch explains the missing Python)', async () => {
    const world = new FakeStartWorld();
    world.dependencyCheck = { kind: 'no-python', script: '/p/validate_dependencies.py' };
    const data = await runStart(world.deps(), startOptions({ dependencyCheck: true }));
    assert.equal(data.outcome, 'exited');
    assert.ok(world.lines.some(({ line }) => /was not run: no Python for the project/.test(line)));
  });

  it('--skip-dependency-check: not asked at all', async () => {
    const world = new FakeStartWorld();
    world.dependencyCheck = {
      kind: 'failed',
      script: '/p/validate_dependencies.py',
      exitCode: 1,
      lastLines: [],
    };
    const data = await runStart(world.deps(), startOptions({ dependencyCheck: false }));
    assert.equal(data.outcome, 'exited');
    assert.ok(!world.calls.includes('dependency-check'));
  });
});

describe('runStart: what the launched dashboard is told', () => {
  it('a free port: requested and actual port alike, no conflict', async () => {
    const world = new FakeStartWorld();
    await runStart(world.deps(), startOptions());
    assert.deepEqual(world.launchContexts, [{ requestedPort: 7777, port: 7777, resolution: 'none' }]);
  });

  it('moved by --on-conflict next: both ports and "next"', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign])]);
    await runStart(world.deps(), startOptions({ policy: 'next' }));
    assert.deepEqual(world.launchContexts, [{ requestedPort: 7777, port: 7779, resolution: 'next' }]);
  });

  it('after stopping the holder: "stopped"', async () => {
    const world = new FakeStartWorld();
    world.checks.set(7777, [busy([foreign]), free()]);
    await runStart(world.deps(), startOptions({ policy: 'stop' }));
    assert.deepEqual(world.launchContexts, [{ requestedPort: 7777, port: 7777, resolution: 'stopped' }]);
  });
});
