// Every golden file must be what Windows PowerShell 5.1 reads unchanged through any OEM code
// page: printable ASCII and newlines only, every other character a \uXXXX escape.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const goldenDir = path.join(import.meta.dirname, '..', '..', 'golden');
const files = readdirSync(goldenDir)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('golden files are pure ASCII', () => {
  it('there are golden files to check', () => {
    assert.ok(files.length >= 15, `only ${files.length} golden files in ${goldenDir}`);
  });

  for (const name of files) {
    it(name, () => {
      const bytes = readFileSync(path.join(goldenDir, name));
      const bad = bytes.findIndex((byte) => byte !== 0x0a && (byte < 0x20 || byte > 0x7e));
      assert.equal(bad, -1, `byte 0x${bytes[bad]?.toString(16)} at offset ${bad}`);
      // One document, ending in one newline, with no BOM and no CR.
      assert.equal(bytes.at(-1), 0x0a);
      assert.notEqual(bytes.at(-2), 0x0a);
      assert.doesNotThrow(() => JSON.parse(bytes.toString('ascii')));
    });
  }
});
