# Bad-input matrix: every way a caller can get a parameter or its environment wrong. Each case must end in the
# contract's error id and category, with a message that says what to fix (the case's Fix pattern), no stack trace,
# no secret, and, where a local check suffices, no STS request (the fault STS is the endpoint and counts them).
# Cases are data: shared-parameter cases run for every cmdlet of Get-ReliabilityCmdlet, plus each cmdlet's ExtraCases.
# Values starting with '@' are made at run time by Resolve-CaseValue (tokens, files, ports).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1') -Force
    . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
    $longArn = 'arn:aws:iam::123456789012:role/' + ('p/' * 1010) + 'name'   # 2,055 characters
    $elevenArns = 1..11 | ForEach-Object { "arn:aws:iam::123456789012:policy/p$_" }
    $bigPolicy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"' + ('a' * 2048) + '"}]}'
    $fixToken = 'id_tokens:|whole token|copied|not wrapped, quoted|ID token GitLab issues|STS (accepts|requires|rejects)'

    $shared = @(
        # Tokens given as text (every New-MalformedToken kind), in a file, or in a variable.
        foreach ($kind in (Get-MalformedTokenKind).Kind) {
            $id, $cat, $fix = switch ($kind) {
                'Expired' { 'GitlabSts.TokenExpired', 'InvalidData', 'expired at \d{4}-.*(rerun|job)' }
                'NotYetValid' { 'GitlabSts.InvalidIdentityToken', 'InvalidData', 'clock|nbf|not (yet )?valid before' }
                default { 'GitlabSts.MalformedToken', 'InvalidData', $fixToken }
            }
            @{ Area = 'token'; Name = "token $kind"; Params = @{ WebIdentityToken = "@malformed:$kind" }; Id = $id; Category = $cat; Fix = $fix }
        }
        @{ Area = 'token'; Name = 'token file that does not exist'; Params = @{ TokenFile = '@missingfile' }; Id = 'GitlabSts.TokenNotFound'; Category = 'ObjectNotFound'; Fix = 'does not exist.*Check -TokenFile' }
        # Tests run as root, and chmod 000 does not stop root from reading: "unreadable" is a directory, and a path
        # through a regular file (ENOTDIR). A FIFO would block the reader instead of failing, so none is used.
        # A folder given as the file is said to be one (issue 16 item 10: once "Access denied").
        @{ Area = 'token'; Name = 'token file that is a directory'; Params = @{ TokenFile = '@dir' }; Id = 'GitlabSts.TokenNotFound'; Category = 'InvalidArgument'; Fix = 'is a folder, not a file\. Pass the path of a file' }
        @{ Area = 'token'; Name = 'token file below a regular file (ENOTDIR)'; Params = @{ TokenFile = '@notdir' }; Id = 'GitlabSts.TokenNotFound'; Category = 'ObjectNotFound'; Fix = 'Check -TokenFile' }
        @{ Area = 'token'; Name = 'token file that is empty'; Params = @{ TokenFile = '@emptyfile' }; Id = 'GitlabSts.MalformedToken'; Category = 'InvalidData'; Fix = 'is empty.*id_tokens:' }
        @{ Area = 'token'; Name = 'token file of 1 MiB'; Params = @{ TokenFile = '@bigfile' }; Id = 'GitlabSts.MalformedToken'; Category = 'InvalidData'; Fix = 'at most 20000' }
        @{ Area = 'token'; Name = '-TokenFile empty'; Params = @{ TokenFile = '' }; Id = 'GitlabSts.TokenNotFound'; Category = 'InvalidArgument'; Fix = 'Pass the path' }
        @{ Area = 'token'; Name = '-TokenVariable naming an unset variable'; Params = @{ TokenVariable = 'GITLABSTS_NO_SUCH_VARIABLE' }; Id = 'GitlabSts.TokenNotFound'; Category = 'ObjectNotFound'; Fix = 'GITLABSTS_NO_SUCH_VARIABLE:\s*\n\s*aud:' }
        @{ Area = 'token'; Name = '-TokenVariable empty'; Params = @{ TokenVariable = '' }; Id = 'GitlabSts.TokenNotFound'; Category = 'InvalidArgument'; Fix = 'Pass the name of the environment variable' }
        @{ Area = 'token'; Name = '-TokenVariable holding a two-part token'; Params = @{ TokenVariable = 'GITLABSTS_BAD_TOKEN' }; SetEnv = @{ GITLABSTS_BAD_TOKEN = '@malformed:TwoParts' }; Id = 'GitlabSts.MalformedToken'; Category = 'InvalidData'; Fix = $fixToken }
        @{ Area = 'token'; Name = 'no token anywhere'; Params = @{}; SetEnv = @{ GITLAB_OIDC_TOKEN = $null }; Id = 'GitlabSts.TokenNotFound'; Category = 'ObjectNotFound'; Fix = 'aud: sts.amazonaws.com' }
        @{ Area = 'token'; Name = '-Audience the token was not issued for'; Params = @{ Audience = 'https://vault.example.com' }; Id = 'GitlabSts.InvalidIdentityToken'; Category = 'InvalidData'; Fix = 'Set aud: https://vault.example.com' }

        # Role ARNs.
        @{ Area = 'role'; Name = 'role ARN of another service (sts)'; Params = @{ RoleArn = 'arn:aws:sts::123456789012:assumed-role/x/y' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'not an IAM role.*arn:aws:iam::<account id>:role/' }
        @{ Area = 'role'; Name = 'role ARN of another service (s3)'; Params = @{ RoleArn = 'arn:aws:s3:::my-bucket' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'arn:aws:iam::<account id>:role/' }
        @{ Area = 'role'; Name = 'role ARN in an unknown partition'; Params = @{ RoleArn = 'arn:aws-xx:iam::123456789012:role/x' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'aws, aws-cn, aws-us-gov' }
        @{ Area = 'role'; Name = 'role ARN with an 11-digit account'; Params = @{ RoleArn = 'arn:aws:iam::12345678901:role/x' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'exactly 12 digits' }
        @{ Area = 'role'; Name = 'role ARN with a non-numeric account'; Params = @{ RoleArn = 'arn:aws:iam::12345678901a:role/x' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'exactly 12 digits' }
        @{ Area = 'role'; Name = 'user ARN instead of a role'; Params = @{ RoleArn = 'arn:aws:iam::123456789012:user/bob' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'not a role.*:role/<role name>' }
        @{ Area = 'role'; Name = 'role ARN with a region'; Params = @{ RoleArn = 'arn:aws:iam:eu-west-1:123456789012:role/x' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'IAM ARNs have none' }
        @{ Area = 'role'; Name = 'role name with a space'; Params = @{ RoleArn = 'arn:aws:iam::123456789012:role/my role' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'names are 1-64 of' }
        @{ Area = 'role'; Name = 'role ARN longer than 2048'; Params = @{ RoleArn = $longArn }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'at most 2048' }
        @{ Area = 'role'; Name = 'role ARN empty'; Params = @{ RoleArn = '' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'Pass -RoleArn, or set ROLE_ARN' }
        @{ Area = 'role'; Name = 'no role ARN anywhere'; Params = @{ RoleArn = $null }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'Pass -RoleArn, or set ROLE_ARN' }
        @{ Area = 'role'; Name = 'not an ARN at all'; Params = @{ RoleArn = 'gitlab-deployer' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'Expected arn:aws:iam::<12-digit account id>:role/' }
        @{ Area = 'role'; Name = 'ROLE_ARN from the environment with 13 digits'; Params = @{ RoleArn = $null }; SetEnv = @{ ROLE_ARN = 'arn:aws:iam::1234567890123:role/x' }; Id = 'GitlabSts.InvalidRoleArn'; Category = 'InvalidArgument'; Fix = 'exactly 12 digits' }

        # Session names.
        @{ Area = 'session'; Name = 'session name of 1 character'; Params = @{ RoleSessionName = 'x' }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'use 2 to 64 characters' }
        @{ Area = 'session'; Name = 'session name of 65 characters'; Params = @{ RoleSessionName = 'a' * 65 }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'use 2 to 64 characters' }
        @{ Area = 'session'; Name = 'session name with a space'; Params = @{ RoleSessionName = 'my session' }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'A-Z a-z 0-9 _ \+ = , \. @ -' }
        @{ Area = 'session'; Name = 'session name with a slash'; Params = @{ RoleSessionName = 'ci/deploy' }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'A-Z a-z 0-9 _ \+ = , \. @ -' }
        @{ Area = 'session'; Name = 'session name with unicode'; Params = @{ RoleSessionName = 'déploiement-ü' }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'A-Z a-z 0-9 _ \+ = , \. @ -' }
        @{ Area = 'session'; Name = 'session name empty'; Params = @{ RoleSessionName = '' }; Id = 'GitlabSts.InvalidSessionName'; Category = 'InvalidArgument'; Fix = 'use 2 to 64 characters' }

        # Durations.
        foreach ($d in 899, 43201, 0, -1, [int]::MaxValue) {
            @{ Area = 'duration'; Name = "duration $d"; Params = @{ DurationSeconds = $d }; Id = 'GitlabSts.InvalidDuration'; Category = 'InvalidArgument'; Fix = '900 to 43200 seconds' }
        }

        # Session policies.
        @{ Area = 'policy'; Name = 'policy that is not JSON'; Params = @{ Policy = '{"Version": "2012-10-17", Statement' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'Pass a JSON object such as' }
        @{ Area = 'policy'; Name = 'policy that is a JSON array'; Params = @{ Policy = '[]' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'Pass a JSON object such as' }
        @{ Area = 'policy'; Name = 'policy empty'; Params = @{ Policy = '' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'Pass a JSON object such as' }
        @{ Area = 'policy'; Name = 'policy longer than 2048'; Params = @{ Policy = $bigPolicy }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'at most 2048.*-PolicyArn' }
        @{ Area = 'policy'; Name = '11 policy ARNs'; Params = @{ PolicyArn = $elevenArns }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'at most 10' }
        @{ Area = 'policy'; Name = 'malformed policy ARN'; Params = @{ PolicyArn = 'arn:aws:iam::123456789012:role/not-a-policy' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'expected arn:aws:iam::<account id or aws>:policy/' }
        @{ Area = 'policy'; Name = 'policy ARN of another partition'; Params = @{ PolicyArn = 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = "role is in 'aws'" }

        # Regions.
        @{ Area = 'region'; Name = 'region with bad syntax'; Params = @{ Region = 'eu-central' }; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Fix = 'like us-east-1' }
        @{ Area = 'region'; Name = 'region in capitals'; Params = @{ Region = 'EU-CENTRAL-1' }; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Fix = 'like us-east-1' }
        @{ Area = 'region'; Name = 'region of another partition'; Params = @{ Region = 'cn-north-1' }; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Fix = 'for example us-east-1' }
        @{ Area = 'region'; Name = 'gov role without a region'; Params = @{ RoleArn = 'arn:aws-us-gov:iam::123456789012:role/x' }; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Fix = 'Pass -Region or set AWS_REGION.*us-gov-west-1' }
        @{ Area = 'region'; Name = 'AWS_REGION with bad syntax'; Params = @{}; SetEnv = @{ AWS_REGION = 'frankfurt' }; Id = 'GitlabSts.InvalidRegion'; Category = 'InvalidArgument'; Fix = 'from AWS_REGION.*like us-east-1' }

        # Endpoints.
        @{ Area = 'endpoint'; Name = 'endpoint that is not a URL'; Params = @{ EndpointUrl = 'not a url' }; Id = 'GitlabSts.InvalidEndpoint'; Category = 'InvalidArgument'; Fix = 'Use a URL like https://sts' }
        @{ Area = 'endpoint'; Name = 'endpoint with ftp://'; Params = @{ EndpointUrl = 'ftp://127.0.0.1/' }; Id = 'GitlabSts.InvalidEndpoint'; Category = 'InvalidArgument'; Fix = 'not an http\(s\) URL' }
        @{ Area = 'endpoint'; Name = 'endpoint without a host'; Params = @{ EndpointUrl = 'http://' }; Id = 'GitlabSts.InvalidEndpoint'; Category = 'InvalidArgument'; Fix = 'Use a URL like https://sts' }
        @{ Area = 'endpoint'; Name = 'endpoint with a password in it'; Params = @{ EndpointUrl = 'https://user:hunter2-secret@sts.example.com' }; Id = 'GitlabSts.InvalidEndpoint'; Category = 'InvalidArgument'; Fix = 'remove it from the URL'; MustNotContain = 'hunter2-secret' }
        @{ Area = 'endpoint'; Name = 'AWS_ENDPOINT_URL_STS that is not a URL'; Params = @{ EndpointUrl = $null }; SetEnv = @{ AWS_ENDPOINT_URL_STS = 'sts.example.com' }; Id = 'GitlabSts.InvalidEndpoint'; Category = 'InvalidArgument'; Fix = 'or unset AWS_ENDPOINT_URL_STS' }
        @{ Area = 'endpoint'; Name = 'endpoint on an unreachable port'; Params = @{ EndpointUrl = '@freeport'; MaxAttempts = 2 }; Id = 'GitlabSts.NetworkError'; Category = 'ConnectionError'; Fix = 'after 2 attempts.*Check the runner''s network'; Remote = $true }
    )

    $cases = foreach ($c in Get-ReliabilityCmdlet) {
        foreach ($case in @($shared) + @($c.ExtraCases)) {
            $x = $case.Clone()
            if ($c.Overrides -and $c.Overrides.ContainsKey($x.Name)) { foreach ($k in $c.Overrides[$x.Name].Keys) { $x[$k] = $c.Overrides[$x.Name][$k] } }
            $x + @{ Cmdlet = $c.Name }
        }
    }
}

Describe 'Bad-input matrix' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-badinput-$([guid]::NewGuid())") -Force
        $script:Tried = 0
        $script:Handled = 0
        $script:TriedBy = @{}
        $script:ReportedOk = 0
        $script:Unchanged = 0
        $script:ProfileCases = 0
        $script:Cmdlets = @{}
        foreach ($c in Get-ReliabilityCmdlet) { $script:Cmdlets[$c.Name] = $c }

        function Resolve-CaseValue($Value) {
            if ($Value -isnot [string] -or -not $Value.StartsWith('@')) { return $Value }
            switch -Regex ($Value) {
                '^@malformed:(\w+)$' { return New-MalformedToken -Kind $Matches[1] -Key $script:Key }
                '^@missingfile$' { return Join-Path $script:Work 'no-such-token.jwt' }
                '^@dir$' { return (New-Item -ItemType Directory -Path (Join-Path $script:Work "dir-$([guid]::NewGuid())")).FullName }
                '^@notdir$' { $f = Join-Path $script:Work 'regular-file'; Set-Content $f 'x'; return "$f/token.jwt" }
                '^@emptyfile$' { $f = Join-Path $script:Work 'empty.jwt'; Set-Content $f '' -NoNewline; return $f }
                '^@bigfile$' { $f = Join-Path $script:Work 'big.jwt'; [IO.File]::WriteAllText($f, 'a' * 1MB); return $f }
                '^@freeport$' { return "http://127.0.0.1:$(Get-FreeTcpPort)" }
                '^@token$' { return $script:Token }
                '^@failingpolicy$' { return Get-FailingTrustPolicy }
                '^@aws/' { return $Value }   # Expand-AwsPath, once the case's AWS folder exists
                default { throw "Unknown case placeholder $Value" }
            }
        }
    }

    AfterAll {
        Stop-StsFixture
        Clear-ReliabilityReadOnly $script:Work
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
        $per = ($script:TriedBy.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', '
        Add-ReliabilitySummary @(
            "bad inputs tried: $script:Tried ($per; $script:Handled ended in the contract's error id, category and a fixable message, with no STS request where a local check suffices)"
            "bad inputs reported, not thrown (Test-GitlabOidcRole): $script:ReportedOk; profile writes with every file of the AWS folder unchanged (no token, lock or temp file): $script:Unchanged of $script:ProfileCases"
        )
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        $env:GITLAB_OIDC_TOKEN = $script:Token
        Reset-FaultSts -Sts $script:Fault   # default: pass, so a call that wrongly reaches STS succeeds and fails the case
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It '<Cmdlet>: <Name> -> <Id> (<Category>)' -ForEach $cases {
        $script:Tried++
        $script:TriedBy[$Cmdlet] = 1 + $script:TriedBy[$Cmdlet]
        $entry = $script:Cmdlets[$Cmdlet]
        $p = @{ EndpointUrl = $script:Fault.Url } + $entry.Base.Clone()
        foreach ($k in $Params.Keys) {
            if ($null -eq $Params[$k]) { $p.Remove($k) } else { $p[$k] = Resolve-CaseValue $Params[$k] }
        }
        $aws = $null
        if ($entry.AwsFolder) {
            $aws = New-ReliabilityAwsFolder -Root $script:Work -Prepare $(if ($Prepare) { $Prepare } else { @{} })
            $null = Expand-AwsPath $p $aws
            $before = Get-FolderSnapshot $aws
            $before.Count | Should -BeGreaterOrEqual 2 -Because 'the AWS folder holds a config and a credentials file'
        }
        # Test-GitlabOidcRole reports a bad token or a failing policy instead of throwing: the expected ErrorCode.
        $expectReport = if ($Report) { $Report } elseif ($entry.Reported -and $entry.Reported.ContainsKey($Name)) { $entry.Reported[$Name] } elseif ($entry.ReportedById -and $entry.ReportedById.ContainsKey($Id)) { $entry.ReportedById[$Id] }
        if ($Params.ContainsKey('WebIdentityToken') -or $Params.ContainsKey('TokenFile') -or $Params.ContainsKey('TokenVariable')) { Remove-Item Env:GITLAB_OIDC_TOKEN }
        if ($SetEnv) {
            foreach ($k in $SetEnv.Keys) {
                if ($null -eq $SetEnv[$k]) { Remove-Item "Env:$k" -ErrorAction Ignore } else { Set-Item "Env:$k" (Resolve-CaseValue $SetEnv[$k]) }
            }
        }

        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-ReliabilityCall -Cmdlet $Cmdlet -Parameters $p
        $sw.Stop()
        if ($aws) {
            $script:ProfileCases++
            $changes = @(Compare-FolderSnapshot $before (Get-FolderSnapshot $aws))
            $changes | Should -BeNullOrEmpty -Because "a failed Set-GitlabAwsProfile changes no file (error: $($r.Error.Exception.Message))"
            $script:Unchanged++
        }
        if ($expectReport) {
            $r.Error | Should -BeNullOrEmpty -Because "Test-GitlabOidcRole reports '$Name', never throws it"
            $r.Reported | Should -Not -BeNullOrEmpty -Because "the result says the role cannot be assumed (output: $($r.Output | Out-String))"
            @($r.Output).Count | Should -Be 1
            $r.Reported.Result.Success | Should -BeFalse
            $r.Reported.ErrorCode | Should -Match $expectReport
            "$($r.Reported.Message) $($r.Reported.Hint)" | Should -Match $Fix -Because 'the message says what to fix'
            "$($r.Reported.Message)" | Should -Not -Match '(?m)^\s+at \S+\(|   at [\w.]+\.\w+\(|System\.\w+Exception|NullReference'
            Assert-NoSecret -Text (($r.Reported.Result | Format-List * | Out-String -Width 4096) + ($r.All | Out-String -Width 4096)) -Secret $script:Token -Where "the result of '$Name'"
            if (-not $Remote) { (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 0 -Because 'a local check needs no STS request' }
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 15
            $script:ReportedOk++
            $script:Handled++
            return
        }
        $err = $r.Error
        $err | Should -Not -BeNullOrEmpty -Because "$Name must fail (output: $($r.Output | Out-String))"
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        "$($err.CategoryInfo.Category)" | Should -Be $Category
        $message = $err.Exception.Message
        $message | Should -Match $Fix -Because 'the message says what to fix'
        $message | Should -Not -Match '(?m)^\s+at \S+\(|   at [\w.]+\.\w+\(' -Because 'a message carries no stack trace'
        $message | Should -Not -Match 'System\.\w+Exception|NullReference|Object reference not set' -Because 'no raw .NET failure reaches the user'
        Assert-NoSecret -Text (Get-ErrorRecordText $err) -Secret $script:Token -Where "the error of '$Name'"
        if ($MustNotContain) { Get-ErrorRecordText $err | Should -Not -Match ([regex]::Escape($MustNotContain)) }
        if (-not $Remote) { (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 0 -Because 'a local check needs no STS request' }
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'a bad input fails fast'
        $script:Handled++
    }
}
