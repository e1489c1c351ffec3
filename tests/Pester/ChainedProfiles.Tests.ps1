# Set-GitlabAwsProfile -ChainRoleArn (issue 12, profile side) on the built module, read back by real AWS readers against
# moto: a chained WebIdentity profile (role_arn + source_profile down to a web-identity profile) by AWS CLI v1, boto3 and the
# AWS SDK for .NET's CredentialProfileStoreChain; Credential and CredentialProcess profiles with a chain by AWS CLI v2 too.
# What each reader can do here: ../../../shared/TESTING.md (CLI v2 2.9.19 cannot run web identity against moto: it parses).
# moto: AssumeRole with web-identity keys works for any target, and GetCallerIdentity names the target's account.
Describe 'Set-GitlabAwsProfile -ChainRoleArn' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
        $script:Dependencies = Join-Path (Split-Path -Parent $ModuleManifest) 'bin/net8.0/dependencies'
        $script:AwsV2 = '/usr/bin/aws'
        $script:TempRoots = [Collections.Generic.List[string]]::new()
        $script:HubRole = 'arn:aws:iam::222233334444:role/hub'
        $script:DeployRole = 'arn:aws:iam::444455556666:role/deployer'

        # Session names unique to this run keep the AWS CLI's assumed-role cache (~/.aws/cli/cache, keyed by role and
        # session name) of an earlier run, against another moto, out.
        $script:Run = [guid]::NewGuid().ToString('N').Substring(0, 8)

        . (Join-Path $PSScriptRoot 'ProfileReaders.ps1')

        function Assert-SameTree($Before, $After) {
            ($After.Keys -join "`n") | Should -Be ($Before.Keys -join "`n")
            foreach ($k in $Before.Keys) { $After[$k] | Should -Be $Before[$k] -Because "'$k' must not change" }
        }

        # The sections of a config file (section name -> ordered key/value pairs), comments and blank lines left out.
        function Get-Sections([string] $Text) {
            $sections = [ordered]@{}
            $current = $null
            foreach ($line in $Text -split "`r?`n") {
                if ($line -match '^\[(.+)\]$') { $current = [ordered]@{}; $sections[$Matches[1]] = $current }
                elseif ($line -match '^([^;#\s][^=]*?)\s*=\s*(.*)$' -and $null -ne $current) { $current[$Matches[1]] = $Matches[2] }
            }
            $sections
        }

        $script:ConfigBefore = (@(
                '# hand-written'
                '[profile dev]'
                'region = us-west-2'
                's3 ='
                '    addressing_style = path'
                ''
                '[profile oidc]'
                'output = json'
                ''
            ) -join "`r`n")
    }

    AfterAll {
        Stop-MotoServer -Server $script:Moto
        foreach ($dir in $script:TempRoots) { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }
    }

    BeforeEach { $script:SavedEnv = Save-TestEnvironment }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'Chained profiles end in the target account for every reader' {
        BeforeAll {
            $script:ReaderEnv = Save-TestEnvironment
            $script:ReaderDir = New-AwsFolder
            $script:ReaderVariables = @{
                AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE
                AWS_ENDPOINT_URL = $Moto.Url; AWS_ENDPOINT_URL_STS = $Moto.Url; GITLAB_OIDC_TOKEN = $Token
            }
            foreach ($n in $ReaderVariables.Keys) { Set-Item -Path "Env:$n" -Value $ReaderVariables[$n] }
            $common = @{ RoleArn = $TestRoleArn; EndpointUrl = $Moto.Url; Region = 'eu-west-1'; RoleSessionName = "pester-first-$Run" }

            $script:TwoHops = Set-GitlabAwsProfile -ProfileName chain2 @common -WebIdentityToken $Token -ChainRoleArn $HubRole, $DeployRole -ChainRoleSessionName "pester-chain2-$Run" -ChainDurationSeconds 900 -PassThru
            $script:OneHop = Set-GitlabAwsProfile -ProfileName chain1 @common -WebIdentityToken $Token -ChainRoleArn $DeployRole -ChainRoleSessionName "pester-chain1-$Run" -PassThru
            Set-GitlabAwsProfile -ProfileName chaincred -Mode Credential @common -WebIdentityToken $Token -ChainRoleArn $HubRole, $DeployRole -ChainRoleSessionName "pester-chaincred-$Run" -AllowedAccountId 444455556666
            Set-GitlabAwsProfile -ProfileName chainproc -Mode CredentialProcess @common -TokenVariable GITLAB_OIDC_TOKEN -ChainRoleArn $HubRole, $DeployRole -ChainRoleSessionName "pester-chainproc-$Run" -AllowedAccountId 444455556666
        }

        AfterAll { Restore-TestEnvironment $script:ReaderEnv }

        BeforeEach { foreach ($n in $ReaderVariables.Keys) { Set-Item -Path "Env:$n" -Value $ReaderVariables[$n] } }

        It '<Mode> profile [<Profile>] -> <Reader> GetCallerIdentity in account 444455556666' -ForEach @(
            foreach ($reader in 'AwsCliV1', 'Boto3', 'DotnetSdk') {
                @{ Mode = 'WebIdentity, 2 hops'; Profile = 'chain2'; Reader = $reader; Detail = @{ Boto3 = 'assume-role'; DotnetSdk = 'AssumeRoleAWSCredentials' }[$reader] }
                @{ Mode = 'WebIdentity, 1 hop'; Profile = 'chain1'; Reader = $reader; Detail = @{ Boto3 = 'assume-role'; DotnetSdk = 'AssumeRoleAWSCredentials' }[$reader] }
            }
            foreach ($reader in 'AwsCliV1', 'AwsCliV2', 'Boto3', 'DotnetSdk') {
                @{ Mode = 'Credential, 2 hops'; Profile = 'chaincred'; Reader = $reader; Detail = @{ Boto3 = 'shared-credentials-file'; DotnetSdk = 'SessionAWSCredentials' }[$reader] }
                @{ Mode = 'CredentialProcess, 2 hops'; Profile = 'chainproc'; Reader = $reader; Detail = @{ Boto3 = 'custom-process'; DotnetSdk = 'ProcessAWSCredentials' }[$reader] }
            }
        ) {
            $result = Invoke-Reader -Reader $Reader -ProfileName $Profile
            $result.Arn | Should -Be "arn:aws:sts::444455556666:assumed-role/deployer/pester-$Profile-$Run"
            if ($Detail) { $result.Detail | Should -Be $Detail }
        }

        It 'writes the chain as [profile NAME] -> [profile NAME-hop1] -> [profile NAME-hop0] (web identity), each hop marked' {
            $sections = Get-Sections ([IO.File]::ReadAllText($env:AWS_CONFIG_FILE))
            $tokenFile = Join-Path $ReaderDir 'gitlabsts/chain2.token'
            $sections['profile chain2'] | Should -Not -BeNullOrEmpty
            ($sections['profile chain2'].GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join '|' |
                Should -BeExactly "role_arn=$DeployRole|source_profile=chain2-hop1|role_session_name=pester-chain2-$Run|duration_seconds=900|region=eu-west-1"
            ($sections['profile chain2-hop1'].GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join '|' |
                Should -BeExactly "role_arn=$HubRole|source_profile=chain2-hop0|role_session_name=pester-chain2-$Run|duration_seconds=900|region=eu-west-1"
            ($sections['profile chain2-hop0'].GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join '|' |
                Should -BeExactly "role_arn=$TestRoleArn|web_identity_token_file=$tokenFile|role_session_name=pester-first-$Run|duration_seconds=3600|region=eu-west-1"
            [IO.File]::ReadAllText($tokenFile) | Should -BeExactly $Token
            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text | Should -Match '(?m)^\[profile chain2-hop0\]\n; GitlabSts chain: hop 0 \(web identity\), source_profile of chain2-hop1; managed by Set-GitlabAwsProfile for profile chain2\n'
            $text | Should -Match '(?m)^\[profile chain2-hop1\]\n; GitlabSts chain: hop 1, source_profile of chain2; managed by Set-GitlabAwsProfile for profile chain2\n'
            $text | Should -Not -Match '(?m)^\[profile chain(cred|proc)-hop'
            Assert-NoSecret -Text $text -Secret $Token -Where 'the config file'
        }

        It '-PassThru names the extra profiles in SourceProfiles, web-identity hop first; RoleArn is the last role' {
            $TwoHops.SourceProfiles | Should -Be @('chain2-hop0', 'chain2-hop1')
            $TwoHops.RoleArn | Should -Be $DeployRole
            $OneHop.SourceProfiles | Should -Be @('chain1-hop0')
            $info = Set-GitlabAwsProfile -ProfileName plain -RoleArn $TestRoleArn -WebIdentityToken $Token -PassThru
            , $info.SourceProfiles | Should -BeOfType [string[]]
            $info.SourceProfiles | Should -HaveCount 0
        }

        It 'AWS CLI v2 parses the chain: source_profile, and the web-identity hop''s token file' {
            $get = { param($k, $p) (Invoke-Program $AwsV2 @('configure', 'get', $k, '--profile', $p)).StdOut.Trim() }
            & $get role_arn chain2 | Should -Be $DeployRole
            & $get source_profile chain2 | Should -Be 'chain2-hop1'
            & $get source_profile chain2-hop1 | Should -Be 'chain2-hop0'
            & $get web_identity_token_file chain2-hop0 | Should -Be (Join-Path $ReaderDir 'gitlabsts/chain2.token')
            & $get duration_seconds chain2 | Should -Be '900'
        }
    }

    Describe 'A re-run replaces the extra profiles' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigBefore)
            $env:AWS_ENDPOINT_URL = $Moto.Url
            $env:AWS_ENDPOINT_URL_STS = $Moto.Url
            $script:Common = @{ RoleArn = $TestRoleArn; WebIdentityToken = $Token; Region = 'eu-west-1' }
        }

        It 'a shorter chain removes the hop it no longer needs; AWS CLI v1 then ends in the new last role' {
            Set-GitlabAwsProfile @Common -ChainRoleArn $HubRole, $DeployRole -RoleSessionName "pester-long-$Run"
            Set-GitlabAwsProfile @Common -ChainRoleArn $HubRole -RoleSessionName "pester-short-$Run"
            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text | Should -Not -Match 'oidc-hop1'
            (Get-Sections $text).Keys | Should -Be @('profile dev', 'profile oidc', 'profile oidc-hop0')
            $r = Invoke-Program python3 @('-m', 'awscli', 'sts', 'get-caller-identity', '--profile', 'oidc', '--output', 'json')
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            ($r.StdOut | ConvertFrom-Json).Arn | Should -Be "arn:aws:sts::222233334444:assumed-role/hub/pester-short-$Run"
        }

        It 'no chain (<Mode>) removes every extra profile and source_profile; every byte outside [profile oidc] stays' -ForEach @(
            @{ Mode = 'WebIdentity' }, @{ Mode = 'Credential' }, @{ Mode = 'CredentialProcess' }
        ) {
            $p = if ($Mode -eq 'CredentialProcess') { @{ RoleArn = $TestRoleArn; Region = 'eu-west-1'; TokenVariable = 'GITLAB_OIDC_TOKEN' } } else { $Common }
            $env:GITLAB_OIDC_TOKEN = $Token
            Set-GitlabAwsProfile @Common -ChainRoleArn $HubRole, $DeployRole
            Set-GitlabAwsProfile @p -Mode $Mode -EndpointUrl $Moto.Url
            $text = [IO.File]::ReadAllText($env:AWS_CONFIG_FILE)
            $text | Should -Not -Match 'oidc-hop|source_profile|GitlabSts chain'
            $text.StartsWith($ConfigBefore) | Should -BeTrue -Because 'the hand-written part, CRLF included, stays'
            (Get-Sections $text)['profile oidc']['output'] | Should -Be 'json'
        }

        It '-WhatIf names every profile it would write, and the extra profiles it would remove, writing nothing' {
            Set-GitlabAwsProfile @Common -ChainRoleArn $HubRole, $DeployRole
            $before = Get-TreeSnapshot $Dir
            $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$ModuleManifest'; " +
            "Set-GitlabAwsProfile -RoleArn '$TestRoleArn' -ChainRoleArn '$DeployRole' -WhatIf; Set-GitlabAwsProfile -Mode Credential -RoleArn '$TestRoleArn' -EndpointUrl http://127.0.0.1:9 -WhatIf"
            $r = Invoke-FreshPwsh -Script $script -Environment @{ GITLAB_OIDC_TOKEN = $Token; AWS_CONFIG_FILE = $env:AWS_CONFIG_FILE; AWS_SHARED_CREDENTIALS_FILE = $env:AWS_SHARED_CREDENTIALS_FILE }
            $r.ExitCode | Should -Be 0 -Because $r.StdErr
            $r.StdOut | Should -Match 'What if: Performing the operation "Set \[profile oidc\], \[profile oidc-hop0\]"'
            $r.StdOut | Should -Match 'source_profile = oidc-hop0'
            $r.StdOut | Should -Match 'remove the extra profiles of an earlier chain of ''oidc'': \[profile oidc-hop1\]\s'
            $r.StdOut | Should -Match 'remove the extra profiles of an earlier chain of ''oidc'': \[profile oidc-hop0\], \[profile oidc-hop1\]'
            Assert-NoSecret -Text ($r.StdOut + $r.StdErr) -Secret $Token -Where 'the -WhatIf output'
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
        }

        It 'a profile of the user under an extra profile''s name -> GitlabSts.InvalidProfileName, nothing written' {
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigBefore + "`r`n[profile oidc-hop0]`r`nregion = us-east-1`r`n")
            $before = Get-TreeSnapshot $Dir
            { Set-GitlabAwsProfile @Common -ChainRoleArn $DeployRole -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabSts.InvalidProfileName*'
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
        }
    }

    Describe 'The account guard: a wrong account writes nothing' {
        BeforeEach {
            $script:Dir = New-AwsFolder
            [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $ConfigBefore)
            $env:GITLAB_OIDC_TOKEN = $Token
            $env:AWS_ENDPOINT_URL_STS = $Moto.Url
        }

        It '<Mode> with the last hop in 444455556666 and <Allowed> -> GitlabSts.AccountNotAllowed, no file changed' -ForEach @(
            foreach ($mode in 'WebIdentity', 'Credential', 'CredentialProcess') {
                @{ Mode = $mode; Allowed = '-AllowedAccountId 222233334444'; Parameter = @{ AllowedAccountId = '222233334444' }; Variable = $null }
                @{ Mode = $mode; Allowed = 'GITLABSTS_ALLOWED_ACCOUNT_IDS=123456789012,222233334444'; Parameter = @{}; Variable = '123456789012,222233334444' }
            }
        ) {
            if ($Variable) { $env:GITLABSTS_ALLOWED_ACCOUNT_IDS = $Variable }
            $before = Get-TreeSnapshot $Dir
            $p = @{ Mode = $Mode; RoleArn = $TestRoleArn; ChainRoleArn = $HubRole, $DeployRole; EndpointUrl = $Moto.Url; Region = 'eu-west-1'; PassThru = $true }
            if ($Mode -eq 'CredentialProcess') { $p.TokenVariable = 'GITLAB_OIDC_TOKEN' }
            $out = $null
            $err = { $script:out = Set-GitlabAwsProfile @p @Parameter -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabSts.AccountNotAllowed*' -PassThru
            $err.CategoryInfo.Category | Should -Be 'SecurityError'
            $err.Exception.Message | Should -Match '444455556666'
            $out | Should -BeNullOrEmpty
            Assert-SameTree $before (Get-TreeSnapshot $Dir)
        }

        It 'the allowed account writes the profile' {
            Set-GitlabAwsProfile -RoleArn $TestRoleArn -WebIdentityToken $Token -ChainRoleArn $HubRole, $DeployRole -AllowedAccountId 444455556666
            [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -Match ([regex]::Escape("role_arn = $DeployRole"))
        }
    }
}
