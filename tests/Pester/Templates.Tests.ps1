#Requires -Version 7.2
# The CI templates (templates/gitlab-ci-*.yml) as CONTRACT.md "Hardening (0.2)" wants them: valid YAML whose PowerShell
# parses (the Windows lines for Windows PowerShell 5.1 too), GitlabSts imported at exactly GITLABSTS_VERSION (this
# release's, Directory.Build.props VersionPrefix), the install step checking the version it installed,
# $ErrorActionPreference = 'Stop' first in every PowerShell script, and the Windows profile job in a folder of its own,
# removed in after_script. The jobs are also run here (pwsh for the Windows lines, bash for the Linux ones) on the built
# module: the per-job folder, the cleanup and a failing exchange failing the job are observed, not read.

BeforeDiscovery {
    $templates = @('gitlab-ci-linux.yml', 'gitlab-ci-windows.yml')
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:TemplateDir = Join-Path $RepoRoot 'templates'
    $script:Version = ([xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1

    # YAML -> hashtables; GitLab's !reference [job, key] is kept as @{ '!reference' = @(job, key) }.
    function Read-Template([string] $Name) {
        $parse = 'import json, sys, yaml' + "`n" +
        'class L(yaml.SafeLoader): pass' + "`n" +
        'L.add_constructor("!reference", lambda l, n: {"!reference": l.construct_sequence(n)})' + "`n" +
        'print(json.dumps(yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=L)))'
        $json = & python3 -c $parse (Join-Path $script:TemplateDir $Name)
        if ($LASTEXITCODE -ne 0) { throw "$Name is not valid YAML." }
        $json | ConvertFrom-Json -AsHashtable
    }

    # A job's section with every !reference replaced by what it names (nested ones too), as GitLab flattens it.
    function Get-Section([hashtable] $Doc, [string] $Job, [string] $Section) {
        $j = $Doc[$Job]
        while ($j -and -not $j.ContainsKey($Section) -and $j.extends) { $j = $Doc[$j.extends] }
        if (-not $j -or -not $j.ContainsKey($Section)) { return }
        foreach ($step in @($j[$Section])) {
            if ($step -is [System.Collections.IDictionary]) { Get-Section $Doc $step['!reference'][0] $step['!reference'][1] }
            else { $step }
        }
    }

    # A job's variables, the extended job's first, then its own.
    function Get-JobVariables([hashtable] $Doc, [string] $Job) {
        $v = @{}
        if ($Doc[$Job].extends) { $v = Get-JobVariables $Doc $Doc[$Job].extends }
        if ($Doc[$Job].variables) { foreach ($k in $Doc[$Job].variables.Keys) { $v[$k] = $Doc[$Job].variables[$k] } }
        $v
    }

    # The PowerShell scripts of a template: on Windows every section of every job (the runner's shell is PowerShell);
    # on Linux the body of each `pwsh ... -Command '...'` step (the shell is sh). { Source; Text }.
    function Get-PowerShellScript([string] $Name) {
        $doc = Read-Template $Name
        foreach ($job in $doc.Keys) {
            foreach ($section in 'before_script', 'script', 'after_script') {
                $steps = @($doc[$job][$section] | Where-Object { $_ -is [string] })
                if ($Name -like '*windows*') {
                    if ($doc[$job].ContainsKey($section)) { [pscustomobject]@{ Source = "$job $section"; Text = (@(Get-Section $doc $job $section) -join "`n") } }
                }
                else {
                    foreach ($step in $steps) {
                        if ($step -match "(?s)^\s*pwsh\b[^']*-Command '(.*)'\s*$") { [pscustomobject]@{ Source = "$job $section"; Text = $Matches[1] } }
                        else { $step | Should -Not -Match '\bpwsh\b' -Because "every pwsh step in $job runs one -Command '...' script" }
                    }
                }
            }
        }
    }

    function ConvertTo-Ast([string] $Text) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
        [pscustomobject]@{ Ast = $ast; Tokens = $tokens; Errors = $errors }
    }

    # Runs the steps of a Windows job as GitLab Runner's PowerShell shell does (one script, one process), with pwsh.
    function Invoke-WindowsSteps([string[]] $Steps, [hashtable] $Environment) {
        $file = Join-Path $script:Work "job-$([guid]::NewGuid().ToString('N')).ps1"
        Set-Content -LiteralPath $file -Value ($Steps -join "`n") -Encoding utf8
        Invoke-Program -FilePath 'dotnet' -ArgumentList @($script:PwshDll, '-NoProfile', '-NonInteractive', '-File', $file) -Environment $Environment
    }

    # Runs the steps of a Linux job as GitLab Runner's bash shell does (set -eo pipefail), with `pwsh` on PATH.
    function Invoke-LinuxSteps([string[]] $Steps, [hashtable] $Environment) {
        $file = Join-Path $script:Work "job-$([guid]::NewGuid().ToString('N')).sh"
        Set-Content -LiteralPath $file -Value ((@('set -eo pipefail') + $Steps) -join "`n") -Encoding utf8NoBOM
        $vars = $Environment.Clone()
        $vars.PATH = "$($script:Shim)$([IO.Path]::PathSeparator)$env:PATH"
        Invoke-Program -FilePath 'bash' -ArgumentList @($file) -Environment $vars
    }

    $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-templates-$([guid]::NewGuid().ToString('N'))")
    $script:Shim = New-Item -ItemType Directory -Path (Join-Path $script:Work 'bin')
    Set-Content -LiteralPath (Join-Path $script:Shim 'pwsh') -Value "#!/bin/sh`nexec dotnet '$script:PwshDll' `"`$@`"`n" -Encoding utf8NoBOM
    if ($IsLinux -or $IsMacOS) { & chmod +x (Join-Path $script:Shim 'pwsh') }
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

Describe '<_>' -ForEach $templates {
    BeforeAll {
        $script:Name = $_
        $script:Doc = Read-Template $_
        $script:Scripts = @(Get-PowerShellScript $_)
    }

    It 'is valid YAML of hidden jobs whose !references all resolve' {
        $script:Doc.Keys | ForEach-Object { $_ | Should -Match '^\.gitlabsts-' }
        foreach ($job in $script:Doc.Keys) {
            foreach ($section in 'before_script', 'script', 'after_script') {
                foreach ($step in @($script:Doc[$job][$section] | Where-Object { $_ -is [System.Collections.IDictionary] })) {
                    $script:Doc.Keys | Should -Contain $step['!reference'][0]
                    $script:Doc[$step['!reference'][0]].Keys | Should -Contain $step['!reference'][1]
                }
            }
        }
    }

    It 'pins GITLABSTS_VERSION to this release (Directory.Build.props VersionPrefix)' {
        $pinned = @($script:Doc.Keys | ForEach-Object { $script:Doc[$_].variables } | Where-Object { $_ -and $_.ContainsKey('GITLABSTS_VERSION') } | ForEach-Object { $_.GITLABSTS_VERSION })
        $pinned.Count | Should -BeGreaterThan 0
        $pinned | ForEach-Object { $_ | Should -BeExactly $script:Version }
    }

    It 'has PowerShell that parses without errors (Windows: also in Windows PowerShell 5.1, so no &&, ||, ??, ?. or ternary)' {
        $script:Scripts.Count | Should -BeGreaterThan 1
        $ps7Only = 'AndAnd', 'OrOr', 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionMark', 'QuestionDot', 'QuestionLBracket'
        foreach ($s in $script:Scripts) {
            $p = ConvertTo-Ast $s.Text
            $p.Errors | Should -BeNullOrEmpty -Because "$($s.Source) parses"
            if ($script:Name -like '*windows*') {
                @($p.Tokens | Where-Object { "$($_.Kind)" -in $ps7Only }) | Should -BeNullOrEmpty -Because "$($s.Source) runs in Windows PowerShell 5.1 too"
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

    It 'imports GitlabSts at exactly $env:GITLABSTS_VERSION on every import' {
        $imports = foreach ($s in $script:Scripts) {
            (ConvertTo-Ast $s.Text).Ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] -and $args[0].GetCommandName() -eq 'Import-Module' }, $true) |
                ForEach-Object { [pscustomobject]@{ Source = $s.Source; Command = $_ } }
        }
        @($imports).Count | Should -BeGreaterThan 0
        foreach ($i in $imports) {
            $e = $i.Command.CommandElements
            $names = @($e | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName)
            $names | Should -Contain 'RequiredVersion' -Because "$($i.Source): $($i.Command.Extent.Text)"
            $at = [array]::IndexOf($e, ($e | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] -and $_.ParameterName -eq 'RequiredVersion' }))
            $e[$at + 1].Extent.Text | Should -Be '$env:GITLABSTS_VERSION'
            $i.Command.Extent.Text | Should -Match '\bGitlabSts\b'
        }
    }

    It 'its install step fails when GITLABSTS_VERSION is still not installed afterwards' {
        $install = $script:Scripts | Where-Object Source -Like '*-install before_script' | Select-Object -First 1
        $install | Should -Not -BeNullOrEmpty
        # An installer that installs nothing (PSResourceGet and PowerShellGet 1.x alike): the step must say so and fail.
        $text = "function Install-PSResource { }`nfunction Install-Module { }`nfunction Install-PackageProvider { }`n" + $install.Text
        $r = Invoke-FreshPwsh -Script $text -Environment @{ GITLABSTS_VERSION = '0.0.1'; PSModulePath = $script:ModulePath }
        $r.ExitCode | Should -Not -Be 0
        "$($r.StdErr)$($r.StdOut)" | Should -Match 'GitlabSts 0\.0\.1 is not installed'
        $r = Invoke-FreshPwsh -Script ($text + "`n'installed'") -Environment @{ GITLABSTS_VERSION = $script:Version; PSModulePath = $script:ModulePath }
        $r.ExitCode | Should -Be 0 -Because "$($r.StdErr)"
        $r.StdOut | Should -Match 'installed'
    }
}

Describe 'gitlab-ci-windows.yml .gitlabsts-windows-profile, run with pwsh' {
    BeforeAll {
        $script:Doc = Read-Template 'gitlab-ci-windows.yml'
        $script:Before = @(Get-Section $script:Doc '.gitlabsts-windows-profile' 'before_script')
        $script:After = @(Get-Section $script:Doc '.gitlabsts-windows-profile' 'after_script')
        $script:JobHome = New-Item -ItemType Directory -Path (Join-Path $script:Work 'home')
        $script:Temp = New-Item -ItemType Directory -Path (Join-Path $script:Work 'temp')
        function Get-JobEnvironment([string] $JobId, [string] $RoleArn = $TestRoleArn) {
            $v = Get-JobVariables $script:Doc '.gitlabsts-windows-profile'
            @{
                CI_JOB_ID = $JobId; TEMP = $script:Temp.FullName; HOME = $script:JobHome.FullName; USERPROFILE = $script:JobHome.FullName
                PSModulePath = $script:ModulePath; GITLAB_OIDC_TOKEN = $script:Token; ROLE_ARN = $RoleArn
                AWS_REGION = $v.AWS_REGION; GITLABSTS_VERSION = $v.GITLABSTS_VERSION; GITLABSTS_PROFILE = $v.GITLABSTS_PROFILE
                GITLABSTS_DURATION_SECONDS = $v.GITLABSTS_DURATION_SECONDS
            }
        }
        # What the job's own script lines see.
        $script:Report = @(
            '"CONFIG=$env:AWS_CONFIG_FILE"', '"CREDENTIALS=$env:AWS_SHARED_CREDENTIALS_FILE"', '"PROFILE=$env:AWS_PROFILE"'
            'Get-ChildItem -Recurse -File -LiteralPath (Split-Path $env:AWS_CONFIG_FILE) | ForEach-Object { "FILE=$($_.FullName)" }'
            '"SCRIPT RAN"'
        )
    }

    It 'keeps config, credentials and token in a folder of its own (job id in the name), never ~/.aws, and after_script removes it' {
        $job1 = Invoke-WindowsSteps ($script:Before + $script:Report) (Get-JobEnvironment '101')
        $job1.ExitCode | Should -Be 0 -Because "$($job1.StdErr)"
        $job2 = Invoke-WindowsSteps ($script:Before + $script:Report) (Get-JobEnvironment '102')
        $job2.ExitCode | Should -Be 0 -Because "$($job2.StdErr)"
        $folder1 = Join-Path $script:Temp 'gitlabsts-aws-101'
        $folder2 = Join-Path $script:Temp 'gitlabsts-aws-102'
        $job1.StdOut | Should -Match ([regex]::Escape("CONFIG=$(Join-Path $folder1 'config')"))
        $job1.StdOut | Should -Match ([regex]::Escape("CREDENTIALS=$(Join-Path $folder1 'credentials')"))
        $job1.StdOut | Should -Match 'PROFILE=gitlab-oidc'
        $job2.StdOut | Should -Match ([regex]::Escape("CONFIG=$(Join-Path $folder2 'config')"))
        # The token file (role_arn + web_identity_token_file) is inside the job's folder too.
        $config1 = Get-Content -Raw (Join-Path $folder1 'config')
        $config1 | Should -Match '(?m)^\[profile gitlab-oidc\]'
        $config1 | Should -Match ('(?m)^web_identity_token_file = ' + [regex]::Escape($folder1))
        @(Get-ChildItem -Recurse -File $folder1 | Where-Object Name -Like '*.token').Count | Should -Be 1
        Test-Path -LiteralPath (Join-Path $script:JobHome '.aws') | Should -BeFalse -Because 'nothing is written to the runner user''s ~/.aws'
        # Concurrent jobs: the second job changed nothing of the first's.
        (Get-Content -Raw (Join-Path $folder1 'config')) | Should -BeExactly $config1

        $after = Invoke-WindowsSteps $script:After (Get-JobEnvironment '101')
        $after.ExitCode | Should -Be 0 -Because "$($after.StdErr)"
        Test-Path -LiteralPath $folder1 | Should -BeFalse
        Test-Path -LiteralPath $folder2 | Should -BeTrue -Because 'another job''s folder is not this job''s to remove'
        $after = Invoke-WindowsSteps $script:After (Get-JobEnvironment '103')
        $after.ExitCode | Should -Be 0 -Because 'after_script of a job that failed before making its folder succeeds'
    }

    It 'fails the job when the exchange step fails, before any script line' {
        $r = Invoke-WindowsSteps ($script:Before + $script:Report) (Get-JobEnvironment '104' -RoleArn 'not-a-role-arn')
        $r.ExitCode | Should -Not -Be 0
        $r.StdOut | Should -Not -Match 'SCRIPT RAN'
        "$($r.StdErr)$($r.StdOut)" | Should -Match 'is not an ARN'
    }
}

Describe 'gitlab-ci-linux.yml .gitlabsts-linux, run with bash' {
    BeforeAll {
        $script:Doc = Read-Template 'gitlab-ci-linux.yml'
        $script:Before = @(Get-Section $script:Doc '.gitlabsts-linux' 'before_script')
        function Get-JobEnvironment([string] $RoleArn = $TestRoleArn) {
            $v = Get-JobVariables $script:Doc '.gitlabsts-linux'
            $jobHome = New-Item -ItemType Directory -Path (Join-Path $script:Work "linux-home-$([guid]::NewGuid().ToString('N'))")
            @{
                HOME = $jobHome.FullName; PSModulePath = $script:ModulePath; GITLAB_OIDC_TOKEN = $script:Token; ROLE_ARN = $RoleArn
                AWS_REGION = $v.AWS_REGION; GITLABSTS_VERSION = $v.GITLABSTS_VERSION; GITLABSTS_PROFILE = $v.GITLABSTS_PROFILE
                GITLABSTS_DURATION_SECONDS = $v.GITLABSTS_DURATION_SECONDS
            }
        }
    }

    It 'writes the profile with the pinned module and exports AWS_PROFILE' -Skip:(-not $IsLinux) {
        $vars = Get-JobEnvironment
        $r = Invoke-LinuxSteps ($script:Before + 'echo "PROFILE=$AWS_PROFILE"') $vars
        $r.ExitCode | Should -Be 0 -Because "$($r.StdErr)"
        $r.StdOut | Should -Match 'PROFILE=gitlab-oidc'
        Get-Content -Raw (Join-Path $vars.HOME '.aws/config') | Should -Match '(?m)^\[profile gitlab-oidc\]'
    }

    It 'fails the job when the exchange step fails, before any script line' -Skip:(-not $IsLinux) {
        $r = Invoke-LinuxSteps ($script:Before + 'echo "SCRIPT RAN"') (Get-JobEnvironment -RoleArn 'not-a-role-arn')
        $r.ExitCode | Should -Not -Be 0
        $r.StdOut | Should -Not -Match 'SCRIPT RAN'
    }
}
