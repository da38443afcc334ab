<#
.SYNOPSIS
Starts the Tapo camera dashboard on port 7777, or explains exactly who holds the port and how to free it.

.DESCRIPTION
With no arguments it does what the original start_dashboard.ps1 did, correctly: it checks port
7777 (listeners on IPv4 and IPv6, Docker containers, WSL, http.sys, Windows reserved ranges),
explains a conflict with the tapo-port core's message and numbered fixes, and otherwise starts
python -m tapo_camera_mcp.web from the project's venv, in the foreground, from any working
directory. If the dashboard is already running and healthy, it says where and exits 0.

The TapoDashboard module and its core do the work; this script talks to the person (or to Task
Scheduler) and ends with the core's exit code:
  0 started and exited cleanly, or already running (Reuse)   1 port not free
  2 usage error   3 Python, the dashboard module or Node.js missing   4 port could not be checked
  5 unexpected error   6 no free port (Next)   8 stop refused   9 stop failed
  10 another start runs it   11 not ready in time   other: the dashboard's own exit code.

.PARAMETER Port
The port to start on. Default 7777.

.PARAMETER BindAddress
The address the dashboard binds. Default 0.0.0.0 (all IPv4 interfaces); 127.0.0.1 for this machine only.

.PARAMETER OnConflict
What to do when the port is not free. Reuse (default): if our own dashboard already answers
healthy there, report it; anything else is explained like Fail. Fail: explain and exit 1.
Next: start on the next free port and say so. Stop: stop the holder (asks first), then start.

.PARAMETER ProjectPath
The dashboard checkout with its venv. Default: this script's folder (or its parent, when the
script sits in a scripts folder), or $env:TAPO_PROJECT_DIR.

.PARAMETER CheckOnly
Only check the port and explain; start nothing.

.PARAMETER Json
Print the core's JSON document instead of text (with -CheckOnly: the PortCheck document).

.PARAMETER LogPath
Append timestamped lines to this file (use it for scheduled tasks).

.PARAMETER StateDirectory
Where the lock and the status record live (TAPO_STATE_DIR). Default: the user's state folder.
A task registered to run at startup (as SYSTEM) uses %ProgramData%\tapo-port.

.PARAMETER KillAfterTimeout
With -OnConflict Stop: end the holder forcefully if it outlives the graceful stop.

.PARAMETER Force
With -OnConflict Stop: do not ask before stopping the holder.

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
    [switch]$CheckOnly,
    [switch]$Json,
    [string]$LogPath,
    [string]$StateDirectory,
    [switch]$KillAfterTimeout,
    [switch]$Force
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
    # powershell folder), else one installed on $env:PSModulePath.
    $candidates = @(
        (Join-Path -Path $PSScriptRoot -ChildPath 'TapoDashboard.psd1'),
        (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'powershell\TapoDashboard.psd1')
    )
    $manifest = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
    if ($null -ne $manifest) {
        Import-Module -Name $manifest -Force -ErrorAction Stop
    }
    else {
        Import-Module -Name 'TapoDashboard' -ErrorAction Stop
    }
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

function Test-Interactive {
    # Task Scheduler, CI, -NonInteractive and redirected input have no one to answer a question.
    if (-not [Environment]::UserInteractive) { return $false }
    foreach ($word in [Environment]::GetCommandLineArgs()) {
        if ($word -match '^[-/]noni') { return $false }
    }
    try { return -not [Console]::IsInputRedirected } catch { return $false }
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
    # Returns the exit code; the one `exit` is at the end of the script.
    $module = Get-Module -Name 'TapoDashboard'
    $project = Resolve-ProjectPath

    if ($CheckOnly) {
        # The core's summary and numbered fixes are the explanation; this script adds nothing to them.
        # core-json: $check PortCheck
        $check = & $module { param($p, $h) Get-TapoCheckDocument -Port $p -BindAddress $h } $Port $BindAddress
        if ($Json) {
            # The core's own document, byte for byte (re-serialising would turn times into local dates on 7).
            [Console]::Out.WriteLine($check.Json)
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

    if ($OnConflict -eq 'Stop' -and -not $Force -and -not $WhatIfPreference -and -not (Test-Interactive)) {
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
    # A module function does not see this script's preference variables: pass -WhatIf and -Confirm on.
    if ($WhatIfPreference) { $startParameters['WhatIf'] = $true }
    if ($ScriptParameters.ContainsKey('Confirm')) { $startParameters['Confirm'] = $ScriptParameters['Confirm'] }
    $result = Start-TapoDashboard @startParameters
    if ($null -eq $result) {
        # -WhatIf, or "no" to the confirmation: nothing was started.
        return $ExitOk
    }
    if ($Json) { [Console]::Out.WriteLine($result.CoreJson) }
    return [int]$result.ExitCode
}

$exitCode = $ExitUnexpected
$previousOutputEncoding = [Console]::OutputEncoding
try {
    Import-TapoDashboardModule
    # The dashboard's output passes straight through the console: UTF-8, so Python's text is not
    # garbled by the OEM code page on Windows PowerShell 5.1.
    [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    $exitCode = Invoke-StartDashboard
}
catch {
    Write-ErrorRecordText -Record $_
    $exitCode = $ExitUnexpected
    $fromCore = $_.Exception.Data['TapoExitCode']
    if ($null -ne $fromCore) { $exitCode = [int]$fromCore }
}
finally {
    [Console]::OutputEncoding = $previousOutputEncoding
}
exit $exitCode
