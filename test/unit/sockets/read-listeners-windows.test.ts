import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { recordingExec, type ExecAnswer } from '../../support/recording-exec.ts';
import {
  readWindowsDynamicPortRanges,
  readWindowsListenerTable,
  readWindowsReservedRanges,
} from '../../../src/sockets/read-listeners-windows.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const bytesOf = (name: string): Buffer => readFileSync(path.join(fixtures, name));

const NETSTAT = 'C:\\Windows\\System32\\netstat.exe';
const NETSH = 'C:\\Windows\\System32\\netsh.exe';
const options = { systemRoot: 'C:\\Windows' };

/** Answers by the whole command line (program and arguments). */
const fakeExec = (answers: Record<string, ExecAnswer>) =>
  recordingExec((file, args) => answers[[file, ...args].join(' ')]);

const enoent = (): Error => Object.assign(new Error('spawn netstat.exe ENOENT'), { code: 'ENOENT' });
const NETSTAT_KEY = `${NETSTAT} -ano`;
const V4_KEY = `${NETSH} interface ipv4 show excludedportrange protocol=tcp`;
const V6_KEY = `${NETSH} interface ipv6 show excludedportrange protocol=tcp`;
const DYNAMIC_V4_KEY = `${NETSH} interface ipv4 show dynamicport tcp`;
const DYNAMIC_V6_KEY = `${NETSH} interface ipv6 show dynamicport tcp`;
const notFound = (): ExecAnswer => ({
  stdout: 'The following command was not found.\r\n',
  stderr: '',
  code: 1,
});

describe('readWindowsListenerTable', () => {
  it('runs netstat -ano by full path, decodes it as latin1 and returns the listeners of the port', async () => {
    const { exec, calls } = fakeExec({
      [NETSTAT_KEY]: bytesOf('netstat-ano.de.DERIVED-from-en-constructed.cp850-crlf.txt'),
    });
    const table = await readWindowsListenerTable(7777, exec, options);
    assert.deepEqual(calls, [
      { file: NETSTAT, args: ['-ano'], options: { timeoutMs: 10_000, encoding: 'latin1' } },
    ]);
    assert.ok(table.readable);
    assert.deepEqual(
      table.listeners.map((l) => [l.address, l.pid]),
      [
        ['0.0.0.0', 6120],
        ['192.168.1.5', 7003],
        ['::', 6120],
        ['::1', 7001],
        ['fe80::1', 7002],
      ],
    );
    assert.equal(table.source, 'netstat -ano');
  });

  it('returns every listener when no port is given', async () => {
    const { exec } = fakeExec({ [NETSTAT_KEY]: bytesOf('netstat-ano.en.win7.pid4-ipv6-udp.crlf.txt') });
    const table = await readWindowsListenerTable(undefined, exec, options);
    assert.ok(table.readable);
    assert.equal(table.listeners.length, 21);
  });

  it('says why the table is unknown: not runnable, stopped, failed, or not a table', async () => {
    const cases: [ExecAnswer, string, string?][] = [
      [enoent(), 'could not run netstat.exe -ano (ENOENT)', 'netstat.exe'],
      [
        { stdout: '', stderr: '', code: null },
        'netstat.exe -ano was stopped before it finished (time limit 10000 ms)',
      ],
      [
        { stdout: '', stderr: 'The system cannot find the path specified.\r\n', code: 1 },
        'netstat.exe -ano exited with code 1: The system cannot find the path specified.',
      ],
      [Buffer.from('\r\nActive Connections\r\n\r\n'), 'netstat -ano printed no TCP rows'],
    ];
    for (const [answer, reason, missingTool] of cases) {
      const { exec } = fakeExec({ [NETSTAT_KEY]: answer });
      assert.deepEqual(await readWindowsListenerTable(7777, exec, options), {
        readable: false,
        source: 'netstat -ano',
        reason,
        warnings: [],
        // Only a tool that is not there is a missing dependency; the others failed.
        ...(missingTool ? { missingTool } : {}),
      });
    }
  });
});

describe('readWindowsReservedRanges', () => {
  it('reads both families; a family that fails is reported unknown, not empty', async () => {
    const { exec, calls } = fakeExec({
      [V4_KEY]: bytesOf('excludedportrange-tcp.en.ci-runner.after-admin-star.otel-collector-10839.txt'),
      [V6_KEY]: {
        stdout: 'The following command was not found: interface ipv6 show excludedportrange.\r\n',
        stderr: '',
        code: 1,
      },
    });
    assert.deepEqual(await readWindowsReservedRanges(exec, options), {
      ranges: [
        { start: 80, end: 80, family: 4, administered: false },
        { start: 5986, end: 5986, family: 4, administered: false },
        { start: 47001, end: 47001, family: 4, administered: false },
        { start: 55679, end: 55679, family: 4, administered: true },
      ],
      unreadFamilies: [6],
      warnings: [
        'IPv6 excluded port ranges are unknown: netsh.exe interface ipv6 show excludedportrange protocol=tcp exited with code 1: The following command was not found: interface ipv6 show excludedportrange.',
      ],
    });
    assert.deepEqual(
      calls.map((call) => [call.file, call.args, call.options?.encoding]),
      [
        [NETSH, ['interface', 'ipv4', 'show', 'excludedportrange', 'protocol=tcp'], 'latin1'],
        [NETSH, ['interface', 'ipv6', 'show', 'excludedportrange', 'protocol=tcp'], 'latin1'],
      ],
    );
  });

  it('reads the localized zh-CN table for both families', async () => {
    const zh = bytesOf('excludedportrange-tcp.zh-CN.WhimboxLauncher-21.txt');
    const { exec } = fakeExec({
      [V4_KEY]: zh,
      [V6_KEY]: zh,
    });
    const reserved = await readWindowsReservedRanges(exec, options);
    assert.deepEqual(reserved.unreadFamilies, []);
    assert.deepEqual(reserved.warnings, []);
    assert.equal(reserved.ranges.filter((r) => r.family === 4).length, 18);
    assert.equal(reserved.ranges.filter((r) => r.family === 6).length, 18);
  });
});

describe('readWindowsDynamicPortRanges', () => {
  it('reads both families by full path, as latin1', async () => {
    const { exec, calls } = fakeExec({
      [DYNAMIC_V4_KEY]: bytesOf('netsh-dynamicport-tcp.en.default.usbipd-win-53.txt'),
      [DYNAMIC_V6_KEY]: bytesOf('netsh-dynamicport-tcp.en.start-1024.DERIVED-prefix-removed.crlf.txt'),
    });
    assert.deepEqual(await readWindowsDynamicPortRanges(exec, options), [
      { start: 49152, end: 65535, family: 4 },
      { start: 1024, end: 65534, family: 6 },
    ]);
    assert.deepEqual(
      calls.map((call) => [call.file, call.args, call.options?.encoding]),
      [
        [NETSH, ['interface', 'ipv4', 'show', 'dynamicport', 'tcp'], 'latin1'],
        [NETSH, ['interface', 'ipv6', 'show', 'dynamicport', 'tcp'], 'latin1'],
      ],
    );
  });

  it('a dynamic range netsh cannot show is left out, without a warning: it only serves a hint', async () => {
    const { exec } = fakeExec({
      [DYNAMIC_V4_KEY]: notFound(),
      [DYNAMIC_V6_KEY]: Buffer.from('\r\nOk.\r\n'),
    });
    assert.deepEqual(await readWindowsDynamicPortRanges(exec, options), []);
  });
});

describe('readWindowsListenerTable, readWindowsReservedRanges and readWindowsDynamicPortRanges', () => {
  it('run the three tools (netsh four times) under the given system root', async () => {
    const { exec, calls } = fakeExec({
      'D:\\WIN\\System32\\netstat.exe -ano': bytesOf(
        'netstat-ano.en.constructed.time-wait-before-listen.80-beside-8080.txt',
      ),
      'D:\\WIN\\System32\\netsh.exe interface ipv4 show excludedportrange protocol=tcp': bytesOf(
        'excludedportrange-tcp.en.hyperv-docker.for-win-3171.txt',
      ),
      'D:\\WIN\\System32\\netsh.exe interface ipv4 show dynamicport tcp': bytesOf(
        'netsh-dynamicport-tcp.en.default.usbipd-win-53.txt',
      ),
      'D:\\WIN\\System32\\netsh.exe interface ipv6 show dynamicport tcp': bytesOf(
        'netsh-dynamicport-tcp.en.default.usbipd-win-53.txt',
      ),
      'D:\\WIN\\System32\\netsh.exe interface ipv6 show excludedportrange protocol=tcp': Buffer.from(
        '\r\nProtocol tcp Port Exclusion Ranges\r\n\r\nStart Port    End Port\r\n----------    --------\r\n\r\n' +
          '* - Administered port exclusions.\r\n',
      ),
    });
    const options = { systemRoot: 'D:\\WIN', timeoutMs: 500 };
    const report = {
      table: await readWindowsListenerTable(80, exec, options),
      reserved: await readWindowsReservedRanges(exec, options),
      dynamic: await readWindowsDynamicPortRanges(exec, options),
    };
    assert.equal(calls.length, 5);
    assert.ok(calls.every((call) => call.options?.timeoutMs === 500 && call.options.encoding === 'latin1'));
    assert.ok(report.table.readable);
    assert.deepEqual(
      report.table.listeners.map((l) => [l.address, l.port, l.pid]),
      [
        ['0.0.0.0', 80, 4],
        ['::', 80, 4],
      ],
    );
    assert.equal(report.reserved.ranges.length, 15);
    assert.ok(report.reserved.ranges.every((range) => range.family === 4));
    assert.deepEqual(report.reserved.unreadFamilies, []);
    assert.deepEqual(report.dynamic, [
      { start: 49152, end: 65535, family: 4 },
      { start: 49152, end: 65535, family: 6 },
    ]);
  });
});
