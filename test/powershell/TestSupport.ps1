# Helpers every Pester suite dot-sources in its BeforeAll block: repository paths, the PowerShell
# to start child sessions with, and catching an error record. Windows PowerShell 5.1 and
# PowerShell 7 alike: no 7-only syntax, and Join-Path with one child at a time.

function Get-RepositoryPath {
    # The repository root, or a path under it given as separate parts.
    param([string[]]$ChildPath = @())
    $path = Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent
    foreach ($part in $ChildPath) { $path = Join-Path -Path $path -ChildPath $part }
    return $path
}

function Get-ThrownError {
    # The error record a script block throws, or $null when it throws nothing.
    param([Parameter(Mandatory)][scriptblock]$ScriptBlock)
    try {
        $null = & $ScriptBlock
    }
    catch {
        return $_
    }
    return $null
}

function Get-TestPowerShell {
    # The PowerShell for child sessions: $env:TAPO_PWSH (npm test sets it: pwsh installed as a .NET
    # tool runs under dotnet, so this process's own path is not a PowerShell), else this one.
    if (-not [string]::IsNullOrEmpty($env:TAPO_PWSH)) { return $env:TAPO_PWSH }
    return (Get-Process -Id $PID).Path
}
