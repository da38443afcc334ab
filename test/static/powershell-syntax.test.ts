// Every PowerShell file in the repo must parse, and parse on Windows PowerShell 5.1 too.
// No PowerShell runs here: the parser is tree-sitter's PowerShell grammar (test/support/
// powershell-parser.ts). The self-tests on temporary samples prove the check can fail.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkPowerShellTree,
  formatProblem,
  missingRequiredFiles,
  REQUIRED_POWERSHELL_FILES,
} from '../support/powershell-checks.ts';
import {
  BROKEN_SAMPLES,
  POWERSHELL_7_SAMPLES,
  SAMPLE_MANIFEST,
  SAMPLE_MODULE,
  SAMPLE_SCRIPT,
} from '../support/powershell-samples.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-ps-syntax-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
/** A fresh folder holding `files` (relative path -> content). */
function sampleTree(files: Record<string, string | Buffer>): string {
  const root = path.join(scratch, String(folders++));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  mkdirSync(root, { recursive: true });
  return root;
}

describe('checkPowerShellTree on samples', () => {
  it('passes valid files in the shapes of our module, manifest and script, and lists each one', () => {
    const root = sampleTree({
      'powershell/TapoDashboard.psm1': SAMPLE_MODULE,
      'powershell/TapoDashboard.psd1': SAMPLE_MANIFEST,
      'scripts/start_dashboard.ps1': SAMPLE_SCRIPT,
      'test/powershell/TapoDashboard.Tests.ps1': "Describe 'x' {\n  It 'y' { 1 | Should -Be 1 }\n}\n",
    });
    const result = checkPowerShellTree(root);
    assert.deepEqual(result.problems.map(formatProblem), []);
    assert.deepEqual(result.files, [
      'powershell/TapoDashboard.psd1',
      'powershell/TapoDashboard.psm1',
      'scripts/start_dashboard.ps1',
      'test/powershell/TapoDashboard.Tests.ps1',
    ]);
  });

  it('passes the same files with CRLF line endings and a UTF-8 BOM', () => {
    const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
    const root = sampleTree({
      'a.psm1': crlf(SAMPLE_MODULE),
      'b.psd1': `\uFEFF${crlf(SAMPLE_MANIFEST)}`,
      'c.ps1': `\uFEFF${SAMPLE_SCRIPT}`,
    });
    assert.deepEqual(checkPowerShellTree(root).problems.map(formatProblem), []);
  });

  for (const sample of BROKEN_SAMPLES) {
    it(`fails on ${sample.name}, pointing at line ${sample.line}`, () => {
      const root = sampleTree({ 'good.ps1': SAMPLE_SCRIPT, 'sub/broken.ps1': sample.source });
      const { problems } = checkPowerShellTree(root);
      assert.ok(problems.length > 0, 'no problem reported');
      assert.deepEqual([...new Set(problems.map((p) => p.file))], ['sub/broken.ps1']);
      const first = problems[0];
      assert.equal(first?.line, sample.line, formatProblem(first as (typeof problems)[0]));
      assert.match(formatProblem(first as (typeof problems)[0]), /^sub\/broken\.ps1:\d+:\d+: \S/);
    });
  }

  it('checks .psm1 and .psd1 files, not only .ps1', () => {
    const root = sampleTree({ 'm.psm1': 'function F {\n', 'd.psd1': "@{\n  A = 'x'\n" });
    assert.deepEqual(
      [...new Set(checkPowerShellTree(root).problems.map((p) => p.file))],
      ['d.psd1', 'm.psm1'],
    );
  });

  for (const sample of POWERSHELL_7_SAMPLES) {
    it(`fails on PowerShell 7-only syntax: ${sample.construct}`, () => {
      const root = sampleTree({ 'seven.ps1': sample.source });
      const messages = checkPowerShellTree(root).problems.map(formatProblem);
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(messages[0] as string, /^seven\.ps1:1:\d+: .*needs PowerShell 7/);
      assert.ok(messages[0]?.includes(sample.construct), messages[0]);
      assert.deepEqual(checkPowerShellTree(root, { windowsPowerShell: false }).problems, []);
    });
  }

  it('skips node_modules, dist and .git', () => {
    const root = sampleTree({
      'ok.ps1': "'fine'\n",
      'node_modules/pkg/bad.ps1': 'function {\n',
      'dist/bad.ps1': 'function {\n',
      '.git/hooks/bad.ps1': 'function {\n',
    });
    const result = checkPowerShellTree(root);
    assert.deepEqual(result.files, ['ok.ps1']);
    assert.deepEqual(result.problems, []);
  });

  it('finds nothing in a folder without PowerShell files, which the repo test treats as a failure', () => {
    const root = sampleTree({ 'readme.txt': 'x' });
    assert.deepEqual(checkPowerShellTree(root).files, []);
    assert.deepEqual(missingRequiredFiles([]), [...REQUIRED_POWERSHELL_FILES]);
  });
});

describe('PowerShell files in the repo', () => {
  const result = checkPowerShellTree(repoRoot);

  it('include the module, its manifest and the controller script', () => {
    assert.deepEqual(
      missingRequiredFiles(result.files),
      [],
      `missing PowerShell files (found: ${result.files.join(', ') || 'none'})`,
    );
  });

  it('parse without errors, with Windows PowerShell 5.1 syntax only', () => {
    assert.ok(result.files.length > 0, 'no .ps1/.psm1/.psd1 file found');
    assert.deepEqual(result.problems.map(formatProblem), []);
  });
});
