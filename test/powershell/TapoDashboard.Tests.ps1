#Requires -Version 5.1
# Pester 5 suite of the TapoDashboard module, for Windows PowerShell 5.1 and PowerShell 7 (Windows
# and Linux). The module runs test/powershell/fake-core.cjs instead of the real core
# ($env:TAPO_CORE): it answers with canned envelopes that test/static/fake-core.test.ts validates
# against the JSON schema, and logs the argv of every run, so each test sees exactly how the
# module called the core. Run: Invoke-Pester -Path test/powershell

BeforeDiscovery {
    $manifestPath = Join-Path -Path (Join-Path -Path (Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent) -ChildPath 'powershell') -ChildPath 'TapoDashboard.psd1'
    $exportedFunctions = @((Import-PowerShellDataFile -Path $manifestPath).FunctionsToExport)
}

Describe 'TapoDashboard module' {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath 'FakeCore.ps1')
        $manifestPath = Get-RepositoryPath -ChildPath @('powershell', 'TapoDashboard.psd1')
        $manifest = Import-PowerShellDataFile -Path $manifestPath
        Import-Module -Name $manifestPath -Force -ErrorAction Stop
        $module = Get-Module -Name 'TapoDashboard'
        $savedEnvironment = Initialize-FakeCore -LogPath (Join-Path -Path $TestDrive -ChildPath 'core-calls.jsonl')
    }

    AfterAll {
        Restore-FakeCoreEnvironment -Saved $savedEnvironment
        Remove-Module -Name 'TapoDashboard' -Force -ErrorAction SilentlyContinue
    }

    Context 'manifest and help' {
        It 'is a valid module manifest' {
            $info = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
            $info.Name | Should -Be 'TapoDashboard'
            [string]$info.Version | Should -Be $manifest.ModuleVersion
        }

        It 'exports exactly the functions the manifest lists' {
            $exported = @($module.ExportedFunctions.Keys | Sort-Object) -join ', '
            $listed = @($manifest.FunctionsToExport | Sort-Object) -join ', '
            $exported | Should -Be $listed
            $module.ExportedCmdlets.Count | Should -Be 0
        }

        It '<_> has help with a synopsis, a description and an example' -ForEach $exportedFunctions {
            $name = $_
            $help = Get-Help -Name $name -Full
            $synopsis = ([string]$help.Synopsis).Trim()
            $synopsis | Should -Not -BeNullOrEmpty
            # Without comment-based help, PowerShell makes up a synopsis from the syntax.
            $synopsis | Should -Not -BeLike "$name *"
            $description = (@($help.description | ForEach-Object { $_.Text }) -join ' ').Trim()
            $description | Should -Not -BeNullOrEmpty
            $examples = @($help.examples.example | Where-Object { $null -ne $_ -and -not [string]::IsNullOrWhiteSpace([string]$_.code) })
            $examples.Count | Should -BeGreaterThan 0
        }
    }

    Context 'Test-TapoPort' {
        It 'is $true when the core says free, and asks it once' {
            Use-FakeCore 'check-free'
            Test-TapoPort -Port 7799 -ErrorAction Stop | Should -BeTrue
            $calls = @(Get-FakeCoreCall)
            $calls.Count | Should -Be 1
            ($calls[0].Argv -join ' ') | Should -Be 'check --port 7799 --host 0.0.0.0 --json'
        }

        It 'is $false when the port is busy (the core exits 1: an answer, not an error)' {
            Use-FakeCore 'check-busy'
            Test-TapoPort -Port 7777 -ErrorAction Stop | Should -BeFalse
        }
    }

    Context 'Get-TapoPortOwner' {
        It 'returns a TapoDashboard.PortOwner for the process and one for the container' {
            Use-FakeCore 'check-busy'
            $owners = @(Get-TapoPortOwner -Port 7777 -ErrorAction Stop)
            $owners.Count | Should -Be 2
            foreach ($owner in $owners) {
                $owner.PSObject.TypeNames[0] | Should -Be 'TapoDashboard.PortOwner'
                $owner.Port | Should -Be 7777
            }
            $process = @($owners | Where-Object { $_.Kind -eq 'process' })
            $process.Count | Should -Be 1
            $process[0].ProcessId | Should -Be 11849
            $process[0].Name | Should -Be 'python3'
            $process[0].Container | Should -BeNullOrEmpty
            $container = @($owners | Where-Object { $_.Kind -eq 'container' })
            $container.Count | Should -Be 1
            $container[0].Container | Should -Be 'web7777'
            $container[0].ProcessId | Should -BeNullOrEmpty
        }

        It 'returns nothing for a free port' {
            Use-FakeCore 'check-free'
            @(Get-TapoPortOwner -Port 7799 -ErrorAction Stop).Count | Should -Be 0
        }
    }

    Context 'Stop-TapoPortOwner' {
        It '-WhatIf asks only for the dry-run plan, never for a real stop' {
            # stop-done is offered too: a wrong real stop would then succeed and show up in the log.
            Use-FakeCore 'stop-plan', 'stop-done'
            $result = Stop-TapoPortOwner -Port 7777 -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            $calls = @(Get-FakeCoreCall)
            @($calls | Where-Object { $_.Command -eq 'stop' -and -not $_.DryRun }).Count | Should -Be 0
            @($calls | Where-Object { $_.Command -eq 'stop' -and $_.DryRun }).Count | Should -Be 1
            $result.PSObject.TypeNames[0] | Should -Be 'TapoDashboard.StopResult'
            $result.Outcome | Should -Be 'would-stop'
            $result.DryRun | Should -BeTrue
        }

        It 'warns about each owner the plan refuses, with the command to use instead' {
            Use-FakeCore 'stop-plan'
            $null = Stop-TapoPortOwner -Port 7777 -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            @($warnings).Count | Should -Be 1
            [string]$warnings[0] | Should -Match 'docker-proxy \(PID 11522\)'
            [string]$warnings[0] | Should -Match 'docker stop web7777'
        }

        It '-Force stops without asking: one dry run, then exactly one real stop' {
            Use-FakeCore 'stop-plan', 'stop-done'
            $result = Stop-TapoPortOwner -Port 7777 -Force -WarningAction SilentlyContinue -ErrorAction Stop
            $calls = @(Get-FakeCoreCall)
            @($calls | Where-Object { $_.Command -eq 'stop' -and $_.DryRun }).Count | Should -Be 1
            $real = @($calls | Where-Object { $_.Command -eq 'stop' -and -not $_.DryRun })
            $real.Count | Should -Be 1
            # -Force skips the question; only -KillAfterTimeout may ask the core to force.
            $real[0].Argv | Should -Not -Contain '--force'
            $result.Outcome | Should -Be 'stopped'
            $result.ExitCode | Should -Be 0
        }

        It 'takes owners from Get-TapoPortOwner and names each by --pid or --container' {
            Use-FakeCore 'check-busy', 'stop-plan', 'stop-done'
            $null = Get-TapoPortOwner -Port 7777 -ErrorAction Stop |
                Stop-TapoPortOwner -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            $stops = @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'stop' })
            $stops.Count | Should -Be 2
            foreach ($stop in $stops) {
                $stop.DryRun | Should -BeTrue
                Get-ArgumentValue -Argv $stop.Argv -Name '--port' | Should -Be '7777'
            }
            Get-ArgumentValue -Argv $stops[0].Argv -Name '--pid' | Should -Be '11849'
            $stops[0].Argv | Should -Not -Contain '--container'
            Get-ArgumentValue -Argv $stops[1].Argv -Name '--container' | Should -Be 'web7777'
            $stops[1].Argv | Should -Not -Contain '--pid'
        }
    }

    Context 'Get-TapoDashboardStatus' {
        It 'says where the dashboard runs, why there, and how healthy it is' {
            Use-FakeCore 'status-running'
            $status = Get-TapoDashboardStatus -Port 7777 -ErrorAction Stop
            $status.PSObject.TypeNames[0] | Should -Be 'TapoDashboard.DashboardStatus'
            $status.Running | Should -BeTrue
            $status.RequestedPort | Should -Be 7777
            $status.Port | Should -Be 7779
            $status.Health | Should -Be 'healthy'
            $status.Conflict | Should -Match 'tapo-camera-mcp'
            $status.ExitCode | Should -Be 0
            (@(Get-FakeCoreCall)[0].Argv -join ' ') | Should -Be 'status --port 7777 --json'
        }
    }

    Context 'errors from the core' {
        It 'turns E_INVALID_PORT into an error record with the hint and the exit code' {
            Use-FakeCore 'error-invalid-port'
            $record = Get-ThrownError { Test-TapoPort -Port 7777 -ErrorAction Stop }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'E_INVALID_PORT*'
            [string]$record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Be 'invalid --port "abc": not a whole number from 1 to 65535'
            $record.ErrorDetails.RecommendedAction | Should -Be 'Give a whole number from 1 to 65535, for example --port 7777.'
            $record.Exception.Data['TapoExitCode'] | Should -Be 2
        }

        It 'refuses a document of schema 2.0 (TapoSchemaMismatch)' {
            Use-FakeCore 'schema-2'
            $record = Get-ThrownError { Test-TapoPort -Port 7799 -ErrorAction Stop }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoSchemaMismatch*'
            [string]$record.CategoryInfo.Category | Should -Be 'InvalidResult'
            $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'reports output that is not JSON as TapoCoreNoJson, with the exit code and stderr' {
            Use-FakeCore 'no-json'
            $record = Get-ThrownError { Test-TapoPort -Port 7777 -ErrorAction Stop }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoCoreNoJson*'
            $record.Exception.Message | Should -Match 'exit code 5'
            $record.Exception.Message | Should -Match 'no-json scenario'
        }
    }

    Context 'ConvertTo-TapoNativeArgument (private): quoting for CommandLineToArgvW' {
        It 'quotes <Name>' -ForEach @(
            @{ Name = 'a plain word as is'; Value = 'plain'; Expected = 'plain' }
            @{ Name = 'an empty string'; Value = ''; Expected = '""' }
            @{ Name = 'spaces'; Value = 'two words'; Expected = '"two words"' }
            @{ Name = 'a tab'; Value = "tab`there"; Expected = "`"tab`there`"" }
            @{ Name = 'embedded quotes'; Value = 'say "hi"'; Expected = '"say \"hi\""' }
            @{ Name = 'backslashes before a quote'; Value = 'a\"b'; Expected = '"a\\\"b"' }
            @{ Name = 'a trailing backslash in a quoted path'; Value = 'C:\dir with space\'; Expected = '"C:\dir with space\\"' }
            @{ Name = 'a trailing backslash in a bare path as is'; Value = 'C:\no-space\'; Expected = 'C:\no-space\' }
            @{ Name = 'a UNC path with a space'; Value = '\\server\my share'; Expected = '"\\server\my share"' }
        ) {
            $quoted = & $module { param($value) ConvertTo-TapoNativeArgument -Value $value } $Value
            $quoted | Should -BeExactly $Expected
        }

        It 'round-trips each quoted argument through a real argv parser (node)' {
            Use-FakeCore 'check-free'
            $tricky = @('', 'two words', 'say "hi"', 'a\"b', 'C:\dir with space\', 'C:\no-space\', 'end\\', '\\server\my share')
            $quoted = @(& $module { param($list) foreach ($item in $list) { ConvertTo-TapoNativeArgument -Value $item } } $tricky)
            $core = & $module { param($path) ConvertTo-TapoNativeArgument -Value $path } $env:TAPO_CORE
            $null = Invoke-NodeCommandLine -Arguments ((@($core, 'check') + $quoted) -join ' ')
            $calls = @(Get-FakeCoreCall)
            $calls.Count | Should -Be 1
            $received = @($calls[0].Argv | Select-Object -Skip 1)
            $received.Count | Should -Be $tricky.Count
            for ($i = 0; $i -lt $tricky.Count; $i++) {
                $received[$i] | Should -BeExactly $tricky[$i]
            }
        }

        It 'is what Invoke-TapoCore uses: arguments reach the core unchanged' {
            Use-FakeCore 'check-free'
            $tricky = @('two words', 'say "hi"', 'C:\dir with space\')
            $null = & $module { param($list) Invoke-TapoCore -ArgumentList $list } (@('check') + $tricky)
            $calls = @(Get-FakeCoreCall)
            $calls.Count | Should -Be 1
            $received = @($calls[0].Argv | Select-Object -Skip 1)
            ($received -join '|') | Should -BeExactly ($tricky -join '|')
        }
    }

    Context 'scheduled task' {
        It 'runs the start script without profile or prompts, with -OnConflict Reuse' {
            $argument = & $module {
                New-TapoTaskArgument -ScriptPath 'C:\Program Files\tapo\start_dashboard.ps1' -Port 7777 -BindAddress '0.0.0.0' `
                    -LogPath 'C:\Users\me\AppData\Local\tapo-port\dashboard.log' -ProjectPath 'C:\src\tapo camera'
            }
            $argument | Should -BeLike '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File *'
            $argument | Should -Match '(^| )-OnConflict Reuse( |$)'
        }

        It 'builds a command line that gives the script exactly its paths back: <Name>' -ForEach @(
            @{ Name = 'paths with spaces'; ProjectPath = 'C:\src\tapo camera' }
            @{ Name = 'a project path with a trailing backslash (as tab completion writes it)'; ProjectPath = 'C:\src\tapo camera\' }
        ) {
            Use-FakeCore 'check-free'
            $scriptPath = 'C:\Program Files\tapo\start_dashboard.ps1'
            $logPath = 'C:\Users\me\AppData\Local\tapo-port\dashboard.log'
            $argument = & $module {
                param($scriptPath, $logPath, $projectPath)
                New-TapoTaskArgument -ScriptPath $scriptPath -Port 7777 -BindAddress '0.0.0.0' -LogPath $logPath -ProjectPath $projectPath
            } $scriptPath $logPath $ProjectPath
            # powershell.exe and pwsh.exe split their command line by the same rules as node.exe.
            $core = & $module { param($path) ConvertTo-TapoNativeArgument -Value $path } $env:TAPO_CORE
            $null = Invoke-NodeCommandLine -Arguments "$core $argument"
            $argv = @(@(Get-FakeCoreCall)[0].Argv)
            Get-ArgumentValue -Argv $argv -Name '-File' | Should -BeExactly $scriptPath
            Get-ArgumentValue -Argv $argv -Name '-LogPath' | Should -BeExactly $logPath
            Get-ArgumentValue -Argv $argv -Name '-ProjectPath' | Should -BeExactly $ProjectPath
            Get-ArgumentValue -Argv $argv -Name '-OnConflict' | Should -BeExactly 'Reuse'
        }

        It 'Register-TapoDashboardTask -WhatIf registers nothing' {
            if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
                Set-ItResult -Skipped -Because 'Register-ScheduledTask exists only on Windows (the ScheduledTasks module)'
                return
            }
            Mock -CommandName Register-ScheduledTask -ModuleName 'TapoDashboard' -MockWith { throw 'Register-ScheduledTask must not run under -WhatIf' }
            Mock -CommandName New-ScheduledTaskAction -ModuleName 'TapoDashboard' -MockWith { throw 'New-ScheduledTaskAction must not run under -WhatIf' }
            $null = Register-TapoDashboardTask -ProjectPath $TestDrive -TaskName 'TapoDashboard-PesterWhatIf' -WhatIf -ErrorAction Stop
            Should -Invoke -CommandName Register-ScheduledTask -ModuleName 'TapoDashboard' -Times 0 -Exactly
            Should -Invoke -CommandName New-ScheduledTaskAction -ModuleName 'TapoDashboard' -Times 0 -Exactly
        }

        It 'Register-TapoDashboardTask refuses with TapoNoTaskScheduler where there is no Task Scheduler' {
            if ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
                Set-ItResult -Skipped -Because 'Windows has the ScheduledTasks module; this is the Linux and macOS path'
                return
            }
            $record = Get-ThrownError { Register-TapoDashboardTask -ProjectPath $TestDrive -WhatIf -ErrorAction Stop }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoNoTaskScheduler*'
        }
    }
}
