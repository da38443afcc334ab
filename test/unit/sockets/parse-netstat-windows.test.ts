import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Listener } from '../../../src/sockets/listener.ts';
import { parseWindowsNetstat } from '../../../src/sockets/parse-netstat-windows.ts';

// Real captures, DERIVED and CONSTRUCTED variants: see test/fixtures/windows/PROVENANCE.md.
const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const bytesOf = (name: string): Buffer => readFileSync(path.join(fixtures, name));
const textOf = (name: string): string => bytesOf(name).toString('utf8');

type Row = [address: string, port: number, family: 4 | 6, pid: number | null];
const rowsOf = (listeners: Listener[]): Row[] => listeners.map((l) => [l.address, l.port, l.family, l.pid]);

const WIN7 = 'netstat-ano.en.win7.pid4-ipv6-udp.txt';
const WIN7_CRLF = 'netstat-ano.en.win7.pid4-ipv6-udp.crlf.txt';
const WIN7_GERMAN = 'netstat-ano.de.DERIVED-from-en-win7.cp850-crlf.txt';
const CONSTRUCTED = 'netstat-ano.en.constructed.time-wait-before-listen.80-beside-8080.txt';
const CONSTRUCTED_GERMAN = 'netstat-ano.de.DERIVED-from-en-constructed.cp850-crlf.txt';

const WIN7_ALL: Row[] = [
  ['0.0.0.0', 21, 4, 1420],
  ['0.0.0.0', 80, 4, 4],
  ['0.0.0.0', 135, 4, 672],
  ['0.0.0.0', 445, 4, 4],
  ['0.0.0.0', 5357, 4, 4],
  ['0.0.0.0', 49152, 4, 384],
  ['0.0.0.0', 49153, 4, 724],
  ['0.0.0.0', 49154, 4, 888],
  ['0.0.0.0', 49155, 4, 488],
  ['0.0.0.0', 49156, 4, 496],
  ['10.10.10.5', 139, 4, 4],
  ['::', 21, 6, 1420],
  ['::', 80, 6, 4],
  ['::', 135, 6, 672],
  ['::', 445, 6, 4],
  ['::', 5357, 6, 4],
  ['::', 49152, 6, 384],
  ['::', 49153, 6, 724],
  ['::', 49154, 6, 888],
  ['::', 49155, 6, 488],
  ['::', 49156, 6, 496],
];

// Port 7777 of the constructed table: TIME_WAIT (PID 0), ESTABLISHED and UDP rows are left out,
// the repeated 0.0.0.0 row appears once, 17777 does not match.
const CONSTRUCTED_7777: Row[] = [
  ['0.0.0.0', 7777, 4, 6120],
  ['192.168.1.5', 7777, 4, 7003],
  ['::', 7777, 6, 6120],
  ['::1', 7777, 6, 7001],
  ['fe80::1', 7777, 6, 7002],
];

describe('parseWindowsNetstat', () => {
  it('reads every TCP listener of the English Windows 7 capture, skipping ESTABLISHED and UDP rows', () => {
    assert.deepEqual(rowsOf(parseWindowsNetstat(textOf(WIN7))), WIN7_ALL);
  });

  it('returns complete Listener objects for port 80, IPv4 and IPv6, owned by PID 4', () => {
    const expected: Listener[] = [
      {
        address: '0.0.0.0',
        port: 80,
        family: 4,
        dualStack: null,
        pid: 4,
        processName: null,
        uid: null,
        inode: null,
      },
      {
        address: '::',
        port: 80,
        family: 6,
        dualStack: null,
        pid: 4,
        processName: null,
        uid: null,
        inode: null,
      },
    ];
    assert.deepEqual(parseWindowsNetstat(textOf(WIN7), 80), expected);
  });

  it('finds no TCP listener on a port that only UDP rows use', () => {
    assert.deepEqual(parseWindowsNetstat(textOf(WIN7), 3702), []);
    assert.deepEqual(parseWindowsNetstat(textOf(WIN7), 123), []);
  });

  it('reads the CRLF variant exactly like the LF capture', () => {
    const crlf = textOf(WIN7_CRLF);
    assert.equal(crlf.split('\r\n').length, textOf(WIN7).split('\n').length);
    assert.deepEqual(rowsOf(parseWindowsNetstat(crlf)), WIN7_ALL);
  });

  describe('German (DERIVED, CP850 bytes, CRLF)', () => {
    const bytes = bytesOf(WIN7_GERMAN);

    it('is really OEM-encoded: the fixture holds the CP850 byte of the O-umlaut and CRLF', () => {
      assert.ok(bytes.includes(Buffer.from('ABH\x99REN', 'latin1')));
      assert.ok(bytes.includes(Buffer.from('\r\n')));
      assert.ok(bytes.toString('latin1').includes('Aktive Verbindungen'));
    });

    it('decoded as latin1 (how the reader decodes), the mis-decoded state word does not matter', () => {
      const text = bytes.toString('latin1');
      assert.ok(text.includes('ABH\u0099REN'));
      assert.deepEqual(rowsOf(parseWindowsNetstat(text)), WIN7_ALL);
    });

    it('decoded as UTF-8, the U+FFFD in the state word does not matter either', () => {
      const text = bytes.toString('utf8');
      assert.ok(text.includes('ABH\ufffdREN'));
      assert.deepEqual(rowsOf(parseWindowsNetstat(text)), WIN7_ALL);
    });

    it('gives the same answer as English for the constructed table with WARTEND rows first', () => {
      const text = bytesOf(CONSTRUCTED_GERMAN).toString('latin1');
      assert.ok(text.includes('WARTEND         0\r\n'));
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 7777)), CONSTRUCTED_7777);
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 80)), [
        ['0.0.0.0', 80, 4, 4],
        ['::', 80, 6, 4],
      ]);
    });
  });

  describe('CONSTRUCTED: TIME_WAIT before LISTENING, 80 beside 8080 (CRLF)', () => {
    const text = textOf(CONSTRUCTED);

    it('lists the listeners of 7777 only: IPv4 and IPv6 of one PID plus other addresses, deduplicated', () => {
      assert.ok(text.includes('\r\n'));
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 7777)), CONSTRUCTED_7777);
    });

    it('matches ports exactly: 80 is not 8080, 7777 is not 17777', () => {
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 80)), [
        ['0.0.0.0', 80, 4, 4],
        ['::', 80, 6, 4],
      ]);
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 8080)), [
        ['0.0.0.0', 8080, 4, 3312],
        ['::', 8080, 6, 3312],
      ]);
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 17777)), [['0.0.0.0', 17777, 4, 5120]]);
      assert.deepEqual(parseWindowsNetstat(text, 777), []);
      assert.deepEqual(parseWindowsNetstat(text, 50123), []);
    });
  });

  describe('other real captures', () => {
    it('zh-CN: localized header, TIME_WAIT with PID 0 and CLOSE_WAIT are not listeners (any decoding)', () => {
      const bytes = bytesOf('netstat-ano.zh-CN.find-process-example.txt');
      for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
        assert.deepEqual(rowsOf(parseWindowsNetstat(text, 80)), [['0.0.0.0', 80, 4, 2288]]);
        assert.deepEqual(rowsOf(parseWindowsNetstat(text, 4012)), [['127.0.0.1', 4012, 4, 672]]);
        assert.deepEqual(parseWindowsNetstat(text, 50510), []);
        assert.deepEqual(parseWindowsNetstat(text, 50506), []);
        assert.equal(parseWindowsNetstat(text).length, 13);
      }
    });

    it('Docker Desktop: two PIDs on 0.0.0.0:80 and a third on [::1]:80 are all listed', () => {
      const text = textOf('netstat-aon-findstr.docker-desktop-backend.for-win-12474.txt');
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 80)), [
        ['0.0.0.0', 80, 4, 4332],
        ['0.0.0.0', 80, 4, 9676],
        ['::', 80, 6, 4332],
        ['::1', 80, 6, 2672],
      ]);
    });

    it('WSL relays: loopback only, IPv4 and IPv6 of one PID', () => {
      assert.deepEqual(rowsOf(parseWindowsNetstat(textOf('netstat-ano-find.wslhost.WSL-9763.txt'), 80)), [
        ['127.0.0.1', 80, 4, 19820],
        ['::1', 80, 6, 19820],
      ]);
      assert.deepEqual(
        rowsOf(parseWindowsNetstat(textOf('netstat-ano-grep.wslhost.rancher-desktop-1180.txt'), 38080)),
        [
          ['127.0.0.1', 38080, 4, 15452],
          ['::1', 38080, 6, 15452],
        ],
      );
    });

    it('http.sys: [::]:8080 held by PID 4, with a single leading space on the row', () => {
      const text = textOf('netstat-ano-find.pid4-httpsys.uts-iotbay.txt');
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 8080)), [['::', 8080, 6, 4]]);
    });

    it('without -n the foreign address is a host name, so nothing counts as a listener (the reader passes -n)', () => {
      assert.deepEqual(parseWindowsNetstat(textOf('netstat-abo.pid4-no-ownership.excerpt.txt')), []);
    });
  });

  describe('row shapes', () => {
    it('normalises scoped and bracketed addresses', () => {
      const text = [
        '  TCP    [fe80::1%4]:7777       [::]:0                 LISTENING       7002',
        '  TCP    [FE80::ABCD%12]:7777   [::]:0                 LISTENING       7004',
        '  TCP    [::1]:7777             [::]:0                 LISTENING       7001',
      ].join('\r\n');
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 7777)), [
        ['fe80::1', 7777, 6, 7002],
        ['fe80::abcd', 7777, 6, 7004],
        ['::1', 7777, 6, 7001],
      ]);
    });

    it('ignores PID 0, non-numeric PIDs, UDP, headers and -b lines', () => {
      const text = [
        'Active Connections',
        '  Proto  Local Address          Foreign Address        State           PID',
        '  TCP    0.0.0.0:7777           0.0.0.0:0              LISTENING       0',
        '  TCP    0.0.0.0:7777           0.0.0.0:0              LISTENING       [svchost.exe]',
        '  UDP    0.0.0.0:7777           *:*                                    8800',
        ' Can not obtain ownership information',
        '  TCP    0.0.0.0:7777           0.0.0.0:0              LISTENING       42',
      ].join('\n');
      assert.deepEqual(rowsOf(parseWindowsNetstat(text, 7777)), [['0.0.0.0', 7777, 4, 42]]);
    });

    // A translated state can be one word with a mis-decoded no-break space (not a column break
    // for the parser), or several words split by ASCII blanks (six columns and more): either way
    // the PID is the last column, never the fifth.
    const states: [string, string][] = [
      ['one mis-decoded word with a no-break space', '\u00b7\u00a0L\u0027\u0090COUTE'],
      ['two words (a six-column row)', 'EN \u00c9COUTE'],
      ['three words (a seven-column row)', 'EN ATTENTE D'],
    ];
    for (const [name, state] of states) {
      it(`takes the PID from the end, whatever the state holds: ${name}`, () => {
        const text = `  TCP    0.0.0.0:7777           0.0.0.0:0              ${state}      1234\r\n`;
        assert.deepEqual(rowsOf(parseWindowsNetstat(text, 7777)), [['0.0.0.0', 7777, 4, 1234]]);
      });
    }
  });
});

// One row at a time, each a shape netstat could print or a damaged copy of one: which rows are
// listeners (the fields read) and which are passed over, for every rule the parser applies.
describe('parseWindowsNetstat: one row, every rule', () => {
  const row = (local: string, pid = '1234', proto = 'TCP', state = 'LISTENING', foreign = '0.0.0.0:0') =>
    `  ${proto}    ${local}           ${foreign}              ${state}       ${pid}`;
  const cases: [string, string, Row[]][] = [
    ['a plain IPv4 listener', row('0.0.0.0:7777'), [['0.0.0.0', 7777, 4, 1234]]],
    ['lower-case proto', row('0.0.0.0:7777', '1234', 'tcp'), [['0.0.0.0', 7777, 4, 1234]]],
    [
      'an IPv6 listener in brackets',
      row('[::1]:7777', '1234', 'TCP', 'LISTENING', '[::]:0'),
      [['::1', 7777, 6, 1234]],
    ],
    ['the lowest port', row('0.0.0.0:1'), [['0.0.0.0', 1, 4, 1234]]],
    ['the highest port', row('0.0.0.0:65535'), [['0.0.0.0', 65535, 4, 1234]]],
    ['port 0', row('0.0.0.0:0'), []],
    ['a port past 65535', row('0.0.0.0:65536'), []],
    ['a six-digit port', row('0.0.0.0:777777'), []],
    ['no port at all', row('0.0.0.0'), []],
    ['junk after the port', row('0.0.0.0:7777x'), []],
    ['junk before a bracketed address', row('a[::1]:7777'), []],
    ['not an address', row('999.1.1.1:7777'), []],
    ['a UDP row with five columns', row('0.0.0.0:7777', '1234', 'UDP'), []],
    ['four columns (no state)', '  TCP    0.0.0.0:7777           0.0.0.0:0              1234', []],
    ['a PID with a prefix', row('0.0.0.0:7777', 'pid1234'), []],
    ['a PID with a suffix', row('0.0.0.0:7777', '1234x'), []],
    ['PID 0 (TIME_WAIT)', row('0.0.0.0:7777', '0'), []],
    [
      'a connection (a foreign address)',
      row('0.0.0.0:7777', '1234', 'TCP', 'ESTABLISHED', '10.0.0.5:51000'),
      [],
    ],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(rowsOf(parseWindowsNetstat(text)), expected));
  }
});
