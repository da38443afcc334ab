// `tapo-port status` against real starts: before any start (12), while the started dashboard
// runs (0, healthy) or runs unhealthy (13), after it exited (12), after a start that moved to the
// next port, after a reuse, and after the launcher was killed (the record says running; the live
// process, port and health decide).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusData } from '../../src/status/run-status.ts';
import type { Envelope } from '../../src/contract/envelope.ts';
import { runCli } from '../support/run-cli.ts';
import {
  isAlive,
  makeStateDir,
  outputOf,
  pickPort,
  readRecord,
  snapshotBundle,
  startEarlierDashboard,
  startForeignHolder,
  waitUntilReaped,
  READY_LINE,
  useStartFixtures,
} from '../support/start-runner.ts';

const linux = process.platform === 'linux';
const { start, track } = useStartFixtures();

async function status(
  port: number,
  stateDir: string,
): Promise<{ code: number | null; data: StatusData; text: string }> {
  const env = { TAPO_STATE_DIR: stateDir };
  const bundle = snapshotBundle();
  const json = await runCli(['status', '--port', String(port), '--json'], { env, bundle });
  const text = await runCli(['status', '--port', String(port)], { env, bundle });
  assert.equal(text.code, json.code, 'text and JSON agree on the exit code');
  assert.equal(json.stderr, '', json.stderr);
  const envelope = JSON.parse(json.stdout) as Envelope<StatusData>;
  assert.equal(envelope.kind, 'DashboardStatus');
  assert.equal(envelope.ok, true);
  assert.ok(envelope.data);
  return { code: json.code, data: envelope.data, text: text.stdout };
}

describe('tapo-port status', { skip: !linux && 'needs /proc (Linux)' }, () => {
  it('before, during and after a start: 12, 0 (healthy), 12', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();

    const before = await status(port, stateDir);
    assert.equal(before.code, 12);
    assert.equal(before.data.record, null);
    assert.equal(before.data.live.state, 'not-running');
    assert.equal(before.data.summary, `Not running: no start has been recorded for port ${port}.`);

    const run = start(port, stateDir);
    const pid = Number((await run.waitForLine(READY_LINE, { stream: 'stderr' }))[2]);
    const during = await status(port, stateDir);
    assert.equal(during.code, 0, during.text);
    const { healthReport, ...live } = during.data.live;
    assert.deepEqual(live, { state: 'running', processAlive: true, portAccepting: true, health: 'healthy' });
    assert.deepEqual(
      { ...healthReport, elapsedMs: 0 },
      {
        answer: 'answered',
        status: 'healthy',
        issues: [],
        cameras: { total: 2, online: 2 },
        httpStatus: 200,
        elapsedMs: 0,
      },
    );
    assert.equal(during.data.record?.dashboard?.pid, pid);
    assert.equal(during.data.record?.port, port);
    assert.match(
      during.data.summary,
      new RegExp(`^Running on ${port} \\(PID ${pid}, since .* UTC\\); health: healthy\\.$`),
    );
    assert.match(during.text, new RegExp(`Running on ${port} \\(PID ${pid}`));

    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    const afterExit = await status(port, stateDir);
    assert.equal(afterExit.code, 12);
    assert.equal(afterExit.data.live.state, 'not-running');
    assert.equal(afterExit.data.live.processAlive, false);
    assert.equal(afterExit.data.live.portAccepting, false);
    assert.match(
      afterExit.data.summary,
      new RegExp(`^Not running: the dashboard started on ${port} \\(PID ${pid}\\) exited with code 0 at `),
    );
  });

  it('a running dashboard whose health is critical: 13', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], { FAKE_DASHBOARD_STATUS: 'critical' });
    await run.waitForLine(/Dashboard ready at .* health: critical \(critical_cpu\)\)/, { stream: 'stderr' });
    const during = await status(port, stateDir);
    assert.equal(during.code, 13, during.text);
    assert.equal(during.data.live.state, 'running');
    assert.equal(during.data.live.health, 'critical');
  });

  it('after next: "Running on <next> because <port> is held by ..."', async () => {
    const port = await pickPort(1);
    const stateDir = makeStateDir();
    const holder = await startForeignHolder(port);
    track(holder);
    const run = start(port, stateDir, ['--on-conflict', 'next']);
    await run.waitForLine(READY_LINE, { stream: 'stderr' });
    const during = await status(port, stateDir);
    assert.equal(during.code, 0, during.text);
    assert.equal(
      during.data.summary,
      `Running on ${port + 1} because ${port} is held by python3 (PID ${holder.pid}); health: healthy.`,
    );
  });

  it('after a reuse: 0 while the reused dashboard answers healthy, 12 once it is gone', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const earlier = await startEarlierDashboard(port);
    track(earlier);
    const run = start(port, stateDir);
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    const reused = await status(port, stateDir);
    assert.equal(reused.code, 0, reused.text);
    assert.equal(
      reused.data.summary,
      `The dashboard on ${port} was reused (already running); health: healthy.`,
    );
    await earlier.stop();
    const gone = await status(port, stateDir);
    assert.equal(gone.code, 12, gone.text);
    assert.equal(gone.data.live.portAccepting, false);
  });

  it('after a start that found nothing to reuse: 12 (nothing was started)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const holder = await startForeignHolder(port);
    track(holder);
    const run = start(port, stateDir);
    assert.deepEqual(await run.waitForExit(), { code: 1, signal: null }, outputOf(run));
    const after = await status(port, stateDir);
    assert.equal(after.code, 12, after.text);
    assert.match(
      after.data.summary,
      new RegExp(`did not start a dashboard because ${port} is held by python3 \\(PID ${holder.pid}\\)`),
    );
  });

  it('the launcher killed (SIGKILL): the dashboard it left is judged live; a new start reuses it; when it dies, 12', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const pid = Number((await run.waitForLine(READY_LINE, { stream: 'stderr' }))[2]);
    run.sendSignal('SIGKILL');
    await run.waitForExit();
    assert.equal(isAlive(pid), true, 'the dashboard leads its own process group and outlives its launcher');
    assert.equal(readRecord(stateDir, port)?.state, 'running', 'the record could not be updated');

    const orphaned = await status(port, stateDir);
    assert.equal(orphaned.code, 0, orphaned.text);
    assert.equal(orphaned.data.live.processAlive, true);

    // The dead launcher's lock is stale; the orphaned dashboard is healthy: reused.
    const again = start(port, stateDir);
    assert.deepEqual(await again.waitForExit(), { code: 0, signal: null }, outputOf(again));
    assert.match(
      again.stderr,
      new RegExp(`A lock left by tapo-port PID ${run.pid}, which no longer runs, was taken over\\.`),
    );
    assert.match(
      again.stderr,
      new RegExp(`The dashboard already runs on port ${port} .*Nothing was started\\.`),
    );
    assert.equal(readRecord(stateDir, port)?.state, 'reused');

    process.kill(pid, 'SIGKILL');
    await waitUntilReaped(pid);
    const gone = await status(port, stateDir);
    assert.equal(gone.code, 12, gone.text);
  });

  it('the launcher and then its dashboard killed: 12, "its exit was not recorded"', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const pid = Number((await run.waitForLine(READY_LINE, { stream: 'stderr' }))[2]);
    run.sendSignal('SIGKILL');
    await run.waitForExit();
    process.kill(pid, 'SIGKILL');
    await waitUntilReaped(pid);
    const gone = await status(port, stateDir);
    assert.equal(gone.code, 12, gone.text);
    assert.equal(gone.data.live.processAlive, false);
    assert.equal(
      gone.data.summary,
      `Not running: the dashboard started on ${port} (PID ${pid}) is gone, and its exit was not recorded.`,
    );
  });
});
