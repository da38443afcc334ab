import assert from 'node:assert/strict';
import { createConnection, createServer } from 'node:net';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, startHolder, type Holder } from '../support/holders.ts';
import { coreExecutable } from '../support/core-command.ts';
import { bundlePath, parseEnvelope, runCli } from '../support/run-cli.ts';

const holders: Holder[] = [];
after(async () => {
  await Promise.all(holders.map((h) => h.stop()));
});

async function hold(options: Parameters<typeof startHolder>[0]): Promise<Holder> {
  const holder = await startHolder(options);
  holders.push(holder);
  return holder;
}

async function check(
  port: number,
  host = '0.0.0.0',
  extra: { uid?: number; bundle?: string; executable?: string } = {},
) {
  const result = await runCli(['check', '--port', String(port), '--host', host, '--json'], {
    ...extra,
    env: { DOCKER_HOST: 'unix:///nonexistent/tapo-test.sock' },
  });
  return { result, envelope: parseEnvelope(result.stdout) };
}

describe('check with real sockets', () => {
  it('reports a free port as free with exit 0', async () => {
    const port = await freePort();
    const { result, envelope } = await check(port);
    assert.equal(envelope.data?.status, 'free');
    assert.deepEqual(envelope.data?.owners, []);
    assert.equal(result.code, 0);
  });

  for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::']) {
    it(`names the process holding ${host} when the dashboard asks for 0.0.0.0`, async () => {
      const port = await freePort();
      const holder = await hold({ host, port });
      const { result, envelope } = await check(port);
      const data = envelope.data;
      assert.ok(data);
      // ::1 and a v6-only :: do not stop an IPv4 bind, but they answer "localhost".
      const expected = host.includes(':') ? 'shadowed' : 'in-use';
      assert.equal(data.status, expected);
      assert.deepEqual(
        data.owners.map((o) => [o.kind, o.pid, o.addresses]),
        [['process', holder.pid, [host]]],
      );
      assert.equal(data.owners[0]?.process?.name, 'python3');
      assert.match(data.owners[0]?.process?.commandLine ?? '', /hold_port\.py/);
      assert.equal(result.code, 1);
    });
  }

  it('a dual-stack :: listener (Node and Java default) blocks 0.0.0.0 and is named', async () => {
    const port = await freePort();
    const holder = await hold({ host: '::', port, dualStack: true });
    const { envelope } = await check(port);
    assert.equal(envelope.data?.status, 'in-use');
    assert.deepEqual(
      envelope.data?.listeners.map((l) => [l.address, l.relation]),
      [['::', 'blocks']],
    );
    assert.deepEqual(
      envelope.data?.owners.map((o) => o.pid),
      [holder.pid],
    );
  });

  it('says in-use for ::1 when the dashboard asks for ::1', async () => {
    const port = await freePort();
    const holder = await hold({ host: '::1', port });
    const { envelope } = await check(port, '::1');
    assert.equal(envelope.data?.status, 'in-use');
    assert.deepEqual(
      envelope.data?.owners.map((o) => o.pid),
      [holder.pid],
    );
  });

  it('ignores a UDP socket on the same number', async () => {
    const port = await freePort();
    await hold({ host: '0.0.0.0', port, udp: true });
    const { result, envelope } = await check(port);
    assert.equal(envelope.data?.status, 'free');
    assert.equal(result.code, 0);
  });

  it('ignores TIME_WAIT left by a closed connection', async () => {
    const port = await freePort();
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => {
      const client = createConnection(port, '127.0.0.1');
      client.on('data', () => undefined);
      client.on('close', () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const timeWait = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .filter((line) => line.includes(`:${hexPort} `) && / 06 /.test(line));
    assert.ok(timeWait.length > 0, 'the test must really leave a TIME_WAIT row');
    const { envelope } = await check(port, '127.0.0.1');
    assert.equal(envelope.data?.status, 'free');
  });

  it('reports both owners of a SO_REUSEPORT pair', async () => {
    const port = await freePort();
    const first = await hold({ host: '0.0.0.0', port, reusePort: true });
    const second = await hold({ host: '0.0.0.0', port, reusePort: true });
    const { envelope } = await check(port);
    assert.equal(envelope.data?.status, 'in-use');
    assert.deepEqual(envelope.data?.owners.map((o) => o.pid).sort(), [first.pid, second.pid].sort());
  });

  it('reports a listener of another user as hidden, with its uid, to a non-root user', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to run a listener as root and the check as nobody');
      console.error('SKIPPED: hidden-owner test needs root');
      return;
    }
    // The clone may sit under a folder only root can enter: give nobody its own copy of dist/.
    const copy = mkdtempSync(path.join(os.tmpdir(), 'tapo-dist-'));
    cpSync(path.dirname(bundlePath), copy, { recursive: true });
    const executable = coreExecutable();
    if (executable !== null) cpSync(executable, path.join(copy, 'tapo-port-executable'));
    chmodSync(copy, 0o755);
    const port = await freePort();
    await hold({ host: '0.0.0.0', port });
    const { result, envelope } = await check(port, '0.0.0.0', {
      uid: 65534,
      bundle: path.join(copy, path.basename(bundlePath)),
      ...(executable !== null ? { executable: path.join(copy, 'tapo-port-executable') } : {}),
    });
    rmSync(copy, { recursive: true, force: true });
    assert.equal(envelope.data?.status, 'in-use');
    const owner = envelope.data?.owners[0];
    assert.equal(owner?.kind, 'hidden');
    assert.equal(owner?.hidden?.uid, 0);
    assert.match(owner?.hidden?.revealCommand ?? '', /^sudo ss -ltnp 'sport = :\d+'$/);
    assert.equal(result.code, 1);
  });

  it('suggests the next free port above a busy one', async () => {
    const port = await freePort();
    await hold({ host: '0.0.0.0', port });
    const { envelope } = await check(port);
    const next = envelope.data?.nextFreePort;
    assert.ok(
      typeof next === 'number' && next > port,
      `next free port ${String(next)} must be above ${port}`,
    );
    assert.match(envelope.data?.fixes[0]?.commands.posix ?? '', new RegExp(`--port ${next}$`));
  });
});
