// The Windows job keeper cannot run here; its script is pinned (and compiled in pwsh by
// test/integration/windows-job-keeper-pwsh.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildWindowsJobKeeperScript,
  describeJobKeeperExit,
  jobKeeperCSharp,
  parseJobKeeperLine,
  windowsJobKeeperExit,
} from '../../../src/start/windows-job-keeper.ts';
import { encodePowerShellCommand } from '../../../src/system/windows-powershell.ts';

const spawnedAfterMs = Date.UTC(2026, 10, 25, 8, 15, 30, 100);
const request = {
  dashboardPid: 4242,
  launcherPid: 900,
  spawnedAfterMs,
  spawnedBeforeMs: spawnedAfterMs + 40,
};

const inOrder = (text: string, needles: string[]): void => {
  const at = needles.map((needle) => text.indexOf(needle));
  assert.ok(
    at.every((position, i) => position >= 0 && (i === 0 || position > (at[i - 1] ?? -1))),
    `steps out of order: ${JSON.stringify(at)}`,
  );
};

describe('buildWindowsJobKeeperScript', () => {
  it('compiles the keeper and runs it with the PIDs and the spawn window as FILETIMEs (1 s slack)', () => {
    const script = buildWindowsJobKeeperScript(request);
    const lines = script.split('\n');
    assert.equal(lines[0], "$ErrorActionPreference = 'Stop'");
    assert.equal(lines[1], "Add-Type -TypeDefinition @'");
    assert.match(script, /^'@$/m, 'the here-string terminator must start its line');
    // 2026-11-25T08:15:29.100Z and 08:15:31.140Z in 100-ns ticks since 1601.
    assert.equal(
      lines.at(-1),
      'exit [TapoPort.JobKeeper]::Run(4242, 900, 134400681291000000, 134400681311400000, [Console]::In, [Console]::Out)',
    );
    assert.equal(
      script,
      [
        "$ErrorActionPreference = 'Stop'",
        "Add-Type -TypeDefinition @'",
        jobKeeperCSharp,
        "'@",
        lines.at(-1),
      ].join('\n'),
    );
  });

  it('the C#: a kill-on-close job without breakaway, the identity checks before the job, then the commands', () => {
    inOrder(jobKeeperCSharp, [
      'FreeConsole();',
      'if (pid == (uint)Process.GetCurrentProcess().Id) return 10;',
      'OpenProcess(Access, false, pid)',
      'created < notBefore || created > notAfter',
      'parent != launcherPid) { CloseHandle(handle); return 11; }',
      'CreateJobObjectW(IntPtr.Zero, null)',
      'info.Basic.LimitFlags = 0x2000;',
      'AssignProcessToJobObject(job, handle)) { CloseHandle(handle); return 14; }',
      'Adopt();',
      'output.WriteLine("ready "',
      'if (line == null) { Kill(); return 0; }',
      'line == "close"',
      'line == "kill"',
    ]);
    // KILL_ON_JOB_CLOSE only: BREAKAWAY_OK (0x800) or SILENT_BREAKAWAY_OK (0x1000) would let
    // its children out of the job, as libuv's own job does.
    assert.doesNotMatch(jobKeeperCSharp, /0x800\b|0x1000;|BREAKAWAY/);
    assert.match(
      jobKeeperCSharp,
      /const uint Access = 0x0001 \| 0x0100 \| 0x1000 \| 0x100000;/,
      'TERMINATE|SET_QUOTA|QUERY_LIMITED|SYNCHRONIZE',
    );
    // A child is adopted only when it was created after its held parent (that PID is pinned).
    assert.match(jobKeeperCSharp, /created < parent\.Created\) \{ CloseHandle\(handle\); continue; \}/);
    inOrder(jobKeeperCSharp, [
      'static void Kill() {\n    Adopt();',
      'TerminateJobObject(job, 1);',
      'TerminateProcess(h.Handle, 1)',
    ]);
    // `close` asks windows only: no console event that would reach tapo-port and its shell.
    assert.doesNotMatch(jobKeeperCSharp, /GenerateConsoleCtrlEvent|AttachConsole/);
    assert.match(jobKeeperCSharp, /p\.MainWindowHandle != IntPtr\.Zero && p\.CloseMainWindow\(\)/);
  });

  it('the C# is C# 5 (Windows PowerShell 5.1): no interpolated strings, expression bodies or out var', () => {
    assert.doesNotMatch(jobKeeperCSharp, /\$"|\) =>|out var |\?\.|nameof\(/);
  });

  it('accepts only whole PIDs (not 0, not ATTACH_PARENT_PROCESS) and a sane spawn window', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 0xffffffff, 2 ** 53]) {
      assert.throws(
        () => buildWindowsJobKeeperScript({ ...request, dashboardPid: bad }),
        RangeError,
        String(bad),
      );
      assert.throws(
        () => buildWindowsJobKeeperScript({ ...request, launcherPid: bad }),
        RangeError,
        String(bad),
      );
    }
    for (const bad of [Number.NaN, 1.5, -5, 0, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => buildWindowsJobKeeperScript({ ...request, spawnedAfterMs: bad }),
        RangeError,
        String(bad),
      );
    }
    assert.throws(
      () => buildWindowsJobKeeperScript({ ...request, spawnedBeforeMs: request.spawnedAfterMs - 1 }),
      RangeError,
    );
  });

  it('carries no caller text: besides the fixed C#, only digits are interpolated', () => {
    const script = buildWindowsJobKeeperScript(request);
    const variable = script.replace(jobKeeperCSharp, '');
    assert.equal(
      variable.replace(/\d+/g, 'N'),
      "$ErrorActionPreference = 'Stop'\nAdd-Type -TypeDefinition @'\n\n'@\nexit [TapoPort.JobKeeper]::Run(N, N, N, N, [Console]::In, [Console]::Out)",
    );
    // The C# here-string could only be broken by a line starting with '@.
    assert.doesNotMatch(jobKeeperCSharp, /^'@/m);
  });

  it('fits a Windows command line as -EncodedCommand (32,767 characters)', () => {
    const encoded = encodePowerShellCommand(buildWindowsJobKeeperScript(request));
    assert.ok(encoded.length < 30_000, `encoded script is ${encoded.length} characters`);
  });
});

describe('parseJobKeeperLine', () => {
  it('understands ready, closed and killed, and nothing else', () => {
    assert.deepEqual(parseJobKeeperLine('ready 3 1\r'), { kind: 'ready', inJob: 3, heldOutside: 1 });
    assert.deepEqual(parseJobKeeperLine('closed 0'), { kind: 'closed', windows: 0 });
    assert.deepEqual(parseJobKeeperLine('killed'), { kind: 'killed' });
    for (const other of ['ready', 'ready 1', 'ready -1 0', 'readyx 1 1', 'unknown', '', 'Add-Type : error'])
      assert.equal(parseJobKeeperLine(other), null, other);
  });
});

describe('describeJobKeeperExit', () => {
  it('names every documented exit code, and an unknown one by its number', () => {
    const texts = Object.values(windowsJobKeeperExit)
      .filter((code) => code !== windowsJobKeeperExit.done)
      .map((code) => describeJobKeeperExit(code));
    assert.equal(new Set(texts).size, texts.length);
    assert.ok(texts.every((text) => !/code \d/.test(text)));
    assert.equal(describeJobKeeperExit(1), 'the helper exited with code 1');
    assert.equal(describeJobKeeperExit(null), 'the helper exited with a signal');
  });
});
