# Issue 15 items 3-5 and 7 on the built module: -VerifySignature fetches keys only from an issuer you named (requests
# counted on the loopback issuer), follows no redirect and refuses a jwks_uri elsewhere; the Signature check is always
# there; a plain http STS endpoint off loopback is warned about on every call; -ClientId never takes a token.
Describe 'Test-GitlabOidcRole signature hardening' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey
        $script:Issuer = Start-OidcIssuer -Key $script:Key
        # A second issuer with the same key: where a redirect or a foreign jwks_uri would lead. It must see no request.
        $script:Elsewhere = Start-OidcIssuer -Key $script:Key
        $script:IssuerToken = New-GitlabIdToken -Key $script:Key -Issuer $script:Issuer.Url -Audience 'sts.amazonaws.com'
        $script:LocalProvider = 'arn:aws:iam::123456789012:oidc-provider/' + ($script:Issuer.Url -replace '^https?://', '')

        function New-FederatedPolicy([string] $Federated) {
            [ordered]@{ Version = '2012-10-17'; Statement = @([ordered]@{
                        Effect = 'Allow'; Principal = @{ Federated = $Federated }; Action = 'sts:AssumeRoleWithWebIdentity' })
            } | ConvertTo-Json -Depth 6 -Compress
        }

        function Get-Check([object] $Result, [string] $Name) {
            $found = @($Result.Checks | Where-Object Name -EQ $Name)
            if ($found.Count -ne 1) { throw "Expected one check '$Name'; have: $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ', ')" }
            $found[0]
        }

        # A live test of the issuer's token with -VerifySignature (plus $Extra); the Signature check and the requests each
        # issuer served.
        function Test-Signature([hashtable] $Extra = @{}) {
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $script:IssuerToken; EndpointUrl = $script:Moto.Url; VerifySignature = $true }
            foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
            $r = Test-GitlabOidcRole @p
            [pscustomobject]@{
                Result    = $r
                Check     = Get-Check $r 'Signature'
                Requests  = Get-OidcIssuerRequests -Issuer $script:Issuer
                Elsewhere = Get-OidcIssuerRequests -Issuer $script:Elsewhere
            }
        }
    }

    AfterAll {
        Stop-OidcIssuer -Issuer $script:Elsewhere
        Stop-OidcIssuer -Issuer $script:Issuer
        Stop-MotoServer -Server $script:Moto
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment   # removes CI_SERVER_URL, AWS_ENDPOINT_URL*
        Set-OidcIssuerBehavior -Issuer $script:Issuer -Reset
        Reset-OidcIssuerRequests -Issuer $script:Issuer
        Reset-OidcIssuerRequests -Issuer $script:Elsewhere
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Keys come only from an issuer you named' {
        It 'makes no request to an issuer nobody named (<How>) and says how to name it' -ForEach @(
            @{ How = 'nothing named' }
            @{ How = 'another -Issuer'; Extra = @{ Issuer = 'https://gitlab.example.com' } }
            @{ How = 'another CI_SERVER_URL'; Ci = 'https://gitlab.example.com' }
            @{ How = 'another provider in -TrustPolicy'; Provider = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' }
        ) {
            $x = if ($Extra) { $Extra.Clone() } else { @{} }
            if ($Ci) { $env:CI_SERVER_URL = $Ci }
            if ($Provider) { $x.TrustPolicy = New-FederatedPolicy $Provider }

            $s = Test-Signature $x

            $s.Requests.Total | Should -Be 0
            $s.Check.Result | Should -Be 'Fail'
            $s.Check.Detail | Should -BeLike "The token's issuer ""$($Issuer.Url)"" is not one you named*so its keys were not fetched*"
            $s.Check.Detail | Should -BeLike "*-Issuer $($Issuer.Url),*"
            $s.Check.Detail | Should -BeLike "*oidc-provider/$($Issuer.Url -replace '^http://', '')*"
            $s.Result.Success | Should -BeFalse
            if (-not $Provider) { $s.Result.ErrorCode | Should -Be 'IssuerNotNamed' }   # else the provider check fails first
        }

        It 'fetches discovery and JWKS once from an issuer named by <Way>' -ForEach @(
            @{ Way = '-Issuer' }, @{ Way = 'CI_SERVER_URL' }, @{ Way = '-TrustPolicy' }
        ) {
            $x = @{}
            switch ($Way) {
                '-Issuer' { $x.Issuer = $Issuer.Url }
                'CI_SERVER_URL' { $env:CI_SERVER_URL = $Issuer.Url }
                '-TrustPolicy' { $x.TrustPolicy = New-FederatedPolicy $LocalProvider }
            }

            $s = Test-Signature $x

            $s.Check.Result | Should -Be 'Pass' -Because $s.Check.Detail
            $s.Check.Detail | Should -Match ([regex]::Escape($Key.KeyId))
            $s.Requests.Discovery | Should -Be 1
            $s.Requests.Jwks | Should -Be 1
            $s.Requests.Total | Should -Be 2
            $s.Elsewhere.Total | Should -Be 0
        }

        It 'does not follow a redirect of the discovery document' {
            $target = "$($Elsewhere.Url)/.well-known/openid-configuration"
            Set-OidcIssuerBehavior -Issuer $Issuer -Redirect @{ '/.well-known/openid-configuration' = $target }

            $s = Test-Signature @{ Issuer = $Issuer.Url }

            $s.Check.Result | Should -Be 'Fail'
            $s.Result.ErrorCode | Should -Be 'IssuerRedirect'
            $s.Check.Detail | Should -BeLike "*HTTP 302*$target*not followed*"
            $s.Requests.Discovery | Should -Be 1
            $s.Requests.Jwks | Should -Be 0
            $s.Elsewhere.Total | Should -Be 0
        }

        It 'refuses a jwks_uri on another host (<Name>) without fetching it' -ForEach @(
            @{ Name = 'another port'; Other = $true }
            @{ Name = 'localhost for 127.0.0.1'; Other = $false }
        ) {
            $jwks = if ($Other) { $Elsewhere.JwksUri } else { $Issuer.JwksUri -replace '127\.0\.0\.1', 'localhost' }
            Set-OidcIssuerBehavior -Issuer $Issuer -DiscoveryOverrides @{ jwks_uri = $jwks }

            $s = Test-Signature @{ Issuer = $Issuer.Url }

            $s.Check.Result | Should -Be 'Fail'
            $s.Result.ErrorCode | Should -Be 'ForeignJwksUri'
            $s.Check.Detail | Should -BeLike "*jwks_uri ""$jwks""*not on the issuer's scheme and host*"
            $s.Requests.Discovery | Should -Be 1
            $s.Requests.Jwks | Should -Be 0
            $s.Elsewhere.Total | Should -Be 0
        }

        It 'takes -Issuer in every parameter set' {
            $sets = (Get-Command Test-GitlabOidcRole).ParameterSets
            $sets.Count | Should -BeGreaterOrEqual 4
            foreach ($set in $sets) { $set.Parameters.Name | Should -Contain 'Issuer' -Because "set $($set.Name)" }
            $env:GITLAB_OIDC_TOKEN = $IssuerToken   # the Discover set
            (Get-Check (Test-GitlabOidcRole -RoleArn $TestRoleArn -Offline -Issuer $Issuer.Url) 'Signature').Result | Should -Be 'Skip'
        }

        It 'refuses an -Issuer that is no issuer URL as GitlabSts.InvalidClaim' {
            { Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $IssuerToken -Offline -Issuer 'ftp://gitlab.com' -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabSts.InvalidClaim*'
        }
    }

    Describe 'An unverified signature says so' {
        It 'reports Signature Skip without -VerifySignature, and fetches nothing' {
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $IssuerToken -EndpointUrl $Moto.Url -Issuer $Issuer.Url
            $c = Get-Check $r 'Signature'
            $c.Result | Should -Be 'Skip'
            $c.Detail | Should -BeLike 'Not verified: add -VerifySignature*'
            (Get-Check $r 'Exchange').Result | Should -Be 'Pass'
            (Get-OidcIssuerRequests -Issuer $Issuer).Total | Should -Be 0
        }

        It '-Offline -Quiet with a garbage signature gives no verdict without a policy, and the checklist shows the signature not verified' {
            $parts = $IssuerToken.Split('.')
            $garbage = $parts[0] + '.' + $parts[1] + '.' + 'Z2FyYmFnZS1zaWduYXR1cmU'

            Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $garbage -Offline -Quiet | Should -BeFalse -Because 'offline without a trust policy there is no verdict (NoTrustPolicy); a signature never makes one'

            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $garbage -Offline
            (Get-Check $r 'Signature').Result | Should -Be 'Skip'
            $text = $r | Out-String -Width 160
            @($text -split "`r?`n" | Where-Object { $_ -match '^\s+- Signature\s+Not verified: add -VerifySignature' }) | Should -HaveCount 1
            (Get-Help Test-GitlabOidcRole -Parameter Quiet).Description.Text -join ' ' | Should -Match 'does not authenticate'
        }
    }

    Describe 'Plain http is said out loud' {
        It 'warns for http://<EndpointHost> from <Source> on every call of Test-GitlabOidcRole -Offline' -ForEach @(
            @{ Source = 'EndpointUrl'; EndpointHost = 'sts.example.invalid' }
            @{ Source = 'AWS_ENDPOINT_URL_STS'; EndpointHost = '10.255.255.1:4566' }
            @{ Source = 'AWS_ENDPOINT_URL'; EndpointHost = 'sts.example.invalid' }
        ) {
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $IssuerToken; Offline = $true }
            if ($Source -eq 'EndpointUrl') { $p.EndpointUrl = "http://$EndpointHost" } else { Set-Item "Env:$Source" "http://$EndpointHost" }
            $all = foreach ($i in 1..2) {
                $w = $null
                $null = Test-GitlabOidcRole @p -WarningVariable w -WarningAction SilentlyContinue
                @($w)
            }
            $all | Should -HaveCount 2
            foreach ($one in $all) {
                "$one" | Should -BeLike "*http://$EndpointHost*from $(if ($Source -eq 'EndpointUrl') { '-EndpointUrl' } else { $Source })*plain http*ID token*unencrypted*"
            }
        }

        It 'warns before Get-GitlabWebIdentityCredential and Set-GitlabAwsProfile refuse the call' {
            $expired = New-GitlabIdToken -Key $Key -Issuer $Issuer.Url -Audience 'sts.amazonaws.com' -IssuedAt ([DateTimeOffset]::UtcNow.AddHours(-3))
            # Both refuse an expired token after resolving the endpoint, so no request leaves.
            $w = $null
            { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $expired -EndpointUrl 'http://sts.example.invalid' `
                    -WarningVariable script:w -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'GitlabSts.TokenExpired*'
            @($script:w) | Should -HaveCount 1
            "$($script:w[0])" | Should -BeLike '*plain http*'

            $aws = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-sig-$([guid]::NewGuid().ToString('N'))"
            $script:w = $null
            { Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $expired -EndpointUrl 'http://sts.example.invalid' -Mode WebIdentity `
                    -ConfigPath (Join-Path $aws 'config') -CredentialsPath (Join-Path $aws 'credentials') `
                    -WarningVariable script:w -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'GitlabSts.TokenExpired*'
            @($script:w | Where-Object { "$_" -like '*plain http*' }) | Should -HaveCount 1
            Test-Path $aws | Should -BeFalse
        }

        It 'does not warn for <Url>' -ForEach @(
            @{ Url = 'https://sts.example.invalid'; Live = $false }
            @{ Url = 'http://localhost:1'; Live = $false }
            @{ Url = 'http://[::1]:1'; Live = $false }
            @{ Url = 'moto on 127.0.0.1'; Live = $true }
        ) {
            $w = $null
            $endpoint = if ($Live) { $Moto.Url } else { $Url }
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $IssuerToken -EndpointUrl $endpoint -Offline:(-not $Live) -WarningVariable w
            @($w) | Should -HaveCount 0
            if ($Live) { (Get-Check $r 'Exchange').Result | Should -Be 'Pass' }
        }
    }

    Describe '-ClientId never takes a token' {
        It 'refuses a token in -ClientId as GitlabSts.InvalidIdentityToken, without it in any stream' {
            $p = @{ RoleArn = $TestRoleArn; TokenVariable = 'SIG_TOKEN'; ClientId = @('sts.amazonaws.com', $IssuerToken); Offline = $true
                Verbose = $true; Debug = $true }
            $env:SIG_TOKEN = $IssuerToken
            $all = $null
            $err = $null
            try { $all = Test-GitlabOidcRole @p *>&1 | Out-String -Width 4096 }
            catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidIdentityToken*'
            "$err" | Should -BeLike '*-ClientId holds what looks like an ID token*'
            $record = ($err | Format-List * -Force | Out-String -Width 4096) + ($err.Exception | Format-List * -Force | Out-String -Width 4096) +
                "$($err.TargetObject)" + "$($err.CategoryInfo)" + "$($err.ErrorDetails)" + ($err | Out-String -Width 4096)
            Assert-NoSecret -Text ("$all" + $record) -Secret $IssuerToken -Where 'Test-GitlabOidcRole -ClientId <token>'
        }
    }
}
