# The one place the tapo-port core runs: finding it, quoting its arguments, reading and checking
# its JSON, and turning its errors into error records whose RecommendedAction is the core's hint.
# Dot-sourced by TapoDashboard.psm1; nothing here is exported.

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
# The version the core must report: the manifest's, read from the file itself, so that importing
# TapoDashboard.psm1 directly (no manifest, module version 0.0) still pairs with its core.
$script:ModuleVersion = [string](Import-PowerShellDataFile -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath 'TapoDashboard.psd1')).ModuleVersion

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

function Get-TapoExecutableName {
    # The file name of the core's single executable for this machine, or $null where none is built
    # (macOS, Linux on ARM): tapo-port.exe on Windows (x64, and ARM64 through its x64 emulation),
    # tapo-port on Linux x64. Windows PowerShell 5.1 only runs on Windows, so $IsLinux is 7's.
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) { return 'tapo-port.exe' }
    if ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq [System.Runtime.InteropServices.Architecture]::X64) { return 'tapo-port' }
    return $null
}

function New-TapoResolvedCore {
    # How the core is run: FilePath with Arguments before the command's own. Node is the node used
    # (empty for the single executable), Core the executable or the bundle.
    param([Parameter(Mandatory)][string]$Core, [string]$Node = '', [Parameter(Mandatory)][string]$Overrides)
    $corePath = (Resolve-Path -LiteralPath $Core).ProviderPath
    if ([string]::IsNullOrEmpty($Node)) {
        return [pscustomobject]@{ Form = 'executable'; FilePath = $corePath; Arguments = @(); Node = ''; Core = $corePath; Overrides = $Overrides }
    }
    return [pscustomobject]@{ Form = 'node'; FilePath = $Node; Arguments = @($corePath); Node = $Node; Core = $corePath; Overrides = $Overrides }
}

function Resolve-TapoCore {
    # The core's single executable for this machine in the module's core folder, which needs
    # nothing installed; else Node (>= 20.19) and the bundle. TAPO_CORE (an executable, or a .cjs
    # bundle run with Node) and TAPO_NODE (Node and the bundle) override the choice. Remembered
    # only once found: a failed lookup is asked again on the next call.
    $overrides = "$($env:TAPO_NODE)|$($env:TAPO_CORE)"
    if ($null -ne $script:ResolvedCore -and $script:ResolvedCore.Overrides -eq $overrides) { return $script:ResolvedCore }

    $executableName = Get-TapoExecutableName
    $core = $env:TAPO_CORE
    if (-not [string]::IsNullOrEmpty($core)) {
        if (-not (Test-Path -LiteralPath $core -PathType Leaf)) {
            throw (New-TapoErrorRecord -Message "TAPO_CORE points to '$core', which is not a file." `
                    -ErrorId 'TapoCoreMissing' -Category NotInstalled -ExitCode 3 `
                    -RecommendedAction 'Set $env:TAPO_CORE to the full path of tapo-port.exe (or of tapo-port.cjs, which runs with Node.js), or remove it.')
        }
        if ($core -notmatch '\.[cm]?js$') {
            $script:ResolvedCore = New-TapoResolvedCore -Core $core -Overrides $overrides
            return $script:ResolvedCore
        }
    }
    elseif ([string]::IsNullOrEmpty($env:TAPO_NODE) -and $null -ne $executableName) {
        $executable = Join-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath 'core') -ChildPath $executableName
        if (Test-Path -LiteralPath $executable -PathType Leaf) {
            $script:ResolvedCore = New-TapoResolvedCore -Core $executable -Overrides $overrides
            return $script:ResolvedCore
        }
    }

    # Node and the bundle. Where an executable would have served, the error names both fixes.
    $withoutNode = 'Install Node.js LTS (winget install OpenJS.NodeJS.LTS, or https://nodejs.org) and open a new PowerShell, or set $env:TAPO_NODE to node.'
    if ($null -ne $executableName) {
        $withoutNode = "Install the module with its executable (Install-PSResource TapoDashboard, or unzip the release), which needs no Node.js; or set `$env:TAPO_CORE to $executableName; or install Node.js LTS (winget install OpenJS.NodeJS.LTS, or https://nodejs.org) and open a new PowerShell, or set `$env:TAPO_NODE to node."
    }
    $node = $env:TAPO_NODE
    if ([string]::IsNullOrEmpty($node)) {
        $command = Get-Command -Name 'node' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $command) {
            $message = 'Node.js was not found: the TapoDashboard module runs its core with Node.js 20.19 or later.'
            if ($null -ne $executableName) {
                $message = "Neither the tapo-port executable ($executableName in the module's core folder) nor Node.js 20.19 or later was found: the TapoDashboard module runs its core with one of them."
            }
            throw (New-TapoErrorRecord -Message $message -ErrorId 'TapoNodeMissing' -Category NotInstalled -ExitCode 3 -RecommendedAction $withoutNode)
        }
        $node = $command.Source
    }
    elseif (-not (Test-Path -LiteralPath $node -PathType Leaf)) {
        throw (New-TapoErrorRecord -Message "TAPO_NODE points to '$node', which is not a file." `
                -ErrorId 'TapoNodeMissing' -Category NotInstalled -ExitCode 3 -RecommendedAction 'Set $env:TAPO_NODE to the full path of node.exe, or remove it to use the module''s executable or node from PATH.')
    }

    $versionText = (& $node --version 2>$null | Select-Object -First 1)
    $version = $null
    if (-not ($versionText -match '^v(\d+\.\d+\.\d+)') -or -not [version]::TryParse($Matches[1], [ref]$version) -or $version -lt $script:MinimumNodeVersion) {
        throw (New-TapoErrorRecord -Message "Node.js at '$node' is $versionText; the TapoDashboard core needs $($script:MinimumNodeVersion) or later." `
                -ErrorId 'TapoNodeTooOld' -Category NotInstalled -ExitCode 3 `
                -RecommendedAction 'Install the current Node.js LTS (winget upgrade OpenJS.NodeJS.LTS, or https://nodejs.org).')
    }

    if ([string]::IsNullOrEmpty($core)) {
        # The packaged module carries the bundle in .\core; in the repository it is ..\dist.
        $candidates = @(
            (Join-Path -Path $PSScriptRoot -ChildPath 'core\tapo-port.cjs'),
            (Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath 'dist\tapo-port.cjs')
        )
        $core = $candidates | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf } | Select-Object -First 1
        if ($null -eq $core) {
            throw (New-TapoErrorRecord -Message "The tapo-port core was not found next to the module ($($candidates -join ' or '))." `
                    -ErrorId 'TapoCoreMissing' -Category NotInstalled -ExitCode 3 `
                    -RecommendedAction 'Reinstall the module folder made by npm run package, run npm run build in the repository, or set $env:TAPO_CORE to tapo-port.exe or tapo-port.cjs.')
        }
    }
    $script:ResolvedCore = New-TapoResolvedCore -Core $core -Node $node -Overrides $overrides
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

function Get-TapoFileSystemLocation {
    # PowerShell's current folder (Set-Location), which is not the process's working directory:
    # the core runs there, so a relative path or the default project folder means what the user sees.
    return (Get-Location -PSProvider FileSystem).ProviderPath
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
        [hashtable]$Environment = @{},
        # Error codes the caller handles itself: their document is returned (ok = false), not thrown,
        # so an expected answer leaves nothing in the caller's $Error or -ErrorVariable.
        [string[]]$AllowedErrorCode = @()
    )
    $resolved = Resolve-TapoCore
    $arguments = @($resolved.Arguments) + $ArgumentList | ForEach-Object { ConvertTo-TapoNativeArgument -Value $_ }

    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $resolved.FilePath
    $startInfo.Arguments = $arguments -join ' '
    $startInfo.WorkingDirectory = Get-TapoFileSystemLocation
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = -not $PassThroughErrorStream
    $startInfo.StandardOutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    if (-not $PassThroughErrorStream) {
        $startInfo.StandardErrorEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    }
    $startInfo.EnvironmentVariables['NO_COLOR'] = '1'
    foreach ($name in $Environment.Keys) { $startInfo.EnvironmentVariables[[string]$name] = [string]$Environment[$name] }
    Write-Verbose -Message ("tapo-port core ({0}): {1} {2} (in {3})" -f $resolved.Form, $resolved.FilePath, $startInfo.Arguments, $startInfo.WorkingDirectory)

    $process = New-Object System.Diagnostics.Process
    $process.StartInfo = $startInfo
    $started = $false
    try {
        try {
            $started = $process.Start()
        }
        catch {
            $what = "Node.js at '$($resolved.Node)'"
            $fix = 'Check that $env:TAPO_NODE (or node on PATH) is a working node executable you may run.'
            if ($resolved.Form -eq 'executable') {
                $what = "The tapo-port executable '$($resolved.FilePath)'"
                $fix = 'Reinstall the module (a download may be blocked: Get-ChildItem -Recurse <module folder> | Unblock-File), or set $env:TAPO_NODE to node to use the bundle instead.'
            }
            throw (New-TapoErrorRecord -Message "$what could not be started: $($_.Exception.Message)" `
                    -ErrorId 'TapoCoreStartFailed' -Category NotInstalled -TargetObject $TargetObject -ExitCode 3 -RecommendedAction $fix)
        }
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
        if ($started -and -not $process.HasExited) { [void]$process.WaitForExit(15000) }
        $process.Dispose()
    }

    $document = $null
    if ($stdout.Trim().Length -gt 0) {
        try { $document = $stdout | ConvertFrom-Json -ErrorAction Stop }
        catch { $document = $null }
    }
    if ($null -eq $document) {
        $firstLine = ($stderr -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 1)
        # A core that printed no document failed, whatever its exit code says.
        $failure = $exitCode
        if ($failure -eq $script:TapoExitCode.Ok) { $failure = $script:TapoExitCode.Unexpected }
        throw (New-TapoErrorRecord -Message "The tapo-port core gave no JSON (exit code $exitCode). $firstLine" `
                -ErrorId 'TapoCoreNoJson' -Category InvalidResult -TargetObject $TargetObject -ExitCode $failure `
                -RecommendedAction 'Run the same command with -Verbose to see how the core was called; set $env:TAPO_DEBUG = 1 for its stack trace.')
    }
    # core-json: $document Envelope
    Assert-TapoDocument -Document $document -TargetObject $TargetObject
    if (-not $document.ok -and $AllowedErrorCode -notcontains [string]$document.error.code) {
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
    if ($coreVersion -ne $script:ModuleVersion -and [string]::IsNullOrEmpty($env:TAPO_CORE)) {
        throw (New-TapoErrorRecord -Message "The tapo-port core is version $coreVersion, but this module is $($script:ModuleVersion)." `
                -ErrorId 'TapoCoreVersionMismatch' -Category InvalidResult -TargetObject $TargetObject `
                -RecommendedAction 'Reinstall the module folder made by npm run package, so the module and its core match.')
    }
    if ($coreVersion -ne $script:ModuleVersion) {
        Write-Verbose -Message "TAPO_CORE is version $coreVersion; the module is $($script:ModuleVersion)."
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

function ConvertTo-TapoIsoTime {
    # A core time back in the core's own form (JavaScript's toISOString: milliseconds, Z), whether
    # ConvertFrom-Json left it a string (5.1) or made it a DateTime (7).
    param([AllowNull()][object]$Value)
    if ($null -eq $Value) { return '' }
    if ($Value -is [datetime]) {
        return $Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
    }
    return [string]$Value
}

function Resolve-TapoPath {
    # A path relative to PowerShell's location (which the core's working directory may not be).
    param([Parameter(Mandatory)][string]$Path)
    return $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
}

function Set-TapoConsoleOutputEncoding {
    # Sets the console's output encoding and returns the one it replaces, or $null when this
    # process has no console to set (Task Scheduler without a window, a service, a redirected
    # host): then nothing changes and nothing is thrown. -Setter exists for the tests.
    param(
        [Parameter(Mandatory)][System.Text.Encoding]$Encoding,
        [scriptblock]$Setter = { param($value) [Console]::OutputEncoding = $value },
        [scriptblock]$Getter = { [Console]::OutputEncoding }
    )
    try {
        $previous = & $Getter
        & $Setter $Encoding
        return $previous
    }
    catch {
        Write-Verbose -Message "The console's output encoding was left as it is: $($_.Exception.Message)"
        return $null
    }
}

function Test-TapoInteractiveSession {
    # Whether someone can answer a question: not under Task Scheduler or CI, not with
    # -NonInteractive (any spelling pwsh accepts: -noni, --NonInteractive, /NonInteractive), not
    # with redirected input. The parameters default to this process; the tests pass their own.
    param(
        [string[]]$CommandLine = [Environment]::GetCommandLineArgs(),
        [bool]$UserInteractive = [Environment]::UserInteractive,
        [scriptblock]$InputRedirected = { [Console]::IsInputRedirected }
    )
    if (-not $UserInteractive) { return $false }
    foreach ($word in $CommandLine) {
        if ($word -match '^(-{1,2}|/)noni') { return $false }
    }
    try { return -not (& $InputRedirected) } catch { return $false }
}
