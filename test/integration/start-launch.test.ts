// `tapo-port start` on a free port with the built bundle and the fake dashboard as real
// processes: ready at the reported port, the record and the lock as it runs and after it ends,
// signals forwarded (SIGINT once, SIGTERM, SIGHUP, a second signal forcing SIGKILL), a crash on
// start, a readiness timeout, a custom command, the log file and --json.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  fetchHealth,
  isAlive,
  listenersOn,
  lockPath,
  makeStateDir,
  markedDashboards,
  outputOf,
  pickPort,
  readRecord,
  sleep,
  waitFor,
  type StartRun,
  READY_LINE,
  useStartFixtures,
} from '../support/start-runner.ts';

const linux = process.platform === 'linux';
const { start } = useStartFixtures();

/** Waits for the ready line; returns the URL and the dashboard PID it reported. */
async function ready(run: StartRun): Promise<{ url: string; pid: number; health: string }> {
  const match = await run.waitForLine(READY_LINE, { stream: 'stderr' });
  return { url: match[1] ?? '', pid: Number(match[2]), health: match[3] ?? '' };
}

describe('tapo-port start: launch, signals, ends', { skip: !linux && 'needs /proc (Linux)' }, () => {
  it('free port: ready and healthy at the reported port; SIGINT ends it with 0; record, lock and port cleaned up', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    assert.equal(shown.health, 'healthy');

    const health = await fetchHealth(port);
    assert.equal(health?.status, 'healthy');
    assert.equal(typeof health?.timestamp, 'string');
    assert.deepEqual(health?.issues, []);

    const dashboards = markedDashboards(port);
    assert.deepEqual(
      dashboards.map((d) => d.pid),
      [shown.pid],
      'exactly one dashboard process, the one reported',
    );

    const record = readRecord(stateDir, port);
    assert.ok(record, 'a record is written');
    assert.equal(record.schemaVersion, '1.0');
    assert.equal(record.state, 'running');
    assert.equal(record.requestedPort, port);
    assert.equal(record.port, port);
    assert.equal(record.host, '127.0.0.1');
    assert.equal(record.policy, 'reuse');
    assert.equal(record.conflict, null);
    assert.equal(record.dashboard?.pid, shown.pid);
    assert.deepEqual(record.dashboard?.command.slice(1), [
      '-m',
      'tapo_camera_mcp.web',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ]);
    assert.equal(record.url, `http://127.0.0.1:${port}/`);
    assert.equal(record.healthUrl, `http://127.0.0.1:${port}/api/health`);
    assert.equal(record.launcher.pid, run.pid);
    assert.equal(record.exitCode, null);
    assert.equal(record.logFile, null);

    const lock = JSON.parse(readFileSync(lockPath(stateDir, port), 'utf8')) as { pid: number; port: number };
    assert.equal(lock.pid, run.pid, 'the lock names the running start');
    assert.equal(lock.port, port);

    run.sendSignal('SIGINT');
    const exit = await run.waitForExit();
    assert.deepEqual(exit, { code: 0, signal: null }, outputOf(run));

    const after = readRecord(stateDir, port);
    assert.equal(after?.state, 'exited');
    assert.equal(after?.exitCode, 0);
    assert.equal(after?.dashboard?.pid, shown.pid);
    assert.equal(existsSync(lockPath(stateDir, port)), false, 'the lock is released');
    assert.equal(isAlive(shown.pid), false, 'the dashboard is gone');
    assert.equal(listenersOn(port), 0, 'nothing listens on the port afterwards');
    assert.match(run.stderr, /SIGINT received: stopping the dashboard/);
    assert.match(run.stderr, /The dashboard exited with code 0\./);
  });

  it('default host 0.0.0.0: health is asked on 127.0.0.1 and the record says so', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], {}, null);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    const record = readRecord(stateDir, port);
    assert.equal(record?.host, '0.0.0.0');
    assert.equal(record?.healthUrl, `http://127.0.0.1:${port}/api/health`);
    assert.ok(record?.dashboard?.command.includes('0.0.0.0'), 'the dashboard binds the wildcard');
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
  });

  it("SIGINT is forwarded exactly once and the exit code is the dashboard's own", async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], { FAKE_DASHBOARD_SIGINT_EXIT: '42' });
    const shown = await ready(run);
    run.sendSignal('SIGINT');
    const exit = await run.waitForExit();
    assert.deepEqual(exit, { code: 42, signal: null }, outputOf(run));
    const heard = run.stdout.split('\n').filter((line) => line.startsWith('fake-dashboard: got SIGINT'));
    assert.deepEqual(heard, ['fake-dashboard: got SIGINT (1)'], 'the dashboard heard one SIGINT');
    assert.equal(readRecord(stateDir, port)?.exitCode, 42);
    assert.equal(isAlive(shown.pid), false);
  });

  it('SIGTERM is forwarded: the dashboard dies of it and start exits 128 + 15', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const shown = await ready(run);
    run.sendSignal('SIGTERM');
    assert.deepEqual(await run.waitForExit(), { code: 143, signal: null }, outputOf(run));
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'exited');
    assert.equal(record?.exitCode, 143);
    assert.equal(isAlive(shown.pid), false);
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it('SIGHUP is passed on as SIGTERM (exit 143)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const shown = await ready(run);
    run.sendSignal('SIGHUP');
    assert.deepEqual(await run.waitForExit(), { code: 143, signal: null }, outputOf(run));
    assert.match(run.stderr, /SIGHUP received: stopping the dashboard/);
    assert.equal(isAlive(shown.pid), false);
  });

  it('a dashboard that ignores SIGTERM survives the first; a second signal after 1 s ends it with SIGKILL (137)', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], { FAKE_DASHBOARD_IGNORE_SIGTERM: '1' });
    const shown = await ready(run);
    run.sendSignal('SIGTERM');
    await run.waitForLine(/SIGTERM received: stopping the dashboard \(PID \d+\); send it again to force\./);
    // The pause is the input, not a wait for something to happen: start ignores a repeat within
    // 1 s of the first signal (one Ctrl+C delivered twice), and counts from before it printed the
    // line above, so 1.5 s from here is always past that window; a loaded machine only makes the
    // pause longer. What follows holds until the second signal: the dashboard ignores SIGTERM, so
    // start has nothing to exit for, and the health answer below is a positive sign it still serves.
    await sleep(1500);
    assert.equal(run.exited, false, `start is still waiting for the dashboard\n${outputOf(run)}`);
    assert.equal(isAlive(shown.pid), true, 'the dashboard ignored SIGTERM');
    assert.equal((await fetchHealth(port))?.status, 'healthy', 'and still serves');
    run.sendSignal('SIGTERM');
    assert.deepEqual(await run.waitForExit(), { code: 137, signal: null }, outputOf(run));
    assert.match(run.stderr, /SIGTERM received again: ending the dashboard \(PID \d+\) with SIGKILL\./);
    assert.equal(isAlive(shown.pid), false);
    assert.equal(readRecord(stateDir, port)?.exitCode, 137);
    assert.equal(listenersOn(port), 0);
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it('the dashboard crashes on start: its exit code (3) is ours, with the last lines it printed', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], { FAKE_DASHBOARD_CRASH_EXIT: '3' });
    assert.deepEqual(await run.waitForExit(), { code: 3, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      /The last lines the dashboard printed:\n {2}\| fake-dashboard: crashing on start as asked\n/,
    );
    assert.match(run.stderr, /The dashboard exited with code 3 before it was ready\./);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'exited');
    assert.equal(record?.exitCode, 3);
    assert.equal(record?.port, port);
    assert.equal(existsSync(lockPath(stateDir, port)), false);
    assert.equal(listenersOn(port), 0);
    assert.deepEqual(markedDashboards(), []);
  });

  it('readiness timeout: a dashboard slower than --ready-timeout is stopped and start exits 11', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--ready-timeout', '2'], { FAKE_DASHBOARD_START_DELAY: '30' });
    const pid = await waitFor(
      'the launched dashboard in the record',
      () => readRecord(stateDir, port)?.dashboard?.pid,
    );
    await waitFor('the dashboard process', () => markedDashboards(port).some((d) => d.pid === pid));
    assert.equal(readRecord(stateDir, port)?.state, 'starting');
    assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
    assert.match(
      run.stderr,
      new RegExp(
        `was not ready within 2 s \\(port ${port} never accepted a connection\\), so it was stopped\\.`,
      ),
    );
    assert.equal(isAlive(pid), false, 'the dashboard process is gone');
    assert.deepEqual(markedDashboards(), []);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'not-ready');
    assert.equal(record?.dashboard?.pid, pid);
    assert.equal(existsSync(lockPath(stateDir, port)), false);
    assert.equal(listenersOn(port), 0);
  });

  it('readiness timeout with a dashboard that ignores SIGTERM: SIGKILL after the 5 s grace, exit 11', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--ready-timeout', '1'], {
      FAKE_DASHBOARD_START_DELAY: '30',
      FAKE_DASHBOARD_IGNORE_SIGTERM: '1',
    });
    const pid = await waitFor(
      'the launched dashboard in the record',
      () => readRecord(stateDir, port)?.dashboard?.pid,
    );
    assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
    assert.equal(isAlive(pid), false, 'the dashboard that ignored SIGTERM was killed');
    assert.deepEqual(markedDashboards(), []);
    assert.equal(readRecord(stateDir, port)?.state, 'not-ready');
  });

  it("a health URL that does not answer with the dashboard's JSON (404) is never ready: exit 11", async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--health-url', '/nope', '--ready-timeout', '2']);
    assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
    assert.match(run.stderr, /\| fake-dashboard: "GET \/nope HTTP\/1\.1" 404 -/);
    assert.deepEqual(markedDashboards(), []);
    assert.equal(listenersOn(port), 0);
  });

  it('--health-url as a full URL with {host} and {port}', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--health-url', 'http://{host}:{port}/api/health']);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    assert.equal(readRecord(stateDir, port)?.healthUrl, `http://127.0.0.1:${port}/api/health`);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
  });

  it('--host ::1: the dashboard binds IPv6 loopback and is asked there', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [], {}, '::1');
    const shown = await ready(run);
    assert.equal(shown.url, `http://[::1]:${port}/`);
    assert.equal((await fetchHealth(port, '::1'))?.status, 'healthy');
    assert.equal(await fetchHealth(port, '127.0.0.1'), null, 'not on IPv4');
    const record = readRecord(stateDir, port);
    assert.equal(record?.host, '::1');
    assert.equal(record?.healthUrl, `http://[::1]:${port}/api/health`);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    assert.equal(listenersOn(port), 0);
  });

  it('a command that exits 0 before it is ready is exit 11, not success', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--', 'python3', '-c', 'print("bye from {port}")']);
    assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
    assert.match(run.stderr, new RegExp(`\\| bye from ${port}`));
    assert.equal(readRecord(stateDir, port)?.exitCode, 0);
  });

  it('a custom command after -- gets {host} and {port} filled in and is run in --project-dir', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, [
      '--',
      'python3',
      '-m',
      'tapo_camera_mcp.web',
      '--host',
      '{host}',
      '--port={port}',
    ]);
    const shown = await ready(run);
    assert.equal(shown.url, `http://127.0.0.1:${port}/`);
    assert.equal((await fetchHealth(port))?.status, 'healthy');
    const record = readRecord(stateDir, port);
    assert.deepEqual(record?.dashboard?.command, [
      'python3',
      '-m',
      'tapo_camera_mcp.web',
      '--host',
      '127.0.0.1',
      `--port=${port}`,
    ]);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
  });

  it('a custom command that does not exist is exit 3 with one clear line, nothing left behind', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--', '/nonexistent/tapo-test-command', '--port', '{port}']);
    assert.deepEqual(await run.waitForExit(), { code: 3, signal: null }, outputOf(run));
    assert.match(run.stderr, /the dashboard command "\/nonexistent\/tapo-test-command" was not found/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(readRecord(stateDir, port)?.state, 'not-started');
    assert.equal(existsSync(lockPath(stateDir, port)), false);
  });

  it("--log-file: every line timestamped and printable, ours and the dashboard's", async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const logFile = path.join(stateDir, 'start.log');
    const run = start(port, stateDir, ['--log-file', logFile]);
    await ready(run);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    const lines = readFileSync(logFile, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the log ends with a newline');
    assert.ok(lines.length >= 4, lines.join('\n'));
    for (const line of lines) {
      assert.match(
        line,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(tapo-port|dashboard:out|dashboard:err)\] [\x20-\x7e]*$/,
      );
    }
    const text = lines.join('\n');
    assert.match(
      text,
      new RegExp(`\\[dashboard:out\\] fake-dashboard: serving on 127\\.0\\.0\\.1:${port}$`, 'm'),
    );
    assert.match(text, /\[dashboard:err\] fake-dashboard: "GET \/api\/health HTTP\/1\.1" 200 -$/m);
    assert.match(text, /\[tapo-port\] Dashboard ready at /);
    assert.match(text, /\[tapo-port\] The dashboard exited with code 0\.$/m);
    assert.equal(readRecord(stateDir, port)?.logFile, logFile);
  });

  it("--json: stdout is exactly one DashboardStart document; the dashboard's stdout goes to stderr", async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir, ['--json']);
    const shown = await ready(run);
    run.sendSignal('SIGINT');
    assert.deepEqual(await run.waitForExit(), { code: 0, signal: null }, outputOf(run));
    const doc = JSON.parse(run.stdout) as {
      kind: string;
      ok: boolean;
      data: {
        outcome: string;
        port: number;
        requestedPort: number;
        exitCode: number;
        dashboard: { pid: number };
      };
    };
    assert.equal(doc.kind, 'DashboardStart');
    assert.equal(doc.ok, true);
    assert.equal(doc.data.outcome, 'exited');
    assert.equal(doc.data.requestedPort, port);
    assert.equal(doc.data.port, port);
    assert.equal(doc.data.exitCode, 0);
    assert.equal(doc.data.dashboard.pid, shown.pid);
    assert.doesNotMatch(run.stdout, /^fake-dashboard:/m, 'no dashboard line on stdout');
    assert.match(run.stderr, new RegExp(`fake-dashboard: serving on 127\\.0\\.0\\.1:${port}`));
  });
});
