// `npm run bench`: times `tapo-port check` on a busy port, `tapo-port find-port` past 1,000 busy
// ports and `tapo-port start` with the fake dashboard against their peers, in one run, as ratios.
// See bench/README.md for what is measured and how to read it.
//
// Knobs (environment): BENCH_PARTS (check,find-port,start), BENCH_ROUNDS (25), BENCH_WARMUP (3),
// BENCH_LISTENERS (5000), BENCH_PROCESSES (500), BENCH_PORT (first port from 27777 free for TCP
// and UDP), TAPO_TEST_DOCKER_HOST (unix:///run/tapo-test-docker/docker.sock); for find-port:
// BENCH_FP_ROUNDS (15), BENCH_FP_WARMUP (3), BENCH_FP_BASE (first usable of 21000, 23000, ...);
// for start: BENCH_START_ROUNDS (15), BENCH_START_WARMUP (3), BENCH_START_PORT (28777).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRounds } from './measure.mjs';
import {
  evaluateTargets,
  formatLoadScaling,
  formatTable,
  formatTargets,
  summarizeCondition,
} from './report.mjs';
import {
  countTcpListeners,
  describeSource,
  ephemeralRange,
  pickPort,
  pingDocker,
  processPosition,
  resolvePython,
  snapshotDist,
  startHolders,
  startLoad,
  stopAll,
  stopChildren,
} from './scenario.mjs';
import { CHECK_ID, defineTools } from './tools.mjs';
import {
  evaluateFindPortTargets,
  findPortCorrect,
  formatFindPortTable,
  formatFindPortTargets,
  runFindPortPart,
} from './find-port.mjs';
import { abortStartPart, formatStartPart, runStartPart } from './start.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const resultsFile = path.join(root, 'bench', 'results', 'latest.json');

const config = {
  rounds: positiveInt('BENCH_ROUNDS', 25),
  warmup: positiveInt('BENCH_WARMUP', 3, true),
  listeners: positiveInt('BENCH_LISTENERS', 5000),
  processes: positiveInt('BENCH_PROCESSES', 500, true),
  dockerEndpoint: process.env.TAPO_TEST_DOCKER_HOST || 'unix:///run/tapo-test-docker/docker.sock',
  parts: benchParts(),
  findPort: {
    rounds: positiveInt('BENCH_FP_ROUNDS', 15),
    warmup: positiveInt('BENCH_FP_WARMUP', 3, true),
    base: process.env.BENCH_FP_BASE ? positiveInt('BENCH_FP_BASE', null) : null,
  },
  start: {
    rounds: positiveInt('BENCH_START_ROUNDS', 15),
    warmup: positiveInt('BENCH_START_WARMUP', 3, true),
    basePort: positiveInt('BENCH_START_PORT', 28777),
  },
};

const log = (message) => process.stderr.write(`bench: ${message}\n`);

let interrupted = false;
let snapshot = null;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    log(`${signal}: stopping holders, load and running tools`);
    void stopAll(1000).finally(() => {
      abortStartPart();
      snapshot?.remove();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  });
}

async function main() {
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  if (config.parts.includes('check')) requireTools(['ss', 'lsof']);
  const python = resolvePython();
  const source = describeSource(root);
  snapshot = snapshotDist(root);
  const cliPath = snapshot.cliPath;

  const executable = snapshot.executable;
  if (executable === null) log('no single executable (npm run package builds it): its rows are left out');
  const check = config.parts.includes('check')
    ? await runCheckPart({ version, python, cliPath, executable })
    : null;

  let findPort = null;
  let findPortError = null;
  if (config.parts.includes('find-port')) {
    try {
      findPort = await runFindPortPart({
        root,
        python,
        nodePath: process.execPath,
        cliPath,
        executable,
        version,
        config: config.findPort,
        log,
      });
    } catch (error) {
      // The check part's results are still printed and saved.
      findPortError = error instanceof Error ? error.message : String(error);
      log(`find-port part failed: ${findPortError}`);
    }
  }
  const findPortTargets = findPort ? evaluateFindPortTargets(findPort) : [];
  const findPortWrong = findPort !== null && !findPortCorrect(findPort);

  let start = null;
  let startError = null;
  let startDocker = null;
  if (config.parts.includes('start')) {
    try {
      // As in the check part: tapo-port's Docker lookup runs against the private engine when it
      // answers, and is off (DOCKER_HOST unset) otherwise.
      startDocker = await pingDocker(config.dockerEndpoint);
      const dockerEnv = { ...process.env };
      if (startDocker.reachable) dockerEnv.DOCKER_HOST = config.dockerEndpoint;
      else delete dockerEnv.DOCKER_HOST;
      start = await runStartPart({
        root,
        python,
        nodePath: process.execPath,
        cliPath,
        config: config.start,
        dockerEnv,
        log,
      });
    } catch (error) {
      // The other parts' results are still printed and saved.
      startError = error instanceof Error ? error.message : String(error);
      log(`start part failed: ${startError}`);
    }
  }
  const startWrong = start !== null && !start.correct;

  const out = [];
  out.push('', `tapo-port bench ${new Date().toISOString()}`);
  out.push(
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `parts: ${config.parts.join(', ')}`,
  );
  out.push(
    `build: dist/tapo-port.cjs sha256 ${snapshot.sha256.slice(0, 12)}, commit ${source.commit?.slice(0, 7) ?? '?'}` +
      (source.uncommitted?.length ? ` + ${source.uncommitted.length} uncommitted file(s) in src/build` : ''),
  );
  if (check) out.push(...check.lines);
  if (findPort) {
    const fp = config.findPort;
    out.push(
      '',
      `==== find-port: ${fp.warmup} warm-up + ${fp.rounds} measured rounds, tools interleaved`,
      `ports ${findPort.base}-${findPort.base + findPort.heldCount - 1} held by one process, cycling 127.0.0.1, ::1, ` +
        `0.0.0.0, ::; every tool searches from ${findPort.base} (up to ${findPort.searchEnd}) for host 0.0.0.0; ` +
        `the right answer is ${findPort.expectedPort}`,
      '',
      '== find-port, whole process (spawn to exit)',
      formatFindPortTable(findPort.wholeProcess, { floor: true }),
      '',
      '== find-port, the search call alone (in-process, modules loaded, performance.now around the call)',
      formatFindPortTable(findPort.inProcess.rows, { floor: false }),
      '',
      '== find-port targets (informational)',
      formatFindPortTargets(findPortTargets),
    );
    if (!findPort.expectedStillFreeAfterRun) {
      out.push(`WARNING: ${findPort.expectedPort} was no longer free after the run; verdicts may be off.`);
    }
  }
  if (start) {
    out.push(...formatStartPart(start, config.start));
    if (!startDocker.reachable) {
      out.push(
        '',
        `NOTE: start and check ran WITHOUT a Docker engine (${startDocker.message}); ` +
          'bash scripts/test-docker-engine.sh start for a run with the Docker lookup.',
      );
    }
  }
  if (findPortError) out.push('', `FAILURE: the find-port part could not run: ${findPortError}`);
  if (startError) out.push('', `FAILURE: the start part could not run: ${startError}`);
  if (check && !check.docker.reachable)
    out.push('', 'NOTE: measured WITHOUT a Docker engine (see the warning above).');
  if (check?.checkWrong) out.push('', 'FAILURE: tapo-port check gave a wrong answer (see its row).');
  if (findPortWrong) out.push('', 'FAILURE: tapo-port find-port gave a wrong answer (see its rows).');
  if (startWrong)
    out.push('', 'FAILURE: tapo-port start or check gave a wrong answer in the start part (see its rows).');
  process.stdout.write(out.join('\n') + '\n');

  mkdirSync(path.dirname(resultsFile), { recursive: true });
  const results = {
    benchmark: 'tapo-port-check',
    formatVersion: 1,
    date: new Date().toISOString(),
    tool: { name: 'tapo-port', version, bundleSha256: snapshot.sha256, ...source },
    machine: {
      node: process.version,
      platform: process.platform,
      kernel: os.release(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
    },
    parts: config.parts,
    ...(check ? check.results : {}),
    findPort: findPort ? { config: config.findPort, ...findPort, targets: findPortTargets } : null,
    findPortError,
    findPortCorrect: findPort ? !findPortWrong : null,
    start: start
      ? {
          config: config.start,
          docker: { endpoint: config.dockerEndpoint, ...startDocker },
          ...start,
        }
      : null,
    startError,
    startCorrect: start ? !startWrong : null,
  };
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  log(`results written to ${path.relative(root, resultsFile)}`);
  if (check?.checkWrong || findPortWrong || startWrong) return 1;
  return findPortError || startError ? 2 : 0;
}

/** The `check` part: idle and load conditions, as before the find-port part was added. */
async function runCheckPart({ version, python, cliPath, executable }) {
  const { parts: _parts, findPort: _findPort, start: _start, ...checkConfig } = config;
  const docker = await pingDocker(config.dockerEndpoint);
  const checkEnv = { ...process.env };
  if (docker.reachable) {
    checkEnv.DOCKER_HOST = config.dockerEndpoint;
  } else {
    delete checkEnv.DOCKER_HOST;
    shout([
      `NO DOCKER ENGINE at ${config.dockerEndpoint}: ${docker.message}.`,
      'check is measured WITHOUT its Docker lookup; numbers are not comparable with a Docker run.',
      'Start one with: bash scripts/test-docker-engine.sh start',
    ]);
  }

  const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await pickPort(27777);
  const range = ephemeralRange();
  if (range && port >= range.low && port <= range.high) {
    log(
      `warning: port ${port} is inside the ephemeral range ${range.low}-${range.high}; the load may land next to it`,
    );
  }
  const tools = defineTools({ nodePath: process.execPath, cliPath, port, version, checkEnv, executable });
  const holderScript = path.join(root, 'test', 'fixtures', 'holders', 'hold_port.py');

  const conditions = {};
  const measureCondition = async (name) => {
    // Fresh holders per condition, started after any load, so they come late in /proc order as a
    // recently started server does, and check's /proc scan passes the load before it finds them.
    const holders = await startHolders({ python, holderScript, port });
    const position = processPosition(holders.tcpPid);
    const listening = countTcpListeners();
    log(
      `${name}: TCP holder PID ${holders.tcpPid}, UDP holder PID ${holders.udpPid} on port ${port}; ` +
        `${listening} TCP listeners, ${position.processes} processes (${position.before} before the holder in /proc)`,
    );
    const total = config.warmup + config.rounds;
    const results = await runRounds({
      tools,
      rounds: config.rounds,
      warmup: config.warmup,
      expected: { tcpPid: holders.tcpPid, udpPid: holders.udpPid },
      cwd: root,
      onRound: (round) =>
        log(`${name}: round ${round + 1}/${total}${round < config.warmup ? ' (warm-up)' : ''}`),
    });
    await stopChildren([holders.tcp, holders.udp]);
    conditions[name] = {
      holders: { tcpPid: holders.tcpPid, udpPid: holders.udpPid },
      tcpListeners: listening,
      processes: position.processes,
      processesBeforeHolder: position.before,
      loadavg: os.loadavg().map((value) => Math.round(value * 100) / 100),
      rows: summarizeCondition(tools, results),
    };
  };

  await measureCondition('idle');
  log(`starting load: ${config.listeners} listening sockets, ${config.processes} sleeping processes`);
  const load = await startLoad({
    python,
    listenerScript: path.join(root, 'bench', 'open_listeners.py'),
    listeners: config.listeners,
    processes: config.processes,
  });
  try {
    await measureCondition('load');
  } finally {
    await stopChildren(load.all);
  }

  const targets = evaluateTargets({ idle: conditions.idle.rows, load: conditions.load.rows });
  const checkWrong = ['idle', 'load'].some(
    (name) => conditions[name].rows.find((row) => row.id === CHECK_ID).correct !== true,
  );

  const out = [];
  out.push(
    '',
    `==== check: ${config.warmup} warm-up + ${config.rounds} measured rounds per condition, tools interleaved`,
  );
  out.push(
    `port ${port}: TCP holder on 0.0.0.0 and a UDP socket on the same number in another process; ` +
      `Docker ${docker.reachable ? `lookup ACTIVE (${config.dockerEndpoint})` : 'lookup OFF (no engine reachable)'}`,
  );
  for (const name of ['idle', 'load']) {
    const condition = conditions[name];
    const check = condition.rows.find((row) => row.id === CHECK_ID);
    out.push(
      '',
      `== ${name}: ${condition.tcpListeners} TCP listeners, ${condition.processes} processes ` +
        `(${condition.processesBeforeHolder} before the holder), load average ${condition.loadavg.join(' ')}`,
    );
    out.push(formatTable(condition.rows));
    out.push(`check's Docker lookup: ${JSON.stringify(check.dockerStates)}`);
    if (docker.reachable && Object.keys(check.dockerStates ?? {}).some((state) => state !== 'ok')) {
      out.push(
        'WARNING: some check runs did not complete the Docker lookup; their times are not comparable.',
        ...check.dockerMessages.map((message) => `  Docker said: ${message}`),
      );
    }
  }
  out.push('', '== load / idle (median)', formatLoadScaling(conditions.idle.rows, conditions.load.rows));
  out.push('', '== targets (informational)', formatTargets(targets));
  return {
    lines: out,
    docker,
    checkWrong,
    results: {
      config: { ...checkConfig, port },
      docker: { endpoint: config.dockerEndpoint, ...docker },
      conditions,
      targets,
      checkCorrect: !checkWrong,
    },
  };
}

function requireTools(names) {
  for (const name of names) {
    const probe = spawnSync(name, ['-v'], { stdio: 'ignore' });
    if (probe.error)
      throw new Error(
        `${name} is not installed; it is one of the peers (apt-get install ${name === 'ss' ? 'iproute2' : name})`,
      );
  }
}

/** BENCH_PARTS: which parts to run, comma-separated; all by default. */
function benchParts() {
  const known = ['check', 'find-port', 'start'];
  const raw = process.env.BENCH_PARTS;
  if (raw === undefined || raw.trim() === '') return known;
  const parts = raw.split(',').map((part) => part.trim());
  const unknown = parts.filter((part) => !known.includes(part));
  if (unknown.length > 0 || parts.length === 0)
    throw new Error(`BENCH_PARTS must name parts among ${known.join(', ')}, got ${raw}`);
  return known.filter((part) => parts.includes(part));
}

function positiveInt(name, fallback, zeroAllowed = false) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1))
    throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
}

function shout(lines) {
  const bar = '!'.repeat(100);
  const text = [bar, ...lines.map((line) => `!!! ${line}`), bar].join('\n');
  process.stderr.write(text + '\n');
  process.stdout.write(text + '\n');
}

let exitCode = 2;
try {
  exitCode = await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  const stopped = await stopAll();
  if (stopped > 0 && !interrupted) log(`stopped ${stopped} leftover child process(es)`);
  snapshot?.remove();
}
if (!interrupted) process.exitCode = exitCode;
