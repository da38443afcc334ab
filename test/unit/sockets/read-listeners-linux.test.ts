import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { realProcFs } from '../../../src/system/proc-fs.ts';
import { makeListener } from '../../../src/sockets/listener.ts';
import { readLinuxListeners } from '../../../src/sockets/read-listeners-linux.ts';
import { makeFakeProcFs, makeStatLine } from '../../support/fake-proc-fs.ts';
import type { FakeTree } from '../../support/fake-proc-fs.ts';

const local = (name: string): string =>
  readFileSync(
    path.join(import.meta.dirname, '..', '..', 'fixtures', 'linux', 'local-debian12-docker-20.10.24', name),
    'utf8',
  );

/** The recorded tables, with the two docker-proxy processes of that capture holding their sockets. */
function dockerProxyHost(overrides: Partial<Record<string, string | null>> = {}): FakeTree {
  return {
    files: {
      '/proc/net/tcp': local('proc-net-tcp.mixed.txt'),
      '/proc/net/tcp6': local('proc-net-tcp6.mixed.txt'),
      '/proc/11522/stat': makeStatLine(11522, 'docker-proxy', 11350),
      '/proc/11522/comm': 'docker-proxy\n',
      '/proc/11527/stat': makeStatLine(11527, 'docker-proxy', 11350),
      '/proc/11527/comm': 'docker-proxy\n',
      '/proc/11350/stat': makeStatLine(11350, 'dockerd', 1),
      '/proc/11350/comm': 'dockerd\n',
      ...overrides,
    },
    links: {
      '/proc/11522/fd/4': 'socket:[404452]',
      '/proc/11527/fd/4': 'socket:[404455]',
      '/proc/11350/fd/3': 'socket:[111]',
    },
    uids: { '/proc/self': 0, '/proc/11522': 0, '/proc/11527': 0, '/proc/11350': 0 },
  };
}

test('docker-proxy on 7777: both families, holders found by inode, TIME_WAIT rows ignored', () => {
  assert.deepEqual(readLinuxListeners(7777, makeFakeProcFs(dockerProxyHost())), {
    readable: true,
    source: '/proc/net/tcp',
    listeners: [
      makeListener({
        address: '0.0.0.0',
        port: 7777,
        family: 4,
        dualStack: false,
        pid: 11522,
        processName: 'docker-proxy',
        uid: 0,
        inode: 404452,
      }),
      makeListener({
        address: '::',
        port: 7777,
        family: 6,
        dualStack: null,
        pid: 11527,
        processName: 'docker-proxy',
        uid: 0,
        inode: 404455,
      }),
    ],
    warnings: [],
  });
});

test('a free port: readable, no listeners, and no process is opened', () => {
  const fs = makeFakeProcFs(dockerProxyHost());
  assert.deepEqual(readLinuxListeners(7799, fs), {
    readable: true,
    source: '/proc/net/tcp',
    listeners: [],
    warnings: [],
  });
  assert.deepEqual(fs.calls, ['readFile /proc/net/tcp', 'readFile /proc/net/tcp6']);
});

test('a holder we cannot see keeps pid null, its uid, and a warning that says what to do', () => {
  const tree = dockerProxyHost();
  tree.uids = { '/proc/self': 1000 };
  tree.links = {};
  const table = readLinuxListeners(7777, makeFakeProcFs(tree));
  assert.ok(table.readable);
  assert.deepEqual(
    table.listeners.map((listener) => [listener.address, listener.pid, listener.uid]),
    [
      ['0.0.0.0', null, 0],
      ['::', null, 0],
    ],
  );
  assert.deepEqual(table.warnings, [
    'The process holding port 7777 is not visible to this user (socket uid 0); run the same command with sudo to see it.',
  ]);
});

test('a socket shared by a parent and its child is reported once per holder', () => {
  const tree = dockerProxyHost();
  tree.links = { ...tree.links, '/proc/11350/fd/9': 'socket:[404452]' };
  const table = readLinuxListeners(7777, makeFakeProcFs(tree));
  assert.ok(table.readable);
  assert.deepEqual(
    table.listeners.map((listener) => [listener.address, listener.pid, listener.processName]),
    [
      ['0.0.0.0', 11350, 'dockerd'],
      ['0.0.0.0', 11522, 'docker-proxy'],
      ['::', 11527, 'docker-proxy'],
    ],
  );
});

test('IPv6 disabled: readable with a warning; no table at all: unreadable', () => {
  const table = readLinuxListeners(7777, makeFakeProcFs(dockerProxyHost({ '/proc/net/tcp6': null })));
  assert.ok(table.readable);
  assert.deepEqual(
    table.listeners.map((listener) => listener.pid),
    [11522],
  );
  assert.deepEqual(table.warnings, ['/proc/net/tcp6 cannot be read: IPv6 listeners are not shown.']);

  assert.deepEqual(
    readLinuxListeners(
      7777,
      makeFakeProcFs(dockerProxyHost({ '/proc/net/tcp': null, '/proc/net/tcp6': null })),
    ),
    {
      readable: false,
      source: '/proc/net/tcp',
      reason: 'Neither /proc/net/tcp nor /proc/net/tcp6 can be read (is /proc mounted?).',
      warnings: [],
    },
  );
});

test('the real /proc finds this test process listening on a loopback port', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const table = readLinuxListeners(port, realProcFs);
    assert.ok(table.readable);
    const mine = table.listeners.filter((listener) => listener.pid === process.pid);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.address, '127.0.0.1');
    assert.equal(mine[0]?.family, 4);
    assert.equal(mine[0]?.uid, process.getuid?.());
    assert.equal(mine[0]?.processName, readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim());
    assert.ok((mine[0]?.inode ?? 0) > 0);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
