// The mutation scores of the decision modules, recorded next to the code they describe.
//
//   node scripts/mutation-scores.mjs            read reports/mutation/*.json (Stryker's JSON
//                                               reports), write docs/mutation/scores.json, print
//   node scripts/mutation-scores.mjs --check    exit 1 when a module changed since its score was
//                                               recorded (its sha256 differs) or has none
//
// `npm run mutate` runs Stryker (stryker.config.mjs), then this. A surviving mutant is either
// listed in docs/mutation/equivalent-mutants.json with the reason it cannot be killed, or shown
// as unexplained. Scores count a timeout as killed (Stryker's own rule), and leave out mutants
// that did not compile or run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportsDir = path.join(root, 'reports', 'mutation');
const scoresFile = path.join(root, 'docs', 'mutation', 'scores.json');
const equivalentsFile = path.join(root, 'docs', 'mutation', 'equivalent-mutants.json');

const sha256Of = (file) =>
  createHash('sha256')
    .update(readFileSync(path.join(root, file)))
    .digest('hex');

/** The modules stryker.config.mjs mutates by default (its `decisionModules`). */
async function decisionModules() {
  const saved = process.env.STRYKER_MUTATE;
  delete process.env.STRYKER_MUTATE;
  const { default: config } = await import(`${path.join(root, 'stryker.config.mjs')}?t=${Date.now()}`);
  if (saved !== undefined) process.env.STRYKER_MUTATE = saved;
  return config.mutate;
}

/** Key of a mutant that does not move when unrelated lines do not change: where and what. */
function keyOf(file, at, mutator, replacement) {
  return `${file}:${at} ${mutator} ${JSON.stringify(replacement ?? '')}`;
}

export function mutantKey(file, mutant) {
  const { line, column } = mutant.location.start;
  return keyOf(file, `${line}:${column}`, mutant.mutatorName, mutant.replacement);
}

export function summarize(file, mutants, equivalents) {
  const count = (statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
  const killed = count(['Killed', 'Timeout']);
  const survivors = mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  const explained = survivors.filter((m) => equivalents.has(mutantKey(file, m)));
  const valid = killed + survivors.length;
  return {
    mutants: valid,
    killed,
    survived: count(['Survived']),
    noCoverage: count(['NoCoverage']),
    equivalent: explained.length,
    score: valid === 0 ? 100 : Math.round((killed / valid) * 10000) / 100,
    scoreWithoutEquivalent:
      valid - explained.length === 0 ? 100 : Math.round((killed / (valid - explained.length)) * 10000) / 100,
    unexplained: survivors
      .filter((m) => !equivalents.has(mutantKey(file, m)))
      .map((m) => ({
        at: `${m.location.start.line}:${m.location.start.column}`,
        mutator: m.mutatorName,
        replacement: m.replacement ?? '',
        status: m.status,
      })),
  };
}

function readEquivalents() {
  if (!existsSync(equivalentsFile)) return new Map();
  const list = JSON.parse(readFileSync(equivalentsFile, 'utf8')).mutants;
  return new Map(
    list.map((entry) => [keyOf(entry.file, entry.at, entry.mutator, entry.replacement), entry.reason]),
  );
}

async function write() {
  const modules = await decisionModules();
  const equivalents = readEquivalents();
  const previous = existsSync(scoresFile) ? JSON.parse(readFileSync(scoresFile, 'utf8')).modules : {};
  const found = new Map();
  // Oldest report first, so that a module mutated in several runs takes the newest answer.
  const reports = existsSync(reportsDir)
    ? readdirSync(reportsDir)
        .filter((name) => name.endsWith('.json') && !name.endsWith('.incremental.json'))
        .map((name) => path.join(reportsDir, name))
        .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    : [];
  for (const report of reports) {
    const { files } = JSON.parse(readFileSync(report, 'utf8'));
    for (const [file, { mutants }] of Object.entries(files)) found.set(file.replaceAll('\\', '/'), mutants);
  }
  const result = {};
  for (const file of modules) {
    const mutants = found.get(file);
    if (mutants === undefined) {
      if (previous[file]) result[file] = previous[file];
      continue;
    }
    result[file] = { sha256: sha256Of(file), ...summarize(file, mutants, equivalents) };
  }
  writeFileSync(
    scoresFile,
    `${JSON.stringify({ note: 'Written by scripts/mutation-scores.mjs after npm run mutate; do not edit by hand.', modules: result }, null, 2)}\n`,
  );
  print(result, modules);
}

function print(result, modules) {
  const rows = modules.map((file) => {
    const entry = result[file];
    if (!entry) return `${file.padEnd(42)} (no score recorded)`;
    return `${file.padEnd(42)} ${String(entry.score).padStart(6)} %  ${String(entry.killed).padStart(4)}/${String(entry.mutants).padEnd(4)}  equivalent ${entry.equivalent}, unexplained ${entry.unexplained.length}`;
  });
  console.log(['module                                      score   killed/all', ...rows].join('\n'));
}

async function check() {
  const modules = await decisionModules();
  const recorded = existsSync(scoresFile) ? JSON.parse(readFileSync(scoresFile, 'utf8')).modules : {};
  const stale = modules.filter((file) => recorded[file]?.sha256 !== sha256Of(file));
  if (stale.length > 0) {
    console.error(
      `mutation scores are older than the code they describe: ${stale.join(', ')}; run npm run mutate (STRYKER_MUTATE=<files> for only these)`,
    );
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) await check();
  else await write();
}
