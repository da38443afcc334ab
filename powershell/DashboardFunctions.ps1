# The dashboard functions: start it in the foreground with a conflict policy, and read back what
# the last start recorded and how that dashboard is now.

function ConvertTo-TapoDashboardStatus {
    param([Parameter(Mandatory)][object]$Data, [int]$ExitCode)
    # core-json: $Data DashboardStatus
    $record = $Data.record
    $port = $null; $url = $null; $processId = $null; $state = $null; $conflict = $null; $logFile = $null
    if ($null -ne $record) {
        # core-json: $record DashboardStatusRecord
        $port = $record.port; $url = $record.url; $state = $record.state; $logFile = $record.logFile
        if ($null -ne $record.dashboard) { $processId = $record.dashboard.pid }
        if ($null -ne $record.conflict) { $conflict = $record.conflict.summary }
    }
    return [pscustomobject]@{
        PSTypeName    = 'TapoDashboard.DashboardStatus'
        RequestedPort = [int]$Data.requestedPort
        Port          = $port
        Running       = ($Data.live.state -eq 'running')
        Health        = $Data.live.health
        HealthIssues  = @(Get-TapoHealthIssue -Report $Data.live.healthReport)
        ProcessId     = $processId
        Url           = $url
        RecordedState = $state
        Conflict      = $conflict
        LogFile       = $logFile
        Summary       = [string]$Data.summary
        ExitCode      = $ExitCode
    }
}

function Get-TapoHealthIssue {
    # The issues of a health answer (no_cameras_online, high_cpu, ...); none when there was no answer.
    param([object]$Report)
    # core-json: $Report HealthReport
    if ($null -eq $Report) { return @() }
    return @($Report.issues | ForEach-Object { [string]$_ })
}

function Get-TapoDashboardStatus {
    <#
    .SYNOPSIS
    Gets whether the dashboard started for a port is running, on which port and why, and how healthy it is.
    .DESCRIPTION
    Reads the status record the last Start-TapoDashboard (or tapo-port start) wrote for the port,
    and checks it against the live system: the same process (PID and start time), a port that
    accepts connections, and the dashboard's /api/health answer. This is the port-conflict
    notification a health dashboard can show, e.g. "Running on 7779 because 7777 is held by
    container tapo-camera-mcp; health: healthy." Objects piped in bind their RequestedPort (the
    port the record is kept under), not the port the dashboard moved to.
    .PARAMETER RequestedPort
    The port the dashboard was started for. Default 7777. Alias: Port.
    .PARAMETER StateDirectory
    Where the start wrote its record. Default: your state folder (%LOCALAPPDATA%\tapo-port); a
    task registered -Trigger AtStartup runs as SYSTEM and writes to %ProgramData%\tapo-port.
    .EXAMPLE
    Get-TapoDashboardStatus
    .EXAMPLE
    Get-TapoDashboardStatus -StateDirectory "$env:ProgramData\tapo-port"
    .EXAMPLE
    (Get-TapoDashboardStatus -Port 7777).Running
    .OUTPUTS
    TapoDashboard.DashboardStatus
    #>
    [CmdletBinding()]
    [OutputType('TapoDashboard.DashboardStatus')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Port')]
        [ValidateRange(1, 65535)][int]$RequestedPort = 7777,
        [string]$StateDirectory
    )
    process {
        try {
            $environment = @{}
            if (-not [string]::IsNullOrEmpty($StateDirectory)) { $environment['TAPO_STATE_DIR'] = Resolve-TapoPath -Path $StateDirectory }
            # core-json: $result DashboardStatus
            $result = Invoke-TapoCore -ArgumentList @('status', '--port', [string]$RequestedPort, '--json') -TargetObject $RequestedPort -Environment $environment
            ConvertTo-TapoDashboardStatus -Data $result.Document.data -ExitCode $result.ExitCode
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}

function Start-TapoDashboard {
    <#
    .SYNOPSIS
    Starts the Tapo dashboard in the foreground, resolving a port conflict by policy.
    .DESCRIPTION
    Runs tapo-port start: checks the port, applies -OnConflict, re-checks right before the launch,
    starts python -m tapo_camera_mcp.web from the project's venv, waits until /api/health answers,
    and stays until the dashboard exits (Ctrl+C stops it cleanly). Its output and the core's
    progress lines go to the console; the result object comes when it ends, with the exit code.
    Only one start per user and port runs at a time; a second one reports the first.
    .PARAMETER Port
    The port to start on. Default 7777.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .PARAMETER OnConflict
    Reuse (default): our dashboard already serves the port and answers (healthy, warning with the
    cameras offline, or critical), so report it with its health and start nothing; anything else in
    the way (a dashboard whose health is "error" or that does not answer, a foreign holder) is
    handled like Fail. Fail: explain who holds it and stop. Next: start
    on the next free port, and say so. Stop: stop the holder (asks first unless -Force), then start;
    only the holders you were shown are stopped, and a refused or failed stop ends it with the
    stop's exit code (8 or 9), nothing started.
    .PARAMETER ProjectPath
    The dashboard's checkout (its venv or .venv, the working directory). Default: $env:TAPO_PROJECT_DIR,
    else PowerShell's current location (Set-Location).
    .PARAMETER LogPath
    Append timestamped lines (the core's and the dashboard's) to this file; for scheduled tasks.
    .PARAMETER ReadyTimeoutSeconds
    Seconds to wait until the dashboard answers. Default 60.
    .PARAMETER HealthUrl
    Path or URL that answers when ready. Default /api/health.
    .PARAMETER HealthTimeoutSeconds
    Seconds one health request may take (readiness, reuse). Default 10: the real /api/health
    waits up to 3 s twice for the cameras.
    .PARAMETER SkipDependencyCheck
    Do not run the project's validate_dependencies.py (or scripts\validate_dependencies.py)
    before the port check. Without it the check runs when the project has one, and a failure
    ends the start (exit 3) with the check's own message.
    .PARAMETER StateDirectory
    Where the lock and the status record live (sets TAPO_STATE_DIR for the core). Default: the
    user's state folder (%LOCALAPPDATA%\tapo-port).
    .PARAMETER StopTimeoutSeconds
    With -OnConflict Stop: seconds to wait for the holder's graceful stop. Default 10.
    .PARAMETER KillAfterTimeout
    With -OnConflict Stop: end the holder forcefully (TerminateProcess, SIGKILL) if it outlives the graceful stop.
    .PARAMETER Force
    With -OnConflict Stop: do not ask before stopping the holder.
    .EXAMPLE
    Start-TapoDashboard -ProjectPath C:\src\tapo-camera-mcp
    .EXAMPLE
    Start-TapoDashboard -OnConflict Next -LogPath "$env:LOCALAPPDATA\tapo-port\dashboard.log"
    .OUTPUTS
    TapoDashboard.StartResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('TapoDashboard.StartResult')]
    param(
        [Parameter(Position = 0)][ValidateRange(1, 65535)][int]$Port = 7777,
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0',
        [ValidateSet('Reuse', 'Fail', 'Next', 'Stop')][string]$OnConflict = 'Reuse',
        [string]$ProjectPath,
        [string]$LogPath,
        [ValidateRange(1, 3600)][int]$ReadyTimeoutSeconds = 60,
        [string]$HealthUrl,
        [ValidateRange(1, 3600)][int]$HealthTimeoutSeconds = 10,
        [switch]$SkipDependencyCheck,
        [string]$StateDirectory,
        [ValidateRange(1, 3600)][int]$StopTimeoutSeconds = 10,
        [switch]$KillAfterTimeout,
        [switch]$Force
    )
    try {
        # Without -ProjectPath the core runs in PowerShell's current location (Invoke-TapoCore) and
        # takes that, or TAPO_PROJECT_DIR, as the project.
        $arguments = @('start', '--port', [string]$Port, '--host', $BindAddress, '--ready-timeout', [string]$ReadyTimeoutSeconds, '--health-timeout', [string]$HealthTimeoutSeconds, '--json')
        if ($SkipDependencyCheck) { $arguments += '--skip-dependency-check' }
        if (-not [string]::IsNullOrEmpty($ProjectPath)) { $arguments += @('--project-dir', (Resolve-TapoPath -Path $ProjectPath)) }
        if (-not [string]::IsNullOrEmpty($LogPath)) { $arguments += @('--log-file', (Resolve-TapoPath -Path $LogPath)) }
        if (-not [string]::IsNullOrEmpty($HealthUrl)) { $arguments += @('--health-url', $HealthUrl) }
        $environment = @{}
        if (-not [string]::IsNullOrEmpty($StateDirectory)) { $environment['TAPO_STATE_DIR'] = Resolve-TapoPath -Path $StateDirectory }
        if ($OnConflict -eq 'Stop') {
            $policy = Confirm-TapoStopPolicy -Cmdlet $PSCmdlet -Port $Port -BindAddress $BindAddress -Force:$Force
            if ($null -eq $policy) { return }
            $arguments += $policy + @('--stop-timeout', [string]$StopTimeoutSeconds)
            if ($KillAfterTimeout) { $arguments += '--force' }
        }
        else {
            $arguments += @('--on-conflict', $OnConflict.ToLowerInvariant())
            if (-not $PSCmdlet.ShouldProcess("$($BindAddress):$Port", 'Start the Tapo dashboard')) { return }
        }
        # core-json: $result DashboardStart
        $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $Port -PassThroughErrorStream -Environment $environment
        $data = $result.Document.data
        [pscustomobject]@{
            PSTypeName    = 'TapoDashboard.StartResult'
            RequestedPort = [int]$data.requestedPort
            Port          = $data.port
            Outcome       = [string]$data.outcome
            Url           = $data.url
            Health        = $data.health
            HealthIssues  = @(Get-TapoHealthIssue -Report $data.healthReport)
            ProcessId     = $(if ($null -ne $data.dashboard) { $data.dashboard.pid } else { $null })
            Summary       = [string]$data.summary
            LastLines     = @($data.lastLines)
            ExitCode      = ConvertTo-TapoExitCode -Value $data.exitCode
            CoreJson      = $result.Json
        }
    }
    catch { $PSCmdlet.ThrowTerminatingError($_) }
}

function Confirm-TapoStopPolicy {
    # -OnConflict Stop: the core's arguments for the stop policy, or $null when the person said no
    # (or -WhatIf). Asks only when something is in the way, and names it (the core's dry-run
    # plan); the core then stops only the holders that were shown (--confirmed), so its record
    # says "stopped" and a refused or failed stop keeps its own exit code (8, 9).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][string]$BindAddress,
        [switch]$Force
    )
    # core-json: $plan PortStop
    $plan = Invoke-TapoCore -ArgumentList @('stop', '--port', [string]$Port, '--host', $BindAddress, '--dry-run', '--json') -TargetObject $Port
    if (@($plan.Document.data.plan.targets).Count -eq 0) {
        if (-not $Cmdlet.ShouldProcess("$($BindAddress):$Port", 'Start the Tapo dashboard')) { return $null }
        # Nothing the core would stop: it explains whatever is in the way (fail) or starts.
        return @('--on-conflict', 'fail')
    }
    $heldBy = Get-TapoStopTargetText -Plan $plan.Document.data
    if (-not $Cmdlet.ShouldProcess("port $Port, held by $heldBy", 'Stop the holder and start the dashboard')) { return $null }
    # Nobody is asked with -Force, so there is nothing to confirm: the core stops what it finds.
    if ($Force) { return @('--on-conflict', 'stop') }
    if (-not $Cmdlet.ShouldContinue("Stop $heldBy to free port $($Port)?", 'Stop the port holder')) { return $null }
    return @('--on-conflict', 'stop') + @(ConvertTo-TapoConfirmedArgument -Plan $plan.Document.data)
}
