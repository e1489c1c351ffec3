#Requires -Version 7.2
# The CI/CD components (templates/*.yml, CONTRACT.md "GitLab CI/CD components (0.2)") run end to end in gitlab-ci-local
# (npm gitlab-ci-local 4.60.1, installed by build.ps1's Test task into out/test-peers; GITLABSTS_GITLAB_CI_LOCAL names
# it). A temporary git repository holds templates/ and a few pipelines that include the components as GitLab resolves
# the project's own components ($CI_SERVER_FQDN/$CI_PROJECT_PATH/<name>@$CI_COMMIT_SHA, the repository's origin remote
# naming the project). Jobs run in bash (--force-shell-executor) with the built module on PSModulePath, a minted ID
# token in GITLAB_OIDC_TOKEN (gitlab-ci-local does not mint tokens) and STS at moto or at the fault STS in front of it.
# Pipelines: defaults (run against moto, then against a refusing STS), hostile and non-default inputs, an out-of-range
# duration, and schema checks (--list) of the Windows component, a type error, and the project's own .gitlab-ci.yml.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:SavedEnv = Save-TestEnvironment
    $script:Gcl = $env:GITLABSTS_GITLAB_CI_LOCAL
    if (-not $script:Gcl -or -not (Test-Path $script:Gcl)) { throw 'GITLABSTS_GITLAB_CI_LOCAL is not set: build.ps1 -Task Test installs gitlab-ci-local (Install-GitlabCiLocal).' }
    if (-not $env:GITLABSTS_AWS_SDK_JS) { throw 'GITLABSTS_AWS_SDK_JS is not set: build.ps1 -Task Test installs the AWS SDK for JavaScript v3 (Install-JsSdk).' }
    $script:Version = ([xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
    $script:Watch = [Diagnostics.Stopwatch]::StartNew()
    $script:Runs = [System.Collections.Generic.List[string]]::new()

    Start-StsFixture
    $script:Work = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-components-$([guid]::NewGuid().ToString('N'))")).FullName
    $script:Marker = Join-Path $script:Work 'PWNED'
    # Hostile values: shell and PowerShell command substitution, quotes, backticks, '; rm', a YAML-looking line break.
    $script:HostileAudience = "aud`"'``;rm -rf x;`$(touch $script:Marker)``touch $script:Marker```$(New-Item -ItemType File -Path $script:Marker)"
    $script:HostileProfile = "p``{touch,$script:Marker}```$({touch,$script:Marker})"
    # Every character the profile input and the module admit (the AWS SDK for JavaScript v3 reads no other in a [profile NAME]).
    $script:UnusualProfile = 'team/prod:ci@x+1.0%_a-b'
    $script:HostileRoleArn = "arn:aws:iam::123456789012:role/x`"; touch $script:Marker; echo `"`$(touch $script:Marker)'`nscript: touch $script:Marker"
    # The jobs' ID token; the hostile-inputs pipeline gets one whose aud also holds the hostile audience.
    $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
    $script:HostileToken = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com', $script:HostileAudience
    $script:Chain = (Get-Command Set-GitlabAwsProfile).Parameters.ContainsKey('ChainRoleArn') -and (Get-Command Set-GitlabAwsProfile).Parameters.ContainsKey('AllowedAccountId')

    # `pwsh` on PATH, as in the PowerShell images.
    $bin = New-Item -ItemType Directory -Path (Join-Path $script:Work 'bin')
    Set-Content -LiteralPath (Join-Path $bin 'pwsh') -Value "#!/bin/sh`nexec dotnet '$PwshDll' `"`$@`"`n" -Encoding utf8NoBOM -NoNewline
    & chmod +x (Join-Path $bin 'pwsh')
    $script:Path = "$bin$([IO.Path]::PathSeparator)$env:PATH"

    # The repository: templates/, the project's .gitlab-ci.yml, the pipelines below and two small programs the jobs run.
    $script:Repo = Join-Path $script:Work 'repo'
    New-Item -ItemType Directory -Path (Join-Path $script:Repo 'pipelines') -Force | Out-Null
    Copy-Item -Recurse (Join-Path $RepoRoot 'templates') (Join-Path $script:Repo 'templates')
    Copy-Item (Join-Path $RepoRoot '.gitlab-ci.yml') (Join-Path $script:Repo '.gitlab-ci.yml')
    function Write-RepoFile([string] $Name, [string] $Text) { Set-Content -LiteralPath (Join-Path $script:Repo $Name) -Value $Text -Encoding utf8NoBOM }
    $component = '$CI_SERVER_FQDN/$CI_PROJECT_PATH/{0}@$CI_COMMIT_SHA'
    $aws = $component -f 'aws-credentials'
    $check = $component -f 'oidc-check'

    # The AWS SDK for JavaScript v3 with its default credential chain (AWS_PROFILE -> the web-identity profile).
    Write-RepoFile 'sts-js.js' ("const { STSClient, GetCallerIdentityCommand } = require(process.env.GITLABSTS_AWS_SDK_JS + '/node_modules/@aws-sdk/client-sts');`n" +
        "new STSClient({}).send(new GetCallerIdentityCommand({})).then(r => console.log('JS SDK v3 caller ' + r.Arn), e => { console.error('JS SDK v3 failed, ' + e.name); process.exit(1); });`n")
    # botocore resolves the profile's credentials and writes the secret parts to a file outside the job log, so the
    # test can look for them in the log. (Not secrets.py: `python3 -m awscli` in that folder would import it as the
    # standard library's secrets module.)
    Write-RepoFile 'gitlabsts_secrets_probe.py' ("import botocore.session, os`nc = botocore.session.Session(profile=os.environ['AWS_PROFILE']).get_credentials().get_frozen_credentials()`n" +
        "open(os.environ['GITLABSTS_TEST_SECRETS'], 'w').write(c.secret_key + '\n' + c.token + '\n')`nprint('secrets written outside the log')`n")
    $useAws = @"
use-aws:
  extends: .gitlabsts-aws
  script:
    - echo "AWS_PROFILE=`$AWS_PROFILE"
    - python3 -m awscli sts get-caller-identity --query Arn --output text | sed "s/^/AWS CLI v1 caller /"
    - node sts-js.js
    - python3 gitlabsts_secrets_probe.py
"@
    # 1. Every input at its default (role_arn is required); run once against moto, once against the refusing STS.
    Write-RepoFile 'pipelines/defaults.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
  - component: $check
    inputs:
      role_arn: $TestRoleArn
$useAws
"@
    # 2. Every input set (hostile where the value is free text; gitlab-ci-local does not apply `regex`, so the hostile
    #    role ARN reaches the job as on a GitLab without that check).
    $chainInputs = if ($script:Chain) { "      chain_role_arn: arn:aws:iam::123456789012:role/gitlab-target`n      allowed_account_ids: '123456789012'" } else { "      chain_role_arn: ''`n      allowed_account_ids: ''" }
    Write-RepoFile 'pipelines/inputs.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
      region: eu-west-1
      audience: $(ConvertTo-Json $script:HostileAudience)
      duration_seconds: 900
      profile: $(ConvertTo-Json $script:UnusualProfile)
      version: '$script:Version'
      image: registry.example.com/not-pulled-by-the-shell-executor:1
$chainInputs
  - component: $check
    inputs:
      role_arn: $(ConvertTo-Json $script:HostileRoleArn)
      region: eu-west-1
      audience: $(ConvertTo-Json $script:HostileAudience)
      version: '$script:Version'
      image: registry.example.com/not-pulled-by-the-shell-executor:1
      stage: test
use-aws:
  extends: .gitlabsts-aws
  script:
    - echo "AWS_PROFILE=`$AWS_PROFILE"
    - python3 -m awscli sts get-caller-identity --query Arn --output text | sed "s/^/AWS CLI v1 caller /"
"@
    # 3. duration_seconds out of range: the module's own error.
    Write-RepoFile 'pipelines/duration.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
      duration_seconds: 99999
$useAws
"@
    # 3a. A hostile profile name (gitlab-ci-local does not apply an input's regex; GitLab refuses it before the job):
    # the module refuses it as data, and nothing it holds runs.
    Write-RepoFile 'pipelines/profile.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
      profile: $(ConvertTo-Json $script:HostileProfile)
$useAws
"@
    # 3b. allowed_account_ids that the role's account is not in (run only when the module has -AllowedAccountId).
    Write-RepoFile 'pipelines/guard.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
      allowed_account_ids: '999999999999,444455556666'
$useAws
"@
    # 4. A string for a number input: refused before any job.
    Write-RepoFile 'pipelines/type.yml' @"
include:
  - component: $aws
    inputs:
      role_arn: $TestRoleArn
      duration_seconds: 'one hour'
$useAws
"@
    # 5. The Windows component, every input set.
    Write-RepoFile 'pipelines/windows.yml' @"
include:
  - component: `$CI_SERVER_FQDN/`$CI_PROJECT_PATH/aws-credentials-windows@`$CI_COMMIT_SHA
    inputs:
      role_arn: $TestRoleArn
      region: eu-west-1
      audience: sts.amazonaws.com
      duration_seconds: 900
      profile: deploy
      version: '$script:Version'
      runner_tag: windows-2022
      chain_role_arn: arn:aws:iam::123456789012:role/gitlab-target
      allowed_account_ids: '123456789012'
deploy-windows:
  extends: .gitlabsts-aws-windows
  script:
    - aws sts get-caller-identity
"@
    foreach ($g in @('init', '-q', '-b', 'main'), @('add', '-A'), @('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-m', 'components under test'),
        @('remote', 'add', 'origin', 'https://gitlab.example.com/gitlabsts/gitlabsts.git'),
        @('config', 'user.name', 'ci'), @('config', 'user.email', 'ci@example.com')) {
        $r = Invoke-Program git $g -WorkingDirectory $script:Repo
        if ($r.ExitCode -ne 0) { throw "git $g failed: $($r.StdErr)" }
    }

    # Runs gitlab-ci-local in the repository on one pipeline file: { ExitCode; Output (no ANSI colours); Logs (the
    # per-job log files it wrote); Seconds }. -Sts picks the STS the jobs call.
    function Invoke-Gcl {
        param([string] $File, [string[]] $Arguments = @(), [string] $Sts = $script:Moto.Url, [string] $Label = $File, [string] $Token = $script:Token)
        $runHome = New-Item -ItemType Directory -Path (Join-Path $script:Work "home-$([guid]::NewGuid().ToString('N'))")
        $state = Join-Path $script:Repo '.gitlab-ci-local'
        Remove-Item -LiteralPath $state -Recurse -Force -ErrorAction Ignore
        $argv = @('--file', $File, '--home', (Join-Path $runHome 'gcl'), '--force-shell-executor', '--no-color', '--concurrency', '1') + $Arguments + @(
            '--variable', "PSModulePath=$(Split-Path (Split-Path $ModuleManifest))"
            '--variable', "GITLAB_OIDC_TOKEN=$Token"
            '--variable', "AWS_ENDPOINT_URL_STS=$Sts"
            '--variable', "GITLABSTS_AWS_SDK_JS=$env:GITLABSTS_AWS_SDK_JS"
            '--variable', "GITLABSTS_TEST_SECRETS=$(Join-Path $runHome 'secrets.txt')"
        )
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-Program $script:Gcl $argv -WorkingDirectory $script:Repo -Environment @{ HOME = $runHome.FullName; PATH = $script:Path; NO_COLOR = '1' }
        $seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
        $script:Runs.Add("$Label`: exit $($r.ExitCode) in $seconds s")
        $strip = { param($t) $t -replace "`e\[[0-9;]*[A-Za-z]", '' }
        $logs = @(Get-ChildItem -LiteralPath (Join-Path $state 'output') -Filter '*.log' -ErrorAction Ignore | ForEach-Object { Get-Content -Raw $_.FullName }) -join "`n"
        [pscustomobject]@{
            ExitCode = $r.ExitCode; Seconds = $seconds; Home = $runHome.FullName; StdOut = & $strip $r.StdOut
            Output = & $strip "$($r.StdOut)`n$($r.StdErr)"; Logs = & $strip $logs
            Secrets = if (Test-Path (Join-Path $runHome 'secrets.txt')) { @(Get-Content (Join-Path $runHome 'secrets.txt') | Where-Object { $_ }) } else { @() }
        }
    }

    # The lines of one job in gitlab-ci-local's output (each line starts with the padded job name).
    function Get-JobLines([object] $Run, [string] $Job) {
        @($Run.Output -split "`r?`n" | Where-Object { $_ -match "^$([regex]::Escape($Job))\s" }) -join "`n"
    }
}

AfterAll {
    Stop-StsFixture
    Restore-TestEnvironment $script:SavedEnv
    if ($env:GITLABSTS_TEST_SUMMARY -and $script:Watch) {
        Add-Content -LiteralPath $env:GITLABSTS_TEST_SUMMARY -Value ("gitlab-ci-local e2e ({0:n0} s in all): {1}" -f $script:Watch.Elapsed.TotalSeconds, ($script:Runs -join '; '))
    }
    if ($script:Work) { Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction Ignore }
}

Describe 'aws-credentials + oidc-check with every default, against moto' {
    BeforeAll { $script:Run = Invoke-Gcl 'pipelines/defaults.yml' -Label 'defaults' }

    It 'passes the pipeline: gitlabsts-check (.pre) and a job extending .gitlabsts-aws' {
        $script:Run.ExitCode | Should -Be 0 -Because $script:Run.Output
        $script:Run.Output | Should -Match '(?m)^\s*PASS\s+gitlabsts-check\b'
        $script:Run.Output | Should -Match '(?m)^\s*PASS\s+use-aws\b'
        # .pre runs first.
        $script:Run.Output.IndexOf('gitlabsts-check passed') | Should -BeLessThan $script:Run.Output.IndexOf('AWS CLI v1 caller')
    }

    It 'AWS CLI v1 and the AWS SDK for JavaScript v3 in the job''s script both end in the role' {
        $job = Get-JobLines $script:Run 'use-aws'
        $job | Should -Match 'AWS_PROFILE=gitlab-oidc'
        $job | Should -Match 'AWS CLI v1 caller arn:aws:sts::123456789012:assumed-role/gitlab-deployer/'
        $job | Should -Match 'JS SDK v3 caller arn:aws:sts::123456789012:assumed-role/gitlab-deployer/'
    }

    It 'uses the defaults: region us-east-1, audience sts.amazonaws.com, 3600 s, profile gitlab-oidc, version of this release, no chain, no guard' {
        $config = Get-Content -Raw (Join-Path $script:Run.Home '.aws/config')
        $config | Should -Match '(?m)^\[profile gitlab-oidc\]'
        $config | Should -Match '(?m)^region = us-east-1$'
        $config | Should -Match '(?m)^duration_seconds = 3600$'
        $config | Should -Match ('(?m)^role_arn = ' + [regex]::Escape($TestRoleArn) + '$')
        @([regex]::Matches($config, '(?m)^\[profile ')).Count | Should -Be 1 -Because 'no chain: one profile'
        Get-JobLines $script:Run 'gitlabsts-check' | Should -Match 'requested -Audience "sts\.amazonaws\.com"'
        $script:Run.Output | Should -Not -Match 'is not installed' -Because "the default version input is $script:Version, the built module's"
    }

    It 'never shows the ID token or a secret in the job log' {
        $script:Run.Secrets.Count | Should -Be 2 -Because 'the job resolved a secret key and a session token'
        foreach ($text in $script:Run.Output, $script:Run.Logs) {
            $text | Should -Not -BeNullOrEmpty
            $text.Contains($script:Token) | Should -BeFalse -Because 'the ID token is not in the log'
            $text.Contains($script:Token.Split('.')[2]) | Should -BeFalse -Because 'not even its signature'
            foreach ($secret in $script:Run.Secrets) { $text.Contains($secret) | Should -BeFalse -Because 'no secret key or session token is in the log' }
        }
    }
}

Describe 'oidc-check when STS refuses the role (the fault STS answers AccessDenied)' {
    BeforeAll {
        Set-FaultStsScript -Sts $script:Fault -Faults @() -Default 'AccessDenied'
        $script:Run = Invoke-Gcl 'pipelines/defaults.yml' -Sts $script:Fault.Url -Label 'refused'
        Reset-FaultSts -Sts $script:Fault
    }

    It 'fails gitlabsts-check and the pipeline, before the job that needs AWS runs, with the reason in the log' {
        $script:Run.ExitCode | Should -Not -Be 0
        $script:Run.Output | Should -Match '(?m)^\s*FAIL\s+gitlabsts-check\b'
        $script:Run.Output | Should -Not -Match '(?m)^\s*PASS\s+use-aws\b'
        $script:Run.Output | Should -Not -Match 'AWS CLI v1 caller'
        $job = Get-JobLines $script:Run 'gitlabsts-check'
        $job | Should -Match 'gitlabsts-check FAILED: AccessDenied'
        $job | Should -Match '\[Fail\] Exchange: STS denied AssumeRoleWithWebIdentity on arn:aws:iam::123456789012:role/gitlab-deployer \(AccessDenied'
        $job | Should -Match 'A trust policy that this job would satisfy'
        $job.Contains($script:Token) | Should -BeFalse
    }
}

Describe 'every input set, hostile where the value is free text' {
    BeforeAll {
        Remove-Item -LiteralPath $script:Marker -ErrorAction Ignore
        $script:Run = Invoke-Gcl 'pipelines/inputs.yml' -Label 'inputs' -Token $script:HostileToken
    }

    It 'runs nothing that a value holds (no marker file), and the job extending .gitlabsts-aws still ends in the role (AWS CLI v1)' {
        Test-Path -LiteralPath $script:Marker | Should -BeFalse -Because 'no $(...), backtick, quote or ; in an input ran a command'
        $job = Get-JobLines $script:Run 'use-aws'
        $script:Run.Output | Should -Match '(?m)^\s*PASS\s+use-aws\b' -Because $script:Run.Output
        $job | Should -Match ([regex]::Escape("AWS_PROFILE=$script:UnusualProfile"))
        $target = if ($script:Chain) { 'gitlab-target' } else { 'gitlab-deployer' }
        $job | Should -Match "AWS CLI v1 caller arn:aws:sts::123456789012:assumed-role/$target/"
    }

    It 'passes region, duration, audience and profile through their job variables' {
        $config = Get-Content -Raw (Join-Path $script:Run.Home '.aws/config')
        $config | Should -Match ('(?m)^\[profile ' + [regex]::Escape($script:UnusualProfile) + '\]')
        $config | Should -Match '(?m)^region = eu-west-1$'
        $config | Should -Match '(?m)^duration_seconds = 900$'
    }

    It 'chain_role_arn and allowed_account_ids reach the cmdlet (needs -ChainRoleArn/-AllowedAccountId, issue 12)' {
        if (-not $script:Chain) { Set-ItResult -Skipped -Because 'the module has no -ChainRoleArn/-AllowedAccountId yet (issue 12)'; return }
        $config = Get-Content -Raw (Join-Path $script:Run.Home '.aws/config')
        $config | Should -Match 'role/gitlab-target'
    }

    It 'gives the hostile role ARN to Test-GitlabOidcRole as data: the check (stage test) fails with the module''s own error' {
        $job = Get-JobLines $script:Run 'gitlabsts-check'
        $script:Run.Output | Should -Match '(?m)^\s*FAIL\s+gitlabsts-check\b'
        $job | Should -Match 'is not an ARN'
        $job | Should -Match 'GitlabSts\.InvalidRoleArn'
        $script:Run.Output | Should -Match 'gitlabsts-check\s+starting shell \(test\)'
    }
}

Describe 'duration_seconds out of range' {
    BeforeAll { $script:Run = Invoke-Gcl 'pipelines/duration.yml' -Label 'duration' }

    It 'fails the job before its script with the module''s GitlabSts.InvalidDuration' {
        $script:Run.ExitCode | Should -Not -Be 0
        $job = Get-JobLines $script:Run 'use-aws'
        $job | Should -Match 'GitlabSts\.InvalidDuration'
        $job | Should -Match '99999'
        $job | Should -Not -Match 'AWS CLI v1 caller'
    }
}

Describe 'a hostile profile name' {
    BeforeAll {
        Remove-Item -LiteralPath $script:Marker -ErrorAction Ignore
        $script:Run = Invoke-Gcl 'pipelines/profile.yml' -Label 'profile'
    }

    It 'fails the job before its script with the module''s GitlabSts.InvalidProfileName, and runs nothing the name holds' {
        $script:Run.ExitCode | Should -Not -Be 0
        $job = Get-JobLines $script:Run 'use-aws'
        $job | Should -Match 'GitlabSts\.InvalidProfileName'
        $job | Should -Not -Match 'AWS CLI v1 caller'
        Test-Path -LiteralPath $script:Marker | Should -BeFalse -Because 'no backtick, brace or $(...) in the profile name ran a command'
    }
}

Describe 'allowed_account_ids without the role''s account' {
    BeforeAll { if ($script:Chain) { $script:Run = Invoke-Gcl 'pipelines/guard.yml' -Label 'guard' } }

    It 'fails the job before its script with the module''s GitlabSts.AccountNotAllowed (needs -AllowedAccountId, issue 12)' {
        if (-not $script:Chain) { Set-ItResult -Skipped -Because 'the module has no -AllowedAccountId yet (issue 12)'; return }
        $script:Run.ExitCode | Should -Not -Be 0
        $job = Get-JobLines $script:Run 'use-aws'
        $job | Should -Match 'GitlabSts\.AccountNotAllowed'
        $job | Should -Not -Match 'AWS CLI v1 caller'
    }
}

Describe 'schema checks (gitlab-ci-local --list)' {
    It 'refuses a string for the number input duration_seconds before any job runs' {
        $r = Invoke-Gcl 'pipelines/type.yml' -Arguments '--list' -Label 'type --list'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'duration_seconds.*provided value is not a number'
    }

    It 'validates the Windows component with every input, and its script lines parse in PowerShell (5.1 syntax)' {
        $r = Invoke-Gcl 'pipelines/windows.yml' -Arguments '--list' -Label 'windows --list'
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'deploy-windows'
        $preview = Invoke-Gcl 'pipelines/windows.yml' -Arguments '--preview' -Label 'windows --preview'
        $preview.ExitCode | Should -Be 0 -Because $preview.Output
        $yaml = $preview.StdOut.Substring($preview.StdOut.IndexOf("`n---") + 4)
        $json = $yaml | & python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'
        $job = ($json | ConvertFrom-Json -AsHashtable)['deploy-windows']
        $job.tags | Should -Be @('windows-2022')
        $job.variables.GITLABSTS_ROLE_ARN | Should -Be $TestRoleArn
        $job.variables.GITLABSTS_DURATION_SECONDS | Should -Be 900
        $job.variables.GITLABSTS_CHAIN_ROLE_ARN | Should -Be 'arn:aws:iam::123456789012:role/gitlab-target'
        $job.id_tokens.GITLAB_OIDC_TOKEN.aud | Should -Be 'sts.amazonaws.com'
        foreach ($section in 'before_script', 'after_script') {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput(($job[$section] -join "`n"), [ref]$tokens, [ref]$errors)
            $errors | Should -BeNullOrEmpty -Because "$section parses"
            @($tokens | Where-Object { "$($_.Kind)" -in 'AndAnd', 'OrOr', 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionMark', 'QuestionDot', 'QuestionLBracket' }) | Should -BeNullOrEmpty -Because "$section runs in Windows PowerShell 5.1"
            $ast.Extent.Text | Should -Not -Match '\$\[\[' -Because 'every input was interpolated'
        }
    }

    It 'validates the project''s own .gitlab-ci.yml (its jobs include each component by $CI_SERVER_FQDN/$CI_PROJECT_PATH/NAME@$CI_COMMIT_SHA)' {
        $r = Invoke-Gcl '.gitlab-ci.yml' -Arguments '--list-all' -Label '.gitlab-ci.yml --list-all'
        $r.ExitCode | Should -Be 0 -Because $r.Output
        foreach ($job in 'build', 'test', 'gitlabsts-check', 'component-aws-credentials', 'component-aws-credentials-windows', 'publish-module', 'catalog-release') {
            $r.Output | Should -Match "(?m)^$([regex]::Escape($job))\s" -Because "the project pipeline has $job"
        }
    }
}
