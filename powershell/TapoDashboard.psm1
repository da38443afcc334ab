#Requires -Version 5.1
# TapoDashboard: a thin PowerShell face on the tapo-port core (a Node program). Detection, owner
# lookup and every message come from the core's JSON; this module only runs it, checks what it
# says, and turns it into objects and error records. Invoke-TapoCore is the only place the core runs.

Set-StrictMode -Version 3.0

# The core's exit codes (src/contract/exit-codes.ts); a contract test keeps the two in step.
$script:TapoExitCode = @{
    Ok               = 0
    PortUnavailable  = 1
    Usage            = 2
    DependencyMissing = 3
    Unknown          = 4
    Unexpected       = 5
    NoFreePort       = 6
    NothingToStop    = 7
    Refused          = 8
    StopFailed       = 9
    AlreadyRunning   = 10
    NotReady         = 11
    NotRunning       = 12
    Unhealthy        = 13
}

# Every error code the core can emit (src/contract/error-catalogue.ts) and the category of the
# error record it becomes; a contract test fails when the core gains a code this table lacks.
$script:TapoErrorCategory = @{
    E_INVALID_PORT       = [System.Management.Automation.ErrorCategory]::InvalidArgument
    E_INVALID_HOST       = [System.Management.Automation.ErrorCategory]::InvalidArgument
    E_HOST_NOT_LOCAL     = [System.Management.Automation.ErrorCategory]::InvalidArgument
    E_USAGE              = [System.Management.Automation.ErrorCategory]::InvalidArgument
    E_NO_FREE_PORT       = [System.Management.Automation.ErrorCategory]::ResourceUnavailable
    E_SOCKET_TABLE       = [System.Management.Automation.ErrorCategory]::PermissionDenied
    E_DEPENDENCY_MISSING = [System.Management.Automation.ErrorCategory]::NotInstalled
    E_NOT_AN_OWNER       = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    E_STATE_DIR          = [System.Management.Automation.ErrorCategory]::SecurityError
    E_UNEXPECTED         = [System.Management.Automation.ErrorCategory]::NotSpecified
}

# The JSON major version this module reads (Terraform's rule: an unknown major is refused).
$script:SupportedSchemaMajor = 1
$script:MinimumNodeVersion = [version]'20.19.0'
$script:ResolvedCore = $null

function Get-TapoModuleVersion {
    $module = $MyInvocation.MyCommand.Module
    if ($null -ne $module) { return [string]$module.Version }
    return '0.0.0'
}

function New-TapoErrorRecord {
    # An error record whose RecommendedAction is the fix, as the core (or this module) words it.
    param(
        [Parameter(Mandatory)][string]$Message,
        [Parameter(Mandatory)][string]$ErrorId,
        [Parameter(Mandatory)][System.Management.Automation.ErrorCategory]$Category,
        [string]$RecommendedAction = '',
        [object]$TargetObject = $null,
        # The process exit code this error stands for (the core's, or 3 for a missing Node/core).
        [int]$ExitCode = 5
    )
    $exception = New-Object System.Exception -ArgumentList $Message
    $exception.Data['TapoExitCode'] = $ExitCode
    $record = New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, $ErrorId, $Category, $TargetObject
    $details = New-Object System.Management.Automation.ErrorDetails -ArgumentList $Message
    $details.RecommendedAction = $RecommendedAction
    $record.ErrorDetails = $details
    return $record
}

function Resolve-TapoCore {
    # Node (>= 20.19) and the bundled core; TAPO_NODE and TAPO_CORE override both.
    $overrides = "$($env:TAPO_NODE)|$($env:TAPO_CORE)"
    if ($null -ne $script:ResolvedCore -and $script:ResolvedCore.Overrides -eq $overrides) { return $script:ResolvedCore }

    $node = $env:TAPO_NODE
    if ([string]::IsNullOrEmpty($node)) {
        $command = Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $command) {
            throw (New-TapoErrorRecord -Message 'Node.js was not found: the TapoDashboard module runs its core with Node.js 20.19 or later.' `
                    -ErrorId 'TapoNodeMissing' -Category NotInstalled -ExitCode 3 `
                    -RecommendedAction 'Install Node.js LTS (winget install OpenJS.NodeJS.LTS, or https://nodejs.org), open a new PowerShell, or set $env:TAPO_NODE to node.exe.')
        }
        $node = $command.Source
    }
    elseif (-not (Test-Path -LiteralPath $node -PathType Leaf)) {
        throw (New-TapoErrorRecord -Message "TAPO_NODE points to '$node', which is not a file." `
                -ErrorId 'TapoNodeMissing' -Category NotInstalled -ExitCode 3 -RecommendedAction 'Set $env:TAPO_NODE to the full path of node.exe, or remove it to use node from PATH.')
    }

    $versionText = (& $node --version 2>$null | Select-Object -First 1)
    $version = $null
    if (-not ($versionText -match '^v(\d+\.\d+\.\d+)') -or -not [version]::TryParse($Matches[1], [ref]$version) -or $version -lt $script:MinimumNodeVersion) {
        throw (New-TapoErrorRecord -Message "Node.js at '$node' is $versionText; the TapoDashboard core needs $($script:MinimumNodeVersion) or later." `
                -ErrorId 'TapoNodeTooOld' -Category NotInstalled -ExitCode 3 `
                -RecommendedAction 'Install the current Node.js LTS (winget upgrade OpenJS.NodeJS.LTS, or https://nodejs.org).')
    }

    $core = $env:TAPO_CORE
    if ([string]::IsNullOrEmpty($core)) {
        # The packaged module carries the core in .\core; in the repository it is ..\dist.
        $candidates = @(
            (Join-Path -Path $PSScriptRoot -ChildPath 'core\tapo-port.cjs'),
            (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'dist\tapo-port.cjs')
        )
        $core = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
        if ($null -eq $core) {
            throw (New-TapoErrorRecord -Message "The tapo-port core was not found next to the module ($($candidates -join ' or '))." `
                    -ErrorId 'TapoCoreMissing' -Category NotInstalled -ExitCode 3 `
                    -RecommendedAction 'Reinstall the module folder made by npm run package, run npm run build in the repository, or set $env:TAPO_CORE to tapo-port.cjs.')
        }
    }
    elseif (-not (Test-Path -LiteralPath $core -PathType Leaf)) {
        throw (New-TapoErrorRecord -Message "TAPO_CORE points to '$core', which is not a file." `
                -ErrorId 'TapoCoreMissing' -Category NotInstalled -ExitCode 3 -RecommendedAction 'Set $env:TAPO_CORE to the full path of tapo-port.cjs, or remove it.')
    }
    $script:ResolvedCore = [pscustomobject]@{ Node = $node; Core = (Resolve-Path -LiteralPath $core).ProviderPath; Overrides = $overrides }
    return $script:ResolvedCore
}

function ConvertTo-TapoNativeArgument {
    # One argument quoted for CommandLineToArgvW (what node.exe uses), the same on 5.1 and 7.3+,
    # whatever $PSNativeCommandArgumentPassing says: the command line is built here, not by PowerShell.
    param([Parameter(Mandatory)][AllowEmptyString()][string]$Value)
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') { return $Value }
    $builder = New-Object System.Text.StringBuilder
    [void]$builder.Append('"')
    $backslashes = 0
    foreach ($char in $Value.ToCharArray()) {
        if ($char -eq '\') { $backslashes++; continue }
        if ($char -eq '"') {
            [void]$builder.Append([char]'\', 2 * $backslashes + 1)
            [void]$builder.Append('"')
        }
        else {
            if ($backslashes -gt 0) { [void]$builder.Append([char]'\', $backslashes) }
            [void]$builder.Append($char)
        }
        $backslashes = 0
    }
    # Backslashes before the closing quote are doubled, or they would escape it.
    if ($backslashes -gt 0) { [void]$builder.Append([char]'\', 2 * $backslashes) }
    [void]$builder.Append('"')
    return $builder.ToString()
}

function Invoke-TapoCore {
    # Runs the tapo-port core once and returns its exit code, its JSON document and the raw JSON.
    # The only place the core runs. Arguments are quoted here for CommandLineToArgvW, stdout is
    # read as UTF-8 (the core writes ASCII JSON, so an OEM code page cannot garble it), the
    # schema's major version and the core's version are checked, and an error document becomes an
    # error record with the core's hint as RecommendedAction. -PassThroughErrorStream leaves
    # stderr on the console (start: the dashboard's output and progress lines).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][AllowEmptyString()][AllowEmptyCollection()][string[]]$ArgumentList,
        [object]$TargetObject = $null,
        [switch]$PassThroughErrorStream,
        # Variables set for the core only (TAPO_STATE_DIR), never in this session.
        [hashtable]$Environment = @{}
    )
    $resolved = Resolve-TapoCore
    $arguments = @($resolved.Core) + $ArgumentList | ForEach-Object { ConvertTo-TapoNativeArgument -Value $_ }

    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $resolved.Node
    $startInfo.Arguments = $arguments -join ' '
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = -not $PassThroughErrorStream
    $startInfo.StandardOutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    if (-not $PassThroughErrorStream) {
        $startInfo.StandardErrorEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    }
    $startInfo.EnvironmentVariables['NO_COLOR'] = '1'
    foreach ($name in $Environment.Keys) { $startInfo.EnvironmentVariables[[string]$name] = [string]$Environment[$name] }
    Write-Verbose -Message ("tapo-port core: {0} {1}" -f $resolved.Node, $startInfo.Arguments)

    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $startInfo
    [void]$process.Start()
    try {
        $stderrTask = $null
        if (-not $PassThroughErrorStream) {
            $stderrTask = $process.StandardError.ReadToEndAsync()
        }
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        # Short waits, not one blocking call: Ctrl+C (start runs for hours) is seen between them.
        while (-not $process.WaitForExit(200)) { }
        $process.WaitForExit()
        $stdout = $stdoutTask.Result
        $stderr = ''
        if ($null -ne $stderrTask) { $stderr = $stderrTask.Result }
        $exitCode = $process.ExitCode
    }
    finally {
        # Stopped by Ctrl+C: the console gave the core and the dashboard Ctrl+C too; let them finish.
        if (-not $process.HasExited) { [void]$process.WaitForExit(15000) }
        $process.Dispose()
    }

    $document = $null
    if ($stdout.Trim().Length -gt 0) {
        try { $document = $stdout | ConvertFrom-Json -ErrorAction Stop }
        catch { $document = $null }
    }
    if ($null -eq $document) {
        $firstLine = ($stderr -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
        throw (New-TapoErrorRecord -Message "The tapo-port core gave no JSON (exit code $exitCode). $firstLine" `
                -ErrorId 'TapoCoreNoJson' -Category InvalidResult -TargetObject $TargetObject -ExitCode $exitCode `
                -RecommendedAction 'Run the same command with -Verbose to see how the core was called; set $env:TAPO_DEBUG = 1 for its stack trace.')
    }
    # core-json: $document Envelope
    Assert-TapoDocument -Document $document -TargetObject $TargetObject
    if (-not $document.ok) {
        $code = [string]$document.error.code
        $category = [System.Management.Automation.ErrorCategory]::NotSpecified
        if ($script:TapoErrorCategory.ContainsKey($code)) { $category = $script:TapoErrorCategory[$code] }
        throw (New-TapoErrorRecord -Message ([string]$document.error.message) -ErrorId $code -Category $category `
                -RecommendedAction ([string]$document.error.hint) -TargetObject $TargetObject -ExitCode $exitCode)
    }
    return [pscustomobject]@{ ExitCode = $exitCode; Document = $document; Json = $stdout.Trim(); ErrorText = $stderr }
}

function Assert-TapoDocument {
    # Refuses a document of an unknown major version, and a core of another version than the module's.
    param([Parameter(Mandatory)][object]$Document, [object]$TargetObject)
    # core-json: $Document Envelope
    $schemaVersion = [string]$Document.schemaVersion
    $major = -1
    if (-not ($schemaVersion -match '^(\d+)\.\d+$') -or -not [int]::TryParse($Matches[1], [ref]$major) -or $major -ne $script:SupportedSchemaMajor) {
        throw (New-TapoErrorRecord -Message "The tapo-port core speaks JSON schema '$schemaVersion'; this module reads $($script:SupportedSchemaMajor).x." `
                -ErrorId 'TapoSchemaMismatch' -Category InvalidResult -TargetObject $TargetObject `
                -RecommendedAction 'Install the module and its core together (npm run package), or point $env:TAPO_CORE at the core that came with this module.')
    }
    $coreVersion = [string]$Document.tool.version
    $moduleVersion = Get-TapoModuleVersion
    if ($coreVersion -ne $moduleVersion -and [string]::IsNullOrEmpty($env:TAPO_CORE)) {
        throw (New-TapoErrorRecord -Message "The tapo-port core is version $coreVersion, but this module is $moduleVersion." `
                -ErrorId 'TapoCoreVersionMismatch' -Category InvalidResult -TargetObject $TargetObject `
                -RecommendedAction 'Reinstall the module folder made by npm run package, so the module and its core match.')
    }
    if ($coreVersion -ne $moduleVersion) {
        Write-Verbose -Message "TAPO_CORE is version $coreVersion; the module is $moduleVersion."
    }
}

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
    about is reported as not free, never as free.
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
        # core-json: $result PortCheck
        $result = Get-TapoCheckDocument -Port $Port -BindAddress $BindAddress
        return ($result.Document.data.status -eq 'free')
    }
}

function ConvertTo-TapoDateTime {
    # The core's ISO-8601 UTC times as [datetime] on 5.1 and 7 alike (7's ConvertFrom-Json already
    # turns them into DateTime, 5.1's leaves strings).
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime() }
    $parsed = [datetime]::MinValue
    $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
    if ([datetime]::TryParse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) { return $parsed }
    return $null
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
        # core-json: $result PortCheck
        $result = Get-TapoCheckDocument -Port $Port -BindAddress $BindAddress
        foreach ($owner in @($result.Document.data.owners)) {
            ConvertTo-TapoPortOwner -Data $result.Document.data -Owner $owner
        }
    }
}

function Get-TapoPortConnection {
    <#
    .SYNOPSIS
    Lists the TCP listeners on a port, in the shape of Get-NetTCPConnection, with their owners.
    .DESCRIPTION
    The Get-NetTCPConnection idiom on every platform: LocalAddress, LocalPort, RemoteAddress,
    RemotePort, State and OwningProcess, plus the owner's name, path and container that
    Get-NetTCPConnection leaves to Get-Process. Only listening sockets are reported (State
    Listen): TIME_WAIT and established connections never keep the dashboard from binding.
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
        # The check's probe address does not filter the table: every listener on the port is listed.
        # core-json: $result PortCheck
        $result = Get-TapoCheckDocument -Port $LocalPort -BindAddress '0.0.0.0'
        $data = $result.Document.data
        foreach ($listener in @($data.listeners)) {
            # core-json: $listener Listener
            if ($LocalAddress -and ($LocalAddress -notcontains $listener.address)) { continue }
            $owner = $null
            foreach ($candidate in @($data.owners)) {
                # core-json: $candidate Owner
                $forwarderPid = $null
                if ($null -ne $candidate.forwarder) { $forwarderPid = $candidate.forwarder.pid }
                if (($null -ne $listener.pid) -and ($candidate.pid -eq $listener.pid -or $forwarderPid -eq $listener.pid)) {
                    $owner = $candidate; break
                }
            }
            $remote = '0.0.0.0'
            if ($listener.family -eq 6) { $remote = '::' }
            $ownerName = $listener.processName; $ownerPath = $null; $container = $null; $kind = $null
            if ($null -ne $owner) {
                $kind = $owner.kind
                if ($null -ne $owner.process) { $ownerName = $owner.process.name; $ownerPath = $owner.process.path }
                if ($null -ne $owner.container) { $container = $owner.container.name }
            }
            [pscustomobject]@{
                PSTypeName    = 'TapoDashboard.PortConnection'
                LocalAddress  = [string]$listener.address
                LocalPort     = [int]$listener.port
                RemoteAddress = $remote
                RemotePort    = 0
                State         = 'Listen'
                OwningProcess = $listener.pid
                OwnerName     = $ownerName
                OwnerPath     = $ownerPath
                OwnerKind     = $kind
                Container     = $container
                Relation      = [string]$listener.relation
            }
        }
    }
}

function Find-TapoAvailablePort {
    <#
    .SYNOPSIS
    Finds the first port from -StartPort up that the dashboard could bind.
    .DESCRIPTION
    The core reads the socket table once, skips every port that is in use on an overlapping
    address, reserved by Windows (excluded port ranges) or excluded (7778, the project's USB
    camera server, by default), and confirms its pick with a real bind. A race remains: another
    program can take the port before the dashboard binds it; Start-TapoDashboard -OnConflict Next
    handles that case.
    .PARAMETER StartPort
    First port to try. Default 7777.
    .PARAMETER EndPort
    Last port to try. Default StartPort + 100.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .PARAMETER ExcludePort
    Ports never to pick, for example 7778 or '8000-8010'. Default: 7778.
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
        [string[]]$ExcludePort
    )
    $arguments = @('find-port', '--start', [string]$StartPort, '--host', $BindAddress, '--json')
    if ($PSBoundParameters.ContainsKey('EndPort')) { $arguments += @('--end', [string]$EndPort) }
    if ($PSBoundParameters.ContainsKey('ExcludePort')) {
        $list = 'none'
        if (@($ExcludePort).Count -gt 0) { $list = (@($ExcludePort) -join ',') }
        $arguments += @('--exclude', $list)
    }
    # core-json: $result PortSearch
    $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $StartPort
    return [int]$result.Document.data.port
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
    -WhatIf only shows the plan and never stops anything), and only those targets are stopped,
    each by its process ID or container. Owners piped in without a process ID or
    container (http.sys, WSL, a forwarder) are skipped with a warning. The core re-checks every PID and its start time right
    before acting and waits until the port is free.
    .PARAMETER Port
    The port to free. Default 7777. Accepts the Port of a Get-TapoPortOwner object.
    .PARAMETER BindAddress
    The address the dashboard binds. Default 0.0.0.0.
    .PARAMETER ProcessId
    Stop only this owner (several hold the port). Accepts ProcessId from Get-TapoPortOwner.
    .PARAMETER Container
    Stop only this container (name or id). Accepts Container from Get-TapoPortOwner.
    .PARAMETER TimeoutSeconds
    Seconds to wait for a graceful stop. Default 10.
    .PARAMETER KillAfterTimeout
    After the timeout, end it forcefully (taskkill /F, SIGKILL, docker kill).
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
    process {
        if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        if ($PSCmdlet.MyInvocation.ExpectingInput -and $null -eq $ProcessId -and [string]::IsNullOrEmpty($Container)) {
            # An owner from Get-TapoPortOwner with neither PID nor container (http.sys, WSL, a forwarder,
            # another user's process): stopping "the port" instead would stop every other holder too.
            Write-Warning -Message "Not stopped: port $Port has an owner that cannot be stopped by itself (no process ID or container); see Get-TapoPortOwner -Port $Port for how to free it."
            return
        }
        $selection = @('--port', [string]$Port, '--host', $BindAddress, '--timeout', [string]$TimeoutSeconds)
        if ($null -ne $ProcessId) { $selection += @('--pid', [string]$ProcessId) }
        elseif (-not [string]::IsNullOrEmpty($Container)) { $selection += @('--container', $Container) }

        # core-json: $plan PortStop
        $plan = Invoke-TapoCore -ArgumentList (@('stop') + $selection + @('--dry-run', '--json')) -TargetObject $Port
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
        $descriptions = @($data.plan.targets | ForEach-Object {
                # core-json: $_ StopTarget
                $_.description
            })
        $target = "port $Port ($($descriptions -join '; '))"
        if (-not $PSCmdlet.ShouldProcess($target, 'Stop')) {
            return (ConvertTo-TapoStopResult -Data $data -ExitCode $plan.ExitCode)
        }
        Invoke-TapoConfirmedStop -Cmdlet $PSCmdlet -Plan $data -Port $Port -BindAddress $BindAddress `
            -TimeoutSeconds $TimeoutSeconds -KillAfterTimeout:$KillAfterTimeout
    }
}

function Invoke-TapoConfirmedStop {
    # Stops exactly the targets that were shown and confirmed, one core call each (--pid or
    # --container): whatever took the port while the question was on screen is not stopped
    # without being asked about (the core refuses a PID or container that does not hold the port).
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][object]$Plan,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][string]$BindAddress,
        [int]$TimeoutSeconds = 10,
        [switch]$KillAfterTimeout
    )
    # core-json: $Plan PortStop
    foreach ($target in @($Plan.plan.targets)) {
        # core-json: $target StopTarget
        $only = $null
        if (-not [string]::IsNullOrEmpty($target.containerId)) { $only = @('--container', [string]$target.containerId) }
        elseif ($null -ne $target.pid) { $only = @('--pid', [string]$target.pid) }
        if ($null -eq $only) { continue }
        $arguments = @('stop', '--port', [string]$Port, '--host', $BindAddress, '--timeout', [string]$TimeoutSeconds) + $only + @('--json')
        if ($KillAfterTimeout) { $arguments += '--force' }
        try {
            # core-json: $result PortStop
            $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $Port
        }
        catch {
            $Cmdlet.WriteError($_)
            continue
        }
        ConvertTo-TapoStopResult -Data $result.Document.data -ExitCode $result.ExitCode
        if ($result.ExitCode -ne $script:TapoExitCode.Ok) {
            $category = [System.Management.Automation.ErrorCategory]::OperationStopped
            if ($result.ExitCode -eq $script:TapoExitCode.Refused) { $category = [System.Management.Automation.ErrorCategory]::PermissionDenied }
            $Cmdlet.WriteError((New-TapoErrorRecord -Message ([string]$result.Document.data.summary) `
                        -ErrorId ("TapoStop_{0}" -f $result.Document.data.outcome) -Category $category -TargetObject $Port `
                        -ExitCode $result.ExitCode `
                        -RecommendedAction 'See Get-TapoPortOwner for who holds the port, and the warnings above for what was refused.'))
        }
    }
}

function ConvertTo-TapoStopResult {
    param([Parameter(Mandatory)][object]$Data, [int]$ExitCode)
    # core-json: $Data PortStop
    return [pscustomobject]@{
        PSTypeName    = 'TapoDashboard.StopResult'
        Port          = [int]$Data.port
        Outcome       = [string]$Data.outcome
        DryRun        = [bool]$Data.dryRun
        Stopped       = @($Data.plan.targets | ForEach-Object {
                # core-json: $_ StopTarget
                $_.description
            })
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
        ProcessId     = $processId
        Url           = $url
        RecordedState = $state
        Conflict      = $conflict
        LogFile       = $logFile
        Summary       = [string]$Data.summary
        ExitCode      = $ExitCode
    }
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
    container tapo-camera-mcp; health: healthy."
    .PARAMETER Port
    The port the dashboard was started for. Default 7777.
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
        [Alias('RequestedPort')]
        [ValidateRange(1, 65535)][int]$Port = 7777,
        [string]$StateDirectory
    )
    process {
        $environment = @{}
        if (-not [string]::IsNullOrEmpty($StateDirectory)) { $environment['TAPO_STATE_DIR'] = Resolve-TapoPath -Path $StateDirectory }
        # core-json: $result DashboardStatus
        $result = Invoke-TapoCore -ArgumentList @('status', '--port', [string]$Port, '--json') -TargetObject $Port -Environment $environment
        return (ConvertTo-TapoDashboardStatus -Data $result.Document.data -ExitCode $result.ExitCode)
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
    Reuse (default): our healthy dashboard already serves the port, so report it and start nothing;
    anything else in the way is handled like Fail. Fail: explain who holds it and stop. Next: start
    on the next free port, and say so. Stop: stop the holder (asks first unless -Force), then start.
    .PARAMETER ProjectPath
    The dashboard's checkout (its venv or .venv, the working directory). Default: the current directory.
    .PARAMETER LogPath
    Append timestamped lines (the core's and the dashboard's) to this file; for scheduled tasks.
    .PARAMETER ReadyTimeoutSeconds
    Seconds to wait until the dashboard answers. Default 60.
    .PARAMETER HealthUrl
    Path or URL that answers when ready. Default /api/health.
    .PARAMETER StateDirectory
    Where the lock and the status record live (sets TAPO_STATE_DIR for the core). Default: the
    user's state folder (%LOCALAPPDATA%\tapo-port).
    .PARAMETER KillAfterTimeout
    With -OnConflict Stop: end the holder forcefully (taskkill /F, SIGKILL) if it outlives the graceful stop.
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
        [string]$StateDirectory,
        [switch]$KillAfterTimeout,
        [switch]$Force
    )
    $arguments = @('start', '--port', [string]$Port, '--host', $BindAddress, '--ready-timeout', [string]$ReadyTimeoutSeconds, '--json')
    if (-not [string]::IsNullOrEmpty($ProjectPath)) { $arguments += @('--project-dir', (Resolve-TapoPath -Path $ProjectPath)) }
    if (-not [string]::IsNullOrEmpty($LogPath)) { $arguments += @('--log-file', (Resolve-TapoPath -Path $LogPath)) }
    if (-not [string]::IsNullOrEmpty($HealthUrl)) { $arguments += @('--health-url', $HealthUrl) }
    $environment = @{}
    if (-not [string]::IsNullOrEmpty($StateDirectory)) { $environment['TAPO_STATE_DIR'] = Resolve-TapoPath -Path $StateDirectory }
    if ($OnConflict -eq 'Stop') {
        # Ask only when something is in the way, and name it (the core's dry-run plan).
        $selection = @('--port', [string]$Port, '--host', $BindAddress)
        # core-json: $plan PortStop
        $plan = Invoke-TapoCore -ArgumentList (@('stop') + $selection + @('--dry-run', '--json')) -TargetObject $Port
        $targets = @($plan.Document.data.plan.targets)
        if ($targets.Count -gt 0) {
            $heldBy = @($targets | ForEach-Object {
                    # core-json: $_ StopTarget
                    $_.description
                }) -join '; '
            if (-not $PSCmdlet.ShouldProcess("port $Port, held by $heldBy", 'Stop the holder and start the dashboard')) { return }
            if ($Force) {
                # Nobody is asked, so there is no time for the holders to change: the core stops and starts.
                $arguments += @('--on-conflict', 'stop')
            }
            else {
                if (-not $PSCmdlet.ShouldContinue("Stop $heldBy to free port $($Port)?", 'Stop the port holder')) { return }
                $null = @(Invoke-TapoConfirmedStop -Cmdlet $PSCmdlet -Plan $plan.Document.data -Port $Port -BindAddress $BindAddress `
                        -KillAfterTimeout:$KillAfterTimeout)
                # What is still in the way now was not confirmed: it is explained, not stopped.
                $arguments += @('--on-conflict', 'fail')
            }
        }
        else {
            if (-not $PSCmdlet.ShouldProcess("$($BindAddress):$Port", 'Start the Tapo dashboard')) { return }
            $arguments += @('--on-conflict', 'fail')
        }
        if ($KillAfterTimeout) { $arguments += '--force' }
    }
    else {
        $arguments += @('--on-conflict', $OnConflict.ToLowerInvariant())
        if (-not $PSCmdlet.ShouldProcess("$($BindAddress):$Port", 'Start the Tapo dashboard')) { return }
    }
    # core-json: $result DashboardStart
    $result = Invoke-TapoCore -ArgumentList $arguments -TargetObject $Port -PassThroughErrorStream -Environment $environment
    $data = $result.Document.data
    return [pscustomobject]@{
        PSTypeName    = 'TapoDashboard.StartResult'
        RequestedPort = [int]$data.requestedPort
        Port          = $data.port
        Outcome       = [string]$data.outcome
        Url           = $data.url
        Health        = $data.health
        ProcessId     = $(if ($null -ne $data.dashboard) { $data.dashboard.pid } else { $null })
        Summary       = [string]$data.summary
        LastLines     = @($data.lastLines)
        ExitCode      = ConvertTo-TapoExitCode -Value $data.exitCode
        CoreJson      = $result.Json
    }
}

function ConvertTo-TapoExitCode {
    # A process exit code as PowerShell's exit takes it: Windows codes such as 0xC000013A (a
    # console closed) exceed [int] and arrive as their unsigned value.
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return $script:TapoExitCode.Unexpected }
    $number = [long]$Value
    if ($number -gt [int]::MaxValue) { $number -= 4294967296 }
    return [int]$number
}

function Resolve-TapoPath {
    # A path relative to PowerShell's location (which the core's working directory may not be).
    param([Parameter(Mandatory)][string]$Path)
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Test-TapoElevated {
    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) { return $false }
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal -ArgumentList $identity
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

function New-TapoTaskArgument {
    # The powershell.exe / pwsh.exe argument string of the scheduled task: no profile, no prompts,
    # the start script by full path, the Reuse policy (a task must be idempotent) and a log file.
    # Each value is quoted for CommandLineToArgvW, so a path ending in \ or holding spaces arrives whole.
    param(
        [Parameter(Mandatory)][string]$ScriptPath,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][string]$BindAddress,
        [Parameter(Mandatory)][string]$LogPath,
        [Parameter(Mandatory)][string]$ProjectPath,
        [string]$StateDirectory
    )
    foreach ($value in @($ScriptPath, $LogPath, $ProjectPath, $BindAddress, $StateDirectory)) {
        if ($value -match '["\r\n]') { throw "A task argument must not contain quotes or line breaks: $value" }
    }
    $words = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $ScriptPath,
        '-Port', [string]$Port, '-BindAddress', $BindAddress, '-OnConflict', 'Reuse', '-LogPath', $LogPath,
        '-ProjectPath', $ProjectPath)
    if (-not [string]::IsNullOrEmpty($StateDirectory)) { $words += @('-StateDirectory', $StateDirectory) }
    return (($words | ForEach-Object { ConvertTo-TapoNativeArgument -Value $_ }) -join ' ')
}

function Register-TapoDashboardTask {
    <#
    .SYNOPSIS
    Registers a scheduled task that starts the dashboard at logon or at startup.
    .DESCRIPTION
    The task runs scripts\start_dashboard.ps1 without a profile or prompts
    (-NoProfile -NonInteractive -ExecutionPolicy Bypass -File ...) with -OnConflict Reuse, so
    running it again while the dashboard is up changes nothing, and with a log file, in the
    project's folder. AtLogOn runs as you when you log on and needs no elevation. AtStartup runs
    before anyone logs on, as SYSTEM, and needs an elevated PowerShell.
    .PARAMETER TaskName
    Default TapoDashboard.
    .PARAMETER Trigger
    AtLogOn (default) or AtStartup.
    .PARAMETER ProjectPath
    The dashboard's checkout (its venv). Required.
    .PARAMETER ScriptPath
    The start script. Default: start_dashboard.ps1 in the project folder if it has one, else the one
    in the installed module folder (npm run package puts it there), else the repository's scripts folder.
    .PARAMETER Port
    Default 7777.
    .PARAMETER BindAddress
    Default 0.0.0.0.
    .PARAMETER LogPath
    Default: dashboard.log in the state folder (%LOCALAPPDATA%\tapo-port; for AtStartup
    %ProgramData%\tapo-port, where the task's lock and status record also live).
    .PARAMETER PowerShellPath
    The PowerShell that runs the task. Default: the one running this command (powershell.exe or pwsh.exe).
    .EXAMPLE
    Register-TapoDashboardTask -ProjectPath C:\src\tapo-camera-mcp -WhatIf
    .EXAMPLE
    Register-TapoDashboardTask -ProjectPath C:\src\tapo-camera-mcp -Trigger AtStartup
    .OUTPUTS
    Microsoft.Management.Infrastructure.CimInstance#MSFT_ScheduledTask
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    param(
        [ValidateNotNullOrEmpty()][string]$TaskName = 'TapoDashboard',
        [ValidateSet('AtLogOn', 'AtStartup')][string]$Trigger = 'AtLogOn',
        [Parameter(Mandatory)][string]$ProjectPath,
        [string]$ScriptPath,
        [ValidateRange(1, 65535)][int]$Port = 7777,
        [ValidateNotNullOrEmpty()][string]$BindAddress = '0.0.0.0',
        [string]$LogPath,
        [string]$PowerShellPath
    )
    if ($null -eq (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)) {
        $PSCmdlet.ThrowTerminatingError((New-TapoErrorRecord -Message 'Scheduled tasks need Windows (the ScheduledTasks module).' `
                    -ErrorId 'TapoNoTaskScheduler' -Category NotImplemented -RecommendedAction 'On Linux use a systemd user unit that runs tapo-port start --on-conflict reuse; on macOS a launchd agent.'))
    }
    $project = Resolve-TapoPath -Path $ProjectPath
    if ([string]::IsNullOrEmpty($ScriptPath)) {
        # The project's own script, else the one in the installed module folder, else the repository's.
        $candidates = @(
            (Join-Path -Path $project -ChildPath 'start_dashboard.ps1'),
            (Join-Path -Path $PSScriptRoot -ChildPath 'start_dashboard.ps1'),
            (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'scripts\start_dashboard.ps1')
        )
        $ScriptPath = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
        if ($null -eq $ScriptPath) {
            $PSCmdlet.ThrowTerminatingError((New-TapoErrorRecord -Message "No start_dashboard.ps1 found ($($candidates -join ', '))." `
                        -ErrorId 'TapoStartScriptMissing' -Category ObjectNotFound -TargetObject $TaskName `
                        -RecommendedAction 'Pass -ScriptPath with the full path of start_dashboard.ps1.'))
        }
    }
    $script = Resolve-TapoPath -Path $ScriptPath
    if (-not (Test-Path -LiteralPath $script -PathType Leaf)) {
        $PSCmdlet.ThrowTerminatingError((New-TapoErrorRecord -Message "The start script '$script' does not exist." `
                    -ErrorId 'TapoStartScriptMissing' -Category ObjectNotFound -TargetObject $TaskName `
                    -RecommendedAction 'Pass -ScriptPath with the full path of start_dashboard.ps1.'))
    }
    if ([string]::IsNullOrEmpty($LogPath)) {
        $logRoot = $env:LOCALAPPDATA
        if ($Trigger -eq 'AtStartup') { $logRoot = $env:ProgramData }
        $LogPath = Join-Path -Path $logRoot -ChildPath 'tapo-port\dashboard.log'
    }
    $log = Resolve-TapoPath -Path $LogPath
    if ([string]::IsNullOrEmpty($PowerShellPath)) {
        $PowerShellPath = (Get-Process -Id $PID).Path
    }
    if ($Trigger -eq 'AtStartup' -and -not (Test-TapoElevated)) {
        $PSCmdlet.ThrowTerminatingError((New-TapoErrorRecord -Message 'An AtStartup task runs as SYSTEM before anyone logs on; registering it needs an elevated PowerShell.' `
                    -ErrorId 'TapoTaskNeedsElevation' -Category PermissionDenied -TargetObject $TaskName `
                    -RecommendedAction 'Run PowerShell as administrator, or use -Trigger AtLogOn (runs as you, no elevation needed).'))
    }
    # SYSTEM's own state folder is not the user's: an AtStartup task keeps its lock and record
    # where the user can read them (Get-TapoDashboardStatus -StateDirectory ...).
    $stateDirectory = ''
    if ($Trigger -eq 'AtStartup') { $stateDirectory = Join-Path -Path $env:ProgramData -ChildPath 'tapo-port' }
    $argument = New-TapoTaskArgument -ScriptPath $script -Port $Port -BindAddress $BindAddress -LogPath $log -ProjectPath $project `
        -StateDirectory $stateDirectory
    if (-not $PSCmdlet.ShouldProcess("$TaskName ($Trigger): $PowerShellPath $argument", 'Register scheduled task')) { return }

    $action = New-ScheduledTaskAction -Execute $PowerShellPath -Argument $argument -WorkingDirectory $project
    if ($Trigger -eq 'AtStartup') {
        $taskTrigger = New-ScheduledTaskTrigger -AtStartup
        $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Limited
    }
    else {
        $user = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
        $taskTrigger = New-ScheduledTaskTrigger -AtLogOn -User $user
        $principal = New-ScheduledTaskPrincipal -UserId $user -LogonType Interactive -RunLevel Limited
    }
    # The dashboard is a server: no time limit, and one instance (the script's lock says so too).
    # On a laptop the defaults would not start it on battery and would end it when unplugged.
    $settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -MultipleInstances IgnoreNew -StartWhenAvailable `
        -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $taskTrigger -Principal $principal -Settings $settings `
        -Description 'Starts the Tapo camera dashboard (TapoDashboard module, tapo-port start --on-conflict reuse).' -Force
}

function Unregister-TapoDashboardTask {
    <#
    .SYNOPSIS
    Removes the scheduled task that Register-TapoDashboardTask created.
    .DESCRIPTION
    Removes the task; a dashboard it started keeps running (stop it with Stop-TapoPortOwner).
    .PARAMETER TaskName
    Default TapoDashboard.
    .EXAMPLE
    Unregister-TapoDashboardTask -WhatIf
    .EXAMPLE
    Unregister-TapoDashboardTask -TaskName TapoDashboard -Confirm:$false
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param([ValidateNotNullOrEmpty()][string]$TaskName = 'TapoDashboard')
    if ($null -eq (Get-Command -Name 'Unregister-ScheduledTask' -ErrorAction SilentlyContinue)) {
        $PSCmdlet.ThrowTerminatingError((New-TapoErrorRecord -Message 'Scheduled tasks need Windows (the ScheduledTasks module).' `
                    -ErrorId 'TapoNoTaskScheduler' -Category NotImplemented -RecommendedAction 'Nothing to remove on this system.'))
    }
    $task = Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue
    if ($null -eq $task) {
        $PSCmdlet.WriteError((New-TapoErrorRecord -Message "No scheduled task named '$TaskName'." -ErrorId 'TapoTaskNotFound' `
                    -Category ObjectNotFound -TargetObject $TaskName -RecommendedAction 'Get-ScheduledTask lists the tasks; pass -TaskName.'))
        return
    }
    if ($PSCmdlet.ShouldProcess($TaskName, 'Unregister scheduled task')) {
        Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
    }
}

Export-ModuleMember -Function @(
    'Test-TapoPort',
    'Get-TapoPortOwner',
    'Get-TapoPortConnection',
    'Find-TapoAvailablePort',
    'Stop-TapoPortOwner',
    'Start-TapoDashboard',
    'Get-TapoDashboardStatus',
    'Register-TapoDashboardTask',
    'Unregister-TapoDashboardTask'
)
