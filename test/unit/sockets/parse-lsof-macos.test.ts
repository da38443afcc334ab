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
