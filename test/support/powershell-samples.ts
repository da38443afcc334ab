// PowerShell samples for the static checks' own tests. They are strings, not files in the repo,
// so the repo-wide checks never see them: the tests write them to temporary folders.
//
// The valid samples use what our module will use: CmdletBinding with
// SupportsShouldProcess, pipeline-bound validated parameters, comment-based help, `& $node @args
// 2>&1`, console encoding switched in try/finally, splatting, [pscustomobject] with PSTypeName,
// here-strings, -f, switch, Register-ScheduledTask, Export-ModuleMember, a manifest, `exit $code`.

/** A module in the shape of powershell/TapoDashboard.psm1. */
export const SAMPLE_MODULE = `#Requires -Version 5.1
Set-StrictMode -Version Latest

$script:TapoCoreVersion = '0.1.0'

function Invoke-TapoCore {
    <#
    .SYNOPSIS
    Runs the tapo-port core and returns its parsed JSON envelope.

    .DESCRIPTION
    The only call site of the native tool.

    .PARAMETER Arguments
    Arguments passed to tapo-port.

    .EXAMPLE
    Invoke-TapoCore -Arguments @('check', '--port', '7777', '--json')
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string[]]$Arguments
    )

    $node = (Get-Command -Name node -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $previous = [Console]::OutputEncoding
    $oldPassing = $null
    if ($PSVersionTable.PSVersion.Major -ge 7) {
        $oldPassing = $PSNativeCommandArgumentPassing
        $PSNativeCommandArgumentPassing = 'Standard'
    }
    try {
        [Console]::OutputEncoding = [Text.Encoding]::UTF8
        $output = & $node @Arguments 2>&1
        $code = $LASTEXITCODE
    }
    finally {
        [Console]::OutputEncoding = $previous
        if ($null -ne $oldPassing) { $PSNativeCommandArgumentPassing = $oldPassing }
    }

    $stdout = @($output | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] }) -join "\`n"
    $result = $stdout | ConvertFrom-Json
    if (-not $result.ok) {
        $message = '{0}: {1}' -f $result.error.code, $result.error.message
        $exception = [System.InvalidOperationException]::new($message)
        $record = [System.Management.Automation.ErrorRecord]::new($exception, $result.error.code, 'NotSpecified', $null)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
        $record.ErrorDetails.RecommendedAction = $result.error.hint
        $PSCmdlet.ThrowTerminatingError($record)
    }
    [pscustomobject]@{ Code = $code; Result = $result }
}

function Get-TapoPortOwner {
    <#
    .SYNOPSIS
    Lists who holds a port.
    .EXAMPLE
    Get-TapoPortOwner -Port 7777
    #>
    [CmdletBinding()]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateRange(1, 65535)]
        [int]$Port = 7777
    )
    process {
        $call = Invoke-TapoCore -Arguments @('check', '--port', "$Port", '--json')
        foreach ($owner in $call.Result.data.owners) {
            [pscustomobject]@{
                PSTypeName = 'Tapo.PortOwner'
                Port       = $Port
                Pid        = $owner.pid
                Name       = $owner.process.name
                Kind       = $owner.kind
            }
        }
    }
}

function Stop-TapoPortOwner {
    <#
    .SYNOPSIS
    Stops whoever holds the port.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateRange(1, 65535)]
        [int]$Port = 7777,
        [switch]$Force
    )
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) {
            $ConfirmPreference = 'None'
        }
        if ($PSCmdlet.ShouldProcess("port $Port", 'Stop the holder')) {
            $splat = @{ Arguments = @('stop', '--port', "$Port", '--json') }
            $null = Invoke-TapoCore @splat
        }
    }
}

function Register-TapoDashboardTask {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$TaskName = 'TapoDashboard')
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-NoProfile -File start_dashboard.ps1'
    $trigger = New-ScheduledTaskTrigger -AtLogOn
    if ($PSCmdlet.ShouldProcess($TaskName, 'Register')) {
        Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Force | Out-Null
    }
}

function Format-TapoKind {
    param([string]$Kind)
    switch ($Kind) {
        'process' { 'Process' }
        'container' { 'Container'; break }
        { $_ -like 'forward*' } { 'Forwarder' }
        default { 'Unknown' }
    }
    switch -Regex ($Kind) {
        '^p' { 'p' }
    }
}

$help = @"
Usage: start_dashboard.ps1 [-Port <int>]
  Port: $($script:TapoCoreVersion)
"@
$literal = @'
No $expansion here
'@

Export-ModuleMember -Function Get-TapoPortOwner, Stop-TapoPortOwner, Register-TapoDashboardTask
`;

/** A manifest in the shape of powershell/TapoDashboard.psd1. */
export const SAMPLE_MANIFEST = `@{
    RootModule        = 'TapoDashboard.psm1'
    ModuleVersion     = '0.1.0'
    GUID              = '3f1c2a8e-6b1d-4c39-9d3e-1d1a2b3c4d5e'
    Author            = 'tapo-port'
    PowerShellVersion = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport = @('Get-TapoPortOwner', 'Stop-TapoPortOwner')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
    FormatsToProcess  = @('TapoDashboard.Format.ps1xml')
    PrivateData       = @{
        PSData = @{
            Tags       = @('Tapo', 'Port')
            ProjectUri = 'https://example.invalid/tapo'
        }
    }
}
`;

/** A controller script in the shape of scripts/start_dashboard.ps1. */
export const SAMPLE_SCRIPT = `<#
.SYNOPSIS
Starts the Tapo dashboard on a free port.

.PARAMETER Port
The port to serve on.

.EXAMPLE
.\\start_dashboard.ps1 -Port 7778
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 65535)]
    [int]$Port = 7777,
    [string]$BindAddress = '0.0.0.0'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '..\\powershell\\TapoDashboard.psd1') -Force
$code = 0
try {
    $owners = @(Get-TapoPortOwner -Port $Port)
    if ($owners.Count -gt 0) {
        Write-Host ('Port {0} is held by {1}' -f $Port, $owners[0].Name) -ForegroundColor Yellow
        $code = 3
    }
}
catch {
    Write-Host $_.Exception.Message
    $code = 1
}
exit $code
`;

/** A format file in the shape of powershell/TapoDashboard.Format.ps1xml. */
export const SAMPLE_FORMAT = `<?xml version="1.0" encoding="utf-8"?>
<Configuration>
  <ViewDefinitions>
    <View>
      <Name>Tapo.PortOwner</Name>
      <ViewSelectedBy><TypeName>Tapo.PortOwner</TypeName></ViewSelectedBy>
      <TableControl>
        <TableHeaders><TableColumnHeader><Label>Pid</Label></TableColumnHeader></TableHeaders>
        <TableRowEntries>
          <TableRowEntry><TableColumnItems><TableColumnItem><PropertyName>Pid</PropertyName></TableColumnItem></TableColumnItems></TableRowEntry>
        </TableRowEntries>
      </TableControl>
    </View>
  </ViewDefinitions>
</Configuration>
`;

export interface BrokenSample {
  name: string;
  source: string;
  /** The line the first reported problem must be on. */
  line: number;
}

/** Mistakes PowerShell refuses to parse, each with the line where the parser must point. */
export const BROKEN_SAMPLES: readonly BrokenSample[] = [
  { name: 'unclosed function brace', source: "function Get-X {\n  'a'\n", line: 2 },
  { name: 'unclosed if brace', source: "if ($true) {\n  'a'\n", line: 2 },
  { name: 'stray closing brace', source: "function Get-X { 'a' }\n}\n", line: 2 },
  { name: 'stray closing parenthesis', source: '$x = 1\n$y = 2)\n', line: 2 },
  {
    name: 'param block without comma',
    source: 'function F {\n  param(\n    [int]$A\n    [int]$B\n  )\n}\n',
    line: 3,
  },
  { name: 'param block not closed', source: "function F {\n  param(\n    [int]$A,\n\n  'x'\n}\n", line: 2 },
  { name: 'param block trailing comma', source: 'function F {\n  param([int]$A,)\n}\n', line: 2 },
  { name: 'param without variable', source: 'function F {\n  param([int])\n}\n', line: 2 },
  {
    name: 'duplicate parameter',
    source: 'function F {\n  param([int]$Port,\n  [string]$port)\n}\n',
    line: 3,
  },
  { name: 'unterminated single-quoted string', source: "$a = 1\n$b = 'abc\n$c = 1\n", line: 2 },
  { name: 'unterminated double-quoted string', source: '$a = 1\n$b = "abc\n$c = 1\n', line: 2 },
  { name: 'here-string with text after @"', source: '$a = 1\n$h = @"abc\nline\n"@\n', line: 2 },
  { name: 'here-string with indented closing "@', source: '$a = 1\n$h = @"\nline\n  "@\n', line: 2 },
  { name: "here-string with indented closing '@", source: "$a = 1\n$h = @'\nline\n  '@\n$x = 1\n", line: 2 },
  { name: 'here-string never closed', source: "$a = 1\n$h = @'\nline\n", line: 2 },
  { name: 'unclosed subexpression in string', source: '$a = 1\n$b = "x $(1 + "\n', line: 2 },
  { name: 'unclosed hashtable', source: '$a = 1\n$h = @{ a = 1\n', line: 2 },
  { name: 'duplicate hashtable key', source: '$h = @{\n  Port = 1\n  port = 2\n}\n', line: 3 },
  { name: 'unclosed array', source: '$a = 1\n$b = @(1, 2\n', line: 2 },
  { name: 'try without catch or finally', source: "$a = 1\ntry { 'x' }\n", line: 2 },
  { name: 'unclosed attribute', source: 'function F {\n  [CmdletBinding(\n  param()\n}\n', line: 2 },
  { name: 'switch without closing brace', source: "switch ($x) {\n  'a' { 1 }\n", line: 2 },
  { name: 'foreach without in', source: '$a = 1\nforeach ($x $y) { }\n', line: 2 },
  { name: 'unclosed block comment', source: '$a = 1\n<# help\n$b = 1\n', line: 2 },
  { name: 'manifest without closing brace', source: "@{\n  RootModule = 'x.psm1'\n", line: 1 },
  { name: 'manifest key without value', source: '@{\n  RootModule =\n}\n', line: 2 },
];

/** Syntax Windows PowerShell 5.1 cannot parse, with the construct reported for it. */
export const POWERSHELL_7_SAMPLES: readonly { source: string; construct: string }[] = [
  { source: '$a = $b ? 1 : 2\n', construct: 'ternary operator ? :' },
  { source: '$a = $b ?? 1\n', construct: 'null-coalescing operator ??' },
  { source: '$a ??= 1\n', construct: 'null-coalescing assignment ??=' },
  { source: 'git status && echo ok\n', construct: 'pipeline chain operator &&' },
  { source: 'git status || echo failed\n', construct: 'pipeline chain operator ||' },
  { source: 'function F { process { } clean { } }\n', construct: 'clean block' },
];
