#Requires -Version 7.2
# The CI/CD components (templates/*.yml) read as files, against CONTRACT.md "GitLab CI/CD components (0.2)" and
# "Hardening (0.2)": a `spec: inputs:` header and `---`, the contract's inputs with their types and defaults (version =
# this release, Directory.Build.props VersionPrefix), a regex where a value has a fixed form (checked against good and
# hostile values), inputs used only in job keys and variables (never in script text), PowerShell that parses (the
# Windows lines as Windows PowerShell 5.1 syntax too), $ErrorActionPreference = 'Stop' first, GitlabSts imported at
# exactly $env:GITLABSTS_VERSION, an install step that fails when that version is still missing, only real cmdlet
# parameters, and the README documenting each. The Windows job also runs here with pwsh (inputs interpolated as GitLab
# does): its per-job AWS folder, the cleanup and a failing exchange failing the job are observed. The Linux components
# run end to end in gitlab-ci-local: Components.Tests.ps1.

BeforeDiscovery {
    $components = @('aws-credentials.yml', 'aws-credentials-windows.yml', 'oidc-check.yml')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:TemplateDir = Join-Path $RepoRoot 'templates'
    $script:Version = ([xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
    $script:Cmdlets = 'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole'
    $script:Ps7Only = 'AndAnd', 'OrOr', 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionMark', 'QuestionDot', 'QuestionLBracket'

    # The contract's table: input -> type, default ($null = required).
    $shared = [ordered]@{
        role_arn = @('string', $null); region = @('string', 'us-east-1'); audience = @('string', 'sts.amazonaws.com')
        duration_seconds = @('number', 3600); profile = @('string', 'gitlab-oidc'); version = @('string', $script:Version)
    }
    $script:Contract = @{
        'aws-credentials.yml'         = $shared + [ordered]@{ image = @('string', '*'); chain_role_arn = @('string', ''); allowed_account_ids = @('string', '') }
        'aws-credentials-windows.yml' = $shared + [ordered]@{ runner_tag = @('string', 'windows'); chain_role_arn = @('string', ''); allowed_account_ids = @('string', '') }
        'oidc-check.yml'              = [ordered]@{
            role_arn = @('string', $null); region = @('string', 'us-east-1'); audience = @('string', 'sts.amazonaws.com')
            version = @('string', $script:Version); image = @('string', '*'); stage = @('string', '.pre')
        }
    }
    $script:Jobs = @{ 'aws-credentials.yml' = '.gitlabsts-aws'; 'aws-credentials-windows.yml' = '.gitlabsts-aws-windows'; 'oidc-check.yml' = 'gitlabsts-check' }

    # A component file -> { Spec; Jobs } (its two YAML documents as hashtables).
    function Read-Component([string] $Name) {
        $parse = 'import json, sys, yaml' + "`n" +
        'class L(yaml.SafeLoader): pass' + "`n" +
        'L.add_constructor("!reference", lambda l, n: {"!reference": l.construct_sequence(n)})' + "`n" +
        'print(json.dumps(list(yaml.load_all(open(sys.argv[1], encoding="utf-8"), Loader=L))))'
        $json = & python3 -c $parse (Join-Path $script:TemplateDir $Name)
        if ($LASTEXITCODE -ne 0) { throw "$Name is not valid YAML." }
        $docs = @($json | ConvertFrom-Json -AsHashtable -NoEnumerate)
        if ($docs.Count -eq 1 -and $docs[0] -is [System.Collections.IList]) { $docs = @($docs[0]) }
        [pscustomobject]@{ Count = $docs.Count; Spec = $docs[0]; Jobs = $docs[1] }
    }

    # The jobs with every $[[ inputs.NAME ]] replaced as GitLab does (a whole-value number input stays a number).
    function Resolve-Component([string] $Name, [hashtable] $Inputs = @{}) {
        $c = Read-Component $Name
        $values = @{}
        foreach ($k in $c.Spec.spec.inputs.Keys) { $values[$k] = if ($Inputs.ContainsKey($k)) { $Inputs[$k] } else { $c.Spec.spec.inputs[$k].default } }
        $json = $c.Jobs | ConvertTo-Json -Depth 20
        $json = [regex]::Replace($json, '"\$\[\[\s*inputs\.([\w-]+)\s*\]\]"', { param($m) ConvertTo-Json $values[$m.Groups[1].Value] })
        $json = [regex]::Replace($json, '\$\[\[\s*inputs\.([\w-]+)\s*\]\]', { param($m) (ConvertTo-Json "$($values[$m.Groups[1].Value])").Trim('"') })
        $json | ConvertFrom-Json -AsHashtable
    }

    # The PowerShell of a component's job: on Windows each section (the runner's shell is PowerShell); on Linux the
    # body of each `pwsh ... -Command '...'` step (the shell is sh). { Source; Text }.
    function Get-PowerShellScript([string] $Name) {
        $c = Read-Component $Name
        foreach ($job in $c.Jobs.Keys) {
            foreach ($section in 'before_script', 'script', 'after_script') {
                if (-not $c.Jobs[$job].ContainsKey($section)) { continue }
                if ($Name -like '*windows*') { [pscustomobject]@{ Source = "$job $section"; Text = ($c.Jobs[$job][$section] -join "`n") }; continue }
                foreach ($step in $c.Jobs[$job][$section]) {
                    if ($step -match "(?s)^\s*pwsh\b[^']*-Command '(.*)'\s*$") { [pscustomobject]@{ Source = "$job $section"; Text = $Matches[1] } }
                    else { $step | Should -Not -Match '\bpwsh\b' -Because "every pwsh step in $job runs one -Command '...' script" }
                }
            }
        }
    }

    function ConvertTo-Ast([string] $Text) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
        [pscustomobject]@{ Ast = $ast; Tokens = $tokens; Errors = $errors }
    }

    # Cmdlet calls in PowerShell text (and in quoted strings inside it): { Source; Command; Parameters }.
    function Get-CmdletParameterUse([string] $Code, [string] $Source) {
        $ast = (ConvertTo-Ast $Code).Ast
        foreach ($command in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            if ($command.GetCommandName() -notin $script:Cmdlets) { continue }
            [pscustomobject]@{ Source = $Source; Command = $command.GetCommandName(); Parameters = @($command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName) }
        }
    }

    # Runs the steps of a Windows job as GitLab Runner's PowerShell shell does (one script, one process), with pwsh.
    function Invoke-WindowsSteps([string[]] $Steps, [hashtable] $Environment) {
        $file = Join-Path $script:Work "job-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ($Steps -join "`n") -Encoding utf8
        Invoke-Program -FilePath 'dotnet' -ArgumentList @($script:PwshDll, '-NoProfile', '-NonInteractive', '-File', $file) -Environment $Environment
    }

    $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-templates-$([guid]::NewGuid().ToString('N'))")
    $script:SavedEnv = Save-TestEnvironment
    $script:Key = New-TestSigningKey
    $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
    # The built module, found by name at its version as an installed one would be.
    $script:ModulePath = (Split-Path (Split-Path $ModuleManifest)) + [IO.Path]::PathSeparator + $env:PSModulePath
    (Import-PowerShellDataFile $ModuleManifest).ModuleVersion | Should -Be $script:Version
}

AfterAll {
    Restore-TestEnvironment $script:SavedEnv
    Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction Ignore
}

Describe 'templates/' {
    It 'holds exactly the three components; the old template names are gone' {
        @(Get-ChildItem $script:TemplateDir -File | ForEach-Object Name | Sort-Object) | Should -Be @('aws-credentials-windows.yml', 'aws-credentials.yml', 'oidc-check.yml')
    }

    It 'no file of the repository names the old templates, except the CHANGELOG that says how to move' {
        $hits = & git -C $RepoRoot grep -l -E 'gitlab-ci-(linux|windows)\.yml|\.gitlabsts-(linux|windows)\b' -- . ':!CHANGELOG.md' ':!README.md' ':!tests/Pester/Templates.Tests.ps1'
        $hits | Should -BeNullOrEmpty
        # README names them only in its "moving from the old templates" part.
        $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
        $moving = $readme.IndexOf('### Moving from the 0.1 templates')
        $moving | Should -BeGreaterThan 0
        $readme.IndexOf('gitlab-ci-linux.yml') | Should -BeGreaterThan $moving
    }
}

Describe '<_>' -ForEach $components {
    BeforeAll {
        $script:Name = $_
        $script:Component = Read-Component $_
        $script:Inputs = $script:Component.Spec.spec.inputs
        $script:Scripts = @(Get-PowerShellScript $_)
        $script:Text = Get-Content -Raw (Join-Path $script:TemplateDir $_)
    }

    It 'is a spec: inputs: header, ---, then the contract''s job and nothing else' {
        $script:Component.Count | Should -Be 2
        $script:Text | Should -Match '(?m)^spec:\r?\n  inputs:'
        $script:Text | Should -Match '(?m)^---\r?$'
        @($script:Component.Spec.Keys) | Should -Be @('spec')
        @($script:Component.Jobs.Keys) | Should -Be @($script:Jobs[$script:Name])
    }

    It 'has the contract''s inputs, types and defaults, each with a description' {
        $expected = $script:Contract[$script:Name]
        @($script:Inputs.Keys | Sort-Object) | Should -Be @($expected.Keys | Sort-Object)
        foreach ($k in $expected.Keys) {
            $i = $script:Inputs[$k]
            $i.type | Should -Be $expected[$k][0] -Because "$k's type"
            "$($i.description)".Length | Should -BeGreaterThan 20 -Because "$k is described"
            if ($null -eq $expected[$k][1]) { $i.ContainsKey('default') | Should -BeFalse -Because "$k is required" }
            elseif ($expected[$k][1] -eq '*') { $i.default | Should -Match '^mcr\.microsoft\.com/powershell:\d+\.\d+' -Because "$k is a pinned PowerShell image" }
            else { $i.default | Should -BeExactly $expected[$k][1] -Because "$k's default" }
        }
    }

    It 'uses every input and only declared inputs, and never in script text (values reach scripts only as variables)' {
        $used = @([regex]::Matches(($script:Component.Jobs | ConvertTo-Json -Depth 20), '\$\[\[\s*inputs\.([\w-]+)\s*\]\]') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $used | Should -Be @($script:Inputs.Keys | Sort-Object)
        $job = $script:Component.Jobs[$script:Jobs[$script:Name]]
        foreach ($section in 'before_script', 'script', 'after_script') {
            foreach ($step in @($job[$section])) { "$step" | Should -Not -Match '\$\[\[' -Because "$section runs no input text" }
        }
        # The only places an input goes: variables, id_tokens aud, image, tags, stage.
        foreach ($key in $job.Keys) {
            if ($key -notin 'variables', 'id_tokens', 'image', 'tags', 'stage') { ($job[$key] | ConvertTo-Json -Depth 20) | Should -Not -Match '\$\[\[' -Because "$key takes no input" }
        }
    }

    It 'has a regex for each value of a fixed form; it admits good values and $VARIABLES, and refuses hostile ones' {
        $good = @{
            role_arn = 'arn:aws:iam::123456789012:role/gitlab-deployer', 'arn:aws-us-gov:iam::123456789012:role/path/to/r+=,.@_-', '$AWS_ROLE_ARN'
            region = 'us-east-1', 'eu-central-1', 'us-gov-west-1', 'ap-southeast-5', '$AWS_REGION'
            version = '0.2.0', '1.10.3-preview1'
            chain_role_arn = '', 'arn:aws:iam::444455556666:role/target', 'arn:aws:iam::444455556666:role/a,arn:aws:iam::777788889999:role/b', '$CHAIN'
            allowed_account_ids = '', '123456789012', '123456789012,444455556666', '$ACCOUNTS'
            profile = 'gitlab-oidc', 'team/prod:ci', 'a_b-c@d+e.f%g', '1234', '$AWS_PROFILE'
        }
        $bad = @('x; rm -rf /', 'arn:aws:iam::123456789012:role/x"; touch p', 'arn:aws:iam::123456789012:role/x$(touch p)', "arn:aws:iam::123456789012:role/x`ntouch p",
            'arn:aws:iam::123456789012:role/x`touch p`', "arn:aws:iam::123456789012:role/x'", 'us-east-1; id', '$(id)', '${IFS}', '1234', '0.2.0; id')
        foreach ($k in $good.Keys) {
            if (-not $script:Inputs.Contains($k)) { continue }
            $regex = $script:Inputs[$k].regex
            $regex | Should -Not -BeNullOrEmpty -Because "$k has a fixed form"
            $regex | Should -Match '^\^.*\$$' -Because "$k's regex is anchored"
            $regex | Should -Not -Match '\(\?[=!<]|\\[1-9]' -Because "$k's regex is RE2 syntax (GitLab's): no lookaround, no backreference"
            foreach ($v in $good[$k]) { $v | Should -MatchExactly $regex -Because "$k admits '$v'" }
            foreach ($v in @($bad | Where-Object { $_ -cnotin $good[$k] })) { $v | Should -Not -MatchExactly $regex -Because "$k refuses '$v'" }
            if ($script:Inputs[$k].ContainsKey('default')) { "$($script:Inputs[$k].default)" | Should -MatchExactly $regex -Because "$k's default passes its own regex" }
        }
    }

    It 'has PowerShell that parses without errors (Windows: Windows PowerShell 5.1 syntax, so no &&, ||, ??, ?. or ternary)' {
        $script:Scripts.Count | Should -BeGreaterThan 0
        foreach ($s in $script:Scripts) {
            $p = ConvertTo-Ast $s.Text
            $p.Errors | Should -BeNullOrEmpty -Because "$($s.Source) parses"
            if ($script:Name -like '*windows*') {
                @($p.Tokens | Where-Object { "$($_.Kind)" -in $script:Ps7Only }) | Should -BeNullOrEmpty -Because "$($s.Source) runs in Windows PowerShell 5.1 too"
            }
        }
    }

    It 'starts every PowerShell script with $ErrorActionPreference = ''Stop''' {
        foreach ($s in $script:Scripts) {
            $first = (ConvertTo-Ast $s.Text).Ast.EndBlock.Statements[0]
            $first | Should -BeOfType [System.Management.Automation.Language.AssignmentStatementAst] -Because "$($s.Source) begins with it"
            $first.Left.VariablePath.UserPath | Should -Be 'ErrorActionPreference'
            $first.Right.Expression.Value | Should -Be 'Stop'
        }
    }

    It 'imports GitlabSts at exactly $env:GITLABSTS_VERSION, and names only real parameters of the cmdlets' {
        $imports = foreach ($s in $script:Scripts) {
            (ConvertTo-Ast $s.Text).Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] -and $args[0].GetCommandName() -eq 'Import-Module' }, $true)
        }
        @($imports).Count | Should -Be 1
        $e = $imports[0].CommandElements
        $at = [array]::IndexOf($e, ($e | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'RequiredVersion' }))
        $at | Should -BeGreaterThan 0
        $e[$at + 1].Extent.Text | Should -Be '"$env:GITLABSTS_VERSION"'
        $imports[0].Extent.Text | Should -Match '\bGitlabSts\b'
        $use = foreach ($s in $script:Scripts) { Get-CmdletParameterUse -Code $s.Text -Source "$script:Name $($s.Source)" }
        @($use).Count | Should -BeGreaterThan 0
        foreach ($u in $use) {
            $known = (Get-Command $u.Command).Parameters.Keys
            foreach ($p in $u.Parameters) { $p | Should -BeIn $known -Because "$($u.Source): $($u.Command) -$p exists" }
        }
    }

    It 'its install step fails when GITLABSTS_VERSION is still not installed afterwards, and passes when it is' {
        $text = ($script:Scripts | Where-Object Source -Like '* before_script' | Select-Object -First 1)
        if (-not $text) { $text = $script:Scripts | Select-Object -First 1 }
        # Installers that install nothing (PSResourceGet and PowerShellGet 1.x alike); stop right after the import.
        $stub = "function Install-PSResource { }`nfunction Install-Module { }`nfunction Install-PackageProvider { }`n"
        $upToImport = ($text.Text -split "`n" | ForEach-Object -Begin { $done = $false } -Process { if (-not $done) { $_ }; if ($_ -match 'Import-Module') { $done = $true } }) -join "`n"
        $r = Invoke-FreshPwsh -Script ($stub + $upToImport) -Environment @{ GITLABSTS_VERSION = '0.0.1'; PSModulePath = $script:ModulePath }
        $r.ExitCode | Should -Not -Be 0
        "$($r.StdErr)$($r.StdOut)" | Should -Match 'GitlabSts 0\.0\.1 is not installed'
        $r = Invoke-FreshPwsh -Script ($stub + $upToImport + "`n'imported ' + (Get-Module GitlabSts).Version") -Environment @{ GITLABSTS_VERSION = $script:Version; PSModulePath = $script:ModulePath }
        $r.ExitCode | Should -Be 0 -Because "$($r.StdErr)"
        $r.StdOut | Should -Match "imported $([regex]::Escape($script:Version))"
    }

    It 'is documented in the README "Use it in GitLab" with a copy-paste block and every input in a table' {
        $readme = Get-Content -Raw (Join-Path $RepoRoot 'README.md')
        $base = [IO.Path]::GetFileNameWithoutExtension($script:Name)
        $readme | Should -Match ([regex]::Escape("- component: `$CI_SERVER_FQDN/gitlabsts/gitlabsts/$base@"))
        foreach ($k in $script:Inputs.Keys) { $readme | Should -Match ("(?m)^\| ``$k`` \|") -Because "the README's table lists $k" }
    }
}

Describe 'aws-credentials-windows.yml .gitlabsts-aws-windows, run with pwsh' {
    BeforeAll {
        $script:Job = (Resolve-Component 'aws-credentials-windows.yml' @{ role_arn = $TestRoleArn; duration_seconds = 900; profile = 'deploy' })['.gitlabsts-aws-windows']
        $script:JobHome = New-Item -ItemType Directory -Path (Join-Path $script:Work 'home')
        $script:Temp = New-Item -ItemType Directory -Path (Join-Path $script:Work 'temp')
        function Get-JobEnvironment([string] $JobId, [hashtable] $Override = @{}) {
            $v = @{ CI_JOB_ID = $JobId; TEMP = $script:Temp.FullName; HOME = $script:JobHome.FullName; USERPROFILE = $script:JobHome.FullName
                PSModulePath = $script:ModulePath; GITLAB_OIDC_TOKEN = $script:Token }
            foreach ($k in $script:Job.variables.Keys) { $v[$k] = "$($script:Job.variables[$k])" }
            foreach ($k in $Override.Keys) { $v[$k] = $Override[$k] }
            $v
        }
        $script:Report = @(
            '"CONFIG=$env:AWS_CONFIG_FILE"', '"CREDENTIALS=$env:AWS_SHARED_CREDENTIALS_FILE"', '"PROFILE=$env:AWS_PROFILE"'
            '"SCRIPT RAN"'
        )
    }

    It 'interpolates the inputs into the job''s tags and variables' {
        $script:Job.tags | Should -Be @('windows')
        $script:Job.variables.GITLABSTS_ROLE_ARN | Should -Be $TestRoleArn
        $script:Job.variables.GITLABSTS_DURATION_SECONDS | Should -Be 900
        $script:Job.variables.GITLABSTS_VERSION | Should -Be $script:Version
        $script:Job.id_tokens.GITLAB_OIDC_TOKEN.aud | Should -Be 'sts.amazonaws.com'
    }

    It 'keeps config, credentials and token in a folder of its own (job id in the name), never ~/.aws, and after_script removes it' {
        $job1 = Invoke-WindowsSteps (@($script:Job.before_script) + $script:Report) (Get-JobEnvironment '101')
        $job1.ExitCode | Should -Be 0 -Because "$($job1.StdErr)"
        $job2 = Invoke-WindowsSteps (@($script:Job.before_script) + $script:Report) (Get-JobEnvironment '102')
        $job2.ExitCode | Should -Be 0 -Because "$($job2.StdErr)"
        $folder1 = Join-Path $script:Temp 'gitlabsts-aws-101'
        $folder2 = Join-Path $script:Temp 'gitlabsts-aws-102'
        $job1.StdOut | Should -Match ([regex]::Escape("CONFIG=$(Join-Path $folder1 'config')"))
        $job1.StdOut | Should -Match ([regex]::Escape("CREDENTIALS=$(Join-Path $folder1 'credentials')"))
        $job1.StdOut | Should -Match 'PROFILE=deploy'
        $job2.StdOut | Should -Match ([regex]::Escape("CONFIG=$(Join-Path $folder2 'config')"))
        $config1 = Get-Content -Raw (Join-Path $folder1 'config')
        $config1 | Should -Match '(?m)^\[profile deploy\]'
        $config1 | Should -Match '(?m)^duration_seconds = 900$'
        $config1 | Should -Match ('(?m)^web_identity_token_file = ' + [regex]::Escape($folder1))
        @(Get-ChildItem -Recurse -File $folder1 | Where-Object Name -Like '*.token').Count | Should -Be 1
        Test-Path -LiteralPath (Join-Path $script:JobHome '.aws') | Should -BeFalse -Because 'nothing is written to the runner user''s ~/.aws'
        (Get-Content -Raw (Join-Path $folder1 'config')) | Should -BeExactly $config1
        "$($job1.StdOut)$($job1.StdErr)".Contains($script:Token) | Should -BeFalse

        $after = Invoke-WindowsSteps @($script:Job.after_script) (Get-JobEnvironment '101')
        $after.ExitCode | Should -Be 0 -Because "$($after.StdErr)"
        Test-Path -LiteralPath $folder1 | Should -BeFalse
        Test-Path -LiteralPath $folder2 | Should -BeTrue -Because 'another job''s folder is not this job''s to remove'
        $after = Invoke-WindowsSteps @($script:Job.after_script) (Get-JobEnvironment '103')
        $after.ExitCode | Should -Be 0 -Because 'after_script of a job that failed before making its folder succeeds'
    }

    It 'runs nothing that a hostile audience or profile holds: the values are data in every PowerShell line' {
        $marker = Join-Path $script:Work 'PWNED'
        $audience = "aud`"'``;`$(New-Item -ItemType File -Path '$marker')`"; New-Item -ItemType File -Path '$marker'; `""
        $profileName = 'team/prod:ci@x+1.0%_a-b'
        $job = (Resolve-Component 'aws-credentials-windows.yml' @{ role_arn = $TestRoleArn; audience = $audience; profile = $profileName })['.gitlabsts-aws-windows']
        $job.variables.GITLABSTS_AUDIENCE | Should -BeExactly $audience
        $token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com', $audience
        $r = Invoke-WindowsSteps (@($job.before_script) + $script:Report) (Get-JobEnvironment '105' @{ GITLAB_OIDC_TOKEN = $token; GITLABSTS_AUDIENCE = $audience; GITLABSTS_PROFILE = $profileName })
        $r.ExitCode | Should -Be 0 -Because "$($r.StdErr)"
        $r.StdOut | Should -Match ([regex]::Escape("PROFILE=$profileName"))
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'no $(...), quote, backtick or ; in a value ran a command'
        $after = Invoke-WindowsSteps @($job.after_script) (Get-JobEnvironment '105')
        $after.ExitCode | Should -Be 0

        # A hostile profile name (GitLab's regex refuses it before the job; gitlab-ci-local does not): the module refuses it as data.
        $hostileProfile = "p``{x}```$(New-Item -ItemType File -Path '$marker')@x"
        $r = Invoke-WindowsSteps (@($job.before_script) + $script:Report) (Get-JobEnvironment '106' @{ GITLAB_OIDC_TOKEN = $token; GITLABSTS_PROFILE = $hostileProfile })
        $r.ExitCode | Should -Not -Be 0
        "$($r.StdErr)$($r.StdOut)" | Should -Match 'GitlabSts\.InvalidProfileName'
        $r.StdOut | Should -Not -Match 'SCRIPT RAN'
        Test-Path -LiteralPath $marker | Should -BeFalse -Because 'nothing in the profile name ran'
        $null = Invoke-WindowsSteps @($job.after_script) (Get-JobEnvironment '106')
    }

    It 'fails the job when the exchange step fails, before any script line, with the module''s error' {
        $r = Invoke-WindowsSteps (@($script:Job.before_script) + $script:Report) (Get-JobEnvironment '104' @{ GITLABSTS_DURATION_SECONDS = '99999' })
        $r.ExitCode | Should -Not -Be 0
        $r.StdOut | Should -Not -Match 'SCRIPT RAN'
        "$($r.StdErr)$($r.StdOut)" | Should -Match '99999'
    }
}
