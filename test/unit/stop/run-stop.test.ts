// runStop with a fake machine: identity before every signal, re-planning, doubling waits, force
// only after the timeout, respawn reported once, dry run inert.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStop } from '../../../src/stop/run-stop.ts';
import { type StopOptions } from '../../../src/stop/stop-types.ts';
import { parseHost } from '../../../src/input/parse-host.ts';
import { FakeStopWorld } from './fake-stop-world.ts';

const options = (fields: Partial<StopOptions> = {}): StopOptions => ({
  port: 7777,
  host: parseHost('0.0.0.0'),
  dryRun: false,
  force: false,
  timeoutSeconds: 10,
  selfPid: 9000,
  ancestorPids: [8999],
  currentUid: 1000,
  ...fields,
});

const signals = (world: FakeStopWorld): string[] =>
  world.calls.filter((c) => /^SIG|^docker|^taskkill/.test(c));

describe('runStop', () => {
  it('sends SIGTERM once, waits for the port and reports it free', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'stopped');
    assert.equal(result.forced, false);
    assert.equal(result.portFreeAfter, true);
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.deepEqual(
      result.actions.map((a) => [a.action, a.outcome, a.target.pid]),
      [['SIGTERM', 'sent', 4242]],
    );
    assert.equal(result.actions[0]?.at, new Date(1_000_000).toISOString());
  });

  it('re-reads the identity right before every signal', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, onTerm: 'ignore' });
    world.add({ pid: 4243, onTerm: 'ignore' });
    await runStop(world.deps(), options({ force: true, timeoutSeconds: 1 }));
    const relevant = world.calls.filter((c) => c !== 'check');
    for (const [index, call] of relevant.entries()) {
      if (!call.startsWith('SIG')) continue;
      assert.equal(
        relevant[index - 1],
        `identity ${call.split(' ')[1]}`,
        `${call} must follow its identity check`,
      );
    }
    assert.deepEqual(signals(world), ['SIGTERM 4242', 'SIGTERM 4243', 'SIGKILL 4242', 'SIGKILL 4243']);
  });

  it('never signals a reused PID: it re-plans from a fresh check', async () => {
    const world = new FakeStopWorld();
    const holder = world.add({ pid: 4242 });
    // Between the check and the signal, 4242 exits and its number goes to an unrelated process.
    world.beforeIdentity = (pid) => {
      if (pid === 4242 && holder.holds) {
        world.procs.set(4242, { ...holder, holds: false, startTime: '2026-01-01T11:11:11.000Z' });
        world.beforeIdentity = null;
      }
    };
    const result = await runStop(world.deps(), options());
    assert.deepEqual(signals(world), [], 'nothing may be sent to the new owner of PID 4242');
    assert.equal(result.outcome, 'nothing-to-stop');
    assert.equal(result.replans, 1);
    assert.deepEqual(
      result.actions.map((a) => [a.action, a.outcome]),
      [['SIGTERM', 'pid-reused']],
    );
  });

  it('re-plans when the owners changed between plan and action, and stops the new owner', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    world.beforeIdentity = (pid) => {
      if (pid === 4242) {
        world.procs.delete(4242);
        world.add({ pid: 4300, ppid: 600, parentName: 'zsh' });
        world.beforeIdentity = null;
      }
    };
    const result = await runStop(world.deps(), options());
    assert.equal(result.replans, 1);
    assert.deepEqual(signals(world), ['SIGTERM 4300']);
    assert.deepEqual(
      result.plan.targets.map((t) => t.pid),
      [4300],
    );
    assert.equal(result.outcome, 'stopped');
  });

  it('gives up after a bounded number of re-plans', async () => {
    const world = new FakeStopWorld();
    let next = 5000;
    world.add({ pid: next });
    world.beforeIdentity = (pid) => {
      world.procs.delete(pid);
      world.add({ pid: ++next });
    };
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'failed');
    assert.equal(result.replans, 3);
    assert.deepEqual(signals(world), []);
  });

  it('waits with doubling polls from 5 ms, capped near 1.3 s', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, onTerm: 'slow', slowMs: 6000 });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(world.sleeps.slice(0, 9), [5, 10, 20, 40, 80, 160, 320, 640, 1280]);
    assert.ok(world.sleeps.every((ms) => ms <= 1280));
    assert.ok(world.progress.some((line) => /Waiting for port 7777/.test(line)));
  });

  it('without force, a process that ignores SIGTERM is left running: timed-out', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, onTerm: 'ignore' });
    const result = await runStop(world.deps(), options({ timeoutSeconds: 2 }));
    assert.equal(result.outcome, 'timed-out');
    assert.equal(result.forced, false);
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.ok(world.procs.has(4242));
    assert.equal(world.clock - 1_000_000, 2000, 'it waited exactly the timeout');
  });

  it('with force, SIGKILL comes only after the timeout, and is recorded as forced', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, onTerm: 'ignore' });
    let killedAt = -1;
    const deps = world.deps();
    const send = deps.sendSignal;
    deps.sendSignal = async (pid, signal) => {
      if (signal === 'SIGKILL') killedAt = world.clock;
      return send(pid, signal);
    };
    const result = await runStop(deps, options({ force: true, timeoutSeconds: 2 }));
    assert.equal(result.outcome, 'stopped');
    assert.equal(result.forced, true);
    assert.ok(killedAt - 1_000_000 >= 2000, `SIGKILL at +${killedAt - 1_000_000} ms`);
    assert.deepEqual(
      result.actions.map((a) => a.action),
      ['SIGTERM', 'SIGKILL'],
    );
  });

  it('with force, a PID reused during the timeout is not killed', async () => {
    const world = new FakeStopWorld();
    const holder = world.add({ pid: 4242, onTerm: 'ignore' });
    let identityChecks = 0;
    world.beforeIdentity = (pid) => {
      // 1st: before SIGTERM. 2nd: before SIGKILL, by when 4242 is someone else (holding the port).
      if (pid === 4242 && ++identityChecks === 2) world.procs.set(4242, { ...holder, startTime: 'other' });
    };
    const result = await runStop(world.deps(), options({ force: true, timeoutSeconds: 1 }));
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.equal(result.forced, false);
    assert.equal(result.actions.at(-1)?.outcome, 'pid-reused');
  });

  it('reports a parent that respawns the holder, once, without fighting it', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, ppid: 600, parentName: 'python3', onTerm: 'respawn' });
    const result = await runStop(world.deps(), options({ force: true }));
    assert.equal(result.outcome, 'failed');
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.equal(result.respawn?.oldPid, 4242);
    assert.equal(result.respawn?.parentPid, 600);
    assert.notEqual(result.respawn?.newPid, 4242);
    assert.equal(result.respawn?.command, 'kill 600');
    assert.match(result.summary, /restarted as PID \d+ by its parent python3 \(PID 600\)/);
  });

  it('watches a released port for a restart when the parent is alive (and not a shell)', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 600, ppid: 1, parentName: 'systemd', holds: false });
    world.add({ pid: 4242, ppid: 600, parentName: 'python3', onTerm: 'respawn', respawnAfterMs: 300 });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'failed');
    assert.equal(result.respawn?.parentPid, 600);
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
  });

  it('does not watch for a restart when the parent is a shell', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 500, ppid: 1, parentName: 'systemd', holds: false });
    world.add({ pid: 4242, ppid: 500, parentName: 'bash' });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(world.sleeps, [5], 'one poll: released, no watch');
  });

  it('stops both processes of a SO_REUSEPORT pair', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    world.add({ pid: 4243 });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(signals(world), ['SIGTERM 4242', 'SIGTERM 4243']);
    assert.equal(result.respawn, null, 'siblings stopped together are not a respawn');
  });

  it('stops a container with its own stop signal through Docker, never a PID, never a kill without --force', async () => {
    const world = new FakeStopWorld();
    world.containers.set('abcdef0123456789', { name: 'web', holds: true });
    const result = await runStop(world.deps(), options({ timeoutSeconds: 3 }));
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(signals(world), ['docker-stop-signal abcdef01']);
  });

  it('a dry run plans and sends nothing', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    world.containers.set('abcdef0123456789', { name: 'web', holds: true });
    const result = await runStop(world.deps(), options({ dryRun: true }));
    assert.equal(result.outcome, 'would-stop');
    assert.equal(result.dryRun, true);
    assert.equal(result.plan.targets.length, 2);
    assert.deepEqual(signals(world), []);
    assert.deepEqual(result.actions, []);
    assert.deepEqual(
      world.calls.filter((c) => c.startsWith('identity')),
      [],
    );
  });

  it('refuses (and does nothing) when every owner is refused', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 1 });
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'refused');
    assert.deepEqual(signals(world), []);
  });

  it('says nothing-to-stop for a free port', async () => {
    const world = new FakeStopWorld();
    const result = await runStop(world.deps(), options());
    assert.equal(result.outcome, 'nothing-to-stop');
    assert.equal(result.portFreeAfter, true);
  });

  it('a signal that fails (EPERM) is a failure, recorded with its code', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    world.signalError = Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    const result = await runStop(world.deps(), options({ timeoutSeconds: 1 }));
    assert.equal(result.outcome, 'failed');
    assert.equal(result.actions[0]?.outcome, 'failed');
    assert.match(result.actions[0]?.detail ?? '', /^EPERM/);
  });
});

describe('runStop: outcomes that must not claim success (from the safety review)', () => {
  it('--pid of one worker: a sibling that held the port all along is no "respawn"', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, ppid: 700, parentName: 'gunicorn' });
    world.add({ pid: 4243, ppid: 700, parentName: 'gunicorn' });
    const result = await runStop(world.deps(), options({ pid: 4242 }));
    assert.equal(result.respawn, null);
    assert.equal(result.outcome, 'stopped');
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.equal(result.portFreeAfter, false);
  });

  it('the targets gone while a refused owner still holds the port is not "stopped"', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    // PID 8999 is an ancestor of tapo-port: refused, and it keeps the port.
    world.add({ pid: 8999 });
    const result = await runStop(world.deps(), options());
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.equal(result.portFreeAfter, false);
    assert.equal(result.outcome, 'refused');
  });

  it('a target already gone is skipped, the others are still stopped in the same pass', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242 });
    world.add({ pid: 4243 });
    world.beforeIdentity = (pid) => {
      if (pid === 4243) world.procs.delete(4243);
    };
    const result = await runStop(world.deps(), options());
    assert.deepEqual(signals(world), ['SIGTERM 4242']);
    assert.deepEqual(
      result.actions.map((a) => [a.action, a.target.pid, a.outcome]),
      [
        ['SIGTERM', 4242, 'sent'],
        ['SIGTERM', 4243, 'gone'],
      ],
    );
    assert.equal(result.outcome, 'stopped');
  });

  it('a failure after a signal was sent still answers with what was done', async () => {
    const world = new FakeStopWorld();
    world.add({ pid: 4242, onTerm: 'slow', slowMs: 50 });
    const deps = world.deps();
    let checks = 0;
    const check = deps.check;
    deps.check = async (port, host) => {
      checks += 1;
      if (checks > 1) throw new Error('the socket table vanished');
      return check(port, host);
    };
    const result = await runStop(deps, options());
    assert.equal(result.outcome, 'failed');
    assert.deepEqual(
      result.actions.map((a) => [a.action, a.target.pid]),
      [['SIGTERM', 4242]],
    );
  });
});
