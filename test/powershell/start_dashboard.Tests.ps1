#Requires -Version 5.1
# Pester 5 suite of scripts/start_dashboard.ps1, the controller: it runs in a child PowerShell of
# the same kind as the one running Pester (powershell.exe or pwsh), as Task Scheduler would run it
# (-NoProfile -NonInteractive, no console input), with the fake core of fake-core.cjs, and its
# process exit code must be the core's.

Describe 'start_dashboard.ps1' {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath 'FakeCore.ps1')
        $startScript = Get-RepositoryPath -ChildPath @('scripts', 'start_dashboard.ps1')
        $savedEnvironment = Initialize-FakeCore -LogPath (Join-Path -Path $TestDrive -ChildPath 'core-calls.jsonl')

        function Invoke-StartScript {
            # Runs the script in a child PowerShell; returns its exit code and what it printed.
            param([string[]]$ArgumentList = @())
            $powershell = Get-TestPowerShell
            $arguments = @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $startScript, '-ProjectPath', $TestDrive) + $ArgumentList
            # 5.1 turns a native program's stderr lines into errors, which 'Stop' would throw.
            $ErrorActionPreference = 'Continue'
            # Piping nothing in gives the child no console input, as under Task Scheduler or CI.
            $output = @() | & $powershell @arguments 2>&1
            $exitCode = $LASTEXITCODE
            return [pscustomobject]@{
                ExitCode = $exitCode
                Output   = (@($output | ForEach-Object { [string]$_ }) -join [Environment]::NewLine)
            }
        }
    }

    AfterAll {
        Restore-FakeCoreEnvironment -Saved $savedEnvironment
    }

    It 'has help and the parameters users and Task Scheduler pass, none named after an automatic variable' {
        $parameters = (Get-Command -Name $startScript).Parameters
        foreach ($name in @('Port', 'BindAddress', 'OnConflict', 'ProjectPath', 'CheckOnly', 'Json', 'LogPath', 'StateDirectory', 'KillAfterTimeout', 'Force', 'NodePath', 'SkipDependencyCheck', 'WhatIf', 'Confirm')) {
            $parameters.ContainsKey($name) | Should -BeTrue -Because "start_dashboard.ps1 -$name"
        }
        # $Host, $Input, $Args ... are read-only or special: a parameter with their name breaks the script.
        $automatic = @('Host', 'Input', 'Args', 'PID', 'Error', 'Home', 'Matches', 'PSItem', 'This', 'Profile', 'PWD', 'Event')
        @($parameters.Keys | Where-Object { $automatic -contains $_ }) | Should -BeNullOrEmpty
        $help = Get-Help -Name $startScript -Full
        ([string]$help.Synopsis).Trim() | Should -Not -BeLike 'start_dashboard.ps1*'
        @($help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($name in @($parameters.Keys | Where-Object { [System.Management.Automation.PSCmdlet]::CommonParameters -notcontains $_ -and @('WhatIf', 'Confirm') -notcontains $_ })) {
            @($help.parameters.parameter | Where-Object { $_.name -eq $name }).Count | Should -Be 1 -Because "-$name needs a .PARAMETER entry"
        }
    }

    It 'exits with the dashboard''s exit code when it ran and exited (3)' {
        Use-FakeCore 'start-exited-3'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 3 -Because $run.Output
        $start = @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' })
        $start.Count | Should -Be 1
        Get-ArgumentValue -Argv $start[0].Argv -Name '--on-conflict' | Should -Be 'reuse'
        Get-ArgumentValue -Argv $start[0].Argv -Name '--port' | Should -Be '7777'
    }

    It 'runs the project''s dependency check through the core by default, and -SkipDependencyCheck tells the core to skip it' {
        Use-FakeCore 'start-exited-3'
        $null = Invoke-StartScript
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' })[0].Argv | Should -Not -Contain '--skip-dependency-check'
        Use-FakeCore 'start-exited-3'
        $run = Invoke-StartScript -ArgumentList @('-SkipDependencyCheck')
        $run.ExitCode | Should -Be 3 -Because $run.Output
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' })[0].Argv | Should -Contain '--skip-dependency-check'
    }

    It 'exits 0 when a healthy dashboard already serves the port (Reuse)' {
        Use-FakeCore 'start-reused'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 0 -Because $run.Output
    }

    It 'exits 2 on E_INVALID_PORT from the core and prints its hint' {
        Use-FakeCore 'error-invalid-port'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match 'E_INVALID_PORT'
        $run.Output | Should -Match 'Give a whole number from 1 to 65535'
    }

    It '-CheckOnly exits 1 for a busy port, explains it, and starts nothing' {
        Use-FakeCore 'check-busy', 'start-exited-3'
        $run = Invoke-StartScript -ArgumentList @('-CheckOnly')
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'web7777'
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' }).Count | Should -Be 0
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'check' }).Count | Should -Be 1
    }

    It 'exits 5 when the core prints no JSON' {
        Use-FakeCore 'no-json'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 5 -Because $run.Output
        $run.Output | Should -Match 'TapoCoreNoJson'
    }

    It '-OnConflict Stop without -Force and without a console exits 2 and starts nothing' {
        Use-FakeCore 'check-busy', 'stop-plan', 'stop-done', 'start-exited-3'
        $run = Invoke-StartScript -ArgumentList @('-OnConflict', 'Stop')
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match '-Force'
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' -or $_.Command -eq 'stop' }).Count | Should -Be 0
    }

    It '-WhatIf exits 0 and starts nothing' {
        Use-FakeCore 'check-busy', 'start-exited-3'
        $run = Invoke-StartScript -ArgumentList @('-WhatIf')
        $run.ExitCode | Should -Be 0 -Because $run.Output
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' }).Count | Should -Be 0
    }

    It '-OnConflict Stop -WhatIf looks at the holder, then exits 0 and stops and starts nothing' {
        Use-FakeCore 'check-busy', 'stop-plan', 'stop-done', 'start-exited-3'
        $run = Invoke-StartScript -ArgumentList @('-OnConflict', 'Stop', '-WhatIf')
        $run.ExitCode | Should -Be 0 -Because $run.Output
        # The dry-run plan names the holder; nothing is stopped or started.
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'stop' -and $_.DryRun }).Count | Should -Be 1
        @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'start' -or ($_.Command -eq 'stop' -and -not $_.DryRun) }).Count | Should -Be 0
    }

    It 'exits 5 when the core prints no JSON and exits 0 (never a success without an answer)' {
        Use-FakeCore 'no-json-exit-0'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 5 -Because $run.Output
        $run.Output | Should -Match 'TapoCoreNoJson'
    }

    It '-Json writes the core''s document as output, so the caller can capture it' {
        Use-FakeCore 'start-exited-3'
        $json = & $startScript -ProjectPath $TestDrive -Json
        $LASTEXITCODE | Should -Be 3
        $document = ($json -join "`n") | ConvertFrom-Json
        $document.kind | Should -Be 'DashboardStart'
        $document.data.exitCode | Should -Be 3
    }

    It 'names the script''s own ways out after a conflict (-OnConflict Next or Stop)' {
        Use-FakeCore 'start-conflict'
        $run = Invoke-StartScript
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match '-OnConflict Next'
        $run.Output | Should -Match '-OnConflict Stop'
    }
}
