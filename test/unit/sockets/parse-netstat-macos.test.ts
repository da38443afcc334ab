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
