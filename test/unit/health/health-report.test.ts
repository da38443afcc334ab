import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readHealthAnswer } from '../../../src/health/health-report.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';

// Bodies as the real endpoint sends them (tapo-camera-mcp web/server.py get_health, 2026-01-14).
const warning = {
  status: 'warning',
  timestamp: '2026-01-14T03:01:36.000000+00:00',
  system: { cpu: { percent: 12.5, count: 8, process_percent: 0.0 } },
  network: null,
  databases: { timeseries: { status: 'not_found' }, postgres: { status: 'not_configured' } },
  cameras: { total: 2, online: 0, offline: 2 },
  issues: ['no_cameras_online'],
};

describe('readHealthAnswer', () => {
  it('reads the status, the issues and the camera counts of the real shape', () => {
    assert.deepEqual(readHealthAnswer(200, JSON.stringify(warning), 640), {
      answer: 'answered',
      status: 'warning',
      issues: ['no_cameras_online'],
      cameras: { total: 2, online: 0 },
      httpStatus: 200,
      elapsedMs: 640,
    });
  });

  it('the handler failing ("error", HTTP 200, no issues) is still an answer', () => {
    const body = JSON.stringify({ status: 'error', error: 'boom', timestamp: '2026-01-14T03:01:36+00:00' });
    const report = readHealthAnswer(200, body, 5);
    assert.deepEqual(
      [report.answer, report.status, report.issues, report.cameras],
      ['answered', 'error', [], null],
    );
  });

  it('camera counts after a timeout (only total/online/offline/error) and odd counts', () => {
    const timeout = {
      status: 'healthy',
      cameras: { total: 0, online: 0, offline: 0, error: 'timeout' },
      issues: [],
    };
    assert.deepEqual(readHealthAnswer(200, JSON.stringify(timeout), 1).cameras, { total: 0, online: 0 });
    for (const cameras of [
      { total: -1, online: 0 },
      { total: 1.5, online: 0 },
      { total: '2', online: 0 },
      null,
      [],
    ]) {
      assert.equal(readHealthAnswer(200, JSON.stringify({ status: 'healthy', cameras }), 1).cameras, null);
    }
  });

  for (const [name, body] of [
    ['HTML', '<html>Dashboard</html>'],
    ['FastAPI 404', JSON.stringify({ detail: 'Not Found' })],
    ['a JSON array', '[{"status":"healthy"}]'],
    ['a number status', '{"status":200}'],
    ['an empty body', ''],
  ] as const) {
    it(`${name} is not the dashboard's answer`, () => {
      assert.equal(readHealthAnswer(200, body, 1).answer, 'not-dashboard');
    });
  }

  it('hostile issues are escaped, counted past twenty, and non-strings dropped', () => {
    const issues = [
      ...Object.values(hostileInputs),
      42,
      null,
      ...Array.from({ length: 30 }, (_, i) => `issue_${i}`),
    ];
    const report = readHealthAnswer(200, JSON.stringify({ status: 'warning', issues }), 1);
    assert.equal(report.issues.length, 21);
    assert.match(report.issues.at(-1) ?? '', /^\(\d+ more\)$/);
    for (const issue of report.issues) assert.doesNotMatch(issue, /[\u0000-\u001f\u007f-\u009f]/);
  });
});
