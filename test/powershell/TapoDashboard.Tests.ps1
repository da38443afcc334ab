#Requires -Version 5.1
# Pester 5 suite of the TapoDashboard module, for Windows PowerShell 5.1 and PowerShell 7 (Windows
# and Linux). The module runs test/powershell/fake-core.cjs instead of the real core
# ($env:TAPO_CORE): it answers with canned envelopes that test/static/fake-core.test.ts validates
# against the JSON schema, and logs the argv of every run, so each test sees exactly how the
# module called the core. Run: Invoke-Pester -Path test/powershell

BeforeDiscovery {
    $manifestPath = Join-Path -Path (Join-Path -Path (Split-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -Parent) -ChildPath 'powershell') -ChildPath 'TapoDashboard.psd1'
    $exportedFunctions = @((Import-PowerShellDataFile -Path $manifestPath).FunctionsToExport)
    # -Skip: conditions are read at discovery, before any BeforeAll runs.
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
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
            It '<_> has an approved verb (Windows PowerShell 5.1''s list) and a Tapo noun' -ForEach $exportedFunctions {
            $verb, $noun = $_ -split '-', 2
            @(Get-Verb | ForEach-Object { $_.Verb }) | Should -Contain $verb
            # Build and Deploy are approved only from PowerShell 7 on: 5.1 would warn on import.
            @('Build', 'Deploy') | Should -Not -Contain $verb
            $noun | Should -BeLike 'Tapo*'
        }

        It '<_> documents every parameter' -ForEach $exportedFunctions {
            $name = $_
            $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            $help = Get-Help -Name $name -Full
            foreach ($parameter in (Get-Command -Name $name).Parameters.Keys | Where-Object { $common -notcontains $_ }) {
                $entry = @($help.parameters.parameter | Where-Object { $_.name -eq $parameter })
                $entry.Count | Should -Be 1 -Because "$name -$parameter needs a .PARAMETER entry"
                (@($entry[0].description | ForEach-Object { $_.Text }) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "$name -$parameter needs a description"
            }
        }

        It 'asks before it changes anything: -WhatIf and -Confirm where a function stops, starts or registers' {
            foreach ($name in @('Stop-TapoPortOwner', 'Start-TapoDashboard', 'Register-TapoDashboardTask', 'Unregister-TapoDashboardTask', 'Add-TapoPortExclusion')) {
                $parameters = (Get-Command -Name $name).Parameters
                $parameters.ContainsKey('WhatIf') | Should -BeTrue -Because "$name changes the system"
                $parameters.ContainsKey('Confirm') | Should -BeTrue -Because "$name changes the system"
            }
            foreach ($name in @('Stop-TapoPortOwner', 'Add-TapoPortExclusion')) {
                $binding = (Get-Command -Name $name).ScriptBlock.Attributes | Where-Object { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
                [string]$binding.ConfirmImpact | Should -Be 'High' -Because "$name stops things"
            }
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

    Context 'Add-TapoPortExclusion' {
        BeforeAll {
            # The lines the fake core's reserved scenarios (port 2500, range 2480-2579) call for.
            $stopWinNat = 'net stop winnat'
            $addIPv4 = 'netsh int ipv4 add excludedportrange protocol=tcp startport=2500 numberofports=1 store=persistent'
            $startWinNat = 'net start winnat'

            function Invoke-Exclusion {
                # Runs Add-TapoPortExclusion; returns its objects and every error record it wrote or
                # threw (-ErrorVariable would list each one several times, once per scope it crossed).
                param([Parameter(Mandatory)][hashtable]$Parameters)
                $items = New-Object System.Collections.ArrayList
                $errors = New-Object System.Collections.ArrayList
                try { Add-TapoPortExclusion @Parameters -ErrorAction Continue 2>&1 | ForEach-Object { [void]$items.Add($_) } }
                catch { [void]$errors.Add($_) }
                foreach ($item in @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })) { [void]$errors.Insert(0, $item) }
                return [pscustomobject]@{
                    Output = @($items | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
                    Errors = $errors.ToArray()
                }
            }
        }

        BeforeEach {
            # Tests run on Linux too: Windows and elevation are stood in for, and net/netsh never
            # run; each call is recorded as the line a person would type, in order.
            $script:nativeCalls = New-Object System.Collections.ArrayList
            $script:failing = @{}
            Mock -ModuleName TapoDashboard Test-TapoWindows { $true }
            Mock -ModuleName TapoDashboard Test-TapoElevated { $true }
            Mock -ModuleName TapoDashboard Invoke-TapoNativeCommand {
                $line = "$Name $($ArgumentList -join ' ')"
                [void]$script:nativeCalls.Add($line)
                if ($script:failing.ContainsKey($line)) { return [pscustomobject]@{ ExitCode = 1; Output = $script:failing[$line] } }
                [pscustomobject]@{ ExitCode = 0; Output = 'Ok.' }
            }
        }

        It '-WhatIf runs nothing, and returns what it would run' {
            Use-FakeCore 'check-reserved'
            $result = Add-TapoPortExclusion -Port 2500 -WhatIf -ErrorAction Stop
            @($script:nativeCalls).Count | Should -Be 0
            Should -Invoke -ModuleName TapoDashboard -CommandName Invoke-TapoNativeCommand -Times 0 -Exactly
            $result.PSObject.TypeNames[0] | Should -Be 'TapoDashboard.PortExclusion'
            $result.Outcome | Should -Be 'would-exclude'
            @($result.Planned) | Should -Be @($stopWinNat, $addIPv4, $startWinNat)
            @($result.Commands).Count | Should -Be 0
            $result.RestartedWinNat | Should -BeFalse
            # The core was only asked about the port.
            (@(Get-FakeCoreCall) | ForEach-Object { $_.Argv -join ' ' }) | Should -Be @('check --port 2500 --host 0.0.0.0 --json')
        }

        It '-WhatIf says exactly which commands it would run, and that they need elevation (a child PowerShell, to see the host)' {
            Use-FakeCore 'check-reserved'
            $script = Join-Path -Path $TestDrive -ChildPath 'exclusion-whatif.ps1'
            Set-Content -LiteralPath $script -Encoding ascii -Value @'
param([string]$ManifestPath)
Import-Module -Name $ManifestPath -ErrorAction Stop
& (Get-Module -Name TapoDashboard) {
    Set-Item -Path function:script:Test-TapoWindows -Value { $true }
    Set-Item -Path function:script:Test-TapoElevated -Value { $false }
    Set-Item -Path function:script:Invoke-TapoNativeCommand -Value { throw 'a native command ran under -WhatIf' }
}
$null = Add-TapoPortExclusion -Port 2500 -WhatIf -ErrorAction Stop
'@
            $ErrorActionPreference = 'Continue'
            $output = @(@() | & (Get-TestPowerShell) -NoProfile -NonInteractive -ExecutionPolicy Bypass -File $script -ManifestPath $manifestPath 2>&1 | ForEach-Object { [string]$_ })
            $text = $output -join "`n"
            $LASTEXITCODE | Should -Be 0 -Because $text
            $text | Should -Not -Match 'a native command ran'
            $whatIf = @($output | Where-Object { $_ -like 'What if:*' })
            $whatIf.Count | Should -Be 1 -Because $text
            $whatIf[0] | Should -BeExactly ('What if: Performing the operation "Exclude from Windows'' dynamic port range, restarting the WinNAT service ' +
                "(WSL, Docker Desktop and Hyper-V lose network for a moment): $stopWinNat; $addIPv4; $startWinNat`" on target `"TCP port 2500 (IPv4)`".")
            $text | Should -Match ([regex]::Escape('needs an elevated PowerShell (Run as administrator): Add-TapoPortExclusion -Port 2500'))
        }

        It 'under -WhatIf a session that is not elevated gets a warning, not an error' {
            Mock -ModuleName TapoDashboard Test-TapoElevated { $false }
            Use-FakeCore 'check-free'
            $result = Add-TapoPortExclusion -Port 7799 -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            $result.Outcome | Should -Be 'would-exclude'
            @($warnings).Count | Should -Be 1
            [string]$warnings[0] | Should -Match 'needs an elevated PowerShell'
            @($script:nativeCalls).Count | Should -Be 0
        }

        It 'not elevated: one error record (TapoExclusionNeedsElevation) naming the command to run elevated and the raw commands; nothing runs' {
            Mock -ModuleName TapoDashboard Test-TapoElevated { $false }
            Use-FakeCore 'check-reserved'
            $run = Invoke-Exclusion -Parameters @{ Port = 2500; Confirm = $false }
            @($run.Errors).Count | Should -Be 1
            @($run.Output).Count | Should -Be 0
            $record = $run.Errors[0]
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoExclusionNeedsElevation*'
            [string]$record.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $record.Exception.Data['TapoExitCode'] | Should -Be 2
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*run as administrator: Add-TapoPortExclusion -Port 2500.*'
            $record.ErrorDetails.RecommendedAction | Should -BeLike "*elevated prompt: $stopWinNat; $addIPv4; $startWinNat"
            @($script:nativeCalls).Count | Should -Be 0
        }

        It 'off Windows: one error record (TapoExclusionNeedsWindows); neither the core nor any command runs' {
            Mock -ModuleName TapoDashboard Test-TapoWindows { $false }
            Use-FakeCore 'check-reserved'
            $record = Get-ThrownError { Add-TapoPortExclusion -Port 7777 -Confirm:$false -ErrorAction Stop }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoExclusionNeedsWindows*'
            [string]$record.CategoryInfo.Category | Should -Be 'NotImplemented'
            $record.Exception.Message | Should -Match 'only on Windows'
            $record.Exception.Data['TapoExitCode'] | Should -Be 3
            $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            @(Get-FakeCoreCall).Count | Should -Be 0
            @($script:nativeCalls).Count | Should -Be 0
        }

        It 'in a range Windows reserved itself: stops WinNAT, adds the exclusion, starts WinNAT, in that order' {
            Use-FakeCore 'check-reserved'
            $result = Add-TapoPortExclusion -Port 2500 -Confirm:$false -ErrorAction Stop
            @($script:nativeCalls) | Should -Be @($stopWinNat, $addIPv4, $startWinNat)
            $result.PSObject.TypeNames[0] | Should -Be 'TapoDashboard.PortExclusion'
            $result.Port | Should -Be 2500
            $result.AddressFamily | Should -Be 'IPv4'
            $result.Status | Should -Be 'reserved'
            $result.ReservedRange | Should -Be '2480-2579'
            $result.Outcome | Should -Be 'excluded'
            @($result.Commands) | Should -Be @($stopWinNat, $addIPv4, $startWinNat)
            $result.RestartedWinNat | Should -BeTrue
        }

        It 'starts WinNAT again when netsh fails, and the one error carries netsh''s own message' {
            $script:failing[$addIPv4] = 'The process cannot access the file because it is being used by another process.'
            Use-FakeCore 'check-reserved'
            $run = Invoke-Exclusion -Parameters @{ Port = 2500; Force = $true }
            @($script:nativeCalls) | Should -Be @($stopWinNat, $addIPv4, $startWinNat)
            @($run.Errors).Count | Should -Be 1
            $record = $run.Errors[0]
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoExclusionFailed*'
            $record.Exception.Message | Should -BeLike "$addIPv4 failed (exit code 1): The process cannot access the file because it is being used by another process.*"
            $record.Exception.Message | Should -Match 'WinNAT was started again'
        }

        It 'a failed start of WinNAT is an error of its own, with the command that starts it' {
            $script:failing[$startWinNat] = 'The service could not be started.'
            Use-FakeCore 'check-reserved'
            $run = Invoke-Exclusion -Parameters @{ Port = 2500; Force = $true }
            @($script:nativeCalls) | Should -Be @($stopWinNat, $addIPv4, $startWinNat)
            @($run.Errors).Count | Should -Be 1
            $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TapoWinNatStartFailed*'
            $run.Errors[0].Exception.Message | Should -Match 'The service could not be started'
            $run.Errors[0].ErrorDetails.RecommendedAction | Should -Match 'net start winnat'
            # The exclusion itself was added: the result says so, and that WinNAT did not come back.
            @($run.Output).Count | Should -Be 1
            $run.Output[0].Outcome | Should -Be 'excluded'
            $run.Output[0].RestartedWinNat | Should -BeFalse
        }

        It 'runs nothing more when WinNAT does not stop' {
            $script:failing[$stopWinNat] = 'The Windows NAT Driver service could not be stopped.'
            Use-FakeCore 'check-reserved'
            $record = Get-ThrownError { Add-TapoPortExclusion -Port 2500 -Force -ErrorAction Stop }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoWinNatStopFailed*'
            $record.Exception.Message | Should -Match 'could not be stopped'
            @($script:nativeCalls) | Should -Be @($stopWinNat)
        }

        It 'a free port: the netsh line alone, WinNAT untouched' {
            Use-FakeCore 'check-free'
            $result = Add-TapoPortExclusion -Port 7799 -Force -ErrorAction Stop
            @($script:nativeCalls) | Should -Be @('netsh int ipv4 add excludedportrange protocol=tcp startport=7799 numberofports=1 store=persistent')
            $result.Status | Should -Be 'free'
            $result.Outcome | Should -Be 'excluded'
            $result.RestartedWinNat | Should -BeFalse
        }

        It 'an administrator''s range already covers the port, the bind <Name>: a warning, the result, nothing run' -ForEach @(
            @{ Name = 'refused (reserved)'; Status = 'reserved' }
            @{ Name = 'working (free: what a run of this leaves)'; Status = 'free' }
        ) {
            # Use-FakeCore takes literal names (test/static/fake-core.test.ts reads them).
            if ($Status -eq 'reserved') { Use-FakeCore 'check-reserved-administered' } else { Use-FakeCore 'check-excluded' }
            $result = Add-TapoPortExclusion -Port 2500 -Force -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            @($script:nativeCalls).Count | Should -Be 0
            @($warnings).Count | Should -Be 1
            [string]$warnings[0] | Should -Match '2480-2579 that an administrator added'
            $result.Outcome | Should -Be 'already-excluded'
            $result.Status | Should -Be $Status
            @($result.Commands).Count | Should -Be 0
        }

        It 'a port in use: refused (TapoExclusionPortInUse) with its holders named and how to stop them; nothing run' {
            Use-FakeCore 'check-busy'
            $record = Get-ThrownError { Add-TapoPortExclusion -Port 7777 -Force -ErrorAction Stop }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoExclusionPortInUse*'
            [string]$record.CategoryInfo.Category | Should -Be 'ResourceBusy'
            $record.Exception.Data['TapoExitCode'] | Should -Be 1
            $record.Exception.Message | Should -Match ([regex]::Escape('python3 (PID 11849) listening on 0.0.0.0:7777'))
            $record.Exception.Message | Should -Match 'web7777'
            $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape('Stop-TapoPortOwner -Port 7777'))
            @($script:nativeCalls).Count | Should -Be 0
        }

        It 'IPv6: asks the core about :: and runs netsh int ipv6' {
            Use-FakeCore 'check-free'
            $result = Add-TapoPortExclusion -Port 7799 -AddressFamily IPv6 -Force -ErrorAction Stop
            (@(Get-FakeCoreCall) | ForEach-Object { $_.Argv -join ' ' }) | Should -Be @('check --port 7799 --host :: --json')
            @($script:nativeCalls) | Should -Be @('netsh int ipv6 add excludedportrange protocol=tcp startport=7799 numberofports=1 store=persistent')
            $result.AddressFamily | Should -Be 'IPv6'
        }

        It 'Both: checks and excludes IPv4, then IPv6, one result each' {
            Use-FakeCore 'check-free'
            $results = @(Add-TapoPortExclusion -Port 7799 -AddressFamily Both -Force -ErrorAction Stop)
            (@(Get-FakeCoreCall) | ForEach-Object { Get-ArgumentValue -Argv $_.Argv -Name '--host' }) | Should -Be @('0.0.0.0', '::')
            @($script:nativeCalls) | Should -Be @(
                'netsh int ipv4 add excludedportrange protocol=tcp startport=7799 numberofports=1 store=persistent',
                'netsh int ipv6 add excludedportrange protocol=tcp startport=7799 numberofports=1 store=persistent')
            @($results | ForEach-Object { $_.AddressFamily }) | Should -Be @('IPv4', 'IPv6')
        }
    }

    Context 'Invoke-TapoNativeCommand (private): the one place net and netsh run' {
        BeforeAll {
            $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        }

        It 'returns the exit code and stdout and stderr together, and passes each argument whole' {
            if ($onWindows) { Set-ItResult -Skipped -Because '/bin/sh stands in for netsh off Windows only'; return }
            # /bin/sh stands in for netsh: the process handling is what is tested here.
            Mock -ModuleName TapoDashboard Get-TapoSystemToolPath { '/bin/sh' }
            $result = & $module {
                Invoke-TapoNativeCommand -Name 'netsh' -ArgumentList @('-c', 'printf "%s|" "$@"; echo to-stderr >&2; read answer; exit 3', 'sh', 'two words', 'startport=7777')
            }
            $result.ExitCode | Should -Be 3
            $result.Output | Should -Be ('two words|startport=7777|' + [Environment]::NewLine + 'to-stderr')
            Should -Invoke -ModuleName TapoDashboard -CommandName Get-TapoSystemToolPath -Times 1 -Exactly -ParameterFilter { $Name -eq 'netsh' }
        }

        It 'runs nothing but net and netsh' {
            { & $module { Invoke-TapoNativeCommand -Name 'cmd' -ArgumentList @('/c', 'echo') } } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
            { & $module { Get-TapoSystemToolPath -Name 'powershell' } } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'runs net and netsh from System32, never from PATH or the current folder' {
            if (-not $onWindows) { Set-ItResult -Skipped -Because 'System32 exists only on Windows; the Linux path is the /bin/sh test above'; return }
            & $module { Get-TapoSystemToolPath -Name 'netsh' } | Should -Be (Join-Path -Path $env:SystemRoot -ChildPath 'System32\netsh.exe')
            & $module { Get-TapoSystemToolPath -Name 'net' } | Should -Be (Join-Path -Path $env:SystemRoot -ChildPath 'System32\net.exe')
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
            # The cameras are offline: warning, with its issue, and still exit 0 (docs/start.md, Health).
            $status.Health | Should -Be 'warning'
            @($status.HealthIssues) | Should -Be @('no_cameras_online')
            $status.Summary | Should -Match 'health: warning \(no_cameras_online\)'
            $status.Conflict | Should -Match 'tapo-camera-mcp'
            $status.ExitCode | Should -Be 0
            (@(Get-FakeCoreCall)[0].Argv -join ' ') | Should -Be 'status --port 7777 --json'
        }
    }

    Context 'Start-TapoDashboard' {
        It 'passes -HealthTimeoutSeconds and -SkipDependencyCheck to the core, and gives the health with its issues' {
            Use-FakeCore 'start-reused'
            $result = Start-TapoDashboard -Port 7777 -HealthTimeoutSeconds 20 -SkipDependencyCheck -ErrorAction Stop
            $argv = @(Get-FakeCoreCall)[0].Argv
            Get-ArgumentValue -Argv $argv -Name '--health-timeout' | Should -Be '20'
            $argv | Should -Contain '--skip-dependency-check'
            $result.Outcome | Should -Be 'reused'
            $result.Health | Should -Be 'healthy'
            @($result.HealthIssues).Count | Should -Be 0
            $result.ExitCode | Should -Be 0
        }

        It 'asks the core for the dependency check unless told not to, with the default health budget' {
            Use-FakeCore 'start-reused'
            $null = Start-TapoDashboard -Port 7777 -ErrorAction Stop
            $argv = @(Get-FakeCoreCall)[0].Argv
            Get-ArgumentValue -Argv $argv -Name '--health-timeout' | Should -Be '10'
            $argv | Should -Not -Contain '--skip-dependency-check'
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
            # No window: a console the user closes would end the dashboard with it.
            $argument | Should -BeLike '-NoProfile -NonInteractive -WindowStyle Hidden -ExecutionPolicy Bypass -File *'
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

        It 'passes -SkipDependencyCheck on to the start script only when asked' {
            $plain = & $module {
                New-TapoTaskArgument -ScriptPath 'C:\tapo\start_dashboard.ps1' -Port 7777 -BindAddress '0.0.0.0' -LogPath 'C:\l\d.log' -ProjectPath 'C:\src\tapo'
            }
            $plain | Should -Not -Match 'SkipDependencyCheck'
            $skipping = & $module {
                New-TapoTaskArgument -ScriptPath 'C:\tapo\start_dashboard.ps1' -Port 7777 -BindAddress '0.0.0.0' -LogPath 'C:\l\d.log' -ProjectPath 'C:\src\tapo' -SkipDependencyCheck
            }
            $skipping | Should -Match '(^| )-SkipDependencyCheck$'
        }

        It 'gives an AtStartup task the Node.js found now (SYSTEM has no user PATH), whole: <_>' -ForEach @(
            'C:\Program Files\nodejs\node.exe', "C:\Users\Zo$([char]0xEB) O'Brien\AppData\Local\fnm\node.exe"
        ) {
            Use-FakeCore 'check-free'
            $nodePath = $_
            $argument = & $module {
                param($nodePath)
                New-TapoTaskArgument -ScriptPath 'C:\tapo\start_dashboard.ps1' -Port 7777 -BindAddress '0.0.0.0' -LogPath 'C:\ProgramData\tapo-port\dashboard.log' `
                    -ProjectPath 'C:\src\tapo' -StateDirectory 'C:\ProgramData\tapo-port' -NodePath $nodePath
            } $nodePath
            $core = & $module { param($path) ConvertTo-TapoNativeArgument -Value $path } $env:TAPO_CORE
            $null = Invoke-NodeCommandLine -Arguments "$core $argument"
            $argv = @(@(Get-FakeCoreCall)[0].Argv)
            Get-ArgumentValue -Argv $argv -Name '-NodePath' | Should -BeExactly $nodePath
            Get-ArgumentValue -Argv $argv -Name '-StateDirectory' | Should -BeExactly 'C:\ProgramData\tapo-port'
        }

        It 'runs the PowerShell of this edition by a path that lasts: <Name>' -ForEach @(
            @{ Name = 'Windows PowerShell (also from the ISE)'; Edition = 'Desktop'; PSHomePath = 'C:\Windows\System32\WindowsPowerShell\v1.0'; Expected = 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe' }
            @{ Name = 'PowerShell 7 from its installer'; Edition = 'Core'; PSHomePath = 'C:\Program Files\PowerShell\7\'; Expected = 'C:\Program Files\PowerShell\7\pwsh.exe' }
            @{ Name = 'the Store''s PowerShell (a versioned folder): its app execution alias'; Edition = 'Core'
                PSHomePath = 'C:\Program Files\WindowsApps\Microsoft.PowerShell_7.4.6.0_x64__8wekyb3d8bbwe'; Expected = 'C:\Users\me\AppData\Local\Microsoft\WindowsApps\pwsh.exe' }
        ) {
            $path = & $module {
                param($edition, $psHome)
                Resolve-TapoTaskPowerShell -Edition $edition -PSHomePath $psHome -LocalAppData 'C:\Users\me\AppData\Local'
            } $Edition $PSHomePath
            $path | Should -BeExactly $Expected
        }

        Context 'Register-TapoDashboardTask with the ScheduledTasks commands stood in for (any platform)' {
            BeforeAll {
                # Stand-ins that record what they were given (functions win over the real cmdlets on
                # Windows too, so nothing is ever registered): the registration's own logic runs for real.
                $script:registered = New-Object System.Collections.ArrayList
                function global:New-ScheduledTaskAction {
                    param($Execute, $Argument, $WorkingDirectory)
                    [pscustomobject]@{ Execute = $Execute; Argument = $Argument; WorkingDirectory = $WorkingDirectory }
                }
                function global:New-ScheduledTaskTrigger {
                    param([switch]$AtLogOn, [switch]$AtStartup, $User)
                    'trigger'
                }
                function global:New-ScheduledTaskPrincipal {
                    param($UserId, $LogonType, $RunLevel)
                    'principal'
                }
                function global:New-ScheduledTaskSettingsSet {
                    param($ExecutionTimeLimit, $MultipleInstances, [switch]$StartWhenAvailable, [switch]$AllowStartIfOnBatteries, [switch]$DontStopIfGoingOnBatteries)
                    'settings'
                }
                function global:Register-ScheduledTask {
                    param($TaskName, $Action, $Trigger, $Principal, $Settings, $Description, [switch]$Force)
                    [void]$script:registered.Add($Action)
                    $Action
                }
                $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
                $powershellPath = Get-TestPowerShell
            }
            AfterAll {
                foreach ($name in @('New-ScheduledTaskAction', 'New-ScheduledTaskTrigger', 'New-ScheduledTaskPrincipal', 'New-ScheduledTaskSettingsSet', 'Register-ScheduledTask')) {
                    Remove-Item -Path "Function:\$name" -ErrorAction SilentlyContinue
                }
            }

            It '-WhatIf registers nothing' {
                $script:registered.Clear()
                $null = Register-TapoDashboardTask -ProjectPath $TestDrive -TaskName 'TapoDashboard-PesterWhatIf' -PowerShellPath $powershellPath -WhatIf -ErrorAction Stop
                $script:registered.Count | Should -Be 0
            }

            It 'refuses a project folder that does not exist (TapoProjectNotFound), and registers nothing' {
                $script:registered.Clear()
                $record = Get-ThrownError { Register-TapoDashboardTask -ProjectPath (Join-Path -Path $TestDrive -ChildPath 'no such project') -PowerShellPath $powershellPath -Confirm:$false -ErrorAction Stop }
                $record.FullyQualifiedErrorId | Should -BeLike 'TapoProjectNotFound*'
                $record.ErrorDetails.RecommendedAction | Should -Match '-ProjectPath'
                $script:registered.Count | Should -Be 0
            }

            It 'runs this module''s start script, never the project''s own older start_dashboard.ps1' {
                $script:registered.Clear()
                $project = Join-Path -Path $TestDrive -ChildPath 'project with its own script'
                $null = New-Item -ItemType Directory -Force -Path $project
                # The original project's script: no parameters at all.
                Set-Content -LiteralPath (Join-Path -Path $project -ChildPath 'start_dashboard.ps1') -Value 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777'
                $action = Register-TapoDashboardTask -ProjectPath $project -PowerShellPath $powershellPath -Confirm:$false -ErrorAction Stop
                $action.Argument | Should -Match ([regex]::Escape((Get-RepositoryPath -ChildPath @('scripts', 'start_dashboard.ps1'))))
                $action.Argument | Should -Not -Match ([regex]::Escape($project + [System.IO.Path]::DirectorySeparatorChar + 'start_dashboard.ps1'))
                $action.Argument | Should -Match '-WindowStyle Hidden'
                $action.Execute | Should -Be $powershellPath
                $action.WorkingDirectory | Should -Be $project
            }

            It 'registers -SkipDependencyCheck into the task when asked, and not otherwise' {
                $script:registered.Clear()
                $plain = Register-TapoDashboardTask -ProjectPath $TestDrive -PowerShellPath $powershellPath -Confirm:$false -ErrorAction Stop
                $plain.Argument | Should -Not -Match 'SkipDependencyCheck'
                $skipping = Register-TapoDashboardTask -ProjectPath $TestDrive -PowerShellPath $powershellPath -SkipDependencyCheck -Confirm:$false -ErrorAction Stop
                $skipping.Argument | Should -Match '(^| )-SkipDependencyCheck$'
            }

            It 'refuses a -ScriptPath that does not take this module''s parameters (TapoStartScriptIncompatible)' {
                $script:registered.Clear()
                $project = Join-Path -Path $TestDrive -ChildPath 'project with its own script'
                $record = Get-ThrownError {
                    Register-TapoDashboardTask -ProjectPath $project -ScriptPath (Join-Path -Path $project -ChildPath 'start_dashboard.ps1') -PowerShellPath $powershellPath -Confirm:$false -ErrorAction Stop
                }
                $record.FullyQualifiedErrorId | Should -BeLike 'TapoStartScriptIncompatible*'
                $script:registered.Count | Should -Be 0
            }

            It 'refuses a PowerShell that does not exist rather than registering a task that cannot start' -Skip:$onWindows {
                $record = Get-ThrownError { Register-TapoDashboardTask -ProjectPath $TestDrive -Confirm:$false -ErrorAction Stop }
                # Off Windows this PowerShell has no pwsh.exe in $PSHOME: the default cannot be found.
                $record.FullyQualifiedErrorId | Should -BeLike 'TapoPowerShellMissing*'
            }
        }

        It 'Register-TapoDashboardTask refuses with TapoNoTaskScheduler where there is no Task Scheduler' {
            if ($null -ne (Get-Command -Name 'Register-ScheduledTask' -ErrorAction SilentlyContinue)) {
                Set-ItResult -Skipped -Because 'Windows has the ScheduledTasks module; this is the Linux and macOS path'
                return
            }
            $record = Get-ThrownError { Register-TapoDashboardTask -ProjectPath $TestDrive -WhatIf -ErrorAction Stop }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoNoTaskScheduler*'
        }
    }

    Context 'pipelines, results and failures' {
        It 'a Get-TapoPortConnection row of a container stops the container, never its forwarder''s PID' {
            Use-FakeCore 'check-busy', 'stop-plan'
            $rows = @(Get-TapoPortConnection -LocalPort 7777 -ErrorAction Stop | Where-Object { $_.Container })
            $rows.Count | Should -Be 1
            $rows[0].OwningProcess | Should -Be 11522
            $null = $rows | Stop-TapoPortOwner -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            $stops = @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'stop' })
            $stops.Count | Should -Be 1
            Get-ArgumentValue -Argv $stops[0].Argv -Name '--container' | Should -Be 'web7777'
            $stops[0].Argv | Should -Not -Contain '--pid'
        }

        It 'a status object piped to Get-TapoDashboardStatus binds its RequestedPort, not the port it moved to' {
            Use-FakeCore 'status-running'
            $null = [pscustomobject]@{ RequestedPort = 7777; Port = 7779 } | Get-TapoDashboardStatus -ErrorAction Stop
            (@(Get-FakeCoreCall)[0].Argv -join ' ') | Should -Be 'status --port 7777 --json'
            # -Port stays the parameter's name for people.
            Use-FakeCore 'status-running'
            $null = Get-TapoDashboardStatus -Port 7777 -ErrorAction Stop
            (@(Get-FakeCoreCall)[0].Argv -join ' ') | Should -Be 'status --port 7777 --json'
        }

        It 'a dry run stops nothing: Stopped is empty, WouldStop names the targets' {
            Use-FakeCore 'stop-plan'
            $result = Stop-TapoPortOwner -Port 7777 -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop
            @($result.Stopped).Count | Should -Be 0
            @($result.WouldStop) | Should -Be @('python3 (PID 11849) listening on 0.0.0.0:7777')
        }

        It 'a real stop names what it stopped, and passes the confirmed PID and start time to the core' {
            Use-FakeCore 'stop-plan', 'stop-done'
            $result = Stop-TapoPortOwner -Port 7777 -Force -WarningAction SilentlyContinue -ErrorAction Stop
            @($result.Stopped) | Should -Be @('python3 (PID 11849) listening on 0.0.0.0:7777')
            $real = @(Get-FakeCoreCall | Where-Object { $_.Command -eq 'stop' -and -not $_.DryRun })
            # The core's own form of the start time, whether ConvertFrom-Json made it a DateTime (7) or not (5.1).
            Get-ArgumentValue -Argv $real[0].Argv -Name '--confirmed' | Should -BeExactly '11849@2026-11-24T09:15:02.410Z'
        }

        It 'a core that prints no JSON and exits 0 is a failure (exit code 5), not a success' {
            Use-FakeCore 'no-json-exit-0'
            $record = Get-ThrownError { Get-TapoDashboardStatus -Port 7777 -ErrorAction Stop }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoCoreNoJson*'
            $record.Exception.Data['TapoExitCode'] | Should -Be 5
        }

        It 'a Node.js that cannot be started is an error record with a fix, not a .NET exception' -Skip:([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
            # Node is found and remembered, then the file goes away before the next call starts it.
            $real = (Get-Command -Name 'node' -CommandType Application | Select-Object -First 1).Source
            $link = Join-Path -Path $TestDrive -ChildPath 'node-that-goes-away'
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $real -Force
            $savedNode = $env:TAPO_NODE
            $env:TAPO_NODE = $link
            try {
                Use-FakeCore 'check-free'
                Test-TapoPort -Port 7799 -ErrorAction Stop | Should -BeTrue
                Remove-Item -LiteralPath $link -Force
                $record = Get-ThrownError { Test-TapoPort -Port 7799 -ErrorAction Stop }
            }
            finally { $env:TAPO_NODE = $savedNode }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoCoreStartFailed*'
            $record.ErrorDetails.RecommendedAction | Should -Match 'TAPO_NODE'
            $record.Exception.Data['TapoExitCode'] | Should -Be 3
        }
    }

    Context 'the start script''s helpers in the module' {
        It 'Test-TapoInteractiveSession: <Name>' -ForEach @(
            @{ Name = 'a console with a person'; CommandLine = @('pwsh', '-File', 's.ps1'); UserInteractive = $true; Redirected = $false; Expected = $true }
            @{ Name = '-NonInteractive'; CommandLine = @('pwsh', '-NonInteractive', '-File', 's.ps1'); UserInteractive = $true; Redirected = $false; Expected = $false }
            @{ Name = '-noni'; CommandLine = @('powershell.exe', '-noni', '-File', 's.ps1'); UserInteractive = $true; Redirected = $false; Expected = $false }
            @{ Name = '--NonInteractive'; CommandLine = @('pwsh', '--NonInteractive', '-File', 's.ps1'); UserInteractive = $true; Redirected = $false; Expected = $false }
            @{ Name = '/NonInteractive'; CommandLine = @('powershell.exe', '/NonInteractive', '-File', 's.ps1'); UserInteractive = $true; Redirected = $false; Expected = $false }
            @{ Name = 'redirected input'; CommandLine = @('pwsh', '-File', 's.ps1'); UserInteractive = $true; Redirected = $true; Expected = $false }
            @{ Name = 'no user (a service)'; CommandLine = @('pwsh', '-File', 's.ps1'); UserInteractive = $false; Redirected = $false; Expected = $false }
        ) {
            $answer = & $module {
                param($commandLine, $userInteractive, $redirected)
                Test-TapoInteractiveSession -CommandLine $commandLine -UserInteractive $userInteractive -InputRedirected { $redirected }.GetNewClosure()
            } $CommandLine $UserInteractive $Redirected
            $answer | Should -Be $Expected
        }

        It 'Set-TapoConsoleOutputEncoding without a console changes nothing and throws nothing' {
            $previous = & $module {
                Set-TapoConsoleOutputEncoding -Encoding ([System.Text.Encoding]::UTF8) -Setter { throw (New-Object System.IO.IOException -ArgumentList 'The handle is invalid.') }
            }
            $previous | Should -BeNullOrEmpty
        }

        It 'Set-TapoConsoleOutputEncoding returns the encoding it replaced' {
            $set = New-Object System.Collections.ArrayList
            $previous = & $module {
                param($set)
                Set-TapoConsoleOutputEncoding -Encoding ([System.Text.Encoding]::UTF8) -Getter { [System.Text.Encoding]::ASCII } -Setter { param($e) [void]$set.Add($e) }.GetNewClosure()
            } $set
            $previous | Should -Be ([System.Text.Encoding]::ASCII)
            $set[0] | Should -Be ([System.Text.Encoding]::UTF8)
        }
    }

    Context 'finding the core: the single executable first, Node and the bundle otherwise' {
        BeforeAll {
            # A copy of the module as npm run package lays it out, whose core\ holds what each test puts there.
            $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
            $executableName = & $module { Get-TapoExecutableName }
            $copyRoot = Join-Path -Path $TestDrive -ChildPath 'installed'
            $copyBase = Join-Path -Path $copyRoot -ChildPath 'TapoDashboard'
            $copyCore = Join-Path -Path $copyBase -ChildPath 'core'
            $null = New-Item -ItemType Directory -Force -Path $copyCore
            Get-ChildItem -LiteralPath (Split-Path -Path $manifestPath -Parent) -File | Copy-Item -Destination $copyBase
            $fakeCore = Get-RepositoryPath -ChildPath @('test', 'powershell', 'fake-core.cjs')
            $nodeCommand = (Get-Command -Name 'node' -CommandType Application | Select-Object -First 1).Source
            # Off Windows a shell script stands in for the executable: a file run directly, no node in front.
            $fakeExecutable = Join-Path -Path $TestDrive -ChildPath 'fake-tapo-port'
            if (-not $onWindows) {
                Set-Content -LiteralPath $fakeExecutable -Value "#!/bin/sh`nexec '$nodeCommand' '$fakeCore' `"`$@`"`n" -NoNewline -Encoding ascii
                & chmod 755 $fakeExecutable
            }
            $emptyPath = Join-Path -Path $TestDrive -ChildPath 'no-node-on-this-path'
            $null = New-Item -ItemType Directory -Force -Path $emptyPath

            function Use-InstalledCopy {
                # Imports the copy (replacing the repository's module) with no override set; returns it.
                $env:TAPO_CORE = $null
                $env:TAPO_NODE = $null
                return (Import-Module -Name (Join-Path -Path $copyBase -ChildPath 'TapoDashboard.psd1') -Force -PassThru -ErrorAction Stop)
            }
        }

        AfterEach {
            Get-ChildItem -LiteralPath $copyCore | Remove-Item -Force
            $env:TAPO_NODE = $null
        }

        AfterAll {
            # Unloaded while its files (and the format file PowerShell keeps reading) still exist.
            Remove-Module -Name 'TapoDashboard' -Force -ErrorAction SilentlyContinue
            Restore-FakeCoreEnvironment -Saved $savedEnvironment
            $savedEnvironment = Initialize-FakeCore -LogPath (Join-Path -Path $TestDrive -ChildPath 'core-calls.jsonl')
            Import-Module -Name $manifestPath -Force -ErrorAction Stop
        }

        It 'names the executable of this machine: tapo-port.exe on Windows, tapo-port on Linux x64, none on macOS' {
            if ($onWindows) { $executableName | Should -Be 'tapo-port.exe' }
            elseif ($IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64') { $executableName | Should -Be 'tapo-port' }
            else { $executableName | Should -BeNullOrEmpty }
        }

        It 'runs the executable in core\ directly when the folder has it, though node and the bundle are there too' -Skip:($onWindows) {
            if ($null -eq $executableName) { Set-ItResult -Skipped -Because 'no single executable is built for this platform'; return }
            Copy-Item -LiteralPath $fakeExecutable -Destination (Join-Path -Path $copyCore -ChildPath $executableName)
            Copy-Item -LiteralPath $fakeCore -Destination (Join-Path -Path $copyCore -ChildPath 'tapo-port.cjs')
            $copy = Use-InstalledCopy
            $resolved = & $copy { Resolve-TapoCore }
            $resolved.Form | Should -Be 'executable'
            $resolved.FilePath | Should -Be (Join-Path -Path $copyCore -ChildPath $executableName)
            @($resolved.Arguments).Count | Should -Be 0
            Use-FakeCore 'check-free'
            Test-TapoPort -Port 7799 -ErrorAction Stop | Should -BeTrue
            (@(Get-FakeCoreCall)[0].Argv -join ' ') | Should -Be 'check --port 7799 --host 0.0.0.0 --json'
        }

        It 'uses Node and core\tapo-port.cjs when TAPO_NODE is set, even beside the executable' -Skip:($onWindows) {
            if ($null -ne $executableName) { Copy-Item -LiteralPath $fakeExecutable -Destination (Join-Path -Path $copyCore -ChildPath $executableName) }
            Copy-Item -LiteralPath $fakeCore -Destination (Join-Path -Path $copyCore -ChildPath 'tapo-port.cjs')
            $copy = Use-InstalledCopy
            $env:TAPO_NODE = $nodeCommand
            $resolved = & $copy { Resolve-TapoCore }
            $resolved.Form | Should -Be 'node'
            $resolved.FilePath | Should -Be $nodeCommand
            @($resolved.Arguments) | Should -Be @((Join-Path -Path $copyCore -ChildPath 'tapo-port.cjs'))
        }

        It 'runs TAPO_CORE directly when it names an executable, and with Node when it names a .cjs' -Skip:($onWindows) {
            $copy = Use-InstalledCopy
            $env:TAPO_CORE = $fakeExecutable
            (& $copy { Resolve-TapoCore }).Form | Should -Be 'executable'
            $env:TAPO_CORE = $fakeCore
            $resolved = & $copy { Resolve-TapoCore }
            $resolved.Form | Should -Be 'node'
            @($resolved.Arguments) | Should -Be @($fakeCore)
        }

        It 'with neither the executable nor Node: one error that names both fixes' {
            Copy-Item -LiteralPath $fakeCore -Destination (Join-Path -Path $copyCore -ChildPath 'tapo-port.cjs')
            $copy = Use-InstalledCopy
            $savedPath = $env:PATH
            try {
                $env:PATH = $emptyPath
                $record = Get-ThrownError { & $copy { Resolve-TapoCore } }
            }
            finally { $env:PATH = $savedPath }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoNodeMissing*'
            $record.Exception.Data['TapoExitCode'] | Should -Be 3
            if ($null -ne $executableName) {
                $record.Exception.Message | Should -BeLike "Neither the tapo-port executable ($executableName *"
                $record.ErrorDetails.RecommendedAction | Should -BeLike '*Install-PSResource TapoDashboard*'
                $record.ErrorDetails.RecommendedAction | Should -BeLike "*`$env:TAPO_CORE to $executableName*"
            }
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*install Node.js LTS*'
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*$env:TAPO_NODE*'
        }

        It 'an executable that cannot be started is an error record naming the executable, not Node' -Skip:($onWindows) {
            if ($null -eq $executableName) { Set-ItResult -Skipped -Because 'no single executable is built for this platform'; return }
            $target = Join-Path -Path $copyCore -ChildPath $executableName
            Set-Content -LiteralPath $target -Value 'not a program' -Encoding ascii
            $copy = Use-InstalledCopy
            Use-FakeCore 'check-free'
            $record = Get-ThrownError { & $copy { Invoke-TapoCore -ArgumentList @('check', '--port', '7799', '--json') } }
            $record.FullyQualifiedErrorId | Should -BeLike 'TapoCoreStartFailed*'
            $record.Exception.Message | Should -BeLike "The tapo-port executable '$target' could not be started:*"
            $record.ErrorDetails.RecommendedAction | Should -BeLike '*Unblock-File*'
        }
    }
}
