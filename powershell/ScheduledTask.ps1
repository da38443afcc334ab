# The scheduled task that starts the dashboard at logon or at startup: which PowerShell and which
# start script it runs, with which arguments, and its registration (Windows only).

function Test-TapoElevated {
    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) { return $false }
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object System.Security.Principal.WindowsPrincipal -ArgumentList $identity
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Get-TapoTaskUser {
    # DOMAIN\user of this session for an AtLogOn task (the plain user name off Windows).
    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) { return [Environment]::UserName }
    return [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
}

function New-TapoTaskArgument {
    # The powershell.exe / pwsh.exe argument string of the scheduled task: no window (a console the
    # user closes would end the dashboard), no profile, no prompts, the start script by full path,
    # the Reuse policy (a task must be idempotent) and a log file. Each value is quoted for
    # CommandLineToArgvW, so a path ending in \ or holding spaces arrives whole.
    param(
        [Parameter(Mandatory)][string]$ScriptPath,
        [Parameter(Mandatory)][int]$Port,
        [Parameter(Mandatory)][string]$BindAddress,
        [Parameter(Mandatory)][string]$LogPath,
        [Parameter(Mandatory)][string]$ProjectPath,
        [string]$StateDirectory,
        # Node.js for a task that runs as SYSTEM, which does not have the user's PATH.
        [string]$NodePath,
        # The project's validate_dependencies.py is not run before each start.
        [switch]$SkipDependencyCheck
    )
    foreach ($value in @($ScriptPath, $LogPath, $ProjectPath, $BindAddress, $StateDirectory, $NodePath)) {
        if ($value -match '["\r\n]') { throw "A task argument must not contain quotes or line breaks: $value" }
    }
    $words = @('-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden', '-ExecutionPolicy', 'Bypass', '-File', $ScriptPath,
        '-Port', [string]$Port, '-BindAddress', $BindAddress, '-OnConflict', 'Reuse', '-LogPath', $LogPath,
        '-ProjectPath', $ProjectPath)
    if (-not [string]::IsNullOrEmpty($StateDirectory)) { $words += @('-StateDirectory', $StateDirectory) }
    if (-not [string]::IsNullOrEmpty($NodePath)) { $words += @('-NodePath', $NodePath) }
    if ($SkipDependencyCheck) { $words += '-SkipDependencyCheck' }
    return (($words | ForEach-Object { ConvertTo-TapoNativeArgument -Value $_ }) -join ' ')
}

function Resolve-TapoTaskPowerShell {
    # The PowerShell a task should run: the edition running this command, by a path that lasts.
    # Not the current process's path: that may be the ISE (powershell_ise.exe), dotnet (pwsh as a
    # .NET tool), or a versioned Store folder that the next update deletes. Pure: the caller passes
    # the facts; $null when this PowerShell has no executable of its own to name.
    param(
        [Parameter(Mandatory)][string]$Edition,
        [Parameter(Mandatory)][string]$PSHomePath,
        [string]$LocalAppData
    )
    # Windows paths, joined with \ whatever this platform's separator (the tests run on Linux too).
    $folder = $PSHomePath.TrimEnd('\')
    if ($Edition -eq 'Desktop') {
        # Windows PowerShell 5.1: powershell.exe lives in $PSHOME, also when the ISE runs this.
        return "$folder\powershell.exe"
    }
    if ($folder -match '\\WindowsApps\\') {
        # The Store's PowerShell: its folder carries the version; the app execution alias does not.
        if ([string]::IsNullOrEmpty($LocalAppData)) { return $null }
        return "$($LocalAppData.TrimEnd('\'))\Microsoft\WindowsApps\pwsh.exe"
    }
    return "$folder\pwsh.exe"
}

function Resolve-TapoTaskScript {
    # The start script the task runs: ours, never the dashboard project's own start_dashboard.ps1
    # (its older versions take none of our parameters). -ScriptPath must take them too.
    param([string]$ScriptPath, [Parameter(Mandatory)][string]$ModuleRoot)
    if ([string]::IsNullOrEmpty($ScriptPath)) {
        # The installed module folder (npm run package puts it there), else the repository's.
        $candidates = @(
            (Join-Path -Path $ModuleRoot -ChildPath 'start_dashboard.ps1'),
            (Join-Path -Path (Join-Path -Path (Split-Path -Path $ModuleRoot -Parent) -ChildPath 'scripts') -ChildPath 'start_dashboard.ps1')
        )
        $ScriptPath = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
        if ($null -eq $ScriptPath) {
            throw (New-TapoErrorRecord -Message "No start_dashboard.ps1 found ($($candidates -join ', '))." `
                    -ErrorId 'TapoStartScriptMissing' -Category ObjectNotFound -ExitCode 3 `
                    -RecommendedAction 'Reinstall the module folder made by npm run package, or pass -ScriptPath with the full path of its start_dashboard.ps1.')
        }
    }
    $script = Resolve-TapoPath -Path $ScriptPath
    if (-not (Test-Path -LiteralPath $script -PathType Leaf)) {
        throw (New-TapoErrorRecord -Message "The start script '$script' does not exist." `
                -ErrorId 'TapoStartScriptMissing' -Category ObjectNotFound -TargetObject $script -ExitCode 3 `
                -RecommendedAction 'Pass -ScriptPath with the full path of the start_dashboard.ps1 that came with this module.')
    }
    # Read its parameters without running it: a script without ours would ignore the task's arguments.
    $parameters = (Get-Command -Name $script -CommandType ExternalScript -ErrorAction Stop).Parameters
    $missing = @('OnConflict', 'LogPath', 'ProjectPath', 'Port', 'NodePath' | Where-Object { -not $parameters.ContainsKey($_) })
    if ($missing.Count -gt 0) {
        throw (New-TapoErrorRecord -Message "The start script '$script' is not TapoDashboard's: it has no -$($missing -join ', -')." `
                -ErrorId 'TapoStartScriptIncompatible' -Category InvalidArgument -TargetObject $script -ExitCode 2 `
                -RecommendedAction 'Leave out -ScriptPath to use the start_dashboard.ps1 that came with this module (the dashboard project''s own script takes none of its parameters).')
    }
    return $script
}

function Register-TapoDashboardTask {
    <#
    .SYNOPSIS
    Registers a scheduled task that starts the dashboard at logon or at startup.
    .DESCRIPTION
    The task runs this module's start_dashboard.ps1 without a window, profile or prompts
    (-NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -File ...) with
    -OnConflict Reuse, so running it again while the dashboard is up changes nothing, and with a
    log file, in the project's folder. AtLogOn runs as you when you log on and needs no
    elevation. AtStartup runs before anyone logs on, as SYSTEM, and needs an elevated PowerShell;
    SYSTEM does not have your PATH, so the task is given the Node.js that this session finds.
    .PARAMETER TaskName
    Default TapoDashboard.
    .PARAMETER Trigger
    AtLogOn (default) or AtStartup.
    .PARAMETER ProjectPath
    The dashboard's checkout (its venv). Required; it must exist.
    .PARAMETER ScriptPath
    The start script. Default: start_dashboard.ps1 in the installed module folder, else the
    repository's scripts folder. Never the dashboard project's own start_dashboard.ps1, whose
    older versions take none of this module's parameters; a script without them is refused.
    .PARAMETER Port
    Default 7777.
    .PARAMETER BindAddress
    Default 0.0.0.0.
    .PARAMETER LogPath
    Default: dashboard.log in the state folder (%LOCALAPPDATA%\tapo-port; for AtStartup
    %ProgramData%\tapo-port, where the task's lock and status record also live).
    .PARAMETER SkipDependencyCheck
    The task runs start_dashboard.ps1 -SkipDependencyCheck: the project's validate_dependencies.py
    (which imports every package the dashboard uses) is not run before each start.
    .PARAMETER PowerShellPath
    The PowerShell that runs the task. Default: powershell.exe of Windows PowerShell, or pwsh.exe of
    PowerShell 7 (for the Store's PowerShell, its app execution alias, which survives updates),
    whichever runs this command.
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
        [string]$PowerShellPath,
        [switch]$SkipDependencyCheck
    )
    try {
        if ($null -eq (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)) {
            throw (New-TapoErrorRecord -Message 'Scheduled tasks need Windows (the ScheduledTasks module).' `
                    -ErrorId 'TapoNoTaskScheduler' -Category NotImplemented -TargetObject $TaskName `
                    -RecommendedAction 'On Linux use a systemd user unit that runs tapo-port start --on-conflict reuse; on macOS a launchd agent.')
        }
        $project = Resolve-TapoPath -Path $ProjectPath
        if (-not (Test-Path -LiteralPath $project -PathType Container)) {
            throw (New-TapoErrorRecord -Message "The project folder '$project' does not exist." `
                    -ErrorId 'TapoProjectNotFound' -Category ObjectNotFound -TargetObject $project -ExitCode 2 `
                    -RecommendedAction 'Pass -ProjectPath with the folder of your tapo-camera-mcp checkout (the one with its venv).')
        }
        $script = Resolve-TapoTaskScript -ScriptPath $ScriptPath -ModuleRoot $PSScriptRoot
        # %LOCALAPPDATA% and %ProgramData% (the .NET names work where the variables are not set).
        $userData = [Environment]::GetFolderPath([Environment+SpecialFolder]::LocalApplicationData)
        $machineData = [Environment]::GetFolderPath([Environment+SpecialFolder]::CommonApplicationData)
        if ([string]::IsNullOrEmpty($LogPath)) {
            $logRoot = $userData
            if ($Trigger -eq 'AtStartup') { $logRoot = $machineData }
            $LogPath = Join-Path -Path (Join-Path -Path $logRoot -ChildPath 'tapo-port') -ChildPath 'dashboard.log'
        }
        $log = Resolve-TapoPath -Path $LogPath
        if ([string]::IsNullOrEmpty($PowerShellPath)) {
            $PowerShellPath = Resolve-TapoTaskPowerShell -Edition $PSVersionTable.PSEdition -PSHomePath $PSHOME -LocalAppData $userData
        }
        if ([string]::IsNullOrEmpty($PowerShellPath) -or -not (Test-Path -LiteralPath $PowerShellPath -PathType Leaf)) {
            throw (New-TapoErrorRecord -Message "No PowerShell executable to run the task was found (tried '$PowerShellPath')." `
                    -ErrorId 'TapoPowerShellMissing' -Category ObjectNotFound -TargetObject $TaskName -ExitCode 3 `
                    -RecommendedAction 'Pass -PowerShellPath with the full path of powershell.exe or pwsh.exe.')
        }
        if ($Trigger -eq 'AtStartup' -and -not (Test-TapoElevated)) {
            throw (New-TapoErrorRecord -Message 'An AtStartup task runs as SYSTEM before anyone logs on; registering it needs an elevated PowerShell.' `
                    -ErrorId 'TapoTaskNeedsElevation' -Category PermissionDenied -TargetObject $TaskName `
                    -RecommendedAction 'Run PowerShell as administrator, or use -Trigger AtLogOn (runs as you, no elevation needed).')
        }
        # SYSTEM's own state folder is not the user's: an AtStartup task keeps its lock and record
        # where the user can read them (Get-TapoDashboardStatus -StateDirectory ...), and gets
        # the Node.js found now, since SYSTEM does not have the user's PATH.
        $stateDirectory = ''
        $nodePath = ''
        if ($Trigger -eq 'AtStartup') {
            $stateDirectory = Join-Path -Path $machineData -ChildPath 'tapo-port'
            $nodePath = (Resolve-TapoCore).Node
        }
        $argument = New-TapoTaskArgument -ScriptPath $script -Port $Port -BindAddress $BindAddress -LogPath $log -ProjectPath $project `
            -StateDirectory $stateDirectory -NodePath $nodePath -SkipDependencyCheck:$SkipDependencyCheck
        if (-not $PSCmdlet.ShouldProcess("$TaskName ($Trigger): $PowerShellPath $argument", 'Register scheduled task')) { return }

        $action = New-ScheduledTaskAction -Execute $PowerShellPath -Argument $argument -WorkingDirectory $project
        if ($Trigger -eq 'AtStartup') {
            $taskTrigger = New-ScheduledTaskTrigger -AtStartup
            $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Limited
        }
        else {
            $user = Get-TapoTaskUser
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
    catch { $PSCmdlet.ThrowTerminatingError($_) }
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
    try {
        if ($null -eq (Get-Command -Name 'Unregister-ScheduledTask' -ErrorAction SilentlyContinue)) {
            throw (New-TapoErrorRecord -Message 'Scheduled tasks need Windows (the ScheduledTasks module).' `
                    -ErrorId 'TapoNoTaskScheduler' -Category NotImplemented -TargetObject $TaskName -RecommendedAction 'Nothing to remove on this system.')
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
    catch { $PSCmdlet.ThrowTerminatingError($_) }
}
