// The find-port part of `npm run bench`: 1,000 consecutive busy ports on mixed addresses, and
// tapo-port's `find-port` against get-port, portfinder and detect-port, first as whole processes,
// then as the search call alone inside long-lived workers. See bench/README.md.
import net from 'node:net';
import path from 'node:path';
import {
  FP_FLOOR_ID,
  FP_TOOL_ID,
  PEERS,
  SEARCH_SPAN,
  defineFindPortTools,
  judgePort,
} from './find-port-tools.mjs';
import { runRounds } from './measure.mjs';
import { formatColumns } from './report.mjs';
import { EXE_FLOOR_ID, EXE_TOOL_ID } from './tools.mjs';
import { median, pairedRatio, percentile, ratio } from './stats.mjs';
import { procListeners, startChild, stopChildren, waitForLine } from './scenario.mjs';

export const HELD_COUNT = 1000;
/** Bases tried in turn; all below the ephemeral range (32768 up on Linux). */
export const DEFAULT_BASES = [21000, 23000, 25000, 19000, 17000, 15000, 13000, 29000];
const WORKER_TIMEOUT_MS = 60000;

/**
 * Runs the whole part: holders, the independent check of the answer, both measurements. The
 * holder is stopped in a `finally`, whatever happens.
 */
export async function runFindPortPart({
  root,
  python,
  nodePath,
  cliPath,
  executable = null,
  version,
  config,
  log,
}) {
  const holderScript = path.join(root, 'test', 'fixtures', 'holders', 'hold_many.py');
  const bases = config.base ? [config.base] : DEFAULT_BASES;
  const { holder, base, attempts } = await startManyHolder({ python, holderScript, bases, log });
  try {
    const expected = { port: base + HELD_COUNT, base, count: HELD_COUNT, end: base + SEARCH_SPAN };
    log(
      `find-port: ${HELD_COUNT} ports ${base}-${base + HELD_COUNT - 1} held by PID ${holder.pid}; ` +
        `${expected.port} is free on 0.0.0.0 and :: (v6-only) and nobody listens on it`,
    );
    const total = config.warmup + config.rounds;

    const tools = defineFindPortTools({ nodePath, cliPath, base, version, executable });
    const processResults = await runRounds({
      tools,
      rounds: config.rounds,
      warmup: config.warmup,
      expected,
      cwd: root,
      onRound: (round) =>
        log(
          `find-port, whole process: round ${round + 1}/${total}${round < config.warmup ? ' (warm-up)' : ''}`,
        ),
    });

    const workerTools = [
      { id: FP_TOOL_ID, label: 'tapo-port runFindPort', nodeArgs: ['--import', 'tsx'] },
      ...PEERS.map((peer) => ({ id: peer.id, label: peer.label, nodeArgs: [] })),
    ];
    const inProcess = await runInProcess({
      root,
      nodePath,
      tools: workerTools,
      base,
      end: expected.end,
      rounds: config.rounds,
      warmup: config.warmup,
      expected,
      onRound: (round) =>
        log(`find-port, in-process: round ${round + 1}/${total}${round < config.warmup ? ' (warm-up)' : ''}`),
    });

    // The world may have changed while we measured: say so if the answer is no longer right.
    const stillFree = await expectedPortFree(expected.port);
    if (!stillFree.free) log(`warning: after the run, ${expected.port} is no longer free: ${stillFree.why}`);

    return {
      base,
      heldCount: HELD_COUNT,
      holderHosts: 'port BASE+i on [127.0.0.1, ::1, 0.0.0.0, ::][i % 4]',
      holderPid: holder.pid,
      basesTried: attempts,
      expectedPort: expected.port,
      searchEnd: expected.end,
      expectedStillFreeAfterRun: stillFree.free,
      wholeProcess: summarizeRows(tools, processResults, FP_FLOOR_ID),
      inProcess: {
        loadMs: Object.fromEntries(inProcess.loadMs),
        rows: summarizeRows(workerTools, inProcess.results, null),
      },
    };
  } finally {
    await stopChildren([holder]);
  }
}

/** Starts hold_many.py on the first base that binds and whose BASE+1000 is really free. */
async function startManyHolder({ python, holderScript, bases, log }) {
  const attempts = [];
  for (const base of bases) {
    const before = await expectedPortFree(base + HELD_COUNT);
    if (!before.free) {
      attempts.push({ base, outcome: `BASE+${HELD_COUNT}: ${before.why}` });
      log(`find-port: base ${base} skipped, ${base + HELD_COUNT} ${before.why}`);
      continue;
    }
    const holder = startChild(
      python,
      [holderScript, '--start', String(base), '--count', String(HELD_COUNT)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await waitForLine(holder, /^ready/, `hold_many.py --start ${base}`, 30000);
    } catch (error) {
      await stopChildren([holder]);
      attempts.push({ base, outcome: error.message });
      log(`find-port: base ${base} skipped: ${error.message}`);
      continue;
    }
    // The independent check, with the holders in place: all 1,000 listen, BASE+1000 is free.
    const held = listeningPortsBetween(base, base + HELD_COUNT - 1);
    const after = await expectedPortFree(base + HELD_COUNT);
    if (held.size !== HELD_COUNT || !after.free) {
      await stopChildren([holder]);
      const why = held.size !== HELD_COUNT ? `${held.size} of ${HELD_COUNT} ports listen` : after.why;
      attempts.push({ base, outcome: why });
      log(`find-port: base ${base} skipped: ${why}`);
      continue;
    }
    attempts.push({ base, outcome: 'used' });
    return { holder, base, attempts };
  }
  throw new Error(
    `find-port: no usable base among ${bases.join(', ')} (set BENCH_FP_BASE): ` +
      attempts.map((a) => `${a.base}: ${a.outcome}`).join('; '),
  );
}

/**
 * Independent of tapo-port: nothing listens on `port` (any address, /proc/net/tcp{,6}), and it
 * binds on 0.0.0.0 and on :: v6-only.
 */
export async function expectedPortFree(port) {
  if (listeningPortsBetween(port, port).size > 0) return { free: false, why: 'has a listener' };
  if (!(await bindsTcp(port, { host: '0.0.0.0' }))) return { free: false, why: 'does not bind on 0.0.0.0' };
  if (!(await bindsTcp(port, { host: '::', ipv6Only: true })))
    return { free: false, why: 'does not bind on :: (v6-only)' };
  return { free: true, why: null };
}

function bindsTcp(port, { host, ipv6Only = false }) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, ipv6Only, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Ports from..to with a TCP socket in LISTEN state, on any address, IPv4 or IPv6. */
export function listeningPortsBetween(from, to) {
  return new Set(
    procListeners()
      .map((row) => row.port)
      .filter((port) => port >= from && port <= to),
  );
}

/**
 * One worker per tool, started together and driven in interleaved rounds: each round asks every
 * worker for one search, starting one tool later each round. Workers are stopped at the end.
 */
async function runInProcess({ root, nodePath, tools, base, end, rounds, warmup, expected, onRound }) {
  const workerScript = path.join(root, 'bench', 'find-port-worker.mjs');
  const workers = new Map();
  try {
    for (const tool of tools) {
      workers.set(
        tool.id,
        await startWorker(
          nodePath,
          [...tool.nodeArgs, workerScript, tool.id, String(base), String(end)],
          root,
        ),
      );
    }
    const results = new Map(tools.map((tool) => [tool.id, { samples: [], verdicts: [] }]));
    for (let round = 0; round < warmup + rounds; round += 1) {
      const measured = round >= warmup;
      for (let i = 0; i < tools.length; i += 1) {
        const tool = tools[(round + i) % tools.length];
        const answer = await workers.get(tool.id).run();
        const verdict =
          answer.error !== undefined
            ? { correct: false, detail: `error: ${answer.error}` }
            : judgePort(answer.port, expected);
        const entry = results.get(tool.id);
        entry.verdicts.push({ ...verdict, measured, stderr: '' });
        if (measured) entry.samples.push(answer.ms);
      }
      onRound?.(round, measured);
    }
    return { results, loadMs: [...workers].map(([id, worker]) => [id, round2(worker.loadMs)]) };
  } finally {
    await stopChildren([...workers.values()].map((worker) => worker.child));
  }
}

/** Starts one worker and waits for its `ready` line; `run()` asks for one timed search. */
async function startWorker(nodePath, args, cwd) {
  const child = startChild(nodePath, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.setEncoding('utf8');
  const pending = [];
  const lines = [];
  let buffered = '';
  let exited = null;
  const deliver = () => {
    while (pending.length > 0 && lines.length > 0) pending.shift().resolve(lines.shift());
    if (exited !== null) {
      for (const waiter of pending.splice(0)) {
        waiter.reject(new Error(`worker ${args.join(' ')} exited (${exited}): ${stderr.trim()}`));
      }
    }
  };
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop();
    lines.push(...parts.filter((line) => line.trim() !== ''));
    deliver();
  });
  child.once('exit', (code, signal) => {
    exited = signal ?? code;
    deliver();
  });
  const nextLine = () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${args.join(' ')}: no answer`)),
        WORKER_TIMEOUT_MS,
      );
      pending.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(JSON.parse(line));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      deliver();
    });
  const ready = await nextLine();
  if (ready.ready !== true)
    throw new Error(`worker ${args.join(' ')} did not start: ${JSON.stringify(ready)}`);
  return {
    child,
    loadMs: ready.loadMs,
    run: () => {
      child.stdin.write('run\n');
      return nextLine();
    },
  };
}

/**
 * One row per tool. `floorId` is the row the `x node -e 0` column divides by (null for the
 * in-process table); `x tapo-port` always divides by tapo-port's own row.
 */
export function summarizeRows(tools, results, floorId) {
  const floor = floorId ? results.get(floorId).samples : null;
  const ours = results.get(FP_TOOL_ID).samples;
  return tools.map((tool) => {
    const { samples, verdicts } = results.get(tool.id);
    const medianMs = median(samples);
    const judged = verdicts.filter((v) => v.correct !== null);
    const wrong = judged.filter((v) => v.correct === false);
    return {
      id: tool.id,
      label: tool.label,
      informational: tool.informational ?? null,
      runs: verdicts.length,
      samplesMs: samples.map((ms) => round(ms, 3)),
      medianMs: round(medianMs, 2),
      p90Ms: round(percentile(samples, 90), 2),
      minMs: round(Math.min(...samples), 2),
      ratioToFloor: floor ? round(ratio(medianMs, median(floor)), 2) : null,
      pairedRatioToFloor: floor ? round(pairedRatio(samples, floor), 2) : null,
      ratioToOurs: round(ratio(medianMs, median(ours)), 2),
      pairedRatioToOurs: round(pairedRatio(samples, ours), 2),
      correct: judged.length === 0 ? null : wrong.length === 0,
      wrongRuns: wrong.length,
      detail: (wrong[0] ?? verdicts[0])?.detail ?? null,
      wrongDetails: [...new Set(wrong.map((v) => v.detail))].slice(0, 5),
      wrongStderr: wrong[0]?.stderr || null,
    };
  });
}

/** Both tables as fixed-width text. */
export function formatFindPortTable(rows, { floor }) {
  const header = [
    'tool',
    'median ms',
    'p90 ms',
    ...(floor ? ['x node -e 0'] : ['min ms']),
    'x tapo-port',
    'correct',
  ];
  const digits = floor ? 1 : 2;
  const body = rows.map((row) => [
    row.label,
    fixed(row.medianMs, digits),
    fixed(row.p90Ms, digits),
    floor ? fixed(row.ratioToFloor, 2) : fixed(row.minMs, digits),
    fixed(row.ratioToOurs, 2),
    correctText(row),
  ]);
  return formatColumns(header, body);
}

function correctText(row) {
  if (row.correct === null) return row.wrongRuns === 0 ? 'n/a' : `n/a (${row.detail})`;
  if (row.correct) return 'yes';
  const others = row.wrongDetails.length - 1;
  const more = others > 0 ? ` (+${others}${others === 4 ? ' or more' : ''} other wrong answers)` : '';
  return `NO: ${row.detail}${more}, ${row.wrongRuns}/${row.runs} runs`;
}

/** The find-port targets; `pass` is null when a side is missing. */
export function evaluateFindPortTargets(part) {
  const whole = part.wholeProcess;
  const ours = whole.find((row) => row.id === FP_TOOL_ID);
  const floor = whole.find((row) => row.id === FP_FLOOR_ID);
  const inRows = part.inProcess.rows;
  const oursIn = inRows.find((row) => row.id === FP_TOOL_ID);
  const correctPeers = inRows.filter((row) => row.id !== FP_TOOL_ID && row.correct === true);
  const fastest = correctPeers.sort((a, b) => a.medianMs - b.medianMs)[0] ?? null;
  const speedup = fastest ? ratio(fastest.medianMs, oursIn.medianMs) : null;
  const wrongPeers = inRows
    .filter((row) => row.id !== FP_TOOL_ID && row.correct !== true)
    .map((row) => row.label);
  return [
    {
      name: 'in-process find-port search >= 5x faster than the fastest correct peer',
      value: round(speedup, 2),
      limit: 5,
      atLeast: true,
      pass: speedup === null ? null : speedup >= 5,
      note: fastest
        ? `${fastest.label} ${fixed(fastest.medianMs, 2)} ms vs runFindPort ${fixed(oursIn.medianMs, 2)} ms ` +
          `(paired per-round ratio ${fixed(fastest.pairedRatioToOurs, 2)})` +
          (wrongPeers.length ? `; not counted, wrong answers: ${wrongPeers.join(', ')}` : '')
        : 'no peer answered correctly',
    },
    {
      name: 'whole find-port process <= 1.3x node -e 0',
      value: ours.ratioToFloor,
      limit: 1.3,
      atLeast: false,
      pass: ours.ratioToFloor === null ? null : ours.ratioToFloor <= 1.3,
      note:
        `find-port ${fixed(ours.medianMs, 1)} ms vs node -e 0 ${fixed(floor.medianMs, 1)} ms; ` +
        `paired per-round ratio ${fixed(ours.pairedRatioToFloor, 2)}`,
    },
    ...executableFindPortTargets(whole),
  ];
}

/** The executable's find-port against its own Node's `node -e 0` (none when it was not built). */
function executableFindPortTargets(whole) {
  const exe = whole.find((row) => row.id === EXE_TOOL_ID);
  const floor = whole.find((row) => row.id === EXE_FLOOR_ID);
  if (!exe || !floor) return [];
  const value = round2(ratio(exe.medianMs, floor.medianMs));
  return [
    {
      name: `executable: whole find-port process <= 1.3x ${floor.label}`,
      value,
      limit: 1.3,
      atLeast: false,
      pass: value === null ? null : value <= 1.3,
      note: `find-port (executable) ${fixed(exe.medianMs, 1)} ms vs ${floor.label} ${fixed(floor.medianMs, 1)} ms; x node -e 0 (the bundle's Node) ${fixed(exe.ratioToFloor, 2)}`,
    },
  ];
}

export function formatFindPortTargets(targets) {
  return targets
    .map((t) => {
      const verdict = t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'FAIL';
      return `${verdict}  ${t.name}: ${fixed(t.value, 2)} (${t.atLeast ? 'at least' : 'limit'} ${t.limit}) - ${t.note}`;
    })
    .join('\n');
}

/** True when tapo-port's answer was right in every run of both tables. */
export function findPortCorrect(part) {
  return [part.wholeProcess, part.inProcess.rows].every(
    (rows) => rows.find((row) => row.id === FP_TOOL_ID).correct === true,
  );
}

function round(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function round2(value) {
  return round(value, 2);
}

function fixed(value, digits) {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}
