// One `tapo-port start` per requested port, with real processes: two starts launched together (a
// few rounds), a second start while the first runs (reuse: 0; fail or unhealthy: 10), a lock left
// by a dead start or by a PID that now belongs to another process (taken over, and said so), two
// starts launched together on the same stale lock, and a live lock whose start never becomes
// ready (10). Two processes launched together may still reach the lock one after the other (that
// is up to the scheduler), so those tests prove the outcome whichever way they meet; that the
// lock holds when the attempts really overlap is proven in instance-lock-race.test.ts, whose
// racers show they contested it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createStopDeps } from '../../src/stop/stop-deps.ts';
import type { LockOwner } from '../../src/start/instance-lock.ts';
import {
  deadPid,
  fetchHealth,
  isAlive,
  lockPath,
  makeStateDir,
  markedDashboards,
  outputOf,
  pickPort,
  readRecord,
  type ExitResult,
  type StartRun,
  READY_LINE,
  useStartFixtures,
} from '../support/start-runner.ts';

const linux = process.platform === 'linux';
const { start, afterEachTest } = useStartFixtures();
const sleepers: number[] = [];
afterEachTest(() => {
  for (const pid of sleepers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A live process that is not a tapo-port start (a `sleep`), killed after each test. */
function startSleeper(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('sleep did not start');
  sleepers.push(pid);
  return pid;
}

function writeLock(stateDir: string, port: number, owner: Partial<LockOwner> & { pid: number }): string {
  const text = JSON.stringify({
    startTime: null,
    port,
    host: '127.0.0.1',
    createdAt: new Date(Date.now() - 60_000).toISOString(),
    version: '0.1.0',
    ...owner,
  });
  writeFileSync(lockPath(stateDir, port), text, { mode: 0o600 });
  return text;
}

/** Two starts for the same port, launched together: the first to exit is the one that found the other. */
async function raceTwo(
  port: number,
  stateDir: string,
  extra: string[] = [],
): Promise<{ winner: StartRun; loser: StartRun; loserExit: ExitResult; dashboardPid: number }> {
  const pair = [start(port, stateDir, extra), start(port, stateDir, extra)];
  const first = await Promise.race(
    pair.map((run, index) => run.waitForExit(30_000).then((exit) => ({ index, exit }))),
  );
  const [loser, winner] = first.index === 0 ? [pair[0], pair[1]] : [pair[1], pair[0]];
  assert.ok(loser && winner);
  const match = await winner.waitForLine(READY_LINE, { stream: 'stderr' });
  assert.equal(
    winner.exited,
    false,
    `the other start keeps its dashboard in the foreground\n${outputOf(winner)}`,
  );
  return { winner, loser, loserExit: first.exit, dashboardPid: Number(match[2]) };
}

describe('tapo-port start: one start per port', { skip: !linux && 'needs /proc (Linux)' }, () => {
  for (let round = 1; round <= 3; round += 1) {
    it(`two starts launched together (round ${round}): one dashboard; the other exits 0 naming its start, PID and URL`, async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const { winner, loser, loserExit, dashboardPid } = await raceTwo(port, stateDir);
      assert.deepEqual(loserExit, { code: 0, signal: null }, outputOf(loser));
      assert.match(
        loser.stderr,
        new RegExp(
          `Another tapo-port start \\(PID ${winner.pid}\\) already runs the dashboard for port ${port}: ` +
            `http://127\\.0\\.0\\.1:${port}/ \\(PID ${dashboardPid}\\); health: healthy\\. Nothing was started\\.`,
        ),
      );
      assert.doesNotMatch(loser.stderr, /Starting the dashboard/);
      assert.deepEqual(
        markedDashboards(port).map((d) => d.pid),
        [dashboardPid],
        'exactly one dashboard process',
      );
      assert.equal((await fetchHealth(port))?.status, 'healthy');
      const record = readRecord(stateDir, port);
      assert.equal(record?.launcher.pid, winner.pid, "the record is the winner's");
      assert.equal(record?.dashboard?.pid, dashboardPid);
      winner.sendSignal('SIGINT');
      assert.deepEqual(await winner.waitForExit(), { code: 0, signal: null }, outputOf(winner));
      assert.equal(existsSync(lockPath(stateDir, port)), false);
      assert.deepEqual(markedDashboards(), []);
    });
  }

  it('a second start under fail while the first runs is exit 10 (reported, nothing started)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const first = start(port, stateDir);
    const match = await first.waitForLine(READY_LINE, { stream: 'stderr' });
    const second = start(port, stateDir, ['--on-conflict', 'fail']);
    assert.deepEqual(await second.waitForExit(), { code: 10, signal: null }, outputOf(second));
    assert.match(
      second.stderr,
      new RegExp(
        `Another tapo-port start \\(PID ${first.pid}\\) already runs the dashboard for port ${port}`,
      ),
    );
    assert.deepEqual(
      markedDashboards(port).map((d) => d.pid),
      [Number(match[2])],
    );
    assert.equal(
      readRecord(stateDir, port)?.launcher.pid,
      first.pid,
      'the second start did not overwrite the record',
    );
    first.sendSignal('SIGINT');
    assert.deepEqual(await first.waitForExit(), { code: 0, signal: null }, outputOf(first));
  });

  it('a second start under reuse while the first runs a dashboard whose health says "error" is exit 10', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const first = start(port, stateDir, [], { FAKE_DASHBOARD_STATUS: 'error' });
    await first.waitForLine(/Dashboard ready at .* health: error\)/, { stream: 'stderr' });
    const second = start(port, stateDir);
    assert.deepEqual(await second.waitForExit(), { code: 10, signal: null }, outputOf(second));
    assert.match(second.stderr, /health: error\. Nothing was started\./);
    assert.equal(markedDashboards(port).length, 1);
    first.sendSignal('SIGINT');
    assert.deepEqual(await first.waitForExit(), { code: 0, signal: null }, outputOf(first));
  });

  it('a lock left by a start that is gone is taken over, and start says so', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const dead = await deadPid();
    writeLock(stateDir, port, { pid: dead });
    const run = start(port, stateDir);
    await run.waitForLine(READY_LINE, { stream: 'stderr' });
    assert.match(
      run.stderr,
      new RegExp(`A lock left by tapo-port PID ${dead}, which no longer runs, was taken over\\.`),
    );
    const lock = JSON.parse(readFileSync(lockPath(stateDir, port), 'utf8')) as LockOwner;
    assert.equal(lock.pid, run.pid, 'the lock is ours now');
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it('a lock whose PID now belongs to another process (other start time) is stale; that process is left alone', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const sleeper = startSleeper();
    writeLock(stateDir, port, { pid: sleeper, startTime: '2001-01-01T00:00:00.000Z' });
    const run = start(port, stateDir, ['--json']);
    await run.waitForLine(READY_LINE, { stream: 'stderr' });
    assert.match(
      run.stderr,
      new RegExp(`A lock left by tapo-port PID ${sleeper}, which no longer runs, was taken over\\.`),
    );
    assert.equal(isAlive(sleeper), true);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    const data = (JSON.parse(run.stdout) as { data: { recoveredStaleLock: { pid: number } | null } }).data;
    assert.equal(data.recoveredStaleLock?.pid, sleeper);
  });

  it('two starts launched together on the same stale lock: exactly one takes it over and runs the dashboard', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const dead = await deadPid();
    writeLock(stateDir, port, { pid: dead });
    const { winner, loser, loserExit, dashboardPid } = await raceTwo(port, stateDir);
    assert.deepEqual(loserExit, { code: 0, signal: null }, outputOf(loser));
    assert.match(
      winner.stderr,
      new RegExp(`A lock left by tapo-port PID ${dead}, which no longer runs, was taken over\\.`),
    );
    assert.doesNotMatch(loser.stderr, /was taken over/);
    assert.match(loser.stderr, new RegExp(`Another tapo-port start \\(PID ${winner.pid}\\)`));
    assert.deepEqual(
      markedDashboards(port).map((d) => d.pid),
      [dashboardPid],
    );
    winner.sendSignal('SIGINT');
    assert.deepEqual(await winner.waitForExit(), { code: 0, signal: null }, outputOf(winner));
  });

  it('a live lock whose start never gets ready: exit 10 after --ready-timeout, lock untouched, nothing started', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const sleeper = startSleeper();
    const identity = await createStopDeps().readIdentity(sleeper);
    assert.ok(identity?.startTime, 'the start time of a live process is readable');
    const text = writeLock(stateDir, port, { pid: sleeper, startTime: identity.startTime });
    const run = start(port, stateDir, ['--ready-timeout', '2']);
    assert.deepEqual(await run.waitForExit(), { code: 10, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      new RegExp(
        `Another tapo-port start \\(PID ${sleeper}, since .*\\) is starting the dashboard for port ${port}, and it was not ready within 2 s\\. Nothing was started\\.`,
      ),
    );
    assert.equal(readFileSync(lockPath(stateDir, port), 'utf8'), text, 'the live lock is not touched');
    assert.deepEqual(markedDashboards(), []);
    assert.equal(readRecord(stateDir, port), null, 'no record: this start never held the lock');
  });
});
