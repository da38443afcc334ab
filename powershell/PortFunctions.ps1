# The port functions: is it free, who holds it (also in Get-NetTCPConnection's shape), the next
# free port, and a safe stop of its holder. Each public function turns any failure into one
# terminating error record ($PSCmdlet.ThrowTerminatingError): a caller's -ErrorAction
# SilentlyContinue must never let it carry on with half an answer.

# Ports the dashboard's project uses beside it (7778, its USB camera server): never picked by
# Find-TapoAvailablePort unless -AllowProjectPort. The core's list is src/find-port/project-ports.ts;
# a contract test keeps the two equal.
$script:ProjectPort = @(7778)

function Get-TapoCheckDocument {
    param([int]$Port, [string]$BindAddress)
    # core-json: $result PortCheck
    $result = Invoke-TapoCore -ArgumentList @('check', '--port', [string]$Port, '--host', $BindAddress, '--json') -TargetObject $Port
    return $result
}

function Test-TapoPort {
    <#
    .SYNOPSIS
    Tests whether the dashboard could bind a port: $true when it is free, $false otherwise.
    .DESCRIPTION
    Runs the tapo-port core's check: a real bind on the address plus the socket table of both
    address families, Windows excluded port ranges and http.sys. A port the core cannot decide
    about is reported as not free, never as free. A failure (no core, a bad address) is a
    terminating error, never $true or $false.
    .PARAMETER Port
    The TCP port (1-65535). Default 7777.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0 (all IPv4 interfaces).
    .EXAMPLE
    if (Test-TapoPort -Port 7777) { 'free' } else { Get-TapoPortOwner -Port 7777 }
    .OUTPUTS
    System.Boolean
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateRange(1, 65535)][int]$Port = 7777,
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0'
    )
    process {
        try {
            # core-json: $result PortCheck
            $result = Get-TapoCheckDocument -Port $Port -BindAddress $BindAddress
            $result.Document.data.status -eq 'free'
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}

function ConvertTo-TapoPortOwner {
    param([Parameter(Mandatory)][object]$Data, [Parameter(Mandatory)][object]$Owner)
    # core-json: $Data PortCheck
    # core-json: $Owner Owner
    $name = $null; $path = $null; $commandLine = $null; $startTime = $null
    if ($null -ne $Owner.process) {
        $name = $Owner.process.name; $path = $Owner.process.path
        $commandLine = $Owner.process.commandLine; $startTime = ConvertTo-TapoDateTime -Value $Owner.process.startTime
    }
    $container = $null; $containerId = $null; $image = $null
    if ($null -ne $Owner.container) {
        $container = $Owner.container.name; $containerId = $Owner.container.id; $image = $Owner.container.image
    }
    $health = $null
    if ($null -ne $Owner.dashboard) { $health = $Owner.dashboard.healthStatus }
    return [pscustomobject]@{
        PSTypeName   = 'TapoDashboard.PortOwner'
        Port         = [int]$Data.port
        BindAddress  = [string]$Data.host
        PortStatus   = [string]$Data.status
        Kind         = [string]$Owner.kind
        ProcessId    = $Owner.pid
        Name         = $name
        Path         = $path
        CommandLine  = $commandLine
        StartTime    = $startTime
        Container    = $container
        ContainerId  = $containerId
        Image        = $image
        HealthStatus = $health
        Addresses    = @($Owner.addresses)
        Description  = [string]$Owner.description
    }
}

function Get-TapoPortOwner {
    <#
    .SYNOPSIS
    Gets who holds a port: processes, Docker containers, WSL, http.sys, services or an earlier dashboard.
    .DESCRIPTION
    One object per owner the tapo-port core finds. A container is reported as the container (not
    the Docker forwarder that holds the socket for it); ProcessId is the process to act on and is
    empty for containers, http.sys and owners of other users that cannot be seen. Pipe the result
    to Stop-TapoPortOwner to stop it safely. Nothing is returned for a free port.
    .PARAMETER Port
    The TCP port (1-65535). Default 7777.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .EXAMPLE
    Get-TapoPortOwner -Port 7777
    .EXAMPLE
    Get-TapoPortOwner | Format-List *
    .EXAMPLE
    Get-TapoPortOwner -Port 7777 | Stop-TapoPortOwner -WhatIf
    .OUTPUTS
    TapoDashboard.PortOwner
    #>
    [CmdletBinding()]
    [OutputType('TapoDashboard.PortOwner')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('LocalPort')]
        [ValidateRange(1, 65535)][int]$Port = 7777,
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0'
    )
    process {
        try {
            # core-json: $result PortCheck
            $result = Get-TapoCheckDocument -Port $Port -BindAddress $BindAddress
            foreach ($owner in @($result.Document.data.owners)) {
                ConvertTo-TapoPortOwner -Data $result.Document.data -Owner $owner
            }
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}

function Get-TapoPortConnection {
    <#
    .SYNOPSIS
    Lists the TCP listeners on a port, in the shape of Get-NetTCPConnection, with their owners.
    .DESCRIPTION
    The Get-NetTCPConnection idiom on every platform: the same properties in the same order and
    of the same types (LocalAddress, LocalPort [UInt16], RemoteAddress, RemotePort [UInt16],
    State, AppliedSetting, OwningProcess [UInt32], CreationTime, OffloadState), plus the owner's
    name, path and container that Get-NetTCPConnection leaves to Get-Process. State is the string
    'Listen' (the CIM enum type exists only on Windows; -eq 'Listen' works with both);
    AppliedSetting, CreationTime and OffloadState are empty. Only listening sockets are reported:
    TIME_WAIT and established connections never keep the dashboard from binding. For a port that
    a container publishes, OwningProcess is the forwarder (as in Get-NetTCPConnection) and
    Container names the container; piped to Stop-TapoPortOwner, the container is stopped, never
    the forwarder.
    .PARAMETER LocalPort
    The TCP port (1-65535). Default 7777.
    .PARAMETER State
    Only Listen is supported, the state that decides whether a port can be bound.
    .PARAMETER LocalAddress
    Only listeners on these addresses (for example 0.0.0.0, ::, 127.0.0.1).
    .EXAMPLE
    Get-TapoPortConnection -LocalPort 7777
    .EXAMPLE
    Get-TapoPortConnection -LocalPort 7777 | Select-Object LocalAddress, OwningProcess, OwnerName
    .OUTPUTS
    TapoDashboard.PortConnection
    #>
    [CmdletBinding()]
    [OutputType('TapoDashboard.PortConnection')]
    param(
        [Parameter(Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('Port')]
        [ValidateRange(1, 65535)][int]$LocalPort = 7777,
        [ValidateSet('Listen')][string]$State = 'Listen',
        [string[]]$LocalAddress
    )
    process {
        try {
            # The check's probe address does not filter the table: every listener on the port is listed.
            # core-json: $result PortCheck
            $result = Get-TapoCheckDocument -Port $LocalPort -BindAddress '0.0.0.0'
            $data = $result.Document.data
            foreach ($listener in @($data.listeners)) {
                # core-json: $listener Listener
                if ($LocalAddress -and ($LocalAddress -notcontains $listener.address)) { continue }
                ConvertTo-TapoPortConnection -Listener $listener -Data $data
            }
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}

function ConvertTo-TapoPortConnection {
    # One listener of a check as a Get-NetTCPConnection row, with the owner that holds it.
    param([Parameter(Mandatory)][object]$Listener, [Parameter(Mandatory)][object]$Data)
    # core-json: $Listener Listener
    # core-json: $Data PortCheck
    $owner = $null
    foreach ($candidate in @($Data.owners)) {
        # core-json: $candidate Owner
        $forwarderPid = $null
        if ($null -ne $candidate.forwarder) { $forwarderPid = $candidate.forwarder.pid }
        if (($null -ne $Listener.pid) -and ($candidate.pid -eq $Listener.pid -or $forwarderPid -eq $Listener.pid)) {
            $owner = $candidate; break
        }
    }
    $remote = '0.0.0.0'
    if ($Listener.family -eq 6) { $remote = '::' }
    $ownerName = $Listener.processName; $ownerPath = $null; $container = $null; $containerId = $null; $kind = $null
    if ($null -ne $owner) {
        # core-json: $owner Owner
        $kind = $owner.kind
        if ($null -ne $owner.process) { $ownerName = $owner.process.name; $ownerPath = $owner.process.path }
        if ($null -ne $owner.container) { $container = $owner.container.name; $containerId = $owner.container.id }
    }
    $owningProcess = $null
    if ($null -ne $Listener.pid) { $owningProcess = [uint32]$Listener.pid }
    return [pscustomobject]@{
        PSTypeName     = 'TapoDashboard.PortConnection'
        LocalAddress   = [string]$Listener.address
        LocalPort      = [uint16]$Listener.port
        RemoteAddress  = $remote
        RemotePort     = [uint16]0
        State          = 'Listen'
        AppliedSetting = $null
        OwningProcess  = $owningProcess
        CreationTime   = $null
        OffloadState   = $null
        OwnerName      = $ownerName
        OwnerPath      = $ownerPath
        OwnerKind      = $kind
        Container      = $container
        ContainerId    = $containerId
        Relation       = [string]$Listener.relation
    }
}

function Find-TapoAvailablePort {
    <#
    .SYNOPSIS
    Finds the first port from -StartPort up that the dashboard could bind.
    .DESCRIPTION
    The core reads the socket table once, skips every port that is in use on an overlapping
    address, reserved by Windows (excluded port ranges), one of the project's own ports (7778, its
    USB camera server) or one you exclude, and confirms its pick with a real bind. A race remains:
    another program can take the port before the dashboard binds it; Start-TapoDashboard
    -OnConflict Next handles that case.
    .PARAMETER StartPort
    First port to try. Default 7777.
    .PARAMETER EndPort
    Last port to try. Default StartPort + 100.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .PARAMETER ExcludePort
    More ports never to pick, for example 8080 or '8000-8010'; the project's 7778 stays excluded.
    .PARAMETER AllowProjectPort
    Let the search pick 7778, the port of the project's USB camera server.
    .EXAMPLE
    $port = Find-TapoAvailablePort
    .EXAMPLE
    Find-TapoAvailablePort -StartPort 8000 -EndPort 8100 -ExcludePort 8080
    .OUTPUTS
    System.Int32
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Position = 0)][ValidateRange(1, 65535)][int]$StartPort = 7777,
        [ValidateRange(1, 65535)][int]$EndPort,
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0',
        [string[]]$ExcludePort = @(),
        [switch]$AllowProjectPort
    )
    try {
        $arguments = @('find-port', '--start', [string]$StartPort, '--host', $BindAddress, '--json')
        if ($PSBoundParameters.ContainsKey('EndPort')) { $arguments += @('--end', [string]$EndPort) }
        $excluded = @($ExcludePort | Where-Object { -not [string]::IsNullOrWhiteSpace($_) })
        if (-not $AllowProjectPort) { $excluded = @($script:ProjectPort | ForEach-Object { [string]$_ }) + $excluded }
        $list = 'none'
        if ($excluded.Count -gt 0) { $list = $excluded -join ',' }
        $arguments += @('--exclude', $list)
        # core-json: $result PortSearch
        $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $StartPort
        [int]$result.Document.data.port
    }
    catch { $PSCmdlet.ThrowTerminatingError($_) }
}

function ConvertTo-TapoConfirmedArgument {
    # --confirmed for each target of a dry-run plan, as the core names them: container:<id>, or
    # <pid>@<start time> in the core's own form (ConvertFrom-Json makes the time a DateTime on 7).
    param([Parameter(Mandatory)][object]$Plan)
    # core-json: $Plan PortStop
    foreach ($target in @($Plan.plan.targets)) {
        # core-json: $target StopTarget
        $key = "$($target.pid)@$(ConvertTo-TapoIsoTime -Value $target.startTime)"
        if (-not [string]::IsNullOrEmpty($target.containerId)) { $key = "container:$($target.containerId)" }
        '--confirmed'
        $key
    }
}

function Get-TapoStopTargetText {
    # The targets of a dry-run plan in one line, for the question asked before they are stopped.
    param([Parameter(Mandatory)][object]$Plan)
    # core-json: $Plan PortStop
    return (@($Plan.plan.targets | ForEach-Object {
                # core-json: $_ StopTarget
                $_.description
            }) -join '; ')
}

function Stop-TapoPortOwner {
    <#
    .SYNOPSIS
    Stops what holds a port, gracefully and safely, after asking.
    .DESCRIPTION
    Asks the core for its plan first (tapo-port stop --dry-run): what would be stopped and how
    (the container's stop through Docker, Stop-Service, WM_CLOSE or Ctrl+C), and what it refuses
    to stop (system processes, Docker Desktop's backend, supervised or other users' processes).
    The plan's targets are confirmed together (ConfirmImpact High; -Force skips the question,
    -WhatIf only shows the plan and never stops anything), and only those targets are stopped:
    the core gets each one's PID and start time (or container id) and stops nothing when the port
    is held by anything else by then. A server of several processes (a master and its workers)
    is stopped in one go. Owners piped in without a process ID or container (http.sys, WSL, a
    forwarder) are skipped with a warning; a piped owner that went away with one stopped before
    it is not an error. The core re-checks every PID and its start time right before acting and
    waits until the port is free.
    .PARAMETER Port
    The port to free. Default 7777. Accepts the Port of a Get-TapoPortOwner object.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .PARAMETER ProcessId
    Stop only this owner (several hold the port). Accepts ProcessId from Get-TapoPortOwner.
    .PARAMETER Container
    Stop only this container (name or id). Accepts Container from Get-TapoPortOwner and
    Get-TapoPortConnection; it wins over the forwarder's PID that Get-TapoPortConnection rows carry.
    .PARAMETER TimeoutSeconds
    Seconds to wait for a graceful stop. Default 10.
    .PARAMETER KillAfterTimeout
    After the timeout, end it forcefully (TerminateProcess, SIGKILL, docker kill).
    .PARAMETER Force
    Do not ask for confirmation.
    .EXAMPLE
    Stop-TapoPortOwner -Port 7777 -WhatIf
    .EXAMPLE
    Get-TapoPortOwner -Port 7777 | Where-Object Kind -eq 'process' | Stop-TapoPortOwner
    .EXAMPLE
    Stop-TapoPortOwner -Port 7777 -Force -KillAfterTimeout -TimeoutSeconds 20
    .OUTPUTS
    TapoDashboard.StopResult
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('TapoDashboard.StopResult')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('LocalPort')]
        [ValidateRange(1, 65535)][int]$Port = 7777,
        [Parameter(ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0',
        [Parameter(ValueFromPipelineByPropertyName)]
        [Alias('Id', 'OwningProcess')]
        [Nullable[int]]$ProcessId,
        [Parameter(ValueFromPipelineByPropertyName)]
        [string]$Container,
        [ValidateRange(1, 3600)][int]$TimeoutSeconds = 10,
        [switch]$KillAfterTimeout,
        [switch]$Force
    )
    begin {
        # Ports on which this pipeline already stopped something: a later owner of the same port
        # that is gone by its turn (a worker of the master stopped before it) went with it.
        $stoppedPorts = @{}
    }
    process {
        try {
            if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
            $selection = $null
            # A container wins over a PID: a Get-TapoPortConnection row of a container carries the
            # forwarder's PID (as Get-NetTCPConnection does), which is never the one to stop.
            if (-not [string]::IsNullOrEmpty($Container)) { $selection = @('--container', $Container) }
            elseif ($null -ne $ProcessId) { $selection = @('--pid', [string]$ProcessId) }
            if ($PSCmdlet.MyInvocation.ExpectingInput -and $null -eq $selection) {
                # An owner from Get-TapoPortOwner with neither PID nor container (http.sys, WSL, a forwarder,
                # another user's process): stopping "the port" instead would stop every other holder too.
                Write-Warning -Message "Not stopped: port $Port has an owner that cannot be stopped by itself (no process ID or container); see Get-TapoPortOwner -Port $Port for how to free it."
                return
            }
            $common = @('--port', [string]$Port, '--host', $BindAddress, '--timeout', [string]$TimeoutSeconds)
            if ($null -ne $selection) { $common += $selection }
            $portKey = "$BindAddress|$Port"
            # core-json: $plan PortStop
            $plan = Invoke-TapoCore -ArgumentList (@('stop') + $common + @('--dry-run', '--json')) -TargetObject $Port -AllowedErrorCode 'E_NOT_AN_OWNER'
            if (-not $plan.Document.ok) {
                if ($stoppedPorts.ContainsKey($portKey)) {
                    # A piped owner gone by its turn, after this pipeline stopped another owner of the
                    # same port: it left with that one (a worker of a stopped master), as asked.
                    Write-Verbose -Message "$($selection -join ' ') no longer holds port $($Port): it went with the owner stopped before it."
                }
                else {
                    $PSCmdlet.WriteError((New-TapoErrorRecord -Message ([string]$plan.Document.error.message) -ErrorId 'E_NOT_AN_OWNER' `
                                -Category ObjectNotFound -TargetObject $Port -ExitCode $plan.ExitCode -RecommendedAction ([string]$plan.Document.error.hint)))
                }
                return
            }
            $data = $plan.Document.data
            foreach ($refusal in @($data.plan.refusals)) {
                # core-json: $refusal StopRefusal
                $text = "Not stopped: $($refusal.owner): $($refusal.reason)"
                if ($refusal.command) { $text += " Instead: $($refusal.command)" }
                Write-Warning -Message $text
            }
            if (@($data.plan.targets).Count -eq 0) {
                return (ConvertTo-TapoStopResult -Data $data -ExitCode $plan.ExitCode)
            }
            if (-not $PSCmdlet.ShouldProcess("port $Port ($(Get-TapoStopTargetText -Plan $data))", 'Stop')) {
                return (ConvertTo-TapoStopResult -Data $data -ExitCode $plan.ExitCode)
            }
            $results = @(Invoke-TapoConfirmedStop -Cmdlet $PSCmdlet -Plan $data -Port $Port -BindAddress $BindAddress `
                    -Selection $selection -TimeoutSeconds $TimeoutSeconds -KillAfterTimeout:$KillAfterTimeout)
            if (@($results | Where-Object { $_.ExitCode -eq $script:TapoExitCode.Ok }).Count -gt 0) { $stoppedPorts[$portKey] = $true }
            $results
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}

function Invoke-TapoConfirmedStop {
    # Stops exactly the targets that were shown and confirmed, in one core call: the core gets each
    # one's PID and start time (or container id) with --confirmed and stops nothing if the port is
    # held by anything else by then, so whatever took the port while the question was on screen is
    # never stopped without being asked about. A failed stop is a non-terminating error with the
    # core's exit code; its result object is still returned.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][object]$Plan,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][string]$BindAddress,
        # --pid N or --container NAME when one owner was named; $null for the whole port.
        [string[]]$Selection,
        [int]$TimeoutSeconds = 10,
        [switch]$KillAfterTimeout
    )
    # core-json: $Plan PortStop
    $arguments = @('stop', '--port', [string]$Port, '--host', $BindAddress, '--timeout', [string]$TimeoutSeconds)
    if ($null -ne $Selection) { $arguments += $Selection }
    $arguments += @(ConvertTo-TapoConfirmedArgument -Plan $Plan) + '--json'
    if ($KillAfterTimeout) { $arguments += '--force' }
    # core-json: $result PortStop
    $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $Port -AllowedErrorCode 'E_NOT_AN_OWNER'
    if (-not $result.Document.ok) {
        # The one owner named left between the question and the stop: there is nothing to stop.
        Write-Warning -Message "Not stopped: $($result.Document.error.message)"
        return
    }
    ConvertTo-TapoStopResult -Data $result.Document.data -ExitCode $result.ExitCode
    if ($result.ExitCode -ne $script:TapoExitCode.Ok) {
        foreach ($refusal in @($result.Document.data.plan.refusals)) {
            # core-json: $refusal StopRefusal
            Write-Warning -Message "Not stopped: $($refusal.owner): $($refusal.reason)"
        }
        $category = [System.Management.Automation.ErrorCategory]::OperationStopped
        if ($result.ExitCode -eq $script:TapoExitCode.Refused) { $category = [System.Management.Automation.ErrorCategory]::PermissionDenied }
        $Cmdlet.WriteError((New-TapoErrorRecord -Message ([string]$result.Document.data.summary) `
                    -ErrorId ("TapoStop_{0}" -f $result.Document.data.outcome) -Category $category -TargetObject $Port `
                    -ExitCode $result.ExitCode `
                    -RecommendedAction 'See Get-TapoPortOwner for who holds the port, and the warnings above for what was refused.'))
    }
}

function ConvertTo-TapoStopResult {
    param([Parameter(Mandatory)][object]$Data, [int]$ExitCode)
    # core-json: $Data PortStop
    $targets = @($Data.plan.targets)
    # Targets the core reports gone (or, for a container or service, done).
    $done = @(foreach ($action in @($Data.actions)) {
            if ($action.outcome -eq 'gone' -or $action.outcome -eq 'done') { "$($action.target.pid)|$($action.target.containerId)" }
        })
    $stopped = @()
    $wouldStop = @()
    if ($Data.dryRun) {
        $wouldStop = @($targets | ForEach-Object {
                # core-json: $_ StopTarget
                $_.description
            })
    }
    else {
        # With outcome "stopped" every target is stopped; otherwise those reported gone or done.
        $stopped = @($targets | Where-Object {
                # core-json: $_ StopTarget
                $Data.outcome -eq 'stopped' -or $done -contains "$($_.pid)|$($_.containerId)"
            } | ForEach-Object {
                # core-json: $_ StopTarget
                $_.description
            })
    }
    return [pscustomobject]@{
        PSTypeName    = 'TapoDashboard.StopResult'
        Port          = [int]$Data.port
        Outcome       = [string]$Data.outcome
        DryRun        = [bool]$Data.dryRun
        Stopped       = $stopped
        WouldStop     = $wouldStop
        Refused       = @($Data.plan.refusals | ForEach-Object {
                # core-json: $_ StopRefusal
                $_.owner
            })
        Forced        = [bool]$Data.forced
        PortFreeAfter = [bool]$Data.portFreeAfter
        Summary       = [string]$Data.summary
        ExitCode      = $ExitCode
    }
}
