// How `stop` ends a Windows process, said once and truly: the close request goes through the
// helper of src/stop/windows-ctrl-c.ts (WM_CLOSE to a window, Ctrl+C to a console program) and
// the forceful end is TerminateProcess of that one process (`$p.Kill()`); no taskkill.exe runs.
// The README once said "the stop is `taskkill` without `/F`" in one section and described the
// helper in another; this holds every user-facing text to the helper's behaviour.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildWindowsStopScript } from '../../src/stop/windows-ctrl-c.ts';

const root = path.join(import.meta.dirname, '..', '..');
const read = (...parts: string[]): string => readFileSync(path.join(root, ...parts), 'utf8');
const filesIn = (folder: string, extension: string): string[] =>
  readdirSync(path.join(root, folder))
    .filter((name) => name.endsWith(extension))
    .map((name) => path.join(folder, name));

/** Claims that stop (or its --force) uses taskkill: false since the helper replaced it. */
const TASKKILL_CLAIMS = [
  /the stop is `?taskkill/i,
  /taskkill without \/F\)?, then/i,
  /forcefully \([^)]*taskkill \/F/i,
];

describe('how stop ends a Windows process: one truth', () => {
  it('the helper really does WM_CLOSE, Ctrl+C and TerminateProcess, and no taskkill', () => {
    const close = buildWindowsStopScript({
      pid: 4242,
      startTime: '2026-11-24T08:30:00.000Z',
      mode: 'close',
      protectedPids: [],
    });
    const kill = buildWindowsStopScript({
      pid: 4242,
      startTime: '2026-11-24T08:30:00.000Z',
      mode: 'kill',
      protectedPids: [],
    });
    assert.match(close, /CloseMainWindow\(\)/);
    assert.match(close, /GenerateConsoleCtrlEvent\(0, 0\)/);
    assert.match(kill, /\$p\.Kill\(\)/);
    assert.doesNotMatch(close + kill, /taskkill/i);
  });

  const texts = [
    'README.md',
    'docs/json-contract.md',
    ...filesIn('src/stop', '.ts'),
    'src/cli/arguments.ts',
    ...filesIn('powershell', '.ps1'),
  ];
  for (const file of texts) {
    it(`${file} does not say that stop runs taskkill`, () => {
      const text = read(file);
      for (const claim of TASKKILL_CLAIMS) assert.doesNotMatch(text, claim, `${file}: ${claim}`);
    });
  }

  it('the README describes the helper where it says what is never stopped', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('### What is never offered for stopping'));
    assert.match(section.slice(0, 1500), /WM_CLOSE to a window, Ctrl\+C to a console\s+program/);
    assert.match(section.slice(0, 1500), /TerminateProcess of that one process/);
  });
});
