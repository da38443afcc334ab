import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeHealth, isReady, isReusable, isWell } from '../../../src/health/health-meaning.ts';
import type { HealthReport } from '../../../src/health/health-report.ts';
import { answered, noAnswer, notDashboard, slow } from '../../support/health.ts';

// [answer, ready (start), reused (start --on-conflict reuse), well (status exit 0), text]
const table: [string, HealthReport, boolean, boolean, boolean, string][] = [
  ['healthy', answered('healthy'), true, true, true, 'healthy'],
  [
    'warning, cameras offline',
    answered('warning', { issues: ['no_cameras_online'], cameras: { total: 2, online: 0 } }),
    true,
    true,
    true,
    'warning (no_cameras_online; 0 of 2 cameras online)',
  ],
  [
    'critical',
    answered('critical', { issues: ['critical_disk'] }),
    true,
    true,
    false,
    'critical (critical_disk)',
  ],
  ['error', answered('error'), true, false, false, 'error'],
  ['a word the dashboard does not define', answered('ok'), true, true, false, 'ok'],
  ['slow', slow(1000), false, false, false, 'slow: no answer within 1 s'],
  ['slow, fractional', slow(1500), false, false, false, 'slow: no answer within 1.5 s'],
  ['silent', noAnswer(), false, false, false, 'not answering'],
  ['not the dashboard', notDashboard(404), false, false, false, "not the dashboard's answer (HTTP 404)"],
];

describe('what a health answer means', () => {
  for (const [name, report, ready, reused, well, text] of table) {
    it(name, () => {
      assert.deepEqual(
        [isReady(report), isReusable(report), isWell(report), describeHealth(report)],
        [ready, reused, well, text],
      );
    });
  }

  it('names five issues and counts the rest', () => {
    const issues = Array.from({ length: 8 }, (_, i) => `issue_${i}`);
    assert.equal(
      describeHealth(answered('warning', { issues })),
      'warning (issue_0; issue_1; issue_2; issue_3; issue_4; 3 more)',
    );
  });
});
