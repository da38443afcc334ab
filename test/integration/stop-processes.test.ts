// runStop with the real stop-deps against real socket holders: SIGTERM, a holder that ignores it
// (with and without --force), a parent that respawns its child, ::1, a SO_REUSEPORT pair, dry
// run, and the PIDs it must refuse (1, itself, its parent).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, afterEach, describe, it } from 'node:test';
import { runStop } from '../../src/stop/run-stop.ts';
import { type StopData, type StopOptions } from '../../src/stop/stop-types.ts';
import { parseHost } from '../../src/input/parse-host.ts';
import { createStopDeps, readAncestorPids } from '../../src/stop/stop-deps.ts';
import { freePort, startHolder, type Holder } from '../support/holders.ts';
import { isAlive, killAll, startRespawningHolder, startStubbornHolder } from '../support/stop-holders.ts';
import { waitFor } from '../support/wait.ts';

const holders: Holder[] = [];
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.stop()));
  await killAll();
});
after(killAll);

interface StopRun {
  data: StopData;
  progress: string[];
  /** Every signal the real deps sent, in order: what the stop did, seen where it leaves the process. */
  signals: [number, string][];
  /** Every reading of the deps' clock: the one its waits and deadlines are decided by. */
  clock: number[];
}

async function stop(port: number, host: string, fields: Partial<StopOptions> = {}): Promise<StopRun> {
  const progress: string[] = [];
  const signals: [number, string][] = [];
  const clock: number[] = [];
  const deps = createStopDeps({ progress: (line) => progress.push(line) });
  const { sendSignal, now } = deps;
  deps.sendSignal = (pid, signal) => {
    signals.push([pid, signal]);
    return sendSignal(pid, signal);
  };
  deps.now = () => {
    const reading = now();
    clock.push(reading);
    return reading;
  };
  const data = await runStop(deps, {
    port,
    host: parseHost(host),
    dryRun: false,
    force: false,
    timeoutSeconds: 5,
    selfPid: process.pid,
    ancestorPids: await readAncestorPids(),
    currentUid: process.getuid?.() ?? null,
    ...fields,
  });
  return { data, progress, signals, clock };
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

describe('stop with real processes', () => {
  it('stops a holder that exits on SIGTERM; the port is free afterwards', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '0.0.0.0', port });
    holders.push(holder);
    const { data, progress } = await stop(port, '0.0.0.0');
    assert.equal(data.outcome, 'stopped', data.summary);
    assert.equal(data.forced, false);
    assert.equal(data.portFreeAfter, true);
    assert.deepEqual(
      data.actions.map((a) => [a.action, a.outcome, a.target.pid]),
      [['SIGTERM', 'sent', holder.pid]],
    );
    assert.equal(await exited(holder.child), 'SIGTERM');
    assert.ok(progress.some((line) => line.includes(`Port ${port} is free`)));
  });

  it('without --force, a holder that ignores SIGTERM is left running: timed-out', async () => {
    const port = await freePort();
    const child = await startStubbornHolder('127.0.0.1', port);
    const { data, progress, signals, clock } = await stop(port, '127.0.0.1', { timeoutSeconds: 1 });
    assert.equal(data.outcome, 'timed-out', data.summary);
    assert.equal(data.forced, false);
    assert.equal(data.portFreeAfter, false);
    assert.ok(
      progress.some((line) => line.startsWith('Still running after 1 s:')),
      `the documented timeout is the one applied\n${progress.join('\n')}`,
    );
    // It gave up only once its own clock had passed the whole timeout. Not a wall-clock bound: this
    // reads the clock the stop decides by, so it holds by construction however loaded the machine is.
    const waited = Math.max(...clock) - Math.min(...clock);
    assert.ok(waited >= 1000, `it gave up after ${waited} ms of its own clock, before the 1 s timeout`);
    assert.deepEqual(signals, [[child.pid, 'SIGTERM']], 'one SIGTERM, nothing forced');
    assert.equal(child.exitCode, null);
    assert.ok(isAlive(child.pid ?? -1), 'the holder is still alive');
    assert.deepEqual(
      data.actions.map((a) => a.action),
      ['SIGTERM'],
    );
  });

  it('with --force, it is killed after the timeout and recorded as forced', async () => {
    const port = await freePort();
    const child = await startStubbornHolder('127.0.0.1', port);
    const { data } = await stop(port, '127.0.0.1', { timeoutSeconds: 1, force: true });
    assert.equal(data.outcome, 'stopped', data.summary);
    assert.equal(data.forced, true);
    assert.equal(data.portFreeAfter, true);
    assert.deepEqual(
      data.actions.map((a) => [a.action, a.outcome]),
      [
        ['SIGTERM', 'sent'],
        ['SIGKILL', 'sent'],
      ],
    );
    assert.equal(await exited(child), 'SIGKILL');
  });

  it('reports a parent that respawns the holder, and does not loop', async () => {
    const port = await freePort();
    const { parent, firstChild, children } = await startRespawningHolder('127.0.0.1', port);
    const { data, signals } = await stop(port, '127.0.0.1', { force: true });
    assert.equal(data.outcome, 'failed', data.summary);
    assert.equal(data.respawn?.oldPid, firstChild);
    assert.equal(data.respawn?.parentPid, parent.pid);
    assert.notEqual(data.respawn?.newPid, firstChild);
    assert.match(data.summary, new RegExp(`by its parent python3? \\(PID ${parent.pid}\\)`));
    assert.deepEqual(
      data.actions.map((a) => [a.action, a.target.pid]),
      [['SIGTERM', firstChild]],
      'exactly one signal: the new child is not fought',
    );
    assert.equal(data.forced, false);
    assert.deepEqual(signals, [[firstChild, 'SIGTERM']], 'the parent and the new child got no signal');
    // The parent is left alone and one more child holds the port: the one the stop reported. The
    // parent's "child <pid>" line may come after the stop returned, so it is waited for.
    assert.ok(isAlive(parent.pid ?? -1));
    await waitFor('the parent to report its second child', () => children.length >= 2);
    assert.deepEqual(children, [firstChild, data.respawn?.newPid], `children seen: ${children.join(', ')}`);
  });

  it('stops a holder on ::1 when ::1 is asked for', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '::1', port });
    holders.push(holder);
    const { data } = await stop(port, '::1');
    assert.equal(data.outcome, 'stopped', data.summary);
    assert.equal(data.portFreeAfter, true);
    assert.deepEqual(
      data.plan.targets.map((t) => t.pid),
      [holder.pid],
    );
    assert.equal(await exited(holder.child), 'SIGTERM');
  });

  it('stops both processes of a SO_REUSEPORT pair', async () => {
    const port = await freePort();
    const first = await startHolder({ host: '0.0.0.0', port, reusePort: true });
    const second = await startHolder({ host: '0.0.0.0', port, reusePort: true });
    holders.push(first, second);
    const { data } = await stop(port, '0.0.0.0');
    assert.equal(data.outcome, 'stopped', data.summary);
    assert.equal(data.respawn, null);
    assert.deepEqual(data.plan.targets.map((t) => t.pid).sort(), [first.pid, second.pid].sort());
    assert.equal(data.portFreeAfter, true);
    assert.deepEqual(await Promise.all([exited(first.child), exited(second.child)]), ['SIGTERM', 'SIGTERM']);
  });

  it('--dry-run leaves the holder up', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '127.0.0.1', port });
    holders.push(holder);
    const { data, signals } = await stop(port, '127.0.0.1', { dryRun: true });
    assert.equal(data.outcome, 'would-stop');
    assert.deepEqual(data.actions, []);
    assert.equal(data.plan.targets[0]?.pid, holder.pid);
    // Nothing was sent (seen at the deps, not inferred from a pause), so the holder still runs.
    assert.deepEqual(signals, []);
    assert.ok(isAlive(holder.pid), 'the holder still runs');
  });

  it('refuses PID 1, the test runner itself and its parent', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '127.0.0.1', port });
    holders.push(holder);
    for (const [pid, code] of [
      [1, 'system-pid'],
      [process.pid, 'self'],
      [process.ppid, 'ancestor'],
    ] as const) {
      const { data } = await stop(port, '127.0.0.1', { pid });
      assert.equal(data.outcome, 'refused', `${pid}: ${data.summary}`);
      assert.deepEqual(
        data.plan.refusals.map((r) => r.code),
        [code],
      );
      assert.deepEqual(data.actions, []);
    }
    assert.equal(holder.child.exitCode, null, 'the holder was not touched');
  });
});
