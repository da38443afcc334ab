import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeListener } from '../../../src/sockets/listener.ts';
import { parseMacNetstat } from '../../../src/sockets/parse-netstat-macos.ts';

const fixture = (name: string): string =>
  readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'macos', name), 'utf8');

// Real rows with real column values from the captures, turned into LISTEN rows on *.7777 so each
// release's layout can be checked for where the pid is. Only state and addresses were changed.
const SEQUOIA_ROW =
  'tcp46      0      0  *.7777                 *.*                    LISTEN            9026        316  131072  131600   2903      0 00102 00000000 00000000023c645f 20000081 04000900      2      0 000004';
const SONOMA_ROW =
  'tcp4       0      0  *.7777                 *.*                    LISTEN       131072  131600   2903      0 00102 00000000 00000000023c645f 20000081 04000900      2      0 000004';
const MOJAVE_ROW =
  'tcp6       0      0  *.7777                 *.*                    LISTEN      131072 131860   9811      0 0x0102 0x00000008';

test('pre-Sonoma `(state) rhiwat shiwat pid epid`: LISTEN rows only, tcp46 is a dual-stack wildcard', () => {
  assert.deepEqual(parseMacNetstat(fixture('netstat-anv.pre-sonoma.find-process-example.txt')), [
    makeListener({ address: '::', port: 443, family: 6, dualStack: true, pid: 61044 }),
    makeListener({ address: '::', port: 8888, family: 6, dualStack: true, pid: 61044 }),
  ]);
});

test('port filter compares the number exactly', () => {
  const text = fixture('netstat-anv.pre-sonoma.find-process-example.txt');
  assert.deepEqual(
    parseMacNetstat(text, 8888).map((listener) => listener.port),
    [8888],
  );
  assert.deepEqual(parseMacNetstat(text, 888), []);
  assert.deepEqual(parseMacNetstat(text, 88888), []);
  // The ESTABLISHED row's remote port 8000 and the CLOSE_WAIT row's remote 80 are not listeners.
  assert.deepEqual(parseMacNetstat(text, 8000), []);
  assert.deepEqual(parseMacNetstat(text, 80), []);
});

test('Sonoma header `(State)`: pid is column 8', () => {
  const text = `${fixture('netstat-anv-p-tcp.head2.sonoma-14.pid-port-12.txt')}${SONOMA_ROW}\n`;
  assert.deepEqual(parseMacNetstat(text, 7777), [
    makeListener({ address: '0.0.0.0', port: 7777, family: 4, dualStack: false, pid: 2903 }),
  ]);
});

test('Sequoia header with `rxbytes txbytes`: pid is column 10, not rhiwat', () => {
  const text = `${fixture('netstat-anv-p-tcp.head2.sequoia-15.pid-port-12.txt')}${SEQUOIA_ROW}\n`;
  assert.deepEqual(parseMacNetstat(text, 7777), [
    makeListener({ address: '::', port: 7777, family: 6, dualStack: true, pid: 2903 }),
  ]);
});

test('Mojave `state options` columns: pid is column 8; tcp6 is a v6-only wildcard', () => {
  const text = `${fixture('netstat-vnp-tcp.mojave-10.14.node-netstat-26.txt')}${MOJAVE_ROW}\n`;
  assert.deepEqual(parseMacNetstat(text), [
    makeListener({ address: '::', port: 7777, family: 6, dualStack: false, pid: 9811 }),
  ]);
});

test('headers alone or ESTABLISHED rows alone give no listener', () => {
  assert.deepEqual(parseMacNetstat(fixture('netstat-anv-p-tcp.head2.sonoma-14.pid-port-12.txt')), []);
  assert.deepEqual(parseMacNetstat(fixture('netstat-anv-p-tcp.head2.sequoia-15.pid-port-12.txt')), []);
  assert.deepEqual(parseMacNetstat(fixture('netstat-vnp-tcp.mojave-10.14.node-netstat-26.txt')), []);
  assert.deepEqual(
    parseMacNetstat(fixture('netstat-natvln-grep.no-header.macos-15.1.systeminformation-951.txt')),
    [],
  );
});

test('UDP rows (empty state column) are never listeners', () => {
  assert.deepEqual(
    parseMacNetstat(fixture('netstat-anv-p-udp.empty-state.macos-10.12.6.pid-from-port-3.txt')),
    [],
  );
});

test('grep output with no header: the layout is known by its column count (systeminformation#951)', () => {
  // 20 columns = Sequoia: column 8 holds rhiwat 131072, which must not be reported as the pid.
  assert.equal(parseMacNetstat(SEQUOIA_ROW)[0]?.pid, 2903);
  assert.equal(parseMacNetstat(SONOMA_ROW)[0]?.pid, 2903);
  assert.equal(parseMacNetstat(MOJAVE_ROW)[0]?.pid, 9811);
  const preSonoma = fixture('netstat-anv.pre-sonoma.find-process-example.txt')
    .split('\n')
    .slice(5)
    .join('\n');
  assert.deepEqual(
    parseMacNetstat(preSonoma).map((listener) => [listener.port, listener.pid]),
    [
      [443, 61044],
      [8888, 61044],
    ],
  );
});

test('an unknown layout gets pid null instead of a guess', () => {
  // 19 columns: no known release prints this, with or without a header.
  const unknown = SEQUOIA_ROW.replace(/ 000004$/, '');
  assert.deepEqual(parseMacNetstat(unknown), [
    makeListener({ address: '::', port: 7777, family: 6, dualStack: true, pid: null }),
  ]);
  const underSequoiaHeader = `${fixture('netstat-anv-p-tcp.head2.sequoia-15.pid-port-12.txt')}${SONOMA_ROW}\n`;
  assert.equal(parseMacNetstat(underSequoiaHeader)[0]?.pid, null);
});

test('`netstat -an` has no pid column at all (node-netstat#43)', () => {
  assert.deepEqual(
    parseMacNetstat(fixture('netstat-an-line.sonoma-14.2.no-pid-column.node-netstat-43.txt')),
    [makeListener({ address: '::', port: 8809, family: 6, dualStack: true, pid: null })],
  );
});

test('specific addresses: 127.0.0.1, ::1 and a scoped link-local address (synthetic rows)', () => {
  const text =
    'Active Internet connections (including servers)\n' +
    'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)     rhiwat shiwat    pid   epid\n' +
    'tcp4       0      0  127.0.0.1.7777         *.*                    LISTEN      131072 131072    501      0\n' +
    'tcp6       0      0  ::1.7777               *.*                    LISTEN      131072 131072    502      0\n' +
    'tcp6       0      0  fe80::1%lo0.7777       *.*                    LISTEN      131072 131072    503      0\n' +
    'tcp4       0      0  127.0.0.1.77770        *.*                    LISTEN      131072 131072    504      0\n';
  assert.deepEqual(parseMacNetstat(text, 7777), [
    makeListener({ address: '127.0.0.1', port: 7777, family: 4, dualStack: false, pid: 501 }),
    makeListener({ address: '::1', port: 7777, family: 6, dualStack: false, pid: 502 }),
    makeListener({ address: 'fe80::1', port: 7777, family: 6, dualStack: false, pid: 503 }),
  ]);
});

test('CRLF text parses the same as LF', () => {
  const text = fixture('netstat-anv.pre-sonoma.find-process-example.txt');
  assert.deepEqual(parseMacNetstat(text.replace(/\n/g, '\r\n')), parseMacNetstat(text));
});

// macOS 26 (network_cmds-726 and later): one `process:pid` column, `%16s:%-6u`.
const l = (
  address: string,
  port: number,
  family: 4 | 6,
  pid: number | null,
  processName: string | null,
  dualStack: boolean | null = false,
) => makeListener({ address, port, family, dualStack, pid, processName });

test('macOS 26 wide header (portglimpse capture): every LISTEN row with its name and pid, names with spaces and dots', () => {
  assert.deepEqual(
    parseMacNetstat(fixture('netstat-anv-p-tcp.tahoe-26.wide-header.portglimpse-fixture.txt')),
    [
      l('::', 38123, 6, 59043, 'node', true),
      l('127.0.0.1', 58400, 4, 57295, 'ASOctaneSupportX'),
      l('127.0.0.1', 17030, 4, 99011, 'dbeaver'),
      l('127.0.0.1', 3306, 4, 1441, 'mysqld'),
      l('127.0.0.1', 33060, 4, 1441, 'mysqld'),
      l('::1', 7679, 6, 1341, 'Google Drive'),
      l('::', 43257, 6, 1233, 'io.tailscale.ipn'),
      l('0.0.0.0', 55614, 4, 1233, 'io.tailscale.ipn'),
      l('::1', 6379, 6, 1168, 'redis-server'),
      l('127.0.0.1', 6379, 4, 1168, 'redis-server'),
      l('::', 5000, 6, 724, 'ControlCenter'),
      l('0.0.0.0', 5000, 4, 724, 'ControlCenter'),
      l('127.0.0.1', 8021, 4, 1, 'launchd'),
      l('::1', 8021, 6, 1, 'launchd'),
    ],
  );
});

test('macOS 26 (port-doctor capture): a truncated name with a parenthesis, link-local, TIME_WAIT and ESTABLISHED skipped', () => {
  const text = fixture('netstat-anv-p-tcp.tahoe-26.wide-header.port-doctor-fixture.txt');
  assert.deepEqual(parseMacNetstat(text, 62243), [l('127.0.0.1', 62243, 4, 17120, 'Code Helper (Plu')]);
  assert.deepEqual(parseMacNetstat(text, 48124), [l('127.0.0.1', 48124, 4, 25873, 'Python')]);
  assert.deepEqual(parseMacNetstat(text, 48126), [l('fe80::1', 48126, 6, 25873, 'Python')]);
  assert.deepEqual(parseMacNetstat(text, 64547), []);
});

test('macOS 26.0 narrow header (pid-port#14): ESTABLISHED rows of a name with a space are not listeners', () => {
  assert.deepEqual(
    parseMacNetstat(fixture('netstat-anv-p-tcp.tahoe-26.0.narrow-header.name-with-space.pid-port-14.txt')),
    [],
  );
});

test('macOS 26 names a row could carry (CONSTRUCTED from netstat’s format): truncation blank, colon, digits, PID 0, no name', () => {
  const text = fixture('netstat-anv-p-tcp.tahoe-26.CONSTRUCTED.name-edge-cases.txt');
  const expected = [
    l('127.0.0.1', 7777, 4, 2086, 'Antigravity IDE'),
    l('::', 7777, 6, 4242, 'my:app', true),
    l('::1', 7777, 6, 502, 'python3.12'),
    l('192.168.1.5', 7777, 4, null, 'kernel_task'),
    l('10.0.0.2', 7777, 4, 31337, null),
  ];
  assert.deepEqual(parseMacNetstat(text, 7777), expected);
  assert.deepEqual(parseMacNetstat(text, 7778), [l('127.0.0.1', 7778, 4, 123456, 'Google Chrome He')]);
  // The same rows found by grep, without the header: the layout is recognised from the row.
  const rows = text.split('\n').slice(2).join('\n');
  assert.deepEqual(parseMacNetstat(rows, 7777), expected);
  // And with CRLF.
  assert.deepEqual(parseMacNetstat(text.replace(/\n/g, '\r\n'), 7777), expected);
});

test('macOS 26 rows under an older header are not read by the old pid column (no rhiwat, no state as a pid)', () => {
  const rows = fixture('netstat-anv-p-tcp.tahoe-26.CONSTRUCTED.name-edge-cases.txt')
    .split('\n')
    .slice(2)
    .join('\n');
  const sequoiaHeader = fixture('netstat-anv-p-tcp.head2.sequoia-15.pid-port-12.txt');
  for (const listener of parseMacNetstat(`${sequoiaHeader}${rows}`, 7777)) assert.equal(listener.pid, null);
});

// One headerless row at a time (as grep leaves them), Sonoma's 18 columns or macOS 26's
// `name:pid`: which rows are listeners, with which PID and name.
const sonoma = (proto: string, local: string, pid: string, state = 'LISTEN') =>
  `${proto}       0      0  ${local}                 *.*                    ${state}       131072  131600   ${pid}      0 00102 00000000 00000000023c645f 20000081 04000900      2      0 000004`;
const tahoe = (local: string, process: string, proto = 'tcp4') =>
  `${proto}       0      0  ${local}         *.*                    LISTEN                 0            0  131072  131072 ${process}   00100 00000006 0000000000003cff 00000000 00000800      1      0 000000`;
const rowCases: [string, string, [string, number, number | null, string | null][]][] = [
  ['Sonoma: a listener', sonoma('tcp4', '*.7777', '2903'), [['0.0.0.0', 7777, 2903, null]]],
  ['Sonoma: tcp46', sonoma('tcp46', '*.7777', '2903'), [['::', 7777, 2903, null]]],
  ['Sonoma: not tcp (udp4)', sonoma('udp4', '*.7777', '2903'), []],
  ['Sonoma: a proto with a prefix', sonoma('xtcp4', '*.7777', '2903'), []],
  ['Sonoma: a proto with a suffix', sonoma('tcp4x', '*.7777', '2903'), []],
  ['Sonoma: not listening', sonoma('tcp4', '*.7777', '2903', 'CLOSED'), []],
  ['Sonoma: no port', sonoma('tcp4', '127.0.0.1', '2903'), []],
  ['Sonoma: junk after the port', sonoma('tcp4', '127.0.0.1.7777x', '2903'), []],
  ['Sonoma: not an address', sonoma('tcp4', 'host.example.7777', '2903'), []],
  [
    'Sonoma: a PID with a prefix is no PID',
    sonoma('tcp4', '*.7777', 'x2903'),
    [['0.0.0.0', 7777, null, null]],
  ],
  [
    'Sonoma: a PID with a suffix is no PID',
    sonoma('tcp4', '*.7777', '2903x'),
    [['0.0.0.0', 7777, null, null]],
  ],
  ['Sonoma: PID 0 is no PID', sonoma('tcp4', '*.7777', '0'), [['0.0.0.0', 7777, null, null]]],
  ['macOS 26: a listener', tahoe('127.0.0.1.7777', 'mysqld:1441'), [['127.0.0.1', 7777, 1441, 'mysqld']]],
  ['macOS 26: no name', tahoe('127.0.0.1.7777', ':1441'), [['127.0.0.1', 7777, 1441, null]]],
  [
    'macOS 26: a PID with a suffix',
    tahoe('127.0.0.1.7777', 'mysqld:1441x'),
    [['127.0.0.1', 7777, null, null]],
  ],
  [
    'macOS 26: digits before the last colon only',
    tahoe('127.0.0.1.7777', 'my:1441:x'),
    [['127.0.0.1', 7777, null, null]],
  ],
  [
    'macOS 26: a name with digits and a colon',
    tahoe('127.0.0.1.7777', 'a1:b2:77'),
    [['127.0.0.1', 7777, 77, 'a1:b2']],
  ],
  ['macOS 26: a one-letter name', tahoe('127.0.0.1.7777', 'a:12'), [['127.0.0.1', 7777, 12, 'a']]],
  [
    'macOS 26: a PID with a prefix',
    tahoe('127.0.0.1.7777', 'mysqld:x1441'),
    [['127.0.0.1', 7777, null, null]],
  ],
  ['Sonoma: a local address with no port at all', sonoma('tcp4', '*', '2903'), []],
  ['Sonoma: indented (pasted)', `   ${sonoma('tcp4', '*.7777', '2903')}`, [['0.0.0.0', 7777, 2903, null]]],
];
for (const [name, text, expected] of rowCases) {
  test(`one row, ${name}`, () => {
    assert.deepEqual(
      parseMacNetstat(text).map((listener) => [
        listener.address,
        listener.port,
        listener.pid,
        listener.processName,
      ]),
      expected,
    );
  });
}

test('a header with no pid column: rows get no PID, whatever their last number', () => {
  const header = 'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n';
  const text = `${header}tcp4       0      0  *.7777                 *.*                    LISTEN\n`;
  assert.deepEqual(
    parseMacNetstat(text).map((listener) => listener.pid),
    [null],
  );
  // The same row under the Sonoma header gets its PID from column 8.
  const sonomaText = `${fixture('netstat-anv-p-tcp.head2.sonoma-14.pid-port-12.txt')}${sonoma('tcp4', '*.7777', '2903')}\n`;
  assert.deepEqual(
    parseMacNetstat(sonomaText).map((listener) => listener.pid),
    [2903],
  );
});

test('under the macOS 26 header a process:pid column whose pid is not all digits, or that has no colon, gives no PID', () => {
  const header = fixture('netstat-anv-p-tcp.tahoe-26.0.narrow-header.name-with-space.pid-port-14.txt')
    .split('\n')
    .slice(0, 2)
    .join('\n');
  for (const process of ['mysqld:1441x', 'mysqld:x1441', 'mysqld', '1441']) {
    const text = `${header}\n${tahoe('127.0.0.1.7777', process)}\n`;
    assert.deepEqual(
      parseMacNetstat(text).map((l) => [l.port, l.pid, l.processName]),
      [[7777, null, null]],
      process,
    );
  }
});
