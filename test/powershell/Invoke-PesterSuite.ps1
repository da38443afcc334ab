# Runs one Pester 5 suite and writes every test's outcome as JSON, for test/powershell/pester.test.ts
# (which turns each into a test of npm test) and for anyone who wants the same list by hand:
#
#   pwsh -NoProfile -File test/powershell/Invoke-PesterSuite.ps1 -Path test/powershell/X.Tests.ps1
#
# Pester comes from -PesterManifest (npm test passes .tools/pester/.../Pester.psd1, see
# scripts/install-powershell.sh), else from $env:PSModulePath, always a 5.x: Pester 6 reads its
# configuration differently. Exit code: 0 when every test passed, 1 when any failed or none ran,
# 3 when no Pester 5 is installed.
param(
    [Parameter(Mandatory)][string]$Path,
    [string]$ResultPath,
    [string]$PesterManifest
)
$ErrorActionPreference = 'Stop'

if (-not [string]::IsNullOrEmpty($PesterManifest)) {
    Import-Module -Name (Resolve-Path -LiteralPath $PesterManifest).ProviderPath -Force
}
else {
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.5.0' -and $_.Version.Major -eq 5 } |
        Sort-Object -Property Version -Descending | Select-Object -First 1
    if ($null -eq $pester) {
        [Console]::Error.WriteLine('Invoke-PesterSuite: Pester 5 (5.5 or later, below 6) is not installed; npm run setup:powershell puts 5.7.1 in .tools/pester')
        exit 3
    }
    Import-Module -Name $pester.Path -Force
}

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$run = Invoke-Pester -Configuration $configuration

$tests = @(foreach ($test in $run.Tests) {
        $message = $null
        if ($test.ErrorRecord.Count -gt 0) {
            $message = (@($test.ErrorRecord | ForEach-Object {
                        "$($_.Exception.Message)`n$($_.ScriptStackTrace)"
                    }) -join "`n")
        }
        [ordered]@{
            name    = ($test.ExpandedPath)
            result  = [string]$test.Result
            message = $message
            seconds = [math]::Round($test.Duration.TotalSeconds, 3)
        }
    })
# A failure outside any test (BeforeAll, discovery) counts too.
$containerErrors = @(foreach ($container in $run.Containers) {
        foreach ($record in @($container.ErrorRecord)) { "$($record.Exception.Message)`n$($record.ScriptStackTrace)" }
    })
$summary = [ordered]@{
    pester          = [string](Get-Module -Name Pester).Version
    powershell      = $PSVersionTable.PSVersion.ToString()
    passed          = $run.PassedCount
    failed          = $run.FailedCount
    skipped         = $run.SkippedCount
    notRun          = $run.NotRunCount
    containerErrors = $containerErrors
    tests           = $tests
}
if (-not [string]::IsNullOrEmpty($ResultPath)) {
    $summary | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $ResultPath -Encoding utf8
}
if ($run.FailedCount -gt 0 -or $containerErrors.Count -gt 0 -or $run.PassedCount -eq 0) { exit 1 }
exit 0
