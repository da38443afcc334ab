// Runs every *.test.ts under the given folders (default: test/) with Node's
// own test runner. Node 20 finds zero tests for a folder or glob and exits 0,
// so the file list is built here, and a run that executed no test fails.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test'];

function collect(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return name === 'fixtures' ? [] : collect(full);
      return name.endsWith('.test.ts') ? [full] : [];
    });
}

const files = roots.flatMap(collect);
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
// The spec reporter's summary line, e.g. "i tests 683"; the last one is the run's total.
let tests = 0;
let partial = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const lines = (partial + chunk.toString()).split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    const match = /^\S* ?tests (\d+)$/.exec(line.trim());
    if (match) tests = Number(match[1]);
  }
});
child.on('close', (code) => {
  if (tests === 0) {
    console.error('run-tests: the test runner executed 0 tests; failing the run');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
