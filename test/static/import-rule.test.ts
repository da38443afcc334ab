// The import rule of src/ (.dependency-cruiser.cjs, run by npm run lint:layers) can fail: on a
// small tree written here, an upward import, a cycle and a folder outside the floors are each
// reported, and a tree that keeps the rule passes. npm test runs the rule on the real src/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const depcruise = path.join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-import-rule-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `files` (path -> source) as a tree with the repository's rule, and runs the rule on it. */
function cruise(name: string, files: Record<string, string>) {
  const dir = path.join(scratch, name);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), source);
  }
  copyFileSync(path.join(repoRoot, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
  );
  return spawnSync(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs'], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe('the import rule of src/', () => {
  const base = {
    'src/start/run-start.ts': "import { exec } from '../system/exec.ts';\nexport const start = exec;\n",
    'src/system/exec.ts': 'export const exec = 1;\n',
  };

  it('passes a tree whose folders import only folders below them', () => {
    const run = cruise('clean', base);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('fails an upward import (system importing start), naming the rule and the files', () => {
    const run = cruise('upward', {
      ...base,
      'src/system/exec.ts': "import { start } from '../start/run-start.ts';\nexport const exec = start;\n",
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /no-upward-from-system: src\/system\/exec\.ts → src\/start\/run-start\.ts/);
  });

  it('fails a cycle inside one folder', () => {
    const run = cruise('cycle', {
      'src/stop/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'src/stop/b.ts': "import { a } from './a.ts';\nexport const b = a;\n",
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /no-circular/);
  });

  it('fails a file in a folder that is not one of the floors', () => {
    const run = cruise('unknown', {
      ...base,
      'src/platform/x.ts': "import { exec } from '../system/exec.ts';\nexport const x = exec;\n",
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /no-unknown-folder/);
  });
});
