# What the exchange path loads, each case in a fresh pwsh process: an exchange reads the token with System.Text.Json
# only, so Microsoft.IdentityModel.* is loaded neither in the process nor in the module's private load context;
# -VerifySignature (the one user of IdentityModel) does load it, which shows the check can see it.
Describe 'The exchange path' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey

        # The child prints one JSON document as its last line: the assemblies loaded, everywhere and in our context.
        $script:Report = @'
function Get-LoadedReport {
    $all = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name })
    $ours = @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'GitlabSts' |
        ForEach-Object { $_.Assemblies } | ForEach-Object { $_.GetName().Name })
    [ordered]@{ All = $all; ModuleContext = $ours } | ConvertTo-Json -Compress
}
'@
        function Invoke-HotPathCase([string] $Token, [string] $Body) {
            $environment = @{ HP_TOKEN = $Token; HP_MOTO_URL = $script:Moto.Url; HP_MANIFEST = $script:ModuleManifest
                AWS_CONFIG_FILE = '/nonexistent/gitlabsts-hotpath-config'; AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/gitlabsts-hotpath-credentials' }
            $script = "`$ErrorActionPreference = 'Stop'`n" + $script:Report + "`nImport-Module `$env:HP_MANIFEST`n" + $Body + "`nGet-LoadedReport"
            $r = Invoke-FreshPwsh -Script $script -Environment $environment
            if ($r.ExitCode -ne 0) { throw "The child session failed ($($r.ExitCode)):`n$($r.StdOut)`n$($r.StdErr)" }
            $last = @($r.StdOut -split "`r?`n" | Where-Object { $_.Trim() })[-1]
            $last | ConvertFrom-Json -AsHashtable
        }
    }

    AfterAll { Stop-MotoServer -Server $script:Moto }

    It 'imports the module and exchanges a token without loading Microsoft.IdentityModel.*' {
        $token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
        $report = Invoke-HotPathCase $token @'
$c = Get-GitlabWebIdentityCredential -RoleArn 'arn:aws:iam::123456789012:role/hot-path' -TokenVariable HP_TOKEN -EndpointUrl $env:HP_MOTO_URL -RoleSessionName hot-path
if (-not $c.AccessKeyId) { throw 'The exchange returned no credentials.' }
'@
        # The exchange really ran in our context (so the check below looks at the right place) ...
        $report.ModuleContext | Should -Contain 'GitlabSts.Core'
        $report.ModuleContext | Should -Contain 'AWSSDK.SecurityToken'
        # ... and loaded no IdentityModel assembly, in the module's context or anywhere else.
        @($report.ModuleContext | Where-Object { $_ -like 'Microsoft.IdentityModel.*' }) | Should -BeNullOrEmpty
        @($report.All | Where-Object { $_ -like 'Microsoft.IdentityModel.*' }) | Should -BeNullOrEmpty
    }

    It 'loads Microsoft.IdentityModel.* for -VerifySignature, in the module''s own context' {
        # An http issuer off loopback: the signature check refuses to fetch keys, with no network, after reading the
        # token with IdentityModel.
        $token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com' -Issuer 'http://gitlab.example.invalid'
        $report = Invoke-HotPathCase $token @'
$r = Test-GitlabOidcRole -RoleArn 'arn:aws:iam::123456789012:role/hot-path' -TokenVariable HP_TOKEN -EndpointUrl $env:HP_MOTO_URL -VerifySignature
if (@($r.Checks | Where-Object Name -eq 'Signature').Count -ne 1) { throw 'No Signature check was reported.' }
'@
        $report.ModuleContext | Should -Contain 'Microsoft.IdentityModel.JsonWebTokens'
        $report.ModuleContext | Should -Contain 'Microsoft.IdentityModel.Tokens'
    }
}
