import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { recordingExec, type ExecAnswer } from '../../support/recording-exec.ts';
import { makeListener } from '../../../src/sockets/listener.ts';
import { readMacListeners } from '../../../src/sockets/read-listeners-macos.ts';

/** One answer for every call. */
const answering = (answer: ExecAnswer) => recordingExec(() => answer);

const fixture = (name: string): string =>
  readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'macos', name), 'utf8');

test('runs /usr/sbin/netstat -anv -p tcp (no shell) and keeps the listeners on the port', async () => {
  const { exec, calls } = answering({
    stdout: fixture('netstat-anv.pre-sonoma.find-process-example.txt'),
    stderr: '',
    code: 0,
  });
  assert.deepEqual(await readMacListeners(443, exec), {
    readable: true,
    source: 'netstat -anv -p tcp',
    listeners: [makeListener({ address: '::', port: 443, family: 6, dualStack: true, pid: 61044 })],
    warnings: [],
  });
  assert.deepEqual(
    calls.map((c) => [c.file, c.args, c.options]),
    [['/usr/sbin/netstat', ['-anv', '-p', 'tcp'], { timeoutMs: 10_000 }]],
  );
});

test('a layout without a pid column is readable but says how to find the owner', async () => {
  const { exec } = answering({
    stdout: fixture('netstat-an-line.sonoma-14.2.no-pid-column.node-netstat-43.txt'),
    stderr: '',
    code: 0,
  });
  const table = await readMacListeners(8809, exec);
  assert.ok(table.readable);
  assert.deepEqual(
    table.listeners.map((listener) => listener.pid),
    [null],
  );
  assert.deepEqual(table.warnings, [
    'netstat printed its columns in a layout this version does not know, so the PID is not shown; ' +
      'run: sudo lsof -nP -iTCP:8809 -sTCP:LISTEN',
  ]);
});

test('macOS 26 `process:pid`: the PID and name are read, and no sudo lsof is asked for', async () => {
  const { exec } = answering({
    stdout: fixture('netstat-anv-p-tcp.tahoe-26.wide-header.port-doctor-fixture.txt'),
    stderr: '',
    code: 0,
  });
  assert.deepEqual(await readMacListeners(62243, exec), {
    readable: true,
    source: 'netstat -anv -p tcp',
    listeners: [
      makeListener({
        address: '127.0.0.1',
        port: 62243,
        family: 4,
        dualStack: false,
        pid: 17120,
        processName: 'Code Helper (Plu',
      }),
    ],
    warnings: [],
  });
});

test('netstat failing, timing out or missing makes the table unreadable with a reason', async () => {
  assert.deepEqual(
    await readMacListeners(
      7777,
      answering({ stdout: '', stderr: 'netstat: sysctl: Operation not permitted\n', code: 1 }).exec,
    ),
    {
      readable: false,
      source: 'netstat -anv -p tcp',
      reason: '/usr/sbin/netstat exited with code 1: netstat: sysctl: Operation not permitted',
      warnings: [],
    },
  );
  assert.deepEqual(await readMacListeners(7777, answering({ stdout: '', stderr: '', code: null }).exec), {
    readable: false,
    source: 'netstat -anv -p tcp',
    reason: '/usr/sbin/netstat did not finish within 10 s.',
    warnings: [],
  });
  const missing = Object.assign(new Error('spawn /usr/sbin/netstat ENOENT'), { code: 'ENOENT' });
  assert.deepEqual(await readMacListeners(7777, answering(missing).exec), {
    readable: false,
    source: 'netstat -anv -p tcp',
    reason: '/usr/sbin/netstat could not be run (ENOENT).',
    warnings: [],
  });
});
