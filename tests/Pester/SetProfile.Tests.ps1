# Set-GitlabAwsProfile on the built module, read back by real AWS readers (AWS CLI v1, AWS CLI v2, boto3, the AWS SDK
# for .NET) against moto. What each reader can do here: ../../../shared/TESTING.md (CLI v2 2.9.19 ignores
# AWS_ENDPOINT_URL and its web-identity provider always calls the real STS: it only parses web-identity profiles).
Describe 'Set-GitlabAwsProfile' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
        $script:Dependencies = Join-Path (Split-Path -Parent $ModuleManifest) 'bin/net8.0/dependencies'
        $script:AwsV2 = '/usr/bin/aws'
        $script:TempRoots = [Collections.Generic.List[string]]::new()

        # AWS CLI v1 caches web-identity credentials in ~/.aws/cli/cache under a key made of the role and session name
        # (not the token): session names unique to this run keep an earlier run's keys (of another moto) out.
        $script:Run = [guid]::NewGuid().ToString('N').Substring(0, 8)
        function Get-AssumedArn([string] $Session) { "arn:aws:sts::123456789012:assumed-role/gitlab-deployer/$Session-$Run" }

        # Credentials as Get-GitlabWebIdentityCredential returns them, without an exchange (for refusals and -Region tests).
        function New-FakeCredential([string] $Region) {
            $c = [GitlabSts.WebIdentityCredential]::new()
            $c.AccessKeyId = 'ASIAFAKEEXAMPLE00001'
            $c.SecretAccessKey = 'fake-secret-access-key-example'
            $c.SessionToken = 'fake-session-token-example'
            $c.RoleArn = $TestRoleArn
            $c.RoleSessionName = 'fake'
            $c.Expiration = [DateTime]::UtcNow.AddHours(1)
            $c.Region = $Region
            $c
        }

        . (Join-Path $PSScriptRoot 'ProfileReaders.ps1')

        function Assert-SameTree($Before, $After) {
            ($After.Keys -join "`n") | Should -Be ($Before.Keys -join "`n")
            foreach ($k in $Before.Keys) { $After[$k] | Should -Be $Before[$k] -Because "'$k' must not change" }
        }

        function Get-Mode([string] $Path) { '{0}' -f [Convert]::ToString([int](Get-Item -LiteralPath $Path -Force).UnixFileMode, 8) }

        # A hand-written config a developer might have: comments (# and ;), [default], other profiles, an sso-session,
        # a services section, nested s3 blocks, CRLF line endings. The target [profile oidc] sits in the middle.
        $script:ConfigPrefix = (@(
                '# Company AWS config (hand-written)'
                '; a semicolon comment'
                '[default]'
                'region = us-east-1'
                'output = json'
                ''
                '[profile dev]'
                'region = eu-west-1'
                '# comment inside a section'
                's3 ='
                '    max_concurrent_requests = 20'
                '    addressing_style = path'
                'sso_session = corp'
                ''
                '[sso-session corp]'
                'sso_start_url = https://corp.awsapps.com/start'
                'sso_region = eu-west-1'
                'sso_registration_scopes = sso:account:access'
                ''
                ''
            ) -join "`r`n")
        $script:ConfigOldTarget = (@(
                '[profile oidc]'
                'role_arn = arn:aws:iam::111111111111:role/old'
                '; stale comment between the old keys'
                'web_identity_token_file = /old/token'
                's3 ='
                '  use_accelerate_endpoint = true'
                ''
            ) -join "`r`n")
        $script:ConfigSuffix = (@(
                ''
                '# the next section''s comment stays'
                '[services local]'
                'sts ='
                '  endpoint_url = http://127.0.0.1:9'
                ''
                '[profile prod]'
                'region=ap-southeast-2'
                'cli_pager='
                ''
            ) -join "`r`n")
        $script:CredentialsText = (@(
                '# credentials'
                '[default]'
                'aws_access_key_id = AKIADEFAULTEXAMPLE00'
                'aws_secret_access_key = default-secret-example'
                ''
                '; legacy tool'
                '[legacy]'
                'aws_access_key_id=AKIALEGACYEXAMPLE000'
                'aws_secret_access_key=legacy-secret-example'
                ''
            ) -join "`r`n")
    }

    AfterAll {
        Stop-MotoServer -Server $script:Moto
        foreach ($dir in $script:TempRoots) { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }
    }

    BeforeEach { $script:SavedEnv = Save-TestEnvironment }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Every mode is read by every AWS reader' {
        BeforeAll {
            $script:ReaderEnv = Save-TestEnvironment
            $script:ReaderDir = New-AwsFolder
            # The outer BeforeEach isolates every test from these variables: set them again before each test here.
            $script:ReaderVariables = @{
                AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE
                AWS_ENDPOINT_URL = $Moto.Url; AWS_ENDPOINT_URL_STS = $Moto.Url; GITLAB_OIDC_TOKEN = $Token
            }
            foreach ($n in $ReaderVariables.Keys) { Set-Item -Path "Env:$n" -Value $ReaderVariables[$n] }
            $common = @{ RoleArn = $TestRoleArn; EndpointUrl = $Moto.Url; Region = 'eu-west-1' }

            Set-GitlabAwsProfile -ProfileName web @common -WebIdentityToken $Token -RoleSessionName "pester-web-$Run"
            Get-GitlabWebIdentityCredential @common -WebIdentityToken $Token -RoleSessionName "pester-piped-$Run" | Set-GitlabAwsProfile -ProfileName piped -Region eu-west-1
            Set-GitlabAwsProfile -ProfileName static -Mode Credential @common -WebIdentityToken $Token -RoleSessionName "pester-static-$Run"
            Set-GitlabAwsProfile -ProfileName proc -Mode CredentialProcess @common -TokenVariable GITLAB_OIDC_TOKEN -RoleSessionName "pester-proc-$Run"
            # Tests of this block run with this environment (the outer BeforeEach saves and restores around each).
        }

        AfterAll { Restore-TestEnvironment $script:ReaderEnv }

        BeforeEach { foreach ($n in $ReaderVariables.Keys) { Set-Item -Path "Env:$n" -Value $ReaderVariables[$n] } }

        It '<Mode> profile [<Profile>] -> <Reader> GetCallerIdentity' -ForEach @(
            foreach ($reader in 'AwsCliV1', 'Boto3', 'DotnetSdk') {
                @{ Mode = 'WebIdentity'; Profile = 'web'; Session = 'pester-web'; Reader = $reader; Detail = @{ Boto3 = 'assume-role-with-web-identity'; DotnetSdk = 'AssumeRoleWithWebIdentityCredentials' }[$reader] }
            }
            foreach ($reader in 'AwsCliV1', 'AwsCliV2', 'Boto3', 'DotnetSdk') {
                @{ Mode = 'Credential (piped)'; Profile = 'piped'; Session = 'pester-piped'; Reader = $reader; Detail = @{ Boto3 = 'shared-credentials-file'; DotnetSdk = 'SessionAWSCredentials' }[$reader] }
                @{ Mode = 'Credential (exchanged by the cmdlet)'; Profile = 'static'; Session = 'pester-static'; Reader = $reader; Detail = @{ Boto3 = 'shared-credentials-file'; DotnetSdk = 'SessionAWSCredentials' }[$reader] }
                @{ Mode = 'CredentialProcess'; Profile = 'proc'; Session = 'pester-proc'; Reader = $reader; Detail = @{ Boto3 = 'custom-process'; DotnetSdk = 'ProcessAWSCredentials' }[$reader] }
            }
        ) {
            $result = Invoke-Reader -Reader $Reader -ProfileName $Profile
            $result.Arn | Should -Be (Get-AssumedArn $Session)
            # The reader took its credentials from the profile in the expected way (not from somewhere else).
            if ($Detail) { $result.Detail | Should -Be $Detail }
        }

        It 'AWS CLI v2 parses the WebIdentity profile (it cannot call moto for web identity)' {
            $get = { param($k) (Invoke-Program $AwsV2 @('configure', 'get', $k, '--profile', 'web')).StdOut.Trim() }
            & $get role_arn | Should -Be $TestRoleArn
            & $get web_identity_token_file | Should -Be (Join-Path $ReaderDir 'gitlabsts/web.token')
            & $get role_session_name | Should -Be "pester-web-$Run"
            & $get duration_seconds | Should -Be '3600'
            & $get region | Should -Be 'eu-west-1'
            [IO.File]::ReadAllText((& $get web_identity_token_file)) | Should -BeExactly $Token
        }

        It 'AWS CLI v2 "configure list" shows where each static/process profile''s credentials come from' {
            $list = Invoke-Program $AwsV2 @('configure', 'list', '--profile', 'static')
            $list.ExitCode | Should -Be 0
            $list.StdOut | Should -Match 'access_key\s+\*+\w{4}\s+shared-credentials-file'
            $list.StdOut | Should -Match 'region\s+eu-west-1\s+config-file'
            $proc = Invoke-Program $AwsV2 @('configure', 'list', '--profile', 'proc')
            $proc.ExitCode | Should -Be 0
            $proc.StdOut | Should -Match 'access_key\s+\*+\w{4}\s+custom-process'
        }

        It 'keeps the token out of the config file and the keys out of the config file' {
            $config = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            Assert-NoSecret -Text $config -Secret $Token -Where 'the config file'
            $credentials = [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE)
            Assert-NoSecret -Text $credentials -Secret $Token -Where 'the credentials file'
            $credentials | Should -Match '(?m)^\[piped\]$'
            $credentials | Should -Match '(?m)^\[static\]$'
            $credentials | Should -Not -Match '(?m)^\[(web|proc)\]$'
            $config | Should -Not -Match 'aws_secret_access_key|aws_session_token'
        }
    }

    Describe 'Editing a hand-written config' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
        }

        It 'changes only [profile oidc] (merged): every other byte, CRLF included, stays; a second write changes nothing' {
            $p = @{ RoleArn = $TestRoleArn; WebIdentityToken = $Token; RoleSessionName = 'pester-edit'; Region = 'eu-west-1' }
            Set-GitlabAwsProfile @p
            $first = [IO.File]::ReadAllBytes($env:AWS_CONFIG_FILE)
            $text = [Text.Encoding]::UTF8.GetString($first)
            $text.StartsWith($ConfigPrefix, [StringComparison]::Ordinal) | Should -BeTrue -Because 'the bytes before the section stay'
            $text.EndsWith($ConfigSuffix, [StringComparison]::Ordinal) | Should -BeTrue -Because 'the bytes after the section stay'
            $section = $text.Substring($ConfigPrefix.Length, $text.Length - $ConfigPrefix.Length - $ConfigSuffix.Length)
            $tokenPath = Join-Path $Dir 'gitlabsts/oidc.token'
            # Merged as `aws configure set` does: our keys set in place, the comment and the s3 block it does not manage stay.
            $section | Should -BeExactly ((@('[profile oidc]', "role_arn = $TestRoleArn", '; stale comment between the old keys', "web_identity_token_file = $tokenPath",
                        's3 =', '  use_accelerate_endpoint = true', 'role_session_name = pester-edit', 'duration_seconds = 3600', 'region = eu-west-1') -join "`r`n") + "`r`n")
            [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE) | Should -BeExactly $CredentialsText

            Set-GitlabAwsProfile @p
            [IO.File]::ReadAllBytes($env:AWS_CONFIG_FILE) | Should -Be $first
            [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE) | Should -BeExactly $CredentialsText

            # The readers still see the other profiles as before.
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 's3.addressing_style', '--profile', 'dev')).StdOut.Trim() | Should -Be 'path'
            (Invoke-Program $AwsV2 @('configure', 'get', 'region', '--profile', 'prod')).StdOut.Trim() | Should -Be 'ap-southeast-2'
            (Invoke-Program $AwsV2 @('configure', 'get', 'role_arn', '--profile', 'oidc')).StdOut.Trim() | Should -Be $TestRoleArn
        }

        It 'adds a new profile at the end with CRLF, after a blank line, and keeps the rest' {
            Set-GitlabAwsProfile -ProfileName added -RoleArn $TestRoleArn -WebIdentityToken $Token -RoleSessionName "pester-add-$Run"
            $before = $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix
            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text.StartsWith($before, [StringComparison]::Ordinal) | Should -BeTrue
            $added = $text.Substring($before.Length)
            $added | Should -Match '^\r\n\[profile added\]\r\n'
            ($added -replace "`r`n", '') | Should -Not -Match "[`r`n]" -Because 'new lines use the file''s CRLF endings'
        }

        It 'Credential mode changes only [NAME] in the credentials file and [profile NAME] in the config' {
            $cred = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url -RoleSessionName "pester-cred-edit-$Run"
            $cred | Set-GitlabAwsProfile -ProfileName legacy -Region eu-north-1
            $credText = [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE)
            $legacyStart = $CredentialsText.IndexOf('[legacy]')
            $credText.StartsWith($CredentialsText.Substring(0, $legacyStart), [StringComparison]::Ordinal) | Should -BeTrue
            $credText.Substring($legacyStart) | Should -BeExactly ("[legacy]`r`naws_access_key_id = $($cred.AccessKeyId)`r`naws_secret_access_key = $($cred.SecretAccessKey)`r`naws_session_token = $($cred.SessionToken)`r`n")
            $config = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $config.StartsWith($ConfigPrefix + $ConfigOldTarget + $ConfigSuffix, [StringComparison]::Ordinal) | Should -BeTrue
            $config.Substring(($ConfigPrefix + $ConfigOldTarget + $ConfigSuffix).Length) | Should -BeExactly "`r`n[profile legacy]`r`nregion = eu-north-1`r`n"

            $env:AWS_ENDPOINT_URL = $Moto.Url
            (Invoke-Reader -Reader AwsCliV1 -ProfileName legacy).Arn | Should -Be (Get-AssumedArn 'pester-cred-edit')
        }
    }

    Describe '16 concurrent pwsh processes' {
        It 'all write their own profile into one file, and every pre-existing byte stays' {
            $dir = New-AwsFolder
            $original = $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $original)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
            $go = Join-Path $dir 'go'
            $processes = foreach ($i in 1..16) {
                $name = 'c{0:d2}' -f $i
                # Each process imports the module, says it is ready, waits for the common start signal, then writes.
                $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$ModuleManifest'; New-Item -ItemType File -Path '$dir/ready-$name' | Out-Null; " +
                "while (-not (Test-Path '$go')) { Start-Sleep -Milliseconds 5 }; " +
                "Set-GitlabAwsProfile -ProfileName $name -RoleArn '$TestRoleArn' -RoleSessionName 'pester-$name'"
                $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
                foreach ($a in @($PwshDll, '-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
                $psi.RedirectStandardError = $true
                $psi.RedirectStandardOutput = $true
                $psi.Environment['GITLAB_OIDC_TOKEN'] = $Token
                $p = [System.Diagnostics.Process]::Start($psi)
                [pscustomobject]@{ Name = $name; Process = $p; StdErr = $p.StandardError.ReadToEndAsync(); StdOut = $p.StandardOutput.ReadToEndAsync() }
            }
            $deadline = [DateTime]::UtcNow.AddMinutes(4)
            while (@(Get-ChildItem -Path $dir -Filter 'ready-*').Count -lt 16 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            New-Item -ItemType File -Path $go | Out-Null
            foreach ($p in $processes) {
                if (-not $p.Process.WaitForExit(240000)) { $p.Process.Kill($true) }
                $p.Process.ExitCode | Should -Be 0 -Because "$($p.Name): $($p.StdErr.Result)"
            }

            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text.StartsWith($original, [StringComparison]::Ordinal) | Should -BeTrue -Because 'every pre-existing byte stays'
            $sections = [regex]::Matches($text.Substring($original.Length), '(?m)^\[profile (c\d\d)\]\r$') | ForEach-Object { $_.Groups[1].Value }
            @($sections | Sort-Object) | Should -Be @(1..16 | ForEach-Object { 'c{0:d2}' -f $_ })
            [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE) | Should -BeExactly $CredentialsText
            # Every profile is complete and readable.
            $listed = (Invoke-Program $AwsV2 @('configure', 'list-profiles')).StdOut -split "`r?`n"
            foreach ($i in 1..16) { $listed | Should -Contain ('c{0:d2}' -f $i) }
            foreach ($i in 1..16) {
                $name = 'c{0:d2}' -f $i
                [IO.File]::ReadAllText((Join-Path $dir "gitlabsts/$name.token")) | Should -BeExactly $Token
            }
            @(Get-ChildItem -Path $dir -Force -Recurse -Filter '*.tmp') | Should -BeNullOrEmpty
        }
    }

    Describe 'Permissions' -Skip:($IsWindows) {
        It 'files it writes are 0600 (lock files too), folders it creates 0700' {
            $dir = New-AwsFolder
            $config = Join-Path $dir 'new/deeper/config'
            $credentials = Join-Path $dir 'creds/credentials'
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, "[other]`naws_access_key_id = AKIAOTHEREXAMPLE0000`n")
            [IO.File]::SetUnixFileMode($env:AWS_SHARED_CREDENTIALS_FILE, [IO.UnixFileMode]'UserRead, UserWrite, GroupRead, OtherRead')

            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -ConfigPath $config
            $cred = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url
            $cred | Set-GitlabAwsProfile -ProfileName static -ConfigPath $config -CredentialsPath $credentials
            $cred | Set-GitlabAwsProfile -ProfileName static2 -Region eu-west-1  # an existing 0644 credentials file

            Get-Mode $config | Should -Be '600'
            Get-Mode (Join-Path $dir 'new/deeper/gitlabsts/oidc.token') | Should -Be '600'
            Get-Mode $credentials | Should -Be '600'
            Get-Mode $env:AWS_SHARED_CREDENTIALS_FILE | Should -Be '600'
            Get-Mode $env:AWS_CONFIG_FILE | Should -Be '600'
            foreach ($d in 'new', 'new/deeper', 'new/deeper/gitlabsts', 'creds') { Get-Mode (Join-Path $dir $d) | Should -Be '700' -Because $d }
            $locks = @(Get-ChildItem -Path $dir -Force -Recurse -Filter '.*.gitlabsts.lock')
            @($locks.Name | Sort-Object -Unique) | Should -Be @('.config.gitlabsts.lock', '.credentials.gitlabsts.lock', '.oidc.token.gitlabsts.lock')
            foreach ($l in $locks) { Get-Mode $l.FullName | Should -Be '600' -Because $l.FullName }
        }
    }

    Describe '-WhatIf, -Confirm, -Verbose and secrets' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
        }

        It '-WhatIf in <Mode> mode writes nothing and names the sections and keys without secrets' -ForEach @(
            @{ Mode = 'WebIdentity'; Command = "Set-GitlabAwsProfile -WebIdentityToken `$env:GITLAB_OIDC_TOKEN -WhatIf -Verbose"; Expect = '\[profile oidc\]', 'role_arn = arn:aws:iam::123456789012:role/gitlab-deployer', 'web_identity_token_file = ', 'and remove, if present: credential_process', 'Remove aws_access_key_id, aws_secret_access_key, aws_session_token, aws_security_token from \[oidc\]' }
            # -WhatIf asks STS for nothing: the endpoint is a closed port, and the keys are described, not fetched.
            @{ Mode = 'Credential'; Command = "Set-GitlabAwsProfile -Mode Credential -ProfileName legacy -Region eu-west-1 -EndpointUrl http://127.0.0.1:9 -WhatIf -Verbose"; Expect = '\[legacy\]', 'aws_access_key_id = <from STS>', 'aws_secret_access_key = <redacted>', 'aws_session_token = <redacted>', '\[profile legacy\]', 'region = eu-west-1' }
            @{ Mode = 'Credential (piped)'; Command = "`$c | Set-GitlabAwsProfile -ProfileName legacy -WhatIf -Verbose"; Expect = '\[legacy\]', 'aws_secret_access_key = <redacted>', 'aws_session_token = <redacted>' }
            @{ Mode = 'CredentialProcess'; Command = "Set-GitlabAwsProfile -Mode CredentialProcess -WhatIf -Verbose"; Expect = '\[profile oidc\]', '; credential_process runs: Import-Module .*; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess', '(?m)credential_process = ".*" -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand [A-Za-z0-9+/=]+\r?$' }
        ) {
            $before = Get-TreeSnapshot $Dir
            # -WhatIf messages go to the host, not to a stream: read them from a fresh process's stdout. The process
            # prints the secrets it holds to a file, to check the output against.
            $secretsFile = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('N'))
            $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$ModuleManifest'; `$c = Get-GitlabWebIdentityCredential -RoleArn '$TestRoleArn'; " +
            "Set-Content -LiteralPath '$secretsFile' -Value `$c.SecretAccessKey, `$c.SessionToken; $Command"
            $childEnv = @{ ROLE_ARN = $TestRoleArn; GITLAB_OIDC_TOKEN = $Token; AWS_ENDPOINT_URL_STS = $Moto.Url; AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE }
            try {
                $r = Invoke-FreshPwsh -Script $script -Environment $childEnv
                $secrets = @(Get-Content -LiteralPath $secretsFile)
            }
            finally { Remove-Item -LiteralPath $secretsFile -ErrorAction Ignore }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
            Test-Path (Join-Path $Dir 'gitlabsts') | Should -BeFalse
            $out = $r.StdOut + $r.StdErr
            $out | Should -Match 'What if:'
            foreach ($e in $Expect) { $out | Should -Match $e }
            Assert-NoSecret -Text $out -Secret (@($Token) + $secrets) -Where "the -WhatIf/-Verbose output ($Mode)"
            $out | Should -Not -Match '(aws_secret_access_key|aws_session_token) = (?!<redacted>)' -Because 'keys exchanged by the cmdlet itself are redacted too' 
            $secrets.Count | Should -Be 2
        }

        It 'writes with -Confirm:$false even when $ConfirmPreference asks for everything' {
            $before = Get-TreeSnapshot $Dir
            # Without -Confirm:$false it asks, which this non-interactive host refuses: the preference is in effect.
            { & { $ConfirmPreference = 'Low'; Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token } } | Should -Throw '*NonInteractive*'
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
            & { $ConfirmPreference = 'Low'; Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -Confirm:$false }
            [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -Match ([regex]::Escape("role_arn = $TestRoleArn"))
        }

        It 'keeps every secret out of every stream in <Mode> mode, and out of the config file' -ForEach @(
            @{ Mode = 'WebIdentity' }, @{ Mode = 'Credential' }, @{ Mode = 'CredentialProcess' }
        ) {
            $env:GITLAB_OIDC_TOKEN = $Token
            $env:AWS_ENDPOINT_URL_STS = $Moto.Url
            $cred = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn
            $p = @{ RoleArn = $TestRoleArn; Region = 'eu-west-1'; PassThru = $true; Verbose = $true; SetEnvironment = $true }
            $all = if ($Mode -eq 'Credential') { $cred | Set-GitlabAwsProfile @p *>&1 } else { Set-GitlabAwsProfile -Mode $Mode @p *>&1 }
            $text = ($all | Out-String) + ($all | Format-List * | Out-String) + ($all | ConvertTo-Json -Depth 3 -WarningAction Ignore)
            @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
            Assert-NoSecret -Text $text -Secret $Token, $cred.SecretAccessKey, $cred.SessionToken -Where "the output of $Mode mode"
            $config = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            Assert-NoSecret -Text $config -Secret $Token, $cred.SecretAccessKey, $cred.SessionToken -Where 'the config file'
            if ($Mode -eq 'WebIdentity') { [IO.File]::ReadAllText((Join-Path $Dir 'gitlabsts/oidc.token')) | Should -BeExactly $Token }
            if ($Mode -ne 'Credential') { Assert-NoSecret -Text ([IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE)) -Secret $Token -Where 'the credentials file' }
        }
    }

    Describe 'Paths, environment and output' {
        BeforeEach { $script:Dir = New-AwsFolder }

        It 'writes through a symlinked config, which stays a symlink' -Skip:($IsWindows) {
            $real = Join-Path $Dir 'dotfiles/aws-config'
            New-Item -ItemType Directory -Path (Split-Path $real) | Out-Null
            [IO.File]::WriteAllText($real, "[default]`nregion = us-east-1`n")
            New-Item -ItemType SymbolicLink -Path $env:AWS_CONFIG_FILE -Target $real | Out-Null
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token
            (Get-Item $env:AWS_CONFIG_FILE).LinkType | Should -Be 'SymbolicLink'
            (Get-Item $env:AWS_CONFIG_FILE).LinkTarget | Should -Be $real
            $text = [IO.File]::ReadAllText($real)
            $text | Should -Match '^\[default\]\nregion = us-east-1\n\n\[profile oidc\]\n'
            Get-Mode $real | Should -Be '600'
        }

        It '-SetEnvironment sets AWS_PROFILE and the region variables, and a real CLI then uses the profile without --profile' {
            $env:GITLAB_OIDC_TOKEN = $Token
            Set-GitlabAwsProfile -ProfileName envprof -RoleArn $TestRoleArn -RoleSessionName "pester-env-$Run" -Region eu-west-2 -SetEnvironment | Should -BeNullOrEmpty
            $env:AWS_PROFILE | Should -BeExactly 'envprof'
            $env:AWS_REGION | Should -Be 'eu-west-2'
            $env:AWS_DEFAULT_REGION | Should -Be 'eu-west-2'
            $env:AWS_ENDPOINT_URL = $Moto.Url
            $r = Invoke-Program python3 @('-m', 'awscli', 'sts', 'get-caller-identity', '--output', 'json')
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            ($r.StdOut | ConvertFrom-Json).Arn | Should -Be (Get-AssumedArn 'pester-env')
            $r = Invoke-Program python3 @('-c', 'import boto3; s = boto3.Session(); print(s.profile_name, s.region_name)')
            $r.StdOut.Trim() | Should -Be 'envprof eu-west-2'
        }

        It '-SetEnvironment without a region sets AWS_PROFILE only' {
            Set-GitlabAwsProfile -ProfileName noregion -RoleArn $TestRoleArn -WebIdentityToken $Token -SetEnvironment
            $env:AWS_PROFILE | Should -BeExactly 'noregion'
            Test-Path Env:AWS_REGION | Should -BeFalse
            Test-Path Env:AWS_DEFAULT_REGION | Should -BeFalse
            [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -Not -Match '(?m)^region'
        }

        It '-PassThru returns GitlabSts.AwsProfileInfo for <Mode>' -ForEach @(
            @{ Mode = 'WebIdentity'; HasTokenFile = $true }, @{ Mode = 'Credential'; HasTokenFile = $false }, @{ Mode = 'CredentialProcess'; HasTokenFile = $false }
        ) {
            $env:GITLAB_OIDC_TOKEN = $Token
            $info = Set-GitlabAwsProfile -Mode $Mode -ProfileName "pt-$Mode" -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -Region ap-south-1 -PassThru
            $info | Should -HaveCount 1
            $info.PSObject.TypeNames[0] | Should -Be 'GitlabSts.AwsProfileInfo'
            $info.ProfileName | Should -BeExactly "pt-$Mode"
            $info.Mode | Should -Be $Mode
            $info.ConfigPath | Should -Be $env:AWS_CONFIG_FILE
            $info.CredentialsPath | Should -Be $env:AWS_SHARED_CREDENTIALS_FILE
            $info.RoleArn | Should -Be $TestRoleArn
            $info.Region | Should -Be 'ap-south-1'
            if ($HasTokenFile) {
                $info.TokenFilePath | Should -Be (Join-Path $Dir "gitlabsts/pt-$Mode.token")
                Test-Path $info.TokenFilePath | Should -BeTrue
            }
            else { $info.TokenFilePath | Should -BeNullOrEmpty }
        }

        It 'writes the token to -TokenFilePath, relative to the current location' {
            Push-Location $Dir
            try { $info = Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -TokenFilePath ./tokens/oidc.jwt -PassThru }
            finally { Pop-Location }
            $info.TokenFilePath | Should -Be (Join-Path $Dir 'tokens/oidc.jwt')
            [IO.File]::ReadAllText($info.TokenFilePath) | Should -BeExactly $Token
            [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -Match ([regex]::Escape("web_identity_token_file = $($info.TokenFilePath)"))
        }
    }

    Describe 'A re-run keeps what it does not manage' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            $script:Hand = (@(
                    '[default]'
                    'region = us-east-1'
                    ''
                    '[profile oidc]'
                    'output = json'
                    '; notes: the deploy role of project 42'
                    "role_arn = $TestRoleArn"
                    'cli_pager ='
                    's3 ='
                    '    max_concurrent_requests = 20'
                    '    addressing_style = path'
                    'region = eu-west-1'
                    ''
                    '# the next section'
                    '[profile prod]'
                    'region = ap-southeast-2'
                    ''
                ) -join "`n")
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $Hand)
        }

        It 'WebIdentity twice: output, cli_pager, the s3 block and the comment stay in place, read by AWS CLI v1' {
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -RoleSessionName "pester-keep-$Run"
            $first = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -RoleSessionName "pester-keep-$Run"
            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text | Should -BeExactly $first -Because 'a re-run changes nothing'
            $tokenPath = Join-Path $Dir 'gitlabsts/oidc.token'
            $text | Should -BeExactly ($Hand.Replace(
                    "s3 =`n    max_concurrent_requests = 20`n    addressing_style = path`nregion = eu-west-1`n",
                    "s3 =`n    max_concurrent_requests = 20`n    addressing_style = path`nregion = eu-west-1`nweb_identity_token_file = $tokenPath`nrole_session_name = pester-keep-$Run`nduration_seconds = 3600`n"))
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 'output', '--profile', 'oidc')).StdOut.Trim() | Should -Be 'json'
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 's3.addressing_style', '--profile', 'oidc')).StdOut.Trim() | Should -Be 'path'
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 'role_arn', '--profile', 'oidc')).StdOut.Trim() | Should -Be $TestRoleArn
        }

        It 'WebIdentity -> CredentialProcess removes the web identity keys (and -WhatIf says so) and keeps the rest' {
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -RoleSessionName "pester-keep-$Run"
            $env:GITLAB_OIDC_TOKEN = $Token
            $verbose = Set-GitlabAwsProfile -Mode CredentialProcess -RoleArn $TestRoleArn -WhatIf -Verbose 4>&1 | Out-String
            $verbose | Should -Match 'and remove, if present: role_arn, web_identity_token_file, role_session_name, duration_seconds'
            Set-GitlabAwsProfile -Mode CredentialProcess -RoleArn $TestRoleArn
            $t = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $section = $t.Substring($t.IndexOf('[profile oidc]'), $t.IndexOf("`n# the next section") - $t.IndexOf('[profile oidc]'))
            $section | Should -Match "^\[profile oidc\]`noutput = json`n; notes: the deploy role of project 42`ncli_pager =`ns3 =`n    max_concurrent_requests = 20`n    addressing_style = path`nregion = eu-west-1`n(; credential_process runs: [^`n]*`n)credential_process = "
            $section | Should -Not -Match 'role_arn|web_identity_token_file|role_session_name|duration_seconds'
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 'output', '--profile', 'oidc')).StdOut.Trim() | Should -Be 'json'
        }

        It 'Credential mode keeps unmanaged keys of [NAME] in the credentials file; WebIdentity then removes only the aws_* keys' {
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, "[oidc]`n# rotated by hand`naws_access_key_id = AKIAOLD`naws_secret_access_key = old`nregion = us-west-2`n")
            New-FakeCredential | Set-GitlabAwsProfile
            [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE) | Should -BeExactly "[oidc]`n# rotated by hand`naws_access_key_id = ASIAFAKEEXAMPLE00001`naws_secret_access_key = fake-secret-access-key-example`nregion = us-west-2`naws_session_token = fake-session-token-example`n"
            $config = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $config | Should -Match 'output = json' -Because 'Credential mode keeps the config section''s unmanaged keys'
            $config | Should -Not -Match 'role_arn'
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token
            [IO.File]::ReadAllText($env:AWS_SHARED_CREDENTIALS_FILE) | Should -BeExactly "[oidc]`n# rotated by hand`nregion = us-west-2`n"
        }
    }

    Describe 'A piped credential with parameters it makes meaningless' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
            $script:Before = Get-TreeSnapshot $Dir
        }

        It '$c | Set-GitlabAwsProfile <Shown> -> GitlabSts.ParameterConflict naming both, nothing written' -ForEach @(
            @{ Shown = '-Mode WebIdentity'; P = @{ Mode = 'WebIdentity' }; Named = '-Mode WebIdentity' }
            @{ Shown = '-Mode CredentialProcess'; P = @{ Mode = 'CredentialProcess' }; Named = '-Mode CredentialProcess' }
            @{ Shown = '-RoleArn (another role)'; P = @{ RoleArn = 'arn:aws:iam::123456789012:role/other' }; Named = '-RoleArn arn:aws:iam::123456789012:role/other' }
            @{ Shown = '-DurationSeconds 900'; P = @{ DurationSeconds = 900 }; Named = '-DurationSeconds 900' }
            @{ Shown = '-DurationSeconds 3600 (the default, given)'; P = @{ DurationSeconds = 3600 }; Named = '-DurationSeconds 3600' }
            @{ Shown = '-RoleSessionName'; P = @{ RoleSessionName = 'mine' }; Named = '-RoleSessionName mine' }
            @{ Shown = '-EndpointUrl'; P = @{ EndpointUrl = 'http://127.0.0.1:9' }; Named = '-EndpointUrl http://127.0.0.1:9' }
            @{ Shown = '-Audience'; P = @{ Audience = 'sts.amazonaws.com' }; Named = '-Audience sts.amazonaws.com' }
            @{ Shown = '-TokenFilePath'; P = @{ TokenFilePath = 'my.token' }; Named = '-TokenFilePath ' }
            @{ Shown = '-TokenFile'; P = @{ TokenFile = 'x.jwt' }; Named = '-TokenFile ' }
            @{ Shown = '-TokenVariable'; P = @{ TokenVariable = 'MY_TOKEN' }; Named = '-TokenVariable MY_TOKEN' }
            @{ Shown = '-WebIdentityToken'; P = @{ WebIdentityToken = 'TOKEN' }; Named = '-WebIdentityToken' }
        ) {
            if ($P.WebIdentityToken) { $P.WebIdentityToken = $Token }
            $c = New-FakeCredential
            $err = $null
            try { $c | Set-GitlabAwsProfile @P -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ParameterConflict*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match '-Credential'
            $err.Exception.Message | Should -Match ([regex]::Escape($Named))
            Assert-NoSecret -Text ($err | Out-String) -Secret $Token, $c.SecretAccessKey, $c.SessionToken -Where 'the error'
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        It 'the same with -Credential given by name and a token parameter' {
            $err = $null
            try { Set-GitlabAwsProfile -Credential (New-FakeCredential) -TokenVariable MY_TOKEN } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ParameterConflict*'
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        It 'no conflict for what agrees: -RoleArn of the credential, -Mode Credential; the piped object''s RoleArn binds by property name' {
            $c = New-FakeCredential
            $c | Set-GitlabAwsProfile -RoleArn $c.RoleArn -Mode Credential -ProfileName agrees -PassThru | ForEach-Object Mode | Should -Be 'Credential'
            $c | Set-GitlabAwsProfile -ProfileName piped -PassThru | ForEach-Object RoleArn | Should -Be $TestRoleArn
        }

        It 'the credential''s own Region is written when -Region is not given, before AWS_REGION; -Region still wins' {
            $env:AWS_REGION = 'ap-south-1'
            $info = New-FakeCredential -Region 'eu-north-1' | Set-GitlabAwsProfile -ProfileName regional -PassThru
            $info.Region | Should -Be 'eu-north-1'
            (Invoke-Program python3 @('-m', 'awscli', 'configure', 'get', 'region', '--profile', 'regional')).StdOut.Trim() | Should -Be 'eu-north-1'
            (New-FakeCredential -Region 'eu-north-1' | Set-GitlabAwsProfile -ProfileName regional -Region eu-west-3 -PassThru).Region | Should -Be 'eu-west-3'
        }
    }

    Describe 'Errors' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
            $script:Before = Get-TreeSnapshot $Dir
        }

        It 'a folder where the config file should be -> GitlabSts.ProfileWriteFailed, nothing written' {
            $folder = Join-Path $Dir 'config-is-a-folder'
            New-Item -ItemType Directory -Path $folder | Out-Null
            $before = Get-TreeSnapshot $Dir
            $err = $null
            try { Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -ConfigPath $folder -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
            $err.CategoryInfo.Category | Should -Be 'WriteError'
            $err.Exception.Message | Should -Match ([regex]::Escape($folder))
            $err.Exception.Message | Should -Match 'folder'
            Assert-NoSecret -Text ($err | Out-String) -Secret $Token -Where 'the error'
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
        }

        # Tests run as root, so chmod cannot make a folder unwritable; a path under a regular file (ENOTDIR) cannot be written by anyone.
        It 'a config path under a regular file (<Mode>) -> GitlabSts.ProfileWriteFailed, nothing written' -ForEach @(
            @{ Mode = 'WebIdentity' }, @{ Mode = 'Credential' }, @{ Mode = 'CredentialProcess' }
        ) {
            $env:GITLAB_OIDC_TOKEN = $Token
            $bad = Join-Path $env:AWS_CONFIG_FILE 'sub/config'
            $err = $null
            try { Set-GitlabAwsProfile -Mode $Mode -RoleArn $TestRoleArn -EndpointUrl $Moto.Url -Region eu-west-1 -ConfigPath $bad -CredentialsPath (Join-Path $env:AWS_CONFIG_FILE 'credentials') -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
            $err.Exception.Message | Should -Match '-ConfigPath|-CredentialsPath|-TokenFilePath'
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        It 'an invalid profile name <Shown> (-Mode <Mode>) -> GitlabSts.InvalidProfileName (InvalidArgument) saying why, nothing written' -ForEach @(
            @{ Name = 'DEFAULT'; Shown = 'DEFAULT'; Mode = 'Credential'; Why = 'every profile' }
            @{ Name = 'DEFAULT'; Shown = 'DEFAULT'; Mode = 'WebIdentity'; Why = 'every profile' }
            @{ Name = ' oidc'; Shown = "' oidc'"; Mode = 'WebIdentity'; Why = 'leading or trailing whitespace' }
            @{ Name = 'oidc '; Shown = "'oidc '"; Mode = 'Credential'; Why = 'leading or trailing whitespace' }
            @{ Name = 'two words'; Shown = 'two words'; Mode = 'WebIdentity'; Why = 'whitespace' }
            @{ Name = "line`nbreak"; Shown = 'line break'; Mode = 'WebIdentity'; Why = 'line break' }
            @{ Name = 'br[ack]et'; Shown = 'br[ack]et'; Mode = 'WebIdentity'; Why = 'brackets' }
            @{ Name = 'a"b'; Shown = 'a"b'; Mode = 'WebIdentity'; Why = 'shell quoting' }
            @{ Name = 'a\b'; Shown = 'a\b'; Mode = 'Credential'; Why = 'shell quoting' }
            @{ Name = 'a#b'; Shown = 'a#b'; Mode = 'WebIdentity'; Why = 'comment' }
            @{ Name = 'a;b'; Shown = 'a;b'; Mode = 'WebIdentity'; Why = 'comment' }
            @{ Name = 'a=b'; Shown = 'a=b'; Mode = 'WebIdentity'; Why = 'separates a key' }
        ) {
            $err = $null
            try {
                if ($Mode -eq 'Credential') { Set-GitlabAwsProfile -ProfileName $Name -Credential (New-FakeCredential) -ErrorAction Stop }
                else { Set-GitlabAwsProfile -ProfileName $Name -RoleArn $TestRoleArn -WebIdentityToken $Token -ErrorAction Stop }
            } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidProfileName*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match ([regex]::Escape($Why))
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        It 'an empty profile name is refused, nothing written' {
            $err = $null
            try { Set-GitlabAwsProfile -ProfileName '' -RoleArn $TestRoleArn -WebIdentityToken $Token } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        It '-ProfileName default (lower case) writes [default] (merged)' {
            Set-GitlabAwsProfile -ProfileName default -RoleArn $TestRoleArn -WebIdentityToken $Token
            $config = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $config | Should -Match "(?m)^\[default\]\r\nregion = us-east-1\r\noutput = json\r\nrole_arn = $([regex]::Escape($TestRoleArn))\r\n" -Because 'merged into the existing [default], its keys kept'
            $config | Should -Not -Match '\[profile default\]'
        }

        It '-Mode CredentialProcess with -WebIdentityToken -> an error naming the way out, nothing written' {
            $err = $null
            try { Set-GitlabAwsProfile -Mode CredentialProcess -RoleArn $TestRoleArn -WebIdentityToken $Token -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match '-TokenVariable'
            Assert-NoSecret -Text ($err | Out-String) -Secret $Token -Where 'the error'
            Assert-SameTree $Before (Get-TreeSnapshot $Dir)
        }

        # A session policy the profile cannot carry would be dropped, leaving the role's full permissions: refused instead.
        It 'a session policy outside -Mode Credential (<Case>) -> GitlabSts.InvalidPolicy, nothing written, no STS call' -ForEach @(
            @{ Case = 'WebIdentity, -Policy'; Params = @{ Mode = 'WebIdentity'; Policy = '{"Version":"2012-10-17","Statement":[]}' }; Parameter = 'Policy' }
            @{ Case = 'CredentialProcess, -PolicyArn'; Params = @{ Mode = 'CredentialProcess'; TokenVariable = 'GITLAB_OIDC_TOKEN'; PolicyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess' }; Parameter = 'PolicyArn' }
            @{ Case = 'piped -Credential, -PolicyArn'; Params = @{ PolicyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess' }; Parameter = 'PolicyArn'; Piped = $true }
        ) {
            $env:GITLAB_OIDC_TOKEN = $Token
            $fault = Start-FaultSts -Upstream $Moto.Url
            try {
                if ($Piped) { $Params.Credential = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl $Moto.Url }
                $err = $null
                try { Set-GitlabAwsProfile -RoleArn $TestRoleArn -EndpointUrl $fault.Url @Params -ErrorAction Stop } catch { $err = $_ }
                $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidPolicy,*'
                $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
                $err.Exception.Message | Should -Match "^-$Parameter "
                $err.Exception.Message | Should -Match '-Mode Credential'
                (Get-FaultStsStats -Sts $fault).Total | Should -Be 0
                Assert-SameTree $Before (Get-TreeSnapshot $Dir)
            }
            finally { Stop-FaultSts -Sts $fault }
        }

        It 'a session policy with -Mode Credential is allowed: one exchange, its credentials written' {
            $env:GITLAB_OIDC_TOKEN = $Token
            $fault = Start-FaultSts -Upstream $Moto.Url
            try {
                Set-GitlabAwsProfile -Mode Credential -RoleArn $TestRoleArn -EndpointUrl $fault.Url -Region eu-west-1 -PolicyArn 'arn:aws:iam::aws:policy/ReadOnlyAccess'
                (Get-FaultStsStats -Sts $fault).Total | Should -Be 1
                (Get-Content -Raw $env:AWS_SHARED_CREDENTIALS_FILE) | Should -Match '(?m)^\[oidc\]\r?\naws_access_key_id = '
            }
            finally { Stop-FaultSts -Sts $fault }
        }
    }

    Describe 'Tab completion of -ProfileName' {
        BeforeAll {
            $script:CompletionDir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigPrefix + $ConfigOldTarget + $ConfigSuffix)
            [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, $CredentialsText)
            [IO.File]::WriteAllText((Join-Path $CompletionDir 'other-config'), "[profile elsewhere]`nregion = us-east-1`n")
            function Get-Completion([string] $Line) { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText) }
        }

        It 'offers the profiles of the config and credentials files (not sso-session or services sections)' {
            $env:AWS_CONFIG_FILE = Join-Path $CompletionDir 'config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $CompletionDir 'credentials'
            $names = Get-Completion 'Set-GitlabAwsProfile -ProfileName '
            @($names | Sort-Object) | Should -Be @("'default'", "'dev'", "'legacy'", "'oidc'", "'prod'")
            Get-Completion 'Set-GitlabAwsProfile -ProfileName le' | Should -Be @("'legacy'")
        }

        It 'reads the files named by -ConfigPath, also relative to the current location' {
            $env:AWS_CONFIG_FILE = Join-Path $CompletionDir 'config'
            Get-Completion "Set-GitlabAwsProfile -ConfigPath '$CompletionDir/other-config' -CredentialsPath /nonexistent -ProfileName " | Should -Be @("'elsewhere'")
            Push-Location $CompletionDir
            try { Get-Completion 'Set-GitlabAwsProfile -ConfigPath ./other-config -CredentialsPath /nonexistent -ProfileName ' | Should -Be @("'elsewhere'") }
            finally { Pop-Location }
        }
    }
}
