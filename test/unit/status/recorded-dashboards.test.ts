import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readRecordedDashboards } from '../../../src/status/recorded-dashboards.ts';
import { writeStatusRecord } from '../../../src/status/status-record-file.ts';
import { statusRecord } from '../../support/status-record.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tapo-recorded-'));
  dirs.push(dir);
  return dir;
}

const dashboard = (pid: number) => ({ pid, startTime: '2026-11-25T10:00:00.000Z', command: ['python'] });

describe('readRecordedDashboards', () => {
  it('the dashboards of records that say starting or running, with their health URL', async () => {
    const dir = stateDir();
    await writeStatusRecord(
      dir,
      statusRecord({
        requestedPort: 7777,
        port: 7779,
        state: 'running',
        dashboard: dashboard(4242),
        healthUrl: 'http://127.0.0.1:7779/api/health',
      }),
    );
    await writeStatusRecord(
      dir,
      statusRecord({
        requestedPort: 8080,
        port: 8080,
        state: 'starting',
        dashboard: dashboard(4343),
        healthUrl: 'http://127.0.0.1:8080/healthz',
      }),
    );
    // Ended, reused (no process of ours) or never started: not a dashboard to recognise.
    await writeStatusRecord(
      dir,
      statusRecord({ requestedPort: 9000, state: 'exited', dashboard: dashboard(4444) }),
    );
    await writeStatusRecord(dir, statusRecord({ requestedPort: 9001, state: 'reused', dashboard: null }));
    const found = await readRecordedDashboards(dir);
    assert.deepEqual(
      found.sort((a, b) => a.pid - b.pid),
      [
        {
          pid: 4242,
          startTime: '2026-11-25T10:00:00.000Z',
          healthUrl: 'http://127.0.0.1:7779/api/health',
          requestedPort: 7777,
        },
        {
          pid: 4343,
          startTime: '2026-11-25T10:00:00.000Z',
          healthUrl: 'http://127.0.0.1:8080/healthz',
          requestedPort: 8080,
        },
      ],
    );
  });

  it('a missing directory, a corrupt record, a symlink and other files are simply no dashboards', async () => {
    assert.deepEqual(await readRecordedDashboards(path.join(tmpdir(), 'tapo-no-such-dir-7f3a')), []);
    const dir = stateDir();
    writeFileSync(path.join(dir, 'dashboard-7777.json'), '{"schemaVersion": "1.0", "requested');
    writeFileSync(path.join(dir, 'notes.txt'), 'dashboard-7778.json');
    writeFileSync(path.join(dir, 'dashboard-99999.json'), '{}');
    const elsewhere = stateDir();
    await writeStatusRecord(
      elsewhere,
      statusRecord({ requestedPort: 7780, state: 'running', dashboard: dashboard(4545) }),
    );
    symlinkSync(path.join(elsewhere, 'dashboard-7780.json'), path.join(dir, 'dashboard-7780.json'));
    assert.deepEqual(await readRecordedDashboards(dir), []);
  });
});
