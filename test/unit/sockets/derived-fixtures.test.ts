import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

// The DERIVED and CONSTRUCTED fixtures must be exactly what their generator writes.
const generator = path.join(
  import.meta.dirname,
  '..',
  '..',
  'fixtures',
  'windows',
  'make-derived-variants.mjs',
);

describe('Windows derived fixtures', () => {
  it('match make-derived-variants.mjs byte for byte', () => {
    assert.doesNotThrow(() => execFileSync(process.execPath, [generator, '--check'], { stdio: 'pipe' }));
  });
});
