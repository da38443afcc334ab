// The PowerShell face against the core's contract: every property the module and the start script
// read from the core's JSON exists in docs/schema/port-check.v1.schema.json, every core result is
// annotated, error codes and exit codes match src/contract, and the manifest, help, formats and
// the start script's parameters are what Windows PowerShell 5.1 and 7 users rely on.
// test/support/powershell-contract.ts holds the checks and defines the `# core-json:` annotation.
// No PowerShell runs here; the self-tests on inline samples show each check can fail.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { errorCatalogue } from '../../src/contract/error-catalogue.ts';
import { ExitCode } from '../../src/contract/exit-codes.ts';
import { projectPorts } from '../../src/find-port/project-ports.ts';
import { findPowerShellFiles, formatProblem, type FileProblem } from '../support/powershell-checks.ts';
import {
  checkCoreJsonUsage,
  checkErrorCategoryNames,
  checkErrorCategoryTable,
  checkExitCodeDocs,
  checkModuleExitCodes,
  checkScriptExitConstants,
  ContractSchema,
  CORE_COMMANDS,
  coreResultKeys,
  ENVELOPE_KIND,
  ERROR_CATEGORIES,
  exitCodesInMarkdown,
  SUBCOMMAND_KINDS,
  type ChainStep,
  type SourceFile,
} from '../support/powershell-contract.ts';
import { findCommands, parsePowerShell } from '../support/powershell-parser.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const read = (file: string): SourceFile => ({
  file,
  source: readFileSync(path.join(repoRoot, file), 'utf8'),
});
const schemaRoot = JSON.parse(
  readFileSync(path.join(repoRoot, 'docs/schema/port-check.v1.schema.json'), 'utf8'),
) as Record<string, unknown>;
/** For the samples: a result of Document, ExitCode and ErrorText. */
const schema = new ContractSchema(schemaRoot);
const messages = (problems: readonly FileProblem[]): string[] => problems.map(formatProblem);

const MODULE = 'powershell/TapoDashboard.psm1';
/** Where the module keeps the core's call site and its tables (the .psm1 dot-sources it). */
const CORE_CALL = 'powershell/CoreCall.ps1';
const SCRIPT = 'scripts/start_dashboard.ps1';
const SHIPPED_POWERSHELL_DIRS = ['powershell', 'scripts'];
const errorCodes = Object.keys(errorCatalogue);

/** The schema with the keys the real Invoke-TapoCore returns. */
function repoSchema(): ContractSchema {
  const resultKeys = coreResultKeys(read(CORE_CALL));
  assert.ok(resultKeys, `${CORE_CALL}: Invoke-TapoCore returns no [pscustomobject]`);
  assert.ok(
    resultKeys.includes('Document') && resultKeys.includes('ExitCode'),
    `result keys: ${resultKeys.join(', ')}`,
  );
  return new ContractSchema(schemaRoot, { resultKeys });
}

// ---------------------------------------------------------------------------------------------
// The real files

describe('the PowerShell module and start script against the core contract', () => {
  // The code that ships: the module and the start script (Pester tests drive fake cores).
  const codeFiles = findPowerShellFiles(repoRoot, ['.ps1', '.psm1']).filter((f) =>
    SHIPPED_POWERSHELL_DIRS.some((dir) => f.startsWith(`${dir}/`)),
  );

  it('finds the files it checks', () => {
    for (const file of [MODULE, CORE_CALL, SCRIPT]) assert.ok(codeFiles.includes(file), `${file} not found`);
  });

  for (const file of codeFiles) {
    it(`${file}: every read of core JSON is in the schema, every core result is annotated`, () => {
      const report = checkCoreJsonUsage(read(file), repoSchema());
      assert.deepEqual(messages(report.problems), []);
    });
  }

  it('the JSON check is not vacuous: it sees every core call and checks many reads', () => {
    const moduleFiles = codeFiles.filter((file) => file.startsWith('powershell/'));
    let moduleCalls = 0;
    const reports = [];
    for (const file of [...moduleFiles, SCRIPT]) {
      const input = read(file);
      const report = checkCoreJsonUsage(input, repoSchema());
      // The parser's own command finder, an independent count of the core calls.
      const { tree } = parsePowerShell(input.source);
      const calls = findCommands(tree).filter((c) => c.name.toLowerCase() in CORE_COMMANDS).length;
      tree.delete();
      assert.equal(report.coreCalls, calls, `${file}: core calls seen`);
      if (file === SCRIPT)
        assert.ok(calls > 0 && report.annotations.length > 0, `${file}: no core call or annotation found`);
      else moduleCalls += calls;
      if (file !== SCRIPT) reports.push(report);
    }
    assert.ok(moduleCalls >= 10, `only ${moduleCalls} core calls found in ${moduleFiles.join(', ')}`);
    const chains = reports.flatMap((r) => r.chains);
    const annotations = reports.flatMap((r) => r.annotations);
    assert.ok(chains.length >= 50, `only ${chains.length} reads checked in the module`);
    assert.ok(annotations.some((a) => a.shape === 'result') && annotations.some((a) => a.shape === 'object'));
    // Reads through variables typed without an annotation are checked too.
    assert.ok(chains.some((c) => c.text.startsWith('$data.') && c.rootType === 'PortCheck'));
  });

  it('maps every error code of the core to a real ErrorCategory, and no other code', () => {
    const module = read(CORE_CALL);
    assert.deepEqual(messages(checkErrorCategoryTable(module, errorCodes)), []);
    assert.deepEqual(messages(codeFiles.flatMap((file) => checkErrorCategoryNames(read(file)))), []);
  });

  it("excludes the core's project ports in Find-TapoAvailablePort ($script:ProjectPort = projectPorts)", () => {
    const source = read('powershell/PortFunctions.ps1').source;
    const match = /^\$script:ProjectPort = @\(([\d, ]*)\)\r?$/m.exec(source);
    assert.ok(match, 'powershell/PortFunctions.ps1 has no $script:ProjectPort = @(...) line');
    const ports = (match[1] ?? '').split(',').map((port) => Number(port.trim()));
    assert.deepEqual(ports, [...projectPorts]);
  });

  it("has the core's exit codes in the module, the start script, README.md and docs/start.md", () => {
    assert.deepEqual(
      messages([
        ...checkModuleExitCodes(
          read(CORE_CALL),
          ExitCode,
          codeFiles.filter((f) => f.startsWith('powershell/') && f !== CORE_CALL).map(read),
        ),
        ...checkScriptExitConstants(read(SCRIPT), ExitCode),
        ...checkExitCodeDocs(read('README.md'), ExitCode),
        ...checkExitCodeDocs(read('docs/start.md'), ExitCode),
      ]),
      [],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The schema walker on real core output

/** Every property path in a JSON value, with `[]` for an index and also through member enumeration. */
function jsonPaths(
  value: unknown,
  prefix: ChainStep[] = [],
  out = new Map<string, ChainStep[]>(),
): Map<string, ChainStep[]> {
  const key = (steps: ChainStep[]): string =>
    steps.map((s) => (s.kind === 'property' ? `.${s.name}` : s.kind === 'index' ? '[]' : '?')).join('');
  if (Array.isArray(value)) {
    for (const item of value) {
      jsonPaths(item, [...prefix, { kind: 'index' }], out);
      jsonPaths(item, prefix, out); // $array.name: member enumeration
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, child] of Object.entries(value)) {
      const steps: ChainStep[] = [...prefix, { kind: 'property', name }];
      out.set(key(steps), steps);
      jsonPaths(child, steps, out);
    }
  }
  return out;
}

describe('ContractSchema on the golden documents', () => {
  const goldenDir = path.join(repoRoot, 'test', 'golden');
  const golden = readdirSync(goldenDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      file: f,
      document: JSON.parse(readFileSync(path.join(goldenDir, f), 'utf8')) as { kind: string },
    }));

  it('resolves every property path of every golden document (read through a core result or as Envelope)', () => {
    let resolved = 0;
    for (const { file, document } of golden) {
      const root = schema.documentKinds.includes(document.kind)
        ? schema.resultType(document.kind)
        : schema.objectType(ENVELOPE_KIND);
      const prefix: ChainStep[] =
        root.label === ENVELOPE_KIND ? [] : [{ kind: 'property', name: 'Document' }];
      for (const [text, steps] of jsonPaths(document)) {
        const result = schema.resolve(root, [...prefix, ...steps]);
        assert.ok(result.ok, `${file}: ${text}: ${result.ok ? '' : result.message}`);
        resolved++;
      }
    }
    assert.ok(resolved > 500, `only ${resolved} paths`);
  });

  it('rejects each of those paths with its last property misspelt', () => {
    const { document } = golden.find((g) => g.file === 'linux-docker-proxy-container.json') ?? {
      document: null,
    };
    assert.ok(document);
    const root = schema.resultType('PortCheck');
    let rejected = 0;
    for (const [text, steps] of jsonPaths(document)) {
      const last = steps.at(-1);
      if (last?.kind !== 'property') continue;
      const typo: ChainStep[] = [
        { kind: 'property', name: 'Document' },
        ...steps.slice(0, -1),
        { kind: 'property', name: `${last.name}x` },
      ];
      assert.equal(schema.resolve(root, typo).ok, false, `${text}x was accepted`);
      rejected++;
    }
    assert.ok(rejected > 50);
  });

  it('maps the core subcommands onto exactly the kinds the envelope can carry', () => {
    assert.deepEqual([...new Set(Object.values(SUBCOMMAND_KINDS))].sort(), [...schema.documentKinds].sort());
    for (const kind of Object.values(CORE_COMMANDS)) if (kind) assert.ok(schema.documentKinds.includes(kind));
  });

  it('knows its hard-coded lists', () => {
    assert.equal(ERROR_CATEGORIES.length, 32);
  });
});

// ---------------------------------------------------------------------------------------------
// Self-tests: the core-json check on inline samples

const sample = (source: string): SourceFile => ({ file: 'sample.psm1', source });
const jsonProblems = (source: string): string[] =>
  messages(checkCoreJsonUsage(sample(source), schema).problems);

describe('checkCoreJsonUsage on samples', () => {
  it('passes reads the schema has: results, envelope keys, $ref, oneOf with null, indexes, member enumeration', () => {
    const source = `function Get-Sample {
    param([int]$Port)
    # core-json: $result PortCheck
    $result = Invoke-TapoCore -ArgumentList @('check', '--port', [string]$Port, '--json')
    $result.ExitCode; $result.ErrorText
    $result.Document.schemaVersion; $result.Document.kind; $result.Document.tool.version; $result.Document.ok
    $result.Document.error.hint; $result.Document.warnings.code; $result.Document.warnings[0].message
    $data = $result.Document.data
    $data.owners[0].process.name.ToUpper().Length
    $data.owners.process.commandLine
    $data.owners.Count; @($data.owners).Length; $data.summary.Length
    $data.fixes.commands.powershell
    $data.reservedRange.start
    foreach ($owner in $data.owners) { $owner.container.image; $owner.services.Count }
    $data.owners | ForEach-Object { $_.forwarder.product }
    $data.owners.Where({ $_.kind -eq 'process' }).pid
    $data.owners[0].PSObject.Properties
}
`;
    const report = checkCoreJsonUsage(sample(source), schema);
    assert.deepEqual(messages(report.problems), []);
    assert.ok(report.chains.length >= 20, `only ${report.chains.length} chains checked`);
    const find = (text: string) => report.chains.find((c) => c.text === text);
    assert.equal(find('$owner.container.image')?.rootType, 'Owner');
    assert.equal(find('$data.reservedRange.start')?.rootType, 'PortCheck');
  });

  it('fails a typo in a property path, with file:line and the path', () => {
    const source = `function ConvertTo-Sample {
    param([object]$Owner)
    # core-json: $Owner Owner
    return $Owner.proces.name
}
`;
    const problems = jsonProblems(source);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0] as string,
      /^sample\.psm1:4:12: \$Owner\.proces: 'proces' is not a property of Owner \(Owner has kind, pid, /,
    );
  });

  const head = `function Get-Sample {
    param([int]$Port)
    # core-json: $result PortCheck
    $result = Invoke-TapoCore -ArgumentList @('check', '--json')
    $data = $result.Document.data
`;
  const failing: [string, string, RegExp][] = [
    [
      'a typo deep in a chain',
      '$result.Document.data.owners[0].process.nmae',
      /:6:\d+: .*'nmae' is not a property of Process/,
    ],
    [
      'an envelope key that does not exist',
      '$result.Document.date',
      /:6:\d+: \$result\.Document\.date: 'date' is not a property of PortCheck document/,
    ],
    [
      'a result key that does not exist',
      '$result.Documents',
      /'Documents' is not a property of PortCheck result/,
    ],
    [
      'a typo through member enumeration',
      '$data.owners.pdi',
      /:6:\d+: \$data\.owners\.pdi: 'pdi' is not a property of PortCheck\.owners/,
    ],
    [
      '.Count on an object (throws under StrictMode on 5.1)',
      '$data.Count',
      /'Count' is not a property of PortCheck/,
    ],
    ['a property of a number', '$data.port.value', /PortCheck\.port is a number/],
    [
      'a typo on a variable typed by inference',
      '$data.ownres',
      /\$data\.ownres: 'ownres' is not a property of PortCheck/,
    ],
    [
      'a typo on a foreach variable',
      'foreach ($o in $data.owners) { $o.pidd }',
      /\$o\.pidd: 'pidd' is not a property of Owner/,
    ],
    [
      'a typo on $_ typed by the pipeline',
      '$data.owners | ForEach-Object { $_.descripton }',
      /\$_\.descripton: 'descripton'/,
    ],
    [
      'a typo on an annotated $_',
      '$data.owners | ForEach-Object {\n        # core-json: $_ Owner\n        $_.descripton\n    }',
      /:8:\d+: \$_\.descripton/,
    ],
    [
      'writing a property the schema lacks',
      '$data.nope = 1',
      /\$data\.nope: 'nope' is not a property of PortCheck/,
    ],
    [
      'an unannotated Invoke-TapoCore result',
      "$other = Invoke-TapoCore -ArgumentList @('status', '--json')",
      /:6:\d+: \$other is assigned from Invoke-TapoCore without a "# core-json: \$other DashboardStatus" annotation/,
    ],
    [
      'an unannotated Get-TapoCheckDocument result',
      '$check = Get-TapoCheckDocument -Port 1 -BindAddress x',
      /\$check is assigned from Get-TapoCheckDocument without a "# core-json: \$check PortCheck" annotation/,
    ],
    [
      'members read off the call',
      "(Invoke-TapoCore -ArgumentList @('check')).Document.data.port",
      /escapes the contract check: its members are read directly/,
    ],
    [
      'a piped core call',
      "Invoke-TapoCore -ArgumentList @('check') | ForEach-Object { $_.Document }",
      /escapes the contract check: it is piped into ForEach-Object/,
    ],
    [
      'a core call as an argument',
      "Write-Output (Invoke-TapoCore -ArgumentList @('check'))",
      /escapes the contract check: it is passed as an argument/,
    ],
    [
      'a returned core call',
      "return Invoke-TapoCore -ArgumentList @('check')",
      /escapes the contract check: it is the operand of return/,
    ],
    [
      'a bare core call',
      "Invoke-TapoCore -ArgumentList @('check')",
      /escapes the contract check: it is the output of its function/,
    ],
    [
      'an annotation naming no $def',
      '# core-json: $data PortChek\n    $data.port',
      /:6:\d+: core-json annotation of \$data names 'PortChek', which is not a \$def/,
    ],
    ['a malformed annotation', '# core-json $data PortCheck', /:6:\d+: malformed core-json annotation/],
    [
      'a result annotated with the kind of another command',
      "# core-json: $found PortSearch\n    $found = Invoke-TapoCore -ArgumentList @('check')\n    $found.ExitCode",
      /:6:\d+: \$found is annotated PortSearch, but Invoke-TapoCore at line 7 runs 'check', which prints PortCheck/,
    ],
    [
      'a result annotated against its argument variable',
      "$arguments = @('stop') + @('--json')\n    # core-json: $stopped PortCheck\n    $stopped = Invoke-TapoCore -ArgumentList $arguments\n    $stopped.ExitCode",
      /runs 'stop', which prints PortStop/,
    ],
    [
      'a result annotated with a kind no document has',
      "# core-json: $r Owner\n    $r = Invoke-TapoCore -ArgumentList @('check')\n    $r.ExitCode",
      /its kind must be one the envelope's data can be \(PortCheck, PortSearch, PortStop, DashboardStart, DashboardStatus\), not Owner/,
    ],
    [
      'an annotation that disagrees with the value',
      'foreach ($l in $data.listeners) {\n        # core-json: $l Owner\n        $l.kind\n    }',
      /:7:\d+: \$l is annotated Owner, but line 6 assigns it Listener/,
    ],
    [
      'a $_ annotation that disagrees with the pipeline',
      '$data.owners | ForEach-Object {\n        # core-json: $_ Listener\n        $_.relation\n    }',
      /\$_ is annotated Listener, but the pipeline hands this block Owner/,
    ],
    [
      'an annotation of a variable never used (a misspelt name)',
      '# core-json: $dtaa PortCheck\n    $data.port',
      /core-json annotation of \$dtaa, but \$dtaa is not used after it in Get-Sample/,
    ],
    [
      'an annotated variable assigned something untyped',
      '# core-json: $owner Owner\n    $owner = Get-Something\n    $owner.kind',
      /:7:\d+: \$owner is annotated Owner \(line 6\) but is assigned here from something the check cannot type/,
    ],
  ];
  for (const [name, body, expected] of failing) {
    it(`fails ${name}`, () => {
      const problems = jsonProblems(`${head}    ${body}\n}\n`);
      assert.ok(problems.length > 0, 'no problem reported');
      assert.ok(
        problems.some((p) => expected.test(p) && p.startsWith('sample.psm1:')),
        `expected ${expected}, got:\n${problems.join('\n')}`,
      );
    });
  }

  it('fails typed JSON passed to a parameter without an annotation, or with another kind', () => {
    const source = `function ConvertTo-A {
    param([object]$Data)
    return $Data.whatever
}
function ConvertTo-B {
    param([object]$Data)
    # core-json: $Data PortStop
    return $Data.summary
}
function Get-Sample {
    # core-json: $result PortCheck
    $result = Invoke-TapoCore -ArgumentList @('check')
    ConvertTo-A -Data $result.Document.data
    ConvertTo-B -Data $result.Document.data
    ConvertTo-B -Data $result.Document.data.summary
}
`;
    assert.deepEqual(jsonProblems(source), [
      'sample.psm1:13:23: passes PortCheck to -Data of ConvertTo-A, whose $Data has no "# core-json: $Data Kind" annotation, so its reads go unchecked',
      'sample.psm1:14:23: passes PortCheck to -Data of ConvertTo-B, annotated PortStop at line 7',
    ]);
  });

  it('keeps an annotation in its scope: not in other functions, not in script blocks that shadow it, not before it', () => {
    const source = `function ConvertTo-A {
    param([object]$Owner)
    $Owner.before
    # core-json: $Owner Owner
    $Owner.kind
    & { param($Owner) $Owner.anything } $null
    function Inner { param($Owner) $Owner.anything }
}
function ConvertTo-B {
    param([object]$Owner)
    $Owner.proces
}
function Get-C {
    # core-json: $r PortCheck
    $r = Invoke-TapoCore -ArgumentList @('check')
    $r.Document.data.owners | ForEach-Object {
        # core-json: $_ Owner
        $_.kind
        @(1, 2) | ForEach-Object { $_.anything }
    }
}
`;
    assert.deepEqual(jsonProblems(source), []);
  });

  it('sees a core call through & $module { ... } and checks the variable it lands in', () => {
    const source = `function Invoke-Sample {
    # core-json: $check PortCheck
    $check = & $module { param($p) Get-TapoCheckDocument -Port $p -BindAddress x } 1
    $check.Document.data.summry
}
`;
    assert.deepEqual(jsonProblems(source), [
      "sample.psm1:4:5: $check.Document.data.summry: 'summry' is not a property of PortCheck (PortCheck has platform, host, address, port, status, summary, owners, listeners, reservedRange, dynamicPortRange, probe, docker, nextFreePort, fixes)",
    ]);
  });

  it('lets a discarded core result be: $null =, [void], | Out-Null', () => {
    const source = `function Invoke-Sample {
    $null = Invoke-TapoCore -ArgumentList @('check')
    [void](Invoke-TapoCore -ArgumentList @('check'))
    Invoke-TapoCore -ArgumentList @('check') | Out-Null
}
`;
    assert.deepEqual(jsonProblems(source), []);
  });

  it('reads a whole document annotated Envelope', () => {
    const source = `function Assert-Sample {
    param([object]$Document)
    # core-json: $Document Envelope
    $Document.schemaVersion; $Document.tool.version; $Document.error.code; $Document.data.owners
    $Document.eror
}
`;
    const problems = jsonProblems(source);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] as string, /:5:5: \$Document\.eror: 'eror' is not a property of Envelope/);
  });
});

// ---------------------------------------------------------------------------------------------
// Self-tests: error codes, exit codes, manifest, functions, formats, start script

const SAMPLE_EXIT_CODES = { ok: 0, busy: 1, stopped: 0 } as const;
const SAMPLE_ERROR_CODES = ['E_ONE', 'E_TWO'];

const SAMPLE_MODULE = `$script:TapoExitCode = @{
    Ok   = 0
    Busy = 1
}
$script:TapoErrorCategory = @{
    E_ONE = [System.Management.Automation.ErrorCategory]::InvalidArgument
    E_TWO = [System.Management.Automation.ErrorCategory]::NotInstalled
}

function Get-TapoThing {
    <#
    .SYNOPSIS
    Gets a thing.
    .DESCRIPTION
    Gets the thing on a port.
    .PARAMETER Port
    The port.
    .EXAMPLE
    Get-TapoThing -Port 7777
    #>
    [CmdletBinding()]
    [OutputType('TapoDashboard.Thing')]
    param([int]$Port = 7777)
    # core-json: $result PortCheck
    $result = Invoke-TapoCore -ArgumentList @('check', '--port', [string]$Port, '--json')
    if ($result.ExitCode -ne $script:TapoExitCode.Ok) { Write-Verbose -Message 'busy' }
    [pscustomobject]@{
        PSTypeName = 'TapoDashboard.Thing'
        Port       = $result.Document.data.port
        Status     = $result.Document.data.status
    }
}

function Stop-TapoThing {
    <#
    .SYNOPSIS
    Stops a thing.
    .DESCRIPTION
    Stops the thing on a port.
    .PARAMETER Port
    The port.
    .EXAMPLE
    Stop-TapoThing -Port 7777 -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param([int]$Port = 7777)
    if ($PSCmdlet.ShouldProcess("port $Port", 'Stop')) {
        throw (New-TapoErrorRecord -Message 'x' -ErrorId 'y' -Category NotInstalled -ExitCode 1)
    }
}

Export-ModuleMember -Function @('Get-TapoThing', 'Stop-TapoThing')
`;

const SAMPLE_SCRIPT = `<#
.SYNOPSIS
Starts the dashboard.
.DESCRIPTION
Starts the dashboard, or explains who holds its port.
.PARAMETER Port
The port.
.PARAMETER BindAddress
The address.
.PARAMETER OnConflict
The policy.
.PARAMETER CheckOnly
Only check.
.PARAMETER Json
Print JSON.
.PARAMETER LogPath
A log file.
.PARAMETER Force
Do not ask.
.EXAMPLE
.\\start_dashboard.ps1 -CheckOnly
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [int]$Port = 7777,
    [string]$BindAddress = '0.0.0.0',
    [ValidateSet('Reuse', 'Fail', 'Next', 'Stop')][string]$OnConflict = 'Reuse',
    [switch]$CheckOnly,
    [switch]$Json,
    [string]$LogPath,
    [switch]$Force
)
$ExitOk = 0
$ExitBusy = 1
$code = $ExitOk
if ($PSCmdlet.ShouldProcess('port')) { $code = $ExitBusy }
exit $code
`;

const SAMPLE_DOC = '# x\n\n| code | when |\n|---|---|\n| 0 | fine |\n| 1 | busy |\n';

/** `text` with `from` (which must occur) replaced by `to`. */
function mutate(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `sample lacks ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const moduleFile = (source = SAMPLE_MODULE): SourceFile => ({ file: 'Sample.psm1', source });
function assertReports(problems: string[], expected: RegExp): void {
  assert.ok(
    problems.some((p) => expected.test(p)),
    `expected ${expected}, got:\n${problems.join('\n') || '(nothing)'}`,
  );
}

describe('the other contract checks pass the valid samples', () => {
  it('passes every check', () => {
    assert.deepEqual(
      [
        ...messages(checkCoreJsonUsage(moduleFile(), schema).problems),
        ...messages(checkErrorCategoryTable(moduleFile(), SAMPLE_ERROR_CODES)),
        ...messages(checkErrorCategoryNames(moduleFile())),
        ...messages(checkModuleExitCodes(moduleFile(), SAMPLE_EXIT_CODES)),
        ...messages(
          checkScriptExitConstants({ file: 'start.ps1', source: SAMPLE_SCRIPT }, SAMPLE_EXIT_CODES),
        ),
        ...messages(checkExitCodeDocs({ file: 'doc.md', source: SAMPLE_DOC }, SAMPLE_EXIT_CODES)),
      ],
      [],
    );
  });
});

describe('checkErrorCategoryTable and checkErrorCategoryNames on samples', () => {
  const table = (module: string, codes = SAMPLE_ERROR_CODES): string[] =>
    messages(checkErrorCategoryTable(moduleFile(module), codes));

  it('fails an error code of the core that the table does not map', () => {
    assert.deepEqual(table(SAMPLE_MODULE, [...SAMPLE_ERROR_CODES, 'E_NEW']), [
      "Sample.psm1:5:29: $script:TapoErrorCategory has no entry for the core's error code E_NEW",
    ]);
  });
  it('fails a mapped code the core does not have', () => {
    assert.deepEqual(table(SAMPLE_MODULE, ['E_ONE']), [
      'Sample.psm1:7:5: $script:TapoErrorCategory maps E_TWO, which is not an error code of the core (src/contract/error-catalogue.ts)',
    ]);
  });
  it('fails a category that is not an ErrorCategory member, or not a category at all', () => {
    assertReports(
      table(mutate(SAMPLE_MODULE, '::NotInstalled', '::NotInstaled')),
      /:7:5: E_TWO maps to NotInstaled, which is not an ErrorCategory member/,
    );
    assertReports(
      table(mutate(SAMPLE_MODULE, '[System.Management.Automation.ErrorCategory]::NotInstalled', '12')),
      /E_TWO maps to 12, not to/,
    );
    assertReports(
      messages(checkErrorCategoryNames(moduleFile(mutate(SAMPLE_MODULE, '::NotInstalled', '::Missing')))),
      /:7:13: Missing is not an ErrorCategory member/,
    );
    assertReports(
      messages(
        checkErrorCategoryNames(
          moduleFile(mutate(SAMPLE_MODULE, '-Category NotInstalled', '-Category Oops')),
        ),
      ),
      /-Category Oops: not an ErrorCategory member/,
    );
  });
  it('fails a module without the table', () => {
    assertReports(table('function F { }\n'), /no \$script:TapoErrorCategory/);
  });
});

describe('exit code checks on samples', () => {
  const module = (source: string): string[] =>
    messages(checkModuleExitCodes(moduleFile(source), SAMPLE_EXIT_CODES));

  it('fails a number that differs from the core', () => {
    assert.deepEqual(module(mutate(SAMPLE_MODULE, 'Busy = 1', 'Busy = 9')), [
      "Sample.psm1:3:5: $script:TapoExitCode.Busy = 9, but the core's ExitCode.busy is 1",
    ]);
  });
  it('fails a missing name, but lets an alias (stopped = ok) be absent', () => {
    assert.deepEqual(module(mutate(SAMPLE_MODULE, '    Busy = 1\n', '')), [
      "Sample.psm1:1:24: $script:TapoExitCode lacks busy (1) of the core's ExitCode",
    ]);
  });
  it('fails a name the core does not have, a read of a missing name and an -ExitCode the core never uses', () => {
    assertReports(
      module(mutate(SAMPLE_MODULE, 'Busy = 1', 'Busy = 1\n    Later = 2')),
      /\$script:TapoExitCode\.Later: the core has no exit code of that name/,
    );
    assertReports(
      module(mutate(SAMPLE_MODULE, '$script:TapoExitCode.Ok', '$script:TapoExitCode.Okay')),
      /\$script:TapoExitCode\.Okay: the table has no such name/,
    );
    assertReports(
      module(mutate(SAMPLE_MODULE, '-ExitCode 1', '-ExitCode 42')),
      /-ExitCode 42 is not an exit code of the core/,
    );
  });
  it("checks the module's other files against the table: a read of a missing name, an -ExitCode the core never uses", () => {
    const other = (source: string): string[] =>
      messages(
        checkModuleExitCodes(moduleFile(SAMPLE_MODULE), SAMPLE_EXIT_CODES, [{ file: 'Other.ps1', source }]),
      );
    assert.deepEqual(other('if ($code -eq $script:TapoExitCode.Busy) { }\n'), []);
    assert.deepEqual(other('if ($code -eq $script:TapoExitCode.Bussy) { }\n'), [
      'Other.ps1:1:15: $script:TapoExitCode.Bussy: the table has no such name',
    ]);
    assertReports(
      other("New-TapoErrorRecord -Message 'x' -ExitCode 42\n"),
      /Other\.ps1:.*-ExitCode 42 is not an exit code/,
    );
  });
  it("fails a start script constant that differs from the core's", () => {
    const problems = messages(
      checkScriptExitConstants(
        { file: 'start.ps1', source: mutate(SAMPLE_SCRIPT, '$ExitBusy = 1', '$ExitBusy = 3') },
        SAMPLE_EXIT_CODES,
      ),
    );
    assert.deepEqual(problems, ["start.ps1:34:1: $ExitBusy = 3, but the core's ExitCode.busy is 1"]);
  });
  it('fails an exit table that misses a code or names one the core lacks; reads "8, 9" as two codes', () => {
    const doc = (source: string): string[] =>
      messages(checkExitCodeDocs({ file: 'doc.md', source }, SAMPLE_EXIT_CODES));
    assert.deepEqual(doc(mutate(SAMPLE_DOC, '| 1 | busy |\n', '')), [
      'doc.md:5:1: the exit tables do not mention 1 (busy)',
    ]);
    assert.deepEqual(doc(`${SAMPLE_DOC}| 12 | later |\n`), [
      "doc.md:7:1: exit code 12 is not one of the core's",
    ]);
    assert.deepEqual(doc('text only\n'), [
      'doc.md:1:1: no exit code table (a markdown table whose first column is "code")',
    ]);
    assert.deepEqual(
      exitCodesInMarkdown('| code | when |\n|---|---|\n| 8, 9 | stop |\n| other | x |\n').map((c) => c.code),
      [8, 9],
    );
  });
});
