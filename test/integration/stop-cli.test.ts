// `tapo-port stop` as a user runs it: the bundle, real holders, exit codes, JSON against the schema.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freePort, startHolder, type Holder } from '../support/holders.ts';
import { runCli } from '../support/run-cli.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const holders: Holder[] = [];
after(async () => Promise.all(holders.map((h) => h.stop())));

const noDocker = { DOCKER_HOST: 'unix:///nonexistent/tapo-test.sock' };

async function stop(args: string[]) {
  const result = await runCli(['stop', ...args, '--json'], { env: noDocker });
  const envelope = JSON.parse(result.stdout) as {
    kind: string;
    data: { outcome: string; portFreeAfter: boolean; forced: boolean; actions: { action: string }[] } | null;
    error: { code: string } | null;
  };
  assertMatchesSchema(envelope);
  return { result, envelope };
}

describe('tapo-port stop', () => {
  it('--dry-run plans, exits 0 and leaves the holder running', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '0.0.0.0', port });
    holders.push(holder);
    const { result, envelope } = await stop(['--port', String(port), '--dry-run']);
    assert.equal(result.code, 0);
    assert.equal(envelope.data?.outcome, 'would-stop');
    assert.deepEqual(envelope.data?.actions, []);
    assert.equal(holder.child.exitCode, null);
    assert.doesNotThrow(() => process.kill(holder.pid, 0));
  });

  it('stops a holder with SIGTERM, waits until the port is free, exits 0', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '127.0.0.1', port });
    holders.push(holder);
    const { result, envelope } = await stop(['--port', String(port), '--timeout', '5']);
    assert.equal(result.code, 0);
    assert.equal(envelope.data?.outcome, 'stopped');
    assert.equal(envelope.data?.portFreeAfter, true);
    assert.equal(envelope.data?.forced, false);
    assert.deepEqual(
      envelope.data?.actions.map((a) => a.action),
      ['SIGTERM'],
    );
    assert.match(
      result.stderr,
      /^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] /m,
      'progress lines are timestamped on stderr',
    );
  });

  it('nothing on the port: exit 7', async () => {
    const { result, envelope } = await stop(['--port', String(await freePort())]);
    assert.equal(result.code, 7);
    assert.equal(envelope.data?.outcome, 'nothing-to-stop');
  });

  it('--pid of a process that does not hold the port is a usage error naming it', async () => {
    const port = await freePort();
    holders.push(await startHolder({ host: '0.0.0.0', port }));
    const { result, envelope } = await stop(['--port', String(port), '--pid', '999999']);
    assert.equal(result.code, 2);
    assert.equal(envelope.error?.code, 'E_NOT_AN_OWNER');
  });

  for (const args of [
    ['--timeout', '0'],
    ['--timeout', '1.5'],
    ['--pid', 'abc'],
    ['--port', '70000'],
  ]) {
    it(`bad input ${args.join(' ')} is exit 2 with one line`, async () => {
      const result = await runCli(['stop', ...args], { env: noDocker });
      assert.equal(result.code, 2);
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1);
    });
  }
});

describe('tapo-port stop --confirmed (what a person was shown and said yes to)', () => {
  async function dryRunKeys(port: number): Promise<string[]> {
    const { envelope } = await stop(['--port', String(port), '--dry-run']);
    const plan = (envelope.data as unknown as { plan: { targets: { pid: number; startTime: string }[] } })
      .plan;
    return plan.targets.map((t) => `${t.pid}@${t.startTime}`);
  }

  it('stops the holder whose PID and start time were confirmed', async () => {
    const port = await freePort();
    const holder = await startHolder({ host: '127.0.0.1', port });
    holders.push(holder);
    const keys = await dryRunKeys(port);
    assert.deepEqual(
      keys.map((k) => Number(k.split('@')[0])),
      [holder.pid],
    );
    const { result, envelope } = await stop([
      '--port',
      String(port),
      '--timeout',
      '5',
      '--confirmed',
      ...keys,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(envelope.data?.outcome, 'stopped');
  });

  it('stops nothing and exits 8 when the port is held by a process that was not confirmed', async () => {
    const port = await freePort();
    const first = await startHolder({ host: '127.0.0.1', port });
    holders.push(first);
    const keys = await dryRunKeys(port);
    // The confirmed holder leaves and another takes the port while the question was on screen.
    await first.stop();
    const newcomer = await startHolder({ host: '127.0.0.1', port });
    holders.push(newcomer);
    const { result, envelope } = await stop([
      '--port',
      String(port),
      '--timeout',
      '5',
      '--confirmed',
      ...keys,
    ]);
    assert.equal(result.code, 8, result.stderr);
    assert.equal(envelope.data?.outcome, 'refused');
    assert.deepEqual(envelope.data?.actions, []);
    assert.doesNotThrow(() => process.kill(newcomer.pid, 0));
  });
});
