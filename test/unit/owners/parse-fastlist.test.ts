import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseFastlist } from '../../../src/owners/parse-fastlist.ts';

// RECONSTRUCTED (not captured) fastlist output: see test/fixtures/windows/PROVENANCE.md.
const fixture = path.join(
  import.meta.dirname,
  '..',
  '..',
  'fixtures',
  'windows',
  'fastlist.RECONSTRUCTED.tab-crlf.txt',
);

describe('parseFastlist', () => {
  it('reads pid, ppid and name from tab-separated CRLF lines, names with spaces intact', () => {
    const text = readFileSync(fixture, 'utf8');
    assert.ok(text.includes('\t0\t[System Process]\r\n'));
    assert.deepEqual(parseFastlist(text), [
      { pid: 0, ppid: 0, name: '[System Process]' },
      { pid: 4, ppid: 0, name: 'System' },
      { pid: 72, ppid: 4, name: 'Secure System' },
      { pid: 128, ppid: 4, name: 'Registry' },
      { pid: 520, ppid: 4, name: 'smss.exe' },
      { pid: 776, ppid: 640, name: 'csrss.exe' },
      { pid: 864, ppid: 640, name: 'wininit.exe' },
    ]);
  });

  it('skips blank and malformed lines instead of inventing processes', () => {
    const text = '\r\n12\tx\tbad.exe\r\n13 14 spaces.exe\r\n15\t16\t\r\n17\t18\tMy App.exe\r\n';
    assert.deepEqual(parseFastlist(text), [{ pid: 17, ppid: 18, name: 'My App.exe' }]);
  });
});
