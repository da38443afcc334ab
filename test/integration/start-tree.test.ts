// `tapo-port start` ends the dashboard's whole process tree, not only the process it launched: a
// launcher whose child holds the port (a Windows venv's python.exe, uvicorn --reload) must leave
// nothing on the port after start exits. On Linux and macOS the dashboard leads its own process
// group; on Windows a job object holds the tree (windows-job-keeper.ts), which the Windows CI job
// runs with this same fixture.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  isAlive,
  listenersOn,
  makeStateDir,
  outputOf,
  pickPort,
  useStartFixtures,
} from '../support/start-runner.ts';

const linux = process.platform === 'linux';
const launcher = path.join(import.meta.dirname, '..', 'fixtures', 'holders', 'launcher_with_grandchild.py');
const { start } = useStartFixtures();

function launchedPids(stdout: string): { launcher: number; child: number } | null {
  const match = /launcher (\d+) child (\d+)/.exec(stdout);
  return match === null ? null : { launcher: Number(match[1]), child: Number(match[2]) };
}

describe(
  'tapo-port start: nothing of the tree keeps the port',
  { skip: !linux && 'needs /proc (Linux)' },
  () => {
    it('readiness timeout with a launcher whose child holds the port: both are gone, the port is free', async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const run = start(port, stateDir, [
        '--ready-timeout',
        '2',
        '--health-timeout',
        '1',
        '--',
        'python3',
        launcher,
        '--port',
        '{port}',
      ]);
      assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
      const pids = launchedPids(run.stdout);
      assert.ok(pids, `the launcher said which child holds the port: ${outputOf(run)}`);
      assert.equal(isAlive(pids.launcher), false, 'the launcher is gone');
      assert.equal(isAlive(pids.child), false, 'the child that held the port is gone');
      assert.equal(listenersOn(port), 0);
    });

    it('a launcher that exits and leaves its child holding the port: the child goes with it', async () => {
      const port = await pickPort();
      const stateDir = makeStateDir();
      const run = start(port, stateDir, [
        '--ready-timeout',
        '5',
        '--',
        'python3',
        launcher,
        '--port',
        '{port}',
        '--orphan',
      ]);
      assert.deepEqual(await run.waitForExit(), { code: 11, signal: null }, outputOf(run));
      const pids = launchedPids(run.stdout);
      assert.ok(pids, `the launcher said which child holds the port: ${outputOf(run)}`);
      assert.equal(isAlive(pids.child), false, 'the orphaned child is gone');
      assert.equal(listenersOn(port), 0);
    });
  },
);
