import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCimQueryScript } from '../../../src/owners/windows-cim-query.ts';

describe('buildCimQueryScript', () => {
  const script = buildCimQueryScript([6120, 4, 3312, 6120]);

  it('filters on exactly the given PIDs, sorted and unique, in one WQL filter used for both classes', () => {
    assert.equal([...script.matchAll(/\$filter = '([^']*)'/g)].length, 1);
    assert.ok(script.includes("$filter = 'ProcessId = 4 OR ProcessId = 3312 OR ProcessId = 6120'"));
    assert.ok(script.includes('Get-CimInstance -ClassName Win32_Process -Filter $filter'));
    assert.ok(script.includes('Get-CimInstance -ClassName Win32_Service -Filter $filter'));
    assert.deepEqual(
      [...script.matchAll(/ProcessId = (\d+)/g)].map((match) => Number(match[1])),
      [4, 3312, 6120],
    );
  });

  it('asks for every documented field, the start time as ISO UTC and the owner through GetOwner', () => {
    for (const field of [
      'ProcessId',
      'ParentProcessId',
      'Name',
      'ExecutablePath',
      'CommandLine',
      'CreationDate',
      'Owner',
    ]) {
      assert.match(script, new RegExp(`^    ${field} = `, 'm'), field);
    }
    assert.ok(script.includes("$process.CreationDate.ToUniversalTime().ToString('o')"));
    assert.ok(
      script.includes('Invoke-CimMethod -InputObject $process -MethodName GetOwner -ErrorAction Stop'),
    );
    assert.ok(script.includes("$result.Domain + '\\' + $result.User"));
    assert.ok(
      script.includes(
        'ProcessId = [int64]$_.ProcessId; Name = $_.Name; DisplayName = $_.DisplayName; State = $_.State',
      ),
    );
  });

  it('prints one compressed JSON document in UTF-8, every non-ASCII character escaped', () => {
    assert.ok(script.includes('[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false'));
    assert.ok(script.includes('| ConvertTo-Json -Depth 4 -Compress'));
    assert.ok(script.includes("AppendFormat('\\u{0:x4}', [int]$c)"));
    assert.ok(script.trimEnd().endsWith('$ascii.ToString()'));
  });

  it('holds no double quote and no non-ASCII character, so Windows command-line quoting cannot break it', () => {
    assert.equal(script.includes('"'), false);
    assert.equal(/[^\x00-\x7f]/.test(script), false);
  });

  it('has balanced braces and parentheses (no PowerShell here to parse it)', () => {
    const withoutStrings = script.replace(/'[^']*'/g, "''");
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      let depth = 0;
      for (const char of withoutStrings) {
        if (char === open) depth += 1;
        if (char === close) depth -= 1;
        assert.ok(depth >= 0, `${close} before ${open}`);
      }
      assert.equal(depth, 0, `${open}${close} unbalanced`);
    }
  });

  it('refuses anything that is not a list of real PIDs, and an empty list that would select every process', () => {
    for (const pids of [[], [0], [-1], [1.5], [Number.NaN], [2 ** 32], [Number.POSITIVE_INFINITY]]) {
      assert.throws(() => buildCimQueryScript(pids), RangeError, JSON.stringify(pids));
    }
    assert.throws(() => buildCimQueryScript(['1; Remove-Item C:\\'] as unknown as number[]), RangeError);
    assert.ok(buildCimQueryScript([2 ** 32 - 1]).includes("'ProcessId = 4294967295'"));
  });
});
