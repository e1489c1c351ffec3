# Get-GitlabWebIdentityCredential on the built module, against moto (and a fault-injecting STS in front of it).
Describe 'Get-GitlabWebIdentityCredential' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
    }

    AfterAll {
        Stop-StsFixture
    }

    BeforeEach { $script:SavedEnv = Save-TestEnvironment }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Token sources' {
        It 'exchanges a token given with -WebIdentityToken' {
            $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url -RoleSessionName 'pester-text'
            $c | Should -BeOfType ([GitlabSts.WebIdentityCredential])
            $c.AccessKeyId | Should -Match '^ASIA'
            $c.SecretAccessKey | Should -Not -BeNullOrEmpty
            $c.SessionToken | Should -Not -BeNullOrEmpty
            $c.Expiration.Kind | Should -Be 'Utc'
            $c.Expiration | Should -BeGreaterThan ([DateTime]::UtcNow)
            $c.AssumedRoleArn | Should -Be 'arn:aws:sts::123456789012:assumed-role/gitlab-deployer/pester-text'
            $c.AccountId | Should -Be '123456789012'
            $c.RoleSessionName | Should -Be 'pester-text'
            $c.RoleArn | Should -Be $TestRoleArn
        }

        It 'exchanges a token named with -TokenVariable' {
            $env:MY_ID_TOKEN = $Token
            $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -TokenVariable MY_ID_TOKEN -EndpointUrl $Moto.Url
            $c.AccessKeyId | Should -Match '^ASIA'
        }

        It 'exchanges a token read with -TokenFile, relative to the current location, with a trailing newline' {
            $dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid())) -Force
            Set-Content -Path (Join-Path $dir 'token.jwt') -Value $Token
            Push-Location $dir
            try { $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -TokenFile ./token.jwt -EndpointUrl $Moto.Url }
            finally { Pop-Location; Remove-Item $dir -Recurse -Force }
            $c.AccessKeyId | Should -Match '^ASIA'
        }

        It 'discovers GITLAB_OIDC_TOKEN' {
            $env:GITLAB_OIDC_TOKEN = $Token
            (Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url).AccessKeyId | Should -Match '^ASIA'
        }

        It 'discovers an id_tokens: variable by its issuer, and picks among several by -Audience' {
            $env:CI_SERVER_URL = 'https://gitlab.com'
            $env:AWS_TOKEN = $Token
            $env:VAULT_TOKEN = New-GitlabIdToken -Key $Key -Audience 'https://vault.example.com'
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AmbiguousToken*'
            $err.Exception.Message | Should -Match 'AWS_TOKEN'
            $err.Exception.Message | Should -Match 'VAULT_TOKEN'
            Assert-NoSecret -Text ($err | Out-String) -Secret $Token, $env:VAULT_TOKEN -Where 'the AmbiguousToken error'

            $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -Audience 'sts.amazonaws.com' -Verbose 4>&1
            ($c | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'environment variable AWS_TOKEN'
        }

        It 'falls back to CI_JOB_JWT_V2 with a deprecation warning' {
            $env:CI_JOB_JWT_V2 = $Token
            $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -WarningVariable warnings -WarningAction SilentlyContinue
            $c.AccessKeyId | Should -Match '^ASIA'
            "$warnings" | Should -Match '15\.9'
            "$warnings" | Should -Match 'id_tokens:'
        }

        It 'names the job in the default session name' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $env:CI_JOB_ID = '9000000001'; $env:CI_PROJECT_ID = '987654'; $env:CI_PIPELINE_ID = '1500000001'
            (Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url).RoleSessionName |
                Should -Be 'GitLabRunner-987654-1500000001-9000000001'
        }
    }

    Describe 'Environment defaults' {
        It 'reads ROLE_ARN, AWS_REGION and AWS_ENDPOINT_URL_STS' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $env:ROLE_ARN = 'arn:aws:iam::123456789012:role/from-env'
            $env:AWS_REGION = 'eu-central-1'
            $env:AWS_ENDPOINT_URL_STS = $Moto.Url
            $c = Get-GitlabWebIdentityCredential
            $c.RoleArn | Should -Be 'arn:aws:iam::123456789012:role/from-env'
            $c.AssumedRoleArn | Should -BeLike 'arn:aws:sts::123456789012:assumed-role/from-env/*'
            $c.Region | Should -Be 'eu-central-1'
        }

        It 'reads AWS_ROLE_ARN and AWS_ENDPOINT_URL when the preferred names are unset' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $env:AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/aws-role-arn'
            $env:AWS_ENDPOINT_URL = $Moto.Url
            (Get-GitlabWebIdentityCredential).RoleArn | Should -Be 'arn:aws:iam::123456789012:role/aws-role-arn'
        }
    }

    Describe '-SetEnvironment and -OutputFormat CredentialProcess' {
        It 'sets the AWS variables that a real AWS CLI then uses' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $out = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -Region eu-west-1 -RoleSessionName 'cli-check' -SetEnvironment
            $out | Should -BeNullOrEmpty
            $env:AWS_ACCESS_KEY_ID | Should -Match '^ASIA'
            $env:AWS_SECRET_ACCESS_KEY | Should -Not -BeNullOrEmpty
            $env:AWS_SESSION_TOKEN | Should -Not -BeNullOrEmpty
            $env:AWS_CREDENTIAL_EXPIRATION | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'
            $env:AWS_REGION | Should -Be 'eu-west-1'
            $env:AWS_DEFAULT_REGION | Should -Be 'eu-west-1'

            $env:AWS_ENDPOINT_URL = $Moto.Url
            $identity = & python3 -m awscli sts get-caller-identity --output json | ConvertFrom-Json
            $LASTEXITCODE | Should -Be 0
            $identity.Arn | Should -Be 'arn:aws:sts::123456789012:assumed-role/gitlab-deployer/cli-check'
        }

        It 'does not set region variables when no region was given' {
            $env:GITLAB_OIDC_TOKEN = $Token
            Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -SetEnvironment
            $env:AWS_ACCESS_KEY_ID | Should -Match '^ASIA'
            $env:AWS_REGION | Should -BeNullOrEmpty
        }

        It 'writes one line of credential_process JSON and nothing else to stdout, in a fresh process' {
            $script = "Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -OutputFormat CredentialProcess"
            $r = Invoke-FreshPwsh -Script $script -Environment @{ GITLAB_OIDC_TOKEN = $Token; AWS_ENDPOINT_URL_STS = $Moto.Url }
            $r.ExitCode | Should -Be 0
            $lines = @($r.StdOut -split "`r?`n" | Where-Object { $_ })
            $lines.Count | Should -Be 1
            $json = $lines[0] | ConvertFrom-Json
            @($json.PSObject.Properties.Name) | Should -Be @('Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration')
            $json.Version | Should -Be 1
            $lines[0] | Should -Match '"Expiration":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"'
        }
    }

    Describe 'Errors carry the contract''s ids' {
        BeforeEach { $env:GITLAB_OIDC_TOKEN = $Token }

        It '<Name> -> <Id> (<Category>)' -ForEach @(
            @{ Name = 'bad ARN'; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Params = @{ RoleArn = 'arn:aws:iam::12345678901:role/x' } }
            @{ Name = 'user ARN'; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Params = @{ RoleArn = 'arn:aws:iam::123456789012:user/bob' } }
            @{ Name = 'no ARN'; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Params = @{} }
            @{ Name = 'short session'; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Params = @{ RoleSessionName = 'x' } }
            @{ Name = 'duration'; Id = 'GitlabSts.InvalidDuration'; Category = 'InvalidArgument'; Params = @{ DurationSeconds = 60 } }
            @{ Name = 'policy'; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Params = @{ Policy = '{not json' } }
            @{ Name = 'region partition'; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Params = @{ Region = 'cn-north-1' } }
            @{ Name = 'gov no region'; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Params = @{ RoleArn = 'arn:aws-us-gov:iam::123456789012:role/x' } }
            @{ Name = 'malformed'; Id = 'GitlabSts.MalformedToken'; Category = 'InvalidData'; Params = @{ WebIdentityToken = 'abc.def' } }
            @{ Name = 'missing file'; Id = 'GitlabSts.TokenNotFound'; Category = 'ObjectNotFound'; Params = @{ TokenFile = '/nonexistent/token' } }
        ) {
            $p = @{ EndpointUrl = $Fault.Url }
            if ($Name -ne 'no ARN') { $p.RoleArn = $TestRoleArn }
            foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
            Reset-FaultSts -Sts $Fault
            $err = $null
            try { Get-GitlabWebIdentityCredential @p -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            "$($err.CategoryInfo.Category)" | Should -Be $Category
            $err.Exception.Message | Should -Not -Match 'at GitlabSts\.|   at '
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0 -Because 'a local check needs no STS request'
        }

        It 'an expired token -> GitlabSts.TokenExpired with the time it expired, before any STS call' {
            $expired = New-GitlabIdToken -Key $Key -IssuedAt ([DateTimeOffset]::UtcNow.AddHours(-2)) -ExpiresIn ([TimeSpan]::FromHours(1))
            Reset-FaultSts -Sts $Fault
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $expired -EndpointUrl $Fault.Url -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.TokenExpired,*'
            $err.Exception.Message | Should -Match 'expired at \d{4}-\d\d-\d\dT'
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 0
        }

        It 'no token anywhere -> GitlabSts.TokenNotFound with the id_tokens: YAML' {
            Remove-Item Env:GITLAB_OIDC_TOKEN
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.TokenNotFound,*'
            $err.Exception.Message | Should -Match 'id_tokens:'
            $err.Exception.Message | Should -Match 'aud: sts.amazonaws.com'
        }

        It 'STS AccessDenied -> GitlabSts.AccessDenied naming the claims and the next step, tried exactly once' {
            Reset-FaultSts -Sts $Fault
            Set-FaultStsScript -Sts $Fault -Faults 'AccessDenied'
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccessDenied,*'
            "$($err.CategoryInfo.Category)" | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -Match "iss 'https://gitlab.com'"
            $err.Exception.Message | Should -Match 'gitlab.com:sub'
            $err.Exception.Message | Should -Match 'Test-GitlabOidcRole'
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 1
        }

        It 'a refused connection -> GitlabSts.NetworkError after -MaxAttempts attempts' {
            $port = Get-FreeTcpPort
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl "http://127.0.0.1:$port" -MaxAttempts 2 -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.NetworkError,*'
            $err.Exception.Message | Should -Match 'after 2 attempts'
        }
    }

    Describe 'Retries' {
        BeforeEach { $env:GITLAB_OIDC_TOKEN = $Token; Reset-FaultSts -Sts $Fault }

        It 'retries transient failures and then succeeds, saying so in verbose messages' {
            Set-FaultStsScript -Sts $Fault -Faults 'Throttling', 'http503', 'IDPCommunicationError'
            $all = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -Verbose 4>&1
            $credential = $all | Where-Object { $_ -is [GitlabSts.WebIdentityCredential] }
            $credential.AccessKeyId | Should -Match '^ASIA'
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 4
            @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'retrying in' }).Count | Should -Be 3
        }

        It 'gives up after -MaxAttempts with the mapped id' {
            Set-FaultStsScript -Sts $Fault -Faults @() -Default 'IDPCommunicationError'
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -MaxAttempts 3 -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.IdpCommunicationError,*'
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 3
        }

        It 'never retries <FaultName>' -ForEach @(
            @{ FaultName = 'AccessDenied'; Id = 'GitlabSts.AccessDenied' }
            @{ FaultName = 'ExpiredTokenException'; Id = 'GitlabSts.TokenExpired' }
            @{ FaultName = 'InvalidIdentityToken'; Id = 'GitlabSts.InvalidIdentityToken' }
            @{ FaultName = 'RegionDisabledException'; Id = 'GitlabSts.StsError' }
        ) {
            Set-FaultStsScript -Sts $Fault -Faults @() -Default $FaultName
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 1
        }

        It 'stops promptly when the pipeline is stopped (Ctrl+C) during a hanging call' {
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'hang'; seconds = 30 }
            $ps = [PowerShell]::Create()
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken '$Token' -EndpointUrl '$($Fault.Url)'")
            $handle = $ps.BeginInvoke()
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(10)
                while ((Get-FaultStsStats -Sts $Fault).Total -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            }
            finally { $stop = Stop-TestPipeline -PowerShell $ps -Handle $handle }
            $stop.Seconds | Should -BeLessThan 3
            $stop.Completed | Should -BeTrue
            $stop.State | Should -Be 'Stopped'
        }
    }

    Describe 'Secrets never leak' {
        It 'appear in no stream, view or error, with -Verbose -Debug' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $output = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -Verbose -Debug *>&1
            $credential = $output | Where-Object { $_ -is [GitlabSts.WebIdentityCredential] }
            $secrets = $Token, $credential.SecretAccessKey, $credential.SessionToken
            $text = ($output | Out-String -Width 500) + ($credential | Format-Table | Out-String -Width 500) +
                ($credential | Format-List | Out-String -Width 500) + "$credential" +
                ((Get-Command Get-Command), $credential | Out-String -Width 500)
            Assert-NoSecret -Text $text -Secret $secrets -Where 'the output streams and default views'

            Reset-FaultSts -Sts $Fault
            Set-FaultStsScript -Sts $Fault -Faults 'AccessDenied'
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Fault.Url -Verbose -Debug -ErrorAction Stop *>&1 | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $errorText = ($err | Out-String) + ($err | Format-List * -Force | Out-String) + $err.Exception.ToString() + "$($err.TargetObject)"
            Assert-NoSecret -Text $errorText -Secret $Token -Where 'the AccessDenied error'
        }
    }
}
