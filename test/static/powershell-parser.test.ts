// The PowerShell parser the static checks stand on (test/support/powershell-parser.ts): what it
// accepts, what it rejects, what the contract helpers return, and the grammar's known mistakes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeScript,
  evaluatePowerShellData,
  findCommandNames,
  findCommands,
  findForeachLoops,
  findFunctionDefinitions,
  findHashLiterals,
  findMemberAccessChains,
  findPowerShell7Syntax,
  findStringLiterals,
  parsePowerShell,
} from '../support/powershell-parser.ts';
import { SAMPLE_MANIFEST, SAMPLE_MODULE, SAMPLE_SCRIPT } from '../support/powershell-samples.ts';

const tree = (source: string) => {
  const result = parsePowerShell(source);
  assert.deepEqual(result.errors, [], source);
  return result.tree;
};
const errorsOf = (source: string): string[] =>
  parsePowerShell(source).errors.map((e) => `${e.line}:${e.column} ${e.kind} ${e.text}`);

describe('parsePowerShell accepts what our files use', () => {
  const valid: [string, string][] = [
    [
      'CmdletBinding with ShouldProcess',
      "function F {\n  [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]\n  param()\n}\n",
    ],
    [
      'CmdletBinding with = $true',
      "function F {\n  [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'A')]\n  param()\n}\n",
    ],
    [
      'pipeline-bound validated parameter',
      'function F {\n  param([Parameter(ValueFromPipelineByPropertyName)][ValidateRange(1,65535)][int]$Port = 7777)\n}\n',
    ],
    [
      'parameter attributes over several lines',
      'param(\n  [Parameter(\n    Mandatory,\n    ValueFromPipeline\n  )]\n  [int]\n  $Port\n)\n',
    ],
    [
      'ValidateSet, ValidateScript, switch, Alias',
      "param([ValidateSet('a','b')][string]$Mode = 'a', [ValidateScript({ Test-Path -LiteralPath $_ })][string]$Path, [switch]$Force, [Alias('p')][int]$Port)\n",
    ],
    [
      'comment-based help in the body',
      'function F {\n  <#\n  .SYNOPSIS\n  x\n  .EXAMPLE\n  F\n  #>\n  [CmdletBinding()]\n  param()\n}\n',
    ],
    ['comment-based help before the function', '<#\n.SYNOPSIS\nx\n#>\nfunction F { }\n'],
    [
      'ShouldProcess and ShouldContinue',
      "if ($PSCmdlet.ShouldProcess(\"port $Port\", 'Stop')) { }\nif ($Force -or $PSCmdlet.ShouldContinue('q', 'c')) { }\n",
    ],
    ['call operator with splatting and 2>&1', '$output = & $node @args 2>&1\n'],
    ['call operator on a quoted path', "& 'C:\\Program Files\\nodejs\\node.exe' --version\n"],
    ['quoted --name=value arguments', '& $node \'--host=127.0.0.1\' "--port=$Port"\n'],
    ['dot-sourcing', ". (Join-Path $PSScriptRoot 'lib.ps1')\n. $PSScriptRoot\\lib.ps1\n"],
    [
      'console encoding',
      '[Console]::OutputEncoding = [Text.Encoding]::UTF8\n[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)\n',
    ],
    ['try/catch/finally', 'try { 1 } catch [System.IO.IOException] { 2 } catch { 3 } finally { 4 }\n'],
    ['try/finally on separate lines', 'try {\n  1\n}\nfinally {\n  2\n}\n'],
    [
      'discarding output',
      '$null = New-Item -ItemType Directory -Path $p -Force\n[void]$list.Add(1)\n$x | Out-Null\n',
    ],
    [
      'splatting',
      '$params = @{ Path = $p; Force = $true }\nRemove-Item @params\nGet-Thing @PSBoundParameters\n',
    ],
    [
      'pscustomobject with PSTypeName',
      "[pscustomobject]@{\n  PSTypeName = 'Tapo.PortOwner'\n  Pid        = 1\n  'Name'     = 'x'\n}\n",
    ],
    [
      'Export-ModuleMember',
      "Export-ModuleMember -Function @('Get-A', 'Stop-B') -Alias @()\nExport-ModuleMember -Function Get-A, Stop-B\n",
    ],
    ['expandable here-string', '$s = @"\nHello $name\n$($x.y) "quoted"\n"@\n'],
    ['verbatim here-string as an argument', "Write-Output @'\nNo $x here\n'@\n"],
    ['here-strings with CRLF', '$s = @\'\r\nabc\r\n\'@\r\n$t = @"\r\n$x\r\n"@\r\n'],
    ['-f format strings', "'{0,-10} {1:N2}' -f $a, $b\n$m = ('Port {0} held by {1}' -f $Port, $name)\n"],
    [
      'switch statements',
      "switch ($x) {\n  1 { 'one' }\n  'a' { 'A'; break }\n  { $_ -gt 5 } { 'big' }\n  default { 'other' }\n}\nswitch -Regex ($s) { '^a' { 1 } }\nswitch -Wildcard -CaseSensitive ($s) { 'a*' { 1 } }\n",
    ],
    ['exit with a code', 'exit $code\nexit 0\nexit ($code + 1)\n'],
    ['PowerShell version check', 'if ($PSVersionTable.PSVersion.Major -ge 7) { }\n'],
    ['native argument passing', "$PSNativeCommandArgumentPassing = 'Standard'\n"],
    [
      'Register-ScheduledTask',
      '$action = New-ScheduledTaskAction -Execute \'powershell.exe\' -Argument "-NoProfile -File `"$script`""\n$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero)\nRegister-ScheduledTask -TaskName \'Tapo\' -Action $action -Settings $settings -RunLevel Limited -Force | Out-Null\n',
    ],
    [
      '#Requires and strict mode',
      "#Requires -Version 5.1\nSet-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n",
    ],
    [
      'line continuation and multi-line pipelines',
      'Get-Thing -A 1 `\n  -B 2\nGet-Process |\n  Where-Object { $_.Id -gt 4 } |\n  Select-Object -First 1\n',
    ],
    [
      'loops',
      'foreach ($o in $r.data.owners) { $o.pid }\nfor ($i = 0; $i -lt 3; $i++) { }\nwhile ($true) { break }\ndo { $i-- } while ($i -gt 0)\n',
    ],
    ['labelled loop with a quoted label', ":outer foreach ($a in 1..3) { break 'outer' }\n"],
    [
      'begin/process/end',
      'function F {\n  [CmdletBinding()]\n  param([Parameter(ValueFromPipeline)]$In)\n  begin { $all = @() }\n  process { $all += $In }\n  end { $all }\n}\n',
    ],
    [
      'error records',
      "$e = [System.InvalidOperationException]::new('m')\n$r = [System.Management.Automation.ErrorRecord]::new($e, 'Id', 'NotSpecified', $null)\n$r.ErrorDetails = [System.Management.Automation.ErrorDetails]::new('m')\n$PSCmdlet.ThrowTerminatingError($r)\n",
    ],
    ['backtick escapes and doubled quotes', '$s = "tab`there `$notvar `"q`""\n$t = \'it\'\'s\'\n'],
    ['scope modifiers and env', "$script:x = 1\n$env:TAPO = 'x'\n${env:ProgramFiles(x86)}\n"],
    [
      'generic types and accelerators',
      '[string[]]$b = @()\n$l = [System.Collections.Generic.List[string]]::new()\n$o = [ordered]@{ a = 1 }\n',
    ],
    [
      'operators',
      "$a -eq 1 -and -not $c\n$s -like 'a*'\n$s -match '^\\d+$'\n$x -in @(1,2)\n$s -replace 'a', 'b'\n$x -isnot [System.Management.Automation.ErrorRecord]\n",
    ],
    ['Where/ForEach methods', "$a.Where({ $_ -gt 1 }, 'First')\n$a.ForEach({ $_ * 2 })\n"],
    [
      'class and enum',
      'enum Kind { Process; Container }\nclass Owner {\n  [int]$Pid\n  Owner([int]$p) { $this.Pid = $p }\n}\n',
    ],
    ['a UTF-8 BOM', "\uFEFF$a = 'x'\n"],
    ['an empty file', ''],
    ['a comment-only file', '# a\n<# b #>\n'],
    ['the sample module', SAMPLE_MODULE],
    ['the sample manifest', SAMPLE_MANIFEST],
    ['the sample script', SAMPLE_SCRIPT],
  ];
  for (const [name, source] of valid) {
    it(name, () => assert.deepEqual(errorsOf(source), []));
  }

  it('and rejects a param block that is not first in its script block, as PowerShell does', () => {
    assert.notDeepEqual(errorsOf(`$a = 1\n${SAMPLE_SCRIPT}`), []);
  });
});

describe('parsePowerShell reports errors with positions', () => {
  it('reports a MISSING token where the grammar expected it', () => {
    assert.deepEqual(errorsOf("function F {\n  'a'\n"), ['2:6 missing missing "}"']);
  });

  it('reports an ERROR node with the text it could not parse', () => {
    assert.deepEqual(errorsOf('$a = 1\n}\n'), ['2:1 error cannot parse "}"']);
  });

  it('reports PowerShell parse errors the grammar accepts', () => {
    assert.deepEqual(errorsOf('try { 1 }\n@{ a = 1; A = 2 }\nfunction F([int]$x, $X) { }\n'), [
      '1:1 semantic try block without catch or finally',
      "2:11 semantic duplicate key 'A' in hash literal",
      '3:21 semantic duplicate parameter $X',
    ]);
  });

  it('counts columns without the BOM and in UTF-16 code units', () => {
    assert.deepEqual(errorsOf("\uFEFF$a = '\u00e9\u{1f600}' }\n"), ['1:12 error cannot parse "}"']);
  });
});

describe('known grammar mistakes (avoid these in our files; the test fails when the grammar changes)', () => {
  it("rejects a labelled break/continue with a bare label: write `break 'outer'` instead", () => {
    assert.notDeepEqual(errorsOf(':outer foreach ($a in 1..3) { break outer }\n'), []);
    assert.notDeepEqual(errorsOf(':outer while ($true) { continue outer }\n'), []);
  });

  it('rejects an unquoted native argument `-name=value` whose value holds a dot: quote it', () => {
    // PowerShell itself splits such an argument at the dot (PowerShell/PowerShell#6291).
    assert.notDeepEqual(errorsOf('& $node --host=127.0.0.1\n'), []);
    assert.notDeepEqual(errorsOf('node --out=a.txt\n'), []);
    assert.deepEqual(errorsOf("& $node '--host=127.0.0.1' --port=7777\n"), []);
  });

  it('rejects null-conditional member access `${a}?.b` (PowerShell 7.1+, not for our 5.1 files anyway)', () => {
    assert.notDeepEqual(errorsOf('${a}?.b\n'), []);
  });

  it('accepts some invalid code: these need PowerShell itself to catch', () => {
    assert.deepEqual(errorsOf('1 = 2\n'), []);
    assert.deepEqual(errorsOf('Write-Output (if ($a) { 1 })\n'), []);
    assert.deepEqual(errorsOf('@{ a == 1 }\n'), []);
  });
});

describe('findStringLiterals', () => {
  it('returns each literal with its kind, unquoted value and whether it expands', () => {
    const source = "$a = 'it''s'\n$b = \"port $Port`n\"\n$c = @'\nraw $x\n'@\n$d = @\"\nv$($y)\n\"@\n";
    assert.deepEqual(
      findStringLiterals(tree(source)).map((s) => [s.line, s.column, s.kind, s.value, s.hasExpansion]),
      [
        [1, 6, 'verbatim', "it's", false],
        [2, 6, 'expandable', 'port $Port\n', true],
        [3, 6, 'verbatim-here', 'raw $x', false],
        [6, 6, 'expandable-here', 'v$($y)', true],
      ],
    );
  });
});

describe('findCommands and findCommandNames', () => {
  const source =
    "$n = (Get-Command -Name node -ErrorAction Stop).Source\n& $n @args 2>&1\n& 'C:\\tools\\node.exe' --version\n. .\\lib.ps1\nGet-Process | Where-Object { $_.Id -gt 4 }\n";

  it('returns each call with its name, invocation operator, dynamic flag and parameters', () => {
    assert.deepEqual(
      findCommands(tree(source)).map((c) => [c.line, c.name, c.invocation, c.dynamic, c.parameters]),
      [
        [1, 'Get-Command', null, false, ['-Name', '-ErrorAction']],
        [2, '$n', '&', true, []],
        [3, 'C:\\tools\\node.exe', '&', false, ['--version']],
        [4, '.\\lib.ps1', '.', false, []],
        [5, 'Get-Process', null, false, []],
        [5, 'Where-Object', null, false, []],
      ],
    );
  });

  it('lists the distinct static names in first-use order', () => {
    assert.deepEqual(findCommandNames(tree(source)), [
      'Get-Command',
      'C:\\tools\\node.exe',
      '.\\lib.ps1',
      'Get-Process',
      'Where-Object',
    ]);
  });
});

describe('findMemberAccessChains', () => {
  it('returns property paths with index, method and static steps', () => {
    const source = [
      '$owners = $result.data.owners',
      '$first = $result.data.owners[0].process.name',
      "$n = $result.'quoted-key'.x",
      '$ok = $result.data.Where({ $_.ok }).Count',
      '[Console]::OutputEncoding = [Text.Encoding]::UTF8',
      '$record.ErrorDetails.RecommendedAction = $result.error.hint',
      '"port $($result.data.port)"',
      '$PSCmdlet.ShouldProcess($t, $a)',
    ].join('\n');
    assert.deepEqual(
      findMemberAccessChains(tree(source)).map((c) => [
        c.line,
        c.root,
        c.rootKind,
        c.path,
        c.static,
        c.assigned,
      ]),
      [
        [1, '$result', 'variable', ['data', 'owners'], false, false],
        [2, '$result', 'variable', ['data', 'owners', '[]', 'process', 'name'], false, false],
        [3, '$result', 'variable', ['quoted-key', 'x'], false, false],
        [4, '$result', 'variable', ['data', 'Where()', 'Count'], false, false],
        [4, '$_', 'variable', ['ok'], false, false],
        [5, '[Console]', 'type', ['OutputEncoding'], true, true],
        [5, '[Text.Encoding]', 'type', ['UTF8'], true, false],
        [6, '$record', 'variable', ['ErrorDetails', 'RecommendedAction'], false, true],
        [6, '$result', 'variable', ['error', 'hint'], false, false],
        [7, '$result', 'variable', ['data', 'port'], false, false],
        [8, '$PSCmdlet', 'variable', ['ShouldProcess()'], false, false],
      ],
    );
  });

  it('finds the paths the sample module reads from the JSON envelope', () => {
    const paths = findMemberAccessChains(tree(SAMPLE_MODULE))
      .filter((c) => c.root === '$result' || c.root === '$call' || c.root === '$owner')
      .map((c) => `${c.root}.${c.path.join('.')}`);
    assert.deepEqual(paths, [
      '$result.ok',
      '$result.error.code',
      '$result.error.message',
      '$result.error.code',
      '$result.error.hint',
      '$call.Result.data.owners',
      '$owner.pid',
      '$owner.process.name',
      '$owner.kind',
    ]);
  });
});

describe('findForeachLoops', () => {
  it('ties the loop variable to the collection chain', () => {
    const [loop] = findForeachLoops(tree(SAMPLE_MODULE));
    assert.equal(loop?.variable, '$owner');
    assert.equal(loop?.collection, '$call.Result.data.owners');
    assert.deepEqual(loop?.collectionChain?.path, ['Result', 'data', 'owners']);
  });
});

describe('findHashLiterals', () => {
  it('returns the cast, keys and constant values', () => {
    const [object] = findHashLiterals(
      tree("[pscustomobject]@{ PSTypeName = 'Tapo.PortOwner'; Pid = $o.pid; N = 2 }\n"),
    );
    assert.equal(object?.cast, 'pscustomobject');
    assert.deepEqual(
      object?.entries.map((e) => [e.key, e.value, e.valueText]),
      [
        ['PSTypeName', 'Tapo.PortOwner', "'Tapo.PortOwner'"],
        ['Pid', undefined, '$o.pid'],
        ['N', 2, '2'],
      ],
    );
  });
});

describe('findFunctionDefinitions', () => {
  const functions = findFunctionDefinitions(tree(SAMPLE_MODULE));
  const byName = (name: string) => functions.find((f) => f.name === name);

  it('lists every function with help and CmdletBinding', () => {
    assert.deepEqual(
      functions.map((f) => [f.name, f.hasCommentHelp, f.cmdletBinding?.named ?? null]),
      [
        ['Invoke-TapoCore', true, {}],
        ['Get-TapoPortOwner', true, {}],
        ['Stop-TapoPortOwner', true, { SupportsShouldProcess: true, ConfirmImpact: 'High' }],
        ['Register-TapoDashboardTask', false, { SupportsShouldProcess: true }],
        ['Format-TapoKind', false, null],
      ],
    );
  });

  it('returns help sections, output types and parameters', () => {
    const invoke = byName('Invoke-TapoCore');
    assert.equal(invoke?.help?.placement, 'body-start');
    assert.deepEqual(
      invoke?.help?.sections.map((s) => [s.keyword, s.argument]),
      [
        ['SYNOPSIS', null],
        ['DESCRIPTION', null],
        ['PARAMETER', 'Arguments'],
        ['EXAMPLE', null],
      ],
    );
    assert.equal(
      invoke?.help?.sections[0]?.content,
      'Runs the tapo-port core and returns its parsed JSON envelope.',
    );
    assert.deepEqual(invoke?.outputTypes, ['pscustomobject']);
    const port = byName('Get-TapoPortOwner')?.parameters[0];
    assert.deepEqual(
      [
        port?.name,
        port?.type,
        port?.defaultText,
        port?.attributes.map((a) => [a.name, a.named, a.positional]),
      ],
      [
        'Port',
        'int',
        '7777',
        [
          ['Parameter', { ValueFromPipelineByPropertyName: true }, []],
          ['ValidateRange', {}, [1, 65535]],
        ],
      ],
    );
  });

  it('splits a last parameter the grammar folds into the previous default', () => {
    // The grammar reads `7777,\n [switch]$Force` as an array default; PowerShell does not.
    assert.deepEqual(
      byName('Stop-TapoPortOwner')?.parameters.map((p) => [p.name, p.type, p.defaultText]),
      [
        ['Port', 'int', '7777'],
        ['Force', 'switch', null],
      ],
    );
    const [f] = findFunctionDefinitions(tree('function F { param($a = 1, $b) }\n'));
    assert.deepEqual(
      f?.parameters.map((p) => [p.name, p.defaultText]),
      [
        ['a', '1'],
        ['b', null],
      ],
    );
  });

  it('finds help before the function, at the end of its body, and written with # lines', () => {
    const source =
      '<#\n.SYNOPSIS\nBefore.\n#>\n\nfunction A { }\n\nfunction B {\n  1\n  <#\n  .SYNOPSIS\n  End.\n  #>\n}\n\nfunction C {\n  # .SYNOPSIS\n  # Lines.\n  param()\n}\n\n# not help\nfunction D { }\n';
    assert.deepEqual(
      findFunctionDefinitions(tree(source)).map((f) => [
        f.name,
        f.help?.placement ?? null,
        f.help?.sections[0]?.content,
      ]),
      [
        ['A', 'before', 'Before.'],
        ['B', 'body-end', 'End.'],
        ['C', 'body-start', 'Lines.'],
        ['D', null, undefined],
      ],
    );
  });
});

describe('describeScript', () => {
  it("returns the script's help, CmdletBinding and parameters", () => {
    const script = describeScript(tree(SAMPLE_SCRIPT));
    assert.deepEqual(
      script.help?.sections.map((s) => `${s.keyword} ${s.argument ?? ''}`.trim()),
      ['SYNOPSIS', 'PARAMETER Port', 'EXAMPLE'],
    );
    assert.deepEqual(script.cmdletBinding?.named, {});
    assert.deepEqual(
      script.parameters.map((p) => [p.name, p.type, p.defaultText]),
      [
        ['Port', 'int', '7777'],
        ['BindAddress', 'string', "'0.0.0.0'"],
      ],
    );
  });
});

describe('evaluatePowerShellData', () => {
  it('reads a manifest like Import-PowerShellDataFile', () => {
    const manifest = evaluatePowerShellData(SAMPLE_MANIFEST) as Record<string, unknown>;
    assert.equal(manifest.RootModule, 'TapoDashboard.psm1');
    assert.deepEqual(manifest.FunctionsToExport, ['Get-TapoPortOwner', 'Stop-TapoPortOwner']);
    assert.deepEqual(manifest.CmdletsToExport, []);
    assert.deepEqual((manifest.PrivateData as Record<string, Record<string, unknown>>).PSData?.Tags, [
      'Tapo',
      'Port',
    ]);
  });

  it('reads numbers, booleans, null, multi-line arrays and quoted keys', () => {
    assert.deepEqual(
      evaluatePowerShellData(
        "@{ n = -5; h = 0x10; k = 1kb; r = 1.5; t = $true; z = $null; s = @(\n  'a'\n  'b'\n); 'a b' = 'it''s' }",
      ),
      { n: -5, h: 16, k: 1024, r: 1.5, t: true, z: null, s: ['a', 'b'], 'a b': "it's" },
    );
  });

  it('refuses what a data file may not hold', () => {
    assert.throws(() => evaluatePowerShellData('@{ a = $x }'), /variable is not a constant at 1:8/);
    assert.throws(() => evaluatePowerShellData('@{ a = "x $y" }'), /string with expansions/);
    assert.throws(() => evaluatePowerShellData('@{ a = Get-Date }'), /command is not a constant/);
    assert.throws(() => evaluatePowerShellData('@{ a = 1 }\n@{ b = 2 }'), /exactly one value; found 2/);
    assert.throws(() => evaluatePowerShellData('@{\n  a = 1\n'), /syntax error at 1:1/);
  });
});

describe('findPowerShell7Syntax', () => {
  it('finds nothing in our samples and each 7-only operator elsewhere', () => {
    assert.deepEqual(findPowerShell7Syntax(tree(SAMPLE_MODULE)), []);
    assert.deepEqual(
      findPowerShell7Syntax(tree('$a = $b ? 1 : 2\n$c = $d ?? 3\ngit pull && git push\n')).map((c) => [
        c.line,
        c.column,
        c.construct,
      ]),
      [
        [1, 6, 'ternary operator ? :'],
        [2, 6, 'null-coalescing operator ??'],
        [3, 10, 'pipeline chain operator &&'],
      ],
    );
  });
});
