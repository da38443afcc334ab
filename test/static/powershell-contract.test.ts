// The PowerShell face against the core's contract: every property the module and the start script
// read from the core's JSON exists in docs/schema/port-check.v1.schema.json, every core result is
// annotated, error codes and exit codes match src/contract, and the manifest, help, formats and
// the start script's parameters are what Windows PowerShell 5.1 and 7 users rely on.
// test/support/powershell-contract.ts holds the checks and defines the `# core-json:` annotation.
// No PowerShell runs here; the self-tests on inline samples show each check can fail.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { errorCatalogue } from '../../src/contract/error-catalogue.ts';
import { ExitCode } from '../../src/contract/exit-codes.ts';
import { findPowerShellFiles, formatProblem, type FileProblem } from '../support/powershell-checks.ts';
import {
  APPROVED_VERBS,
  checkCoreJsonUsage,
  checkErrorCategoryNames,
  checkErrorCategoryTable,
  checkExitCodeDocs,
  checkExportedFunctions,
  checkFormatViews,
  checkManifest,
  checkModuleExitCodes,
  checkScriptExitConstants,
  checkStartScript,
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
import { evaluatePowerShellData, findCommands, parsePowerShell } from '../support/powershell-parser.ts';

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

const MANIFEST = 'powershell/TapoDashboard.psd1';
const MODULE = 'powershell/TapoDashboard.psm1';
const FORMAT = 'powershell/TapoDashboard.Format.ps1xml';
const SCRIPT = 'scripts/start_dashboard.ps1';
const SHIPPED_POWERSHELL_DIRS = ['powershell', 'scripts'];
const errorCodes = Object.keys(errorCatalogue);
const packageVersion = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/** The schema with the keys the real Invoke-TapoCore returns. */
function repoSchema(): ContractSchema {
  const resultKeys = coreResultKeys(read(MODULE));
  assert.ok(resultKeys, `${MODULE}: Invoke-TapoCore returns no [pscustomobject]`);
  assert.ok(
    resultKeys.includes('Document') && resultKeys.includes('ExitCode'),
    `result keys: ${resultKeys.join(', ')}`,
  );
  return new ContractSchema(schemaRoot, { resultKeys });
}

/** FunctionsToExport of the real manifest. */
function manifestExports(): string[] {
  const data = evaluatePowerShellData(read(MANIFEST).source) as { FunctionsToExport?: unknown };
  return Array.isArray(data.FunctionsToExport) ? (data.FunctionsToExport as string[]) : [];
}

// ---------------------------------------------------------------------------------------------
// The real files

describe('the PowerShell module and start script against the core contract', () => {
  // The code that ships: the module and the start script (Pester tests drive fake cores).
  const codeFiles = findPowerShellFiles(repoRoot, ['.ps1', '.psm1']).filter((f) =>
    SHIPPED_POWERSHELL_DIRS.some((dir) => f.startsWith(`${dir}/`)),
  );

  it('finds the files it checks', () => {
    for (const file of [MODULE, SCRIPT]) assert.ok(codeFiles.includes(file), `${file} not found`);
    for (const file of [MANIFEST, FORMAT])
      assert.ok(existsSync(path.join(repoRoot, file)), `${file} not found`);
  });

  for (const file of codeFiles) {
    it(`${file}: every read of core JSON is in the schema, every core result is annotated`, () => {
      const report = checkCoreJsonUsage(read(file), repoSchema());
      assert.deepEqual(messages(report.problems), []);
    });
  }

  it('the JSON check is not vacuous: it sees every core call and checks many reads', () => {
    for (const file of [MODULE, SCRIPT]) {
      const input = read(file);
      const report = checkCoreJsonUsage(input, repoSchema());
      // The parser's own command finder, an independent count of the core calls.
      const { tree } = parsePowerShell(input.source);
      const calls = findCommands(tree).filter((c) => c.name.toLowerCase() in CORE_COMMANDS).length;
      tree.delete();
      assert.ok(calls > 0, `${file}: no core call found`);
      assert.equal(report.coreCalls, calls, `${file}: core calls seen`);
      assert.ok(report.annotations.length > 0, `${file}: no annotation found`);
    }
    const module = checkCoreJsonUsage(read(MODULE), repoSchema());
    assert.ok(module.chains.length >= 50, `only ${module.chains.length} reads checked in ${MODULE}`);
    assert.ok(
      module.annotations.some((a) => a.shape === 'result') &&
        module.annotations.some((a) => a.shape === 'object'),
    );
    // Reads through variables typed without an annotation are checked too.
    assert.ok(module.chains.some((c) => c.text.startsWith('$data.') && c.rootType === 'PortCheck'));
  });

  it('maps every error code of the core to a real ErrorCategory, and no other code', () => {
    const module = read(MODULE);
    assert.deepEqual(messages(checkErrorCategoryTable(module, errorCodes)), []);
    assert.deepEqual(
      messages([...checkErrorCategoryNames(module), ...checkErrorCategoryNames(read(SCRIPT))]),
      [],
    );
  });

  it("has the core's exit codes in the module, the start script, README.md and docs/start.md", () => {
    assert.deepEqual(
      messages([
        ...checkModuleExitCodes(read(MODULE), ExitCode),
        ...checkScriptExitConstants(read(SCRIPT), ExitCode),
        ...checkExitCodeDocs(read('README.md'), ExitCode),
        ...checkExitCodeDocs(read('docs/start.md'), ExitCode),
      ]),
      [],
    );
  });

  it('has a manifest for 5.1 and 7, of the package version, with explicit exports', () => {
    const problems = checkManifest(read(MANIFEST), read(MODULE), {
      packageVersion,
      exists: (file) => existsSync(path.join(repoRoot, path.dirname(MANIFEST), file)),
    });
    assert.deepEqual(messages(problems), []);
  });

  it('exports documented advanced functions with approved verbs, Tapo nouns and ShouldProcess', () => {
    const exported = manifestExports();
    assert.ok(exported.length > 0, 'the manifest exports nothing');
    assert.deepEqual(messages(checkExportedFunctions(read(MODULE), exported)), []);
  });

  it('has a view for every object type the module makes, and no view for a type it does not make', () => {
    assert.deepEqual(messages(checkFormatViews(read(MODULE), read(FORMAT))), []);
  });

  it('has a start script with help, its parameters (never $Host), ShouldProcess and one final exit', () => {
    assert.deepEqual(messages(checkStartScript(read(SCRIPT))), []);
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
    assert.ok(
      APPROVED_VERBS.includes('Get') &&
        !APPROVED_VERBS.includes('Build') &&
        !APPROVED_VERBS.includes('Deploy'),
    );
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
      "sample.psm1:4:5: $check.Document.data.summry: 'summry' is not a property of PortCheck (PortCheck has platform, host, address, port, status, summary, owners, listeners, reservedRange, probe, docker, nextFreePort, fixes)",
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

const SAMPLE_MANIFEST = `@{
    RootModule           = 'Sample.psm1'
    ModuleVersion        = '1.2.3'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('Sample.Format.ps1xml')
    FunctionsToExport    = @('Get-TapoThing', 'Stop-TapoThing')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
`;

const SAMPLE_FORMAT = `<?xml version="1.0" encoding="utf-8"?>
<Configuration>
  <ViewDefinitions>
    <View>
      <Name>TapoDashboard.Thing</Name>
      <ViewSelectedBy>
        <TypeName>TapoDashboard.Thing</TypeName>
      </ViewSelectedBy>
      <TableControl>
        <TableRowEntries>
          <TableRowEntry>
            <TableColumnItems>
              <TableColumnItem><PropertyName>Port</PropertyName></TableColumnItem>
              <TableColumnItem><PropertyName>Status</PropertyName></TableColumnItem>
            </TableColumnItems>
          </TableRowEntry>
        </TableRowEntries>
      </TableControl>
    </View>
  </ViewDefinitions>
</Configuration>
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
const sampleFiles = ['Sample.psm1', 'Sample.Format.ps1xml'];
const manifestProblems = (manifest: string, module = SAMPLE_MODULE, version = '1.2.3'): string[] =>
  messages(
    checkManifest({ file: 'Sample.psd1', source: manifest }, moduleFile(module), {
      packageVersion: version,
      exists: (file) => sampleFiles.includes(file),
    }),
  );
const functionProblems = (module: string): string[] =>
  messages(
    checkExportedFunctions(moduleFile(module), ['Get-TapoThing', 'Stop-TapoThing'], {
      'Stop-TapoThing': 'High',
    }),
  );
const formatProblems = (module: string, format = SAMPLE_FORMAT): string[] =>
  messages(checkFormatViews(moduleFile(module), { file: 'Sample.Format.ps1xml', source: format }));
const scriptProblems = (script: string): string[] =>
  messages(checkStartScript({ file: 'start.ps1', source: script }));

/** Asserts that some problem matches. */
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
        ...manifestProblems(SAMPLE_MANIFEST),
        ...functionProblems(SAMPLE_MODULE),
        ...formatProblems(SAMPLE_MODULE),
        ...scriptProblems(SAMPLE_SCRIPT),
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

describe('checkManifest on samples', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a wildcard export',
      "@('Get-TapoThing', 'Stop-TapoThing')",
      "'*-Tapo*'",
      /FunctionsToExport '\*-Tapo\*': no wildcards/,
    ],
    [
      'another version than package.json',
      "'1.2.3'",
      "'1.2.4'",
      /:3:5: ModuleVersion is "1\.2\.4", but package\.json's version is 1\.2\.3/,
    ],
    [
      'PowerShell 7 only',
      "PowerShellVersion    = '5.1'",
      "PowerShellVersion    = '7.2'",
      /PowerShellVersion is "7\.2", not '5\.1'/,
    ],
    [
      'Core only',
      "@('Desktop', 'Core')",
      "@('Core')",
      /CompatiblePSEditions is \["Core"\], not @\('Desktop', 'Core'\)/,
    ],
    [
      'a missing root module',
      "'Sample.psm1'",
      "'Missing.psm1'",
      /RootModule "Missing\.psm1" is not a file next to the manifest/,
    ],
    [
      'a missing format file',
      "@('Sample.Format.ps1xml')",
      "@('Other.Format.ps1xml')",
      /FormatsToProcess names Other\.Format\.ps1xml/,
    ],
    [
      'exported aliases',
      'AliasesToExport      = @()',
      "AliasesToExport      = @('gtt')",
      /AliasesToExport must be @\(\)/,
    ],
    [
      'a missing VariablesToExport',
      '    VariablesToExport    = @()\n',
      '',
      /VariablesToExport must be @\(\) \(it is missing\)/,
    ],
    [
      'an export list that differs from Export-ModuleMember',
      "'Get-TapoThing', 'Stop-TapoThing')",
      "'Get-TapoThing')",
      /Export-ModuleMember exports Stop-TapoThing, but FunctionsToExport does not list it/,
    ],
  ];
  for (const [name, from, to, expected] of cases) {
    it(`fails ${name}`, () => assertReports(manifestProblems(mutate(SAMPLE_MANIFEST, from, to)), expected));
  }
  it('fails a documented function with an approved verb that is not exported', () => {
    const module = mutate(
      SAMPLE_MODULE,
      'Export-ModuleMember',
      'function Get-TapoHidden {\n    <#\n    .SYNOPSIS\n    x\n    #>\n    param()\n}\n\nExport-ModuleMember',
    );
    assertReports(
      manifestProblems(SAMPLE_MANIFEST, module),
      /Sample\.psm1:\d+:1: Get-TapoHidden has comment-based help and an approved verb but is not exported/,
    );
  });
  it('fails an export without help or an approved verb, and Export-ModuleMember of variables', () => {
    const noHelp = mutate(
      SAMPLE_MODULE,
      '    <#\n    .SYNOPSIS\n    Stops a thing.',
      '    <#\n    Stops a thing.',
    );
    assertReports(
      manifestProblems(
        SAMPLE_MANIFEST,
        mutate(
          noHelp,
          '    .DESCRIPTION\n    Stops the thing on a port.\n    .PARAMETER Port\n    The port.\n    .EXAMPLE\n    Stop-TapoThing -Port 7777 -WhatIf\n',
          '',
        ),
      ),
      /FunctionsToExport lists Stop-TapoThing, which is not a function of Sample\.psm1 with comment-based help and an approved verb/,
    );
    assertReports(
      manifestProblems(
        SAMPLE_MANIFEST,
        mutate(SAMPLE_MODULE, "'Stop-TapoThing')", "'Stop-TapoThing') -Variable 'x'"),
      ),
      /Export-ModuleMember -Variable: export functions only/,
    );
  });
});

describe('checkExportedFunctions and checkFormatViews on samples', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a parameter without .PARAMETER help',
      'param([int]$Port = 7777)\n    # core-json',
      'param([int]$Port = 7777, [string]$Name)\n    # core-json',
      /Get-TapoThing's help has no \.PARAMETER Name/,
    ],
    [
      'help without .EXAMPLE',
      '    .EXAMPLE\n    Get-TapoThing -Port 7777\n',
      '',
      /Get-TapoThing's help has no \.EXAMPLE/,
    ],
    [
      'help without .DESCRIPTION',
      '    .DESCRIPTION\n    Gets the thing on a port.\n',
      '',
      /Get-TapoThing's help has no \.DESCRIPTION/,
    ],
    [
      'a function without [CmdletBinding()]',
      '    [CmdletBinding()]\n    [OutputType',
      '    [OutputType',
      /Get-TapoThing has no \[CmdletBinding\(\)\]/,
    ],
    [
      'Stop- without SupportsShouldProcess',
      "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]",
      '[CmdletBinding()]',
      /Stop-TapoThing changes state \(Stop-\) but has no SupportsShouldProcess/,
    ],
    [
      'a missing ConfirmImpact High',
      "SupportsShouldProcess, ConfirmImpact = 'High'",
      "SupportsShouldProcess, ConfirmImpact = 'Medium'",
      /Stop-TapoThing must declare ConfirmImpact = 'High'/,
    ],
    [
      'SupportsShouldProcess without a ShouldProcess call',
      'if ($PSCmdlet.ShouldProcess("port $Port", \'Stop\')) {',
      'if ($true) {',
      /declares SupportsShouldProcess but never calls \$PSCmdlet\.ShouldProcess/,
    ],
    [
      'a parameter named $Host',
      'param([int]$Port = 7777)\n    # core-json',
      'param([int]$Port = 7777, [string]$Host)\n    # core-json',
      /Get-TapoThing has a parameter \$Host, which hides the automatic variable \$Host/,
    ],
  ];
  for (const [name, from, to, expected] of cases) {
    it(`fails ${name}`, () => assertReports(functionProblems(mutate(SAMPLE_MODULE, from, to)), expected));
  }
  it('fails an unapproved verb and a noun without Tapo', () => {
    const problems = messages(
      checkExportedFunctions(
        moduleFile(mutate(SAMPLE_MODULE, 'function Get-TapoThing', 'function Fetch-Thing')),
        ['Fetch-Thing'],
      ),
    );
    assertReports(problems, /Fetch-Thing: 'Fetch' is not an approved verb/);
    assertReports(problems, /Fetch-Thing: the noun must start with Tapo/);
  });
  it('fails an object type without a view, a view of no object type, and a column the object lacks', () => {
    assertReports(
      formatProblems(
        mutate(SAMPLE_MODULE, "PSTypeName = 'TapoDashboard.Thing'", "PSTypeName = 'TapoDashboard.Other'"),
      ),
      /Sample\.psm1:27:\d+: objects of type TapoDashboard\.Other have no view in Sample\.Format\.ps1xml/,
    );
    assertReports(
      formatProblems(
        mutate(SAMPLE_MODULE, "PSTypeName = 'TapoDashboard.Thing'", "PSTypeName = 'TapoDashboard.Other'"),
      ),
      /Sample\.Format\.ps1xml:4:1: view TapoDashboard\.Thing is for TapoDashboard\.Thing, which no \[pscustomobject\]/,
    );
    assertReports(
      formatProblems(
        SAMPLE_MODULE,
        mutate(SAMPLE_FORMAT, '<PropertyName>Status</PropertyName>', '<PropertyName>State</PropertyName>'),
      ),
      /view TapoDashboard\.Thing shows State, which TapoDashboard\.Thing objects do not have/,
    );
    assertReports(
      formatProblems(
        mutate(SAMPLE_MODULE, "[OutputType('TapoDashboard.Thing')]", "[OutputType('TapoDashboard.Thingy')]"),
      ),
      /Get-TapoThing declares \[OutputType\('TapoDashboard\.Thingy'\)\], but no \[pscustomobject\] has that PSTypeName/,
    );
  });
});

describe('checkStartScript on samples', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a $Host parameter',
      "[string]$BindAddress = '0.0.0.0'",
      "[string]$Host = '0.0.0.0'",
      /start\.ps1:\d+:\d+: start\.ps1 has a parameter \$Host, which hides the automatic variable/,
    ],
    ['a missing -CheckOnly', '    [switch]$CheckOnly,\n', '', /start\.ps1:1:1: no -CheckOnly parameter/],
    ['-Json that is not a switch', '[switch]$Json', '[bool]$Json', /-Json is \[bool\], not \[switch\]/],
    [
      'a ValidateSet without Reuse',
      "[ValidateSet('Reuse', 'Fail', 'Next', 'Stop')]",
      "[ValidateSet('Fail', 'Next', 'Stop')]",
      /-OnConflict needs \[ValidateSet\('Fail', 'Next', 'Reuse', 'Stop'\)\], has \(Fail, Next, Stop\)/,
    ],
    [
      'no SupportsShouldProcess',
      '[CmdletBinding(SupportsShouldProcess)]',
      '[CmdletBinding()]',
      /needs \[CmdletBinding\(SupportsShouldProcess\)\]/,
    ],
    ['help without a parameter', '.PARAMETER LogPath\nA log file.\n', '', /help has no \.PARAMETER LogPath/],
    [
      'no exit at the end',
      'exit $code\n',
      'Write-Output $code\n',
      /must end with `exit \$<code>` as its last statement/,
    ],
    ['an exit of a constant', 'exit $code\n', 'exit 0\n', /must end with `exit \$<code>`/],
    [
      'an exit before the end',
      '$code = $ExitBusy }',
      'exit 1 }',
      /start\.ps1:36:\d+: exit before the end of the script/,
    ],
  ];
  for (const [name, from, to, expected] of cases) {
    it(`fails ${name}`, () => assertReports(scriptProblems(mutate(SAMPLE_SCRIPT, from, to)), expected));
  }
});
