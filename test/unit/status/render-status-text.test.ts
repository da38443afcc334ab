// renderStatusText: a marker and the summary, where the dashboard serves, and a hint to start it
// when it does not run; printable ASCII and newlines only, whatever the record holds.
import { healthOf } from '../../support/health.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusData } from '../../../src/status/run-status.ts';
import { renderStatusText } from '../../../src/status/render-status-text.ts';
import type { DashboardStatusRecord } from '../../../src/status/status-record.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { statusRecord } from '../../support/status-record.ts';

function record(fields: Partial<DashboardStatusRecord> = {}): DashboardStatusRecord {
  return statusRecord({
    dashboard: { pid: 4242, startTime: '2026-11-25T10:02:00.000Z', command: ['python'] },
    launcher: { pid: 4200, startTime: null },
    ...fields,
  });
}

function data(fields: Partial<StatusData> = {}, live: Partial<StatusData['live']> = {}): StatusData {
  return {
    requestedPort: 7777,
    record: record(),
    recordProblem: null,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: healthy.',
    ...fields,
    live: {
      state: 'running',
      processAlive: true,
      portAccepting: true,
      health: 'healthy',
      healthReport: healthOf(live.health === undefined ? 'healthy' : live.health),
      ...live,
    },
  };
}

describe('renderStatusText', () => {
  it('running and healthy: [OK], where it serves, no hint', () => {
    assert.equal(
      renderStatusText(data({ record: record({ logFile: '/var/log/tapo.log' }) })),
      [
        '[OK] Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: healthy.',
        '',
        'URL:        http://127.0.0.1:7777/',
        'Health URL: http://127.0.0.1:7777/api/health',
        'Started:    2026-11-25 10:02 UTC (PID 4242)',
        'Log file:   /var/log/tapo.log',
        '',
      ].join('\n'),
    );
  });

  it('running with a warning (cameras offline): [OK], the summary names it', () => {
    const text = renderStatusText(data({ summary: 'Running ...; health: warning.' }, { health: 'warning' }));
    assert.match(text, /^\[OK\] Running \.\.\.; health: warning\.\n/);
  });

  it('running but critical: [!]', () => {
    const text = renderStatusText(
      data({ summary: 'Running ...; health: critical.' }, { health: 'critical' }),
    );
    assert.match(text, /^\[!\] Running \.\.\.; health: critical\.\n/);
    assert.doesNotMatch(text, /Start it/);
  });

  it('not running: [X] and how to start it', () => {
    const text = renderStatusText(
      data(
        { record: record({ state: 'exited', exitCode: 1 }), summary: 'Not running: it exited.' },
        { state: 'not-running', processAlive: false, portAccepting: false, health: null },
      ),
    );
    assert.match(text, /^\[X\] Not running: it exited\.\n/);
    assert.match(text, /\n\nStart it: tapo-port start --port 7777\n$/);
  });

  it('no record: the summary and the hint only', () => {
    assert.equal(
      renderStatusText(
        data(
          { record: null, summary: 'Not running: no start has been recorded for port 7777.' },
          { state: 'not-running', processAlive: null, portAccepting: null, health: null },
        ),
      ),
      '[X] Not running: no start has been recorded for port 7777.\n\nStart it: tapo-port start --port 7777\n',
    );
  });

  it('leaves out what is not known (reused: no Started line, no URLs when null)', () => {
    const text = renderStatusText(
      data({ record: record({ state: 'reused', dashboard: null, url: null, logFile: '' }) }),
    );
    assert.equal(
      text,
      '[OK] Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: healthy.\n\nHealth URL: http://127.0.0.1:7777/api/health\n',
    );
  });

  for (const [label, hostile] of Object.entries(hostileInputs)) {
    it(`prints only ASCII for a hostile ${label}`, () => {
      const text = renderStatusText(
        data(
          {
            record: record({ url: hostile, healthUrl: hostile, logFile: hostile, startedAt: hostile }),
            summary: hostile,
          },
          { state: 'not-running' },
        ),
      );
      assert.match(text, /^[\x20-\x7e\n]*$/);
      if (/[^\x20-\x7e]/.test(hostile)) assert.ok(!text.includes(hostile), text);
      // No line breaks come from the record's text (empty values are left out).
      assert.equal(text.split('\n').length, hostile === '' ? 6 : 9);
    });
  }
});
