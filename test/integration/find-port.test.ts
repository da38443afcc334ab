// find-port against real sockets: a block of 1,000 consecutive busy ports on mixed addresses,
// holders on one loopback only, and a range with nothing free.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startHolder, type Holder } from '../support/holders.ts';
import { runCli } from '../support/run-cli.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const holdMany = path.join(import.meta.dirname, '..', 'fixtures', 'holders', 'hold_many.py');
const children: ChildProcess[] = [];
const holders: Holder[] = [];
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(holders.map((h) => h.stop()));
});

/** Holds `count` consecutive ports from the first base that is wholly free; returns that base. */
async function holdBlock(count: number): Promise<number> {
  for (const base of [21000, 23000, 25000, 27000, 29000]) {
    const child = spawn('python3', [holdMany, '--start', String(base), '--count', String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ready = await new Promise<boolean>((resolve) => {
      child.stdout.once('data', () => resolve(true));
      child.once('exit', () => resolve(false));
    });
    if (ready) {
      children.push(child);
      return base;
    }
  }
  throw new Error('no block of free ports to hold');
}

async function findPort(args: string[]) {
  const result = await runCli(['find-port', ...args, '--json']);
  const envelope = JSON.parse(result.stdout) as {
    data: { port: number; skipped: Record<string, number> } | null;
    error: { code: string } | null;
  };
  assertMatchesSchema(envelope);
  return { result, envelope };
}

describe('find-port with real sockets', () => {
  it('skips 1,000 consecutive busy ports on 127.0.0.1, ::1, 0.0.0.0 and :: and picks the next one', async () => {
    const base = await holdBlock(1000);
    const { result, envelope } = await findPort(['--start', String(base), '--end', String(base + 1100)]);
    assert.equal(result.code, 0);
    assert.equal(envelope.data?.port, base + 1000);
    assert.equal(envelope.data?.skipped['in-use'], 500);
    // ::1 and a v6-only :: do not stop an IPv4 bind but answer "localhost": never picked.
    assert.equal(envelope.data?.skipped.shadowed, 500);
    assert.equal(envelope.data?.skipped['probe-failed'], 0);
  });

  it('does not pick a port held only on 127.0.0.1 or only on ::1 for a 0.0.0.0 request', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const port = await freePort();
      holders.push(await startHolder({ host, port }));
      const { envelope } = await findPort(['--start', String(port), '--end', String(port + 20)]);
      assert.ok(envelope.data && envelope.data.port > port, `${host}: picked ${envelope.data?.port}`);
    }
  });

  it('prints the port alone in text mode', async () => {
    const port = await freePort();
    const result = await runCli(['find-port', '--start', String(port), '--exclude', 'none']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\n$/);
    assert.ok(Number(result.stdout) >= port);
  });

  it('an exhausted range ends with E_NO_FREE_PORT and exit 6', async () => {
    const port = await freePort();
    holders.push(await startHolder({ host: '0.0.0.0', port }));
    const { result, envelope } = await findPort(['--start', String(port), '--end', String(port)]);
    assert.equal(result.code, 6);
    assert.equal(envelope.error?.code, 'E_NO_FREE_PORT');
    const text = await runCli(['find-port', '--start', String(port), '--end', String(port)]);
    assert.equal(text.code, 6);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /^tapo-port: no free port from \d+ to \d+ on 0\.0\.0\.0 \(E_NO_FREE_PORT\)/);
  });

  it('bad ranges and lists are usage errors naming the value', async () => {
    for (const args of [
      ['--start', '9000', '--end', '8000'],
      ['--exclude', '8010-8000'],
      ['--exclude', '80,abc'],
      ['--start', '0x1E61'],
    ]) {
      const result = await runCli(['find-port', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stderr.split('\n').filter(Boolean).length, 1);
    }
  });
});
