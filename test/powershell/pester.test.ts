// Every Pester suite in this folder, run by a real PowerShell 7 (scripts/install-powershell.sh),
// each of its tests reported here as a test of its own: a failing It fails npm test with Pester's
// message, a suite that finds no test fails, and a missing pwsh is a loud skip (a failure under
// TAPO_REQUIRE_PWSH=1, as in CI).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot, requirePowerShellOrSkip } from '../support/pwsh-available.ts';

interface PesterTest {
  name: string;
  result: 'Passed' | 'Failed' | 'Skipped' | 'NotRun' | 'Inconclusive';
  message: string | null;
}
interface PesterSummary {
  pester: string;
  powershell: string;
  passed: number;
  failed: number;
  skipped: number;
  containerErrors: string[];
  tests: PesterTest[];
}

const suiteDir = import.meta.dirname;
// In npm test's second pass (TAPO_TEST_CORE names the single executable) only the suite of the
// real core runs again: the others drive the fake core, whatever the real one is.
const executablePass = (process.env.TAPO_TEST_CORE ?? '') !== '';
const suites = readdirSync(suiteDir)
  .filter((name) => name.endsWith('.Tests.ps1'))
  .filter((name) => !executablePass || name === 'RealCore.Tests.ps1')
  .sort();
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-pester-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A whole suite can take minutes (the real core starts dashboards); this only stops a hang. */
const SUITE_TIMEOUT_MS = 15 * 60_000;

function runSuite(
  pwsh: string,
  pesterManifest: string | null,
  suite: string,
): Promise<{ code: number | null; output: string; resultPath: string }> {
  const resultPath = path.join(scratch, `${suite}.json`);
  const args = [
    '-NoLogo',
    '-NoProfile',
    '-NonInteractive',
    '-File',
    path.join(suiteDir, 'Invoke-PesterSuite.ps1'),
    '-Path',
    path.join(suiteDir, suite),
    '-ResultPath',
    resultPath,
  ];
  if (pesterManifest !== null) args.push('-PesterManifest', pesterManifest);
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, args, {
      cwd: repoRoot,
      // The suites start child PowerShells of their own: they use this one (the .NET tool runs
      // under `dotnet`, so the running process's path is not a PowerShell).
      env: { ...process.env, TAPO_PWSH: pwsh, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), SUITE_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, resultPath });
    });
  });
}

describe('Pester suites in a real pwsh', () => {
  test('there are Pester suites to run', () => {
    assert.ok(
      suites.length >= (executablePass ? 1 : 3),
      `expected the Pester suites in ${suiteDir}, found ${suites.join(', ')}`,
    );
  });

  for (const suite of suites) {
    test(suite, async (t) => {
      const tools = requirePowerShellOrSkip(t);
      if (tools === null) return;
      const run = await runSuite(tools.pwsh, tools.pesterManifest, suite);
      if (run.code === 3 && /Pester 5/.test(run.output)) {
        // pwsh is there but Pester is not: the same rule as a missing pwsh.
        const message = `Pester 5 not found for ${tools.pwsh}; install it with npm run setup:powershell`;
        if (process.env.TAPO_REQUIRE_PWSH === '1') assert.fail(`TAPO_REQUIRE_PWSH=1: ${message}`);
        process.stderr.write(`\nSKIPPED: ${message}\n\n`);
        t.skip(message);
        return;
      }
      let summary: PesterSummary;
      try {
        summary = JSON.parse(readFileSync(run.resultPath, 'utf8').replace(/^\uFEFF/, '')) as PesterSummary;
      } catch {
        assert.fail(`${suite}: pwsh exited ${run.code} without a result file:\n${run.output}`);
      }
      t.diagnostic(
        `PowerShell ${summary.powershell}, Pester ${summary.pester}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
      );
      for (const pester of summary.tests) {
        await t.test(pester.name, (st) => {
          if (pester.result === 'Skipped') {
            // Each skip says why in the suite (a Windows-only path on Linux); it is shown, not hidden.
            process.stderr.write(`\nSKIPPED (Pester): ${pester.name}: ${pester.message ?? ''}\n`);
            st.skip(pester.message ?? 'skipped by Pester');
            return;
          }
          assert.equal(pester.result, 'Passed', pester.message ?? `${pester.name}: ${pester.result}`);
        });
      }
      assert.deepEqual(summary.containerErrors, [], `${suite}: errors outside any test`);
      assert.ok(summary.tests.length > 0, `${suite}: Pester found no test\n${run.output}`);
      assert.equal(
        run.code,
        0,
        `${suite}: Invoke-PesterSuite exited ${run.code}\n${run.output.slice(-4000)}`,
      );
    });
  }
});
