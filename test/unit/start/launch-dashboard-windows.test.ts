// launchDashboard's Windows path with a fake job keeper (the real one needs Windows): a real
// child process here, the platform passed in as an option (process.platform is not patched).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { launchDashboard } from '../../../src/start/launch-dashboard.ts';
import type { JobKeeperProcess } from '../../../src/start/windows-job-control.ts';
import type { JobKeeperRequest } from '../../../src/start/windows-job-keeper.ts';

const sink = (): NodeJS.WritableStream => new Writable({ write: (_chunk, _encoding, done) => done() });
const idle = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];

interface FakeKeeper {
  requests: JobKeeperRequest[];
  events: string[];
  start(request: JobKeeperRequest): JobKeeperProcess;
  print(line: string): void;
  exit(code: number | null): void;
  /** What the fake does on `kill` (the real one ends the job). */
  onKill: () => void;
}

function fakeKeeper(): FakeKeeper {
  let line: (line: string) => void = () => undefined;
  let exit: (code: number | null) => void = () => undefined;
  const fake: FakeKeeper = {
    requests: [],
    events: [],
    onKill: () => undefined,
    start: (request) => {
      fake.requests.push(request);
      return {
        onLine: (listener) => (line = listener),
        onExit: (listener) => (exit = listener),
        send: (command) => {
          fake.events.push(command);
          if (command === 'kill') fake.onKill();
        },
        end: () => fake.events.push('end'),
      };
    },
    print: (text) => line(text),
    exit: (code) => exit(code),
  };
  return fake;
}

const launch = (platform: NodeJS.Platform, keeper: FakeKeeper, warnings: string[] = []) =>
  launchDashboard({
    argv: idle,
    cwd: process.cwd(),
    env: {},
    platform,
    stdout: sink(),
    stderr: sink(),
    onLine: () => undefined,
    startJobKeeper: (request) => keeper.start(request),
    onWarning: (line) => warnings.push(line),
  });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('launchDashboard on Windows: the tree is held by the job keeper', () => {
  it('starts the keeper for the dashboard; ask sends close, kill sends kill; its exit releases the keeper', async () => {
    const keeper = fakeKeeper();
    const before = Date.now();
    const dashboard = await launch('win32', keeper);
    assert.equal(keeper.requests.length, 1);
    const [request] = keeper.requests;
    assert.equal(request?.dashboardPid, dashboard.pid);
    assert.equal(request?.launcherPid, process.pid);
    assert.ok(before <= (request?.spawnedAfterMs ?? 0));
    assert.ok((request?.spawnedAfterMs ?? 0) <= (request?.spawnedBeforeMs ?? 0));
    keeper.print('ready 1 0');

    dashboard.terminate('ask');
    assert.deepEqual(keeper.events, ['close']);
    assert.ok(isAlive(dashboard.pid), 'ask is passed to the keeper, not done by TerminateProcess');

    keeper.onKill = () => {
      keeper.onKill = () => undefined;
      process.kill(dashboard.pid, 'SIGKILL');
    };
    dashboard.terminate('kill');
    const exit = await dashboard.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.deepEqual(
      keeper.events,
      ['close', 'kill', 'kill', 'end'],
      'after its exit: kill what is left, then EOF',
    );
  });

  it('a dashboard that exits on its own: kill and end of stdin go to the keeper', async () => {
    const keeper = fakeKeeper();
    const dashboard = await launchDashboard({
      argv: [process.execPath, '-e', 'setTimeout(() => process.exit(3), 100)'],
      cwd: process.cwd(),
      env: {},
      platform: 'win32',
      stdout: sink(),
      stderr: sink(),
      onLine: () => undefined,
      startJobKeeper: (request) => keeper.start(request),
    });
    keeper.print('ready 1 0');
    assert.equal((await dashboard.exited).code, 3);
    assert.deepEqual(keeper.events, ['kill', 'end']);
  });

  it('keeper failed: one warning, and terminate falls back to ending the dashboard process', async () => {
    const keeper = fakeKeeper();
    const warnings: string[] = [];
    const dashboard = await launch('win32', keeper, warnings);
    keeper.exit(11);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /no longer belonged to the dashboard/);
    dashboard.terminate('ask');
    const exit = await dashboard.exited;
    assert.notEqual(exit.signal, null, 'ended by child.kill');
    assert.deepEqual(keeper.events, ['end'], 'nothing is sent to a keeper that failed');
  });
});

describe('launchDashboard on Linux and macOS: unchanged', () => {
  it('never starts a keeper; ask is SIGTERM to its process group', async () => {
    const keeper = fakeKeeper();
    const warnings: string[] = [];
    const dashboard = await launch('linux', keeper, warnings);
    dashboard.terminate('ask');
    const exit = await dashboard.exited;
    assert.equal(exit.signal, 'SIGTERM');
    assert.deepEqual(keeper.requests, []);
    assert.deepEqual(keeper.events, []);
    assert.deepEqual(warnings, []);
  });
});
