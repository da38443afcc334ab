// decideStart, toConflictRecord and describeHolder: what start does about a port check looked
// at, how the conflict is recorded, and the few words that name the holder.
import { answered, healthOf, noAnswer, notDashboard, slow } from '../../support/health.ts';
import type { HealthReport } from '../../../src/health/health-report.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PortStatus } from '../../../src/check/port-status.ts';
import type { Owner } from '../../../src/owners/owner.ts';
import { decideStart, describeHolder, toConflictRecord } from '../../../src/start/plan-start.ts';
import type { ConflictOwner, ConflictRecord, StartPolicy } from '../../../src/status/status-record.ts';
import { busy, dashboardOwner, free } from '../../support/start-fakes.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import {
  containerOwner,
  forwarderOwner,
  hiddenOwner,
  httpSysOwner,
  processOwner,
  serviceOwner,
  wslOwner,
} from '../stop/stop-fakes.ts';
import { UNSAFE_FOR_TERMINAL } from '../../support/check-fakes.ts';

const POLICIES: StartPolicy[] = ['reuse', 'fail', 'next', 'stop'];
const NOT_FREE: PortStatus[] = ['in-use', 'reserved', 'forbidden', 'shadowed', 'unknown'];
const foreign = processOwner(3000, { name: 'nginx' });

describe('decideStart', () => {
  for (const policy of POLICIES) {
    it(`a free port is launched on under ${policy}`, () => {
      assert.deepEqual(decideStart(free(), policy), { action: 'launch' });
    });
  }

  for (const status of NOT_FREE) {
    it(`${status}: next moves on, stop stops, fail explains`, () => {
      const check = busy([foreign], { status, summary: `Port 7777 is ${status}.` });
      assert.deepEqual(decideStart(check, 'next'), { action: 'next' });
      assert.deepEqual(decideStart(check, 'stop'), { action: 'stop' });
      assert.deepEqual(decideStart(check, 'fail'), { action: 'fail', reason: `Port 7777 is ${status}.` });
    });
  }

  it('fail does not reuse even a healthy dashboard', () => {
    const decision = decideStart(busy([dashboardOwner(2345, 'healthy')]), 'fail');
    assert.equal(decision.action, 'fail');
  });

  it('reuse: a healthy dashboard is reused, with its own health URL', () => {
    const owner = dashboardOwner(2345, 'healthy', 7777);
    const decision = decideStart(busy([owner]), 'reuse');
    assert.deepEqual(decision, {
      action: 'reuse',
      dashboard: owner,
      healthUrl: 'http://127.0.0.1:7777/api/health',
      health: healthOf('healthy'),
    });
  });

  it('reuse: of several dashboards, the one in the best health is picked', () => {
    const sick = dashboardOwner(2345, 'warning');
    const healthy = {
      ...dashboardOwner(2346, 'healthy'),
      dashboard: {
        healthUrl: 'http://[::1]:7777/api/health',
        healthStatus: 'healthy',
        health: healthOf('healthy'),
        recognizedBy: 'command-line' as const,
      },
    };
    const decision = decideStart(busy([foreign, sick, healthy]), 'reuse');
    assert.equal(decision.action, 'reuse');
    assert.equal(decision.action === 'reuse' ? decision.dashboard.pid : null, 2346);
    assert.equal(decision.action === 'reuse' ? decision.healthUrl : null, 'http://[::1]:7777/api/health');
  });

  // Every order of two running dashboards: the better health wins (healthy, then warning, then
  // critical, then any other word), whichever the socket table listed first.
  const ranked = ['healthy', 'warning', 'critical', 'ok'];
  for (const [better, worse] of ranked.flatMap((a, i) => ranked.slice(i + 1).map((b) => [a, b] as const))) {
    for (const order of ['better first', 'worse first']) {
      it(`reuse: ${better} beats ${worse} (${order})`, () => {
        const owners = [dashboardOwner(1001, better), dashboardOwner(1002, worse)];
        const decision = decideStart(busy(order === 'better first' ? owners : owners.reverse()), 'reuse');
        assert.equal(decision.action === 'reuse' ? decision.dashboard.pid : null, 1001);
      });
    }
  }

  it('reuse: a dashboard that is not reusable never wins over one that is, listed first or not', () => {
    for (const owners of [
      [dashboardOwner(1001, answered('error')), dashboardOwner(1002, 'critical')],
      [dashboardOwner(1002, 'critical'), dashboardOwner(1001, answered('error'))],
    ]) {
      const decision = decideStart(busy([foreign, ...owners]), 'reuse');
      assert.equal(decision.action === 'reuse' ? decision.dashboard.pid : null, 1002);
    }
  });

  // The real dashboard's statuses (web/server.py get_health): all but `error` are a running dashboard.
  for (const status of ['healthy', 'warning', 'critical', 'ok']) {
    it(`reuse: a dashboard answering "${status}" is reused, with that answer`, () => {
      const health = answered(status, { issues: status === 'warning' ? ['no_cameras_online'] : [] });
      const decision = decideStart(busy([dashboardOwner(2345, health)]), 'reuse');
      assert.equal(decision.action, 'reuse');
      assert.deepEqual(decision.action === 'reuse' ? decision.health : null, health);
    });
  }

  const notReused: [string, HealthReport, string][] = [
    ['error', answered('error'), 'its health says "error" (its own health check failed)'],
    ['silent', noAnswer(), 'http://127.0.0.1:7777/api/health does not answer'],
    ['slow', slow(10_000), 'http://127.0.0.1:7777/api/health did not answer within 10 s'],
    [
      'not the dashboard',
      notDashboard(404),
      "http://127.0.0.1:7777/api/health did not answer with the dashboard's JSON (HTTP 404)",
    ],
    [
      'not the dashboard, without an HTTP status',
      { ...notDashboard(), httpStatus: null },
      "http://127.0.0.1:7777/api/health did not answer with the dashboard's JSON",
    ],
  ];
  for (const [name, health, why] of notReused) {
    it(`reuse: a ${name} dashboard is not reused, and the reason says why`, () => {
      const decision = decideStart(
        busy([dashboardOwner(2345, health)], { summary: 'Port 7777 is in use.' }),
        'reuse',
      );
      assert.deepEqual(decision, {
        action: 'fail',
        reason: `Port 7777 is in use. It is a Tapo dashboard, but ${why}, so it is not reused.`,
      });
    });
  }

  for (const [name, owners] of [
    ['a foreign process', [foreign]],
    ['a container', [containerOwner()]],
    ['a forwarder', [forwarderOwner()]],
    ['http.sys', [httpSysOwner()]],
    ['a hidden owner', [hiddenOwner()]],
    ['nobody visible', []],
  ] as [string, Owner[]][]) {
    it(`reuse: ${name} is nothing to reuse`, () => {
      const decision = decideStart(busy(owners, { summary: 'Port 7777 is in use.' }), 'reuse');
      assert.deepEqual(decision, {
        action: 'fail',
        reason: 'Port 7777 is in use. It is not a Tapo dashboard, so there is nothing to reuse.',
      });
    });
  }

  it('reuse: an owner of kind dashboard without its health facts is not taken for one', () => {
    const bare: Owner = { ...dashboardOwner(2345, 'healthy'), dashboard: null };
    assert.match((decideStart(busy([bare]), 'reuse') as { reason: string }).reason, /not a Tapo dashboard/);
  });

  it('reuse: a dashboard-kind owner without facts does not hide the real dashboard behind it', () => {
    const factless: Owner = { ...dashboardOwner(1001, 'healthy'), dashboard: null };
    const decision = decideStart(
      busy([factless, dashboardOwner(1002, answered('error'))], { summary: 'Port 7777 is in use.' }),
      'reuse',
    );
    assert.deepEqual(decision, {
      action: 'fail',
      reason:
        'Port 7777 is in use. It is a Tapo dashboard, but its health says "error" (its own health check failed), so it is not reused.',
    });
  });

  it('reuse: a process owner carrying dashboard facts is not reused (only kind dashboard is)', () => {
    const lookalike: Owner = { ...dashboardOwner(2345, 'healthy'), kind: 'process' };
    assert.equal(decideStart(busy([lookalike]), 'reuse').action, 'fail');
  });

  it('reuse: a hostile health answer is shown escaped, on one line', () => {
    for (const [name, hostile] of Object.entries(hostileInputs)) {
      const decision = decideStart(
        busy([dashboardOwner(2345, answered('error', { issues: [hostile] }))]),
        'reuse',
      );
      assert.equal(decision.action, 'fail', name);
      const reason = (decision as { reason: string }).reason;
      assert.doesNotMatch(reason, UNSAFE_FOR_TERMINAL, name);
      assert.doesNotMatch(reason, /\n/, name);
    }
  });

  it('reuse: a very long health answer is cut', () => {
    const issues = Array.from({ length: 20 }, () => 'x'.repeat(5000));
    const decision = decideStart(busy([dashboardOwner(2345, answered('error', { issues }))]), 'reuse');
    const reason = (decision as { reason: string }).reason;
    // Five issues of at most 64 characters each are named; the rest are counted.
    assert.ok(reason.length < 700, String(reason.length));
    assert.match(reason, /; 15 more\)/);
  });
});

describe('toConflictRecord', () => {
  it('keeps the status, the summary and the resolution', () => {
    for (const resolution of ['next', 'stopped', 'reused', 'failed'] as const) {
      const record = toConflictRecord(
        busy([foreign], { summary: 'Port 7777 is in use by nginx.' }),
        resolution,
      );
      assert.equal(record.status, 'in-use');
      assert.equal(record.summary, 'Port 7777 is in use by nginx.');
      assert.equal(record.resolution, resolution);
    }
  });

  it('records each owner as kind, pid, name and container', () => {
    const owners: Owner[] = [
      foreign,
      processOwner(3001, null),
      dashboardOwner(2345, 'healthy'),
      containerOwner({ name: 'tapo-camera-mcp' }),
      forwarderOwner(3210),
      wslOwner(6000),
      httpSysOwner(),
      hiddenOwner(),
    ];
    const expected: ConflictOwner[] = [
      { kind: 'process', pid: 3000, name: 'nginx', container: null },
      { kind: 'process', pid: 3001, name: null, container: null },
      { kind: 'dashboard', pid: 2345, name: 'python', container: null },
      { kind: 'container', pid: null, name: 'tapo-camera-mcp', container: 'tapo-camera-mcp' },
      { kind: 'forwarder', pid: null, name: 'docker-proxy', container: null },
      { kind: 'wsl', pid: null, name: 'wslrelay.exe', container: null },
      { kind: 'http.sys', pid: null, name: 'System', container: null },
      { kind: 'hidden', pid: null, name: null, container: null },
    ];
    assert.deepEqual(toConflictRecord(busy(owners), 'failed').owners, expected);
  });

  it('falls back to the forwarder name, then the first service, when no process facts were read', () => {
    const forwarder: Owner = { ...forwarderOwner(3210), process: null };
    const service: Owner = { ...serviceOwner(1234, ['W3SVC', 'WAS']), process: null };
    assert.deepEqual(
      toConflictRecord(busy([forwarder, service]), 'failed').owners.map((o) => o.name),
      ['docker-proxy', 'W3SVC'],
    );
  });

  it('a free or empty check gives no owners', () => {
    assert.deepEqual(toConflictRecord(busy([], { status: 'reserved' }), 'failed').owners, []);
  });

  it('names are display-safe, as the record documents (status-record.ts ConflictOwner.name)', () => {
    for (const [label, name] of Object.entries(hostileInputs)) {
      const record = toConflictRecord(
        busy([processOwner(3000, { name }), containerOwner({ name })]),
        'failed',
      );
      for (const owner of record.owners) {
        assert.doesNotMatch(owner.name ?? '', UNSAFE_FOR_TERMINAL, `${label}: ${JSON.stringify(owner.name)}`);
      }
    }
  });
});

describe('describeHolder', () => {
  const conflict = (owners: ConflictOwner[], status: PortStatus = 'in-use'): ConflictRecord => ({
    status,
    summary: 's',
    owners,
    resolution: 'next',
  });
  const owner = (fields: Partial<ConflictOwner>): ConflictOwner => ({
    kind: 'process',
    pid: null,
    name: null,
    container: null,
    ...fields,
  });

  // The wording is describe-conflict.ts's ownerList, shared with `status`.
  const cases: [string, ConflictRecord, string][] = [
    [
      'a container',
      conflict([owner({ kind: 'container', name: 'tapo-camera-mcp', container: 'tapo-camera-mcp' })]),
      'container tapo-camera-mcp',
    ],
    ['a container without a name', conflict([owner({ kind: 'container' })]), 'container (unnamed)'],
    [
      'a dashboard',
      conflict([owner({ kind: 'dashboard', pid: 2345, name: 'python' })]),
      'another dashboard (PID 2345)',
    ],
    [
      'a dashboard without a PID',
      conflict([owner({ kind: 'dashboard', name: 'python' })]),
      'another dashboard',
    ],
    [
      'http.sys',
      conflict([owner({ kind: 'http.sys', name: 'System' })]),
      'the Windows HTTP service (http.sys)',
    ],
    ['a hidden owner', conflict([owner({ kind: 'hidden' })]), 'a process tapo-port cannot see'],
    ['a process', conflict([owner({ pid: 3000, name: 'nginx' })]), 'nginx (PID 3000)'],
    ['a process without a name', conflict([owner({ pid: 3000 })]), 'a process (PID 3000)'],
    [
      'a forwarder',
      conflict([owner({ kind: 'forwarder', name: 'docker-proxy' })]),
      'the port forwarder docker-proxy',
    ],
    [
      'a service',
      conflict([owner({ kind: 'service', pid: 1234, name: 'W3SVC' })]),
      'the service W3SVC (PID 1234)',
    ],
    ['nobody, reserved', conflict([], 'reserved'), 'something (reserved)'],
    ['nobody, unknown', conflict([], 'unknown'), 'something (unknown)'],
    [
      'two containers',
      conflict([
        owner({ kind: 'container', name: 'a', container: 'a' }),
        owner({ kind: 'container', name: 'b', container: 'b' }),
      ]),
      'container a and container b',
    ],
    [
      'three owners',
      conflict([
        owner({ pid: 3000, name: 'nginx' }),
        owner({ pid: 3001, name: 'nginx' }),
        owner({ kind: 'hidden' }),
      ]),
      'nginx (PID 3000), nginx (PID 3001) and a process tapo-port cannot see',
    ],
    [
      'five owners: three named, the rest counted',
      conflict([1, 2, 3, 4, 5].map((n) => owner({ pid: n, name: `p${n}` }))),
      'p1 (PID 1), p2 (PID 2), p3 (PID 3) and 2 others',
    ],
  ];
  for (const [name, record, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(describeHolder(record), expected));
  }

  it('hostile names are escaped and short', () => {
    for (const [label, name] of Object.entries(hostileInputs)) {
      for (const kind of ['process', 'container'] as const) {
        const text = describeHolder(
          conflict([owner({ kind, pid: 7, name, container: kind === 'container' ? name : null })]),
        );
        assert.doesNotMatch(text, UNSAFE_FOR_TERMINAL, `${label} (${kind})`);
      }
    }
    const long = describeHolder(conflict([owner({ pid: 7, name: 'n'.repeat(500) })]));
    assert.ok(long.length < 140, long);
  });

  it('works on the record toConflictRecord made', () => {
    const record = toConflictRecord(busy([containerOwner({ name: 'tapo-camera-mcp' })]), 'next');
    assert.equal(describeHolder(record), 'container tapo-camera-mcp');
  });

  it('a Windows service is named by its service, not by svchost.exe (which hosts many)', () => {
    const record = toConflictRecord(busy([serviceOwner(1234, ['W3SVC'])]), 'next');
    assert.equal(describeHolder(record), 'the service W3SVC (PID 1234)');
  });
});
