// How `terminate` maps onto the Windows job keeper, with a fake keeper and a hand-driven timer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createJobControl,
  JOB_KEEPER_READY_TIMEOUT_MS,
  type JobKeeperProcess,
} from '../../../src/start/windows-job-control.ts';

function setUp() {
  const events: string[] = [];
  let lineListener: (line: string) => void = () => undefined;
  let exitListener: (code: number | null) => void = () => undefined;
  let timer: { ms: number; fire: () => void; armed: boolean } | null = null;
  const keeper: JobKeeperProcess = {
    onLine: (listener) => (lineListener = listener),
    onExit: (listener) => (exitListener = listener),
    send: (command) => events.push(`send ${command}`),
    end: () => events.push('end'),
  };
  const warnings: string[] = [];
  const control = createJobControl({
    keeper,
    killDashboardOnly: () => events.push('kill dashboard only'),
    warn: (line) => warnings.push(line),
    startTimer: (ms, fire) => {
      const armed = { ms, fire, armed: true };
      timer = armed;
      return () => (armed.armed = false);
    },
  });
  return {
    control,
    events,
    warnings,
    print: (line: string) => lineListener(line),
    exit: (code: number | null) => exitListener(code),
    timer: () => timer,
  };
}

describe('createJobControl', () => {
  it('ready: ask sends close and kill sends kill, nothing else; no warning', () => {
    const t = setUp();
    t.print('ready 2 0');
    t.control.terminate('ask');
    t.control.terminate('kill');
    assert.deepEqual(t.events, ['send close', 'send kill']);
    assert.deepEqual(t.warnings, []);
    assert.equal(t.timer()?.armed, false, 'the start bound is disarmed once ready');
  });

  it('dashboard exited: kill for what is left in the job, then end of stdin; later terminates do nothing', () => {
    const t = setUp();
    t.print('ready 1 0');
    t.control.dashboardExited();
    t.control.terminate('kill');
    t.exit(0);
    assert.deepEqual(t.events, ['send kill', 'end']);
    assert.deepEqual(t.warnings, [], 'the keeper exiting after its release is expected');
  });

  it('keeper failed to start (exit 14): one warning, then today’s TerminateProcess of the dashboard', () => {
    const t = setUp();
    t.exit(14);
    t.control.terminate('ask');
    t.control.terminate('kill');
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0] ?? '', /could not be put in a job object/);
    assert.deepEqual(t.events, ['end', 'kill dashboard only', 'kill dashboard only']);
  });

  it('a command sent while starting is carried out the old way if the keeper then fails', () => {
    const t = setUp();
    t.control.terminate('ask');
    t.exit(13);
    assert.deepEqual(t.events, ['send close', 'end', 'kill dashboard only']);
    assert.equal(t.warnings.length, 1);
  });

  it('no answer within the bound: it counts as failed (start is never held up by it)', () => {
    const t = setUp();
    const timer = t.timer();
    assert.equal(timer?.ms, JOB_KEEPER_READY_TIMEOUT_MS);
    t.control.terminate('kill');
    timer?.fire();
    assert.deepEqual(t.events, ['send kill', 'end', 'kill dashboard only']);
    assert.match(t.warnings[0] ?? '', /no answer within 20 s/);
    t.print('ready 1 0');
    t.control.terminate('kill');
    assert.equal(t.events.at(-1), 'kill dashboard only', 'a late ready does not revive it');
  });

  it('a keeper that stops while holding the tree is reported once; the dashboard can still be ended', () => {
    const t = setUp();
    t.print('ready 3 1');
    t.exit(1);
    t.exit(1);
    t.control.terminate('kill');
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0] ?? '', /stopped \(the helper exited with code 1\)/);
    assert.deepEqual(t.events, ['end', 'kill dashboard only']);
  });

  it('a keeper that fails after the dashboard exited says nothing and kills nothing', () => {
    const t = setUp();
    t.control.dashboardExited();
    t.exit(10);
    assert.deepEqual(t.warnings, []);
    assert.deepEqual(t.events, ['send kill', 'end']);
  });
});
