import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { makeListener } from '../../../src/sockets/listener.ts';
import { parseLsofListeners } from '../../../src/sockets/parse-lsof.ts';
import { parseProcNetTcp } from '../../../src/sockets/parse-proc-net-tcp.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'linux');
const local = (name: string): string =>
  readFileSync(path.join(fixtures, 'local-debian12-docker-20.10.24', name), 'utf8');

test('lsof -nP -iTCP -sTCP:LISTEN on Linux: TYPE tells the two `*:7777` apart, DEVICE is the inode', () => {
  assert.deepEqual(parseLsofListeners(local('lsof-nP-iTCP-sTCP-LISTEN.mixed.txt')), [
    makeListener({
      address: '0.0.0.0',
      port: 7777,
      family: 4,
      dualStack: false,
      pid: 11522,
      processName: 'docker-pr',
      inode: 404452,
    }),
    makeListener({
      address: '::',
      port: 7777,
      family: 6,
      dualStack: null,
      pid: 11527,
      processName: 'docker-pr',
      inode: 404455,
    }),
    makeListener({
      address: '127.0.0.1',
      port: 7780,
      family: 4,
      dualStack: false,
      pid: 11751,
      processName: 'docker-pr',
      inode: 404999,
    }),
    makeListener({
      address: '0.0.0.0',
      port: 7781,
      family: 4,
      dualStack: false,
      pid: 11849,
      processName: 'python3',
      inode: 406159,
    }),
    makeListener({
      address: '::1',
      port: 7782,
      family: 6,
      dualStack: false,
      pid: 11940,
      processName: 'python3',
      inode: 406266,
    }),
    makeListener({
      address: '::',
      port: 7783,
      family: 6,
      dualStack: null,
      pid: 11940,
      processName: 'python3',
      inode: 406267,
    }),
  ]);
});

test('the lsof DEVICE column matches the inode of the same capture in /proc/net/tcp{,6}', () => {
  const fromLsof = parseLsofListeners(local('lsof-nP-iTCP-sTCP-LISTEN.docker-proxy.txt'), 7777);
  const fromProc = [
    ...parseProcNetTcp(local('proc-net-tcp.docker-proxy.txt'), 4, 7777),
    ...parseProcNetTcp(local('proc-net-tcp6.docker-proxy.txt'), 6, 7777),
  ];
  assert.deepEqual(
    fromLsof.map((listener) => [listener.address, listener.inode]),
    fromProc.map((listener) => [listener.address, listener.inode]),
  );
  assert.deepEqual(
    fromLsof.map((listener) => listener.inode),
    [404452, 404455],
  );
});

test('as non-root lsof prints nothing at all', () => {
  assert.equal(local('lsof-nP-iTCP-sTCP-LISTEN.as-nonroot.txt'), '');
  assert.deepEqual(parseLsofListeners(local('lsof-nP-iTCP-sTCP-LISTEN.as-nonroot.txt')), []);
});

test('Linux-tools#6: without -P, `*:http` is port 80', () => {
  const text = readFileSync(
    path.join(fixtures, 'lsof-port80.docker-proxy-truncated-docker-pr.no-P.Linux-tools-6.txt'),
    'utf8',
  );
  assert.deepEqual(
    parseLsofListeners(text, 80).map((listener) => [listener.address, listener.pid, listener.inode]),
    [
      ['0.0.0.0', 3920, 42722],
      ['::', 3927, 42730],
    ],
  );
  assert.deepEqual(parseLsofListeners(text, 8080), []);
});

test('a numeric USER is a uid; blank TID/TASKCMD columns do not shift the row (synthetic rows)', () => {
  const expected = [
    makeListener({
      address: '127.0.0.1',
      port: 7777,
      family: 4,
      dualStack: false,
      pid: 4242,
      processName: 'node',
      uid: 1000,
      inode: 515151,
    }),
  ];
  const withTaskcmd =
    'COMMAND     PID     TID TASKCMD   USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n' +
    'node      4242                   1000   21u  IPv4 515151      0t0  TCP 127.0.0.1:7777 (LISTEN)\n';
  assert.deepEqual(parseLsofListeners(withTaskcmd), expected);
  const withTid =
    'COMMAND     PID     TID   USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n' +
    'node      4242           1000   21u  IPv4 515151      0t0  TCP 127.0.0.1:7777 (LISTEN)\n';
  assert.deepEqual(parseLsofListeners(withTid), expected);
  // A row with a missing column that is not a thread column cannot be mapped: skipped, not guessed.
  const missingUser =
    'COMMAND     PID   USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n' +
    'node      4242   21u  IPv4 515151      0t0  TCP 127.0.0.1:7777 (LISTEN)\n';
  assert.deepEqual(parseLsofListeners(missingUser), []);
});
