// The start part: how each run is judged, the rows, the tables and the comparisons. Pure: no I/O.
// A run arrives with `facts` gathered by bench/start.mjs (what answered, the status record, the
// exit code after SIGINT, processes left behind); the verdict says whether the answer was right.
import { correctText, fixed, formatColumns, round } from './report.mjs';
import { median, pairedRatio, percentile, ratio } from './stats.mjs';
import { judgePids, verifyCheck } from './tools.mjs';

/**
 * The scenarios, each one table: its rows and the rows it compares them with (`refs`; the last one
 * is the one the `+ms` column and the summary line are about).
 */
export const SCENARIOS = [
  {
    id: 'ready',
    title:
      '1. time to ready on a free port: spawn until GET /api/health answers 200 (polled every 5 ms); ' +
      'then SIGINT and wait for exit (not timed)',
    rows: ['ready-python', 'ready-start'],
    refs: [{ id: 'ready-python', short: 'python' }],
    subject: 'ready-start',
  },
  {
    id: 'reuse',
    title: '2. idempotent re-run: a healthy dashboard already serves the port; spawn until exit',
    rows: ['node-e-0', 'reuse-check', 'reuse-start', 'reuse-start-locked'],
    refs: [
      { id: 'node-e-0', short: 'node -e 0' },
      { id: 'reuse-check', short: 'check' },
    ],
    subject: 'reuse-start',
  },
  {
    id: 'conflict',
    title: '3. conflict explained: a foreign listener holds the port; spawn until exit',
    rows: ['conflict-check', 'conflict-start'],
    refs: [
      { id: 'node-e-0', short: 'node -e 0' },
      { id: 'conflict-check', short: 'check' },
    ],
    subject: 'conflict-start',
  },
  {
    id: 'next',
    title:
      '4. --on-conflict next: a foreign listener holds the port; spawn until the dashboard answers 200 ' +
      'on the port the status record names; then SIGINT (not timed)',
    rows: ['ready-start', 'next-start'],
    refs: [{ id: 'ready-start', short: 'start (free)' }],
    subject: 'next-start',
  },
];

/**
 * The runs of one round, in their first-round order; `run` (in bench/start.mjs) is added per id.
 * `ours`: a wrong answer here fails the benchmark (exit 1); peers are reported only.
 */
export const START_TOOLS = [
  { id: 'ready-start', label: 'tapo-port start', ours: true, verify: verifyReady },
  { id: 'ready-python', label: 'python3 -m tapo_camera_mcp.web', ours: false, verify: verifyReady },
  { id: 'node-e-0', label: 'node -e 0', ours: false, verify: verifyFloor },
  { id: 'reuse-check', label: 'tapo-port check', ours: true, verify: verifyCheckRun },
  { id: 'reuse-start', label: 'tapo-port start (reuse)', ours: true, verify: verifyReuse },
  {
    id: 'reuse-start-locked',
    label: 'tapo-port start (reuse, lock held)',
    ours: true,
    informational:
      'the running dashboard belongs to a tapo-port start that is still running (same state dir)',
    verify: verifyReuse,
  },
  { id: 'conflict-check', label: 'tapo-port check', ours: true, verify: verifyCheckRun },
  { id: 'conflict-start', label: 'tapo-port start --on-conflict fail', ours: true, verify: verifyConflict },
  { id: 'next-start', label: 'tapo-port start --on-conflict next', ours: true, verify: verifyReady },
];

function verdict(correct, detail, extra = {}) {
  return { correct, detail, ...extra };
}

/** Wrong: the first problem is the detail (with how many more there were); all are kept. */
function wrong(problems, extra = {}) {
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : '';
  return verdict(false, `${problems[0]}${more}`, { ...extra, problems });
}

function withColon(text) {
  return text ? `: ${text}` : '';
}

/** Processes left behind and setup processes that vanished: wrong whatever the run printed. */
function leftovers(facts) {
  const problems = [];
  if (facts.strays?.length > 0) {
    problems.push(
      `left ${facts.strays.length} process(es) running (killed): ` +
        facts.strays.map((p) => `PID ${p.pid} ${p.cmdline.slice(0, 80)}`).join('; '),
    );
  }
  if (facts.setupGone?.length > 0) {
    problems.push(`the setup's ${facts.setupGone.join(', ')} disappeared during this run`);
  }
  return problems;
}

function lastLine(text) {
  const lines = (text ?? '').trim().split('\n');
  return lines[lines.length - 1]?.slice(0, 160) ?? '';
}

/**
 * A run timed until ready (1a, 1b, 4): the right process answered, healthy, on the right port,
 * and after SIGINT it ended with code 0 (for tapo-port: the dashboard's own code, 0).
 */
export function verifyReady(run) {
  const f = run.facts;
  const extra = {
    launchedMs: f.launchedMs ?? null,
    recordRunningMs: f.recordRunningMs ?? null,
    exitAfterSigint: run.code,
  };
  const never = f.spawnError
    ? `could not start: ${f.spawnError}`
    : f.earlyExit !== undefined
      ? `exited (${f.earlyExit}) before ${f.port ? `port ${f.port}` : 'the port'} answered` +
        withColon(lastLine(run.stderr) || lastLine(run.stdout))
      : f.notReady;
  if (never) return wrong([never, ...leftovers(f)], extra);
  const problems = [];
  if (f.healthStatus !== 'healthy') problems.push(`/api/health said ${JSON.stringify(f.healthStatus)}`);
  const launcher = f.record !== undefined;
  if (launcher) {
    const record = f.record;
    if (record === null) problems.push('no status record while the dashboard answered');
    else {
      if (record.port !== f.port)
        problems.push(`the status record says port ${record.port}, ${f.port} answered`);
      if (f.expectedPort !== undefined && f.port !== f.expectedPort) {
        problems.push(
          `started on ${f.port}, but ${f.expectedPort} was the first free port above ${f.requestedPort}`,
        );
      }
      if (f.expectedHolderPid !== undefined) {
        const resolution = record.conflict?.resolution ?? null;
        if (resolution !== 'next')
          problems.push(`conflict resolution ${JSON.stringify(resolution)}, expected "next"`);
        const named = judgePids(
          (record.conflict?.owners ?? []).map((o) => o.pid),
          { tcpPid: f.expectedHolderPid, udpPid: null },
        );
        if (!named.correct) problems.push(`the record's conflict ${named.detail}`);
      } else if (record.conflict !== null) {
        problems.push(`a conflict was recorded on a free port: ${record.conflict.summary}`);
      }
    }
  }
  const expectedPid = launcher ? (f.record?.dashboard?.pid ?? null) : f.childPid;
  const holders = f.listenerPids ?? [];
  if (holders.length !== 1 || holders[0] !== expectedPid) {
    problems.push(
      `port ${f.port} is listened on by ${holders.length ? `PID ${holders.join(', ')}` : 'no process'}, ` +
        `expected ${launcher ? 'the dashboard tapo-port launched' : 'the process started'} (PID ${expectedPid})`,
    );
  }
  if (f.stopTimedOut) problems.push(`still running ${f.stopTimedOut} ms after SIGINT (killed)`);
  else if (run.code !== 0) problems.push(`exit code ${run.code} after SIGINT, expected 0`);
  if (launcher && !f.stopTimedOut) {
    const after = f.recordAfter;
    if (after?.state !== 'exited' || after?.exitCode !== run.code) {
      problems.push(
        `after exit the record says state ${JSON.stringify(after?.state)}, dashboard exit code ` +
          `${after?.exitCode}, tapo-port exited ${run.code}`,
      );
    }
  }
  problems.push(...leftovers(f));
  if (problems.length > 0) return wrong(problems, extra);
  return verdict(true, `PID ${expectedPid} on ${f.port}, exit 0 after SIGINT`, extra);
}

export function verifyFloor(run) {
  const problems = leftovers(run.facts);
  if (run.code !== 0) problems.unshift(`exit code ${run.code}`);
  return problems.length > 0 ? wrong(problems) : verdict(null, 'floor');
}

/** `check` on the port: in use (exit 1), naming exactly the holder; Docker state carried along. */
export function verifyCheckRun(run) {
  const f = run.facts;
  const result = verifyCheck(run, { tcpPid: f.expectedHolderPid, udpPid: null });
  const problems = leftovers(f);
  if (problems.length === 0) return result;
  const dockerFields = { dockerState: result.dockerState, dockerMessage: result.dockerMessage };
  return wrong(result.correct ? problems : [result.detail, ...problems], dockerFields);
}

function envelopeOf(run) {
  try {
    return JSON.parse(run.stdout);
  } catch {
    return null;
  }
}

/**
 * Re-run with a healthy dashboard in place: exit 0, nothing launched, the running dashboard named
 * (`reused` by check, or `already-running` when another start holds the lock) and still the only
 * listener on the port.
 */
export function verifyReuse(run) {
  const f = run.facts;
  const envelope = envelopeOf(run);
  const data = envelope?.data;
  const problems = [];
  if (!data) problems.push(`no JSON envelope on stdout (exit ${run.code})${withColon(lastLine(run.stderr))}`);
  else {
    if (run.code !== 0) problems.push(`exit code ${run.code}, expected 0 (${data.outcome}: ${data.summary})`);
    if (data.outcome !== f.expectedOutcome)
      problems.push(`outcome ${JSON.stringify(data.outcome)}, expected "${f.expectedOutcome}"`);
    if (data.launches !== 0) problems.push(`launched ${data.launches} dashboard(s)`);
    const named =
      f.expectedOutcome === 'reused'
        ? (data.conflict?.owners ?? []).map((o) => o.pid)
        : [data.dashboard?.pid].filter((pid) => pid !== undefined);
    const judged = judgePids(named, { tcpPid: f.expectedDashboardPid, udpPid: null });
    if (!judged.correct) problems.push(`reported dashboard: ${judged.detail}`);
  }
  const holders = f.listenerPids ?? [];
  if (holders.length !== 1 || holders[0] !== f.expectedDashboardPid) {
    problems.push(
      `port listened on by PID ${holders.join(', ') || 'none'}, expected only ${f.expectedDashboardPid}`,
    );
  }
  if (f.dashboardCount !== 1)
    problems.push(`${f.dashboardCount} dashboard processes for the port, expected 1`);
  problems.push(...leftovers(f));
  if (problems.length > 0) return wrong(problems);
  return verdict(true, `${data.outcome}, PID ${f.expectedDashboardPid}, exit 0`);
}

/** `--on-conflict fail` on a foreign holder: exit 1, the holder named, nothing launched. */
export function verifyConflict(run) {
  const f = run.facts;
  const data = envelopeOf(run)?.data;
  const problems = [];
  const docker = {
    dockerState: data?.check?.docker?.state ?? null,
    dockerMessage: data?.check?.docker?.message ?? null,
  };
  if (!data) problems.push(`no JSON envelope on stdout (exit ${run.code})${withColon(lastLine(run.stderr))}`);
  else {
    if (run.code !== 1) problems.push(`exit code ${run.code}, expected 1 (${data.outcome}: ${data.summary})`);
    if (data.outcome !== 'conflict')
      problems.push(`outcome ${JSON.stringify(data.outcome)}, expected "conflict"`);
    if (data.launches !== 0) problems.push(`launched ${data.launches} dashboard(s)`);
    if (data.check?.status !== 'in-use') problems.push(`check status ${JSON.stringify(data.check?.status)}`);
    const judged = judgePids(
      (data.check?.owners ?? []).map((o) => o.pid),
      { tcpPid: f.expectedHolderPid, udpPid: null },
    );
    if (!judged.correct) problems.push(judged.detail);
    if (f.record?.state !== 'not-started')
      problems.push(`status record state ${JSON.stringify(f.record?.state)}, expected "not-started"`);
  }
  problems.push(...leftovers(f));
  if (problems.length > 0) return wrong(problems, docker);
  return verdict(true, `PID ${f.expectedHolderPid} named, exit 1`, docker);
}

/** One row per tool: samples (runs that never got ready have none), medians, verdicts. */
export function summarizeStartRows(tools, results) {
  return tools.map((tool) => {
    const { samples, verdicts } = results.get(tool.id);
    const finite = samples.filter(Number.isFinite);
    const judged = verdicts.filter((v) => v.correct !== null);
    const wrongRuns = judged.filter((v) => v.correct === false);
    const measured = verdicts.filter((v) => v.measured);
    const recordRunning = measured.map((v) => v.recordRunningMs).filter(Number.isFinite);
    const launched = measured.map((v) => v.launchedMs).filter(Number.isFinite);
    const dockerStates = {};
    for (const v of verdicts) {
      if (v.dockerState === undefined) continue;
      dockerStates[v.dockerState ?? 'none'] = (dockerStates[v.dockerState ?? 'none'] ?? 0) + 1;
    }
    return {
      id: tool.id,
      label: tool.label,
      ours: tool.ours,
      informational: tool.informational ?? null,
      runs: verdicts.length,
      // In round order; NaN (null in the file) for a run that never got ready.
      samplesMs: samples.map((ms) => round(ms, 2)),
      medianMs: round(median(finite), 1),
      p90Ms: round(percentile(finite, 90), 1),
      minMs: finite.length ? round(Math.min(...finite), 1) : null,
      // tapo-port rows timed until ready: when the record first named the launched dashboard, and
      // when it said "running" (tapo-port's own readiness poll), both from spawn, medians.
      launchedMedianMs: launched.length ? round(median(launched), 1) : null,
      recordRunningMedianMs: recordRunning.length ? round(median(recordRunning), 1) : null,
      correct: judged.length === 0 ? null : wrongRuns.length === 0,
      wrongRuns: wrongRuns.length,
      detail: (wrongRuns[0] ?? verdicts[0])?.detail ?? null,
      wrongDetails: [...new Set(wrongRuns.map((v) => v.detail))].slice(0, 5),
      wrongProblems: [...new Set(wrongRuns.flatMap((v) => v.problems ?? [v.detail]))].slice(0, 10),
      wrongStderr: wrongRuns[0]?.stderr || null,
      dockerStates: Object.keys(dockerStates).length > 0 ? dockerStates : null,
    };
  });
}

/** row / ref: ratio of medians, median of per-round ratios (rounds where both got a time), +ms. */
export function compare(row, ref) {
  const a = [];
  const b = [];
  row.samplesMs.forEach((ms, i) => {
    const other = ref.samplesMs[i];
    if (Number.isFinite(ms) && Number.isFinite(other)) {
      a.push(ms);
      b.push(other);
    }
  });
  return {
    row: row.id,
    ref: ref.id,
    ratio: round(ratio(row.medianMs, ref.medianMs), 2),
    pairedRatio: round(pairedRatio(a, b), 2),
    deltaMs: row.medianMs === null || ref.medianMs === null ? null : round(row.medianMs - ref.medianMs, 1),
  };
}

/** Per scenario: its rows and every row compared with every ref. */
export function scenarioSummaries(rows) {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return SCENARIOS.map((scenario) => ({
    id: scenario.id,
    title: scenario.title,
    rows: scenario.rows,
    comparisons: scenario.rows.flatMap((id) =>
      scenario.refs.filter((ref) => ref.id !== id).map((ref) => compare(byId.get(id), byId.get(ref.id))),
    ),
  }));
}

/** The four tables, each followed by the line a reader wants from it. */
export function formatStartTables(rows) {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const out = [];
  for (const scenario of SCENARIOS) {
    const main = scenario.refs[scenario.refs.length - 1];
    const header = [
      'tool',
      'median ms',
      'p90 ms',
      ...scenario.refs.map((ref) => `x ${ref.short}`),
      `+ms vs ${main.short}`,
      'correct',
    ];
    const body = scenario.rows.map((id) => {
      const row = byId.get(id);
      const label =
        scenario.id === 'next' && id === 'ready-start' ? `${row.label} (free port, from 1)` : row.label;
      return [
        label,
        fixed(row.medianMs, 1),
        fixed(row.p90Ms, 1),
        ...scenario.refs.map((ref) =>
          fixed(ref.id === id ? (row.medianMs === null ? null : 1) : compare(row, byId.get(ref.id)).ratio, 2),
        ),
        id === main.id ? '-' : signed(compare(row, byId.get(main.id)).deltaMs),
        correctText(row),
      ];
    });
    out.push('', `== ${scenario.title}`, formatColumns(header, body));
    const subject = byId.get(scenario.subject);
    const ref = byId.get(main.id);
    const c = compare(subject, ref);
    out.push(
      `${subject.label}: ${signed(c.deltaMs)} ms over ${ref.label} (x${fixed(c.ratio, 2)}, ` +
        `paired per-round x${fixed(c.pairedRatio, 2)})`,
    );
    if (scenario.id === 'ready' || scenario.id === 'next') {
      out.push(
        `  from spawn (medians, read from the status record): dashboard launched after ` +
          `${fixed(subject.launchedMedianMs, 1)} ms; tapo-port saw it ready itself ("running") after ` +
          `${fixed(subject.recordRunningMedianMs, 1)} ms (its own poll backs off from 20 to 100 ms)`,
      );
    }
    if (scenario.id === 'reuse') {
      const locked = byId.get('reuse-start-locked');
      const lc = compare(locked, ref);
      out.push(
        `${locked.label}: ${signed(lc.deltaMs)} ms over ${ref.label} (x${fixed(lc.ratio, 2)}); ${locked.informational}`,
      );
    }
  }
  return out;
}

function signed(value) {
  if (value === null || value === undefined) return '-';
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

/** True when every tapo-port row answered right in every run, warm-up included. */
export function startCorrect(rows) {
  return rows.filter((row) => row.ours).every((row) => row.correct === true);
}
