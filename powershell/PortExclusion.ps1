# Add-TapoPortExclusion: keeps the dashboard's port out of Windows' dynamic port range, so that
# Hyper-V / WinNAT cannot reserve it at the next boot. The core's check says what the port is in
# now; this file plans the netsh and net commands from that answer and runs them. The commands are
# built here from fixed words and the [int] port, never from text the core or the user gave.

# The bind address that stands for a whole address family in the core's check: every listener of
# that family blocks it, which is what makes netsh refuse an exclusion.
$script:TapoFamilyWildcard = @{
    IPv4 = '0.0.0.0'
    IPv6 = '::'
}

function Test-TapoWindows {
    # Whether this is Windows, the only system with excluded port ranges (a function of its own so
    # that the tests, which run on Linux too, can stand in for it).
    return [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
}

function Get-TapoSystemToolPath {
    # The full path of a Windows tool in System32: an elevated session must never run a net.exe or
    # netsh.exe that PATH or the current folder happen to offer.
    param([Parameter(Mandatory)][ValidateSet('net', 'netsh')][string]$Name)
    return [System.IO.Path]::Combine([Environment]::SystemDirectory, "$Name.exe")
}

function Invoke-TapoNativeCommand {
    # Runs net or netsh once and returns its exit code and its output (stdout and stderr together,
    # trimmed). The only place they run. The arguments are quoted here for CommandLineToArgvW, as
    # for the core; stdin is closed, so a tool that asks a question (net stop with dependent
    # services asks Y/N) gets no answer and fails instead of waiting for ever. Both tools write in
    # the console's code page.
    param(
        [Parameter(Mandatory)][ValidateSet('net', 'netsh')][string]$Name,
        [Parameter(Mandatory)][string[]]$ArgumentList
    )
    $encoding = $null
    try { $encoding = [Console]::OutputEncoding } catch { $encoding = $null }
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = Get-TapoSystemToolPath -Name $Name
    $startInfo.Arguments = ($ArgumentList | ForEach-Object { ConvertTo-TapoNativeArgument -Value $_ }) -join ' '
    $startInfo.UseShellExecute = $false
    $startInfo.CreateNoWindow = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    if ($null -ne $encoding) {
        $startInfo.StandardOutputEncoding = $encoding
        $startInfo.StandardErrorEncoding = $encoding
    }
    Write-Verbose -Message ('{0} {1}' -f $startInfo.FileName, $startInfo.Arguments)
    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $startInfo
    try {
        try { [void]$process.Start() }
        catch {
            throw (New-TapoErrorRecord -Message "$($startInfo.FileName) could not be started: $($_.Exception.Message)" `
                    -ErrorId 'TapoNativeStartFailed' -Category NotInstalled -ExitCode $script:TapoExitCode.DependencyMissing `
                    -RecommendedAction "Run the same command in an elevated PowerShell on Windows, where $Name.exe is in System32.")
        }
        $process.StandardInput.Close()
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $output = (@($stdout, $stderrTask.Result) | ForEach-Object { $_.Trim() } | Where-Object { $_ }) -join [Environment]::NewLine
        return [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $output }
    }
    finally { $process.Dispose() }
}

function New-TapoNativeStep {
    # One command of an exclusion plan: the tool, its arguments, and the line a person would type.
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][string[]]$ArgumentList)
    return [pscustomobject]@{ Name = $Name; ArgumentList = $ArgumentList; Text = "$Name $($ArgumentList -join ' ')" }
}

function Get-TapoExclusionPlan {
    # What to do for one address family, from the core's check of the family's wildcard address:
    # Action none (an administrator's exclusion already covers the port), refuse (in use: netsh
    # cannot exclude it), restart (inside a range Windows reserved itself, which is released only
    # while WinNAT is stopped) or add (netsh alone). Pure: runs nothing.
    param(
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][ValidateSet('IPv4', 'IPv6')][string]$Family,
        [Parameter(Mandatory)][object]$Data
    )
    # core-json: $Data PortCheck
    $range = $Data.reservedRange
    $rangeText = $null
    $administered = $false
    if ($null -ne $range) {
        # core-json: $range ReservedRange
        $rangeText = "$($range.start)-$($range.end)"
        $administered = [bool]$range.administered
    }
    $owners = @($Data.owners | ForEach-Object {
            # core-json: $_ Owner
            [string]$_.description
        })
    $add = New-TapoNativeStep -Name 'netsh' -ArgumentList @('int', $Family.ToLowerInvariant(), 'add', 'excludedportrange',
        'protocol=tcp', "startport=$Port", 'numberofports=1', 'store=persistent')
    $action = 'add'
    $steps = @($add)
    if ($null -ne $range -and $administered) {
        $action = 'none'; $steps = @()
    }
    elseif ([string]$Data.status -eq 'in-use') {
        $action = 'refuse'; $steps = @()
    }
    elseif ($null -ne $range) {
        $action = 'restart'
        $steps = @((New-TapoNativeStep -Name 'net' -ArgumentList @('stop', 'winnat')), $add, (New-TapoNativeStep -Name 'net' -ArgumentList @('start', 'winnat')))
    }
    return [pscustomobject]@{
        Port          = $Port
        Family        = $Family
        Status        = [string]$Data.status
        Summary       = [string]$Data.summary
        ReservedRange = $rangeText
        Owners        = $owners
        Action        = $action
        Steps         = $steps
    }
}

function ConvertTo-TapoPortExclusion {
    param(
        [Parameter(Mandatory)][object]$Plan,
        [Parameter(Mandatory)][string]$Outcome,
        [AllowEmptyCollection()][string[]]$Ran = @(),
        [bool]$RestartedWinNat = $false,
        [Parameter(Mandatory)][string]$Summary
    )
    return [pscustomobject]@{
        PSTypeName      = 'TapoDashboard.PortExclusion'
        Port            = $Plan.Port
        AddressFamily   = $Plan.Family
        Status          = $Plan.Status
        ReservedRange   = $Plan.ReservedRange
        Outcome         = $Outcome
        Commands        = @($Ran)
        Planned         = @($Plan.Steps | ForEach-Object { $_.Text })
        RestartedWinNat = $RestartedWinNat
        Summary         = $Summary
    }
}

function New-TapoNativeStepError {
    # The error record of a net or netsh command that failed, with the tool's own words in it.
    param(
        [Parameter(Mandatory)][object]$Step,
        [Parameter(Mandatory)][object]$Result,
        [Parameter(Mandatory)][string]$ErrorId,
        [Parameter(Mandatory)][string]$Consequence,
        [Parameter(Mandatory)][string]$RecommendedAction,
        [int]$Port
    )
    $said = $Result.Output
    if ([string]::IsNullOrEmpty($said)) { $said = '(no output)' }
    return (New-TapoErrorRecord -Message "$($Step.Text) failed (exit code $($Result.ExitCode)): $said $Consequence" `
            -ErrorId $ErrorId -Category InvalidOperation -TargetObject $Port -ExitCode $script:TapoExitCode.Unexpected `
            -RecommendedAction $RecommendedAction)
}

function Invoke-TapoExclusionPlan {
    # Runs the steps of one confirmed plan and returns its result. With a WinNAT restart, WinNAT is
    # started again in finally, whatever netsh did: it is never left stopped by this function. A
    # failed netsh or net is a terminating error; a failed restart of WinNAT after that is a
    # non-terminating one first, so neither is lost.
    param(
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory)][object]$Plan
    )
    $ran = New-Object System.Collections.Generic.List[string]
    $restarted = $false
    $port = $Plan.Port
    $add = @($Plan.Steps | Where-Object { $_.Name -eq 'netsh' })[0]
    $retry = "Add-TapoPortExclusion -Port $port -AddressFamily $($Plan.Family), in an elevated PowerShell"
    if ($Plan.Action -eq 'restart') {
        $stop = $Plan.Steps[0]
        $start = $Plan.Steps[2]
        $ran.Add($stop.Text)
        $stopped = Invoke-TapoNativeCommand -Name $stop.Name -ArgumentList $stop.ArgumentList
        if ($stopped.ExitCode -ne 0) {
            throw (New-TapoNativeStepError -Step $stop -Result $stopped -ErrorId 'TapoWinNatStopFailed' -Port $port `
                    -Consequence 'Nothing else was run; WinNAT is as it was.' `
                    -RecommendedAction "See Get-Service winnat; close what depends on it (WSL, Docker Desktop, Hyper-V machines) and run $retry again.")
        }
        try {
            $ran.Add($add.Text)
            $added = Invoke-TapoNativeCommand -Name $add.Name -ArgumentList $add.ArgumentList
            if ($added.ExitCode -ne 0) {
                throw (New-TapoNativeStepError -Step $add -Result $added -ErrorId 'TapoExclusionFailed' -Port $port `
                        -Consequence 'WinNAT was started again.' `
                        -RecommendedAction "See netsh int $($Plan.Family.ToLowerInvariant()) show excludedportrange protocol=tcp; Test-TapoPort -Port $port says what holds the port now.")
            }
        }
        finally {
            $ran.Add($start.Text)
            $started = Invoke-TapoNativeCommand -Name $start.Name -ArgumentList $start.ArgumentList
            if ($started.ExitCode -eq 0) { $restarted = $true }
            else {
                $Cmdlet.WriteError((New-TapoNativeStepError -Step $start -Result $started -ErrorId 'TapoWinNatStartFailed' -Port $port `
                            -Consequence 'WinNAT is stopped: WSL, Docker Desktop and Hyper-V machines have no network until it runs.' `
                            -RecommendedAction 'In an elevated PowerShell: net start winnat (or Start-Service winnat).'))
            }
        }
        $summary = "Port $port ($($Plan.Family)) is excluded from Windows' dynamic port range, persistently; WinNAT was stopped and started again."
        if (-not $restarted) { $summary = "Port $port ($($Plan.Family)) is excluded from Windows' dynamic port range, persistently; WinNAT did not start again." }
        return (ConvertTo-TapoPortExclusion -Plan $Plan -Outcome 'excluded' -Ran $ran.ToArray() -RestartedWinNat $restarted -Summary $summary)
    }
    $ran.Add($add.Text)
    $added = Invoke-TapoNativeCommand -Name $add.Name -ArgumentList $add.ArgumentList
    if ($added.ExitCode -ne 0) {
        throw (New-TapoNativeStepError -Step $add -Result $added -ErrorId 'TapoExclusionFailed' -Port $port -Consequence 'Nothing was changed.' `
                -RecommendedAction "See netsh int $($Plan.Family.ToLowerInvariant()) show excludedportrange protocol=tcp; Test-TapoPort -Port $port says what holds the port now.")
    }
    return (ConvertTo-TapoPortExclusion -Plan $Plan -Outcome 'excluded' -Ran $ran.ToArray() `
            -Summary "Port $port ($($Plan.Family)) is excluded from Windows' dynamic port range, persistently.")
}

function Add-TapoPortExclusion {
    <#
    .SYNOPSIS
    Excludes a port from Windows' dynamic port range, so Hyper-V and WinNAT cannot reserve it again at boot.
    .DESCRIPTION
    At boot, Hyper-V and WinNAT (WSL 2, Docker Desktop, Windows Sandbox) reserve blocks of ports
    from the TCP dynamic range; a dashboard port inside one cannot be bound (Test-TapoPort is
    $false, the check's status is reserved). This adds a persistent excluded port range of one
    port, which Windows then keeps out of its own reservations across reboots.
    The core's check says what the port is in first, for each address family:
    inside a range Windows reserved itself: net stop winnat; netsh int ipv4 add excludedportrange
    protocol=tcp startport=<port> numberofports=1 store=persistent; net start winnat (the range
    is released only while WinNAT is stopped, and WinNAT is started again even when netsh fails);
    free, or any other state: the netsh line alone;
    inside an excluded range an administrator added: nothing to do (a warning says so);
    in use: refused, since netsh cannot exclude a port that is in use; stop its holder first.
    -WhatIf runs nothing and shows the commands; each address family is confirmed once
    (ConfirmImpact High; -Force skips the question).
    .PARAMETER Port
    The TCP port to exclude (1-65535), for example 7777, the dashboard's default.
    .PARAMETER AddressFamily
    IPv4 (default), IPv6 or Both. Windows keeps separate excluded ranges for each; the dashboard
    bound to 0.0.0.0 needs IPv4, bound to :: IPv6.
    .PARAMETER Force
    Do not ask for confirmation.
    .EXAMPLE
    Add-TapoPortExclusion -Port 7777 -WhatIf
    .EXAMPLE
    Add-TapoPortExclusion -Port 7777
    .EXAMPLE
    Add-TapoPortExclusion -Port 7777 -AddressFamily Both -Force
    .OUTPUTS
    TapoDashboard.PortExclusion
    .NOTES
    Windows only, and it needs an elevated PowerShell (Run as administrator); -WhatIf does not.
    Stopping WinNAT cuts the network of WSL, Docker Desktop and Hyper-V machines for a moment.
    Undo with: netsh int ipv4 delete excludedportrange protocol=tcp startport=<port> numberofports=1
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('TapoDashboard.PortExclusion')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [Alias('LocalPort')]
        [ValidateRange(1, 65535)][int]$Port,
        [ValidateSet('IPv4', 'IPv6', 'Both')][string]$AddressFamily = 'IPv4',
        [switch]$Force
    )
    process {
        try {
            if ($Force -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
            $families = @($AddressFamily)
            if ($AddressFamily -eq 'Both') { $families = @('IPv4', 'IPv6') }
            if (-not (Test-TapoWindows)) {
                throw (New-TapoErrorRecord -Message 'Excluded port ranges exist only on Windows (netsh int ipv4 add excludedportrange); there is nothing to exclude here.' `
                        -ErrorId 'TapoExclusionNeedsWindows' -Category NotImplemented -TargetObject $Port -ExitCode $script:TapoExitCode.DependencyMissing `
                        -RecommendedAction "Run Add-TapoPortExclusion on the Windows machine whose port is reserved; here, Test-TapoPort -Port $Port and Get-TapoPortOwner -Port $Port say what holds it.")
            }

            # Every family is checked and planned before anything runs: a refusal or a missing
            # elevation then stops the whole call, with every command it would have run.
            $plans = @(foreach ($family in $families) {
                    # core-json: $check PortCheck
                    $check = Get-TapoCheckDocument -Port $Port -BindAddress $script:TapoFamilyWildcard[$family]
                    Get-TapoExclusionPlan -Port $Port -Family $family -Data $check.Document.data
                })
            foreach ($plan in $plans) {
                if ($plan.Action -ne 'refuse') { continue }
                $held = $plan.Owners -join '; '
                if ([string]::IsNullOrEmpty($held)) { $held = $plan.Summary }
                $stop = "Stop-TapoPortOwner -Port $Port"
                if ($plan.Family -eq 'IPv6') { $stop += ' -BindAddress ::' }
                throw (New-TapoErrorRecord -Message "Port $Port ($($plan.Family)) is in use, and netsh cannot exclude a port that is in use: $held" `
                        -ErrorId 'TapoExclusionPortInUse' -Category ResourceBusy -TargetObject $Port -ExitCode $script:TapoExitCode.PortUnavailable `
                        -RecommendedAction "Stop the holder first ($stop, or Get-TapoPortOwner -Port $Port to see it), then run Add-TapoPortExclusion -Port $Port again.")
            }
            foreach ($plan in $plans) {
                if ($plan.Action -ne 'none') { continue }
                $text = "Port $Port ($($plan.Family)) already lies in the excluded range $($plan.ReservedRange) that an administrator added: nothing to add."
                Write-Warning -Message $text
                ConvertTo-TapoPortExclusion -Plan $plan -Outcome 'already-excluded' -Summary $text
            }

            $work = @($plans | Where-Object { @($_.Steps).Count -gt 0 })
            if ($work.Count -eq 0) { return }
            $lines = @($work | ForEach-Object { $_.Steps } | ForEach-Object { $_.Text })
            $command = "Add-TapoPortExclusion -Port $Port"
            if ($AddressFamily -ne 'IPv4') { $command += " -AddressFamily $AddressFamily" }
            if (-not (Test-TapoElevated)) {
                if (-not $WhatIfPreference) {
                    throw (New-TapoErrorRecord -Message "Excluding port $Port from Windows' dynamic port range needs an elevated PowerShell (Run as administrator)." `
                            -ErrorId 'TapoExclusionNeedsElevation' -Category PermissionDenied -TargetObject $Port -ExitCode $script:TapoExitCode.Usage `
                            -RecommendedAction "In a PowerShell run as administrator: $command. Without the module, in an elevated prompt: $($lines -join '; ')")
                }
                Write-Warning -Message "Running this needs an elevated PowerShell (Run as administrator): $command"
            }

            foreach ($plan in $work) {
                $target = "TCP port $Port ($($plan.Family))"
                $action = "Exclude from Windows' dynamic port range"
                if ($plan.Action -eq 'restart') {
                    $action += ", restarting the WinNAT service (WSL, Docker Desktop and Hyper-V lose network for a moment)"
                }
                $action += ": $(@($plan.Steps | ForEach-Object { $_.Text }) -join '; ')"
                if (-not $PSCmdlet.ShouldProcess($target, $action)) {
                    ConvertTo-TapoPortExclusion -Plan $plan -Outcome 'would-exclude' -Summary "Not run (-WhatIf, or not confirmed): $(@($plan.Steps | ForEach-Object { $_.Text }) -join '; ')"
                    continue
                }
                Invoke-TapoExclusionPlan -Cmdlet $PSCmdlet -Plan $plan
            }
        }
        catch { $PSCmdlet.ThrowTerminatingError($_) }
    }
}
