// The start part of `npm run bench`: `tapo-port start` with the fake dashboard on loopback. Time to
// ready on a free port (against running the dashboard directly), the idempotent re-run on a healthy
// dashboard (against `node -e 0` and `check`), a conflict explained (against `check`) and
// `--on-conflict next` (against a start on a free port). All runs interleave in the same rounds.
// See bench/README.md.
//
// Every process this part starts carries TAPO_BENCH_START_TAG=<random> in its environment, and so
// do the dashboards tapo-port launches (they inherit it): after every run, any tagged process that
// is not part of the setup is reported and killed (its process group when it leads one), and at the
// end every tagged process is stopped, whatever happened.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { listeningPortsBetween } from './find-port.mjs';
import { runOnce, runRounds } from './measure.mjs';
import { pickPort, procListeners, startChild, stopChildren, waitForLine } from './scenario.mjs';
import {
  START_TOOLS,
  formatStartTables,
  scenarioSummaries,
  startCorrect,
  summarizeStartRows,
} from './start-verdicts.mjs';

const HOST = '127.0.0.1';
const TAG_VAR = 'TAPO_BENCH_START_TAG';
/** How often the bench asks /api/health (and reads the status record) while it waits. */
const POLL_MS = 5;
const READY_TIMEOUT_MS = 30000;
const EXIT_AFTER_SIGINT_MS = 15000;
const SETUP_TIMEOUT_MS = 30000;

/** What `abortStartPart` must clean up when the benchmark is interrupted mid-part. */
const active = { tag: null, stateDirs: new Set() };

/**
 * For the benchmark's SIGINT/SIGTERM handler (which exits without reaching the part's `finally`):
 * kills every tagged process still alive and removes the temporary state directories.
 */
export function abortStartPart() {
  if (active.tag !== null) killProcesses(taggedProcesses(active.tag), 'SIGKILL');
  for (const dir of active.stateDirs) rmSync(dir, { recursive: true, force: true });
  active.stateDirs.clear();
}

function makeStateDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tapo-bench-state-'));
  active.stateDirs.add(dir);
  return dir;
}

function removeStateDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  active.stateDirs.delete(dir);
}

/**
 * Runs the whole part. Setup (the dashboards and the holder that stay up for the whole part) and
 * every tagged process are stopped in a `finally`.
 */
export async function runStartPart({ root, python, nodePath, cliPath, config, dockerEnv, log }) {
  const fixtureDir = path.join(root, 'test', 'fixtures', 'fake-dashboard');
  const holderScript = path.join(root, 'test', 'fixtures', 'holders', 'hold_port.py');
  const tag = randomBytes(8).toString('hex');
  active.tag = tag;
  const pythonDir = path.dirname(python);
  const realPython3 = existsSync(path.join(pythonDir, 'python3'));
  const env = childEnv({ dockerEnv, tag, pythonDir: realPython3 ? pythonDir : null });
  const ports = await pickStartPorts(config.basePort);
  log(
    `start: ports ${ports.free} (free), ${ports.reuse} and ${ports.reuseLocked} (a dashboard), ` +
      `${ports.conflict} (a foreign holder; ${ports.conflict + 1} free for next)`,
  );

  const setup = { children: [], pids: new Map() };
  const ctx = { root, fixtureDir, nodePath, cliPath, env, tag, ports, setup };
  try {
    await startSetup(ctx, { python, holderScript, log });
    const tools = START_TOOLS.map((tool) => ({ ...tool, run: runnerFor(tool.id, ctx) }));
    const total = config.warmup + config.rounds;
    const results = await runRounds({
      tools,
      rounds: config.rounds,
      warmup: config.warmup,
      expected: null,
      cwd: root,
      onRound: (round) =>
        log(`start: round ${round + 1}/${total}${round < config.warmup ? ' (warm-up)' : ''}`),
    });
    const rows = summarizeStartRows(tools, results);
    return {
      host: HOST,
      ports,
      pollMs: POLL_MS,
      python: {
        interpreter: python,
        pathPrefix: realPython3 ? pythonDir : null,
        launchedByTapoPort: setup.launchedCommand,
      },
      dockerHost: dockerEnv.DOCKER_HOST ?? null,
      setup: Object.fromEntries(setup.pids),
      rows,
      scenarios: scenarioSummaries(rows),
      correct: startCorrect(rows),
    };
  } finally {
    await stopChildren(setup.children);
    const left = taggedProcesses(tag);
    if (left.length > 0) {
      log(`start: killing ${left.length} leftover process(es): ${left.map((p) => p.pid).join(', ')}`);
      killProcesses(left, 'SIGKILL');
    }
    if (setup.lockedStateDir) removeStateDir(setup.lockedStateDir);
    active.tag = null;
  }
}

/** The environment of every child: tagged, one python3 for everyone, nothing that steers start. */
function childEnv({ dockerEnv, tag, pythonDir }) {
  const steers = (name) =>
    name.startsWith('FAKE_DASHBOARD_') || name.startsWith('TAPO_') || name === 'VIRTUAL_ENV';
  const env = Object.fromEntries(Object.entries(dockerEnv).filter(([name]) => !steers(name)));
  env[TAG_VAR] = tag;
  // The dashboard and the peer find the same real interpreter first on PATH, not a pyenv-style
  // shim (a venv's python is a real interpreter too).
  if (pythonDir) env.PATH = `${pythonDir}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

/** Four distinct ports free for TCP and UDP from `base` up, the conflict port's next one free too. */
async function pickStartPorts(base) {
  const free = await pickPort(base);
  const reuse = await pickPort(free + 1);
  const reuseLocked = await pickPort(reuse + 1);
  let conflict = await pickPort(reuseLocked + 1);
  while ((await pickPort(conflict + 1)) !== conflict + 1) conflict = await pickPort(conflict + 2);
  return { free, reuse, reuseLocked, conflict };
}

/**
 * What stays up for the whole part: a dashboard started directly (for `reuse`), a dashboard under
 * a `tapo-port start` that keeps its lock (for the locked re-run), and a foreign holder.
 */
async function startSetup(ctx, { python, holderScript, log }) {
  const { setup, ports, env } = ctx;
  const spawnSetup = (command, args, options) => {
    const child = startChild(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      ...options,
    });
    setup.children.push(child);
    return child;
  };

  const dashboard = spawnSetup('python3', dashboardArgs(ports.reuse), { cwd: ctx.fixtureDir, env });
  const dashboardOutput = capture(dashboard);
  await waitUntilHealthy(dashboard, ports.reuse, () => dashboardOutput.text());
  setup.pids.set('reuseDashboard', dashboard.pid);

  const lockedStateDir = makeStateDir();
  setup.lockedStateDir = lockedStateDir;
  const launcher = spawnSetup(ctx.nodePath, startArgs(ctx, ports.reuseLocked), {
    cwd: ctx.root,
    env: { ...env, TAPO_STATE_DIR: lockedStateDir },
  });
  const launcherOutput = capture(launcher);
  await waitUntilHealthy(launcher, ports.reuseLocked, () => launcherOutput.text());
  const record = await waitForRecordState(
    () => readRecord(lockedStateDir, ports.reuseLocked),
    'running',
    SETUP_TIMEOUT_MS,
  );
  if (record?.state !== 'running' || !record.dashboard) {
    throw new Error(`start: the locked setup's record never said running: ${JSON.stringify(record)}`);
  }
  setup.launchedCommand = record.dashboard.command;
  setup.pids.set('lockedLauncher', launcher.pid);
  setup.pids.set('lockedDashboard', record.dashboard.pid);

  const holder = spawnSetup(python, [holderScript, '--host', HOST, '--port', String(ports.conflict)], {
    env,
  });
  await waitForLine(holder, /^ready \d+/, `foreign holder on ${ports.conflict}`);
  setup.pids.set('conflictHolder', holder.pid);
  log(
    `start: setup ready: dashboard PID ${dashboard.pid} on ${ports.reuse}; tapo-port start PID ${launcher.pid} ` +
      `with dashboard PID ${record.dashboard.pid} on ${ports.reuseLocked}; holder PID ${holder.pid} on ${ports.conflict}; ` +
      `tapo-port launches: ${record.dashboard.command.join(' ')}`,
  );
}

function dashboardArgs(port) {
  return ['-m', 'tapo_camera_mcp.web', '--host', HOST, '--port', String(port)];
}

function startArgs(ctx, port, extra = []) {
  return [
    ctx.cliPath,
    'start',
    '--project-dir',
    ctx.fixtureDir,
    '--host',
    HOST,
    '--port',
    String(port),
    ...extra,
  ];
}

/** The `run` of each tool: what is spawned, what is waited for, what is gathered for the verdict. */
function runnerFor(id, ctx) {
  const { ports, setup, env } = ctx;
  const pid = (name) => setup.pids.get(name);
  switch (id) {
    case 'ready-start':
      return () =>
        withStateDir(ctx, (stateDir) =>
          runUntilReady(ctx, {
            command: ctx.nodePath,
            args: startArgs(ctx, ports.free),
            cwd: ctx.root,
            env: { ...env, TAPO_STATE_DIR: stateDir },
            portOf: () => ports.free,
            record: () => readRecord(stateDir, ports.free),
          }),
        );
    case 'ready-python':
      return () =>
        runUntilReady(ctx, {
          command: 'python3',
          args: dashboardArgs(ports.free),
          cwd: ctx.fixtureDir,
          env,
          portOf: () => ports.free,
          record: null,
        });
    case 'node-e-0':
      return () => runToExit(ctx, { command: ctx.nodePath, args: ['-e', '0'] });
    case 'reuse-check':
    case 'conflict-check': {
      const port = id === 'reuse-check' ? ports.reuse : ports.conflict;
      const holder = id === 'reuse-check' ? 'reuseDashboard' : 'conflictHolder';
      return async () => {
        const run = await runToExit(ctx, {
          command: ctx.nodePath,
          args: [ctx.cliPath, 'check', '--port', String(port), '--host', HOST, '--json'],
        });
        run.facts.expectedHolderPid = pid(holder);
        return run;
      };
    }
    case 'reuse-start':
    case 'reuse-start-locked': {
      const locked = id === 'reuse-start-locked';
      const port = locked ? ports.reuseLocked : ports.reuse;
      return async () => {
        const go = async (stateDir) => {
          const run = await runToExit(ctx, {
            command: ctx.nodePath,
            args: startArgs(ctx, port, ['--json']),
            env: { ...env, TAPO_STATE_DIR: stateDir },
          });
          Object.assign(run.facts, {
            expectedOutcome: locked ? 'already-running' : 'reused',
            expectedDashboardPid: pid(locked ? 'lockedDashboard' : 'reuseDashboard'),
            listenerPids: listenerPids(port),
            dashboardCount: dashboardsOn(ctx.tag, port).length,
          });
          return run;
        };
        return locked ? go(setup.lockedStateDir) : withStateDir(ctx, go);
      };
    }
    case 'conflict-start':
      return () =>
        withStateDir(ctx, async (stateDir) => {
          const run = await runToExit(ctx, {
            command: ctx.nodePath,
            args: startArgs(ctx, ports.conflict, ['--on-conflict', 'fail', '--json']),
            env: { ...env, TAPO_STATE_DIR: stateDir },
          });
          Object.assign(run.facts, {
            expectedHolderPid: pid('conflictHolder'),
            record: readRecord(stateDir, ports.conflict),
          });
          return run;
        });
    case 'next-start':
      return () =>
        withStateDir(ctx, async (stateDir) => {
          const expectedPort = firstUnlistenedAbove(ports.conflict);
          const run = await runUntilReady(ctx, {
            command: ctx.nodePath,
            args: startArgs(ctx, ports.conflict, ['--on-conflict', 'next']),
            cwd: ctx.root,
            env: { ...env, TAPO_STATE_DIR: stateDir },
            // The port is only known once the record names it.
            portOf: () => readRecord(stateDir, ports.conflict)?.port ?? null,
            record: () => readRecord(stateDir, ports.conflict),
          });
          Object.assign(run.facts, {
            expectedPort,
            requestedPort: ports.conflict,
            expectedHolderPid: pid('conflictHolder'),
          });
          return run;
        });
    default:
      throw new Error(`start: no runner for ${id}`);
  }
}

/** A fresh TAPO_STATE_DIR for one run, removed after it. */
async function withStateDir(ctx, fn) {
  const dir = makeStateDir();
  try {
    return await fn(dir);
  } finally {
    removeStateDir(dir);
  }
}

/** Spawn until exit (stdout drained), timed by measure.mjs's runOnce; then the leftovers check. */
async function runToExit(ctx, { command, args, env = ctx.env }) {
  const run = await runOnce({ command, args, env, detached: true }, ctx.root);
  run.facts = afterRun(ctx);
  return run;
}

/**
 * Spawn until GET /api/health on `portOf()` answers 200, polled every POLL_MS from here; that is
 * the time. Then, not timed: what answered, the status record, SIGINT and the exit code.
 */
async function runUntilReady(ctx, { command, args, cwd, env, portOf, record }) {
  const facts = {};
  const result = { ms: NaN, code: null, stdout: '', stderr: '', timedOut: false, facts };
  const started = performance.now();
  const child = startChild(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  facts.childPid = child.pid;
  const output = capture(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
    child.once('error', (error) => {
      facts.spawnError = error.message;
      resolve(null);
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null && !facts.spawnError;
  try {
    let answer = null;
    for (;;) {
      if (!alive()) {
        if (!facts.spawnError) facts.earlyExit = child.signalCode ?? child.exitCode;
        break;
      }
      if (performance.now() - started > READY_TIMEOUT_MS) {
        facts.notReady = `no 200 from /api/health on ${facts.port ?? 'any port'} within ${READY_TIMEOUT_MS} ms`;
        break;
      }
      // When tapo-port launched the dashboard: the record names it from then on.
      if (record && facts.launchedMs === undefined && record()?.dashboard?.pid !== undefined) {
        facts.launchedMs = performance.now() - started;
      }
      facts.port ??= portOf();
      if (facts.port !== null) {
        answer = await getHealth(facts.port);
        if (answer?.statusCode === 200) {
          result.ms = performance.now() - started;
          break;
        }
      }
      await sleep(POLL_MS);
    }
    if (Number.isFinite(result.ms)) {
      facts.healthStatus = parseStatus(answer.body);
      facts.listenerPids = listenerPids(facts.port);
      if (record) {
        facts.record = record();
        // tapo-port's own readiness poll is slower than ours: when did it notice?
        const running = await waitForRecordState(record, 'running', 5000);
        facts.recordRunningMs = running?.state === 'running' ? performance.now() - started : null;
        facts.record = running ?? facts.record;
      }
    }
    if (alive()) {
      child.kill('SIGINT');
      const code = await Promise.race([exited, sleep(EXIT_AFTER_SIGINT_MS).then(() => undefined)]);
      if (code === undefined) facts.stopTimedOut = EXIT_AFTER_SIGINT_MS;
      else result.code = code;
    } else {
      result.code = child.signalCode ?? child.exitCode;
    }
    if (record) facts.recordAfter = record();
  } finally {
    await killGroup(child);
    result.stdout = output.stdout();
    result.stderr = output.stderr();
  }
  Object.assign(facts, afterRun(ctx));
  return result;
}

/** After every run: tagged processes that are not the setup (killed), and setup that vanished. */
function afterRun(ctx) {
  const setupPids = new Set(ctx.setup.pids.values());
  const tagged = taggedProcesses(ctx.tag);
  const strays = tagged.filter((p) => !setupPids.has(p.pid));
  if (strays.length > 0) killProcesses(strays, 'SIGKILL');
  const present = new Set(tagged.map((p) => p.pid));
  const setupGone = [...ctx.setup.pids]
    .filter(([, pid]) => !present.has(pid))
    .map(([name, pid]) => `${name} (PID ${pid})`);
  return { strays, setupGone };
}

/** SIGTERM to the child's process group, SIGKILL after 3 s. */
async function killGroup(child) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  signalGroup(child.pid, 'SIGTERM');
  if ((await Promise.race([gone.then(() => true), sleep(3000).then(() => false)])) === false) {
    signalGroup(child.pid, 'SIGKILL');
    await Promise.race([gone, sleep(3000)]);
  }
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

function killProcesses(list, signal) {
  for (const p of list) {
    try {
      if (p.pgid === p.pid) process.kill(-p.pid, signal);
      else process.kill(p.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Every live process whose environment carries this run's tag. */
export function taggedProcesses(tag) {
  const needle = `${TAG_VAR}=${tag}`;
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(needle)) continue;
    let cmdline = '';
    let pgid = null;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "(comm) ": state, ppid, pgrp.
      pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      // Gone meanwhile.
    }
    found.push({ pid: Number(name), pgid, cmdline });
  }
  return found;
}

/** Tagged dashboard processes started for `port`. */
function dashboardsOn(tag, port) {
  return taggedProcesses(tag).filter(
    (p) => p.cmdline.includes('tapo_camera_mcp.web') && p.cmdline.includes(`--port ${port}`),
  );
}

/** The PIDs holding a listening TCP socket on `port` (any address), from /proc. */
export function listenerPids(port) {
  const inodes = new Set(
    procListeners()
      .filter((row) => row.port === port)
      .map((row) => row.inode),
  );
  const pids = new Set();
  if (inodes.size === 0) return [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds;
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`));
        if (match && inodes.has(match[1])) pids.add(Number(name));
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return [...pids].sort((a, b) => a - b);
}

/** The first port above `port` (never 7778) with no listener: where `next` must start. */
function firstUnlistenedAbove(port) {
  for (let candidate = port + 1; candidate < Math.min(65536, port + 100); candidate += 1) {
    if (candidate !== 7778 && listeningPortsBetween(candidate, candidate).size === 0) return candidate;
  }
  return null;
}

/** One GET /api/health on a new connection: {statusCode, body}, or null when nothing answers. */
function getHealth(port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const request = http.get(
      { host: HOST, port, path: '/api/health', agent: false, timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode, body }));
        response.on('error', () => resolve(null));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

function parseStatus(body) {
  try {
    return JSON.parse(body)?.status ?? null;
  } catch {
    return null;
  }
}

function readRecord(stateDir, port) {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, `dashboard-${port}.json`), 'utf8'));
  } catch {
    return null;
  }
}

/** Polls a status record until its state is `state` (or the time is up); the last record read. */
async function waitForRecordState(read, state, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let record = read();
  while (record?.state !== state && performance.now() < deadline) {
    await sleep(POLL_MS);
    record = read();
  }
  return record;
}

/** Setup only: polls until /api/health answers 200; fails when the child exits or time runs out. */
async function waitUntilHealthy(child, port, output) {
  const deadline = performance.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `start: setup process for ${port} exited (${child.signalCode ?? child.exitCode}): ${output()}`,
      );
    }
    if ((await getHealth(port))?.statusCode === 200) return;
    if (performance.now() > deadline) throw new Error(`start: setup on ${port} not healthy: ${output()}`);
    await sleep(20);
  }
}

/** Keeps the last 4,000 characters of a child's stdout and stderr (and keeps its pipes drained). */
function capture(child) {
  const keep = 4000;
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk) => (stdout = (stdout + chunk).slice(-keep)));
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-keep)));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    text: () => `${stdout}\n${stderr}`.trim().slice(-600),
  };
}

/** The tables and headline lines of the part, for the run's output. */
export function formatStartPart(part, config) {
  return [
    '',
    `==== start: ${config.warmup} warm-up + ${config.rounds} measured rounds, the ${START_TOOLS.length} runs ` +
      'interleaved (one later each round); loopback, host 127.0.0.1, fake dashboard',
    `ports: ${part.ports.free} free; ${part.ports.reuse} dashboard (python, PID ${part.setup.reuseDashboard}); ` +
      `${part.ports.reuseLocked} dashboard under tapo-port start (PID ${part.setup.lockedLauncher}); ` +
      `${part.ports.conflict} foreign holder (PID ${part.setup.conflictHolder})`,
    `python3 = ${part.python.interpreter}${part.python.pathPrefix ? ' (first on PATH for every run)' : ' (PATH as is)'}; ` +
      `tapo-port launches: ${(part.python.launchedByTapoPort ?? []).join(' ')}; ` +
      `Docker lookup ${part.dockerHost ? `ACTIVE (${part.dockerHost})` : 'OFF (DOCKER_HOST unset)'}`,
    ...formatStartTables(part.rows),
    '',
    "Docker lookup states (check's own, and inside start --on-conflict fail): " +
      part.rows
        .filter((row) => row.dockerStates)
        .map((row) => `${row.id} ${JSON.stringify(row.dockerStates)}`)
        .join(', '),
  ];
}
