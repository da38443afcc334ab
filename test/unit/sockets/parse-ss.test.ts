import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeListener } from '../../../src/sockets/listener.ts';
import { parseSsListeners } from '../../../src/sockets/parse-ss.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const local = (name: string): string =>
  readFileSync(path.join(fixtures, 'local-debian12-docker-20.10.24', name), 'utf8');
const fromIssue = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

const HEADER = 'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n';

const proxy4 = makeListener({
  address: '0.0.0.0',
  port: 7777,
  family: 4,
  dualStack: false,
  pid: 11522,
  processName: 'docker-proxy',
});
const proxy6 = makeListener({
  address: '::',
  port: 7777,
  family: 6,
  dualStack: false,
  pid: 11527,
  processName: 'docker-proxy',
});
const sandbox2024 = makeListener({ address: '0.0.0.0', port: 2024, family: 4, dualStack: false });

test('ss -ltnp with the glued `Peer Address:PortProcess` header and a row with no process', () => {
  assert.deepEqual(parseSsListeners(local('ss-ltnp.docker-proxy.txt')), [proxy4, sandbox2024, proxy6]);
});

test("ss -Hltnp 'sport = :7777': no header", () => {
  assert.deepEqual(parseSsListeners(local('ss-Hltnp-sport7777.txt'), 7777), [proxy4, proxy6]);
});

test('ss -tunlp: UDP rows skipped, `*:7783` is a dual-stack IPv6 wildcard, `[::]:7777` is v6-only', () => {
  const listeners = parseSsListeners(local('ss-tunlp.mixed.txt'));
  assert.deepEqual(listeners, [
    makeListener({
      address: '127.0.0.1',
      port: 7780,
      family: 4,
      dualStack: false,
      pid: 11751,
      processName: 'docker-proxy',
    }),
    makeListener({
      address: '0.0.0.0',
      port: 7781,
      family: 4,
      dualStack: false,
      pid: 11849,
      processName: 'python3',
    }),
    proxy4,
    sandbox2024,
    makeListener({
      address: '::',
      port: 7783,
      family: 6,
      dualStack: true,
      pid: 11940,
      processName: 'python3',
    }),
    proxy6,
    makeListener({
      address: '::1',
      port: 7782,
      family: 6,
      dualStack: false,
      pid: 11940,
      processName: 'python3',
    }),
  ]);
  assert.deepEqual(parseSsListeners(local('ss-tunlp.mixed.txt'), 7790), []);
  assert.deepEqual(parseSsListeners(local('ss-tunlp.docker-proxy.txt'), 7777), [proxy4, proxy6]);
});

test('ss -tanp: TIME-WAIT rows on the same port are not listeners', () => {
  const text = local('ss-tanp.mixed-with-time-wait.txt');
  assert.match(text, /TIME-WAIT 0 +0 +127\.0\.0\.1:7777/);
  assert.deepEqual(parseSsListeners(text, 7777), [proxy4, proxy6]);
});

test('as non-root the Process column is empty: every listener has pid null', () => {
  const listeners = parseSsListeners(local('ss-ltnp.as-nonroot.txt'));
  assert.equal(listeners.length, 7);
  assert.ok(listeners.every((listener) => listener.pid === null && listener.processName === null));
  assert.deepEqual(parseSsListeners(local('ss-ltnp.as-nonroot.txt'), 7777), [
    makeListener({ address: '0.0.0.0', port: 7777, family: 4, dualStack: false }),
    makeListener({ address: '::', port: 7777, family: 6, dualStack: false }),
  ]);
});

test('after `docker stop` the 7780 listener is gone', () => {
  assert.deepEqual(parseSsListeners(local('ss-ltnp.after-stop-loop7780.txt'), 7780), []);
  assert.equal(parseSsListeners(local('ss-ltnp.after-stop-loop7780.txt')).length, 6);
});

test('libnetwork#2682: wide-terminal column widths', () => {
  assert.deepEqual(
    parseSsListeners(
      fromIssue('ss-tnlp.docker-proxy.wide-terminal.trailing-ws-stripped.libnetwork-2682.partial.txt'),
    ).map((listener) => [listener.address, listener.port, listener.pid, listener.processName]),
    [
      ['127.0.0.1', 5432, 2528, 'postgres'],
      ['0.0.0.0', 22022, 767, 'sshd'],
      ['127.0.0.1', 3306, 2155, 'mysqld'],
      ['0.0.0.0', 3280, 2075, 'docker-proxy'],
    ],
  );
});

test('for-win#14122: unix rows skipped; the WSL forward has no process', () => {
  assert.deepEqual(
    parseSsListeners(fromIssue('ss-ln-grep.wsl-distro-docker-desktop-no-process.for-win-14122.txt')),
    [makeListener({ address: '127.0.0.1', port: 5432, family: 4, dualStack: false })],
  );
});

test('a socket shared by several processes gives one Listener per PID (synthetic row)', () => {
  const text =
    HEADER +
    'LISTEN 0      511          0.0.0.0:7777      0.0.0.0:*    users:(("nginx",pid=1201,fd=6),("nginx",pid=1200,fd=6),("nginx",pid=1201,fd=9))\n';
  assert.deepEqual(
    parseSsListeners(text).map((listener) => [listener.pid, listener.processName]),
    [
      [1201, 'nginx'],
      [1200, 'nginx'],
    ],
  );
});

test('process names with spaces, parentheses, commas and quotes', () => {
  // The first row is the shape reported in sindresorhus/pid-port#16; the rest vary the name.
  const rows = [
    'LISTEN 0 511 *:3002 *:* users:(("next-server (v16.1.1)",pid=479293,fd=30))',
    'LISTEN 0 5 0.0.0.0:3003 0.0.0.0:* users:(("a,b),(c",pid=11,fd=3))',
    'LISTEN 0 5 0.0.0.0:3004 0.0.0.0:* users:(("say \\"hi\\"",pid=12,fd=3),("x\\x41\\\\",pid=13,fd=4))',
    'LISTEN 0 5 0.0.0.0:3005 0.0.0.0:* users:(("tmux: server",pid=14,fd=3))',
  ];
  assert.deepEqual(
    parseSsListeners(HEADER + rows.join('\n')).map((listener) => [
      listener.port,
      listener.pid,
      listener.processName,
    ]),
    [
      [3002, 479293, 'next-server (v16.1.1)'],
      [3003, 11, 'a,b),(c'],
      [3004, 12, 'say "hi"'],
      [3004, 13, 'xA\\'],
      [3005, 14, 'tmux: server'],
    ],
  );
});

test('-e adds ino: and uid: after the users list (row shape from kellyjonbrazil/jc#755)', () => {
  const text =
    'Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n' +
    'tcp   LISTEN 0      5            0.0.0.0:19001      0.0.0.0:*    users:(("svc(1",pid=3201,fd=3)) ino:2415307 sk:a004 cgroup:/ <->\n' +
    'tcp   LISTEN 0      5            0.0.0.0:19002      0.0.0.0:*    users:(("py",pid=3202,fd=3)) uid:1000 ino:2415308 sk:a005 cgroup:/ <->\n';
  assert.deepEqual(parseSsListeners(text), [
    makeListener({
      address: '0.0.0.0',
      port: 19001,
      family: 4,
      dualStack: false,
      pid: 3201,
      processName: 'svc(1',
      uid: 0,
      inode: 2415307,
    }),
    makeListener({
      address: '0.0.0.0',
      port: 19002,
      family: 4,
      dualStack: false,
      pid: 3202,
      processName: 'py',
      uid: 1000,
      inode: 2415308,
    }),
  ]);
});

test('v4-mapped, device-bound and exact port matching (synthetic rows)', () => {
  const text =
    HEADER +
    [
      'LISTEN 0 128 [::ffff:127.0.0.1]:7777 *:* users:(("java",pid=21,fd=5))',
      'LISTEN 0 128 127.0.0.53%lo:53 0.0.0.0:* users:(("systemd-resolve",pid=22,fd=14))',
      'LISTEN 0 128 [fe80::1]%eth0:7777 [::]:* users:(("x",pid=23,fd=3))',
      'LISTEN 0 128 0.0.0.0:77770 0.0.0.0:*',
      'LISTEN 0 128 0.0.0.0:17777 0.0.0.0:*',
      'LISTEN 0 128 0.0.0.0:777 0.0.0.0:*',
    ].join('\n');
  assert.deepEqual(
    parseSsListeners(text, 7777).map((listener) => [listener.address, listener.family, listener.pid]),
    [
      ['127.0.0.1', 4, 21],
      ['fe80::1', 6, 23],
    ],
  );
  assert.equal(parseSsListeners(text, 53)[0]?.address, '127.0.0.53');
});

test('legacy ss (iproute2 < 4.13) printed 0.0.0.0 as `*` and IPv6 unbracketed (synthetic rows)', () => {
  const text =
    'State      Recv-Q Send-Q Local Address:Port               Peer Address:Port\n' +
    'LISTEN     0      128          *:22                       *:*\n' +
    'LISTEN     0      128         :::22                      :::*\n';
  assert.deepEqual(parseSsListeners(text), [
    makeListener({ address: '0.0.0.0', port: 22, family: 4, dualStack: false }),
    makeListener({ address: '::', port: 22, family: 6, dualStack: null }),
  ]);
});

test('CRLF text parses the same as LF', () => {
  const text = local('ss-tunlp.mixed.txt');
  assert.deepEqual(parseSsListeners(text.replace(/\n/g, '\r\n')), parseSsListeners(text));
});
