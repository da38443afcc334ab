import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseCimProcessJson } from '../../../src/owners/parse-cim-process-json.ts';

// CONSTRUCTED from documented serializer behaviour; no real capture exists. See PROVENANCE.md.
const fixtures = path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows');
const bytesOf = (name: string): Buffer => readFileSync(path.join(fixtures, name));

describe('parseCimProcessJson', () => {
  it('PowerShell 7 arrays: facts per PID, hidden path and owner stay null, services grouped by PID', () => {
    const report = parseCimProcessJson(
      bytesOf('cim-process.ps7.CONSTRUCTED.arrays.crlf.json').toString('utf8'),
    );
    assert.deepEqual(
      report.processes,
      new Map([
        [
          6120,
          {
            pid: 6120,
            name: 'python.exe',
            path: 'C:\\Users\\J\u00f6rg\\tapo\\venv\\Scripts\\python.exe',
            commandLine:
              '"C:\\Users\\J\u00f6rg\\tapo\\venv\\Scripts\\python.exe" -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777',
            user: 'DESKTOP-7Q2\\J\u00f6rg',
            startTime: '2025-11-20T08:15:30.123Z',
            ppid: 5880,
          },
        ],
        [
          3312,
          {
            pid: 3312,
            name: 'svchost.exe',
            path: null,
            commandLine: null,
            user: null,
            startTime: '2025-11-20T07:59:02.500Z',
            ppid: 708,
          },
        ],
      ]),
    );
    assert.deepEqual(report.services, new Map([[3312, ['iphlpsvc', 'W3SVC']]]));
  });

  it('Windows PowerShell 5.1: BOM, a lone object instead of an array, services null, \\/Date(ms)\\/', () => {
    const bytes = bytesOf('cim-process.ps51.CONSTRUCTED.single-object.null-services.bom-crlf.json');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const report = parseCimProcessJson(bytes.toString('utf8'));
    assert.deepEqual(
      report.processes,
      new Map([
        [
          4,
          {
            pid: 4,
            name: 'System',
            path: null,
            commandLine: null,
            user: null,
            startTime: '2023-11-14T22:13:20.000Z',
            ppid: 0,
          },
        ],
      ]),
    );
    assert.deepEqual(report.services, new Map());
  });

  it('Windows PowerShell 5.1: {value, Count} array wrappers, a DateTime object, empty strings as unknown', () => {
    const report = parseCimProcessJson(
      bytesOf('cim-process.ps51.CONSTRUCTED.value-count-wrapper.date-object.crlf.json').toString('utf8'),
    );
    assert.deepEqual([...report.processes.keys()], [9020, 4332]);
    assert.deepEqual(report.processes.get(9020), {
      pid: 9020,
      name: 'node.exe',
      path: 'C:\\Program Files\\nodejs\\node.exe',
      commandLine: "node.exe C:\\dev\\it's\\server.js --port=7777",
      user: 'CORP\\builder',
      startTime: '2023-11-14T22:13:20.000Z',
      ppid: 8876,
    });
    assert.deepEqual(report.processes.get(4332), {
      pid: 4332,
      name: 'com.docker.backend.exe',
      path: null,
      commandLine: null,
      user: null,
      startTime: '2023-11-14T19:26:40.000Z',
      ppid: 4300,
    });
    assert.deepEqual(report.services, new Map([[4332, ['com.docker.service']]]));
  });

  it('treats missing and null arrays as empty', () => {
    for (const text of [
      '{}',
      '{"processes":null,"services":[]}',
      '{"processes":[],"services":{"value":[],"Count":0}}',
    ]) {
      const report = parseCimProcessJson(text);
      assert.equal(report.processes.size, 0, text);
      assert.equal(report.services.size, 0, text);
    }
  });

  it('converts every date form to ISO UTC and refuses zone-less or localized dates', () => {
    const startOf = (creationDate: unknown): string | null | undefined =>
      parseCimProcessJson(
        JSON.stringify({ processes: { ProcessId: 10, CreationDate: creationDate } }),
      ).processes.get(10)?.startTime;
    assert.equal(startOf('2023-11-14T23:13:20.123+01:00'), '2023-11-14T22:13:20.123Z');
    assert.equal(startOf('2023-11-14T22:13:20Z'), '2023-11-14T22:13:20.000Z');
    assert.equal(startOf('2023-11-14T22:13:20.1234567Z'), '2023-11-14T22:13:20.123Z');
    assert.equal(startOf('/Date(1700000000000)/'), '2023-11-14T22:13:20.000Z');
    assert.equal(startOf('/Date(1700000000000+0100)/'), '2023-11-14T22:13:20.000Z');
    assert.equal(startOf({ value: '/Date(1700000000000)/', DisplayHint: 2 }), '2023-11-14T22:13:20.000Z');
    assert.equal(startOf('2023-11-14T22:13:20'), null);
    assert.equal(startOf('14.11.2023 22:13:20'), null);
    assert.equal(startOf(null), null);
  });

  it('reads the document after text that PowerShell wrote to stdout before it, with CRLF', () => {
    const text =
      'WARNING: something\r\n{"processes":{"ProcessId":"77","Name":"a.exe"},"services":{"ProcessId":77,"Name":"Svc"}}\r\n';
    const report = parseCimProcessJson(text);
    assert.equal(report.processes.get(77)?.name, 'a.exe');
    assert.deepEqual(report.services, new Map([[77, ['Svc']]]));
  });

  it('throws a SyntaxError when there is no JSON object', () => {
    assert.throws(() => parseCimProcessJson(''), SyntaxError);
    assert.throws(() => parseCimProcessJson('Get-CimInstance : Access denied\r\n'), SyntaxError);
    assert.throws(() => parseCimProcessJson('[1,2]'), SyntaxError);
  });
});
