import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeListener } from '../../../src/sockets/listener.ts';
import { parseLsofListeners } from '../../../src/sockets/parse-lsof.ts';

const fixture = (name: string): string =>
  readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'macos', name), 'utf8');

test('lsof -nP -iTCP:P -sTCP:LISTEN: Docker Desktop on the IPv6 wildcard, node on [::1]', () => {
  const text = fixture('lsof-nP-iTCP-port-sTCP-LISTEN.docker-desktop-wildcard-vs-node-ipv6-loopback.txt');
  assert.deepEqual(parseLsofListeners(text), [
    makeListener({
      address: '::1',
      port: 5273,
      family: 6,
      dualStack: false,
      pid: 92504,
      processName: 'node',
    }),
    makeListener({
      address: '::',
      port: 5173,
      family: 6,
      dualStack: null,
      pid: 62915,
      processName: 'com.docke',
    }),
  ]);
  assert.deepEqual(
    parseLsofListeners(text, 5173).map((listener) => listener.pid),
    [62915],
  );
  assert.deepEqual(parseLsofListeners(text, 517), []);
});

test('grep output with no header: ControlCenter (AirPlay) on 5000 and 7000, both families', () => {
  const text = fixture('lsof-i-P-grep-LISTEN.controlcenter-airplay.pareto-mac-69.txt');
  assert.deepEqual(parseLsofListeners(text, 5000), [
    makeListener({
      address: '0.0.0.0',
      port: 5000,
      family: 4,
      dualStack: false,
      pid: 433,
      processName: 'ControlCe',
    }),
    makeListener({
      address: '::',
      port: 5000,
      family: 6,
      dualStack: null,
      pid: 433,
      processName: 'ControlCe',
    }),
  ]);
  assert.equal(parseLsofListeners(text).length, 4);
});

test('two PIDs on one socket (a fork) are two listeners; without -n, localhost is 127.0.0.1', () => {
  const text = fixture('lsof-i-P-grep-LISTEN.python-localhost-no-n.pareto-mac-69.txt');
  assert.deepEqual(parseLsofListeners(text), [
    makeListener({
      address: '127.0.0.1',
      port: 5000,
      family: 4,
      dualStack: false,
      pid: 22030,
      processName: 'python',
    }),
    makeListener({
      address: '127.0.0.1',
      port: 5000,
      family: 4,
      dualStack: false,
      pid: 22034,
      processName: 'python',
    }),
  ]);
});

test('ESTABLISHED rows of the same process and port are skipped (portracker#5)', () => {
  const text = fixture('lsof-i-P-grep-node.ipv6-listen-and-established.macos-14.portracker-5.txt');
  assert.deepEqual(
    parseLsofListeners(text).map((listener) => [listener.address, listener.port, listener.pid]),
    [
      ['::', 4211, 56079],
      ['::', 4302, 66450],
      ['::', 4301, 67460],
    ],
  );
  assert.deepEqual(
    parseLsofListeners(text, 4211).map((listener) => listener.pid),
    [56079],
  );
});

test('without -P, unknown service names are skipped, never guessed', () => {
  const text = fixture('lsof-iTCP-sTCP-LISTEN.docker-desktop-service-names-no-P.txt');
  assert.match(text, /\*:talarian-tcp \(LISTEN\)/);
  assert.deepEqual(
    parseLsofListeners(text).map((listener) => listener.port),
    [13002, 15432, 16379],
  );
});

test('irdmi is 8000: Docker for Mac on IPv4 `*` and IPv6 localhost, node on IPv4 localhost', () => {
  assert.deepEqual(
    parseLsofListeners(fixture('lsof-i-8000.docker-desktop-ipv4-and-ipv6-irdmi.2019.txt'), 8000),
    [
      makeListener({
        address: '0.0.0.0',
        port: 8000,
        family: 4,
        dualStack: false,
        pid: 1596,
        processName: 'com.docke',
      }),
      makeListener({
        address: '::1',
        port: 8000,
        family: 6,
        dualStack: false,
        pid: 1596,
        processName: 'com.docke',
      }),
    ],
  );
  assert.deepEqual(parseLsofListeners(fixture('lsof-i-8000.node-localhost-irdmi.2019.txt'), 8000), [
    makeListener({
      address: '127.0.0.1',
      port: 8000,
      family: 4,
      dualStack: false,
      pid: 46205,
      processName: 'node',
    }),
  ]);
  assert.deepEqual(parseLsofListeners(fixture('lsof-i-8000.node-localhost-irdmi.2019.txt'), 800), []);
});

test('COMMAND escapes are decoded (`Google\\x20` is "Google ") (synthetic row)', () => {
  const text =
    'COMMAND     PID  USER   FD   TYPE             DEVICE SIZE/OFF NODE NAME\n' +
    'Google\\x20  812  bob   45u  IPv4 0x5a1b2c3d4e5f6071      0t0  TCP 127.0.0.1:7777 (LISTEN)\n';
  assert.equal(parseLsofListeners(text)[0]?.processName, 'Google ');
});

test('CRLF text parses the same as LF', () => {
  const text = fixture('lsof-i-P-grep-LISTEN.controlcenter-airplay.pareto-mac-69.txt');
  assert.deepEqual(parseLsofListeners(text.replace(/\n/g, '\r\n')), parseLsofListeners(text));
});

// One row at a time (headerless, as `| grep LISTEN` leaves them, lsof's default columns), then
// under headers: every rule the parser applies, and every service name it knows.
const lsofRow = (name: string, { command = 'python3', pid = '4242', user = '501', type = 'IPv4' } = {}) =>
  `${command}  ${pid} ${user}    3u  ${type} 0x1e516b700e73fc9f      0t0  TCP ${name}`;
const lsofCases: [
  string,
  string,
  [string, number, 4 | 6, boolean | null, number | null, number | null, string | null][],
][] = [
  ['an IPv4 wildcard', lsofRow('*:7777 (LISTEN)'), [['0.0.0.0', 7777, 4, false, 4242, 501, 'python3']]],
  [
    'an IPv6 wildcard (TYPE tells)',
    lsofRow('*:7777 (LISTEN)', { type: 'IPv6' }),
    [['::', 7777, 6, null, 4242, 501, 'python3']],
  ],
  [
    'localhost, IPv4',
    lsofRow('localhost:7777 (LISTEN)'),
    [['127.0.0.1', 7777, 4, false, 4242, 501, 'python3']],
  ],
  [
    'localhost, IPv6',
    lsofRow('localhost:7777 (LISTEN)', { type: 'IPv6' }),
    [['::1', 7777, 6, false, 4242, 501, 'python3']],
  ],
  [
    'a bracketed IPv6 address',
    lsofRow('[::1]:7777 (LISTEN)', { type: 'IPv6' }),
    [['::1', 7777, 6, false, 4242, 501, 'python3']],
  ],
  [
    'an IPv4 address on an IPv6 socket',
    lsofRow('127.0.0.1:7777 (LISTEN)', { type: 'IPv6' }),
    [['127.0.0.1', 7777, 4, false, 4242, 501, 'python3']],
  ],
  [
    'a user name, not a uid',
    lsofRow('*:7777 (LISTEN)', { user: 'alice' }),
    [['0.0.0.0', 7777, 4, false, 4242, null, 'python3']],
  ],
  [
    'a uid with a suffix',
    lsofRow('*:7777 (LISTEN)', { user: '501x' }),
    [['0.0.0.0', 7777, 4, false, 4242, null, 'python3']],
  ],
  [
    'a uid with a prefix',
    lsofRow('*:7777 (LISTEN)', { user: 'x501' }),
    [['0.0.0.0', 7777, 4, false, 4242, null, 'python3']],
  ],
  ['a PID with a prefix', lsofRow('*:7777 (LISTEN)', { pid: 'x4242' }), []],
  ['a PID with a suffix', lsofRow('*:7777 (LISTEN)', { pid: '4242x' }), []],
  ['a connection', lsofRow('127.0.0.1:7777->127.0.0.1:5000 (ESTABLISHED)'), []],
  ['a connection marked LISTEN', lsofRow('127.0.0.1:7777->127.0.0.1:5000 (LISTEN)'), []],
  ['junk after (LISTEN)', lsofRow('*:7777 (LISTEN)x'), []],
  ['a six-digit port', lsofRow('*:777777 (LISTEN)'), []],
  ['an unknown service name', lsofRow('*:talarian-tcp (LISTEN)'), []],
  ['a service with digits after a name', lsofRow('*:http8 (LISTEN)'), []],
  ['http', lsofRow('*:http (LISTEN)'), [['0.0.0.0', 80, 4, false, 4242, 501, 'python3']]],
  ['https', lsofRow('*:https (LISTEN)'), [['0.0.0.0', 443, 4, false, 4242, 501, 'python3']]],
  [
    'commplex-main (AirPlay)',
    lsofRow('*:commplex-main (LISTEN)'),
    [['0.0.0.0', 5000, 4, false, 4242, 501, 'python3']],
  ],
  [
    'afs3-fileserver (AirPlay)',
    lsofRow('*:afs3-fileserver (LISTEN)'),
    [['0.0.0.0', 7000, 4, false, 4242, 501, 'python3']],
  ],
  ['irdmi', lsofRow('*:irdmi (LISTEN)'), [['0.0.0.0', 8000, 4, false, 4242, 501, 'python3']]],
  ['http-alt', lsofRow('*:http-alt (LISTEN)'), [['0.0.0.0', 8080, 4, false, 4242, 501, 'python3']]],
  [
    'blanks after (LISTEN), as a terminal copy leaves them',
    `${lsofRow('*:7777 (LISTEN)')}   `,
    [['0.0.0.0', 7777, 4, false, 4242, 501, 'python3']],
  ],
  // Names are free text: TYPE is the first IPv4/IPv6 token after COMMAND, matched whole.
  [
    'a process named IPv6',
    lsofRow('*:7777 (LISTEN)', { command: 'IPv6' }),
    [['0.0.0.0', 7777, 4, false, 4242, 501, 'IPv6']],
  ],
  [
    'a user name that starts with IPv4',
    lsofRow('*:7777 (LISTEN)', { user: 'IPv4admin' }),
    [['0.0.0.0', 7777, 4, false, 4242, null, 'python3']],
  ],
  [
    'a user name that ends in IPv6',
    lsofRow('*:7777 (LISTEN)', { user: 'svcIPv6' }),
    [['0.0.0.0', 7777, 4, false, 4242, null, 'python3']],
  ],
  // Not lsof's shape (its NAME has no blank before the state): skipped, not cut to its last word.
  ['a NAME of two words before (LISTEN) (constructed)', lsofRow('node *:7777 (LISTEN)'), []],
  ['no TYPE column', 'python3  4242 501    3u  sock 0x1e516b700e73fc9f      0t0  TCP *:7777 (LISTEN)', []],
  ['no TCP node', lsofRow('*:7777 (LISTEN)').replace(' TCP ', ' UDP '), []],
];
for (const [name, text, expected] of lsofCases) {
  test(`one lsof row, ${name}`, () => {
    assert.deepEqual(
      parseLsofListeners(text).map((l) => [
        l.address,
        l.port,
        l.family,
        l.dualStack,
        l.pid,
        l.uid,
        l.processName,
      ]),
      expected,
    );
  });
}

test('the same socket twice for one PID is one listener; for two PIDs (a fork), two', () => {
  const row = lsofRow('*:7777 (LISTEN)');
  assert.equal(parseLsofListeners(`${row}\n${row}`).length, 1);
  assert.equal(parseLsofListeners(`${row}\n${lsofRow('*:7777 (LISTEN)', { pid: '4243' })}`).length, 2);
});

test('a header moves the columns (lsof -K adds TID and TASKCMD, blank on the main thread); without TYPE the default order stays', () => {
  const threads = [
    'COMMAND   PID   TID TASKCMD   USER   FD   TYPE DEVICE SIZE/OFF NODE NAME',
    'python3  4242               501    3u  IPv4 0x1e516b700e73fc9f      0t0  TCP *:7777 (LISTEN)',
    'python3  4242  4250 worker  501    4u  IPv4 0x1e516b700e73fcaa      0t0  TCP *:7778 (LISTEN)',
  ].join('\n');
  assert.deepEqual(
    parseLsofListeners(threads).map((l) => [l.port, l.pid, l.uid, l.processName]),
    [
      [7777, 4242, 501, 'python3'],
      [7778, 4242, 501, 'python3'],
    ],
  );
  const noType = ['COMMAND PID USER FD', lsofRow('*:7777 (LISTEN)')].join('\n');
  assert.deepEqual(
    parseLsofListeners(noType).map((l) => [l.pid, l.uid]),
    [[4242, 501]],
  );
});

test('a header without USER still gives the row (uid unknown); without PID the row is skipped (constructed headers)', () => {
  const row = 'python3  4242    3u  IPv4 0x1e516b700e73fc9f      0t0  TCP *:7777 (LISTEN)';
  assert.deepEqual(
    parseLsofListeners(['COMMAND PID FD TYPE DEVICE SIZE/OFF NODE NAME', row].join('\n')).map((l) => [
      l.pid,
      l.uid,
      l.processName,
    ]),
    [[4242, null, 'python3']],
  );
  assert.deepEqual(
    parseLsofListeners(['COMMAND USER FD TYPE DEVICE SIZE/OFF NODE NAME', row].join('\n')),
    [],
  );
});
