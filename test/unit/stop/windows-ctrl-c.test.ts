// The Windows stop helper cannot run here; its text is pinned instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validServiceName } from '../../../src/stop/stop-deps.ts';
import { buildWindowsStopScript } from '../../../src/stop/windows-ctrl-c.ts';
import { encodePowerShellCommand } from '../../../src/system/windows-powershell.ts';

const request = { pid: 4242, startTime: '2026-11-25T08:15:30.1234567Z', protectedPids: [900, 901] };

const inOrder = (script: string, needles: string[]): void => {
  const at = needles.map((needle) => script.indexOf(needle));
  assert.ok(
    at.every((position, i) => position >= 0 && (i === 0 || position > (at[i - 1] ?? -1))),
    `steps out of order: ${JSON.stringify(at)}`,
  );
};

describe('buildWindowsStopScript', () => {
  it('close: confirms the identity with a handle held, then WM_CLOSE, then Ctrl+C only outside our console', () => {
    const script = buildWindowsStopScript({ ...request, mode: 'close' });
    inOrder(script, [
      'GetProcessById(4242)',
      '$p.StartTime.ToUniversalTime()',
      "Parse('2026-11-25T08:15:30.1234567Z'",
      'TotalSeconds) -ge 1) { exit 11 }',
      '$p.CloseMainWindow()',
      '::FreeConsole()',
      '::AttachConsole(4242)) { exit 2 }',
      '::GetConsoleProcessList($list, 1024)',
      '$protected = @(900, 901)',
      'exit 12',
      '::SetConsoleCtrlHandler([System.IntPtr]::Zero, $true)',
      '::GenerateConsoleCtrlEvent(0, 0)) { exit 3 }',
    ]);
    assert.match(script, /^'@$/m, 'the here-string terminator must start its line');
    assert.doesNotMatch(script, /Kill\(\)/);
  });

  it('kill: ends only that process, after the same identity check (no tree, no taskkill)', () => {
    const script = buildWindowsStopScript({ ...request, mode: 'kill' });
    inOrder(script, ['GetProcessById(4242)', 'exit 11', '$p.Kill()']);
    assert.doesNotMatch(script, /taskkill|\/T|GenerateConsoleCtrlEvent/);
  });

  it('accepts only a whole PID (and not ATTACH_PARENT_PROCESS) and an ISO UTC start time', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 0xffffffff, 2 ** 53]) {
      assert.throws(
        () => buildWindowsStopScript({ ...request, pid: bad, mode: 'kill' }),
        RangeError,
        String(bad),
      );
    }
    for (const bad of ["2026-11-25'); Remove-Item C:\\ -Recurse; ('", '25.11.2026 08:15', '']) {
      assert.throws(() => buildWindowsStopScript({ ...request, startTime: bad, mode: 'close' }), RangeError);
    }
  });

  it('is passed as -EncodedCommand: base64 of UTF-16LE', () => {
    assert.equal(Buffer.from(encodePowerShellCommand('exit 0'), 'base64').toString('utf16le'), 'exit 0');
  });
});

describe('validServiceName', () => {
  it('refuses names that could break out of the quoted Stop-Service argument', () => {
    assert.equal(validServiceName('W3SVC'), 'W3SVC');
    for (const bad of ["x'; Remove-Item C:\\ -Recurse; '", 'a b$(c)', ''])
      assert.throws(() => validServiceName(bad));
  });
});
