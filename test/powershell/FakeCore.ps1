# Helpers for the Pester suites that drive the fake tapo-port core (fake-core.cjs, run by node
# through $env:TAPO_CORE): its scenarios and its call log. Windows PowerShell 5.1 and PowerShell 7
# alike: no 7-only syntax, and Join-Path with one child at a time (5.1 has no -AdditionalChildPath).

. (Join-Path -Path $PSScriptRoot -ChildPath 'TestSupport.ps1')

function Initialize-FakeCore {
    # Points the module at the fake core and its log; returns what to give Restore-FakeCoreEnvironment.
    param([Parameter(Mandatory)][string]$LogPath)
    $saved = @{}
    foreach ($name in @('TAPO_CORE', 'FAKE_CORE_LOG', 'FAKE_CORE_SCENARIO')) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:TAPO_CORE = Get-RepositoryPath -ChildPath @('test', 'powershell', 'fake-core.cjs')
    $env:FAKE_CORE_LOG = $LogPath
    return $saved
}

function Restore-FakeCoreEnvironment {
    param([Parameter(Mandatory)][hashtable]$Saved)
    foreach ($name in $Saved.Keys) {
        [Environment]::SetEnvironmentVariable($name, $Saved[$name])
    }
}

function Use-FakeCore {
    # The scenarios the next runs of the fake core answer with (the first that fits each run), and
    # an empty call log. The names are checked against fake-core.cjs by test/static/fake-core.test.ts.
    param([Parameter(Mandatory)][string[]]$Scenario)
    $env:FAKE_CORE_SCENARIO = $Scenario -join ','
    if (Test-Path -LiteralPath $env:FAKE_CORE_LOG) { Remove-Item -LiteralPath $env:FAKE_CORE_LOG -Force }
}

function Get-FakeCoreCall {
    # One object per run of the fake core since Use-FakeCore, oldest first.
    if (-not (Test-Path -LiteralPath $env:FAKE_CORE_LOG)) { return }
    foreach ($line in @(Get-Content -LiteralPath $env:FAKE_CORE_LOG)) {
        if ([string]::IsNullOrWhiteSpace($line)) { continue }
        $argv = @(($line | ConvertFrom-Json).argv)
        $command = $null
        if ($argv.Count -gt 0) { $command = [string]$argv[0] }
        [pscustomobject]@{
            Command = $command
            Argv    = $argv
            DryRun  = ($argv -contains '--dry-run')
        }
    }
}

function Get-ArgumentValue {
    # The word after -Name in an argv, or $null.
    param([Parameter(Mandatory)][AllowEmptyCollection()][object[]]$Argv, [Parameter(Mandatory)][string]$Name)
    for ($i = 0; $i -lt $Argv.Count - 1; $i++) {
        if ($Argv[$i] -eq $Name) { return $Argv[$i + 1] }
    }
    return $null
}

function Invoke-NodeCommandLine {
    # Runs node with a command line built by hand (no PowerShell quoting), as Task Scheduler or
    # CreateProcess would pass it; returns node's exit code. The fake core logs the argv it got.
    param([Parameter(Mandatory)][string]$Arguments)
    $node = (Get-Command -Name 'node' -CommandType Application | Select-Object -First 1).Source
    $startInfo = New-Object System.Diagnostics.ProcessStartInfo
    $startInfo.FileName = $node
    $startInfo.Arguments = $Arguments
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $stderrTask = $process.StandardError.ReadToEndAsync()
    $null = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    $null = $stderrTask.Result
    $exitCode = $process.ExitCode
    $process.Dispose()
    return $exitCode
}
