// The real dashboard's /api/health, as the fake dashboard models it from its source (slow
// answers, every status, the issues list): `start` gets ready, a second start (the scheduled
// task's re-run, and one with another state directory) reuses it, `check` names it with its
// health, `status` reports the health and its issues with the documented exit code. Also what
// the launched dashboard is told through its environment (and the docs' Python example reading
// it), and the project's dependency check before the port check.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CheckData } from '../../src/check/run-check.ts';
import type { Envelope } from '../../src/contract/envelope.ts';
import type { StartData } from '../../src/start/start-types.ts';
import type { StatusData } from '../../src/status/run-status.ts';
import { runCli } from '../support/run-cli.ts';
import {
  fixtureProjectDir,
  makeStateDir,
  markedDashboards,
  outputOf,
  pickPort,
  readRecord,
  startForeignHolder,
  startTapo,
  READY_LINE,
  useStartFixtures,
} from '../support/start-runner.ts';

const linux = process.platform === 'linux';
const { start, track } = useStartFixtures();
const repoRoot = path.join(import.meta.dirname, '..', '..');

async function cli<T>(
  args: string[],
  stateDir: string,
): Promise<{ code: number | null; data: T; stderr: string }> {
  const result = await runCli([...args, '--json'], {
    env: { TAPO_STATE_DIR: stateDir, DOCKER_HOST: 'unix:///nonexistent/tapo-test.sock' },
  });
  const envelope = JSON.parse(result.stdout) as Envelope<T>;
  assert.ok(envelope.data, result.stdout + result.stderr);
  return { code: result.code, data: envelope.data, stderr: result.stderr };
}

interface HealthCase {
  status: 'healthy' | 'warning' | 'critical' | 'error';
  delaySeconds: number;
  /** How the health reads in our sentences. */
  shown: string;
  reusable: boolean;
  statusExit: 0 | 13;
}

const cases: HealthCase[] = [
  { status: 'healthy', delaySeconds: 0.2, shown: 'healthy', reusable: true, statusExit: 0 },
  {
    status: 'warning',
    delaySeconds: 0.2,
    shown: 'warning (no_cameras_online; 0 of 2 cameras online)',
    reusable: true,
    statusExit: 0,
  },
  { status: 'critical', delaySeconds: 0.2, shown: 'critical (critical_cpu)', reusable: true, statusExit: 13 },
  { status: 'error', delaySeconds: 0.2, shown: 'error', reusable: false, statusExit: 13 },
  // Cameras slow to answer: about 2 s, and the real handler's worst case of about 6 s.
  {
    status: 'warning',
    delaySeconds: 2,
    shown: 'warning (no_cameras_online; 0 of 2 cameras online)',
    reusable: true,
    statusExit: 0,
  },
  { status: 'healthy', delaySeconds: 6, shown: 'healthy', reusable: true, statusExit: 0 },
];

describe(
  'the dashboard health as the real endpoint answers it',
  { skip: !linux && 'needs /proc (Linux)' },
  () => {
    for (const c of cases) {
      it(`${c.status}, answering in ${c.delaySeconds} s: start, check, a second start, status`, async () => {
        const port = await pickPort();
        const stateDir = makeStateDir();
        const env = { FAKE_DASHBOARD_STATUS: c.status, FAKE_DASHBOARD_HEALTH_DELAY: String(c.delaySeconds) };
        const run = start(port, stateDir, [], env);
        const ready = await run.waitForLine(READY_LINE, { stream: 'stderr' });
        const pid = Number(ready[2]);
        assert.equal(ready[3], c.shown, outputOf(run));

        // check: recognised by its command line and its record; health within check's own 1 s.
        const checked = await cli<CheckData>(
          ['check', '--port', String(port), '--host', '127.0.0.1'],
          stateDir,
        );
        assert.equal(checked.code, 1);
        const owner = checked.data.owners[0];
        assert.equal(owner?.kind, 'dashboard');
        assert.equal(owner?.pid, pid);
        assert.equal(owner?.dashboard?.recognizedBy, 'status-record');
        if (c.delaySeconds < 1) {
          assert.equal(owner?.dashboard?.health.answer, 'answered');
          assert.match(checked.data.summary, new RegExp(`; health: ${escape(c.shown)}\\.$`));
        } else {
          // Slow is said as slow, never as "not answering"; --health-timeout waits for it.
          assert.equal(owner?.dashboard?.health.answer, 'slow');
          assert.match(checked.data.summary, /; health: slow: no answer within 1(\.0)? s\.$/);
          const patient = await cli<CheckData>(
            ['check', '--port', String(port), '--host', '127.0.0.1', '--health-timeout', '10'],
            stateDir,
          );
          assert.equal(patient.data.owners[0]?.dashboard?.healthStatus, c.status);
          assert.match(patient.data.summary, new RegExp(`; health: ${escape(c.shown)}\\.$`));
        }

        // The scheduled task's re-run (same state directory: the lock is held by the first start).
        const rerun = await cli<StartData>(
          ['start', '--port', String(port), '--host', '127.0.0.1', '--project-dir', fixtureProjectDir],
          stateDir,
        );
        assert.equal(rerun.data.outcome, 'already-running');
        assert.equal(rerun.code, c.reusable ? 0 : 10, rerun.data.summary);
        assert.match(
          rerun.data.summary,
          new RegExp(`; health: ${escape(c.shown)}\\. Nothing was started\\.$`),
        );

        // Another start that finds it on the port (another state directory): reuse, or a conflict for "error".
        const other = await cli<StartData>(
          ['start', '--port', String(port), '--host', '127.0.0.1', '--project-dir', fixtureProjectDir],
          makeStateDir(),
        );
        if (c.reusable) {
          assert.equal(other.code, 0, other.data.summary);
          assert.equal(other.data.outcome, 'reused');
          assert.equal(other.data.health, c.status);
          assert.match(
            other.data.summary,
            new RegExp(
              `; health: ${escape(c.shown)}\\. Open http://127\\.0\\.0\\.1:${port}/\\. Nothing was started\\.$`,
            ),
          );
        } else {
          assert.equal(other.code, 1, other.data.summary);
          assert.equal(other.data.outcome, 'conflict');
          assert.match(
            other.data.summary,
            /its health says "error" \(its own health check failed\), so it is not reused/,
          );
        }
        assert.deepEqual(
          markedDashboards(port).map((d) => d.pid),
          [pid],
          'no second dashboard was started',
        );

        // status: the health with its issues, and the documented exit code.
        const status = await cli<StatusData>(['status', '--port', String(port)], stateDir);
        assert.equal(status.code, c.statusExit, status.data.summary);
        assert.equal(status.data.live.state, 'running');
        assert.equal(status.data.live.health, c.status);
        assert.equal(status.data.live.healthReport?.answer, 'answered');
        assert.match(status.data.summary, new RegExp(`; health: ${escape(c.shown)}\\.$`));
        if (c.status === 'warning')
          assert.deepEqual(status.data.live.healthReport?.issues, ['no_cameras_online']);
      });
    }
  },
);

describe('what the launched dashboard is told', { skip: !linux && 'needs /proc (Linux)' }, () => {
  it('requested port, actual port, the status record and the resolution; the docs example reads them', async () => {
    const port = await pickPort(2);
    const stateDir = makeStateDir();
    track(await startForeignHolder(port));
    const run = start(port, stateDir, ['--on-conflict', 'next']);
    const ready = await run.waitForLine(READY_LINE, { stream: 'stderr' });
    const pid = Number(ready[2]);
    const environ = environOf(pid);
    const actual = Number(environ.get('TAPO_DASHBOARD_PORT'));
    assert.ok(actual > port, `moved above ${port}: ${actual}`);
    assert.equal(environ.get('TAPO_DASHBOARD_REQUESTED_PORT'), String(port));
    assert.equal(environ.get('TAPO_DASHBOARD_CONFLICT'), 'next');
    assert.equal(environ.get('TAPO_DASHBOARD_STATUS_FILE'), path.join(stateDir, `dashboard-${port}.json`));
    assert.equal(readRecord(stateDir, port)?.conflict?.resolution, 'next');

    // docs/start.md's Python example, run as the dashboard would, with the dashboard's environment.
    const example = pythonExample();
    const said = execFileSync('python3', ['-c', example], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(environ) },
      encoding: 'utf8',
    });
    assert.match(
      said,
      new RegExp(
        `^Port ${port} was in use; the dashboard runs on ${actual}\\. Port ${port} on 127\\.0\\.0\\.1 is in use: `,
      ),
    );
    assert.doesNotMatch(said, /None/);
  });

  it('a free port: both ports alike, conflict "none", and the example says nothing', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const run = start(port, stateDir);
    const pid = Number((await run.waitForLine(READY_LINE, { stream: 'stderr' }))[2]);
    const environ = environOf(pid);
    assert.equal(environ.get('TAPO_DASHBOARD_PORT'), String(port));
    assert.equal(environ.get('TAPO_DASHBOARD_REQUESTED_PORT'), String(port));
    assert.equal(environ.get('TAPO_DASHBOARD_CONFLICT'), 'none');
    const said = execFileSync('python3', ['-c', pythonExample()], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(environ) },
      encoding: 'utf8',
    });
    assert.equal(said, 'None\n');
  });
});

describe(
  'the project dependency check before the port check',
  { skip: !linux && 'needs /proc (Linux)' },
  () => {
    const projects: string[] = [];
    after(() => {
      for (const dir of projects) rmSync(dir, { recursive: true, force: true });
    });
    /** A dashboard checkout with the fake dashboard package and the given check script. */
    function project(script: 'failing' | 'passing' | null, where: 'root' | 'scripts' = 'root'): string {
      const dir = mkdtempSync(path.join(tmpdir(), 'tapo project \u00e9 '));
      projects.push(dir);
      symlinkSync(path.join(fixtureProjectDir, 'tapo_camera_mcp'), path.join(dir, 'tapo_camera_mcp'));
      if (script !== null) {
        const target = where === 'root' ? dir : path.join(dir, 'scripts');
        mkdirSync(target, { recursive: true });
        cpSync(
          path.join(repoRoot, 'test', 'fixtures', 'dependency-check', `validate_dependencies.${script}.py`),
          path.join(target, 'validate_dependencies.py'),
        );
      }
      return dir;
    }

    it('failing: its own output, then one error line, exit 3, nothing launched, the record says why', async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const dir = project('failing');
      const run = startTapo(['start', '--port', String(port), '--host', '127.0.0.1', '--project-dir', dir], {
        stateDir,
      });
      const exit = await run.waitForExit();
      assert.equal(exit.code, 3, outputOf(run));
      assert.match(run.stdout, /Fix: pip install fastapi/);
      assert.match(run.stdout, /\u{1F6A8} Server may not start!/u);
      assert.match(
        run.stderr,
        /tapo-port: the dashboard's dependency check .*validate_dependencies\.py failed \(exit 1\), so the dashboard was not started; its last words: \\u\{1F6A8\} Server may not start! Install critical dependencies first\. \(E_DEPENDENCY_MISSING\) Hint: .*--skip-dependency-check/,
      );
      assert.deepEqual(markedDashboards(port), []);
      assert.equal(readRecord(stateDir, port)?.state, 'not-started');
    });

    it('failing, with --skip-dependency-check: not run, the dashboard starts', async () => {
      const port = await pickPort();
      const run = startTapo(
        [
          'start',
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--project-dir',
          project('failing'),
          '--skip-dependency-check',
        ],
        { stateDir: makeStateDir() },
      );
      await run.waitForLine(READY_LINE, { stream: 'stderr' });
      assert.doesNotMatch(outputOf(run), /DEPENDENCY|dependenc/);
    });

    it('passing, in scripts/ (its January 2026 place): run with UTF-8 in the project folder, then the start goes on', async () => {
      const port = await pickPort();
      const dir = project('passing', 'scripts');
      const run = startTapo(['start', '--port', String(port), '--host', '127.0.0.1', '--project-dir', dir], {
        stateDir: makeStateDir(),
      });
      await run.waitForLine(READY_LINE, { stream: 'stderr' });
      assert.ok(run.stdout.includes(`encoding: utf-8; cwd: ${dir}`), outputOf(run));
      assert.match(run.stdout, /ALL DEPENDENCIES SATISFIED/);
      assert.match(run.stderr, /Checking the dashboard's dependencies: .*scripts\/validate_dependencies\.py/);
      assert.match(run.stderr, /Dependencies checked in [\d.]+ s\./);
    });

    it('no script in the project: nothing is said about dependencies', async () => {
      const port = await pickPort();
      const run = startTapo(
        ['start', '--port', String(port), '--host', '127.0.0.1', '--project-dir', project(null)],
        { stateDir: makeStateDir() },
      );
      await run.waitForLine(READY_LINE, { stream: 'stderr' });
      assert.doesNotMatch(outputOf(run), /[Dd]ependenc/);
    });
  },
);

/** A process's environment, as Linux shows it in /proc/PID/environ. */
function environOf(pid: number): Map<string, string> {
  return new Map(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const),
  );
}

/** The first ```python block of docs/start.md's "What the dashboard is told". */
function pythonExample(): string {
  const docs = readFileSync(path.join(repoRoot, 'docs', 'start.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## What the dashboard is told'));
  const match = /```python\n([\s\S]*?)```/.exec(section);
  assert.ok(match?.[1], 'docs/start.md has the Python example');
  return match[1];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
