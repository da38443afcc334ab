// The Ctrl+C helper cannot run here; its text is pinned instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCtrlCScript, encodePowerShellCommand } from '../../../src/platform/windows-ctrl-c.ts';
import { validServiceName } from '../../../src/platform/stop-deps.ts';

describe('buildCtrlCScript', () => {
  it('detaches, attaches to the target, ignores Ctrl+C itself, then sends CTRL_C_EVENT to the console', () => {
    const script = buildCtrlCScript(4242);
    const order = [
      'Add-Type',
      '::FreeConsole()',
      '::AttachConsole(4242)',
      '::SetConsoleCtrlHandler([System.IntPtr]::Zero, $true)',
      '::GenerateConsoleCtrlEvent(0, 0)',
    ].map((needle) => script.indexOf(needle));
    assert.ok(
      order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? -1))),
      `steps out of order: ${order}`,
    );
    assert.match(script, /AttachConsole\(4242\)\) \{ exit 2 \}/);
    assert.match(script, /GenerateConsoleCtrlEvent\(0, 0\)\) \{ exit 3 \}/);
    assert.match(script, /^'@$/m, 'the here-string terminator must start its line');
  });

  it('accepts only a whole PID (and not ATTACH_PARENT_PROCESS)', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 0xffffffff, 2 ** 53]) {
      assert.throws(() => buildCtrlCScript(bad), RangeError, String(bad));
    }
    assert.doesNotThrow(() => buildCtrlCScript(0xfffffffe));
  });

  it('encodes for -EncodedCommand as UTF-16LE base64', () => {
    const script = buildCtrlCScript(8);
    assert.equal(Buffer.from(encodePowerShellCommand(script), 'base64').toString('utf16le'), script);
  });
});

describe('validServiceName', () => {
  it('passes service key names and refuses anything that could be PowerShell code', () => {
    for (const ok of ['Spooler', 'MSSQL$SQLEXPRESS', 'w3svc', 'my-service.1', 'OneSyncSvc_3c2a@x']) {
      assert.equal(validServiceName(ok), ok);
    }
    for (const bad of ['', "x'; rm -r C:\\", 'a b', 'a"b', 'a`b', 'x'.repeat(257), '$(calc)']) {
      assert.throws(() => validServiceName(bad), RangeError, bad);
    }
  });
});
