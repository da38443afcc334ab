// Soak: 200 `tapo-port start` cycles on one loopback port (and the one above it, for `next`), each
// with a random holder appearing on the port first (none, a foreign Python listener, a healthy
// earlier dashboard, one whose health handler fails ("error": not reusable), or an earlier `tapo-port start` still running its
// dashboard) and a random policy. Every cycle's outcome is predicted from docs/start.md and
// checked against the truth: the exit code, a real connect and /api/health on the port the
// dashboard should serve, the dashboard processes that exist, whether the holder survived, the
// status record. Then what was started is ended by a signal (SIGINT or SIGTERM, its exit code
// checked) and the holder removed. Afterwards: no process carrying this run's marker, the test
// process's open file descriptors back to where they were, no lock file, no listener left.
//
// Seeded: the seed is printed; TAPO_SOAK_SEED=<seed> replays the same sequence of holders,
// policies and signals. TAPO_SOAK_CYCLES overrides the number of cycles (default 200).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import {
  canConnect,
  fetchHealth,
  fixtureProjectDir,
  isAlive,
  killAllMarked,
  listenersOn,
  lockPath,
  makeStateDir,
  markedDashboards,
  marker,
  markedProcesses,
  MARKER_NAME,
  outputOf,
  pickPort,
  readRecord,
  removeStateDirs,
  sleep,
  startEarlierDashboard,
  startForeignHolder,
  startTapo,
  waitFor,
  type ExitResult,
  type StartRun,
  READY_LINE,
} from '../support/start-runner.ts';

const CYCLES = Number(process.env.TAPO_SOAK_CYCLES ?? 200);
const SEED =
  process.env.TAPO_SOAK_SEED !== undefined
    ? Number(process.env.TAPO_SOAK_SEED) >>> 0
    : (Math.random() * 2 ** 32) >>> 0;
const HOST = '127.0.0.1';
/** Open descriptors the test process may hold above its baseline afterwards (opened lazily by Node). */
const FD_SLACK = 3;

type HolderKind = 'none' | 'foreign' | 'healthy' | 'unhealthy' | 'start';
type Policy = 'reuse' | 'fail' | 'next' | 'stop';
const HOLDER_KINDS: readonly HolderKind[] = ['none', 'foreign', 'healthy', 'unhealthy', 'start'];
const POLICIES: readonly Policy[] = ['reuse', 'fail', 'next', 'stop'];

/** mulberry32: a small, well-distributed 32-bit PRNG, so a seed replays a soak exactly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Expected {
  /** 'runs': a dashboard is launched and stays in the foreground; else the exit code of start. */
  outcome: 'runs' | number;
  /** The port a dashboard launched by this start serves (null: none launched). */
  servesOn: number | null;
  holderSurvives: boolean;
  /** The record's state after this start; 'theirs': the record stays the earlier start's. */
  recordState: 'running' | 'reused' | 'not-started' | 'theirs';
  resolution: 'next' | 'stopped' | 'reused' | 'failed' | null;
}

/** What docs/start.md says must happen, from the holder and the policy alone. */
function expectOutcome(holder: HolderKind, policy: Policy, port: number): Expected {
  const notStarted = (code: number): Expected => ({
    outcome: code,
    servesOn: null,
    holderSurvives: true,
    recordState: 'not-started',
    resolution: 'failed',
  });
  if (holder === 'none') {
    return {
      outcome: 'runs',
      servesOn: port,
      holderSurvives: true,
      recordState: 'running',
      resolution: null,
    };
  }
  if (holder === 'start') {
    // The lock: nothing is checked or started; the healthy earlier start is reported.
    return {
      outcome: policy === 'reuse' ? 0 : 10,
      servesOn: null,
      holderSurvives: true,
      recordState: 'theirs',
      resolution: null,
    };
  }
  switch (policy) {
    case 'next':
      return {
        outcome: 'runs',
        servesOn: port + 1,
        holderSurvives: true,
        recordState: 'running',
        resolution: 'next',
      };
    case 'stop':
      return {
        outcome: 'runs',
        servesOn: port,
        holderSurvives: false,
        recordState: 'running',
        resolution: 'stopped',
      };
    case 'reuse':
      return holder === 'healthy'
        ? { outcome: 0, servesOn: null, holderSurvives: true, recordState: 'reused', resolution: 'reused' }
        : notStarted(1);
    case 'fail':
      return notStarted(1);
  }
}

/** Whatever holds the port during a cycle: a process, or an earlier start with its dashboard. */
interface CycleHolder {
  /** The process that listens on the port (the dashboard, for an earlier start). */
  pid: number;
  /** For an earlier start: its launcher. */
  start: StartRun | null;
  exit: Promise<ExitResult>;
  stop(): Promise<void>;
}

async function startCycleHolder(
  kind: HolderKind,
  port: number,
  stateDir: string,
): Promise<CycleHolder | null> {
  if (kind === 'none') return null;
  if (kind === 'start') {
    const run = startTapo(
      ['start', '--port', String(port), '--host', HOST, '--project-dir', fixtureProjectDir],
      { stateDir },
    );
    try {
      const match = await run.waitForLine(READY_LINE, { stream: 'stderr' });
      return { pid: Number(match[2]), start: run, exit: run.exit, stop: () => run.killTree() };
    } catch (error) {
      await run.killTree();
      throw error;
    }
  }
  const holder =
    kind === 'foreign'
      ? await startForeignHolder(port, HOST)
      : await startEarlierDashboard(
          port,
          HOST,
          // `error` is the one health answer that is not reused (warning and critical are).
          kind === 'unhealthy' ? { FAKE_DASHBOARD_STATUS: 'error' } : {},
        );
  return { pid: holder.pid, start: null, exit: holder.exit, stop: () => holder.stop() };
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

const linux = process.platform === 'linux';

describe('start soak', { skip: !linux && 'needs /proc (Linux)' }, () => {
  after(async () => {
    await killAllMarked();
    removeStateDirs();
  });

  it(
    `${CYCLES} start cycles with random holders and policies, checked against the truth`,
    { timeout: 10 * 60_000 },
    async () => {
      console.log(
        `start soak: seed ${SEED} (TAPO_SOAK_SEED=${SEED} replays it), ${CYCLES} cycles, marker ${MARKER_NAME}=${marker}`,
      );
      const random = prng(SEED);
      const pick = <T>(items: readonly T[]): T => {
        const item = items[Math.floor(random() * items.length)];
        if (item === undefined) throw new Error('empty list');
        return item;
      };
      const port = await pickPort(1);
      const next = port + 1;
      const stateDir = makeStateDir('tapo-soak-');

      // Node opens some descriptors lazily (the SIGCHLD pipe on the first child): warm up first.
      await new Promise((resolve) => spawn('true', [], { stdio: 'ignore' }).once('exit', resolve));
      await fetchHealth(port);
      const baselineFds = openFds();
      const tally = new Map<string, number>();
      const started = performance.now();

      for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
        const holderKind = pick(HOLDER_KINDS);
        const policy = pick(POLICIES);
        const ending: NodeJS.Signals = random() < 0.75 ? 'SIGINT' : 'SIGTERM';
        const label = `cycle ${cycle}/${CYCLES} (seed ${SEED}): holder ${holderKind}, policy ${policy}, ending ${ending}`;
        tally.set(`${holderKind}/${policy}`, (tally.get(`${holderKind}/${policy}`) ?? 0) + 1);
        let holder: CycleHolder | null = null;
        let run: StartRun | null = null;
        try {
          assert.equal(listenersOn(port), 0, 'the port is free before the cycle');
          assert.equal(listenersOn(next), 0, 'the port above is free before the cycle');
          assert.equal(existsSync(lockPath(stateDir, port)), false, 'no lock before the cycle');

          holder = await startCycleHolder(holderKind, port, stateDir);
          const expected = expectOutcome(holderKind, policy, port);
          run = startTapo(
            [
              'start',
              '--port',
              String(port),
              '--host',
              HOST,
              '--on-conflict',
              policy,
              '--project-dir',
              fixtureProjectDir,
              '--stop-timeout',
              '5',
            ],
            { stateDir },
          );
          const runId = run.runId;
          const ours = (): number[] =>
            markedDashboards()
              .filter((p) => p.env.get('TAPO_TEST_RUN') === runId)
              .map((p) => p.pid);

          if (expected.outcome !== 'runs') {
            const exit = await run.waitForExit();
            assert.deepEqual(exit, { code: expected.outcome, signal: null }, 'the exit code');
            assert.deepEqual(ours(), [], 'no dashboard was launched');
            if (holder !== null && expected.outcome === 0) {
              assert.equal((await fetchHealth(port))?.status, 'healthy', 'the reused dashboard answers');
            }
            if (holder?.start) {
              assert.match(
                run.stderr,
                new RegExp(
                  `Another tapo-port start \\(PID ${holder.start.pid}\\) already runs the dashboard for port ${port}: ` +
                    `http://127\\.0\\.0\\.1:${port}/ \\(PID ${holder.pid}\\); health: healthy\\. Nothing was started\\.`,
                ),
              );
            } else if (expected.recordState === 'reused') {
              assert.match(
                run.stderr,
                new RegExp(`The dashboard already runs on port ${port} .*Nothing was started\\.`),
              );
            }
          } else {
            const servesOn = expected.servesOn ?? port;
            const match = await run.waitForLine(READY_LINE, { stream: 'stderr' });
            const pid = Number(match[2]);
            assert.equal(match[1], `http://${HOST}:${servesOn}/`, 'the reported URL');
            assert.equal(match[3], 'healthy');
            assert.equal(await canConnect(servesOn), true, 'the reported port accepts connections');
            assert.equal((await fetchHealth(servesOn))?.status, 'healthy', 'health at the reported port');
            assert.deepEqual(ours(), [pid], 'exactly one dashboard, the reported one');
            assert.ok(
              markedDashboards(servesOn).some((p) => p.pid === pid),
              'it serves the expected port',
            );
            if (servesOn !== port) {
              assert.match(
                run.stderr,
                new RegExp(
                  `PORT CHANGED: port ${port} is held by .*; the dashboard starts on port ${next} instead\\.`,
                ),
              );
              assert.equal(await canConnect(port), true, 'the holder still listens on the requested port');
            }
            if (expected.resolution === 'stopped') {
              assert.ok(holder, 'a holder was there to stop');
              const holderExit = await Promise.race([holder.exit, sleep(10_000).then(() => null)]);
              assert.deepEqual(
                holderExit,
                { code: null, signal: 'SIGTERM' },
                'the holder was stopped gracefully',
              );
            }
          }

          if (holder !== null) {
            assert.equal(isAlive(holder.pid), expected.holderSurvives, 'the holder survives or not');
          }
          const record = readRecord(stateDir, port);
          assert.ok(record, 'a record exists');
          if (expected.recordState === 'theirs') {
            assert.equal(record.launcher.pid, holder?.start?.pid, "the record is still the earlier start's");
            assert.equal(record.state, 'running');
            assert.equal(record.dashboard?.pid, holder?.pid);
          } else {
            assert.equal(record.launcher.pid, run.pid, "the record is this start's");
            assert.equal(record.state, expected.recordState);
            assert.equal(record.policy, policy);
            assert.equal(record.port, expected.servesOn ?? (expected.recordState === 'reused' ? port : null));
            assert.equal(record.conflict?.resolution ?? null, expected.resolution);
            if (holder !== null && expected.resolution !== null) {
              assert.deepEqual(
                record.conflict?.owners.map((o) => o.pid),
                [holder.pid],
                'the holder is named',
              );
            }
          }

          if (expected.outcome === 'runs') {
            assert.ok(record.dashboard && expected.servesOn !== null, 'the record names the dashboard');
            const dashboardPid = record.dashboard.pid;
            run.sendSignal(ending);
            const exit = await run.waitForExit();
            const code = ending === 'SIGINT' ? 0 : 143;
            assert.deepEqual(exit, { code, signal: null }, 'the exit code after the signal');
            const after = readRecord(stateDir, port);
            assert.equal(after?.state, 'exited');
            assert.equal(after?.exitCode, code);
            assert.equal(isAlive(dashboardPid), false, 'the dashboard is gone');
            assert.equal(listenersOn(expected.servesOn), 0, 'nothing listens where the dashboard was');
            assert.equal(existsSync(lockPath(stateDir, port)), false, 'the lock is released');
          }
          if (holder?.start) {
            // The earlier start still owns the lock; ended by Ctrl+C, it releases it.
            holder.start.sendSignal('SIGINT');
            assert.deepEqual(
              await holder.start.waitForExit(),
              { code: 0, signal: null },
              'the earlier start ends',
            );
          }
          assert.equal(existsSync(lockPath(stateDir, port)), false, 'the lock is released');
        } catch (error) {
          const detail = [run, holder?.start]
            .filter((r): r is StartRun => r !== null && r !== undefined)
            .map((r) => `\n[tapo-port PID ${r.pid}]\n${outputOf(r)}`)
            .join('');
          throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}${detail}`, {
            cause: error,
          });
        } finally {
          await run?.killTree();
          await holder?.stop();
        }
        // Nothing of this cycle outlives it: no process, no listener.
        await waitFor(
          `cycle ${cycle}: marked processes gone`,
          () => markedProcesses().length === 0,
          10_000,
        ).catch(() => {
          const left = markedProcesses().map((p) => `${p.pid} ${p.cmdline}`);
          throw new Error(`${label}: left processes behind: ${left.join('; ')}`);
        });
        await waitFor(
          `cycle ${cycle}: no listener`,
          () => listenersOn(port) + listenersOn(next) === 0,
          5000,
        ).catch(() => {
          throw new Error(`${label}: a listener is left on ${port} or ${next}`);
        });
      }

      const elapsed = (performance.now() - started) / 1000;
      console.log(
        `start soak: ${CYCLES} cycles in ${elapsed.toFixed(1)} s, ${((elapsed / CYCLES) * 1000).toFixed(0)} ms per cycle; ` +
          [...tally.entries()]
            .sort()
            .map(([key, count]) => `${key} ${count}`)
            .join(', '),
      );

      assert.deepEqual(
        markedProcesses().map((p) => `${p.pid} ${p.cmdline}`),
        [],
        'no process carries the marker',
      );
      const fds = openFds();
      assert.ok(fds <= baselineFds + FD_SLACK, `open descriptors: ${fds}, baseline ${baselineFds}`);
      const locks = readdirSync(stateDir).filter(
        (name) => name.endsWith('.lock') || name.endsWith('.recover'),
      );
      assert.deepEqual(locks, [], 'no lock or guard file is left');
      assert.equal(listenersOn(port), 0);
      assert.equal(listenersOn(next), 0);
    },
  );
});
