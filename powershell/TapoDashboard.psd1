@{
    RootModule           = 'TapoDashboard.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = 'c8a9643d-515b-48ea-8426-f388e68c9d2e'
    Author               = 'TapoDashboard developers'
    CompanyName          = 'TapoDashboard'
    Copyright            = '(c) TapoDashboard developers. MIT License.'
    Description          = 'Start the Tapo camera dashboard, and know exactly who holds its port (process, Docker container, WSL, http.sys, a reserved range or an earlier dashboard) and how to free it safely.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('TapoDashboard.Format.ps1xml')
    FunctionsToExport    = @(
        'Test-TapoPort',
        'Get-TapoPortOwner',
        'Get-TapoPortConnection',
        'Find-TapoAvailablePort',
        'Stop-TapoPortOwner',
        'Start-TapoDashboard',
        'Get-TapoDashboardStatus',
        'Register-TapoDashboardTask',
        'Unregister-TapoDashboardTask',
        'Add-TapoPortExclusion'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            # The PowerShell Gallery's metadata. The release workflow adds ProjectUri (this
            # repository's address) to the packaged copy before it publishes.
            Tags         = @('Tapo', 'Dashboard', 'Port', 'PortInUse', 'Windows', 'Linux', 'Docker', 'WSL', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '0.1.0: the core ships inside the module as single executables (tapo-port.exe for Windows x64, tapo-port for Linux x64): no Node.js needed there. Test-TapoPort, Get-TapoPortOwner, Get-TapoPortConnection, Find-TapoAvailablePort, Stop-TapoPortOwner, Start-TapoDashboard, Get-TapoDashboardStatus, Register-TapoDashboardTask, Add-TapoPortExclusion and start_dashboard.ps1.'
        }
    }
}
