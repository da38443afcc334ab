# Helpers for the Pester suites that run the real core (dist/tapo-port.cjs, through node) against
# real sockets: socket holders (test/fixtures/holders/hold_port.py), the fake dashboard's project
# (test/fixtures/fake-dashboard), child PowerShells, and waiting on a condition rather than a clock.
# Every process started here is ended by Stop-TestProcess. Windows PowerShell 5.1 and 7 alike.

. (Join-Path -Path $PSScriptRoot -ChildPath 'TestSupport.ps1')

$script:StartedProcesses = New-Object System.Collections.ArrayList

function Get-PythonCommand {
    # python3 on Linux and macOS; python on Windows, where python3 may be the Store's stub.
    $names = @('python3', 'python')
    if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) { $names = @('python', 'python3') }
    foreach ($name in $names) {
        $command = Get-Command -Name $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -ne $command) { return $command.Source }
    }
    throw 'Python 3 is needed for the socket holders and the fake dashboard (python3 or python on PATH)'
}

function ConvertTo-CommandLine {
    # Words as one CommandLineToArgvW command line (the module's own quoting, so 5.1 can start processes too).
    param([Parameter(Mandatory)][AllowEmptyCollection()][string[]]$Word)
    $module = Get-Module -Name 'TapoDashboard' | Select-Object -First 1
    if ($null -eq $module) { $module = Import-Module -Name (Get-RepositoryPath -ChildPath @('powershell', 'TapoDashboard.psd1')) -PassThru }
    return (@($Word | ForEach-Object { & $module { param($value) ConvertTo-TapoNativeArgument -Value $value } $_ }) -join ' ')
}

function New-TestStartInfo {
    # How every process of these suites starts: no shell, output and errors read as UTF-8, the
    # words quoted for CommandLineToArgvW, variables set (or removed, with $null) for it alone.
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [AllowEmptyCollection()][string[]]$ArgumentList = @(),
        [string]$WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath,
        [hashtable]$Environment = @{}
    )
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $FilePath
    $startInfo.Arguments = ConvertTo-CommandLine -Word $ArgumentList
    $startInfo.WorkingDirectory = $WorkingDirectory
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
    $startInfo.StandardOutputEncoding = $utf8
    $startInfo.StandardErrorEncoding = $utf8
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { [void]$startInfo.EnvironmentVariables.Remove([string]$name) }
        else { $startInfo.EnvironmentVariables[[string]$name] = [string]$Environment[$name] }
    }
    return $startInfo
}

function Start-TestProcess {
    # Starts a program with its output read in the background; ended by Stop-TestProcess.
    param(
        [Parameter(Mandatory)][string]$FilePath,
        [AllowEmptyCollection()][string[]]$ArgumentList = @(),
        [string]$WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath,
        [hashtable]$Environment = @{},
        [string]$InputText
    )
    $process = [System.Diagnostics.Process]::Start((New-TestStartInfo -FilePath $FilePath -ArgumentList $ArgumentList `
                -WorkingDirectory $WorkingDirectory -Environment $Environment))
    [void]$script:StartedProcesses.Add($process)
    if (-not [string]::IsNullOrEmpty($InputText)) { $process.StandardInput.Write($InputText) }
    $process.StandardInput.Close()
    return [pscustomobject]@{
        Process = $process
        Id      = $process.Id
        Stdout  = $process.StandardOutput.ReadToEndAsync()
        Stderr  = $process.StandardError.ReadToEndAsync()
    }
}

function Wait-TestProcess {
    # Waits for a process started by Start-TestProcess; returns its exit code and output.
    param([Parameter(Mandatory)][object]$Started, [int]$TimeoutSeconds = 120)
    if (-not $Started.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $Started.Process.Kill()
        throw "$($Started.Process.StartInfo.FileName) $($Started.Process.StartInfo.Arguments) did not end within $TimeoutSeconds s"
    }
    $Started.Process.WaitForExit()
    return [pscustomobject]@{
        ExitCode = $Started.Process.ExitCode
        Stdout   = $Started.Stdout.Result
        Stderr   = $Started.Stderr.Result
        Output   = $Started.Stdout.Result + $Started.Stderr.Result
    }
}

function Invoke-ChildPowerShell {
    # Runs a child PowerShell (the one Get-TestPowerShell names) to the end: no profile, answers in
    # -InputText (a child with redirected input reads prompts from it).
    param(
        [Parameter(Mandatory)][AllowEmptyCollection()][string[]]$ArgumentList,
        [string]$WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath,
        [hashtable]$Environment = @{},
        [string]$InputText,
        [int]$TimeoutSeconds = 120
    )
    $started = Start-TestProcess -FilePath (Get-TestPowerShell) -ArgumentList (@('-NoLogo', '-NoProfile') + $ArgumentList) `
        -WorkingDirectory $WorkingDirectory -Environment $Environment -InputText $InputText
    return (Wait-TestProcess -Started $started -TimeoutSeconds $TimeoutSeconds)
}

function Start-PortHolder {
    # hold_port.py on Address:Port; returns once it listens, with its PID (and its workers').
    param(
        [Parameter(Mandatory)][int]$Port,
        [string]$Address = '0.0.0.0',
        [string]$Python = (Get-PythonCommand),
        [int]$Workers = 0,
        [switch]$IgnoreSigterm
    )
    $arguments = @((Get-RepositoryPath -ChildPath @('test', 'fixtures', 'holders', 'hold_port.py')), '--host', $Address, '--port', [string]$Port)
    if ($Workers -gt 0) { $arguments += @('--workers', [string]$Workers) }
    if ($IgnoreSigterm) { $arguments += '--ignore-sigterm' }
    $process = [System.Diagnostics.Process]::Start((New-TestStartInfo -FilePath $Python -ArgumentList $arguments))
    [void]$script:StartedProcesses.Add($process)
    $process.StandardInput.Close()
    $line = $process.StandardOutput.ReadLine()
    if ($null -eq $line -or $line -notmatch '^ready (\d+)') {
        $errorText = $process.StandardError.ReadToEnd()
        throw "hold_port.py on $($Address):$Port did not start: $line $errorText"
    }
    $workerIds = @()
    if ($line -match 'workers ([\d ]+)$') { $workerIds = @($Matches[1].Trim() -split ' ' | ForEach-Object { [int]$_ }) }
    return [pscustomobject]@{ Process = $process; Id = $process.Id; WorkerIds = $workerIds; Port = $Port; Address = $Address }
}

function Test-ProcessAlive {
    param([Parameter(Mandatory)][int]$Id)
    $process = Get-Process -Id $Id -ErrorAction SilentlyContinue
    return ($null -ne $process -and -not $process.HasExited)
}

function Stop-TestProcess {
    # Ends every process this suite started (holders, child PowerShells), forcefully.
    foreach ($process in @($script:StartedProcesses)) {
        try { if (-not $process.HasExited) { $process.Kill() } } catch { Write-Verbose -Message "already gone: $_" }
    }
    $script:StartedProcesses.Clear()
}

function Wait-Condition {
    # Polls a condition until it holds; fails with -Because after -TimeoutSeconds. Never a fixed sleep.
    param([Parameter(Mandatory)][scriptblock]$Condition, [int]$TimeoutSeconds = 30, [string]$Because = 'the condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 50
    }
    throw "Timed out after $TimeoutSeconds s waiting for $Because"
}

function Get-FreeTestPort {
    # A port nobody listens on (IPv4 and IPv6), above 20000 and never the project's 7778.
    for ($attempt = 0; $attempt -lt 50; $attempt++) {
        $listener = New-Object System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Any), 0
        $listener.Start()
        $port = ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
        $listener.Stop()
        if ($port -lt 20000) { continue }
        try {
            $v6 = New-Object System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::IPv6Any), $port
            $v6.Start(); $v6.Stop()
            return $port
        }
        catch { continue }
    }
    throw 'no free port found'
}

function Get-HealthStatus {
    # The status word of /api/health on 127.0.0.1:Port, or $null when nothing answers.
    param([Parameter(Mandatory)][int]$Port)
    try {
        $client = New-Object System.Net.WebClient
        $body = $client.DownloadString("http://127.0.0.1:$Port/api/health")
        return ($body | ConvertFrom-Json).status
    }
    catch { return $null }
}

function New-DashboardProject {
    # A copy of the fake dashboard's project in a folder of any name (the name is the test: spaces,
    # quotes, $, backticks, non-ASCII), with pyproject.toml as start_dashboard.ps1's project marker.
    param([Parameter(Mandatory)][string]$Path)
    $null = New-Item -ItemType Directory -Force -Path $Path
    Copy-Item -Recurse -LiteralPath (Get-RepositoryPath -ChildPath @('test', 'fixtures', 'fake-dashboard', 'tapo_camera_mcp')) -Destination $Path
    Set-Content -LiteralPath (Join-Path -Path $Path -ChildPath 'pyproject.toml') -Value '[project]' -Encoding ascii
    return (Resolve-Path -LiteralPath $Path).ProviderPath
}
