# Test-GitlabOidcRole on the built module: live against moto (and the fault STS in front of it), local diagnosis of
# trust policies, -VerifySignature against the local OIDC issuer, -Offline, the checklist view and secrets.
Describe 'Test-GitlabOidcRole' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Fault = Start-FaultSts -Upstream $script:Moto.Url
        $script:Key = New-TestSigningKey
        $script:Issuer = Start-OidcIssuer -Key $script:Key

        $script:Provider = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'
        # A job of project other/app on branch main, audience https://gitlab.com (the gitlab.com template).
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'https://gitlab.com' -Claims @{ project_path = 'other/app' }
        $script:OtherSub = 'project_path:other/app:ref_type:branch:ref:main'

        # A trust policy with one Allow statement for -Federated and the given Condition block (a hashtable).
        function New-TrustPolicy {
            param([string] $Federated = $script:Provider, [System.Collections.IDictionary] $Condition, [string] $Effect = 'Allow')
            $statement = [ordered]@{
                Effect    = $Effect
                Principal = @{ Federated = $Federated }
                Action    = 'sts:AssumeRoleWithWebIdentity'
            }
            if ($Condition) { $statement.Condition = $Condition }
            [ordered]@{ Version = '2012-10-17'; Statement = @($statement) } | ConvertTo-Json -Depth 10 -Compress
        }

        # The design's policy: aud = https://gitlab.com and sub like project_path:acme/* (the token above is other/app).
        $script:AcmePolicy = New-TrustPolicy -Condition ([ordered]@{
                StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' }
                StringLike   = @{ 'gitlab.com:sub' = 'project_path:acme/*' }
            })
        $script:OtherAppPolicy = New-TrustPolicy -Condition ([ordered]@{
                StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' }
                StringLike   = @{ 'gitlab.com:sub' = 'project_path:other/*' }
            })

        function Get-Check([object] $Result, [string] $Name) {
            $found = @($Result.Checks | Where-Object Name -EQ $Name)
            if ($found.Count -ne 1) { throw "Expected one check '$Name'; have: $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ', ')" }
            $found[0]
        }

        function Test-Role {
            param([hashtable] $Extra = @{})
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $script:Token; EndpointUrl = $script:Moto.Url }
            foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
            Test-GitlabOidcRole @p
        }
    }

    AfterAll {
        Stop-OidcIssuer -Issuer $script:Issuer
        Stop-FaultSts -Sts $script:Fault
        Stop-MotoServer -Server $script:Moto
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        Reset-FaultSts -Sts $script:Fault
        Reset-OidcIssuerRequests -Issuer $script:Issuer
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Live test' {
        It 'assumes the role against moto and reads the identity with GetCallerIdentity' {
            $r = Test-Role @{ RoleSessionName = 'pester-live' }
            $r | Should -BeOfType ([GitlabSts.OidcRoleTestResult])
            $r.Success | Should -BeTrue
            $r.ErrorCode | Should -BeNullOrEmpty
            $r.Account | Should -Be '123456789012'
            $r.AssumedRoleArn | Should -Be 'arn:aws:sts::123456789012:assumed-role/gitlab-deployer/pester-live'
            $r.UserId | Should -Match '^AROA[A-Z0-9]+:pester-live$'
            $r.RoleArn | Should -Be $TestRoleArn
            $r.Issuer | Should -Be 'https://gitlab.com'
            $r.Subject | Should -Be $OtherSub
            $r.Audience | Should -Be @('https://gitlab.com')
            $r.TokenExpiresAt.Kind | Should -Be 'Utc'
            $r.TokenExpiresAt | Should -BeGreaterThan ([DateTime]::UtcNow)
            (Get-Check $r 'Exchange').Result | Should -Be 'Pass'
            (Get-Check $r 'CallerIdentity').Result | Should -Be 'Pass'
            (Get-Check $r 'CallerIdentity').Detail | Should -Match 'assumed-role/gitlab-deployer/pester-live'
        }

        It 'passes with a trust policy and client ids that allow the token' {
            $r = Test-Role @{ TrustPolicy = $OtherAppPolicy; ClientId = 'https://gitlab.com' }
            $r.Success | Should -BeTrue
            @($r.Checks | Where-Object Result -EQ 'Fail') | Should -HaveCount 0
            (Get-Check $r 'Decision').Result | Should -Be 'Pass'
            (Get-Check $r 'Statement 1').Result | Should -Be 'Pass'
        }

        It '-Quiet returns $true for a role that can be assumed' {
            $q = Test-Role @{ Quiet = $true }
            $q | Should -BeOfType ([bool])
            $q | Should -BeExactly $true
        }

        It '-Quiet returns $false for a trust policy that denies, and for an STS refusal' {
            $q = Test-Role @{ Quiet = $true; TrustPolicy = $AcmePolicy }
            $q | Should -BeOfType ([bool])
            $q | Should -BeExactly $false

            Set-FaultStsScript -Sts $Fault -Faults 'AccessDenied'
            $q = Test-Role @{ Quiet = $true; EndpointUrl = $Fault.Url }
            $q | Should -BeExactly $false
        }

        It 'reports an STS AccessDenied (not thrown), once, and hints at -TrustPolicy' {
            Set-FaultStsScript -Sts $Fault -Faults 'AccessDenied'
            $r = Test-Role @{ EndpointUrl = $Fault.Url }
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'AccessDenied'
            $r.Message | Should -Match 'Not authorized to perform sts:AssumeRoleWithWebIdentity'
            $r.Hint | Should -Match '-TrustPolicy'
            (Get-Check $r 'Exchange').Result | Should -Be 'Fail'
            @($r.Checks | Where-Object Name -EQ 'CallerIdentity') | Should -HaveCount 0
            $r.AssumedRoleArn | Should -BeNullOrEmpty
            Get-FaultStsStats -Sts $Fault -Action AssumeRoleWithWebIdentity | Should -Be 1
        }

        It 'explains an STS AccessDenied with the failing condition of the trust policy' {
            Set-FaultStsScript -Sts $Fault -Faults 'AccessDenied'
            $r = Test-Role @{ EndpointUrl = $Fault.Url; TrustPolicy = $AcmePolicy }
            $r.Success | Should -BeFalse
            (Get-Check $r 'Exchange').Result | Should -Be 'Fail'
            $r.Message | Should -BeLike "*StringLike gitlab.com:sub ""project_path:acme/*"" did not match ""$OtherSub""*"
            $r.Hint | Should -Match ([regex]::Escape($OtherSub))
        }
    }

    Describe 'Invalid invocations throw with the contract''s ids; a bad token is reported' {
        It '<Name> -> <Id>' -ForEach @(
            @{ Name = 'bad role ARN'; Id = 'GitlabSts.InvalidRoleArn'; Params = @{ RoleArn = 'arn:aws:iam::12345678901:role/x' } }
            @{ Name = 'user ARN'; Id = 'GitlabSts.InvalidRoleArn'; Params = @{ RoleArn = 'arn:aws:iam::123456789012:user/bob' } }
            @{ Name = 'no role ARN'; Id = 'GitlabSts.InvalidRoleArn'; Params = @{ RoleArn = $null } }
            @{ Name = 'no token'; Id = 'GitlabSts.TokenNotFound'; Params = @{ WebIdentityToken = $null } }
            @{ Name = 'unreadable -TrustPolicy file'; Id = 'GitlabSts.InvalidPolicy'; Params = @{ TrustPolicy = './no-such-trust-policy.json' } }
            @{ Name = '-TrustPolicy naming a folder'; Id = 'GitlabSts.InvalidPolicy'; Params = @{ TrustPolicy = [IO.Path]::GetTempPath() } }
        ) {
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $Token; Offline = $true }
            foreach ($k in $Params.Keys) { if ($null -eq $Params[$k]) { $p.Remove($k) } else { $p[$k] = $Params[$k] } }
            $err = $null
            try { Test-GitlabOidcRole @p -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            Assert-NoSecret -Text ($err | Out-String) -Secret $Token -Where "the $Id error"
        }

        It 'names the unreadable -TrustPolicy file, resolved against the current location' {
            $dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid())) -Force
            Push-Location $dir
            try {
                $err = $null
                try { Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $Token -Offline -TrustPolicy ./missing.json -ErrorAction Stop } catch { $err = $_ }
            }
            finally { Pop-Location; Remove-Item $dir -Recurse -Force }
            $err.Exception.Message | Should -BeLike "*$(Join-Path $dir.FullName 'missing.json')*"
        }

        It 'reports a malformed token (<Kind>) instead of throwing' -ForEach @(
            @{ Kind = 'TwoParts' }, @{ Kind = 'NonJsonPayload' }, @{ Kind = 'BinaryJunk' }
        ) {
            $bad = New-MalformedToken -Kind $Kind -Key $Key
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $bad -EndpointUrl $Fault.Url
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'MalformedToken'
            (Get-Check $r 'TokenShape').Result | Should -Be 'Fail'
            Get-FaultStsStats -Sts $Fault -Action AssumeRoleWithWebIdentity | Should -Be 0
            Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $bad -Offline -Quiet | Should -BeExactly $false
        }

        It 'reports an expired token and does not call STS' {
            $expired = New-GitlabIdToken -Key $Key -Audience 'https://gitlab.com' -IssuedAt ([DateTimeOffset]::UtcNow.AddHours(-2))
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $expired -EndpointUrl $Fault.Url
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'TokenExpired'
            (Get-Check $r 'TokenExpiry').Result | Should -Be 'Fail'
            (Get-Check $r 'Exchange').Result | Should -Be 'Skip'
            Get-FaultStsStats -Sts $Fault | ForEach-Object Total | Should -Be 0
        }
    }

    Describe 'Trust policy diagnosis' {
        It 'reports (never throws) the failing condition: expected vs what the token has' {
            $r = Test-Role @{ TrustPolicy = $AcmePolicy; Offline = $true }
            $r.Success | Should -BeFalse
            $expected = "StringLike gitlab.com:sub ""project_path:acme/*"" did not match ""$OtherSub"""
            $statement = Get-Check $r 'Statement 1'
            $statement.Result | Should -Be 'Fail'
            $statement.Detail | Should -BeLike "*$([WildcardPattern]::Escape($expected))*"
            $r.Message | Should -BeLike "*$([WildcardPattern]::Escape($expected))*"
            (Get-Check $r 'Decision').Result | Should -Be 'Fail'
            (Get-Check $r 'AudienceCondition').Result | Should -Be 'Pass'
            $r.SuggestedTrustPolicy | Should -Not -BeNullOrEmpty
        }

        It 'reads -TrustPolicy as JSON text and as a file path relative to the current location, with the same verdict' {
            $dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid())) -Force
            Set-Content -Path (Join-Path $dir 'trust.json') -Value ($AcmePolicy | ConvertFrom-Json | ConvertTo-Json -Depth 10)
            Push-Location $dir
            try { $fromFile = Test-Role @{ TrustPolicy = './trust.json'; Offline = $true } }
            finally { Pop-Location; Remove-Item $dir -Recurse -Force }
            $fromText = Test-Role @{ TrustPolicy = "  $AcmePolicy"; Offline = $true }

            (Get-Check $fromFile 'TrustPolicy').Result | Should -Be 'Pass'
            $fromFile.Success | Should -BeFalse
            ($fromFile.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ',' |
                Should -Be (($fromText.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ',')
            $fromFile.Message | Should -Be $fromText.Message
        }

        It 'reports a trust policy that is not valid JSON as a failed check' {
            $r = Test-Role @{ TrustPolicy = '{"Version":"2012-10-17","Statement":['; Offline = $true }
            $r.Success | Should -BeFalse
            (Get-Check $r 'TrustPolicy').Result | Should -Be 'Fail'
            $r.ErrorCode | Should -Be 'InvalidTrustPolicy'
        }

        It 'fails -ClientId when the token''s aud is not among the provider''s client ids' {
            $r = Test-Role @{ ClientId = 'sts.amazonaws.com', 'https://other.example'; TrustPolicy = $OtherAppPolicy; Offline = $true }
            $r.Success | Should -BeFalse
            $c = Get-Check $r 'ClientId'
            $c.Result | Should -Be 'Fail'
            $c.Detail | Should -Match 'https://gitlab\.com'
            $c.Detail | Should -Match 'sts\.amazonaws\.com'
            (Test-Role @{ ClientId = 'https://gitlab.com'; TrustPolicy = $OtherAppPolicy; Offline = $true }).Success | Should -BeTrue
        }

        It 'flags a wildcard under StringEquals (it needs StringLike)' {
            $policy = New-TrustPolicy -Condition @{ StringEquals = @{ 'gitlab.com:sub' = 'project_path:other/*' } }
            $r = Test-Role @{ TrustPolicy = $policy; Offline = $true }
            $r.Success | Should -BeFalse
            $trap = Get-Check $r 'WildcardUnderStringEquals'
            $trap.Result | Should -Be 'Warn'
            $trap.Detail | Should -Match 'StringEquals gitlab\.com:sub'
            $trap.Detail | Should -Match 'StringLike'
            (Get-Check $r 'Statement 1').Result | Should -Be 'Fail'
        }

        It 'warns about a condition on a claim AWS does not expose for gitlab.com (project_path)' {
            $policy = New-TrustPolicy -Condition @{ StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com'; 'gitlab.com:project_path' = 'other/app' } }
            $r = Test-Role @{ TrustPolicy = $policy; Offline = $true }
            $r.Success | Should -BeFalse
            $trap = Get-Check $r 'UnexposedConditionKey'
            $trap.Result | Should -Be 'Warn'
            $trap.Detail | Should -Match 'gitlab\.com:project_path'
            $trap.Detail | Should -Match 'never match'
        }

        It 'explains a trailing slash in the provider ARN' {
            $policy = New-TrustPolicy -Federated "$Provider/" -Condition @{ StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' } }
            $r = Test-Role @{ TrustPolicy = $policy; Offline = $true }
            $r.Success | Should -BeFalse
            $c = Get-Check $r 'ProviderPrincipal'
            $c.Result | Should -Be 'Fail'
            $c.Detail | Should -Match 'trailing slash'
            $r.ErrorCode | Should -Be 'IssuerMismatch'
        }

        It 'explains a URL scheme in the provider ARN' {
            $policy = New-TrustPolicy -Federated 'arn:aws:iam::123456789012:oidc-provider/https://gitlab.com'
            $c = Get-Check (Test-Role @{ TrustPolicy = $policy; Offline = $true }) 'ProviderPrincipal'
            $c.Result | Should -Be 'Fail'
            $c.Detail | Should -Match 'scheme'
        }

        It 'warns about an issuer with a trailing slash' {
            $slashed = New-GitlabIdToken -Key $Key -Issuer 'https://gitlab.com/' -Audience 'https://gitlab.com'
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $slashed -Offline
            $c = Get-Check $r 'IssuerUrl'
            $c.Result | Should -Be 'Warn'
            $c.Detail | Should -Match 'slash'
        }

        It 'lets an explicit Deny win over a matching Allow' {
            $allow = $OtherAppPolicy | ConvertFrom-Json
            $deny = (New-TrustPolicy -Effect Deny -Condition @{ StringEquals = @{ 'gitlab.com:ref_protected' = 'true' } } | ConvertFrom-Json).Statement[0]
            $allow.Statement = @($allow.Statement[0], $deny)
            $r = Test-Role @{ TrustPolicy = ($allow | ConvertTo-Json -Depth 10); Offline = $true }
            $r.Success | Should -BeFalse
            (Get-Check $r 'Decision').Detail | Should -Match 'Deny'
        }

        It 'flags a condition on the issuer host''s :project_path as never matching for a self-managed issuer' {
            $selfToken = New-GitlabIdToken -Key $Key -Template self-managed -Issuer $Issuer.Url -Audience 'https://gitlab.example.com'
            $hostKey = $Issuer.Url -replace '^https?://', '' -replace '/+$', ''
            $policy = New-TrustPolicy -Federated "arn:aws:iam::123456789012:oidc-provider/$hostKey" -Condition ([ordered]@{
                    StringEquals = @{ "${hostKey}:aud" = 'https://gitlab.example.com' }
                    StringLike   = @{ "${hostKey}:project_path" = '*' }
                })
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $selfToken -TrustPolicy $policy -Offline
            $r.Success | Should -BeFalse
            (Get-Check $r 'ProviderPrincipal').Result | Should -Be 'Pass'
            $trap = Get-Check $r 'UnexposedConditionKey'
            $trap.Result | Should -Be 'Warn'
            $trap.Detail | Should -BeLike "*${hostKey}:project_path*"
            $trap.Detail | Should -Match 'never match'
            (Get-Check $r 'Statement 1').Detail | Should -BeLike "*${hostKey}:project_path*"
            # The same key is exposed for gitlab.com's namespace_id but not for a self-managed issuer.
            $ns = New-TrustPolicy -Federated "arn:aws:iam::123456789012:oidc-provider/$hostKey" -Condition @{ StringEquals = @{ "${hostKey}:namespace_id" = '4242' } }
            (Get-Check (Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $selfToken -TrustPolicy $ns -Offline) 'UnexposedConditionKey').Result | Should -Be 'Warn'
        }
    }

    Describe 'SuggestedTrustPolicy' {
        It 'is satisfied by its own token (<Name>)' -ForEach @(
            @{ Name = 'gitlab.com, branch'; Template = 'gitlab.com'; Claims = @{ project_path = 'other/app' } }
            @{ Name = 'gitlab.com, tag'; Template = 'gitlab.com'; Claims = @{ project_path = 'acme/infra'; ref_type = 'tag'; ref = 'v1.2.3' } }
            @{ Name = 'self-managed, local issuer'; Template = 'self-managed'; Claims = @{}; LocalIssuer = $true }
        ) {
            $p = @{ Key = $Key; Template = $Template; Claims = $Claims; Audience = 'sts.amazonaws.com' }
            if ($LocalIssuer) { $p.Issuer = $Issuer.Url }
            $t = New-GitlabIdToken @p
            $first = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $t -Offline
            $suggested = $first.SuggestedTrustPolicy
            $suggested | Should -Not -BeNullOrEmpty
            $json = $suggested | ConvertFrom-Json
            $json.Statement[0].Principal.Federated | Should -BeLike 'arn:aws:iam::123456789012:oidc-provider/*'
            $again = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $t -Offline -TrustPolicy $suggested -ClientId sts.amazonaws.com
            @($again.Checks | Where-Object Result -EQ 'Fail' | ForEach-Object { "$_" }) | Should -BeNullOrEmpty
            $again.Success | Should -BeTrue
            (Get-Check $again 'Decision').Result | Should -Be 'Pass'
            (Get-Check $again 'SubjectScope').Result | Should -Be 'Pass'
        }

        It 'does not allow a token of another project' {
            $suggested = (Test-Role @{ Offline = $true }).SuggestedTrustPolicy
            $acme = New-GitlabIdToken -Key $Key -Audience 'https://gitlab.com' -Claims @{ project_path = 'acme/infra' }
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $acme -Offline -TrustPolicy $suggested
            $r.Success | Should -BeFalse
            (Get-Check $r 'Decision').Result | Should -Be 'Fail'
        }
    }

    Describe '-VerifySignature with the local OIDC issuer' {
        BeforeAll {
            $script:IssuerToken = New-GitlabIdToken -Key $Key -Issuer $Issuer.Url -Audience 'sts.amazonaws.com'
            function Test-Signature([string] $T) {
                $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $T -EndpointUrl $Moto.Url -VerifySignature -Issuer $Issuer.Url
                [pscustomobject]@{ Result = $r; Check = (Get-Check $r 'Signature') }
            }
        }
        AfterEach { Set-OidcIssuerKeys -Issuer $Issuer -Keys $Key }

        It 'passes for a token signed with the issuer''s key, after discovery and JWKS' {
            $s = Test-Signature $IssuerToken
            $s.Check.Result | Should -Be 'Pass'
            $s.Check.Detail | Should -Match ([regex]::Escape($Key.KeyId))
            $s.Result.Success | Should -BeTrue
            $requests = Get-OidcIssuerRequests -Issuer $Issuer
            $requests.Discovery | Should -BeGreaterOrEqual 1
            $requests.Jwks | Should -BeGreaterOrEqual 1
        }

        It 'fails for a token signed with another key under the issuer''s kid' {
            $other = New-TestSigningKey
            $forged = New-GitlabIdToken -Key $other -Issuer $Issuer.Url -Audience 'sts.amazonaws.com' -Header @{ kid = $Key.KeyId }
            $s = Test-Signature $forged
            $s.Check.Result | Should -Be 'Fail'
            $s.Check.Detail | Should -Match 'signature'
            $s.Result.Success | Should -BeFalse
            $s.Result.ErrorCode | Should -Not -BeNullOrEmpty
        }

        It 'fails for an unknown kid after the issuer rotated its keys' {
            $next = New-TestSigningKey
            Set-OidcIssuerKeys -Issuer $Issuer -Keys $next
            $s = Test-Signature $IssuerToken
            $s.Check.Result | Should -Be 'Fail'
            $s.Check.Detail | Should -Match ([regex]::Escape($Key.KeyId))
            $s.Check.Detail | Should -Match 'kid|key'
            $s.Result.Success | Should -BeFalse
            # A token of the new key verifies.
            (Test-Signature (New-GitlabIdToken -Key $next -Issuer $Issuer.Url -Audience 'sts.amazonaws.com')).Check.Result | Should -Be 'Pass'
        }

        It 'fails for a tampered payload' {
            $parts = $IssuerToken.Split('.')
            $payload = [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $parts[1])) | ConvertFrom-Json -AsHashtable
            $payload.project_path = 'acme/prod'
            $payload.sub = 'project_path:acme/prod:ref_type:branch:ref:main'
            $tampered = $parts[0] + '.' + (ConvertTo-Base64Url ($payload | ConvertTo-Json -Compress)) + '.' + $parts[2]
            $s = Test-Signature $tampered
            $s.Check.Result | Should -Be 'Fail'
            $s.Check.Detail | Should -Match 'signature'
            $s.Result.Success | Should -BeFalse
        }
    }

    Describe '-Offline makes no network connection' {
        It 'sends nothing to STS (-EndpointUrl or AWS_ENDPOINT_URL_STS) or the issuer, and skips the signature and exchange' {
            $t = New-GitlabIdToken -Key $Key -Issuer $Issuer.Url -Audience 'sts.amazonaws.com'
            $env:AWS_ENDPOINT_URL_STS = $Fault.Url
            $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $t -VerifySignature -Offline
            $r2 = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $t -EndpointUrl $Fault.Url -Offline -TrustPolicy $AcmePolicy
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
            (Get-OidcIssuerRequests -Issuer $Issuer).Total | Should -Be 0
            (Get-Check $r 'Signature').Result | Should -Be 'Skip'
            (Get-Check $r 'Exchange').Result | Should -Be 'Skip'
            (Get-Check $r2 'Exchange').Result | Should -Be 'Skip'
            @($r.Checks | Where-Object Name -EQ 'CallerIdentity') | Should -HaveCount 0
            $r.Success | Should -BeFalse   # 0.2: offline without a trust policy is no verdict
            $r.ErrorCode | Should -Be 'NoTrustPolicy'
            $r.AssumedRoleArn | Should -BeNullOrEmpty

            # The same call without -Offline does reach both (so the counters above can see traffic).
            $null = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $t -VerifySignature -Issuer $Issuer.Url
            (Get-FaultStsStats -Sts $Fault -Action AssumeRoleWithWebIdentity) | Should -Be 1
            (Get-OidcIssuerRequests -Issuer $Issuer).Total | Should -BeGreaterOrEqual 2
        }
    }

    Describe 'Checklist view' {
        It 'renders marks, the failing detail and the fix in <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 160 }) {
            $policy = New-TrustPolicy -Condition ([ordered]@{
                    StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' }
                    StringLike   = @{ 'gitlab.com:sub' = 'project_path:acme/*'; 'gitlab.com:project_path' = 'acme/*' }
                })
            $r = Test-Role @{ TrustPolicy = $policy; ClientId = 'https://gitlab.com'; Offline = $true }
            $text = $r | Out-String -Width $Width
            $lines = $text -split "`r?`n"
            $text | Should -Match "Role $([regex]::Escape($TestRoleArn)): CANNOT be assumed"
            $text | Should -Match ([char]0x2714)   # ✔
            $text | Should -Match ([char]0x2716)   # ✖
            $lines | Where-Object { $_ -match '^\s+! UnexposedConditionKey\s' } | Should -Not -BeNullOrEmpty
            $lines | Where-Object { $_ -match '^\s+- Exchange\s' } | Should -Not -BeNullOrEmpty
            # The failing detail, even when wrapped: a word longer than the detail column is cut to fit the width
            # (asserted below), so compare without white space, which wrapping at any host width only adds.
            $flat = ($lines | ForEach-Object { $_.Trim() }) -join ' '
            ($flat -replace '\s', '') | Should -BeLike (("*StringLike gitlab.com:sub ""project_path:acme/``**"" did not match ""$OtherSub""*") -replace '\s', '')
            $flat | Should -Match 'Why: +Statement 1'
            $flat | Should -Match 'Fix: '
            foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual $Width -Because "'$line' fits the width" }
            $text | Should -Not -Match "`e\["   # no ANSI escapes: readable in a CI log
        }

        It 'wraps a long detail under the detail column, not under the marks (80 columns)' {
            $r = Test-Role @{ TrustPolicy = $AcmePolicy; Offline = $true }
            $lines = ($r | Out-String -Width 80) -split "`r?`n"
            $i = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^\s+\S TrustPolicy\s' })
            $i | Should -BeGreaterOrEqual 0
            $column = $lines[$i].IndexOf('Trust policy read')
            $column | Should -BeGreaterThan 10
            $lines[$i + 1] | Should -Match "^ {$column}\S"
        }

        It 'breaks lines between words at the host''s width' {
            $w = $Host.UI.RawUI.BufferSize.Width
            if ($w -lt 60) { Set-ItResult -Skipped -Because "the host reports a width of $w" ; return }
            $r = Test-Role @{ TrustPolicy = $AcmePolicy; Offline = $true }
            $lines = ($r | Out-String -Width $w) -split "`r?`n"
            foreach ($word in ($r.Checks | ForEach-Object { $_.Detail -split '\s+' } | Where-Object { $_.Length -gt 0 -and $_.Length -lt ($w - 34) })) {
                $lines | Where-Object { $_.Contains($word) } | Should -Not -BeNullOrEmpty -Because "'$word' is kept whole"
            }
        }

        It 'renders a passing live test with the assumed role' {
            $text = Test-Role @{ TrustPolicy = $OtherAppPolicy; RoleSessionName = 'view-check' } | Out-String -Width 160
            $text | Should -Match 'can be assumed'
            $text | Should -Not -Match ([char]0x2716)
            $text | Should -Match 'Assumed: arn:aws:sts::123456789012:assumed-role/gitlab-deployer/view-check'
            $text | Should -Not -Match 'Why:'
        }
    }

    Describe 'Every operator, no verdict on a guess (0.2)' {
        BeforeAll {
            # The Allow this token satisfies plus AWS's data-perimeter Deny: refuse callers outside 203.0.113.0/24.
            $script:PerimeterPolicy = [ordered]@{ Version = '2012-10-17'; Statement = @(
                    [ordered]@{ Sid = 'GitlabDeploy'; Effect = 'Allow'; Principal = @{ Federated = $script:Provider }; Action = 'sts:AssumeRoleWithWebIdentity'
                        Condition = [ordered]@{ StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' }; StringLike = @{ 'gitlab.com:sub' = 'project_path:other/*' } } }
                    [ordered]@{ Sid = 'DataPerimeter'; Effect = 'Deny'; Principal = '*'; Action = 'sts:AssumeRoleWithWebIdentity'
                        Condition = @{ NotIpAddress = @{ 'aws:SourceIp' = @('203.0.113.0/24') } } }
                ) } | ConvertTo-Json -Depth 10
        }

        It 'an Allow plus a NotIpAddress Deny on aws:SourceIp is Indeterminate, with a Warn naming the key' {
            $r = Test-Role @{ TrustPolicy = $PerimeterPolicy; Offline = $true }
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'Indeterminate'
            $r.Message | Should -Match 'aws:SourceIp'
            $r.Message | Should -Match '-ConditionContext'
            $r.Message | Should -Match 'test live'
            @($r.Checks | Where-Object Result -EQ 'Fail' | ForEach-Object Name) | Should -Be @('Decision')
            ($r.Checks.Detail -join "`n") | Should -Not -Match 'unknown or unsupported|InvalidTrustPolicy'
            $deny = Get-Check $r 'Statement 2 (DataPerimeter)'
            $deny.Result | Should -Be 'Warn'
            $deny.Detail | Should -Match 'hinges on "aws:SourceIp"'
            (Get-Check $r 'Decision').Result | Should -Be 'Fail'
            Test-Role @{ TrustPolicy = $PerimeterPolicy; Offline = $true; Quiet = $true } | Should -BeExactly $false
            ($r | Out-String -Width 160) | Should -Match 'NOT DECIDED\s+\(Indeterminate\)'
        }

        It '-ConditionContext decides it: <Ip> is <Verdict>' -ForEach @(
            @{ Ip = '203.0.113.5'; Verdict = 'allowed (the Deny does not apply)'; Success = $true; Code = $null }
            @{ Ip = '198.51.100.7'; Verdict = 'denied (the Deny applies)'; Success = $false; Code = 'ExplicitDeny' }
        ) {
            $r = Test-Role @{ TrustPolicy = $PerimeterPolicy; Offline = $true; ConditionContext = @{ 'aws:SourceIp' = $Ip } }
            $r.Success | Should -Be $Success
            $r.ErrorCode | Should -Be $Code
            (Get-Check $r 'Statement 2 (DataPerimeter)').Detail | Should -Match ([regex]::Escape($Ip))
        }

        It 'live, the exchange settles it (the verdict is IAM''s)' {
            $r = Test-Role @{ TrustPolicy = $PerimeterPolicy }
            $r.Success | Should -BeTrue -Because $r.Message
            (Get-Check $r 'Exchange').Result | Should -Be 'Pass'
            (Get-Check $r 'Decision').Result | Should -Be 'Pass'
            (Get-Check $r 'Decision').Detail | Should -Match 'decided live'
        }

        It 'keys STS sets get their locally known value (<Name>)' -ForEach @(
            @{ Name = 'region, session name, https, time: allowed'; Extra = @{ Region = 'eu-west-1'; RoleSessionName = 'gitlab-42' }; Secure = 'true'; Code = $null }
            @{ Name = 'another region'; Extra = @{ Region = 'us-east-1'; RoleSessionName = 'gitlab-42' }; Secure = 'true'; Code = 'TrustPolicyDenied' }
            @{ Name = 'another session name'; Extra = @{ Region = 'eu-west-1'; RoleSessionName = 'laptop' }; Secure = 'true'; Code = 'TrustPolicyDenied' }
            @{ Name = 'an http endpoint is not secure transport'; Extra = @{ Region = 'eu-west-1'; RoleSessionName = 'gitlab-42'; EndpointUrl = 'http://localhost:5000' }; Secure = 'true'; Code = 'TrustPolicyDenied' }
            @{ Name = 'an http endpoint, policy asks for false'; Extra = @{ Region = 'eu-west-1'; RoleSessionName = 'gitlab-42'; EndpointUrl = 'http://localhost:5000' }; Secure = 'false'; Code = $null }
        ) {
            $policy = New-TrustPolicy -Condition ([ordered]@{
                    StringLike    = @{ 'gitlab.com:sub' = 'project_path:other/*'; 'sts:RoleSessionName' = 'gitlab-*' }
                    StringEquals  = @{ 'aws:RequestedRegion' = 'eu-west-1' }
                    Bool          = @{ 'aws:SecureTransport' = $Secure }
                    DateLessThan  = @{ 'aws:CurrentTime' = '2099-01-01T00:00:00Z' }
                })
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $Token; TrustPolicy = $policy; Offline = $true }
            foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
            $r = Test-GitlabOidcRole @p
            $r.ErrorCode | Should -Be $Code -Because $r.Message
            $r.Success | Should -Be ($null -eq $Code)
            (Get-Check $r 'TrustPolicy').Detail | Should -Match 'aws:CurrentTime='
        }

        It '-ConditionContext refuses <Name> with GitlabSts.InvalidPolicy' -ForEach @(
            @{ Name = 'a provider key'; Context = @{ 'gitlab.com:sub' = 'x' }; Fix = 'identity provider''s key' }
            @{ Name = 'a key without a prefix'; Context = @{ 'SourceIp' = '203.0.113.5' }; Fix = 'prefix:name' }
            @{ Name = 'a nested value'; Context = @{ 'aws:SourceIp' = @{ a = 1 } }; Fix = 'string or a list of strings' }
        ) {
            $err = $null
            try { Test-Role @{ TrustPolicy = $PerimeterPolicy; Offline = $true; ConditionContext = $Context } } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidPolicy,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match ([regex]::Escape($Fix))
        }

        It '$null in -ConditionContext marks a key absent' {
            $policy = New-TrustPolicy -Condition ([ordered]@{
                    StringLike            = @{ 'gitlab.com:sub' = 'project_path:other/*' }
                    StringEqualsIfExists  = @{ 'aws:PrincipalTag/team' = 'ops' }
                })
            (Test-Role @{ TrustPolicy = $policy; Offline = $true }).ErrorCode | Should -Be 'Indeterminate'
            (Test-Role @{ TrustPolicy = $policy; Offline = $true; ConditionContext = @{ 'aws:PrincipalTag/team' = $null } }).Success | Should -BeTrue
            (Test-Role @{ TrustPolicy = $policy; Offline = $true; ConditionContext = @{ 'aws:PrincipalTag/team' = 'dev', 'qa' } }).ErrorCode | Should -Be 'TrustPolicyDenied'
        }
    }

    Describe 'No verdict without a policy; -Audience is reported (0.2)' {
        It '-Offline without a trust policy is NoTrustPolicy, and -Quiet is $false' {
            $r = Test-Role @{ Offline = $true }
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'NoTrustPolicy'
            $r.Hint | Should -Match '-TrustPolicy'
            (Get-Check $r 'TrustPolicy').Result | Should -Be 'Fail'
            $r.SuggestedTrustPolicy | Should -Not -BeNullOrEmpty
            Test-Role @{ Offline = $true; Quiet = $true } | Should -BeExactly $false
        }

        It 'an empty or whitespace -TrustPolicy (<Name>) is GitlabSts.InvalidPolicy' -ForEach @(
            @{ Name = 'empty'; Value = '' }, @{ Name = 'spaces'; Value = '   ' }, @{ Name = 'newline'; Value = "`n" }
        ) {
            $err = $null
            try { Test-Role @{ TrustPolicy = $Value; Offline = $true } } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidPolicy,*'
            $err.Exception.Message | Should -Match '-TrustPolicy is empty'
        }

        It '-Audience that no aud of the token matches is a Fail check, never a throw, and STS is not called' {
            $r = Test-Role @{ Audience = 'foo'; EndpointUrl = $Fault.Url }
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'AudienceMismatch'
            $c = Get-Check $r 'Audience'
            $c.Result | Should -Be 'Fail'
            $c.Detail | Should -Match 'not the requested -Audience "foo"'
            $r.Hint | Should -Match 'aud: foo'
            (Get-Check $r 'Exchange').Result | Should -Be 'Skip'
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
            Test-Role @{ Audience = 'foo'; Offline = $true; Quiet = $true; TrustPolicy = $OtherAppPolicy } | Should -BeExactly $false
        }

        It '-Audience the token has is a Pass check' {
            $r = Test-Role @{ Audience = 'https://gitlab.com' }
            $r.Success | Should -BeTrue
            (Get-Check $r 'Audience').Result | Should -Be 'Pass'
        }

        It 'the exchange cmdlets keep InvalidIdentityToken for the same -Audience' {
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -Audience foo -EndpointUrl $Moto.Url } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidIdentityToken,*'
        }
    }

    Describe 'Findings are precise (0.2)' {
        It 'SubjectScope does not fire for <Op> on :sub with a concrete value' -ForEach @(
            @{ Op = 'StringEqualsIfExists'; Value = 'project_path:other/app:ref_type:branch:ref:main' }
            @{ Op = 'StringLikeIfExists'; Value = 'project_path:other/*' }
        ) {
            $r = Test-Role @{ TrustPolicy = (New-TrustPolicy -Condition @{ $Op = @{ 'gitlab.com:sub' = $Value } }); Offline = $true }
            $r.Success | Should -BeTrue
            (Get-Check $r 'SubjectScope').Result | Should -Be 'Pass'
        }

        It 'SubjectScope still fires for StringLikeIfExists "*"' {
            $r = Test-Role @{ TrustPolicy = (New-TrustPolicy -Condition @{ StringLikeIfExists = @{ 'gitlab.com:sub' = '*' } }); Offline = $true }
            (Get-Check $r 'SubjectScope').Result | Should -Be 'Warn'
        }

        It 'a condition keyed on another issuer is UnexposedConditionKey with the key renamed in the hint' {
            $r = Test-Role @{ TrustPolicy = (New-TrustPolicy -Condition @{ StringLike = @{ 'gitlab.example.com:sub' = 'project_path:other/*' } }); Offline = $true }
            $r.Success | Should -BeFalse
            $c = Get-Check $r 'UnexposedConditionKey'
            $c.Result | Should -Be 'Warn'
            $c.Detail | Should -Match 'gitlab.example.com:sub is keyed on another issuer'
            $r.Hint | Should -Match ([regex]::Escape('"StringLike": {"gitlab.com:sub": "project_path:other/*"}'))
            (Get-Check $r 'SubjectScope').Result | Should -Be 'Pass'
        }

        It 'a condition on the statement''s own issuer is not flagged' {
            $r = Test-Role @{ TrustPolicy = $OtherAppPolicy; Offline = $true }
            (Get-Check $r 'UnexposedConditionKey').Result | Should -Be 'Pass'
        }
    }

    Describe 'Secrets' {
        It 'never shows the token, the secret key or the session token (streams, view, properties)' {
            $secret = 'PesterSecretKey' + [guid]::NewGuid().ToString('N')
            $session = 'PesterSessionToken' + [guid]::NewGuid().ToString('N') + [guid]::NewGuid().ToString('N')
            $xml = (Get-Content -Raw (Join-Path $RepoRoot 'tests/Fixtures/data/sts-assume-role-with-web-identity-response.xml')) `
                -replace '<SecretAccessKey>[^<]*', "<SecretAccessKey>$secret" -replace '<SessionToken>[^<]*', "<SessionToken>$session" `
                -replace '<Expiration>[^<]*', "<Expiration>$([DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ'))"
            $secrets = $Token, $secret, $session
            $runs = @(
                @{ Faults = @(@{ fault = 'notxml'; action = 'AssumeRoleWithWebIdentity'; body = $xml; contentType = 'text/xml' }); Extra = @{ TrustPolicy = $OtherAppPolicy } }
                @{ Faults = @('AccessDenied'); Extra = @{ TrustPolicy = $AcmePolicy } }
                @{ Faults = @(@{ fault = 'notxml'; action = 'AssumeRoleWithWebIdentity'; body = $xml; contentType = 'text/xml' }, @{ fault = 'AccessDenied'; action = 'GetCallerIdentity' }); Extra = @{} }
            )
            foreach ($run in $runs) {
                Set-FaultStsScript -Sts $Fault -Faults $run.Faults
                $p = @{ EndpointUrl = $Fault.Url; Verbose = $true; Debug = $true }
                foreach ($k in $run.Extra.Keys) { $p[$k] = $run.Extra[$k] }
                $all = Test-Role $p *>&1
                $result = @($all | Where-Object { $_ -is [GitlabSts.OidcRoleTestResult] })
                $result | Should -HaveCount 1
                @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
                $text = ($all | Out-String -Width 300) + ($result | Format-List * | Out-String -Width 300) + ($result | ConvertTo-Json -Depth 5)
                Assert-NoSecret -Text $text -Secret $secrets -Where 'Test-GitlabOidcRole output'
            }
            (Get-FaultStsStats -Sts $Fault -Action GetCallerIdentity) | Should -Be 2
        }
    }
}
