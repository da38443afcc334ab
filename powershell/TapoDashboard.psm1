#Requires -Version 5.1
# TapoDashboard: a thin PowerShell face on the tapo-port core (a Node program). Detection, owner
# lookup and every message come from the core's JSON; this module only runs it, checks what it
# says, and turns it into objects and error records. One file per concern, as posh-git does:
#   CoreCall.ps1            the only place the core runs: finding it, quoting, JSON checks, error records
#   PortFunctions.ps1       Test-TapoPort, Get-TapoPortOwner, Get-TapoPortConnection,
#                           Find-TapoAvailablePort, Stop-TapoPortOwner
#   DashboardFunctions.ps1  Start-TapoDashboard, Get-TapoDashboardStatus
#   ScheduledTask.ps1       Register-TapoDashboardTask, Unregister-TapoDashboardTask
#   PortExclusion.ps1       Add-TapoPortExclusion (Windows' excluded port ranges, netsh and WinNAT)

Set-StrictMode -Version 3.0

. (Join-Path -Path $PSScriptRoot -ChildPath 'CoreCall.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'PortFunctions.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'DashboardFunctions.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'ScheduledTask.ps1')
. (Join-Path -Path $PSScriptRoot -ChildPath 'PortExclusion.ps1')

Export-ModuleMember -Function @(
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
