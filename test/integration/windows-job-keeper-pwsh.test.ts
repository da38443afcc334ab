// The Windows job keeper's C# compiled for real by PowerShell 7 as C# 5 (what Windows
// PowerShell 5.1's Add-Type accepts), and the whole script run through -EncodedCommand, as
// start-job-keeper.ts runs it: off Windows it must compile, run and exit with "not Windows"
// before any kernel32 call. Needs pwsh (a loud skip without it; a failure under TAPO_REQUIRE_PWSH=1).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { requirePowerShellOrSkip } from '../support/pwsh-available.ts';
import {
  buildWindowsJobKeeperScript,
  jobKeeperCSharp,
  windowsJobKeeperExit,
} from '../../src/start/windows-job-keeper.ts';
import { encodePowerShellCommand } from '../../src/system/windows-powershell.ts';

const windows = process.platform === 'win32';

describe('the Windows job keeper in real PowerShell', () => {
  it('its C# compiles as C# 5', (t) => {
    const tools = requirePowerShellOrSkip(t);
    if (tools === null) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'tapo-keeper-'));
    try {
      const file = path.join(dir, 'keeper.cs');
      writeFileSync(file, jobKeeperCSharp);
      const out = execFileSync(
        tools.pwsh,
        [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          // The path goes in through the environment, not as code.
          'Add-Type -CompilerOptions "-langversion:5" -TypeDefinition (Get-Content -Raw -LiteralPath $env:TAPO_KEEPER_CS); [TapoPort.JobKeeper].GetMethod("Run").GetParameters().Count',
        ],
        { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TAPO_KEEPER_CS: file } },
      );
      assert.equal(out.trim(), '6');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'the whole script, as -EncodedCommand with commands on stdin, exits "not Windows" off Windows',
    { skip: windows && 'on Windows it would act on a real process' },
    (t) => {
      const tools = requirePowerShellOrSkip(t);
      if (tools === null) return;
      const now = Date.now();
      const script = buildWindowsJobKeeperScript({
        dashboardPid: 4242,
        launcherPid: process.pid,
        spawnedAfterMs: now - 20,
        spawnedBeforeMs: now,
      });
      const result = spawnSync(
        tools.pwsh,
        ['-NoProfile', '-NonInteractive', '-EncodedCommand', encodePowerShellCommand(script)],
        { input: 'close\nkill\n', encoding: 'utf8', timeout: 120_000 },
      );
      assert.equal(result.status, windowsJobKeeperExit.notWindows, result.stderr);
      assert.equal(result.stdout, '', 'nothing is printed before the platform check');
    },
  );
});
