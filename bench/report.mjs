// Turns raw samples and verdicts into rows, a text table and the target lines. Pure: no I/O.
import { median, pairedRatio, percentile, ratio } from './stats.mjs';
import { CHECK_ID, EXE_FLOOR_ID, EXE_TOOL_ID, EXE_VERSION_ID, FLOOR_ID } from './tools.mjs';

/** One row per tool for one condition. */
export function summarizeCondition(tools, results) {
  const floor = results.get(FLOOR_ID).samples;
  const check = results.get(CHECK_ID).samples;
  const floorMedian = median(floor);
  const checkMedian = median(check);
  return tools.map((tool) => {
    const { samples, verdicts } = results.get(tool.id);
    const medianMs = median(samples);
    const judged = verdicts.filter((v) => v.correct !== null);
    const wrong = judged.filter((v) => v.correct === false);
    const dockerStates = countBy(verdicts.map((v) => v.dockerState).filter((state) => state !== undefined));
    return {
      id: tool.id,
      label: tool.label,
      informational: tool.informational ?? null,
      runs: verdicts.length,
      samplesMs: samples.map((ms) => round(ms, 2)),
      medianMs: round(medianMs, 1),
      p90Ms: round(percentile(samples, 90), 1),
      minMs: round(Math.min(...samples), 1),
      ratioToFloor: round(ratio(medianMs, floorMedian), 2),
      ratioToCheck: round(ratio(medianMs, checkMedian), 2),
      pairedRatioToFloor: round(pairedRatio(samples, floor), 2),
      pairedRatioToCheck: round(pairedRatio(samples, check), 2),
      // null: nothing to judge (the floor, start-up only rows).
      correct: judged.length === 0 ? null : wrong.length === 0,
      wrongRuns: wrong.length,
      detail: (wrong[0] ?? verdicts[0])?.detail ?? null,
      wrongStderr: wrong[0]?.stderr || null,
      dockerStates: Object.keys(dockerStates).length > 0 ? dockerStates : null,
      dockerMessages: [...new Set(verdicts.map((v) => v.dockerMessage).filter((m) => m))],
    };
  });
}

/** The results table for one condition, as fixed-width text. */
export function formatTable(rows) {
  const header = ['tool', 'median ms', 'p90 ms', 'x node -e 0', 'x check', 'correct'];
  const body = rows.map((row) => [
    row.label,
    fixed(row.medianMs, 1),
    fixed(row.p90Ms, 1),
    fixed(row.ratioToFloor, 2),
    fixed(row.ratioToCheck, 2),
    correctText(row),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => (column === 5 ? 0 : cells[column].length))),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => {
        if (column === 5) return cell;
        return column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]);
      })
      .join('  ');
  return [
    line(header),
    line(header.map((h, c) => (c === 5 ? '-------' : '-'.repeat(widths[c])))),
    ...body.map(line),
  ].join('\n');
}

export function correctText(row) {
  if (row.correct === null) return row.wrongRuns === 0 ? 'n/a' : `n/a (${row.detail})`;
  if (row.correct) return 'yes';
  return `NO: ${row.detail} (${row.wrongRuns}/${row.runs} runs)`;
}

/**
 * The informational targets. Each says what was compared so a reader can recompute it from the
 * table; `pass` is null when a side is missing.
 */
export function evaluateTargets({ idle, load }) {
  const byId = (rows, id) => rows.find((row) => row.id === id);
  const checkIdle = byId(idle, CHECK_ID);
  const floorIdle = byId(idle, FLOOR_ID);
  const findIdle = byId(idle, 'find-process');
  const checkLoad = load ? byId(load, CHECK_ID) : null;
  const floorLoad = load ? byId(load, FLOOR_ID) : null;
  const targets = [
    {
      name: 'median check <= 2.5x node -e 0 (idle)',
      value: checkIdle.ratioToFloor,
      limit: 2.5,
      pass: lessOrEqual(checkIdle.ratioToFloor, 2.5),
      note: `check ${checkIdle.medianMs} ms vs node -e 0 ${floorIdle.medianMs} ms; paired per-round ratio ${checkIdle.pairedRatioToFloor}`,
    },
    {
      name: 'check faster than find-process (idle)',
      value: ratio(checkIdle.medianMs, findIdle.medianMs),
      limit: 1,
      pass:
        checkIdle.medianMs !== null && findIdle.medianMs !== null && checkIdle.medianMs < findIdle.medianMs,
      note: `check ${checkIdle.medianMs} ms vs find-process ${findIdle.medianMs} ms`,
    },
  ];
  if (checkLoad) {
    const loadRatio = ratio(checkLoad.medianMs, checkIdle.medianMs);
    const floorDrift = ratio(floorLoad.medianMs, floorIdle.medianMs);
    targets.push({
      name: 'check under load <= 1.5x check idle',
      value: round(loadRatio, 2),
      limit: 1.5,
      pass: lessOrEqual(loadRatio, 1.5),
      note:
        `check ${checkLoad.medianMs} ms (load) vs ${checkIdle.medianMs} ms (idle); ` +
        `the floor moved ${fixed(round(floorDrift, 2), 2)}x between the conditions, ` +
        `so the load's own cost is about ${fixed(round(ratio(loadRatio, floorDrift), 2), 2)}x`,
    });
  }
  targets.push(...executableTargets({ idle, load }));
  return targets.map((target) => ({ ...target, value: round(target.value, 2) }));
}

/** The single executable's targets, against its own Node's `node -e 0` (none when not built). */
function executableTargets({ idle, load }) {
  const byId = (rows, id) => rows?.find((row) => row.id === id);
  const floor = byId(idle, EXE_FLOOR_ID);
  const exe = byId(idle, EXE_TOOL_ID);
  const version = byId(idle, EXE_VERSION_ID);
  if (!floor || !exe || !version) return [];
  const versionRatio = ratio(version.medianMs, floor.medianMs);
  const checkRatio = ratio(exe.medianMs, floor.medianMs);
  const targets = [
    {
      name: `executable: --version <= 1.1x ${floor.label}`,
      value: versionRatio,
      limit: 1.1,
      pass: lessOrEqual(versionRatio, 1.1),
      note: `${version.medianMs} ms vs ${floor.medianMs} ms; x node -e 0 (the bundle's Node) ${version.ratioToFloor}`,
    },
    {
      name: `executable: check (idle) <= 1.3x ${floor.label}`,
      value: checkRatio,
      limit: 1.3,
      pass: lessOrEqual(checkRatio, 1.3),
      note: `${exe.medianMs} ms vs ${floor.medianMs} ms; x node -e 0 (the bundle's Node) ${exe.ratioToFloor}`,
    },
  ];
  for (const [name, rows] of [
    ['idle', idle],
    ['load', load],
  ]) {
    const ours = byId(rows, EXE_TOOL_ID);
    const peer = byId(rows, 'find-process');
    if (!ours || !peer) continue;
    targets.push({
      name: `executable: check faster than find-process (${name})`,
      value: ratio(ours.medianMs, peer.medianMs),
      limit: 1,
      pass: ours.medianMs !== null && peer.medianMs !== null && ours.medianMs < peer.medianMs,
      note: `check (executable) ${ours.medianMs} ms vs find-process ${peer.medianMs} ms`,
    });
  }
  return targets;
}

export function formatTargets(targets) {
  return targets
    .map((t) => {
      const verdict = t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'FAIL';
      return `${verdict}  ${t.name}: ${fixed(t.value, 2)} (limit ${t.limit}) - ${t.note}`;
    })
    .join('\n');
}

/** Per tool, median(load) / median(idle): how each tool scales with the machine's size. */
export function formatLoadScaling(idle, load) {
  const width = Math.max(...idle.map((row) => row.label.length));
  return idle
    .map((row) => {
      const loaded = load.find((candidate) => candidate.id === row.id);
      const factor = ratio(loaded.medianMs, row.medianMs);
      return `${row.label.padEnd(width)}  ${fixed(row.medianMs, 1).padStart(8)} -> ${fixed(loaded.medianMs, 1).padStart(8)} ms  x${fixed(round(factor, 2), 2)}`;
    })
    .join('\n');
}

function lessOrEqual(value, limit) {
  return value === null ? null : value <= limit;
}

function countBy(values) {
  const counts = {};
  for (const value of values) counts[value ?? 'none'] = (counts[value ?? 'none'] ?? 0) + 1;
  return counts;
}

export function round(value, digits) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function fixed(value, digits) {
  return value === null ? '-' : value.toFixed(digits);
}

/** Columns padded to their widest cell (the first left-aligned, the last left as it is). */
export function formatColumns(header, body) {
  const last = header.length - 1;
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body].map((cells) => (column === last ? 0 : cells[column].length))),
  );
  const line = (cells) =>
    cells
      .map((cell, column) => {
        if (column === last) return cell;
        return column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]);
      })
      .join('  ');
  return [
    line(header),
    line(header.map((_, c) => (c === last ? '-------' : '-'.repeat(widths[c])))),
    ...body.map(line),
  ].join('\n');
}
