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

describe('macOS constructed netstat rows', () => {
  it('match make-constructed-netstat.mjs byte for byte, whose format reproduces a real row', () => {
    const macGenerator = path.join(
      import.meta.dirname,
      '..',
      '..',
      'fixtures',
      'macos',
      'make-constructed-netstat.mjs',
    );
    assert.doesNotThrow(() => execFileSync(process.execPath, [macGenerator, '--check'], { stdio: 'pipe' }));
  });
});
