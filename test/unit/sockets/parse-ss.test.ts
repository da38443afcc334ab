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

// One row at a time, in the shapes ss prints (`ss -Hltnp`, with and without a Netid column, with
// -e), and damaged copies of them: every rule, with the whole answer.
type SsRow = [
  string,
  number,
  4 | 6,
  boolean | null,
  number | null,
  string | null,
  number | null,
  number | null,
];
const ssRow = (
  local: string,
  process = 'users:(("python3",pid=4242,fd=3))',
  state = 'LISTEN',
  peer = '0.0.0.0:*',
) => `${state} 0      128          ${local}      ${peer}    ${process}`;
const ssOf = (text: string, port?: number): SsRow[] =>
  parseSsListeners(text, port).map((l) => [
    l.address,
    l.port,
    l.family,
    l.dualStack,
    l.pid,
    l.processName,
    l.uid,
    l.inode,
  ]);
const ssCases: [string, string, SsRow[]][] = [
  ['an IPv4 listener', ssRow('127.0.0.1:7777'), [['127.0.0.1', 7777, 4, false, 4242, 'python3', null, null]]],
  [
    'with a Netid column',
    `tcp   ${ssRow('127.0.0.1:7777')}`,
    [['127.0.0.1', 7777, 4, false, 4242, 'python3', null, null]],
  ],
  ['a udp row with a Netid', `udp   ${ssRow('127.0.0.1:7777')}`, []],
  ['a unix row', `u_str ${ssRow('/run/x.sock 1234')}`, []],
  [
    'not listening',
    ssRow('127.0.0.1:7777', 'users:(("python3",pid=4242,fd=3))', 'ESTAB', '127.0.0.1:50000'),
    [],
  ],
  ['a header line', 'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess', []],
  ['a Netid header line', 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess', []],
  ['no peer column', 'LISTEN 0      128          127.0.0.1:7777', []],
  ['cut after the queue sizes', 'LISTEN 0      128', []],
  [
    'no peer column, so the users list stands in its place and is not trusted',
    'LISTEN 0      128          127.0.0.1:7777      users:(("python3",pid=4242,fd=3))',
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
  ['a service name, not a port', ssRow('127.0.0.1:http'), []],
  ['a six-digit port', ssRow('127.0.0.1:777777'), []],
  ['junk after the port', ssRow('127.0.0.1:7777x'), []],
  ['not an address', ssRow('host.example:7777'), []],
  [
    'the v6 wildcard in brackets (v6-only)',
    ssRow('[::]:7777'),
    [['::', 7777, 6, false, 4242, 'python3', null, null]],
  ],
  ['the dual-stack wildcard `*`', ssRow('*:7777'), [['::', 7777, 6, true, 4242, 'python3', null, null]]],
  [
    'the dual-stack wildcard bound to a device',
    ssRow('*%eth0:7777'),
    [['::', 7777, 6, true, 4242, 'python3', null, null]],
  ],
  [
    'a device suffix',
    ssRow('127.0.0.53%lo:7777'),
    [['127.0.0.53', 7777, 4, false, 4242, 'python3', null, null]],
  ],
  [
    'a bracketed address with a device',
    ssRow('[fe80::1]%eth0:7777'),
    [['fe80::1', 7777, 6, false, 4242, 'python3', null, null]],
  ],
  [
    'a zone id inside the brackets (the form other tools print)',
    ssRow('[fe80::1%eth0]:7777'),
    [['fe80::1', 7777, 6, false, 4242, 'python3', null, null]],
  ],
  [
    'no Process column (not root)',
    ssRow('127.0.0.1:7777', ''),
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
  [
    '-e without users: ino and uid',
    ssRow('127.0.0.1:7777', 'uid:1000 ino:404999 sk:1 <->'),
    [['127.0.0.1', 7777, 4, false, null, null, 1000, 404999]],
  ],
  [
    '-e, root-owned: ino without uid is uid 0',
    ssRow('127.0.0.1:7777', 'ino:404999 sk:1 <->'),
    [['127.0.0.1', 7777, 4, false, null, null, 0, 404999]],
  ],
  [
    'users then -e',
    ssRow('127.0.0.1:7777', 'users:(("python3",pid=4242,fd=3)) uid:1000 ino:404999 sk:1'),
    [['127.0.0.1', 7777, 4, false, 4242, 'python3', 1000, 404999]],
  ],
  [
    'a process name holding ino: and uid: does not give the inode or the uid',
    ssRow('127.0.0.1:7777', 'users:(("x ino:1 uid:0",pid=5,fd=3)) uid:1000 ino:404999 sk:1'),
    [['127.0.0.1', 7777, 4, false, 5, 'x ino:1 uid:0', 1000, 404999]],
  ],
  [
    'a process name holding `",pid=` that would add PID 1 as a holder: owner unknown',
    ssRow('127.0.0.1:7777', 'users:(("",pid=1,fd=3),(",pid=4242,fd=3)) uid:1000 ino:404999'),
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
  [
    'a process name holding `",pid=` that would hide the real holder: owner unknown',
    ssRow('127.0.0.1:7777', 'users:(("",pid=1,fd=3)) ",pid=4242,fd=3)) uid:1000 ino:404999'),
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
  [
    'a word ending in ino: is not the inode',
    ssRow('127.0.0.1:7777', 'casino:12 uid:1000'),
    [['127.0.0.1', 7777, 4, false, null, null, 1000, null]],
  ],
  [
    'a word ending in uid: is not the uid',
    ssRow('127.0.0.1:7777', 'fluid:12 ino:5'),
    [['127.0.0.1', 7777, 4, false, null, null, 0, 5]],
  ],
  [
    'two holders, one repeated',
    ssRow(
      '127.0.0.1:7777',
      'users:(("gunicorn",pid=11,fd=5),("gunicorn",pid=12,fd=5),("gunicorn",pid=11,fd=6))',
    ),
    [
      ['127.0.0.1', 7777, 4, false, 11, 'gunicorn', null, null],
      ['127.0.0.1', 7777, 4, false, 12, 'gunicorn', null, null],
    ],
  ],
  [
    'a name with spaces, commas and parentheses',
    ssRow('127.0.0.1:7777', 'users:(("next-server (v1, b)",pid=77,fd=21))'),
    [['127.0.0.1', 7777, 4, false, 77, 'next-server (v1, b)', null, null]],
  ],
  [
    'escapes in a name',
    ssRow('127.0.0.1:7777', 'users:(("a\\x41\\101\\"\\\\b",pid=5,fd=1))'),
    [['127.0.0.1', 7777, 4, false, 5, 'aAA"\\b', null, null]],
  ],
  [
    'an escape that is not one',
    ssRow('127.0.0.1:7777', 'users:(("a\\q\\19b",pid=5,fd=1))'),
    [['127.0.0.1', 7777, 4, false, 5, 'a\\q\\19b', null, null]],
  ],
  [
    'a users list without its anchor',
    ssRow('127.0.0.1:7777', 'users:(("python3",fd=3))'),
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
  [
    'a users list cut short',
    ssRow('127.0.0.1:7777', 'users:(("python3",pid=4242,fd=3'),
    [['127.0.0.1', 7777, 4, false, null, null, null, null]],
  ],
];
for (const [name, text, expected] of ssCases) {
  test(`one ss row, ${name}`, () => assert.deepEqual(ssOf(text), expected));
}

test('legacy ss (before iproute2 4.13): `*` is the IPv4 wildcard when any row shows `:::`-style IPv6', () => {
  const text = [ssRow('*:7777'), ssRow(':::7778')].join('\n');
  assert.deepEqual(ssOf(text), [
    ['0.0.0.0', 7777, 4, false, 4242, 'python3', null, null],
    ['::', 7778, 6, null, 4242, 'python3', null, null],
  ]);
  // A unix row with colons in its name does not make the table legacy.
  const modern = [`tcp   ${ssRow('*:7777')}`, `u_str ${ssRow('@a:b:c 1', '')}`].join('\n');
  assert.deepEqual(ssOf(modern), [['::', 7777, 6, true, 4242, 'python3', null, null]]);
});

test('the port filter compares the number exactly', () => {
  const text = [ssRow('127.0.0.1:7777'), ssRow('127.0.0.1:77')].join('\n');
  assert.deepEqual(
    ssOf(text, 77).map((row) => row[1]),
    [77],
  );
});

// Shapes of iproute2 before 4.13 (CentOS 7's ss): constructed after the legacy rows above, with and
// without the Netid column that -u and -x add.
const legacyCases: [string, string[], SsRow[]][] = [
  [
    'loopback rows next to the wildcards keep dualStack false',
    [
      'LISTEN     0      128          *:22                       *:*',
      'LISTEN     0      100    127.0.0.1:25                       *:*',
      'LISTEN     0      128         :::22                      :::*',
      'LISTEN     0      100        ::1:25                      :::*',
    ],
    [
      ['0.0.0.0', 22, 4, false, null, null, null, null],
      ['127.0.0.1', 25, 4, false, null, null, null, null],
      ['::', 22, 6, null, null, null, null, null],
      ['::1', 25, 6, false, null, null, null, null],
    ],
  ],
  [
    'with a Netid column, told by a tcp row',
    [
      'tcp    LISTEN     0      128       *:22                    *:*',
      'tcp    LISTEN     0      128      :::22                   :::*',
    ],
    [
      ['0.0.0.0', 22, 4, false, null, null, null, null],
      ['::', 22, 6, null, null, null, null, null],
    ],
  ],
  [
    'with a Netid column, told by a udp row only',
    [
      'udp    UNCONN     0      0        :::546                  :::*',
      'tcp    LISTEN     0      128       *:22                    *:*',
    ],
    [['0.0.0.0', 22, 4, false, null, null, null, null]],
  ],
];
for (const [name, rows, expected] of legacyCases) {
  test(`legacy ss, ${name}`, () => assert.deepEqual(ssOf(rows.join('\n')), expected));
}
