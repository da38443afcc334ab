// The recorded mutation scores (docs/mutation/scores.json) describe the decision modules as
// they are: a module edited since `npm run mutate` last ran on it fails here, so the scores in
// the README cannot silently go stale. (A full run takes over half an hour on two cores: too
// long for every CI run; see README "Mutation testing".)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(import.meta.dirname, '..', '..');

describe('recorded mutation scores', () => {
  it('are as new as every decision module they describe', () => {
    assert.doesNotThrow(
      () =>
        execFileSync(process.execPath, [path.join(root, 'scripts', 'mutation-scores.mjs'), '--check'], {
          stdio: 'pipe',
        }),
      'run npm run mutate for the modules named on stderr',
    );
  });

  it('name every module of stryker.config.mjs, each with its counts', async () => {
    const { default: config } = await import(path.join(root, 'stryker.config.mjs'));
    const { modules } = JSON.parse(readFileSync(path.join(root, 'docs', 'mutation', 'scores.json'), 'utf8'));
    assert.deepEqual(Object.keys(modules).sort(), [...config.mutate].sort());
    for (const [file, entry] of Object.entries(modules) as [string, { mutants: number; killed: number }][]) {
      assert.ok(entry.mutants > 0 && entry.killed <= entry.mutants, file);
    }
  });
});
