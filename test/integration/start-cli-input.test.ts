// `tapo-port start` refusing what it cannot run, before anything is started: bad options (exit 2,
// one line on stderr, no stack), nothing after `--` (exit 2), a project without the dashboard
// module (exit 3 with the install command), a project folder that does not exist (exit 2).
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import {
  fixtureProjectDir,
  killAllMarked,
  listenersOn,
  makeStateDir,
  markedProcesses,
  outputOf,
  pickPort,
  readRecord,
  removeStateDirs,
  startTapo,
  type StartRun,
} from '../support/start-runner.ts';

const runs: StartRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.killTree()));
  await killAllMarked();
});
after(async () => {
  await killAllMarked();
  removeStateDirs();
});

async function runStart(
  args: string[],
  stateDir: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startTapo(['start', ...args], { stateDir });
  runs.push(run);
  const exit = await run.waitForExit();
  assert.equal(exit.signal, null, outputOf(run));
  return { code: exit.code, stdout: run.stdout, stderr: run.stderr };
}

/** Exit 2, exactly one line on stderr naming the problem, no stack, nothing started or listening. */
async function assertUsageError(args: string[], problem: RegExp): Promise<void> {
  const port = await pickPort();
  const stateDir = makeStateDir();
  const result = await runStart(
    ['--port', String(port), '--host', '127.0.0.1', '--project-dir', fixtureProjectDir, ...args],
    stateDir,
  );
  assert.equal(result.code, 2, `${args.join(' ')}\n${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n');
  assert.equal(lines.pop(), '');
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  const line = lines[0] ?? '';
  assert.match(line, /^tapo-port: .*\(E_USAGE\) Hint: /);
  assert.match(line, problem);
  assert.doesNotMatch(result.stderr, /\bat .*\.(c?js|ts):\d+/, 'no stack trace');
  assert.equal(readRecord(stateDir, port), null, 'a usage error starts nothing and records nothing');
  assert.equal(listenersOn(port), 0);
  assert.deepEqual(
    markedProcesses().filter((p) => /tapo_camera_mcp/.test(p.cmdline)),
    [],
  );
}

describe('tapo-port start: input it refuses', () => {
  it('--on-conflict bogus: exit 2', () =>
    assertUsageError(['--on-conflict', 'bogus'], /invalid --on-conflict "bogus"/));
  it('--ready-timeout 0: exit 2', () =>
    assertUsageError(['--ready-timeout', '0'], /invalid --ready-timeout "0"/));
  it('--ready-timeout 1.5: exit 2', () =>
    assertUsageError(['--ready-timeout', '1.5'], /invalid --ready-timeout "1\.5"/));
  it("--health-url 'ftp://x': exit 2", () =>
    assertUsageError(['--health-url', 'ftp://x'], /invalid --health-url "ftp:\/\/x": only http URLs/));
  it("--health-url 'https://127.0.0.1:{port}/api/health': exit 2 (the dashboard serves http)", () =>
    assertUsageError(['--health-url', 'https://127.0.0.1:{port}/api/health'], /only http URLs/));
  it('--health-url with a space: exit 2', () =>
    assertUsageError(['--health-url', '/api/ health'], /invalid --health-url/));
  it('--on-conflict given twice: exit 2', () =>
    assertUsageError(['--on-conflict', 'next', '--on-conflict', 'fail'], /--on-conflict was given 2 times/));

  // Regression: yargs leaves argv['--'] undefined when nothing follows `--`; the default
  // dashboard command must not be started in its place.
  it('nothing after --: exit 2 (not the default command)', () =>
    assertUsageError(['--'], /nothing after --/));

  it('--json with a usage error: one Error document on stdout, the line on stderr', async () => {
    const stateDir = makeStateDir();
    const result = await runStart(['--port', '7777', '--ready-timeout', 'soon', '--json'], stateDir);
    assert.equal(result.code, 2);
    const doc = JSON.parse(result.stdout) as { kind: string; ok: boolean; error: { code: string } };
    assert.equal(doc.kind, 'Error');
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'E_USAGE');
    assert.equal(result.stderr.split('\n').length, 2);
  });

  it('a project folder without the dashboard module: exit 3 with the install command, no traceback', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const empty = makeStateDir('tapo-empty-project-');
    const result = await runStart(
      ['--port', String(port), '--host', '127.0.0.1', '--project-dir', empty],
      stateDir,
    );
    assert.equal(result.code, 3, result.stderr);
    const lines = result.stderr.trimEnd().split('\n');
    const last = lines[lines.length - 1] ?? '';
    assert.match(last, /cannot find the module tapo_camera_mcp/);
    assert.match(last, /\(E_DEPENDENCY_MISSING\) Hint: /);
    assert.ok(
      last.includes(`in ${empty}: python3 -m venv venv && ./venv/bin/python -m pip install -e .`),
      last,
    );
    assert.doesNotMatch(result.stderr, /Traceback|ModuleNotFoundError/);
    const record = readRecord(stateDir, port);
    assert.equal(record?.state, 'not-started');
    assert.equal(record?.dashboard, null);
    assert.match(record?.message ?? '', /cannot find the module tapo_camera_mcp/);
    assert.equal(listenersOn(port), 0);
  });

  it('a project folder that does not exist: exit 2', async () => {
    const port = await pickPort();
    const stateDir = makeStateDir();
    const result = await runStart(
      ['--port', String(port), '--host', '127.0.0.1', '--project-dir', '/nonexistent/tapo-project'],
      stateDir,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /the project directory "\/nonexistent\/tapo-project" does not exist \(E_USAGE\)/,
    );
  });
});
