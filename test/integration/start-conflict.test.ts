// `tapo-port start` when the port is not free, with real holders: a foreign Python listener, an
// earlier fake dashboard (healthy and unhealthy), one that ignores SIGTERM; every policy (reuse,
// fail, next, stop), and a real address-in-use race (a holder takes the port after the bind probe,
// right before the dashboard binds it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StartData } from '../../src/start/start-types.ts';
import {
  canBind,
  canConnect,
  fetchHealth,
  fixtureProjectDir,
  isAlive,
  listenersOn,
  lockPath,
  makeStateDir,
  markedDashboards,
  marker,
  MARKER_NAME,
  outputOf,
  pickPort,
  readRecord,
  startEarlierDashboard,
  startForeignHolder,
  token,
  waitFor,
  type PortHolder,
  type StartRun,
  READY_LINE,
  useStartFixtures,
} from '../support/start-runner.ts';
import { coreCommand } from '../support/core-command.ts';

const linux = process.platform === 'linux';
const { start, track } = useStartFixtures();

const holdManyScript = path.join(import.meta.dirname, '..', 'fixtures', 'holders', 'hold_many.py');

async function hold(holder: Promise<PortHolder>): Promise<PortHolder> {
  const started = await holder;
  track(started);
  return started;
}

async function ready(run: StartRun): Promise<{ url: string; pid: number }> {
  const match = await run.waitForLine(READY_LINE, { stream: 'stderr' });
  return { url: match[1] ?? '', pid: Number(match[2]) };
}

async function interruptAndExpectZero(run: StartRun): Promise<void> {
  run.sendSignal('SIGINT');
  assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
}

/** Nothing was launched by the start: no dashboard process other than `except`. */
function assertNothingStarted(port: number, except: number[] = []): void {
  assert.deepEqual(
    markedDashboards(port)
      .map((d) => d.pid)
      .filter((pid) => !except.includes(pid)),
    [],
    'no dashboard was started',
  );
}

describe('tapo-port start: a port that is not free', { skip: !linux && 'needs /proc (Linux)' }, () => {
  it('fail: a foreign holder is explained with its PID, exit 1, nothing started, holder untouched', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port));
    const run = start(port, stateDir, ['--on-conflict', 'fail']);
    assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use: python3 \\(PID ${holder.pid}\\)`),
    );
    assert.match(run.stderr, /Who holds it:/);
    assert.match(run.stderr, new RegExp(`kill ${holder.pid}`), 'the numbered fixes are shown');
    assert.match(run.stderr, /The dashboard was not started\./);
    assert.equal(run.stdout, '');
    assertNothingStarted(port);
    assert.equal(isAlive(holder.pid), true);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'not-started');
    assert.equal(record?.port, null);
    assert.equal(record?.dashboard, null);
    assert.equal(record?.policy, 'fail');
    assert.equal(record?.conflict?.resolution, 'failed');
    assert.equal(record?.conflict?.status, 'in-use');
    assert.deepEqual(
      record?.conflict?.owners.map((o) => [o.kind, o.pid, o.name]),
      [['process', holder.pid, 'python3']],
    );
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it('reuse (the default): a foreign holder is nothing to reuse: exit 1, nothing started', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port));
    const run = start(port, stateDir);
    assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
    assert.match(run.stderr, /It is not a Tapo dashboard, so there is nothing to reuse\./);
    assert.match(run.stderr, new RegExp(`python3 \\(PID ${holder.pid}\\)`));
    assertNothingStarted(port);
    assert.equal(isAlive(holder.pid), true);
    assert.equal(readRecord(stateDir, port)?.conflict?.resolution, 'failed');
  });

  it('next: starts on the next free port, says so loudly, records why; the holder keeps its port', async () => {
    const port = await pickPort(2);
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port));
    const run = start(port, stateDir, ['--on-conflict', 'next']);
    const shown = await ready(run);
    const next = port + 1;
    assert.match(
      run.stderr,
      new RegExp(
        `PORT CHANGED: port ${port} is held by python3 \\(PID ${holder.pid}\\); the dashboard starts on port ${next} instead\\.`,
      ),
    );
    assert.equal(shown.url, `http://127.0.0.1:${next}/`);
    assert.equal((await fetchHealth(next))?.status, 'healthy');
    assert.deepEqual(
      markedDashboards(next).map((d) => d.pid),
      [shown.pid],
    );
    assert.equal(isAlive(holder.pid), true);
    assert.equal(await canConnect(port), true, 'the holder still listens on the requested port');
    assert.equal(await fetchHealth(port), null, 'and it is not a dashboard');
    const record = readRecord(stateDir, port);
    assert.equal(record?.requestedPort, port);
    assert.equal(record?.port, next);
    assert.equal(record?.state, 'running');
    assert.equal(record?.conflict?.resolution, 'next');
    assert.deepEqual(
      record?.conflict?.owners.map((o) => o.pid),
      [holder.pid],
    );
    assert.equal(
      record?.message,
      `Running on ${next} because ${port} is held by python3 (PID ${holder.pid}); health: healthy.`,
    );
    await interruptAndExpectZero(run);
    assert.equal(readRecord(stateDir, port)?.state, 'exited');
    assert.equal(listenersOn(next), 0);
  });

  it('next: a held port above is skipped as well (the first free one from port + 1)', async () => {
    const port = await pickPort(3);
    const stateDir = makeStateDir();
    await hold(startForeignHolder(port));
    await hold(startForeignHolder(port + 1));
    const run = start(port, stateDir, ['--on-conflict', 'next']);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port + 2}/`);
    assert.equal(readRecord(stateDir, port)?.port, port + 2);
    assert.equal((await fetchHealth(port + 2))?.status, 'healthy');
    await interruptAndExpectZero(run);
  });

  it("next from 7777 never picks 7778 (the project's camera port)", async (t) => {
    if (
      !(await canBind(7777, '0.0.0.0')) ||
      !(await canBind(7779, '0.0.0.0')) ||
      !(await canBind(7778, '0.0.0.0'))
    ) {
      t.skip('7777, 7778 or 7779 is in use on this machine');
      return;
    }
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(7777));
    const run = start(7777, stateDir, ['--on-conflict', 'next']);
    const shown = await ready(run);
    assert.equal(shown.url, 'http://127.0.0.1:7779/', '7778 was free but skipped');
    assert.match(
      run.stderr,
      new RegExp(
        `PORT CHANGED: port 7777 is held by python3 \\(PID ${holder.pid}\\); the dashboard starts on port 7779 instead\\.`,
      ),
    );
    assert.equal(readRecord(stateDir, 7777)?.port, 7779);
    assert.equal(listenersOn(7778), 0);
    await interruptAndExpectZero(run);
  });

  it('next: no free port in the 100 above: exit 6, nothing started', async () => {
    const port = await pickPort(100);
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port));
    const many = spawn(
      'python3',
      [holdManyScript, '--start', String(port + 1), '--count', '100', '--hosts', '127.0.0.1'],
      { env: { ...process.env, [MARKER_NAME]: marker }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const manyExit = new Promise((resolve) => many.once('exit', resolve));
    try {
      await new Promise((resolve, reject) => {
        many.stdout.once('data', resolve);
        many.once('exit', (code) => reject(new Error(`hold_many.py exited with ${code}`)));
      });
      const run = start(port, stateDir, ['--on-conflict', 'next']);
      assert.deepEqual(await run.waitForExit(), { code: 6, signal: null }, outputOf(run));
      assert.match(
        run.stderr,
        new RegExp(`no free port was found above it \\(up to ${port + 100}\\) \\(E_NO_FREE_PORT\\)`),
      );
      assert.doesNotMatch(run.stderr, /PORT CHANGED/);
      assert.deepEqual(markedDashboards(), []);
      assert.equal(isAlive(holder.pid), true);
      const record = readRecord(stateDir, port);
      assert.equal(record?.state, 'not-started');
      assert.equal(record?.conflict?.resolution, 'failed');
      assert.equal(existsSync(lockPath(stateDir, port)), false);
    } finally {
      many.kill('SIGKILL');
      await manyExit;
    }
  });

  it('stop refused: the holder is the parent of tapo-port (exit 8, nothing started, the holder keeps the port)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    // A Python process that holds the port and then runs tapo-port start as its child.
    const script = [
      'import socket, subprocess, sys',
      's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      `s.bind(("127.0.0.1", ${port})); s.listen()`,
      'r = subprocess.run(sys.argv[1:])',
      'sys.exit(r.returncode)',
    ].join('\n');
    const parent = spawn(
      'python3',
      [
        '-c',
        script,
        ...coreCommand(),
        'start',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--on-conflict',
        'stop',
        '--project-dir',
        fixtureProjectDir,
      ],
      {
        env: { ...process.env, NO_COLOR: '1', TAPO_STATE_DIR: stateDir, [MARKER_NAME]: marker },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => parent.once('close', resolve));
    assert.equal(code, 8, stderr);
    assert.match(
      stderr,
      new RegExp(`Not stopped: PID ${parent.pid} started tapo-port \\(a parent of this process\\)`),
    );
    assert.match(stderr, /The dashboard was not started\./);
    assert.deepEqual(markedDashboards(), []);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'not-started');
    assert.equal(record?.conflict?.resolution, 'failed');
  });

  it('stop: the holder is stopped gracefully (SIGTERM), then the dashboard runs on the requested port', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port));
    const run = start(port, stateDir, ['--on-conflict', 'stop']);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    assert.deepEqual(
      await holder.exit,
      { code: null, signal: 'SIGTERM' },
      'stopped with SIGTERM, not killed',
    );
    assert.match(
      run.stderr,
      new RegExp(`Port ${port} is held by python3 \\(PID ${holder.pid}\\); stopping it first\\.`),
    );
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    assert.deepEqual(
      markedDashboards(port).map((d) => d.pid),
      [shown.pid],
    );
    const record = readRecord(stateDir, port);
    assert.equal(record?.port, port);
    assert.equal(record?.state, 'running');
    assert.equal(record?.conflict?.resolution, 'stopped');
    assert.deepEqual(
      record?.conflict?.owners.map((o) => o.pid),
      [holder.pid],
    );
    await interruptAndExpectZero(run);
  });

  it('stop: a holder that ignores SIGTERM outlives --stop-timeout: exit 9, nothing started; --force kills it', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port, '127.0.0.1', { ignoreSigterm: true }));

    const refused = start(port, stateDir, ['--on-conflict', 'stop', '--stop-timeout', '1']);
    assert.deepEqual(await refused.waitForExit(), { code: 9, signal: null }, outputOf(refused));
    assert.match(refused.stderr, /The dashboard was not started\./);
    assert.equal(isAlive(holder.pid), true, 'the holder ignored SIGTERM and is still there');
    assertNothingStarted(port);
    assert.equal(readRecord(stateDir, port)?.conflict?.resolution, 'failed');
    assert.equal(readRecord(stateDir, port)?.state, 'not-started');
    assert.equal(existsSync(lockPath(stateDir, port)), false);

    const forced = start(port, stateDir, ['--on-conflict', 'stop', '--stop-timeout', '1', '--force']);
    const shown = await ready(forced);
    assert.deepEqual(await holder.exit, { code: null, signal: 'SIGKILL' });
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    assert.equal(readRecord(stateDir, port)?.conflict?.resolution, 'stopped');
    await interruptAndExpectZero(forced);
  });

  it('Ctrl+C while stop waits for the holder: exit 130, nothing started, lock released, record not left "starting"', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await hold(startForeignHolder(port, '127.0.0.1', { ignoreSigterm: true }));
    const run = start(port, stateDir, ['--on-conflict', 'stop', '--stop-timeout', '30']);
    await run.waitForLine(new RegExp(`Waiting for port ${port} to be released`));
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 130, signal: null }, outputOf(run));
    assert.match(run.stderr, /SIGINT received before the dashboard was started; nothing was started\./);
    assert.equal(existsSync(lockPath(stateDir, port)), false, 'the lock is released');
    assertNothingStarted(port);
    assert.equal(isAlive(holder.pid), true);
    // Bug: the signal handler exits without updating the record, which stays "starting" forever.
    assert.equal(readRecord(stateDir, port)?.state, 'not-started', 'the record says the start ended');
  });

  it('reuse: a healthy earlier dashboard is reported, exit 0, nothing new started', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const earlier = await hold(startEarlierDashboard(port));
    const run = start(port, stateDir);
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      new RegExp(
        `The dashboard already runs on port ${port} \\(.*PID ${earlier.pid}.*\\); health: healthy\\. Open http://127\\.0\\.0\\.1:${port}/\\. Nothing was started\\.`,
      ),
    );
    assert.deepEqual(
      markedDashboards(port).map((d) => d.pid),
      [earlier.pid],
      'only the earlier dashboard',
    );
    assert.equal(isAlive(earlier.pid), true);
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'reused');
    assert.equal(record?.port, port);
    assert.equal(record?.dashboard, null);
    assert.equal(record?.url, `http://127.0.0.1:${port}/`);
    assert.equal(record?.conflict?.resolution, 'reused');
    assert.deepEqual(
      record?.conflict?.owners.map((o) => [o.kind, o.pid]),
      [['dashboard', earlier.pid]],
    );
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it('reuse: an earlier dashboard whose health handler fails ("error") is not reused: exit 1, nothing started', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const earlier = await hold(startEarlierDashboard(port, '127.0.0.1', { FAKE_DASHBOARD_STATUS: 'error' }));
    const run = start(port, stateDir);
    assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      /It is a Tapo dashboard, but its health says "error" \(its own health check failed\), so it is not reused\./,
    );
    assertNothingStarted(port, [earlier.pid]);
    assert.equal(isAlive(earlier.pid), true);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'not-started');
    assert.equal(record?.port, null);
    assert.equal(record?.conflict?.resolution, 'failed');
  });

  it('fail: even a healthy earlier dashboard is a conflict (exit 1)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const earlier = await hold(startEarlierDashboard(port));
    const run = start(port, stateDir, ['--on-conflict', 'fail']);
    assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
    assertNothingStarted(port, [earlier.pid]);
    assert.equal(isAlive(earlier.pid), true);
  });

  describe('address in use at launch: a holder takes the port after the bind probe', () => {
    function race(stateDir: string): { env: Record<string, string>; holderPid: () => number } {
      const flag = path.join(stateDir, `race-${token()}.pid`);
      return {
        env: { FAKE_DASHBOARD_RACE_HOLDER: flag },
        holderPid: () => Number(readFileSync(flag, 'utf8')),
      };
    }

    it('fail: the dashboard dies with address-in-use; the port is checked again and the racer explained (exit 1)', async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const { env, holderPid } = race(stateDir);
      const run = start(port, stateDir, ['--on-conflict', 'fail', '--json'], env);
      assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
      const racer = holderPid();
      assert.match(run.stderr, /Address already in use/, 'the dashboard really failed to bind');
      assert.match(
        run.stderr,
        new RegExp(
          `The dashboard could not bind port ${port} \\(address in use\\); checking the port again\\.`,
        ),
      );
      const data = (JSON.parse(run.stdout) as { data: StartData }).data;
      assert.equal(data.outcome, 'conflict');
      assert.equal(data.launches, 1);
      assert.deepEqual(
        data.check?.owners.map((o) => o.pid),
        [racer],
      );
      assert.equal(isAlive(racer), true);
      assert.equal(readRecord(stateDir, port)?.conflict?.resolution, 'failed');
      assert.equal(existsSync(lockPath(stateDir, port)), false);
    });

    it('next: after the lost race the next port is tried and serves', async () => {
      const port = await pickPort(2);
      const stateDir = makeStateDir();
      const { env, holderPid } = race(stateDir);
      const run = start(port, stateDir, ['--on-conflict', 'next', '--json'], env);
      await run.waitForLine(READY_LINE, { stream: 'stderr' });
      const racer = holderPid();
      assert.match(
        run.stderr,
        new RegExp(
          `PORT CHANGED: port ${port} is held by python3 \\(PID ${racer}\\); the dashboard starts on port ${port + 1} instead\\.`,
        ),
      );
      assert.equal((await fetchHealth(port + 1))?.status, 'healthy');
      assert.equal(await waitFor('the racer to listen', () => canConnect(port)), true);
      const record = readRecord(stateDir, port);
      assert.equal(record?.port, port + 1);
      assert.equal(record?.conflict?.resolution, 'next');
      run.sendSignal('SIGINT');
      assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
      const data = (JSON.parse(run.stdout) as { data: StartData }).data;
      assert.equal(data.launches, 2);
      assert.equal(data.port, port + 1);
    });

    it('stop: a holder that appears after the launch is explained, not stopped (exit 1)', async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const { env, holderPid } = race(stateDir);
      const run = start(port, stateDir, ['--on-conflict', 'stop'], env);
      assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
      const racer = holderPid();
      assert.equal(isAlive(racer), true, 'the racer was not stopped');
      assert.match(run.stderr, new RegExp(`python3 \\(PID ${racer}\\)`));
      assertNothingStarted(port);
    });
  });
});
