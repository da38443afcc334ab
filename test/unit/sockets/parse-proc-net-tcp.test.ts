import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeListener } from '../../../src/sockets/listener.ts';
import { parseProcNetTcp } from '../../../src/sockets/parse-proc-net-tcp.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const local = (name: string): string =>
  readFileSync(path.join(fixtures, 'local-debian12-docker-20.10.24', name), 'utf8');
const fromIssue = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

const HEADER4 =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const HEADER6 =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

test('IPv4 capture: LISTEN rows only, TIME_WAIT (06) rows on 7777 ignored', () => {
  const text = local('proc-net-tcp.mixed.txt');
  // The capture keeps the kernel's trailing spaces; the parser must not depend on their absence.
  assert.match(text.split('\n')[1] ?? '', / {10}$/);
  assert.deepEqual(parseProcNetTcp(text, 4), [
    makeListener({ address: '127.0.0.1', port: 7780, family: 4, dualStack: false, uid: 0, inode: 404999 }),
    makeListener({ address: '0.0.0.0', port: 7781, family: 4, dualStack: false, uid: 0, inode: 406159 }),
    makeListener({ address: '0.0.0.0', port: 7777, family: 4, dualStack: false, uid: 0, inode: 404452 }),
    makeListener({ address: '0.0.0.0', port: 2024, family: 4, dualStack: false, uid: 0, inode: 602 }),
  ]);
});

test('port filter compares the number exactly (1E61 = 7777)', () => {
  const text = local('proc-net-tcp.mixed.txt');
  assert.deepEqual(
    parseProcNetTcp(text, 4, 7777).map((listener) => listener.inode),
    [404452],
  );
  assert.deepEqual(parseProcNetTcp(text, 4, 777), []);
  assert.deepEqual(parseProcNetTcp(text, 4, 77), []);
  assert.deepEqual(parseProcNetTcp(text, 4, 17777), []);
});

test('IPv6 capture: wildcard, ::1 and the dual-stack socket (which this table cannot tell apart)', () => {
  assert.deepEqual(parseProcNetTcp(local('proc-net-tcp6.mixed.txt'), 6), [
    makeListener({ address: '::', port: 7783, family: 6, dualStack: null, uid: 0, inode: 406267 }),
    makeListener({ address: '::', port: 7777, family: 6, dualStack: null, uid: 0, inode: 404455 }),
    makeListener({ address: '::1', port: 7782, family: 6, dualStack: false, uid: 0, inode: 406266 }),
  ]);
  assert.deepEqual(parseProcNetTcp(local('proc-net-tcp6.docker-proxy.txt'), 6, 7777), [
    makeListener({ address: '::', port: 7777, family: 6, dualStack: null, uid: 0, inode: 404455 }),
  ]);
});

test('netdata#5322: ::1 listeners with their uid, the ESTABLISHED row skipped', () => {
  const text = fromIssue('proc-net-tcp6.loopback-listen-and-established.netdata-5322.partial.txt');
  assert.deepEqual(parseProcNetTcp(text, 6), [
    makeListener({ address: '::1', port: 631, family: 6, dualStack: false, uid: 0, inode: 2903 }),
    makeListener({ address: '::1', port: 8125, family: 6, dualStack: false, uid: 1000, inode: 3396178 }),
  ]);
});

test('mediamtx#3226: 0100007F is 127.0.0.1, non-zero uids kept', () => {
  const listeners = parseProcNetTcp(fromIssue('proc-net-tcp.listeners.mediamtx-3226.partial.txt'), 4);
  assert.equal(listeners.length, 9);
  assert.deepEqual(
    listeners.map((listener) => [listener.address, listener.port, listener.uid, listener.inode]),
    [
      ['127.0.0.1', 25, 0, 21981],
      ['0.0.0.0', 10250, 0, 8983109],
      ['127.0.0.1', 3306, 106, 21520],
      ['0.0.0.0', 10251, 0, 8983110],
      ['127.0.0.1', 5038, 111, 18831504],
      ['0.0.0.0', 10350, 0, 8983107],
      ['0.0.0.0', 10255, 0, 8983108],
      ['0.0.0.0', 111, 0, 13556],
      ['0.0.0.0', 8080, 0, 8983111],
    ],
  );
  assert.ok(listeners.every((listener) => listener.pid === null && listener.processName === null));
});

test('CRLF text parses the same as LF', () => {
  const text = local('proc-net-tcp.mixed.txt');
  assert.deepEqual(parseProcNetTcp(text.replace(/\n/g, '\r\n'), 4), parseProcNetTcp(text, 4));
});

test('a table of the other family is refused rather than misread', () => {
  assert.deepEqual(parseProcNetTcp(local('proc-net-tcp6.mixed.txt'), 4), []);
  assert.deepEqual(parseProcNetTcp(local('proc-net-tcp.mixed.txt'), 6), []);
});

test('word-swapped IPv6 hex: fe80::1 and a v4-mapped listener (synthetic rows)', () => {
  const text =
    HEADER6 +
    '   0: 000080FE000000000000000001000000:1E61 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0 0 10 0\n' +
    '   1: 0000000000000000FFFF00000100007F:1E61 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 556 1 0000000000000000 100 0 0 10 0\n';
  assert.deepEqual(parseProcNetTcp(text, 6), [
    makeListener({ address: 'fe80::1', port: 7777, family: 6, dualStack: false, uid: 1000, inode: 555 }),
    makeListener({ address: '127.0.0.1', port: 7777, family: 4, dualStack: false, uid: 0, inode: 556 }),
  ]);
});

test('big-endian hosts print the address in network order (synthetic row)', () => {
  const text =
    HEADER4 +
    '   0: 7F000001:1E61 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n';
  assert.equal(parseProcNetTcp(text, 4, 7777, 'BE')[0]?.address, '127.0.0.1');
  assert.equal(parseProcNetTcp(text, 4, 7777, 'LE')[0]?.address, '1.0.0.127');
});

// One row at a time, built the way the kernel prints it (each 32-bit word of the address as a
// native little-endian integer in hex): the address text (RFC 5952), and every rule for a row.
const hexWordsLE = (bytes: number[]): string =>
  Array.from({ length: bytes.length / 4 }, (_, word) =>
    bytes
      .slice(word * 4, word * 4 + 4)
      .reverse()
      .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
      .join(''),
  ).join('');
const v6Bytes = (groups: number[]): number[] => groups.flatMap((g) => [g >> 8, g & 0xff]);
const procRow = (local: string, state = '0A', uid = '1000', inode = '4242', slot = '0:') =>
  `  ${slot} ${local} 00000000000000000000000000000000:0000 ${state} 00000000:00000000 00:00000000 00000000  ${uid}        0 ${inode} 1 0000000000000000 100 0 0 10 0`;

const v6Cases: [string, number[], string][] = [
  ['no zero group', [0x2001, 0xdb8, 1, 2, 3, 4, 5, 6], '2001:db8:1:2:3:4:5:6'],
  ['one zero group is not shortened', [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
  ['the longer of two zero runs', [0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
  ['of two equal runs, the first', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
  ['a run at the end', [0xfe80, 0, 0, 0, 0, 0, 0, 0], 'fe80::'],
  ['a run at the start', [0, 0, 0, 0, 0, 0, 0, 1], '::1'],
  ['all zero', [0, 0, 0, 0, 0, 0, 0, 0], '::'],
  [
    'leading zeros dropped, lower case',
    [0x2001, 0x0db8, 0xabcd, 0x00ef, 1, 2, 3, 4],
    '2001:db8:abcd:ef:1:2:3:4',
  ],
];
for (const [name, groups, text] of v6Cases) {
  test(`tcp6 address, ${name}: ${text}`, () => {
    const row = procRow(`${hexWordsLE(v6Bytes(groups))}:1E61`);
    assert.deepEqual(
      parseProcNetTcp(row, 6).map((l) => [l.address, l.family, l.dualStack]),
      [[text, 6, text === '::' ? null : false]],
    );
  });
}

test('tcp6 v4-mapped (::ffff:127.0.0.1) is an IPv4 listener; ::ffff:0:0 patterns need all five zero groups', () => {
  const mapped = [0, 0, 0, 0, 0, 0xffff, 0x7f00, 0x0001];
  assert.deepEqual(
    parseProcNetTcp(procRow(`${hexWordsLE(v6Bytes(mapped))}:1E61`), 6).map((l) => [
      l.address,
      l.family,
      l.dualStack,
    ]),
    [['127.0.0.1', 4, false]],
  );
  const notMapped = [0, 0, 0, 0, 1, 0xffff, 0x7f00, 0x0001];
  assert.deepEqual(
    parseProcNetTcp(procRow(`${hexWordsLE(v6Bytes(notMapped))}:1E61`), 6).map((l) => [l.address, l.family]),
    [['::1:ffff:7f00:1', 6]],
  );
});

const v4 = hexWordsLE([127, 0, 0, 1]);
const rowRules: [string, string, [string, number, number | null, number | null][]][] = [
  ['a listener', procRow(`${v4}:1E61`), [['127.0.0.1', 7777, 1000, 4242]]],
  ['not listening (state 01)', procRow(`${v4}:1E61`, '01'), []],
  ['inode 0 is no inode', procRow(`${v4}:1E61`, '0A', '1000', '0'), [['127.0.0.1', 7777, 1000, null]]],
  ['a uid that is not a number', procRow(`${v4}:1E61`, '0A', 'x1000'), [['127.0.0.1', 7777, null, 4242]]],
  ['a uid with a suffix', procRow(`${v4}:1E61`, '0A', '1000x'), [['127.0.0.1', 7777, null, 4242]]],
  ['an inode with a prefix', procRow(`${v4}:1E61`, '0A', '1000', 'x4242'), [['127.0.0.1', 7777, 1000, null]]],
  ['an inode with a suffix', procRow(`${v4}:1E61`, '0A', '1000', '4242x'), [['127.0.0.1', 7777, 1000, null]]],
  ['a short address', procRow(`7F0001:1E61`), []],
  ['a port of three digits', procRow(`${v4}:E61`), []],
  ['junk before the address', procRow(`x${v4}:1E61`), []],
  ['a letter that is not hex in the address', procRow(`G100007F:1E61`), []],
  ['junk after the port', procRow(`${v4}:1E61x`), []],
  ['a slot without its colon', procRow(`${v4}:1E61`, '0A', '1000', '4242', '0'), []],
  ['a slot with a letter', procRow(`${v4}:1E61`, '0A', '1000', '4242', 'a0:'), []],
  ['a slot with junk after its colon', procRow(`${v4}:1E61`, '0A', '1000', '4242', '0:x'), []],
  // Still a listener on the port ("never free when unsure"), only its owner is unknown.
  [
    'a row cut short after the state (constructed)',
    `   0: ${v4}:1E61 00000000:0000 0A`,
    [['127.0.0.1', 7777, null, null]],
  ],
  [
    'a slot of two digits',
    procRow(`${v4}:1E61`, '0A', '1000', '4242', '12:'),
    [['127.0.0.1', 7777, 1000, 4242]],
  ],
  // The kernel prints the slot as `%4d:`: from 1000 on the row starts with the digits.
  [
    'a slot of four digits, at the very start of the line',
    procRow(`${v4}:1E61`, '0A', '1000', '4242', '1000:').trimStart(),
    [['127.0.0.1', 7777, 1000, 4242]],
  ],
];
for (const [name, text, expected] of rowRules) {
  test(`tcp row, ${name}`, () => {
    assert.deepEqual(
      parseProcNetTcp(text, 4).map((l) => [l.address, l.port, l.uid, l.inode]),
      expected,
    );
  });
}

test('a port filter: one port, a range (both ends in), or none', () => {
  const table = [7776, 7777, 7778, 7779]
    .map((port) => procRow(`${v4}:${port.toString(16).toUpperCase()}`))
    .join('\n');
  const ports = (filter?: number | { from: number; to: number }) =>
    parseProcNetTcp(table, 4, filter).map((l) => l.port);
  assert.deepEqual(ports(7777), [7777]);
  assert.deepEqual(ports({ from: 7777, to: 7778 }), [7777, 7778]);
  assert.deepEqual(ports(), [7776, 7777, 7778, 7779]);
});
