import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  readWindowsHttpSysQueues,
  readWindowsProcessFacts,
} from '../../../src/owners/read-windows-owners.ts';
import { buildCimQueryScript } from '../../../src/owners/windows-cim-query.ts';
import { recordingExec, type ExecAnswer } from '../../support/recording-exec.ts';

const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const bytesOf = (name: string): Buffer => readFileSync(path.join(fixtures, name));

const POWERSHELL = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const NETSH = 'C:\\Windows\\System32\\netsh.exe';
const options = { systemRoot: 'C:\\Windows' };

/** Answers by program; PowerShell's answer is checked against the script for `expectPids`. */
function fakeExec(answers: { netsh?: ExecAnswer; powershell?: ExecAnswer; expectPids?: number[] }) {
  return recordingExec((file, args) => {
    const answer = file === NETSH ? answers.netsh : file === POWERSHELL ? answers.powershell : undefined;
    if (answer === undefined) return Object.assign(new Error(`unexpected ${file}`), { code: 'ENOENT' });
    if (file === POWERSHELL && answers.expectPids !== undefined) {
      assert.deepEqual(args, [
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        buildCimQueryScript(answers.expectPids),
      ]);
    }
    return answer;
  });
}

const PS7 = bytesOf('cim-process.ps7.CONSTRUCTED.arrays.crlf.json');

describe('readWindowsProcessFacts and readWindowsHttpSysQueues', () => {
  it('asks PowerShell once about the owner PIDs only, deduplicated', async () => {
    const { exec, calls } = fakeExec({ powershell: PS7, expectPids: [3312, 6120] });
    const report = await readWindowsProcessFacts([6120, 3312, 6120], exec, options);
    assert.deepEqual(
      calls.map((call) => [call.file, call.options]),
      [[POWERSHELL, { timeoutMs: 30_000, encoding: 'utf8' }]],
    );
    assert.deepEqual(report.processes.get(6120), {
      pid: 6120,
      name: 'python.exe',
      path: 'C:\\Users\\J\u00f6rg\\tapo\\venv\\Scripts\\python.exe',
      commandLine:
        '"C:\\Users\\J\u00f6rg\\tapo\\venv\\Scripts\\python.exe" -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777',
      user: 'DESKTOP-7Q2\\J\u00f6rg',
      uid: null,
      startTime: '2025-11-20T08:15:30.123Z',
      ppid: 5880,
      parentChain: [],
      cgroupContainerId: null,
      systemdUnit: null,
      systemdUserUnit: false,
      launchdJob: null,
    });
    assert.deepEqual([...report.processes.keys()], [6120, 3312]);
    assert.deepEqual(report.services, new Map([[3312, ['iphlpsvc', 'W3SVC']]]));
    assert.deepEqual(report.warnings, []);
  });

  it('netsh names the processes behind an http.sys URL; one PowerShell query then covers PID 4 and them', async () => {
    const cim = Buffer.from(
      '{"processes":[{"ProcessId":4,"ParentProcessId":0,"Name":"System","ExecutablePath":null,"CommandLine":null,' +
        '"CreationDate":"2025-11-20T07:58:00.0000000Z","Owner":null}],"services":null}\r\n',
    );
    const { exec, calls } = fakeExec({
      netsh: bytesOf('servicestate.server-session-view.pid2668-port80.blog.txt'),
      powershell: cim,
      expectPids: [4, 2668],
    });
    const httpSys = await readWindowsHttpSysQueues(80, exec, options);
    const report = await readWindowsProcessFacts(
      [4, ...(httpSys.queues ?? []).flatMap((q) => q.processIds)],
      exec,
      options,
    );
    assert.deepEqual(
      calls.map((call) => [call.file, call.args.slice(0, 4), call.options?.encoding]),
      [
        [NETSH, ['http', 'show', 'servicestate', 'view=requestq'], 'latin1'],
        [POWERSHELL, ['-NoProfile', '-NonInteractive', '-Command', buildCimQueryScript([4, 2668])], 'utf8'],
      ],
    );
    assert.deepEqual(httpSys.queues, [
      {
        name: 'Request queue is unnamed.',
        urls: ['HTTP://+:80/116B50EB-ECE2-41AC-8429-9F9E963361B7/'],
        processIds: [2668],
        images: [],
        urlSource: 'by-name',
      },
    ]);
    assert.deepEqual([...report.processes.keys()], [4]);
    assert.equal(report.processes.get(4)?.startTime, '2025-11-20T07:58:00.000Z');
    assert.deepEqual(report.warnings, ['PID 2668 was not found; it may have exited']);
  });

  it('reports http.sys as unknown when netsh fails', async () => {
    const { exec } = fakeExec({ netsh: { stdout: '', stderr: '', code: null } });
    const report = await readWindowsHttpSysQueues(80, exec, options);
    assert.equal(report.queues, null);
    assert.deepEqual(report.warnings, [
      'http.sys registrations are unknown: netsh.exe http show servicestate view=requestq was stopped before it finished (time limit 10000 ms)',
    ]);
  });

  it('gives an empty list, not null, when netsh shows no URL on the port', async () => {
    const { exec } = fakeExec({ netsh: bytesOf('servicestate.server-session-view.pid2668-port80.blog.txt') });
    const report = await readWindowsHttpSysQueues(8080, exec, options);
    assert.deepEqual(report.queues, []);
    assert.deepEqual(report.warnings, []);
  });
});

describe('readWindowsProcessFacts', () => {
  it('runs nothing for PID 0, non-PIDs or an empty list', async () => {
    const { exec, calls } = fakeExec({});
    assert.deepEqual(await readWindowsProcessFacts([0], exec, options), {
      processes: new Map(),
      services: new Map(),
      warnings: [],
    });
    assert.deepEqual(await readWindowsProcessFacts([-1, 1.5, 2 ** 32], exec, options), {
      processes: new Map(),
      services: new Map(),
      warnings: [],
    });
    assert.deepEqual(await readWindowsProcessFacts([], exec, options), {
      processes: new Map(),
      services: new Map(),
      warnings: [],
    });
    assert.equal(calls.length, 0);
  });

  it('turns a PowerShell failure or unreadable output into a warning, never into facts', async () => {
    const failing = fakeExec({
      powershell: { stdout: '', stderr: 'Get-CimInstance : Access denied\r\n', code: 1 },
    });
    assert.deepEqual((await readWindowsProcessFacts([6120], failing.exec, options)).warnings, [
      'process details are unknown: powershell.exe -NoProfile -NonInteractive -Command <script> exited with code 1: Get-CimInstance : Access denied',
    ]);
    const garbled = fakeExec({ powershell: Buffer.from('Windows PowerShell\r\nCopyright\r\n') });
    const facts = await readWindowsProcessFacts([6120], garbled.exec, options);
    assert.equal(facts.processes.size, 0);
    assert.deepEqual(facts.warnings, [
      'process details are unknown: no JSON object in the PowerShell output',
    ]);
  });
});
