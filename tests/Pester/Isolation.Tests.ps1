# Dependency isolation, each case in a fresh pwsh process: another module's AWS SDK (AWSSDK.Core 3.7.402 +
# AWSSDK.SecurityToken 3.7.202, the line AWS.Tools ships, restored by tests/tools/tools.csproj) and ours (4.x, in
# the private "GitlabSts" AssemblyLoadContext) live side by side in either load order, and the module survives
# Import-Module / Remove-Module / Import-Module in one session.
Describe 'Dependency isolation' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'

        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $script:OtherCore = Join-Path $packages 'awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll'
        $script:OtherSts = Join-Path $packages 'awssdk.securitytoken/3.7.202/lib/netcoreapp3.1/AWSSDK.SecurityToken.dll'
        foreach ($p in $script:OtherCore, $script:OtherSts) {
            if (-not (Test-Path $p)) { throw "$p is missing: restore tests/tools/tools.csproj (build.ps1 -Task Test does)." }
        }

        # Script pieces the child sessions share. Each child prints one JSON document as its last line.
        $script:Prelude = @'
$ErrorActionPreference = 'Stop'
$report = [ordered]@{ Steps = [System.Collections.Generic.List[string]]::new() }
function Step([string] $Text) { $report.Steps.Add($Text) }
function Import-OtherSdk {
    Add-Type -Path $env:ISO_OTHER_CORE
    Add-Type -Path $env:ISO_OTHER_STS
    Step 'other AWS SDK (AWSSDK.Core 3.7) loaded with Add-Type'
}
function Use-OtherSdk([string] $What, $Credential) {
    $basic = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDOTHERMODULE', 'other-secret')
    $type = [Amazon.Runtime.AWSCredentials]
    $report["$What.OtherAccessKey"] = $basic.GetCredentials().AccessKey
    $report["$What.OtherAssemblyVersion"] = $type.Assembly.GetName().Version.ToString()
    $report["$What.OtherFileVersion"] = [Diagnostics.FileVersionInfo]::GetVersionInfo($type.Assembly.Location).FileVersion
    $report["$What.OtherLoadContext"] = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name
    if ($Credential) {
        # A real call with the other SDK, signed with the credentials our module obtained.
        $session = [Amazon.Runtime.SessionAWSCredentials]::new($Credential.AccessKeyId, $Credential.SecretAccessKey, $Credential.SessionToken)
        $config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]::new()
        $config.ServiceURL = $env:ISO_MOTO_URL
        $config.AuthenticationRegion = 'us-east-1'
        $client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new($session, $config)
        $report["$What.OtherCallerArn"] = $client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Arn
        $client.Dispose()
    }
    Step "other AWS SDK used ($What)"
}
function Invoke-Exchange([string] $What) {
    $c = Get-GitlabWebIdentityCredential -RoleArn 'arn:aws:iam::123456789012:role/isolation' -TokenVariable ISO_TOKEN -EndpointUrl $env:ISO_MOTO_URL -RoleSessionName "iso-$What"
    $report["$What.AccessKeyId"] = $c.AccessKeyId
    $report["$What.AssumedRoleArn"] = $c.AssumedRoleArn
    Step "GitlabSts exchange ($What)"
    $c
}
function Complete-Report {
    $report.SessionSeesAmazonCredentials = [bool]('Amazon.Runtime.AWSCredentials' -as [type])
    $report.Assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { -not $_.IsDynamic -and $_.GetName().Name -match '^(AWSSDK\.|GitlabSts)' } |
        ForEach-Object { '{0} {1} (file {2}) in {3}' -f $_.GetName().Name, $_.GetName().Version, [Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name } |
        Sort-Object)
    $report | ConvertTo-Json -Compress -Depth 4
}
'@

        function Invoke-IsolationCase([string] $Body) {
            $environment = @{
                ISO_TOKEN = $script:Token; ISO_MOTO_URL = $script:Moto.Url
                ISO_OTHER_CORE = $script:OtherCore; ISO_OTHER_STS = $script:OtherSts; ISO_MANIFEST = $script:ModuleManifest
            }
            $r = Invoke-FreshPwsh -Script ($script:Prelude + "`n" + $Body + "`nComplete-Report") -Environment $environment
            if ($r.ExitCode -ne 0) { throw "The child session failed ($($r.ExitCode)):`n$($r.StdOut)`n$($r.StdErr)" }
            $last = @($r.StdOut -split "`r?`n" | Where-Object { $_.Trim() })[-1]
            $report = $last | ConvertFrom-Json -AsHashtable
            # Shown in the Pester output: which AWS SDK loaded where.
            Write-Host ("    " + ($report.Steps -join ' -> '))
            $report.Assemblies | ForEach-Object { Write-Host "      $_" }
            $report
        }
    }

    AfterAll { Stop-MotoServer -Server $script:Moto }

    It '(a) another AWSSDK.Core loaded and used first, then GitlabSts imported: both work, each with its own SDK' {
        $report = Invoke-IsolationCase @'
Import-OtherSdk
Use-OtherSdk 'before'
Import-Module $env:ISO_MANIFEST
$c = Invoke-Exchange 'first'
Use-OtherSdk 'after' $c
$null = Invoke-Exchange 'second'
'@
        $report['before.OtherAccessKey'] | Should -Be 'AKIDOTHERMODULE'
        $report['first.AccessKeyId'] | Should -Match '^ASIA'
        $report['first.AssumedRoleArn'] | Should -Be 'arn:aws:sts::123456789012:assumed-role/isolation/iso-first'
        $report['second.AccessKeyId'] | Should -Match '^ASIA'
        foreach ($when in 'before', 'after') {
            $report["$when.OtherFileVersion"] | Should -BeLike '3.7.*'
            $report["$when.OtherAssemblyVersion"] | Should -Be '3.3.0.0'
            $report["$when.OtherLoadContext"] | Should -Be 'Default'
        }
        $report['after.OtherCallerArn'] | Should -Be 'arn:aws:sts::123456789012:assumed-role/isolation/iso-first'
        $report.SessionSeesAmazonCredentials | Should -BeTrue
        $report.Assemblies | Should -Contain "AWSSDK.Core 3.3.0.0 (file 3.7.402.0) in Default"
        @($report.Assemblies -match '^AWSSDK\.Core 4\.' -match 'in GitlabSts$').Count | Should -Be 1
        @($report.Assemblies -match '^AWSSDK\.SecurityToken 4\.' -match 'in GitlabSts$').Count | Should -Be 1
        @($report.Assemblies -match '^GitlabSts ' -match 'in Default$').Count | Should -Be 1 -Because 'only the cmdlet assembly lives in the default context'
        @($report.Assemblies -match '^GitlabSts\.Core ' -match 'in GitlabSts$').Count | Should -Be 1
    }

    It '(b) GitlabSts imported and used first, then another AWSSDK.Core loaded: both work, ours stays invisible' {
        $report = Invoke-IsolationCase @'
Import-Module $env:ISO_MANIFEST
$c = Invoke-Exchange 'first'
$report.VisibleBeforeOtherSdk = [bool]('Amazon.Runtime.AWSCredentials' -as [type])
Import-OtherSdk
Use-OtherSdk 'after' $c
$null = Invoke-Exchange 'second'
'@
        $report.VisibleBeforeOtherSdk | Should -BeFalse -Because 'our AWS SDK lives in the private load context, out of the session''s type resolution'
        $report['first.AccessKeyId'] | Should -Match '^ASIA'
        $report['second.AccessKeyId'] | Should -Match '^ASIA'
        $report['after.OtherFileVersion'] | Should -BeLike '3.7.*'
        $report['after.OtherLoadContext'] | Should -Be 'Default'
        $report['after.OtherCallerArn'] | Should -Be 'arn:aws:sts::123456789012:assumed-role/isolation/iso-first'
        $report.Assemblies | Should -Contain "AWSSDK.Core 3.3.0.0 (file 3.7.402.0) in Default"
        @($report.Assemblies -match '^AWSSDK\.Core 4\.' -match 'in GitlabSts$').Count | Should -Be 1
    }

    It '(c) Import-Module, Remove-Module, Import-Module again in one session, then an exchange' {
        $report = Invoke-IsolationCase @'
Import-Module $env:ISO_MANIFEST
$null = Invoke-Exchange 'first'
Remove-Module GitlabSts
$report.CommandsAfterRemove = @(Get-Command -Module GitlabSts -ErrorAction Ignore).Count
$report.ExchangeAfterRemove = [bool](Get-Command Get-GitlabWebIdentityCredential -ErrorAction Ignore)
Step 'Remove-Module'
Import-Module $env:ISO_MANIFEST
$report.CommandsAfterReimport = @(Get-Command -Module GitlabSts | ForEach-Object Name)
$null = Invoke-Exchange 'second'
Import-Module $env:ISO_MANIFEST -Force
$null = Invoke-Exchange 'third'
'@
        $report['first.AccessKeyId'] | Should -Match '^ASIA'
        $report.CommandsAfterRemove | Should -Be 0
        $report.ExchangeAfterRemove | Should -BeFalse
        $report.CommandsAfterReimport | Sort-Object | Should -Be @('Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole')
        $report['second.AssumedRoleArn'] | Should -Be 'arn:aws:sts::123456789012:assumed-role/isolation/iso-second'
        $report['third.AccessKeyId'] | Should -Match '^ASIA'
        @($report.Assemblies -match '^AWSSDK\.Core ').Count | Should -Be 1 -Because 're-importing loads no second copy'
        @($report.Assemblies -match '^GitlabSts\.Core ').Count | Should -Be 1
        $report.SessionSeesAmazonCredentials | Should -BeFalse
    }
}
