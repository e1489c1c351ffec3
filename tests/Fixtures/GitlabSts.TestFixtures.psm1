#Requires -Version 7.2
<#
.SYNOPSIS
    Test fixtures for GitlabSts: a moto server controller, a GitLab-shaped ID token minter, a local OIDC
    issuer and a fault-injecting STS. Loopback only; every server dies with this PowerShell process.

.DESCRIPTION
    The functions live in PowerShell/*.ps1, one file per concern, dot-sourced below. The Python 3.11
    standard-library servers (+ the machine's moto) live next to this file:
      moto_server.py   moto's WSGI app (as `python3 -m moto.server`) with the watchdogs below
      oidc_issuer.py   GitLab-like discovery + JWKS (see its docstring for control endpoints)
      fault_sts.py     scripted STS faults in front of moto (the faults: data/faults.json, Get-FaultStsFault)
    Each binds 127.0.0.1 on a port the kernel picks, writes that port to a ready file, logs to a file
    (never the console), and exits when its stdin closes (we hold the write end: parent death closes
    it), or after -MaxLifetimeSeconds (default 1800, or $env:GITLABSTS_FIXTURE_MAX_LIFETIME).

    Environment:
      GITLABSTS_TEST_MOTO_URL   Start-MotoServer returns this (shared) server instead of starting one
      GITLABSTS_TEST_PYTHON     Python interpreter to use (default: python3, else python)
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$script:FixtureRoot = $PSScriptRoot
$script:DataRoot = Join-Path $PSScriptRoot 'data'
# Servers started in this process. Kept in AppDomain data, not module state, so that a later
# `Import-Module -Force` of this file (each test file does one) neither forgets nor stops them.
$script:Started = [AppDomain]::CurrentDomain.GetData('GitlabSts.TestFixtures.Started')
if ($null -eq $script:Started) {
    $script:Started = [System.Collections.Generic.List[object]]::new()
    [AppDomain]::CurrentDomain.SetData('GitlabSts.TestFixtures.Started', $script:Started)
}

# One file per concern, in PowerShell/ next to this file; all share this module's script scope.
foreach ($part in 'Base64Url', 'FixtureProcess', 'MotoServer', 'TestTokens', 'MalformedTokens', 'OidcIssuer', 'FaultSts') {
    . (Join-Path $PSScriptRoot "PowerShell/$part.ps1")
}

# No OnRemove hook on purpose: re-importing the module must not stop servers other test files share.
# Servers die with this process anyway (stdin pipe), and Stop-TestFixtureServer stops them explicitly.

Export-ModuleMember -Function @(
    'Get-FreeTcpPort', 'Stop-TestFixtureServer',
    'Start-MotoServer', 'Stop-MotoServer', 'Reset-MotoServer', 'Invoke-TestStsRequest',
    'New-TestSigningKey', 'Get-GitlabClaimTemplate', 'New-GitlabIdToken', 'ConvertFrom-TestJwt', 'Test-TestJwtSignature',
    'Get-MalformedTokenKind', 'New-MalformedToken', 'ConvertTo-Base64Url', 'ConvertFrom-Base64Url',
    'Start-OidcIssuer', 'Stop-OidcIssuer', 'Set-OidcIssuerKeys', 'Set-OidcIssuerBehavior', 'Get-OidcIssuerRequests', 'Reset-OidcIssuerRequests',
    'Get-FaultStsFault', 'Start-FaultSts', 'Stop-FaultSts', 'Set-FaultStsScript', 'Get-FaultStsStats', 'Reset-FaultSts'
)
