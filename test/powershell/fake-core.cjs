#!/usr/bin/env node
// A stand-in for dist/tapo-port.cjs, for the Pester suites (the module runs it through
// $env:TAPO_CORE). It logs how it was called and answers with a canned envelope, so the tests see
// exactly which arguments the module passed and how it treats each kind of answer.
//
//   FAKE_CORE_SCENARIO  one scenario name, or several separated by commas; each run answers with
//                       the first one that fits its argv (e.g. 'check-busy,stop-plan,stop-done'
//                       for Get-TapoPortOwner | Stop-TapoPortOwner)
//   FAKE_CORE_LOG       file that gets one JSON line per run: {"argv": [...], "scenario": "..."}
//
// The envelopes are built from test/golden/*.json where one fits, and test/static/fake-core.test.ts
// validates every one against docs/schema/port-check.v1.schema.json, so they cannot drift from the
// contract. tool.version is package.json's version, which is the module's ModuleVersion.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: node runs it as is */

const { appendFileSync, readFileSync } = require('node:fs');
const path = require('node:path');

const repoRoot = path.join(__dirname, '..', '..');
const readJson = (...parts) => JSON.parse(readFileSync(path.join(repoRoot, ...parts), 'utf8'));
const golden = (name) => readJson('test', 'golden', name);
const version = () => readJson('package.json').version;

// A fixed clock: the documents are compared across runs.
const AT = '2026-11-25T15:00:00.000Z';

/** The envelope of a successful answer, as src/contract/envelope.ts shapes it. */
function success(kind, data) {
  return {
    schemaVersion: '1.2',
    kind,
    tool: { name: 'tapo-port', version: version() },
    ok: true,
    data,
    error: null,
    warnings: [],
  };
}

/** A golden PortCheck document, stamped with this version of the tool. */
function goldenCheck(name) {
  const document = golden(name);
  document.tool.version = version();
  return document;
}

/** Port 7777 held by python3 (PID 11849) and by container web7777 (through docker-proxy). */
function busyCheck() {
  const document = goldenCheck('linux-docker-proxy-container.json');
  // The process owner of another golden file, moved from its port 7781 to 7777.
  const python = JSON.parse(
    JSON.stringify(golden('linux-python3-wildcard.json').data).replace(/7781/g, '7777'),
  );
  const data = document.data;
  data.owners = [python.owners[0], ...data.owners];
  data.listeners = [...python.listeners, ...data.listeners];
  data.summary =
    'Port 7777 on 0.0.0.0 is in use: python3 (PID 11849) listening on 0.0.0.0:7777; ' +
    'Docker container web7777 (image hostbin:latest) publishes the port through Docker (docker-proxy) (docker-proxy, PID 11522).';
  return document;
}

/**
 * Port 2500 inside an excluded port range (2480-2579). `administered: false` is a range Windows
 * reserved itself (Hyper-V, WinNAT); true is one an administrator added, with the bind refused
 * (status reserved) or working (status free: an administrator's exclusion only keeps Windows'
 * own ranges away, so the port is free, and already excluded).
 */
function reservedCheck(administered, bound) {
  const document = goldenCheck('win32-reserved-range.json');
  const data = document.data;
  data.reservedRange.administered = administered;
  if (bound) {
    data.status = 'free';
    data.summary = 'Port 2500 on 0.0.0.0 is free: the dashboard can use it.';
    data.probe = { outcome: 'bound', errno: null };
    data.nextFreePort = null;
    data.fixes = [];
    return document;
  }
  if (administered) {
    data.summary =
      'Port 2500 on 0.0.0.0 is reserved by Windows (excluded port range 2480-2579, added by an administrator); ' +
      'no process holds it, but nothing can bind it.';
    // The core's fix for an administrator's range (src/check/plan-fixes.ts): remove it, not restart WinNAT.
    const remove = 'netsh int ipv4 delete excludedportrange protocol=tcp startport=2480 numberofports=100';
    data.fixes = [
      data.fixes[0],
      {
        title: 'As administrator: remove the excluded range 2480-2579 that an administrator added',
        commands: { powershell: remove, cmd: remove, posix: null },
        elevated: true,
        note: 'Only if nothing on this machine relies on that exclusion.',
      },
    ];
  }
  return document;
}

const PYTHON_TARGET = {
  kind: 'signal',
  pid: 11849,
  startTime: '2026-11-24T09:15:02.410Z',
  name: 'python3',
  description: 'python3 (PID 11849) listening on 0.0.0.0:7777',
  why: 'It listens on the port itself; it gets SIGTERM first so it can shut down cleanly.',
  parentPid: 11700,
  parentName: 'bash',
  containerId: null,
  containerName: null,
  serviceName: null,
  unit: null,
  restartPolicyWarning: null,
  supervisor: null,
};

const FORWARDER_REFUSAL = {
  owner: 'docker-proxy (PID 11522)',
  pid: 11522,
  reason:
    'It forwards the port for Docker container web7777; stopping it would break Docker, not free the port.',
  code: 'forwarder',
  command: 'docker stop web7777',
  supervisor: null,
};

function stopData(overrides) {
  return {
    port: 7777,
    host: '0.0.0.0',
    plan: { targets: [PYTHON_TARGET], refusals: [], nothingToStop: false },
    replans: 0,
    dryRun: false,
    actions: [],
    forced: false,
    portFreeAfter: false,
    outcome: 'stopped',
    respawn: null,
    summary: '',
    ...overrides,
  };
}

const DASHBOARD = {
  pid: 24680,
  startTime: AT,
  command: [
    '/srv/tapo-camera-mcp/venv/bin/python',
    '-m',
    'tapo_camera_mcp.web',
    '--host',
    '0.0.0.0',
    '--port',
    '7777',
  ],
};

/** A health answer as the core reports it (src/health/health-report.ts). */
function healthReport(status, issues = []) {
  return { answer: 'answered', status, issues, cameras: null, httpStatus: 200, elapsedMs: 230 };
}

function startData(overrides) {
  return {
    requestedPort: 7777,
    host: '0.0.0.0',
    policy: 'reuse',
    outcome: 'exited',
    port: 7777,
    url: 'http://127.0.0.1:7777/',
    healthUrl: 'http://127.0.0.1:7777/api/health',
    health: 'healthy',
    healthReport: healthReport('healthy'),
    conflict: null,
    check: null,
    stop: null,
    dashboard: null,
    dashboardExitCode: null,
    launches: 0,
    lastLines: [],
    recoveredStaleLock: null,
    summary: '',
    exitCode: 0,
    ...overrides,
  };
}

/**
 * Every scenario: which runs it answers (`command`: argv[0], null for any; `dryRun`: whether
 * --dry-run must be present, null for either), the core's exit code, and what it prints.
 * `argv` is a typical call, for the TypeScript test that runs each scenario.
 */
const SCENARIOS = {
  'check-free': {
    command: 'check',
    dryRun: null,
    exitCode: 0,
    argv: ['check', '--port', '7799', '--host', '0.0.0.0', '--json'],
    output: () => goldenCheck('linux-free.json'),
  },
  'check-busy': {
    command: 'check',
    dryRun: null,
    exitCode: 1,
    argv: ['check', '--port', '7777', '--host', '0.0.0.0', '--json'],
    output: busyCheck,
  },
  'check-reserved': {
    command: 'check',
    dryRun: null,
    exitCode: 1,
    argv: ['check', '--port', '2500', '--host', '0.0.0.0', '--json'],
    output: () => reservedCheck(false, false),
  },
  'check-reserved-administered': {
    command: 'check',
    dryRun: null,
    exitCode: 1,
    argv: ['check', '--port', '2500', '--host', '0.0.0.0', '--json'],
    output: () => reservedCheck(true, false),
  },
  'check-excluded': {
    command: 'check',
    dryRun: null,
    exitCode: 0,
    argv: ['check', '--port', '2500', '--host', '0.0.0.0', '--json'],
    output: () => reservedCheck(true, true),
  },
  'stop-plan': {
    command: 'stop',
    dryRun: true,
    exitCode: 0,
    argv: ['stop', '--port', '7777', '--host', '0.0.0.0', '--timeout', '10', '--dry-run', '--json'],
    output: () =>
      success(
        'PortStop',
        stopData({
          plan: { targets: [PYTHON_TARGET], refusals: [FORWARDER_REFUSAL], nothingToStop: false },
          dryRun: true,
          outcome: 'would-stop',
          summary:
            'Dry run: would stop python3 (PID 11849) listening on 0.0.0.0:7777. Not stopped: docker-proxy (PID 11522).',
        }),
      ),
  },
  'stop-done': {
    command: 'stop',
    dryRun: false,
    exitCode: 0,
    argv: ['stop', '--port', '7777', '--host', '0.0.0.0', '--timeout', '10', '--json'],
    output: () => {
      const target = { kind: 'signal', pid: 11849, name: 'python3', containerId: null, serviceName: null };
      return success(
        'PortStop',
        stopData({
          actions: [
            { target, action: 'SIGTERM', at: AT, outcome: 'sent', detail: null },
            { target, action: 'SIGTERM', at: '2026-11-25T15:00:00.160Z', outcome: 'gone', detail: null },
          ],
          portFreeAfter: true,
          outcome: 'stopped',
          summary: 'Stopped python3 (PID 11849); port 7777 is free.',
        }),
      );
    },
  },
  'error-invalid-port': {
    command: null,
    dryRun: null,
    exitCode: 2,
    argv: ['check', '--port', 'abc', '--json'],
    output: () => ({
      ...success('Error', null),
      ok: false,
      error: {
        code: 'E_INVALID_PORT',
        message: 'invalid --port "abc": not a whole number from 1 to 65535',
        hint: 'Give a whole number from 1 to 65535, for example --port 7777.',
      },
    }),
  },
  'schema-2': {
    command: null,
    dryRun: null,
    exitCode: 0,
    argv: ['check', '--port', '7799', '--host', '0.0.0.0', '--json'],
    // A future major version: otherwise a valid 1.0 document, so only the version can refuse it.
    output: () => ({ ...goldenCheck('linux-free.json'), schemaVersion: '2.0' }),
  },
  'start-exited-3': {
    command: 'start',
    dryRun: null,
    exitCode: 3,
    argv: ['start', '--port', '7777', '--host', '0.0.0.0', '--on-conflict', 'reuse', '--json'],
    output: () =>
      success(
        'DashboardStart',
        startData({
          outcome: 'exited',
          dashboard: DASHBOARD,
          dashboardExitCode: 3,
          launches: 1,
          lastLines: ['Traceback (most recent call last):', 'RuntimeError: camera configuration is missing'],
          summary: 'The dashboard on port 7777 ran and exited with code 3.',
          exitCode: 3,
        }),
      ),
  },
  'start-reused': {
    command: 'start',
    dryRun: null,
    exitCode: 0,
    argv: ['start', '--port', '7777', '--host', '0.0.0.0', '--on-conflict', 'reuse', '--json'],
    output: () =>
      success(
        'DashboardStart',
        startData({
          outcome: 'reused',
          conflict: {
            status: 'in-use',
            summary: 'Port 7777 on 0.0.0.0 is in use: the Tapo dashboard (PID 23456) already serves it.',
            owners: [{ kind: 'dashboard', pid: 23456, name: 'python', container: null }],
            resolution: 'reused',
          },
          summary:
            'The dashboard already runs on port 7777 (the Tapo dashboard, PID 23456); health: healthy. ' +
            'Open http://127.0.0.1:7777/. Nothing was started.',
          exitCode: 0,
        }),
      ),
  },
  'start-conflict': {
    command: 'start',
    dryRun: null,
    exitCode: 1,
    argv: ['start', '--port', '7777', '--host', '0.0.0.0', '--on-conflict', 'reuse', '--json'],
    output: () => {
      const check = busyCheck().data;
      return success(
        'DashboardStart',
        startData({
          outcome: 'conflict',
          port: null,
          url: null,
          healthUrl: null,
          health: null,
          healthReport: null,
          check,
          conflict: {
            status: 'in-use',
            summary: check.summary,
            owners: [
              { kind: 'process', pid: 11849, name: 'python3', container: null },
              { kind: 'container', pid: null, name: null, container: 'web7777' },
            ],
            resolution: 'failed',
          },
          summary: `${check.summary} It is not a Tapo dashboard, so there is nothing to reuse. The dashboard was not started.`,
          exitCode: 1,
        }),
      );
    },
  },
  'status-running': {
    command: 'status',
    dryRun: null,
    exitCode: 0,
    argv: ['status', '--port', '7777', '--json'],
    output: () => {
      const conflict = {
        status: 'in-use',
        summary: 'Port 7777 on 0.0.0.0 is in use: Docker container tapo-camera-mcp publishes the port.',
        owners: [{ kind: 'container', pid: null, name: null, container: 'tapo-camera-mcp' }],
        resolution: 'next',
      };
      return success('DashboardStatus', {
        requestedPort: 7777,
        record: {
          schemaVersion: '1.0',
          requestedPort: 7777,
          host: '0.0.0.0',
          policy: 'next',
          port: 7779,
          state: 'running',
          conflict,
          dashboard: { ...DASHBOARD, command: DASHBOARD.command.map((w) => (w === '7777' ? '7779' : w)) },
          url: 'http://127.0.0.1:7779/',
          healthUrl: 'http://127.0.0.1:7779/api/health',
          launcher: { pid: 24600, startTime: AT },
          startedAt: AT,
          updatedAt: '2026-11-25T15:00:02.500Z',
          exitCode: null,
          message: 'Running on 7779 because 7777 is held by container tapo-camera-mcp.',
          logFile: null,
        },
        recordProblem: null,
        live: {
          state: 'running',
          processAlive: true,
          portAccepting: true,
          health: 'warning',
          healthReport: healthReport('warning', ['no_cameras_online']),
        },
        summary:
          'Running on 7779 because 7777 is held by container tapo-camera-mcp; health: warning (no_cameras_online).',
      });
    },
  },
  'no-json': {
    command: null,
    dryRun: null,
    exitCode: 5,
    argv: ['check', '--port', '7777', '--json'],
    // What a crashed or wrong core prints: not JSON at all.
    output: () => 'Segmentation fault (core dumped)\n<html>not a tapo-port document</html>\n',
    stderr: 'fake-core: the no-json scenario prints no JSON on purpose\n',
  },
  'no-json-exit-0': {
    command: null,
    dryRun: null,
    exitCode: 0,
    argv: ['start', '--port', '7777', '--json'],
    // A core that printed nothing and still exited 0 (killed output, a wrong program): not a success.
    output: () => '',
    stderr: 'fake-core: the no-json-exit-0 scenario prints nothing and exits 0 on purpose\n',
  },
};

/** The first scenario in `names` that answers `argv`, or undefined. */
function pickScenario(names, argv) {
  const dryRun = argv.includes('--dry-run');
  return names.find((name) => {
    const scenario = SCENARIOS[name];
    return (
      (scenario.command === null || scenario.command === argv[0]) &&
      (scenario.dryRun === null || scenario.dryRun === dryRun)
    );
  });
}

/** JSON as the core prints it: indented, every character outside printable ASCII escaped. */
function toAsciiJson(value) {
  return JSON.stringify(value, null, 2).replace(
    /[^\x20-\x7e\n]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function main() {
  const argv = process.argv.slice(2);
  const requested = process.env.FAKE_CORE_SCENARIO ?? '';
  // Logged first, so a run that fails below is still seen by the tests.
  if (process.env.FAKE_CORE_LOG) {
    appendFileSync(process.env.FAKE_CORE_LOG, JSON.stringify({ argv, scenario: requested }) + '\n');
  }
  const names = requested
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  const unknown = names.filter((name) => !Object.hasOwn(SCENARIOS, name));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `fake-core: set FAKE_CORE_SCENARIO to one or more of ${Object.keys(SCENARIOS).join(', ')}` +
        (unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : '') +
        '\n',
    );
    process.exitCode = 98;
    return;
  }
  const name = pickScenario(names, argv);
  if (name === undefined) {
    process.stderr.write(`fake-core: no scenario of '${requested}' answers: ${JSON.stringify(argv)}\n`);
    process.exitCode = 99;
    return;
  }
  const scenario = SCENARIOS[name];
  const output = scenario.output();
  process.stdout.write(typeof output === 'string' ? output : toAsciiJson(output) + '\n');
  if (scenario.stderr) process.stderr.write(scenario.stderr);
  process.exitCode = scenario.exitCode;
}

module.exports = { SCENARIOS, pickScenario };

if (require.main === module) main();
