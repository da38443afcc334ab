// The status record on disk, in real temporary directories: atomic replacement, 0600, no
// symlink followed, and every file that is not our shape refused with one sentence.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  readStatusRecord,
  statusRecordPath,
  writeStatusRecord,
  type StatusRecordRead,
  writeStatusRecordSync,
} from '../../../src/status/status-record-file.ts';
import type { DashboardStatusRecord } from '../../../src/status/status-record.ts';

const posix = process.platform !== 'win32';

function record(fields: Partial<DashboardStatusRecord> = {}): DashboardStatusRecord {
  return {
    schemaVersion: '1.0',
    requestedPort: 7777,
    host: '0.0.0.0',
    policy: 'next',
    port: 7779,
    state: 'running',
    conflict: {
      status: 'in-use',
      summary: 'Port 7777 is in use by container tapo-camera-mcp.',
      owners: [{ kind: 'container', pid: null, name: 'tapo-camera-mcp', container: 'tapo-camera-mcp' }],
      resolution: 'next',
    },
    dashboard: { pid: 4242, startTime: '2026-11-25T10:02:00.000Z', command: ['python', '-m', 'x'] },
    url: 'http://127.0.0.1:7779/',
    healthUrl: 'http://127.0.0.1:7779/api/health',
    launcher: { pid: 4200, startTime: '2026-11-25T10:01:59.000Z' },
    startedAt: '2026-11-25T10:02:00.000Z',
    updatedAt: '2026-11-25T10:02:05.000Z',
    exitCode: null,
    message: 'Running on 7779 because 7777 is held by container tapo-camera-mcp.',
    logFile: null,
    ...fields,
  };
}

const problemOf = (read: StatusRecordRead): string => ('problem' in read ? (read.problem ?? '') : '');

let root: string;
let count = 0;
const freshDir = (): string => mkdtempSync(path.join(root, `d${(count += 1)}-`));

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tapo-status-record-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('statusRecordPath', () => {
  it('is dashboard-<requested port>.json in the directory', () => {
    assert.equal(statusRecordPath('/state', 7777), path.join('/state', 'dashboard-7777.json'));
  });

  for (const bad of [0, 65536, 1.5, Number.NaN, -1]) {
    it(`refuses port ${bad}`, () => {
      assert.throws(() => statusRecordPath('/state', bad), RangeError);
    });
  }
});

describe('writeStatusRecord / readStatusRecord', () => {
  it('round-trips a record (async write)', async () => {
    const dir = freshDir();
    const written = record();
    await writeStatusRecord(dir, written);
    assert.deepEqual(await readStatusRecord(dir, 7777), { record: written });
  });

  it('round-trips a record (sync write)', async () => {
    const dir = freshDir();
    const written = record({ state: 'exited', exitCode: 1, conflict: null, port: 7777 });
    writeStatusRecordSync(dir, written);
    assert.deepEqual(await readStatusRecord(dir, 7777), { record: written });
  });

  it('replaces an existing record and leaves no temporary file behind', async () => {
    const dir = freshDir();
    await writeStatusRecord(dir, record({ state: 'starting' }));
    await writeStatusRecord(dir, record({ state: 'running' }));
    writeStatusRecordSync(dir, record({ state: 'exited', exitCode: 0 }));
    assert.deepEqual(readdirSync(dir), ['dashboard-7777.json']);
    const read = await readStatusRecord(dir, 7777);
    assert.equal(read.record?.state, 'exited');
  });

  it('keeps concurrent writers whole: the file is always one complete record', async () => {
    const dir = freshDir();
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        writeStatusRecord(dir, record({ launcher: { pid: 1000 + index, startTime: null } })),
      ),
    );
    assert.deepEqual(readdirSync(dir), ['dashboard-7777.json']);
    const read = await readStatusRecord(dir, 7777);
    assert.ok(read.record !== null);
    assert.ok(read.record.launcher.pid >= 1000 && read.record.launcher.pid < 1020);
  });

  it('writes pure ASCII JSON (non-ASCII escaped) with a final newline', async () => {
    const dir = freshDir();
    const written = record({
      logFile: 'C:\\Users\\Jos\u00e9\\\u4e2d\u6587\\log.txt',
      message: 'fire\u{1F525}\n',
    });
    await writeStatusRecord(dir, written);
    const raw = await readFile(statusRecordPath(dir, 7777), 'utf8');
    assert.match(raw, /^[\x20-\x7e\n]*\n$/);
    assert.deepEqual(JSON.parse(raw), written);
    assert.deepEqual((await readStatusRecord(dir, 7777)).record, written);
  });

  it('creates the record with mode 0600', { skip: !posix && 'POSIX modes only' }, async () => {
    const dir = freshDir();
    await writeStatusRecord(dir, record());
    assert.equal(statSync(statusRecordPath(dir, 7777)).mode & 0o777, 0o600);
    writeStatusRecordSync(dir, record({ requestedPort: 7780 }));
    assert.equal(statSync(statusRecordPath(dir, 7780)).mode & 0o777, 0o600);
  });

  it('removes its temporary file when the rename fails (a directory in the way)', async () => {
    const dir = freshDir();
    mkdirSync(path.join(statusRecordPath(dir, 7777), 'occupied'), { recursive: true });
    await assert.rejects(writeStatusRecord(dir, record()));
    assert.throws(() => writeStatusRecordSync(dir, record()));
    assert.deepEqual(readdirSync(dir), ['dashboard-7777.json']);
  });

  it('fails when the directory does not exist, leaving nothing', async () => {
    const dir = path.join(freshDir(), 'missing');
    await assert.rejects(writeStatusRecord(dir, record()), { code: 'ENOENT' });
    assert.throws(() => writeStatusRecordSync(dir, record()), { code: 'ENOENT' });
  });

  it(
    'does not write through a symlink at the record path: it is replaced, its target untouched',
    { skip: !posix && 'symlinks need privileges on Windows' },
    async () => {
      const dir = freshDir();
      const target = path.join(freshDir(), 'victim.txt');
      writeFileSync(target, 'keep me');
      symlinkSync(target, statusRecordPath(dir, 7777));
      await writeStatusRecord(dir, record());
      assert.equal(await readFile(target, 'utf8'), 'keep me');
      assert.equal((await readStatusRecord(dir, 7777)).record?.state, 'running');
    },
  );
});

describe('readStatusRecord refusals', () => {
  it('reports nothing (no problem) when there is no record', async () => {
    assert.deepEqual(await readStatusRecord(freshDir(), 7777), { record: null, problem: null });
  });

  it('reports nothing when the directory itself does not exist', async () => {
    assert.deepEqual(await readStatusRecord(path.join(freshDir(), 'missing'), 7777), {
      record: null,
      problem: null,
    });
  });

  it(
    'refuses a symlink at the record path without following it',
    { skip: !posix && 'symlinks need privileges on Windows' },
    async () => {
      const dir = freshDir();
      const elsewhere = freshDir();
      await writeStatusRecord(elsewhere, record());
      symlinkSync(statusRecordPath(elsewhere, 7777), statusRecordPath(dir, 7777));
      const read = await readStatusRecord(dir, 7777);
      assert.equal(read.record, null);
      assert.match(problemOf(read), /symbolic link; it was not followed\.$/);
    },
  );

  it('refuses a directory at the record path', async () => {
    const dir = freshDir();
    mkdirSync(statusRecordPath(dir, 7777));
    const read = await readStatusRecord(dir, 7777);
    assert.match(problemOf(read), /is not a regular file\.$/);
  });

  const refusals: [string, string, RegExp][] = [
    ['corrupt JSON', '{"schemaVersion": "1.0", "requestedPort": 77', /is not valid JSON\.$/],
    ['an empty file', '', /is not valid JSON\.$/],
    ['a JSON array', '[]', /is not a JSON object\.$/],
    ['no schema version', '{"requestedPort": 7777}', /has no schema version\.$/],
    [
      'major version 2',
      JSON.stringify({ ...record(), schemaVersion: '2.0' }),
      /schema version "2\.0", which this tapo-port cannot read \(it reads 1\.x\)\.$/,
    ],
    ['a bare major version', JSON.stringify({ ...record(), schemaVersion: '1' }), /schema version "1"/],
    [
      'an unknown state',
      JSON.stringify({ ...record(), state: 'zombie' }),
      /\(state: expected one of starting, running/,
    ],
    [
      'a string port',
      JSON.stringify({ ...record(), requestedPort: '7777' }),
      /\(requestedPort: expected a whole number\)\.$/,
    ],
    [
      'a missing key',
      JSON.stringify({ ...record(), logFile: undefined }),
      /\(logFile: expected a value \(the key is missing\)\)\.$/,
    ],
    [
      'a bad dashboard PID',
      JSON.stringify({ ...record(), dashboard: { pid: -3, startTime: null, command: [] } }),
      /\(dashboard\.pid: expected a PID\)\.$/,
    ],
    [
      'a bad owner',
      JSON.stringify({
        ...record(),
        conflict: {
          ...record().conflict,
          owners: [{ kind: 'alien', pid: null, name: null, container: null }],
        },
      }),
      /\(conflict\.owners\[0\]\.kind: expected one of/,
    ],
    [
      'a bad time',
      JSON.stringify({ ...record(), updatedAt: 'yesterday' }),
      /\(updatedAt: expected an ISO-8601 time\)\.$/,
    ],
    ['another port', JSON.stringify({ ...record(), requestedPort: 8080 }), /is for port 8080, not 7777\.$/],
  ];
  for (const [name, content, expected] of refusals) {
    it(`refuses ${name} with one sentence naming the file`, async () => {
      const dir = freshDir();
      writeFileSync(statusRecordPath(dir, 7777), content);
      const read = await readStatusRecord(dir, 7777);
      assert.equal(read.record, null);
      const problem = problemOf(read);
      assert.ok(problem.startsWith(`The status record ${statusRecordPath(dir, 7777)} `), problem);
      assert.match(problem, expected);
      assert.equal(problem.split('\n').length, 1);
    });
  }

  it('refuses a file too large to be a record', async () => {
    const dir = freshDir();
    writeFileSync(statusRecordPath(dir, 7777), ' '.repeat(1024 * 1024 + 1));
    assert.match(problemOf(await readStatusRecord(dir, 7777)), /too large/);
  });

  it('reads a newer minor version for the fields it knows, dropping the rest', async () => {
    const dir = freshDir();
    writeFileSync(
      statusRecordPath(dir, 7777),
      JSON.stringify({
        ...record(),
        schemaVersion: '1.4',
        futureField: { x: 1 },
        launcher: { pid: 4200, startTime: null, extra: true },
      }),
    );
    const read = await readStatusRecord(dir, 7777);
    assert.deepEqual(read, { record: record({ launcher: { pid: 4200, startTime: null } }) });
  });
});
