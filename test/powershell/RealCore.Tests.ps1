#Requires -Version 5.1
# Pester 5 suite of the module and scripts/start_dashboard.ps1 against the REAL core: the built
# bundle (dist/tapo-port.cjs) run by node, and the npm run package folder's own core (its single
# executable on Windows and Linux x64), never the fake core; in npm test's second pass
# (TAPO_TEST_CORE) the single executable throughout. Real sockets (test/fixtures/holders/hold_port.py), the fake dashboard's project
# (test/fixtures/fake-dashboard, told by FAKE_DASHBOARD_SERVE_SECONDS to exit by itself so a
# foreground start ends), child PowerShells as a user and Task Scheduler start them. Needs node,
# Python 3 and a built dist/ (npm test builds it). Port 7777 must be free: the no-argument runs use it.

BeforeDiscovery {
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    $onLinuxX64 = (-not $onWindows) -and $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64'
}

Describe 'TapoDashboard with the real core' {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath 'RealCore.ps1')
        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        $saved = @{}
        foreach ($name in @('TAPO_CORE', 'TAPO_NODE', 'TAPO_STATE_DIR', 'TAPO_PROJECT_DIR', 'FAKE_DASHBOARD_SERVE_SECONDS', 'PSModulePath')) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        # The real core, found the way users find it: next to the module, with node from PATH. In
        # npm test's second pass TAPO_TEST_CORE names the single executable, and this session's
        # module and the direct calls run it instead (child PowerShells still find their own core:
        # the packaged module's executable).
        $coreExecutable = $env:TAPO_TEST_CORE
        $env:TAPO_CORE = $null
        if (-not [string]::IsNullOrEmpty($coreExecutable)) { $env:TAPO_CORE = $coreExecutable }
        $env:TAPO_NODE = $null
        $env:TAPO_PROJECT_DIR = $null
        $stateDir = Join-Path -Path $TestDrive -ChildPath 'state'
        $env:TAPO_STATE_DIR = $stateDir

        $repoManifest = Get-RepositoryPath -ChildPath @('powershell', 'TapoDashboard.psd1')
        $startScript = Get-RepositoryPath -ChildPath @('scripts', 'start_dashboard.ps1')
        $bundle = Get-RepositoryPath -ChildPath @('dist', 'tapo-port.cjs')
        if (-not (Test-Path -LiteralPath $bundle)) { throw "$bundle is missing: run npm run build first" }
        $node = (Get-Command -Name 'node' -CommandType Application | Select-Object -First 1).Source
        # The core as this suite runs it directly: the executable of the second pass, or node and the bundle.
        $coreCommand = @($node, $bundle)
        if (-not [string]::IsNullOrEmpty($coreExecutable)) { $coreCommand = @($coreExecutable) }

        # The folder a user copies into their module path (npm run package).
        $packageRoot = Join-Path -Path $TestDrive -ChildPath 'package'
        $packaged = Start-TestProcess -FilePath $node -ArgumentList @((Get-RepositoryPath -ChildPath @('scripts', 'package.mjs')), '--out', $packageRoot)
        $packagedRun = Wait-TestProcess -Started $packaged
        if ($packagedRun.ExitCode -ne 0) { throw "npm run package failed: $($packagedRun.Output)" }
        $packageModule = Join-Path -Path $packageRoot -ChildPath 'TapoDashboard'

        Import-Module -Name $repoManifest -Force -ErrorAction Stop
        $module = Get-Module -Name 'TapoDashboard' | Where-Object { $_.ModuleBase -eq (Split-Path -Path $repoManifest -Parent) }

        function Get-CoreStatusDocument {
            # What tapo-port status says of a port (the record and the live check), as an object.
            param([Parameter(Mandatory)][int]$Port)
            $run = Wait-TestProcess -Started (Start-TestProcess -FilePath $coreCommand[0] -ArgumentList (@($coreCommand | Select-Object -Skip 1) + @('status', '--port', [string]$Port, '--json')))
            return ($run.Stdout | ConvertFrom-Json)
        }

        function Get-ChildEnvironment {
            # What every child PowerShell gets: the suite's state folder, the packaged module on its
            # module path, and a dashboard that exits by itself after -ServeSeconds.
            param([double]$ServeSeconds = 3)
            return @{
                TAPO_STATE_DIR               = $stateDir
                PSModulePath                 = "$packageRoot$([System.IO.Path]::PathSeparator)$($saved['PSModulePath'])"
                FAKE_DASHBOARD_SERVE_SECONDS = [string]$ServeSeconds
                TAPO_CORE                    = $null
                TAPO_NODE                    = $null
            }
        }

        function New-ProjectWithScript {
            # A dashboard project as users have it: the start script in its root, the module installed.
            param([Parameter(Mandatory)][string]$Name)
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath $Name)
            Copy-Item -LiteralPath $startScript -Destination (Join-Path -Path $project -ChildPath 'start_dashboard.ps1')
            return $project
        }
        $elsewhere = Join-Path -Path $TestDrive -ChildPath 'somewhere else'
        $null = New-Item -ItemType Directory -Force -Path $elsewhere
    }

    AfterEach {
        Stop-TestProcess
    }

    AfterAll {
        Stop-TestProcess
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Module -Name 'TapoDashboard' -Force -ErrorAction SilentlyContinue
    }

    Context 'Import-Module, as users import it' {
        It 'from the repository: the core answers (dist/ without TAPO_CORE; the executable in the second pass)' {
            $port = Get-FreeTestPort
            Test-TapoPort -Port $port -ErrorAction Stop | Should -BeTrue
            $holder = Start-PortHolder -Port $port
            Test-TapoPort -Port $port -ErrorAction Stop | Should -BeFalse
            $holder.Process.Kill()
        }

        It 'from the npm run package folder on the module path, with its own core' {
            $port = Get-FreeTestPort
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment) -ArgumentList @('-NonInteractive', '-Command',
                "Import-Module TapoDashboard -ErrorAction Stop; (Get-Module TapoDashboard).ModuleBase; Test-TapoPort -Port $port -ErrorAction Stop")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $lines = @($run.Stdout -split "`r?`n" | Where-Object { $_ })
            $lines[0] | Should -Be $packageModule
            $lines[1] | Should -Be 'True'
        }

        It 'the packaged folder runs its single executable where one is built for this machine' {
            $info = Get-Content -LiteralPath (Join-Path -Path $packageModule -ChildPath 'core/build-info.json') -Raw | ConvertFrom-Json
            $expected = & $module { Get-TapoExecutableName }
            if ($null -eq $expected) { Set-ItResult -Skipped -Because 'no single executable is built for this platform (macOS, ARM)'; return }
            @($info.executables | ForEach-Object { $_.file }) | Should -Contain $expected
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment) -ArgumentList @('-NonInteractive', '-Command',
                "Import-Module TapoDashboard -ErrorAction Stop; `$core = & (Get-Module TapoDashboard) { Resolve-TapoCore }; `$core.Form; `$core.FilePath")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $lines = @($run.Stdout -split "`r?`n" | Where-Object { $_ })
            $lines[0] | Should -Be 'executable'
            $lines[1] | Should -Be (Join-Path -Path (Join-Path -Path $packageModule -ChildPath 'core') -ChildPath $expected)
        }

        It 'installed on a machine with no node on PATH, the packaged module still names a holder (Linux x64)' -Skip:(-not $onLinuxX64) {
            # PATH holds every program of the system folders but node: a machine without Node.js.
            $tools = Join-Path -Path $TestDrive -ChildPath 'path-without-node'
            $null = New-Item -ItemType Directory -Force -Path $tools
            foreach ($folder in @('/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin')) {
                if (-not (Test-Path -LiteralPath $folder)) { continue }
                foreach ($program in @(Get-ChildItem -LiteralPath $folder -File -ErrorAction SilentlyContinue)) {
                    if ($program.Name -in @('node', 'nodejs')) { continue }
                    $link = Join-Path -Path $tools -ChildPath $program.Name
                    if (-not (Test-Path -LiteralPath $link)) { $null = New-Item -ItemType SymbolicLink -Path $link -Target $program.FullName }
                }
            }
            # Installed as the README says: the folder copied into a module path.
            $modules = Join-Path -Path $TestDrive -ChildPath 'no-node-modules'
            $null = New-Item -ItemType Directory -Force -Path $modules
            Copy-Item -Recurse -LiteralPath $packageModule -Destination $modules
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port -Address '127.0.0.1'
            $environment = Get-ChildEnvironment
            $environment['PATH'] = $tools
            $environment['PSModulePath'] = $modules
            $run = Invoke-ChildPowerShell -Environment $environment -ArgumentList @('-NonInteractive', '-Command',
                "if (Get-Command -Name node -ErrorAction SilentlyContinue) { throw 'node is on PATH' }; Import-Module TapoDashboard -ErrorAction Stop; (& (Get-Module TapoDashboard) { Resolve-TapoCore }).Form; Get-TapoPortOwner -Port $port -ErrorAction Stop | ForEach-Object { `$_.ProcessId }")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $lines = @($run.Stdout -split "`r?`n" | Where-Object { $_ })
            $lines[0] | Should -Be 'executable'
            [int]$lines[1] | Should -Be $holder.Id
            $holder.Process.Kill()
        }

        It 'the .psm1 itself, without the manifest: it still pairs with its core (no version mismatch)' {
            $port = Get-FreeTestPort
            $psm1 = Get-RepositoryPath -ChildPath @('powershell', 'TapoDashboard.psm1')
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment) -ArgumentList @('-NonInteractive', '-Command',
                "Import-Module '$psm1' -ErrorAction Stop; Test-TapoPort -Port $port -ErrorAction Stop")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Stdout.Trim() | Should -Be 'True'
        }
    }

    Context 'who holds a port: real holders' {
        It 'Get-TapoPortOwner names the PID, the name and the path of an IPv4 holder' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port -Address '127.0.0.1'
            $owners = @(Get-TapoPortOwner -Port $port -ErrorAction Stop)
            $owners.Count | Should -Be 1
            $owners[0].PSObject.TypeNames[0] | Should -Be 'TapoDashboard.PortOwner'
            $owners[0].Kind | Should -Be 'process'
            $owners[0].ProcessId | Should -Be $holder.Id
            $owners[0].Name | Should -Match '^python'
            $owners[0].Path | Should -Not -BeNullOrEmpty
            Test-Path -LiteralPath $owners[0].Path | Should -BeTrue
            $owners[0].PortStatus | Should -Be 'in-use'
        }

        It 'Get-TapoPortConnection lists an IPv6 loopback holder as Get-NetTCPConnection would' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port -Address '::1'
            $rows = @(Get-TapoPortConnection -LocalPort $port -ErrorAction Stop)
            $rows.Count | Should -Be 1
            $rows[0].LocalAddress | Should -Be '::1'
            $rows[0].RemoteAddress | Should -Be '::'
            $rows[0].OwningProcess | Should -Be $holder.Id
            $rows[0].State | Should -Be 'Listen'
            Test-TapoPort -Port $port -BindAddress '::1' -ErrorAction Stop | Should -BeFalse
        }

        It 'has the property names, order and types of Get-NetTCPConnection, then the owner' {
            # MSFT_NetTCPConnection as Get-NetTCPConnection returns it: the order of its list view
            # (test/fixtures/windows/PROVENANCE.md) and the types of its documented parameters.
            $reference = Get-Content -Raw -LiteralPath (Get-RepositoryPath -ChildPath @('test', 'fixtures', 'windows', 'get-nettcpconnection.shape.json')) |
                ConvertFrom-Json
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $row = @(Get-TapoPortConnection -LocalPort $port -ErrorAction Stop)[0]
            $names = @($row.PSObject.Properties | ForEach-Object { $_.Name })
            $expected = @($reference.properties | ForEach-Object { $_.name })
            ($names | Select-Object -First $expected.Count) -join ',' | Should -Be ($expected -join ',')
            foreach ($property in $reference.properties) {
                if ($property.ours -eq 'null') {
                    $row.($property.name) | Should -BeNullOrEmpty -Because "$($property.name) is not known off Windows"
                }
                else {
                    $row.($property.name).GetType().FullName | Should -Be $property.ours -Because "$($property.name) is $($property.type) in Get-NetTCPConnection"
                }
            }
            $row.OwningProcess | Should -Be $holder.Id
            $row.LocalPort | Should -Be $port
            $names | Should -Contain 'OwnerName'
            $names | Should -Contain 'OwnerPath'
        }

        It 'shows a holder with a non-ASCII process name intact, in objects and in the table view' -Skip:$onWindows {
            # Windows: a renamed python.exe outside its folder does not start; the name comes from
            # the same CIM JSON there, which the core's unit tests cover.
            $port = Get-FreeTestPort
            $python = (& (Get-PythonCommand) -c 'import sys; print(sys.executable)').Trim()
            $link = Join-Path -Path $TestDrive -ChildPath ([string]::new([char[]]@(0x70, 0xFF, 0x74, 0x68, 0xF6, 0x6E)))  # p, y with diaeresis, t, h, o with diaeresis, n
            $null = New-Item -ItemType SymbolicLink -Path $link -Target $python -Force
            $holder = Start-PortHolder -Port $port -Python $link
            $owner = @(Get-TapoPortOwner -Port $port -ErrorAction Stop)[0]
            $owner.ProcessId | Should -Be $holder.Id
            $owner.Name | Should -BeExactly (Split-Path -Path $link -Leaf)
            @(Get-TapoPortConnection -LocalPort $port)[0].OwnerName | Should -BeExactly (Split-Path -Path $link -Leaf)
            (Get-TapoPortOwner -Port $port | Format-Table | Out-String) | Should -Match ([regex]::Escape([string]$holder.Id))
        }

        It 'Find-TapoAvailablePort skips real holders and confirms with a bind' {
            $port = Get-FreeTestPort
            $first = Start-PortHolder -Port $port
            $second = Start-PortHolder -Port ($port + 1) -Address '::'
            $found = Find-TapoAvailablePort -StartPort $port -EndPort ($port + 20) -ErrorAction Stop
            $found | Should -BeGreaterThan ($port + 1)
            $found | Should -BeOfType [int]
            Test-TapoPort -Port $found | Should -BeTrue
            $first.Process.Kill(); $second.Process.Kill()
        }

        It 'Find-TapoAvailablePort -ExcludePort adds to the project''s 7778 instead of replacing it' {
            (Test-TapoPort -Port 7778) | Should -BeTrue -Because '7778 must be free on a test machine for this test to mean anything'
            $found = Find-TapoAvailablePort -StartPort 7777 -EndPort 7800 -ExcludePort 7777 -ErrorAction Stop
            $found | Should -Not -Be 7778
            $found | Should -BeGreaterThan 7778
            Find-TapoAvailablePort -StartPort 7778 -EndPort 7778 -AllowProjectPort -ErrorAction Stop | Should -Be 7778
        }
    }

    Context 'start_dashboard.ps1 as a user runs it (a child PowerShell, from another folder)' {
        It 'with no arguments on a free 7777: the dashboard starts, answers /api/health, and the exit code is 0' {
            Test-TapoPort -Port 7777 | Should -BeTrue -Because 'port 7777 must be free on the test machine'
            $project = New-ProjectWithScript -Name 'no-arguments'
            $script = Join-Path -Path $project -ChildPath 'start_dashboard.ps1'
            $child = Start-TestProcess -FilePath (Get-TestPowerShell) -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $script) `
                -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment -ServeSeconds 4)
            Wait-Condition -Because 'the dashboard to answer on 7777' -TimeoutSeconds 60 -Condition {
                (Get-HealthStatus -Port 7777) -eq 'healthy' -or $child.Process.HasExited
            }
            Get-HealthStatus -Port 7777 | Should -Be 'healthy'
            $run = Wait-TestProcess -Started $child
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match 'fake-dashboard: serving on 0\.0\.0\.0:7777'
        }

        It 'with no arguments on a held 7777: names PID, name and path, gives the ways out, exits 1, starts nothing' {
            $holder = Start-PortHolder -Port 7777
            $holderPath = @(Get-TapoPortOwner -Port 7777)[0].Path
            $project = New-ProjectWithScript -Name 'held'
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment) `
                -ArgumentList @('-NonInteractive', '-File', (Join-Path -Path $project -ChildPath 'start_dashboard.ps1'))
            $run.ExitCode | Should -Be 1 -Because $run.Output
            $run.Output | Should -Match "PID $($holder.Id)"
            $run.Output | Should -Match 'python'
            $run.Output | Should -Match ([regex]::Escape($holderPath))
            # The core's numbered fixes (the next free port; stop the holder), then the script's own.
            $run.Output | Should -Match '1\. Start the dashboard on the next free port, 7779'
            $run.Output | Should -Match "2\. Stop python\S* \(PID $($holder.Id)\)"
            $run.Output | Should -Match '-OnConflict Next'
            $run.Output | Should -Not -Match 'fake-dashboard: serving'
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
        }

        It '-OnConflict Next starts on the next free port and says so' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $project = New-ProjectWithScript -Name 'next'
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment -ServeSeconds 1) `
                -ArgumentList @('-NonInteractive', '-File', (Join-Path -Path $project -ChildPath 'start_dashboard.ps1'), '-Port', [string]$port, '-OnConflict', 'Next')
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match "PORT CHANGED: port $port is held by"
            $run.Output | Should -Match "fake-dashboard: serving on 0\.0\.0\.0:$($port + 1)"
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
        }

        It 'Reuse (the default) on a dashboard whose health is <Status>: exit 0 at once, nothing started, <Said> said' -ForEach @(
            @{ Status = 'healthy'; Name = 'reuse'; Said = 'already runs'; Expected = 'already runs' }
            # The cameras are offline: a running dashboard all the same, its health and issue named.
            @{ Status = 'warning'; Name = 'reuse-warning'; Said = 'the health and its issue'; Expected = 'health: warning \(no_cameras_online; 0 of 2 cameras online\)' }
        ) {
            $port = Get-FreeTestPort
            $project = New-ProjectWithScript -Name $Name
            $script = Join-Path -Path $project -ChildPath 'start_dashboard.ps1'
            $environment = Get-ChildEnvironment -ServeSeconds 30
            if ($Status -ne 'healthy') { $environment['FAKE_DASHBOARD_STATUS'] = $Status }
            $first = Start-TestProcess -FilePath (Get-TestPowerShell) -WorkingDirectory $elsewhere -Environment $environment `
                -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $script, '-Port', [string]$port)
            Wait-Condition -Because 'the first dashboard to answer' -TimeoutSeconds 60 -Condition { (Get-HealthStatus -Port $port) -eq $Status -or $first.Process.HasExited }
            $again = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment $environment `
                -ArgumentList @('-NonInteractive', '-File', $script, '-Port', [string]$port)
            $again.ExitCode | Should -Be 0 -Because $again.Output
            $again.Output | Should -Match $Expected
            $again.Output | Should -Not -Match 'fake-dashboard: serving'
            $first.Process.HasExited | Should -BeFalse
        }

        It 'a project whose validate_dependencies.py fails: its own message, exit 3, nothing started; -SkipDependencyCheck starts it' {
            $port = Get-FreeTestPort
            $project = New-ProjectWithScript -Name 'dependencies'
            Copy-Item -LiteralPath (Get-RepositoryPath -ChildPath @('test', 'fixtures', 'dependency-check', 'validate_dependencies.failing.py')) `
                -Destination (Join-Path -Path $project -ChildPath 'validate_dependencies.py')
            $script = Join-Path -Path $project -ChildPath 'start_dashboard.ps1'
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment) `
                -ArgumentList @('-NonInteractive', '-File', $script, '-Port', [string]$port)
            $run.ExitCode | Should -Be 3 -Because $run.Output
            $run.Output | Should -Match 'Fix: pip install fastapi'
            $run.Output | Should -Match 'dependency check .*validate_dependencies\.py failed \(exit 1\)'
            $run.Output | Should -Match '-SkipDependencyCheck'
            $run.Output | Should -Not -Match 'fake-dashboard: serving'
            $skipped = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment -ServeSeconds 1) `
                -ArgumentList @('-NonInteractive', '-File', $script, '-Port', [string]$port, '-SkipDependencyCheck')
            $skipped.ExitCode | Should -Be 0 -Because $skipped.Output
            $skipped.Output | Should -Match "fake-dashboard: serving on 0\.0\.0\.0:$port"
            $skipped.Output | Should -Not -Match 'Fix: pip install fastapi'
        }

        It '-OnConflict Stop -Force stops the holder without asking, then starts' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $project = New-ProjectWithScript -Name 'stop-force'
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment -ServeSeconds 1) `
                -ArgumentList @('-NonInteractive', '-File', (Join-Path -Path $project -ChildPath 'start_dashboard.ps1'), '-Port', [string]$port, '-OnConflict', 'Stop', '-Force')
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match "fake-dashboard: serving on 0\.0\.0\.0:$port"
            Test-ProcessAlive -Id $holder.Id | Should -BeFalse
            (Get-CoreStatusDocument -Port $port).data.record.conflict.resolution | Should -Be 'stopped'
        }

        It 'as Task Scheduler runs it (-NonInteractive -File): -OnConflict Stop without -Force exits 2, asks nothing, stops nothing' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment) -TimeoutSeconds 60 `
                -ArgumentList @('-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $startScript, '-Port', [string]$port, '-OnConflict', 'Stop',
                '-ProjectPath', (New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath 'task')))
            $run.ExitCode | Should -Be 2 -Because $run.Output
            $run.Output | Should -Match '-Force'
            $run.Output | Should -Not -Match '\[Y\] Yes'
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
        }

        It 'as Task Scheduler runs it: the exit code is the core''s (1 for a held port)' {
            $port = Get-FreeTestPort
            $null = Start-PortHolder -Port $port
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment) `
                -ArgumentList @('-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $startScript, '-Port', [string]$port,
                '-ProjectPath', (New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath 'task-held')))
            $run.ExitCode | Should -Be 1 -Because $run.Output
        }

        It '-CheckOnly -Json is output: captured into a variable and parsed, with the exit code in $LASTEXITCODE' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $json = & $startScript -Port $port -CheckOnly -Json
            $LASTEXITCODE | Should -Be 1
            $document = ($json -join "`n") | ConvertFrom-Json
            $document.kind | Should -Be 'PortCheck'
            $document.data.status | Should -Be 'in-use'
            @($document.data.owners)[0].pid | Should -Be $holder.Id
        }

        It '-CheckOnly works with a second copy of the module loaded in the session' {
            $port = Get-FreeTestPort
            $run = Invoke-ChildPowerShell -WorkingDirectory $elsewhere -Environment (Get-ChildEnvironment) -ArgumentList @('-NonInteractive', '-Command',
                "Import-Module '$(Join-Path -Path $packageModule -ChildPath 'TapoDashboard.psd1')' -ErrorAction Stop; & '$startScript' -Port $port -CheckOnly; exit `$LASTEXITCODE")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match "Port $port on 0\.0\.0\.0 is free"
        }
    }

    Context 'hostile paths and arguments, in Standard and Legacy native argument passing' {
        It 'start_dashboard.ps1 gets a project folder and a log path with spaces, quotes, $, backticks and non-ASCII (<_>)' -ForEach @('Standard', 'Legacy') {
            $mode = $_
            $port = Get-FreeTestPort
            $name = "proj 'q' `$(x) ``b $([string]::new([char[]]@(0xFC, 0x6E, 0xEF)))-$mode"   # u with diaeresis, n, i with diaeresis
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath $name)
            $log = Join-Path -Path $project -ChildPath "log 'x' `$y ``z.log"
            $saved = @{}
            $childEnvironment = Get-ChildEnvironment -ServeSeconds 1
            foreach ($key in $childEnvironment.Keys) { $saved[$key] = [Environment]::GetEnvironmentVariable($key); [Environment]::SetEnvironmentVariable($key, $childEnvironment[$key]) }
            $PSNativeCommandArgumentPassing = $mode
            try {
                $pwsh = Get-TestPowerShell
                $ErrorActionPreference = 'Continue'
                $output = & $pwsh -NoProfile -NonInteractive -File $startScript -Port $port -ProjectPath $project -LogPath $log 2>&1
                $exitCode = $LASTEXITCODE
            }
            finally {
                foreach ($key in $saved.Keys) { [Environment]::SetEnvironmentVariable($key, $saved[$key]) }
            }
            $text = @($output | ForEach-Object { [string]$_ }) -join "`n"
            $exitCode | Should -Be 0 -Because $text
            Test-Path -LiteralPath $log -PathType Leaf | Should -BeTrue -Because "the log must be at the exact path: $log"
            (Get-Content -Raw -LiteralPath $log -Encoding UTF8) | Should -Match "fake-dashboard: serving on 0\.0\.0\.0:$port"
        }

        It 'Start-TapoDashboard passes the same hostile paths to the core unchanged (<_>)' -ForEach @('Standard', 'Legacy') {
            $PSNativeCommandArgumentPassing = $_
            $port = Get-FreeTestPort
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath "mod `"dq`" 'q' `$(x) ``b $([string]::new([char[]]@(0xE9)))-$_")
            $log = Join-Path -Path $project -ChildPath "a `"quoted`" log.log"
            $env:FAKE_DASHBOARD_SERVE_SECONDS = '1'
            try {
                $result = Start-TapoDashboard -Port $port -ProjectPath $project -LogPath $log -ErrorAction Stop 2>$null
            }
            finally { $env:FAKE_DASHBOARD_SERVE_SECONDS = $null }
            $result.ExitCode | Should -Be 0 -Because $result.Summary
            $result.Outcome | Should -Be 'exited'
            Test-Path -LiteralPath $log -PathType Leaf | Should -BeTrue
        }
    }

    Context 'module functions as users call them' {
        It 'Start-TapoDashboard without -ProjectPath uses the current location (Set-Location), not the process''s folder' {
            $port = Get-FreeTestPort
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath 'cd-here')
            $env:FAKE_DASHBOARD_SERVE_SECONDS = '1'
            Push-Location -LiteralPath $project
            try {
                $result = Start-TapoDashboard -Port $port -ErrorAction Stop 2>$null
            }
            finally {
                Pop-Location
                $env:FAKE_DASHBOARD_SERVE_SECONDS = $null
            }
            $result.Outcome | Should -Be 'exited' -Because $result.Summary
            $result.ExitCode | Should -Be 0
            $result.Port | Should -Be $port
        }

        It 'Get-TapoPortOwner | Stop-TapoPortOwner -WhatIf changes nothing' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $results = @(Get-TapoPortOwner -Port $port | Stop-TapoPortOwner -WhatIf -ErrorAction Stop)
            $results.Count | Should -Be 1
            $results[0].DryRun | Should -BeTrue
            $results[0].Outcome | Should -Be 'would-stop'
            @($results[0].Stopped).Count | Should -Be 0
            @($results[0].WouldStop).Count | Should -Be 1
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
            Test-TapoPort -Port $port | Should -BeFalse
        }

        It 'Get-TapoPortOwner | Stop-TapoPortOwner -Confirm:$false stops it and frees the port' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $results = @(Get-TapoPortOwner -Port $port | Stop-TapoPortOwner -Confirm:$false -TimeoutSeconds 5 -ErrorVariable failures -ErrorAction SilentlyContinue)
            @($failures).Count | Should -Be 0 -Because (@($failures) -join '; ')
            $results[-1].Outcome | Should -Be 'stopped'
            @($results[-1].Stopped).Count | Should -Be 1
            Wait-Condition -Because 'the holder to exit' -Condition { -not (Test-ProcessAlive -Id $holder.Id) }
            Test-TapoPort -Port $port | Should -BeTrue
        }

        It 'a holder of several processes (master and workers) is stopped without false errors: <_>' -ForEach @('by port', 'from the pipeline') {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port -Workers 2
            $holder.WorkerIds.Count | Should -Be 2
            if ($_ -eq 'by port') {
                $results = @(Stop-TapoPortOwner -Port $port -Confirm:$false -TimeoutSeconds 5 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            }
            else {
                @(Get-TapoPortOwner -Port $port).Count | Should -Be 3
                $results = @(Get-TapoPortOwner -Port $port | Stop-TapoPortOwner -Confirm:$false -TimeoutSeconds 5 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            }
            @($failures).Count | Should -Be 0 -Because (@($failures | ForEach-Object { $_.ToString() }) -join '; ')
            $results.Count | Should -BeGreaterThan 0
            @($results | Where-Object { $_.ExitCode -ne 0 }).Count | Should -Be 0
            foreach ($id in @($holder.Id) + $holder.WorkerIds) {
                Wait-Condition -Because "PID $id to exit" -Condition { -not (Test-ProcessAlive -Id $id) }
            }
            Test-TapoPort -Port $port | Should -BeTrue
        }

        It 'Start-TapoDashboard -OnConflict Stop, confirmed at the prompt: stops the holder, starts, records "stopped"' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath 'confirm-yes')
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment -ServeSeconds 1) -InputText "y`n" -ArgumentList @('-Command',
                "Import-Module '$repoManifest' -ErrorAction Stop; `$r = Start-TapoDashboard -Port $port -OnConflict Stop -ProjectPath '$project' -ErrorAction Stop; exit `$r.ExitCode")
            $run.ExitCode | Should -Be 0 -Because $run.Output
            $run.Output | Should -Match "PID $($holder.Id)"
            Test-ProcessAlive -Id $holder.Id | Should -BeFalse
            $record = (Get-CoreStatusDocument -Port $port).data.record
            $record.conflict.resolution | Should -Be 'stopped'
            $record.port | Should -Be $port
        }

        It 'Start-TapoDashboard -OnConflict Stop, confirmed, keeps the stop''s exit code (9: timed out) and starts nothing' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port -IgnoreSigterm
            $project = New-DashboardProject -Path (Join-Path -Path $TestDrive -ChildPath 'confirm-stubborn')
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment -ServeSeconds 1) -InputText "y`n" -ArgumentList @('-Command',
                "Import-Module '$repoManifest' -ErrorAction Stop; `$r = Start-TapoDashboard -Port $port -OnConflict Stop -StopTimeoutSeconds 1 -ProjectPath '$project' -ErrorAction Stop; exit `$r.ExitCode")
            $run.ExitCode | Should -Be 9 -Because $run.Output
            $run.Output | Should -Not -Match 'fake-dashboard: serving'
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
            (Get-CoreStatusDocument -Port $port).data.record.conflict.resolution | Should -Be 'failed'
        }

        It 'Start-TapoDashboard -OnConflict Stop answered "no" stops and starts nothing' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment -ServeSeconds 1) -InputText "n`n" -ArgumentList @('-Command',
                "Import-Module '$repoManifest' -ErrorAction Stop; `$r = Start-TapoDashboard -Port $port -OnConflict Stop -ErrorAction Stop; if (`$null -eq `$r) { exit 42 }; exit `$r.ExitCode")
            $run.ExitCode | Should -Be 42 -Because $run.Output
            Test-ProcessAlive -Id $holder.Id | Should -BeTrue
        }
    }

    Context 'a caller''s error handling around every public function' {
        BeforeAll {
            $port = Get-FreeTestPort
            # Each public function, called as users call it, with the real core; $common carries
            # the caller's -ErrorAction and such. Start-TapoDashboard -OnConflict Stop asks the core
            # for its stop plan before -WhatIf stops it, so it needs the core too.
            $calls = [ordered]@{
                'Test-TapoPort'           = { param($p, $common) Test-TapoPort -Port $p @common }
                'Get-TapoPortOwner'       = { param($p, $common) Get-TapoPortOwner -Port $p @common }
                'Get-TapoPortConnection'  = { param($p, $common) Get-TapoPortConnection -LocalPort $p @common }
                'Find-TapoAvailablePort'  = { param($p, $common) Find-TapoAvailablePort -StartPort $p -EndPort ($p + 5) @common }
                'Stop-TapoPortOwner'      = { param($p, $common) Stop-TapoPortOwner -Port $p -WhatIf @common }
                'Get-TapoDashboardStatus' = { param($p, $common) Get-TapoDashboardStatus -Port $p @common }
                'Start-TapoDashboard'     = { param($p, $common) Start-TapoDashboard -Port $p -OnConflict Stop -WhatIf @common }
            }
        }

        It '<_>: works under Set-StrictMode -Version Latest and $ErrorActionPreference = Stop' -ForEach @(
            'Test-TapoPort', 'Get-TapoPortOwner', 'Get-TapoPortConnection', 'Find-TapoAvailablePort', 'Stop-TapoPortOwner', 'Get-TapoDashboardStatus', 'Start-TapoDashboard'
        ) {
            $call = $calls[$_]
            $outcome = & {
                Set-StrictMode -Version Latest
                $ErrorActionPreference = 'Stop'
                try { $null = & $call $port @{}; 'ok' } catch { "failed: $_" }
            }
            $outcome | Should -Be 'ok'
        }

        It '<_>: a failure under -ErrorAction SilentlyContinue is still an error, returns nothing, and is not remembered' -ForEach @(
            'Test-TapoPort', 'Get-TapoPortOwner', 'Get-TapoPortConnection', 'Find-TapoAvailablePort', 'Stop-TapoPortOwner', 'Get-TapoDashboardStatus', 'Start-TapoDashboard'
        ) {
            # In a child session at its top level, as a user types it: inside a try block (any
            # test's) PowerShell never lets a throw pass silently, so only there can it show.
            $name = $_
            $emptyFolder = Join-Path -Path $TestDrive -ChildPath 'no-node-here'
            $null = New-Item -ItemType Directory -Force -Path $emptyFolder
            $call = $calls[$name].ToString()
            $command = @(
                "Import-Module '$repoManifest' -ErrorAction Stop"
                "`$call = { $call }"
                "`$saved = `$env:PATH; `$env:PATH = '$emptyFolder'"
                "`$out = @(& `$call $port @{ ErrorAction = 'SilentlyContinue' })"
                "`$ids = @(`$Error | ForEach-Object { `$_.FullyQualifiedErrorId })"
                "`$env:PATH = `$saved"
                "`$again = try { `$null = & `$call $port @{ ErrorAction = 'Stop' }; 'ok' } catch { 'failed: ' + `$_ }"
                "[pscustomobject]@{ Count = `$out.Count; Ids = `$ids; Again = `$again } | ConvertTo-Json -Compress"
            ) -join "`n"
            $run = Invoke-ChildPowerShell -Environment (Get-ChildEnvironment) -ArgumentList @('-NonInteractive', '-Command', $command)
            $lastLine = @($run.Stdout -split "`r?`n" | Where-Object { $_.Trim() })[-1]
            $report = $lastLine | ConvertFrom-Json
            $report.Count | Should -Be 0 -Because "$name must not answer without its core: $($run.Output)"
            @($report.Ids)[0] | Should -BeLike 'TapoNodeMissing*' -Because "the error it leaves is the missing Node.js, nothing after it: $($run.Output)"
            # Node is back on PATH: the next call works, nothing of the failed lookup was kept.
            $report.Again | Should -Be 'ok'
        }

        It 'an invalid address is one error record with the core''s hint, under $ErrorActionPreference = Stop' {
            $record = & {
                $ErrorActionPreference = 'Stop'
                try { Test-TapoPort -Port 7777 -BindAddress 'example.com'; $null } catch { $_ }
            }
            $record | Should -Not -BeNullOrEmpty
            $record.FullyQualifiedErrorId | Should -BeLike 'E_INVALID_HOST*'
            $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
            $record.Exception.Data['TapoExitCode'] | Should -Be 2
        }
    }

    Context 'views' {
        It 'formats each object type through its view, without errors' {
            $port = Get-FreeTestPort
            $holder = Start-PortHolder -Port $port
            $objects = @(
                @(Get-TapoPortOwner -Port $port)[0],
                @(Get-TapoPortConnection -LocalPort $port)[0],
                (Stop-TapoPortOwner -Port $port -WhatIf),
                (Get-TapoDashboardStatus -Port $port)
            )
            foreach ($object in $objects) {
                $typeName = $object.PSObject.TypeNames[0]
                $format = Get-FormatData -TypeName $typeName
                $format | Should -Not -BeNullOrEmpty -Because "$typeName needs a view"
                # Every column of the view is a property the object has.
                $names = @($object.PSObject.Properties | ForEach-Object { $_.Name })
                foreach ($view in @($format.FormatViewDefinition)) {
                    foreach ($row in @($view.Control.Rows)) {
                        foreach ($column in @($row.Columns)) {
                            if ($column.DisplayEntry.ValueType -eq 'Property') { $names | Should -Contain $column.DisplayEntry.Value }
                        }
                    }
                }
                $table = $object | Format-Table | Out-String
                $table | Should -Not -BeNullOrEmpty
            }
            Get-FormatData -TypeName 'TapoDashboard.StartResult' | Should -Not -BeNullOrEmpty
            $holder.Process.Kill()
        }
    }
}
