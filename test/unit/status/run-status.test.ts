// runStatus with fake deps: the record against the live system (same process, port accepting,
// health), the exit code, and summary sentences that stay printable ASCII whatever names hold.
import type { HealthReport } from '../../../src/health/health-report.ts';
import { answered, healthOf, notDashboard, slow } from '../../support/health.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  runStatus,
  statusExitCode,
  type StatusData,
  type StatusDeps,
} from '../../../src/status/run-status.ts';
import type { ConflictOwner, DashboardStatusRecord } from '../../../src/status/status-record.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';
import { RECORD_STARTED, statusRecord } from '../../support/status-record.ts';

const STARTED = RECORD_STARTED;

const record = statusRecord;

/** A record that went to 7779 because of these owners of 7777. */
function movedBy(owners: ConflictOwner[]): DashboardStatusRecord {
  return record({
    policy: 'next',
    port: 7779,
    url: 'http://127.0.0.1:7779/',
    healthUrl: 'http://127.0.0.1:7779/api/health',
    conflict: { status: 'in-use', summary: 'Port 7777 is in use.', owners, resolution: 'next' },
  });
}

function owner(fields: Partial<ConflictOwner>): ConflictOwner {
  return { kind: 'process', pid: null, name: null, container: null, ...fields };
}

interface World {
  read?: Awaited<ReturnType<StatusDeps['readRecord']>>;
  /** PID -> identity; a PID not listed does not exist. */
  identities?: Record<number, { startTime: string | null }>;
  /** `host port` pairs that accept connections. */
  accepting?: string[];
  /** URL -> health status. */
  health?: Record<string, string | null | HealthReport>;
}

async function status(world: World): Promise<{ data: StatusData; calls: string[] }> {
  const calls: string[] = [];
  const deps: StatusDeps = {
    readRecord: async (port) => {
      calls.push(`record ${port}`);
      return world.read ?? { record: null, problem: null };
    },
    readIdentity: async (pid) => {
      calls.push(`identity ${pid}`);
      return world.identities?.[pid] ?? null;
    },
    canConnect: async (host, port) => {
      calls.push(`connect ${host} ${port}`);
      return (world.accepting ?? []).includes(`${host} ${port}`);
    },
    fetchHealth: async (url) => {
      calls.push(`health ${url}`);
      return healthOf(world.health?.[url] ?? null);
    },
  };
  return { data: await runStatus(deps, 7777), calls };
}

const alive = { 4242: { startTime: STARTED } };

interface Case {
  name: string;
  world: World;
  state: 'running' | 'not-running';
  exit: 0 | 12 | 13;
  summary: string;
  live?: Partial<StatusData['live']>;
  calls?: string[];
}

const cases: Case[] = [
  {
    name: 'no record',
    world: {},
    state: 'not-running',
    exit: 12,
    summary: 'Not running: no start has been recorded for port 7777.',
    live: { processAlive: null, portAccepting: null, health: null },
    calls: ['record 7777'],
  },
  {
    name: 'an unusable record',
    world: { read: { record: null, problem: 'The status record /s/dashboard-7777.json is not valid JSON.' } },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: no usable start record for port 7777. The status record /s/dashboard-7777.json is not valid JSON.',
    calls: ['record 7777'],
  },
  {
    name: 'running and healthy',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: healthy.',
    live: { processAlive: true, portAccepting: true, health: 'healthy' },
    calls: [
      'record 7777',
      'identity 4242',
      'connect 127.0.0.1 7777',
      'health http://127.0.0.1:7777/api/health',
    ],
  },
  {
    name: 'running, health warning',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      // Cameras configured, none reachable: the real dashboard's `warning` (web/server.py get_health).
      health: {
        'http://127.0.0.1:7777/api/health': answered('warning', {
          issues: ['no_cameras_online'],
          cameras: { total: 2, online: 0 },
        }),
      },
    },
    state: 'running',
    exit: 0,
    summary:
      'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: warning (no_cameras_online; 0 of 2 cameras online).',
  },
  {
    name: 'running, health error (its handler failed)',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'error' },
    },
    state: 'running',
    exit: 13,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: error.',
  },
  {
    name: 'running, health slower than the budget',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': slow(10_000) },
    },
    state: 'running',
    exit: 13,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: slow: no answer within 10 s.',
    live: { processAlive: true, portAccepting: true, health: null },
  },
  {
    name: 'running, answering with something that is not the dashboard JSON',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': notDashboard(404) },
    },
    state: 'running',
    exit: 13,
    summary:
      "Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: not the dashboard's answer (HTTP 404).",
  },
  {
    name: 'running, health critical',
    world: {
      read: { record: record() },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'critical' },
    },
    state: 'running',
    exit: 13,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: critical.',
  },
  {
    name: 'running, health silent',
    world: { read: { record: record() }, identities: alive, accepting: ['127.0.0.1 7777'] },
    state: 'running',
    exit: 13,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: not answering.',
    live: { processAlive: true, portAccepting: true, health: null },
  },
  {
    name: 'the start time cannot be read: the PID alone counts',
    world: {
      read: { record: record() },
      identities: { 4242: { startTime: null } },
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC); health: healthy.',
  },
  {
    name: 'the PID is gone',
    world: { read: { record: record() } },
    state: 'not-running',
    exit: 12,
    summary: 'Not running: the dashboard started on 7777 (PID 4242) is gone, and its exit was not recorded.',
    live: { processAlive: false, portAccepting: false, health: null },
    calls: ['record 7777', 'identity 4242', 'connect 127.0.0.1 7777'],
  },
  {
    name: 'the PID now belongs to another process, which holds the port',
    world: {
      read: { record: record() },
      identities: { 4242: { startTime: '2026-11-26T08:00:00.000Z' } },
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'healthy' },
    },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the dashboard started on 7777 (PID 4242) is gone; PID 4242 now belongs to another process. Something else now accepts connections on 7777.',
    live: { processAlive: false, portAccepting: true, health: null },
    calls: ['record 7777', 'identity 4242', 'connect 127.0.0.1 7777'],
  },
  {
    name: 'an exit the launcher recorded (the PID is not asked again)',
    world: { read: { record: record({ state: 'exited', exitCode: 1 }) }, identities: alive },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the dashboard started on 7777 (PID 4242) exited with code 1 at 2026-11-25 10:05 UTC.',
    live: { processAlive: false, portAccepting: false },
    calls: ['record 7777', 'connect 127.0.0.1 7777'],
  },
  {
    name: 'not ready and stopped',
    world: { read: { record: record({ state: 'not-ready' }) } },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the dashboard started on 7777 (PID 4242) did not become ready and was stopped at 2026-11-25 10:05 UTC.',
  },
  {
    name: 'alive, but nothing accepts connections',
    world: { read: { record: record() }, identities: alive },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the dashboard started on 7777 (PID 4242) is alive, but nothing accepts connections on 7777.',
    live: { processAlive: true, portAccepting: false, health: null },
    calls: ['record 7777', 'identity 4242', 'connect 127.0.0.1 7777'],
  },
  {
    name: 'still starting',
    world: { read: { record: record({ state: 'starting' }) }, identities: alive },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running yet: the dashboard started on 7777 (PID 4242) is starting but does not accept connections yet.',
  },
  {
    name: 'a reused dashboard that is healthy',
    world: {
      read: { record: record({ state: 'reused', dashboard: null }) },
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'The dashboard on 7777 was reused (already running); health: healthy.',
    live: { processAlive: null, portAccepting: true, health: 'healthy' },
    calls: ['record 7777', 'connect 127.0.0.1 7777', 'health http://127.0.0.1:7777/api/health'],
  },
  {
    name: 'a reused dashboard with a warning',
    world: {
      read: { record: record({ state: 'reused', dashboard: null }) },
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'warning' },
    },
    state: 'running',
    exit: 0,
    summary: 'The dashboard on 7777 was reused (already running); health: warning.',
  },
  {
    name: 'a reused dashboard that no longer answers its health URL',
    world: { read: { record: record({ state: 'reused', dashboard: null }) }, accepting: ['127.0.0.1 7777'] },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: port 7777 accepts connections, but what answers there is not the dashboard that was reused (health: not answering).',
  },
  {
    name: 'a reused dashboard that is slow to answer',
    world: {
      read: { record: record({ state: 'reused', dashboard: null }) },
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': slow(10_000) },
    },
    state: 'running',
    exit: 13,
    summary: 'The dashboard on 7777 was reused (already running); health: slow: no answer within 10 s.',
  },
  {
    name: 'a reused dashboard that is gone',
    world: { read: { record: record({ state: 'reused', dashboard: null }) } },
    state: 'not-running',
    exit: 12,
    summary: 'Not running: the dashboard that was reused on 7777 no longer accepts connections.',
    calls: ['record 7777', 'connect 127.0.0.1 7777'],
  },
  {
    name: 'moved to 7779 because of a container',
    world: {
      read: {
        record: movedBy([
          owner({ kind: 'container', name: 'docker-proxy', container: 'tapo-camera-mcp', pid: null }),
        ]),
      },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
      health: { 'http://127.0.0.1:7779/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'Running on 7779 because 7777 is held by container tapo-camera-mcp; health: healthy.',
    calls: [
      'record 7777',
      'identity 4242',
      'connect 127.0.0.1 7779',
      'health http://127.0.0.1:7779/api/health',
    ],
  },
  {
    name: 'moved to 7779 because of a process',
    world: {
      read: { record: movedBy([owner({ kind: 'process', name: 'node', pid: 5150 })]) },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
      health: { 'http://127.0.0.1:7779/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'Running on 7779 because 7777 is held by node (PID 5150); health: healthy.',
  },
  {
    name: 'moved to 7779 because of another dashboard',
    world: {
      read: { record: movedBy([owner({ kind: 'dashboard', name: 'python3', pid: 3000 })]) },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
      health: { 'http://127.0.0.1:7779/api/health': 'critical' },
    },
    state: 'running',
    exit: 13,
    summary: 'Running on 7779 because 7777 is held by another dashboard (PID 3000); health: critical.',
  },
  {
    name: 'moved to 7779 because of several owners',
    world: {
      read: {
        record: movedBy([
          owner({ kind: 'process', name: 'node', pid: 1 }),
          owner({ kind: 'process', pid: 2 }),
          owner({ kind: 'http.sys', pid: 4 }),
          owner({ kind: 'hidden' }),
          owner({ kind: 'service', name: 'svchost', pid: 9 }),
        ]),
      },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
      health: { 'http://127.0.0.1:7779/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary:
      'Running on 7779 because 7777 is held by node (PID 1), a process (PID 2), the Windows HTTP service (http.sys) and 2 others; health: healthy.',
  },
  {
    name: 'moved to 7779 because 7777 is reserved',
    world: {
      read: {
        record: {
          ...movedBy([]),
          conflict: { status: 'reserved', summary: '', owners: [], resolution: 'next' },
        },
      },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
      health: { 'http://127.0.0.1:7779/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary: 'Running on 7779 because 7777 is in a reserved port range; health: healthy.',
  },
  {
    name: 'started after stopping the holder',
    world: {
      read: {
        record: record({
          policy: 'stop',
          conflict: {
            status: 'in-use',
            summary: '',
            owners: [owner({ kind: 'container', container: 'old-dash' })],
            resolution: 'stopped',
          },
        }),
      },
      identities: alive,
      accepting: ['127.0.0.1 7777'],
      health: { 'http://127.0.0.1:7777/api/health': 'healthy' },
    },
    state: 'running',
    exit: 0,
    summary:
      'Running on 7777 (PID 4242, since 2026-11-25 10:02 UTC) after stopping container old-dash, which held it; health: healthy.',
  },
  {
    name: 'nothing started because of a container',
    world: {
      read: {
        record: record({
          policy: 'fail',
          state: 'not-started',
          port: null,
          dashboard: null,
          url: null,
          healthUrl: null,
          conflict: {
            status: 'in-use',
            summary: '',
            owners: [owner({ kind: 'container', container: 'tapo-camera-mcp' })],
            resolution: 'failed',
          },
        }),
      },
    },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the last start for port 7777 (2026-11-25 10:02 UTC) did not start a dashboard because 7777 is held by container tapo-camera-mcp.',
    live: { processAlive: null, portAccepting: null, health: null },
    calls: ['record 7777'],
  },
  {
    name: 'nothing started, with the recorded message',
    world: {
      read: {
        record: record({
          state: 'not-started',
          port: null,
          dashboard: null,
          message: 'Python was not found.',
        }),
      },
    },
    state: 'not-running',
    exit: 12,
    summary:
      'Not running: the last start for port 7777 (2026-11-25 10:02 UTC) did not start a dashboard: Python was not found.',
  },
];

describe('runStatus', () => {
  for (const c of cases) {
    it(`${c.name} -> ${c.state}, exit ${c.exit}`, async () => {
      const { data, calls } = await status(c.world);
      assert.equal(data.summary, c.summary);
      assert.equal(data.live.state, c.state);
      assert.equal(statusExitCode(data), c.exit);
      assert.equal(data.requestedPort, 7777);
      for (const [key, value] of Object.entries(c.live ?? {})) {
        assert.equal(data.live[key as keyof StatusData['live']], value, `live.${key}`);
      }
      if (c.calls) assert.deepEqual(calls, c.calls);
    });
  }

  it('carries the record and its problem through unchanged', async () => {
    const kept = record();
    assert.equal((await status({ read: { record: kept } })).data.record, kept);
    const broken = await status({
      read: { record: null, problem: 'The status record x is not valid JSON.' },
    });
    assert.equal(broken.data.record, null);
    assert.equal(broken.data.recordProblem, 'The status record x is not valid JSON.');
  });

  const hosts: [string, string][] = [
    ['0.0.0.0', '127.0.0.1'],
    ['::', '::1'],
    ['[::]', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['localhost', '127.0.0.1'],
    ['192.168.1.20', '192.168.1.20'],
  ];
  for (const [requested, asked] of hosts) {
    it(`connects to ${asked} for host ${requested}`, async () => {
      const { calls } = await status({ read: { record: record({ host: requested }) }, identities: alive });
      assert.ok(calls.includes(`connect ${asked} 7777`), calls.join(', '));
    });
  }
});

describe('statusExitCode', () => {
  const live = (fields: Partial<StatusData['live']>): StatusData => ({
    requestedPort: 7777,
    record: null,
    recordProblem: null,
    live: {
      state: 'running',
      processAlive: true,
      portAccepting: true,
      health: 'healthy',
      healthReport: healthOf(fields.health === undefined ? 'healthy' : fields.health),
      ...fields,
    },
    summary: '',
  });
  const table: [Partial<StatusData['live']>, 0 | 12 | 13][] = [
    [{}, 0],
    [{ health: 'warning' }, 0],
    [{ health: 'critical' }, 13],
    [{ health: 'ok' }, 13],
    [{ health: null, healthReport: slow(10_000) }, 13],
    [{ health: null, healthReport: notDashboard(404) }, 13],
    [{ health: 'error' }, 13],
    [{ health: 'Healthy' }, 13],
    [{ health: null }, 13],
    [{ state: 'not-running', health: null }, 12],
    [{ state: 'not-running', health: 'healthy' }, 12],
  ];
  for (const [fields, code] of table) {
    it(`${JSON.stringify(fields)} -> ${code}`, () => assert.equal(statusExitCode(live(fields)), code));
  }
});

describe('hostile text in the record never reaches the summary raw', () => {
  const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
  const unsafe = (value: string): boolean => !PRINTABLE_ASCII.test(value);

  for (const [label, hostile] of Object.entries(hostileInputs)) {
    it(label, async () => {
      const summaries: string[] = [];
      const collect = async (world: World): Promise<void> => {
        summaries.push((await status(world)).data.summary);
      };
      const healthUrl = 'http://127.0.0.1:7779/api/health';
      await collect({
        read: {
          record: movedBy([
            owner({ kind: 'container', name: hostile, container: hostile }),
            owner({ kind: 'process', name: hostile, pid: 7 }),
            owner({ kind: 'forwarder', name: hostile, pid: 8 }),
            owner({ kind: 'service', name: hostile, pid: 9 }),
          ]),
        },
        identities: alive,
        accepting: ['127.0.0.1 7779'],
        health: { [healthUrl]: hostile },
      });
      await collect({
        read: {
          record: record({
            state: 'not-started',
            port: null,
            dashboard: null,
            message: hostile,
            startedAt: hostile,
          }),
        },
      });
      await collect({ read: { record: record({ state: 'exited', updatedAt: hostile, exitCode: 2 }) } });
      await collect({ read: { record: null, problem: `The status record ${hostile} is not valid JSON.` } });
      for (const summary of summaries) {
        assert.match(summary, PRINTABLE_ASCII);
        if (unsafe(hostile)) assert.ok(!summary.includes(hostile), summary);
      }
    });
  }

  it('shortens a very long name', async () => {
    const { data } = await status({
      read: { record: movedBy([owner({ kind: 'container', container: 'x'.repeat(5000) })]) },
      identities: alive,
      accepting: ['127.0.0.1 7779'],
    });
    assert.ok(data.summary.length < 300, `${data.summary.length} characters`);
  });
});
