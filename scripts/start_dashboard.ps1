<#
.SYNOPSIS
Starts the Tapo camera dashboard on port 7777, or explains exactly who holds the port and how to free it.

.DESCRIPTION
With no arguments it does what the original start_dashboard.ps1 did, correctly: it runs the
project's dependency check (validate_dependencies.py, when the project has one) with the
project's Python and stops with its message when it fails; it checks port
7777 (listeners on IPv4 and IPv6, Docker containers, WSL, http.sys, Windows reserved ranges),
explains a conflict with the tapo-port core's message and numbered fixes, and otherwise starts
python -m tapo_camera_mcp.web from the project's venv, in the foreground, from any working
directory. If the dashboard is already running and answering (healthy, or warning because the
cameras are offline, or critical), it says where, with its health, and exits 0.

The TapoDashboard module and its core do the work; this script talks to the person (or to Task
Scheduler) and ends with the core's exit code:
  0 started and exited cleanly, or already running (Reuse)   1 port not free
  2 usage error   3 Python, the dashboard module or Node.js missing, or the dependency check
  failed   4 port could not be checked
  5 unexpected error   6 no free port (Next)   8 stop refused   9 stop failed
  10 another start runs it   11 not ready in time   other: the dashboard's own exit code.

.PARAMETER Port
The port to start on. Default 7777.

.PARAMETER BindAddress
The address the dashboard binds. Default 0.0.0.0 (all IPv4 interfaces); 127.0.0.1 for this machine only.

.PARAMETER OnConflict
What to do when the port is not free. Reuse (default): if our own dashboard already runs and
answers there (healthy, warning or critical), report it with its health; anything else (its
health says "error", it does not answer, a foreign holder) is explained like Fail. Fail: explain and exit 1.
Next: start on the next free port and say so. Stop: stop the holder (asks first), then start.

.PARAMETER ProjectPath
The dashboard checkout with its venv. Default: this script's folder (or its parent, when the
script sits in a scripts folder), or $env:TAPO_PROJECT_DIR.

.PARAMETER SkipDependencyCheck
Do not run the project's validate_dependencies.py before the port check (the original script
always ran it). A project without one is never a failure.

.PARAMETER CheckOnly
Only check the port and explain; start nothing.

.PARAMETER Json
Write the core's JSON document to the output instead of text (with -CheckOnly: the PortCheck
document), so $json = .\start_dashboard.ps1 -CheckOnly -Json captures it.

.PARAMETER LogPath
Append timestamped lines to this file (use it for scheduled tasks).

.PARAMETER StateDirectory
Where the lock and the status record live (TAPO_STATE_DIR). Default: the user's state folder.
A task registered to run at startup (as SYSTEM) uses %ProgramData%\tapo-port.

.PARAMETER KillAfterTimeout
With -OnConflict Stop: end the holder forcefully if it outlives the graceful stop.

.PARAMETER Force
With -OnConflict Stop: do not ask before stopping the holder.

.PARAMETER NodePath
The node.exe that runs the core (sets TAPO_NODE for this run). A task registered -Trigger
AtStartup gets it, since SYSTEM does not have the user's PATH.

.EXAMPLE
.\start_dashboard.ps1

.EXAMPLE
.\start_dashboard.ps1 -CheckOnly

.EXAMPLE
.\start_dashboard.ps1 -OnConflict Next -LogPath C:\logs\tapo-dashboard.log

.EXAMPLE
.\start_dashboard.ps1 -OnConflict Stop -WhatIf
#>
[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
param(
    [ValidateRange(1, 65535)][int]$Port = 7777,
    [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0',
    [ValidateSet('Reuse', 'Fail', 'Next', 'Stop')][string]$OnConflict = 'Reuse',
    [string]$ProjectPath,
    [switch]$SkipDependencyCheck,
    [switch]$CheckOnly,
    [switch]$Json,
    [string]$LogPath,
    [string]$StateDirectory,
    [switch]$KillAfterTimeout,
    [switch]$Force,
    [string]$NodePath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ScriptParameters = $PSBoundParameters

# The core's exit codes that this script itself returns (src/contract/exit-codes.ts).
$ExitOk = 0
$ExitUsage = 2
$ExitUnexpected = 5

function Import-TapoDashboardModule {
    # The module this script ships with (the installed module folder, or the repository's
    # powershell folder), else one installed on $env:PSModulePath. Returns the one it imported:
    # another copy may be loaded in the same session, and only this one pairs with this script.
    $candidates = @(
        (Join-Path -Path $PSScriptRoot -ChildPath 'TapoDashboard.psd1'),
        (Join-Path -Path (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'powershell') -ChildPath 'TapoDashboard.psd1')
    )
    $manifest = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
    if ($null -ne $manifest) {
        return (Import-Module -Name $manifest -Force -PassThru -ErrorAction Stop | Select-Object -First 1)
    }
    return (Import-Module -Name 'TapoDashboard' -PassThru -ErrorAction Stop | Select-Object -First 1)
}

function Resolve-ProjectPath {
    # The folder with the dashboard's venv: the script's own, or its parent for scripts\start_dashboard.ps1.
    if (-not [string]::IsNullOrEmpty($ProjectPath)) { return $ProjectPath }
    if (-not [string]::IsNullOrEmpty($env:TAPO_PROJECT_DIR)) { return $env:TAPO_PROJECT_DIR }
    foreach ($candidate in @($PSScriptRoot, (Split-Path -Path $PSScriptRoot -Parent))) {
        foreach ($marker in @('venv', '.venv', 'pyproject.toml')) {
            if (Test-Path -LiteralPath (Join-Path -Path $candidate -ChildPath $marker)) { return $candidate }
        }
    }
    return $PSScriptRoot
}

function Write-ErrorRecordText {
    param([Parameter(Mandatory)][System.Management.Automation.ErrorRecord]$Record)
    $message = $Record.Exception.Message
    $hint = $null
    if ($null -ne $Record.ErrorDetails) { $hint = $Record.ErrorDetails.RecommendedAction }
    [Console]::Error.WriteLine("start_dashboard: $message ($($Record.FullyQualifiedErrorId.Split(',')[0]))")
    if (-not [string]::IsNullOrEmpty($hint)) { [Console]::Error.WriteLine("Hint: $hint") }
}

function Invoke-StartDashboard {
    # Writes the -Json document (if asked) and returns the exit code last; the one `exit` is at
    # the end of the script.
    param([Parameter(Mandatory)][System.Management.Automation.PSModuleInfo]$Module)
    $project = Resolve-ProjectPath

    if ($CheckOnly) {
        # The core's summary and numbered fixes are the explanation; this script adds nothing to them.
        # core-json: $check PortCheck
        $check = & $Module { param($p, $h) Get-TapoCheckDocument -Port $p -BindAddress $h } $Port $BindAddress
        if ($Json) {
            # The core's own document, byte for byte (re-serialising would turn times into local
            # dates on 7), as output: the caller can capture it.
            Write-Output -InputObject $check.Json
        }
        else {
            Write-Host $check.Document.data.summary
            $number = 0
            foreach ($fix in @($check.Document.data.fixes)) {
                # core-json: $fix Fix
                $number++
                Write-Host ('  {0}. {1}' -f $number, $fix.title)
                if ($fix.commands.powershell) { Write-Host ('       {0}' -f $fix.commands.powershell) }
            }
        }
        return $check.ExitCode
    }

    if ($OnConflict -eq 'Stop' -and -not $Force -and -not $WhatIfPreference -and -not (& $Module { Test-TapoInteractiveSession })) {
        [Console]::Error.WriteLine('start_dashboard: -OnConflict Stop without -Force needs someone to confirm, and there is no console. Add -Force for unattended runs.')
        return $ExitUsage
    }

    $startParameters = @{
        Port        = $Port
        BindAddress = $BindAddress
        OnConflict  = $OnConflict
        ProjectPath = $project
        Force       = $Force
    }
    if (-not [string]::IsNullOrEmpty($LogPath)) { $startParameters['LogPath'] = $LogPath }
    if (-not [string]::IsNullOrEmpty($StateDirectory)) { $startParameters['StateDirectory'] = $StateDirectory }
    if ($KillAfterTimeout) { $startParameters['KillAfterTimeout'] = $true }
    if ($SkipDependencyCheck) { $startParameters['SkipDependencyCheck'] = $true }
    # A module function does not see this script's preference variables: pass -WhatIf and -Confirm on.
    if ($WhatIfPreference) { $startParameters['WhatIf'] = $true }
    if ($ScriptParameters.ContainsKey('Confirm')) { $startParameters['Confirm'] = $ScriptParameters['Confirm'] }
    $result = Start-TapoDashboard @startParameters
    if ($null -eq $result) {
        # -WhatIf, or "no" to the confirmation: nothing was started.
        return $ExitOk
    }
    if ($Json) { Write-Output -InputObject $result.CoreJson }
    elseif ($result.Outcome -eq 'conflict') {
        # The core explained the conflict and its fixes above; this script's own ways out come last.
        Write-Host "Or run this script again with -OnConflict Next (start on the next free port) or -OnConflict Stop (stop the holder first, after asking)."
    }
    return [int]$result.ExitCode
}

$exitCode = $ExitUnexpected
$module = $null
$previousOutputEncoding = $null
$previousNode = $env:TAPO_NODE
try {
    $module = Import-TapoDashboardModule
    if (-not [string]::IsNullOrEmpty($NodePath)) { $env:TAPO_NODE = $NodePath }
    # The dashboard's output passes straight through the console: UTF-8, so Python's text is not
    # garbled by the OEM code page on Windows PowerShell 5.1. Without a console nothing changes.
    $utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
    $previousOutputEncoding = & $module { param($encoding) Set-TapoConsoleOutputEncoding -Encoding $encoding } $utf8
    $results = @(Invoke-StartDashboard -Module $module)
    # The last item is the exit code; whatever comes before it (-Json) is this script's output.
    $exitCode = [int]$results[-1]
    if ($results.Count -gt 1) { $results[0..($results.Count - 2)] }
}
catch {
    Write-ErrorRecordText -Record $_
    $exitCode = $ExitUnexpected
    $fromCore = $_.Exception.Data['TapoExitCode']
    if ($null -ne $fromCore) { $exitCode = [int]$fromCore }
}
finally {
    if ($null -ne $previousOutputEncoding) {
        $null = & $module { param($encoding) Set-TapoConsoleOutputEncoding -Encoding $encoding } $previousOutputEncoding
    }
    $env:TAPO_NODE = $previousNode
}
exit $exitCode
