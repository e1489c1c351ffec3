# Role chaining (-ChainRoleArn) and the account guard (-AllowedAccountId) on the built module, against moto and the
# fault STS in front of it: hops end in the target account (GetCallerIdentity with the returned keys), a refused,
# throttled or hanging second hop, every local refusal without a request, and a refused account leaving nothing behind.
Describe 'Role chaining and the account guard' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
        $script:Hub = 'arn:aws:iam::111122223333:role/gitlab-hub'
        $script:Spoke = 'arn:aws:iam::444455556666:role/deployer'
        $script:Spoke2 = 'arn:aws:iam::777788889999:role/team/deployer-2'
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-chain-$([guid]::NewGuid())") -Force

        # GetCallerIdentity signed with the given keys, by the AWS SDK for .NET this module ships, in a fresh process (keys in
        # its environment only); returns the ARN.
        $script:SdkFolder = Join-Path (Split-Path $ModuleManifest) 'bin/net8.0/dependencies'
        function Get-CallerArn([string] $AccessKeyId, [string] $SecretAccessKey, [string] $SessionToken) {
            $code = @"
Add-Type -Path '$SdkFolder/AWSSDK.Core.dll'; Add-Type -Path '$SdkFolder/AWSSDK.SecurityToken.dll'
`$config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]::new(); `$config.ServiceURL = '$($script:Moto.Url)'; `$config.AuthenticationRegion = 'us-east-1'
`$keys = [Amazon.Runtime.SessionAWSCredentials]::new(`$env:CHAIN_KEY_ID, `$env:CHAIN_SECRET, `$env:CHAIN_SESSION)
[Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new(`$keys, `$config).GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult().Arn
"@
            $r = Invoke-FreshPwsh -Script $code -Environment @{ CHAIN_KEY_ID = $AccessKeyId; CHAIN_SECRET = $SecretAccessKey; CHAIN_SESSION = $SessionToken }
            if ($r.ExitCode -ne 0 -or -not $r.StdOut.Trim()) { throw "GetCallerIdentity failed: $($r.StdErr)" }
            $r.StdOut.Trim()
        }

        # An AssumeRole answer whose assumed-role ARN is in account 999999999999 (not the target's): for the guard after STS.
        $script:OtherAccountAnswer = @'
<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>arn:aws:sts::999999999999:assumed-role/deployer/pester</Arn><AssumedRoleId>AROAOTHER:pester</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAOTHERACCOUNTKEY1</AccessKeyId>
      <SecretAccessKey>other-account-secret-wJalrXUtnFEMI/K7MDENG</SecretAccessKey>
      <SessionToken>other-account-session-token-AQoDYXdzEE0a8ANXXXXXXXX</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>3f1e0b47-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</AssumeRoleResponse>
'@
        $script:AwsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_DEFAULT_REGION'
    }

    AfterAll {
        Stop-StsFixture
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        Remove-Item Env:GITLABSTS_ALLOWED_ACCOUNT_IDS, Env:GITLABSTS_STS_TIMEOUT_SECONDS -ErrorAction Ignore
        Reset-FaultSts -Sts $script:Fault
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Hops against moto' {
        It 'one hop ends in the target account (GetCallerIdentity with the returned keys)' {
            $c = Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -RoleSessionName 'pester-one'
            $c.AccountId | Should -Be '444455556666'
            $c.AssumedRoleArn | Should -Be 'arn:aws:sts::444455556666:assumed-role/deployer/pester-one'
            $c.ChainedRoleArns | Should -Be @($Spoke)
            $c.RoleArn | Should -Be $Hub
            Get-CallerArn $c.AccessKeyId $c.SecretAccessKey $c.SessionToken | Should -Be 'arn:aws:sts::444455556666:assumed-role/deployer/pester-one'
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRoleWithWebIdentity'] | Should -Be 1
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 1
        }

        It 'two hops end in the last account; each hop is a verbose message naming it and its role, with no secret' {
            $records = Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 `
                -RoleSessionName 'pester-web' -ChainRoleSessionName 'pester-two' -ChainDurationSeconds 1800 -Verbose 4>&1
            $c = $records | Where-Object { $_ -is [GitlabSts.WebIdentityCredential] }
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            $c.AccountId | Should -Be '777788889999'
            $c.ChainedRoleArns | Should -Be @($Spoke, $Spoke2)
            $c.Expiration | Should -BeLessThan ([DateTime]::UtcNow.AddSeconds(1860))
            Get-CallerArn $c.AccessKeyId $c.SecretAccessKey $c.SessionToken | Should -Be 'arn:aws:sts::777788889999:assumed-role/deployer-2/pester-two'
            $verbose | Should -Contain ($verbose | Where-Object { $_ -like "Chain hop 1 of 2: calling STS AssumeRole * for $Spoke with the credentials of $Hub (session 'pester-two', 1800 s)." })
            $verbose | Should -Contain ($verbose | Where-Object { $_ -like "Chain hop 2 of 2: calling STS AssumeRole * for $Spoke2 with the credentials of $Spoke *" })
            @($verbose | Where-Object { $_ -like 'Chain hop 2 of 2: assumed arn:aws:sts::777788889999:assumed-role/deployer-2/pester-two (account 777788889999)*' }).Count | Should -Be 1
            Assert-NoSecret -Text ($verbose -join "`n") -Secret $Token, $c.SecretAccessKey, $c.SessionToken -Where 'the verbose messages'
            Set-Content -LiteralPath (Join-Path $Work 'two-hop-verbose.txt') -Value $verbose
        }

        It '-SetEnvironment sets the last hop''s keys' {
            Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -SetEnvironment -Region us-east-1 | Should -BeNullOrEmpty
            Get-CallerArn $env:AWS_ACCESS_KEY_ID $env:AWS_SECRET_ACCESS_KEY $env:AWS_SESSION_TOKEN | Should -BeLike 'arn:aws:sts::777788889999:assumed-role/deployer-2/*'
        }

        It '-OutputFormat CredentialProcess prints the last hop''s keys' {
            $r = Invoke-FreshPwsh -Script "Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn '$Hub' -ChainRoleArn '$Spoke','$Spoke2' -EndpointUrl '$($Fault.Url)' -OutputFormat CredentialProcess" `
                -Environment @{ GITLAB_OIDC_TOKEN = $Token }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $json = $r.StdOut | ConvertFrom-Json
            Get-CallerArn $json.AccessKeyId $json.SecretAccessKey $json.SessionToken | Should -BeLike 'arn:aws:sts::777788889999:assumed-role/deployer-2/*'
        }

        It 'the list view shows the chain and hides the secrets' {
            $c = Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Moto.Url -ChainRoleArn $Spoke, $Spoke2
            $text = $c | Format-List | Out-String -Width 400
            $text | Should -Match ([regex]::Escape("ChainedRoleArns             : $Spoke -> $Spoke2"))
            Assert-NoSecret -Text $text -Secret $c.SecretAccessKey, $c.SessionToken -Where 'the list view'
        }

        It 'Test-GitlabOidcRole reports one live check per hop with its caller identity' {
            $r = Test-GitlabOidcRole -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -RoleSessionName 'pester-test'
            $one = $r.Checks | Where-Object Name -eq 'Chain 1'
            $two = $r.Checks | Where-Object Name -eq 'Chain 2'
            "$($one.Result)" | Should -Be 'Pass'
            $one.Detail | Should -Match ([regex]::Escape('GetCallerIdentity arn:aws:sts::444455556666:assumed-role/deployer/pester-test (account 444455556666)'))
            "$($two.Result)" | Should -Be 'Pass'
            $two.Detail | Should -Match ([regex]::Escape('GetCallerIdentity arn:aws:sts::777788889999:assumed-role/deployer-2/pester-test (account 777788889999)'))
            $r.Account | Should -Be '777788889999'
            $r.AssumedRoleArn | Should -Be 'arn:aws:sts::777788889999:assumed-role/deployer-2/pester-test'
            (Get-FaultStsStats -Sts $Fault).Actions['GetCallerIdentity'] | Should -Be 3
        }
    }

    Describe 'A refused, throttled or hanging second hop' {
        It 'a refused second hop is AccessDenied naming the hop, its role, the source role and the trust statement, not retried' {
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'pass'; action = 'AssumeRole' }, @{ fault = 'AccessDenied'; action = 'AssumeRole'; message = "User: arn:aws:sts::444455556666:assumed-role/deployer/x is not authorized to perform: sts:AssumeRole on resource: $Spoke2" }
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccessDenied*'
            "$($err.CategoryInfo.Category)" | Should -Be 'PermissionDenied'
            $m = $err.Exception.Message
            $m | Should -BeLike "*-ChainRoleArn hop 2 of 2 ($Spoke2)*"
            $m | Should -BeLike "*by the source role $Spoke *"
            $m | Should -BeLike "*`"Principal`": {`"AWS`": `"$Spoke`"}*"
            $m | Should -BeLike '*"Action": "sts:AssumeRole"*'
            $m | Should -BeLike '*not authorized to perform: sts:AssumeRole*'
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 2
        }

        It 'throttling on the second hop is retried, then the chain ends in the target account' {
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'pass'; action = 'AssumeRole' }, @{ fault = 'Throttling'; action = 'AssumeRole'; count = 2 }
            $records = Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -Verbose 4>&1
            $c = $records | Where-Object { $_ -is [GitlabSts.WebIdentityCredential] }
            $c.AccountId | Should -Be '777788889999'
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 4
            @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Chain hop 2: attempt * of 5 failed (Throttling*' }).Count | Should -Be 2
        }

        It 'throttling on the second hop until -MaxAttempts is StsError after that many attempts' {
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'pass'; action = 'AssumeRole' }, @{ fault = 'Throttling'; action = 'AssumeRole'; count = 5 }
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -MaxAttempts 3 -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.StsError*'
            $err.Exception.Message | Should -BeLike '*hop 2 of 2*after 3 attempts*Throttling*'
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 4
        }

        It 'a hang on the second hop is bounded by the request timeout and -MaxAttempts' {
            $env:GITLABSTS_STS_TIMEOUT_SECONDS = '1'
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'pass'; action = 'AssumeRole' }, @{ fault = 'hang'; action = 'AssumeRole'; seconds = 20; count = 5 }
            $err = $null
            $watch = [Diagnostics.Stopwatch]::StartNew()
            try { Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -MaxAttempts 2 -ErrorAction Stop } catch { $err = $_ }
            $watch.Stop()
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.NetworkError*'
            $err.Exception.Message | Should -BeLike "*hop 2 of 2 ($Spoke2)*after 2 attempts*"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 3
        }
    }

    Describe 'Local refusals make no request' {
        It '<Name> is <Id> with no STS request, from each cmdlet' -ForEach @(
            @{ Name = '-ChainDurationSeconds 3601'; Id = 'GitlabSts.InvalidDuration'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer'; ChainDurationSeconds = 3601 } }
            @{ Name = '-ChainDurationSeconds 7200'; Id = 'GitlabSts.InvalidDuration'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer'; ChainDurationSeconds = 7200 } }
            @{ Name = '-ChainDurationSeconds 899'; Id = 'GitlabSts.InvalidDuration'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer'; ChainDurationSeconds = 899 } }
            @{ Name = 'a malformed second hop'; Id = 'GitlabSts.InvalidRoleArn'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer', 'arn:aws:iam::4444:role/x' } }
            @{ Name = 'a second hop in another partition'; Id = 'GitlabSts.InvalidRoleArn'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer', 'arn:aws-cn:iam::444455556666:role/x' } }
            @{ Name = 'a bad -ChainRoleSessionName'; Id = 'GitlabSts.InvalidSessionName'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer'; ChainRoleSessionName = 'no spaces' } }
            @{ Name = 'a malformed -AllowedAccountId'; Id = 'GitlabSts.AccountNotAllowed'; Extra = @{ AllowedAccountId = '4444-5555-6666' } }
            @{ Name = 'a final role outside -AllowedAccountId'; Id = 'GitlabSts.AccountNotAllowed'; Extra = @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer'; AllowedAccountId = '777788889999' } }
        ) {
            $base = @{ RoleArn = $Hub; WebIdentityToken = $Token; EndpointUrl = $Fault.Url; ErrorAction = 'Stop' }
            foreach ($cmdlet in 'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile') {
                $call = $base + $Extra
                if ($cmdlet -eq 'Set-GitlabAwsProfile') { $call += @{ Mode = 'Credential'; ConfigPath = (Join-Path $Work 'refusal.config'); CredentialsPath = (Join-Path $Work 'refusal.credentials') } }
                $err = $null
                try { & $cmdlet @call } catch { $err = $_ }
                $err.FullyQualifiedErrorId | Should -BeLike "$Id*" -Because $cmdlet
                Test-Path (Join-Path $Work 'refusal.credentials') | Should -BeFalse
            }
            if ($Id -ne 'GitlabSts.AccountNotAllowed' -or $Name -like 'a malformed*') {
                $err = $null
                try { Test-GitlabOidcRole @base @Extra } catch { $err = $_ }
                $err.FullyQualifiedErrorId | Should -BeLike "$Id*" -Because 'Test-GitlabOidcRole refuses an invalid invocation'
            }
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
        }
    }

    Describe 'The account guard leaves nothing behind' {
        It 'a wrong account with -SetEnvironment sets no variable (refused before any request)' {
            $env:AWS_ACCESS_KEY_ID = 'AKIAEARLIERVALUE0001'
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -AllowedAccountId 777788889999 -SetEnvironment -Region eu-west-1 -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccountNotAllowed*'
            "$($err.CategoryInfo.Category)" | Should -Be 'SecurityError'
            $err.Exception.Message | Should -BeLike '*444455556666*777788889999*'
            $env:AWS_ACCESS_KEY_ID | Should -Be 'AKIAEARLIERVALUE0001'
            foreach ($v in $AwsVariables | Where-Object { $_ -ne 'AWS_ACCESS_KEY_ID' }) { Test-Path "Env:$v" | Should -BeFalse -Because $v }
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
        }

        It 'credentials STS returns for another account are refused after the chain, with -SetEnvironment setting nothing' {
            $env:GITLABSTS_ALLOWED_ACCOUNT_IDS = '111122223333, 444455556666'
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'empty'; action = 'AssumeRole'; status = 200; body = $OtherAccountAnswer; contentType = 'text/xml' }
            $err = $null
            $records = try { Get-GitlabWebIdentityCredential -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -SetEnvironment -Region eu-west-1 -ErrorAction Stop -Verbose 4>&1 } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccountNotAllowed*'
            $err.Exception.Message | Should -BeLike '*account 999999999999 (STS returned arn:aws:sts::999999999999:assumed-role/deployer/pester)*nothing was output, set in the environment or written*'
            foreach ($v in $AwsVariables) { Test-Path "Env:$v" | Should -BeFalse -Because $v }
            (Get-FaultStsStats -Sts $Fault).Actions['AssumeRole'] | Should -Be 1
            Assert-NoSecret -Text (($err | Out-String) + ($records | Out-String)) -Secret 'other-account-secret-wJalrXUtnFEMI/K7MDENG', 'other-account-session-token-AQoDYXdzEE0a8ANXXXXXXXX' -Where 'the guard error'
        }

        It 'a wrong account with -OutputFormat CredentialProcess exits non-zero with nothing on stdout' {
            $r = Invoke-FreshPwsh -Script "Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn '$Hub' -ChainRoleArn '$Spoke' -EndpointUrl '$($Fault.Url)' -OutputFormat CredentialProcess" `
                -Environment @{ GITLAB_OIDC_TOKEN = $Token; GITLABSTS_ALLOWED_ACCOUNT_IDS = '111122223333' }
            $r.ExitCode | Should -Not -Be 0
            $r.StdOut | Should -BeNullOrEmpty
            $r.StdErr | Should -Match 'GitlabSts.AccountNotAllowed|not an allowed account'
            $r.StdErr | Should -Not -Match "`e\["
        }

        It 'a wrong account after STS with -OutputFormat CredentialProcess exits non-zero with nothing on stdout' {
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'empty'; action = 'AssumeRole'; status = 200; body = $OtherAccountAnswer; contentType = 'text/xml' }
            $r = Invoke-FreshPwsh -Script "Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn '$Hub' -ChainRoleArn '$Spoke' -AllowedAccountId 444455556666 -EndpointUrl '$($Fault.Url)' -OutputFormat CredentialProcess" `
                -Environment @{ GITLAB_OIDC_TOKEN = $Token }
            $r.ExitCode | Should -Not -Be 0
            $r.StdOut | Should -BeNullOrEmpty
            $r.StdErr | Should -Match '999999999999'
            Assert-NoSecret -Text ($r.StdOut + $r.StdErr) -Secret 'other-account-secret-wJalrXUtnFEMI/K7MDENG', 'other-account-session-token-AQoDYXdzEE0a8ANXXXXXXXX' -Where 'the process output'
        }

        It 'Set-GitlabAwsProfile -Mode <_> with a wrong account writes no file' -ForEach 'WebIdentity', 'Credential', 'CredentialProcess' {
            $dir = New-Item -ItemType Directory -Path (Join-Path $Work "guard-$_-$([guid]::NewGuid())") -Force
            $env:GITLAB_OIDC_TOKEN = $Token
            $err = $null
            try {
                Set-GitlabAwsProfile -Mode $_ -RoleArn $Hub -TokenVariable GITLAB_OIDC_TOKEN -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -AllowedAccountId 111122223333 `
                    -ConfigPath (Join-Path $dir 'config') -CredentialsPath (Join-Path $dir 'credentials') -TokenFilePath (Join-Path $dir 'token') -ErrorAction Stop
            }
            catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccountNotAllowed*'
            @(Get-ChildItem -LiteralPath $dir -Force) | Should -BeNullOrEmpty
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
        }

        It 'Set-GitlabAwsProfile -Mode Credential writes the last hop''s keys' {
            $dir = New-Item -ItemType Directory -Path (Join-Path $Work "cred-$([guid]::NewGuid())") -Force
            $env:GITLAB_OIDC_TOKEN = $Token
            Set-GitlabAwsProfile -Mode Credential -ProfileName chained -RoleArn $Hub -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -AllowedAccountId 777788889999 `
                -ConfigPath (Join-Path $dir 'config') -CredentialsPath (Join-Path $dir 'credentials')
            $text = Get-Content -Raw (Join-Path $dir 'credentials')
            $id = [regex]::Match($text, 'aws_access_key_id = (\S+)').Groups[1].Value
            $secret = [regex]::Match($text, 'aws_secret_access_key = (\S+)').Groups[1].Value
            $session = [regex]::Match($text, 'aws_session_token = (\S+)').Groups[1].Value
            Get-CallerArn $id $secret $session | Should -BeLike 'arn:aws:sts::777788889999:assumed-role/deployer-2/*'
        }

        It 'Set-GitlabAwsProfile -Mode CredentialProcess writes a line that runs the chain and keeps the guard' {
            $dir = New-Item -ItemType Directory -Path (Join-Path $Work "cp-$([guid]::NewGuid())") -Force
            $env:GITLAB_OIDC_TOKEN = $Token
            Set-GitlabAwsProfile -Mode CredentialProcess -ProfileName chained -RoleArn $Hub -EndpointUrl $Fault.Url -ChainRoleArn $Spoke, $Spoke2 -AllowedAccountId 777788889999 `
                -ConfigPath (Join-Path $dir 'config') -CredentialsPath (Join-Path $dir 'credentials')
            $line = [regex]::Match((Get-Content -Raw (Join-Path $dir 'config')), '(?m)^credential_process = (.+)$').Groups[1].Value.Trim()
            $script = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(($line -split ' ')[-1]))
            $script | Should -BeLike "* -ChainRoleArn '$Spoke','$Spoke2' *-AllowedAccountId '777788889999'*"
            # The line as a shell runs it: JSON with the last hop's keys.
            $r = Invoke-Program sh @('-c', $line) -Environment @{ GITLAB_OIDC_TOKEN = $Token }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $json = $r.StdOut | ConvertFrom-Json
            Get-CallerArn $json.AccessKeyId $json.SecretAccessKey $json.SessionToken | Should -BeLike 'arn:aws:sts::777788889999:assumed-role/deployer-2/*'
        }

        It 'Test-GitlabOidcRole reports a wrong account as a failing AllowedAccount check, live, without throwing' {
            $r = Test-GitlabOidcRole -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -AllowedAccountId 111122223333 -ErrorAction Stop
            $r.Success | Should -BeFalse
            $guard = $r.Checks | Where-Object Name -eq 'AllowedAccount'
            "$($guard.Result)" | Should -Be 'Fail'
            $guard.Detail | Should -BeLike '*Account 444455556666, the final credentials'' account (GetCallerIdentity: arn:aws:sts::444455556666:*'
            $r.ErrorCode | Should -Be 'AccountNotAllowed'
            (Test-GitlabOidcRole -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -AllowedAccountId 111122223333 -Quiet) | Should -BeFalse
            (Test-GitlabOidcRole -RoleArn $Hub -WebIdentityToken $Token -EndpointUrl $Fault.Url -ChainRoleArn $Spoke -AllowedAccountId 444455556666 -Quiet) | Should -BeTrue
        }
    }
}
