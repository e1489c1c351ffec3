# Test-GitlabOidcRole for admins: the what-if (parameter set Project) without a token, with -TrustPolicy (no network at
# all, proven as -Offline is: every AWS endpoint and the named issuer are counters) and with -FromIam; the admin matrix
# from Import-Csv rows; and the misuses, each with its error id and no request.
# IAM here is moto's (the roles and the gitlab.com provider created with boto3), reached through the fault STS in front
# of it, which counts every request by action: that is how "IAM read once per role" and "no request" are proven.
Describe 'Test-GitlabOidcRole what-if' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Fault = Start-FaultSts -Upstream $script:Moto.Url
        $script:Key = New-TestSigningKey
        $script:Issuer = Start-OidcIssuer -Key $script:Key

        $script:Provider = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'
        function New-TrustPolicy {
            param([System.Collections.IDictionary] $Condition)
            $statement = [ordered]@{ Effect = 'Allow'; Principal = @{ Federated = $script:Provider }; Action = 'sts:AssumeRoleWithWebIdentity' }
            if ($Condition) { $statement.Condition = $Condition }
            [ordered]@{ Version = '2012-10-17'; Statement = @($statement) } | ConvertTo-Json -Depth 10 -Compress
        }
        # acme/infra on branch main only.
        $script:InfraMain = New-TrustPolicy ([ordered]@{
                StringEquals = @{ 'gitlab.com:aud' = 'sts.amazonaws.com' }
                StringLike   = @{ 'gitlab.com:sub' = 'project_path:acme/infra:ref_type:branch:ref:main' }
            })
        # A project whose ci_id_token_sub_claim_components is project_path,ref.
        $script:CustomSub = New-TrustPolicy ([ordered]@{ StringEquals = @{ 'gitlab.com:sub' = 'project_path:acme/infra:ref:main' } })
        # No condition on sub: any project on gitlab.com.
        $script:Open = New-TrustPolicy ([ordered]@{ StringEquals = @{ 'gitlab.com:aud' = 'sts.amazonaws.com' } })
        # Names unique per run: moto may be shared by every test file of the run.
        $run = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:InfraRole = "arn:aws:iam::123456789012:role/infra-main-$run"
        $script:CustomRole = "arn:aws:iam::123456789012:role/custom-sub-$run"
        $script:OpenRole = "arn:aws:iam::123456789012:role/open-$run"
        $setup = @{ roles = @(
                @{ name = "infra-main-$run"; policy = $script:InfraMain }
                @{ name = "custom-sub-$run"; policy = $script:CustomSub }
                @{ name = "open-$run"; policy = $script:Open }
            ) } | ConvertTo-Json -Depth 5 -Compress
        $py = @'
import boto3, json, sys
setup = json.loads(sys.argv[2])
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
try:
    iam.create_open_id_connect_provider(Url="https://gitlab.com", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40])
except iam.exceptions.EntityAlreadyExistsException:
    pass
for r in setup["roles"]:
    iam.create_role(RoleName=r["name"], AssumeRolePolicyDocument=r["policy"])
print("ok")
'@
        $python = if ($env:GITLABSTS_TEST_PYTHON) { $env:GITLABSTS_TEST_PYTHON } else { 'python3' }
        $out = Invoke-Program -FilePath $python -ArgumentList @('-c', $py, $script:Moto.Url, $setup)
        if ($out.ExitCode -ne 0 -or $out.StdOut.Trim() -ne 'ok') { throw "IAM set-up in moto failed: $($out.StdErr)" }

        function Get-Check([object] $Result, [string] $Name) {
            $found = @($Result.Checks | Where-Object Name -EQ $Name)
            if ($found.Count -ne 1) { throw "Expected one check '$Name'; have: $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ', ')" }
            $found[0]
        }

        # Every request from here on would reach a counter: STS, IAM and any other AWS endpoint go to the fault STS, the
        # issuer the policy names is the local OIDC issuer.
        function Set-AdminEnvironment {
            $env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
            $env:AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
            $env:AWS_DEFAULT_REGION = 'us-east-1'
            $env:AWS_ENDPOINT_URL_IAM = $script:Fault.Url
            $env:AWS_ENDPOINT_URL_STS = $script:Fault.Url
            $env:AWS_ENDPOINT_URL = $script:Fault.Url
        }

        function Get-RequestCount {
            (Get-FaultStsStats -Sts $script:Fault).Total + (Get-OidcIssuerRequests -Issuer $script:Issuer).Total
        }
    }

    AfterAll {
        Stop-OidcIssuer -Issuer $script:Issuer
        Stop-FaultSts -Sts $script:Fault
        Stop-MotoServer -Server $script:Moto
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        Remove-Item Env:AWS_ENDPOINT_URL_IAM -ErrorAction Ignore
        Set-AdminEnvironment
        Reset-FaultSts -Sts $script:Fault
        Reset-OidcIssuerRequests -Issuer $script:Issuer
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Describe 'With -TrustPolicy: no token, no network' {
        It 'admits acme/infra on branch main, with the built subject, issuer and audience, and sends nothing anywhere' {
            $r = Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/infra -Ref main
            $r | Should -BeOfType ([GitlabSts.OidcRoleTestResult])
            $r.Success | Should -BeTrue
            $r.Subject | Should -Be 'project_path:acme/infra:ref_type:branch:ref:main'
            $r.Issuer | Should -Be 'https://gitlab.com'
            $r.Audience | Should -Be @('sts.amazonaws.com')
            $r.TokenExpiresAt | Should -BeNullOrEmpty
            $r.ProjectPath | Should -Be 'acme/infra'
            $r.Ref | Should -Be 'main'
            $r.RefType | Should -Be 'branch'
            foreach ($name in 'TokenShape', 'TokenExpiry', 'TokenNotBefore', 'TokenIssuedAt', 'Signature', 'Exchange') { (Get-Check $r $name).Result | Should -Be 'Skip' }
            @($r.Checks | Where-Object Name -EQ 'CallerIdentity') | Should -HaveCount 0
            $r.PSObject.TypeNames | Should -Not -Contain 'GitlabSts.OidcRoleTestResult#Matrix'
            Get-RequestCount | Should -Be 0
        }

        It 'refuses <Why>, naming the sub condition' -ForEach @(
            @{ Why = 'another project'; Path = 'acme/web'; Ref = 'main'; RefType = 'branch' }
            @{ Why = 'a tag named main'; Path = 'acme/infra'; Ref = 'main'; RefType = 'tag' }
            @{ Why = 'another branch'; Path = 'acme/infra'; Ref = 'develop'; RefType = 'branch' }
        ) {
            $r = Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath $Path -Ref $Ref -RefType $RefType
            $r.Success | Should -BeFalse
            $r.ErrorCode | Should -Be 'TrustPolicyDenied'
            $r.Subject | Should -Be "project_path:${Path}:ref_type:${RefType}:ref:$Ref"
            $r.FirstFailingCondition | Should -BeLike "Statement 1: StringLike gitlab.com:sub ""project_path:acme/infra:ref_type:branch:ref:main"" did not match ""$($r.Subject)""*"
            (Get-Check $r 'Statement 1').Result | Should -Be 'Fail'
            Get-RequestCount | Should -Be 0
        }

        It 'makes no connection even with -Issuer, CI_SERVER_URL and every AWS endpoint pointing at a counter, and -Offline changes nothing' {
            $env:CI_SERVER_URL = $Issuer.Url
            $null = Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/infra -Ref main -Issuer $Issuer.Url
            $null = Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/infra -Ref main -EndpointUrl $Fault.Url -Offline
            $null = 'acme/a', 'acme/b' | ForEach-Object { [pscustomobject]@{ ProjectPath = $_; Ref = 'main' } } | Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain
            Get-RequestCount | Should -Be 0
            # The counters do see traffic: -FromIam reaches the fault STS (GetRole), -VerifySignature with a token the issuer.
            Remove-Item Env:CI_SERVER_URL
            (Test-GitlabOidcRole -RoleArn $InfraRole -FromIam -ProjectPath acme/infra -Ref main).Success | Should -BeTrue
            (Get-FaultStsStats -Sts $Fault -Action GetRole) | Should -Be 1
            Set-FaultStsScript -Sts $Fault -Faults @{ fault = 'AccessDenied'; action = 'AssumeRoleWithWebIdentity' }
            $t = New-GitlabIdToken -Key $Key -Issuer $Issuer.Url -Audience 'sts.amazonaws.com'
            $null = Test-GitlabOidcRole -RoleArn $InfraRole -WebIdentityToken $t -VerifySignature -Issuer $Issuer.Url -TrustPolicy $InfraMain
            (Get-OidcIssuerRequests -Issuer $Issuer).Total | Should -BeGreaterOrEqual 2
        }

        It 'takes the issuer from CI_SERVER_URL and -Audience as the built aud' {
            $env:CI_SERVER_URL = 'https://gitlab.example.com'
            $r = Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/infra -Ref main -Audience https://gitlab.com
            $r.Issuer | Should -Be 'https://gitlab.example.com'
            $r.Audience | Should -Be @('https://gitlab.com')
            $r.Success | Should -BeFalse   # the policy trusts gitlab.com's provider
        }

        It 'evaluates a customised sub through -Claim and through -SubClaimComponents' {
            (Test-GitlabOidcRole -RoleArn $CustomRole -TrustPolicy $CustomSub -ProjectPath acme/infra -Ref main).Success | Should -BeFalse
            $r = Test-GitlabOidcRole -RoleArn $CustomRole -TrustPolicy $CustomSub -ProjectPath acme/infra -Ref main -Claim @{ sub = 'project_path:acme/infra:ref:main' }
            $r.Success | Should -BeTrue
            $r.Subject | Should -Be 'project_path:acme/infra:ref:main'
            $c = Test-GitlabOidcRole -RoleArn $CustomRole -TrustPolicy $CustomSub -ProjectPath acme/infra -Ref main -SubClaimComponents project_path, ref
            $c.Success | Should -BeTrue
            $c.Subject | Should -Be 'project_path:acme/infra:ref:main'
            (Test-GitlabOidcRole -RoleArn $CustomRole -TrustPolicy $CustomSub -ProjectPath acme/infra -Ref main -SubClaimComponents project_path, ref, ref_type).Success | Should -BeFalse
        }

        It 'flags an open policy: admitted for any project, with a Warn finding naming the scope' {
            $r = Test-GitlabOidcRole -RoleArn $OpenRole -TrustPolicy $Open -ProjectPath someone/anything -Ref main
            $r.Success | Should -BeTrue
            $warn = @($r.Checks | Where-Object Result -EQ 'Warn')
            $warn.Name | Should -Contain 'SubjectScope'
            (Get-Check $r 'SubjectScope').Detail | Should -Match 'gitlab.com'
        }

        It 'prints a what-if checklist that says it is a what-if' {
            $text = (Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/web -Ref main | Out-String -Width 160) -replace '\s+', ' '
            $text | Should -Match "Role $([regex]::Escape($InfraRole)): CANNOT be assumed \(TrustPolicyDenied\)"
            $text | Should -Match 'What-if: iss https://gitlab.com, sub project_path:acme/web:ref_type:branch:ref:main'
            $text | Should -Not -Match 'Token: '
        }
    }

    Describe 'With -FromIam: the role and provider read from moto''s IAM' {
        It 'admits and refuses as the role''s real policy says, reading IAM once per call' {
            $ok = Test-GitlabOidcRole -RoleArn $InfraRole -FromIam -ProjectPath acme/infra -Ref main
            $ok.Success | Should -BeTrue -Because "$($ok.Message)"
            (Get-Check $ok 'IamRole').Result | Should -Be 'Pass'
            (Get-Check $ok 'IamProvider').Result | Should -Be 'Pass'
            (Get-Check $ok 'ClientId').Result | Should -Be 'Pass'
            foreach ($case in @(@{ P = 'acme/web'; R = 'main'; T = 'branch' }, @{ P = 'acme/infra'; R = 'main'; T = 'tag' }, @{ P = 'acme/infra'; R = 'develop'; T = 'branch' })) {
                $no = Test-GitlabOidcRole -RoleArn $InfraRole -FromIam -ProjectPath $case.P -Ref $case.R -RefType $case.T
                $no.Success | Should -BeFalse -Because "$($case.P) $($case.T) $($case.R)"
                $no.ErrorCode | Should -Be 'TrustPolicyDenied'
            }
            (Get-FaultStsStats -Sts $Fault -Action GetRole) | Should -Be 4
            (Get-FaultStsStats -Sts $Fault -Action GetOpenIDConnectProvider) | Should -Be 4
            (Get-FaultStsStats -Sts $Fault).Total | Should -Be 8   # no exchange
        }

        It 'evaluates a customised sub through -Claim against the role''s policy' {
            (Test-GitlabOidcRole -RoleArn $CustomRole -FromIam -ProjectPath acme/infra -Ref main).Success | Should -BeFalse
            (Test-GitlabOidcRole -RoleArn $CustomRole -FromIam -ProjectPath acme/infra -Ref main -Claim @{ sub = 'project_path:acme/infra:ref:main' }).Success | Should -BeTrue
        }

        It 'reports an audience the provider does not list' {
            $r = Test-GitlabOidcRole -RoleArn $OpenRole -FromIam -ProjectPath acme/infra -Ref main -Audience https://gitlab.com
            $r.Success | Should -BeFalse
            (Get-Check $r 'ClientId').Result | Should -Be 'Fail'
        }
    }

    Describe 'The admin matrix' {
        BeforeAll {
            $script:Csv = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-matrix-$PID.csv"
            @(
                'ProjectPath,Ref,RefType'
                'acme/infra,main,branch'
                'acme/infra,main,tag'
                'acme/infra,develop,'
                'other/app,main,branch'
            ) | Set-Content -LiteralPath $script:Csv
        }
        AfterAll { Remove-Item -LiteralPath $script:Csv -ErrorAction Ignore }

        It 'gives one result per CSV row, typed #Matrix, printed as one table, with IAM read once for the role' {
            $rows = Import-Csv -LiteralPath $Csv
            $results = @($rows | Test-GitlabOidcRole -RoleArn $InfraRole -FromIam)
            $results | Should -HaveCount 4
            foreach ($r in $results) { $r.PSObject.TypeNames[0] | Should -Be 'GitlabSts.OidcRoleTestResult#Matrix' }
            $results.ProjectPath | Should -Be @('acme/infra', 'acme/infra', 'acme/infra', 'other/app')
            $results.RefType | Should -Be @('branch', 'tag', 'branch', 'branch')
            $results.Success | Should -Be @($true, $false, $false, $false)
            (Get-FaultStsStats -Sts $Fault -Action GetRole) | Should -Be 1
            (Get-FaultStsStats -Sts $Fault -Action GetOpenIDConnectProvider) | Should -Be 1

            $lines = @(($results | Out-String -Width 200) -split "`r?`n" | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^Project\s+Ref\s+Verdict\s+First failing condition$'
            $lines[1] | Should -Match '^-------\s+---\s+-------\s+-----------------------$'
            $lines | Should -HaveCount 6
            $lines[2] | Should -Match '^acme/infra\s+main\s+admitted\s*$'
            $lines[3] | Should -Match '^acme/infra\s+main \(tag\)\s+refused\s+Statement 1: StringLike gitlab.com:sub'
            $lines[4] | Should -Match '^acme/infra\s+develop\s+refused\s+Statement 1: '
            $lines[5] | Should -Match '^other/app\s+main\s+refused\s+Statement 1: '
        }

        It 'reads IAM once per role when the rows name several roles' {
            $rows = @(
                [pscustomobject]@{ RoleArn = $InfraRole; ProjectPath = 'acme/infra'; Ref = 'main' }
                [pscustomobject]@{ RoleArn = $OpenRole; ProjectPath = 'acme/infra'; Ref = 'main' }
                [pscustomobject]@{ RoleArn = $InfraRole; ProjectPath = 'acme/web'; Ref = 'main' }
                [pscustomobject]@{ RoleArn = $OpenRole; ProjectPath = 'anyone/else'; Ref = 'x' }
            )
            $verbose = $rows | Test-GitlabOidcRole -FromIam -Verbose 4>&1
            $results = @($verbose | Where-Object { $_ -is [GitlabSts.OidcRoleTestResult] })
            $results.Success | Should -Be @($true, $true, $false, $true)
            $results.RoleArn | Should -Be @($InfraRole, $OpenRole, $InfraRole, $OpenRole)
            (Get-FaultStsStats -Sts $Fault -Action GetRole) | Should -Be 2
            @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Reusing the IAM read of*' }) | Should -HaveCount 2
        }

        It 'works with -TrustPolicy too, and -Quiet writes one boolean per row' {
            $quiet = @(Import-Csv -LiteralPath $Csv | Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -Quiet)
            $quiet | Should -Be @($true, $false, $false, $false)
            foreach ($q in $quiet) { $q | Should -BeOfType ([bool]) }
            Get-RequestCount | Should -Be 0
        }

        It 'writes a bad row''s error and goes on with the next rows' {
            $rows = @(
                [pscustomobject]@{ ProjectPath = 'acme/infra'; Ref = 'main' }
                [pscustomobject]@{ ProjectPath = 'nogroup'; Ref = 'main' }
                [pscustomobject]@{ ProjectPath = 'acme/infra'; Ref = 'bad ref' }
                [pscustomobject]@{ ProjectPath = 'other/app'; Ref = 'main' }
            )
            $results = @($rows | Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ErrorVariable errs -ErrorAction SilentlyContinue)
            $results.ProjectPath | Should -Be @('acme/infra', 'other/app')
            $errs | Should -HaveCount 2
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidClaim,*'
            $errs[1].FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidClaim,*'
        }

        It 'reports progress naming each row and the count done' {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$ProgressPreference = 'Continue'; Import-Csv -LiteralPath '$Csv' | Test-GitlabOidcRole -RoleArn '$InfraRole' -TrustPolicy '$($InfraMain -replace "'", "''")'")
                $out = $ps.Invoke()
                $out | Should -HaveCount 4
                $status = @($ps.Streams.Progress | Where-Object RecordType -EQ 'Processing' | ForEach-Object StatusDescription)
                $status | Should -Be @(
                    'Row 1: acme/infra on branch main (0 done)'
                    'Row 2: acme/infra on tag main (1 done)'
                    'Row 3: acme/infra on branch develop (2 done)'
                    'Row 4: other/app on branch main (3 done)'
                )
                @($ps.Streams.Progress | Where-Object RecordType -EQ 'Completed') | Should -HaveCount 1
            }
            finally { $ps.Dispose() }
        }

        It 'rows bound by property name do not leak into the next row (RefType, Claim)' {
            $rows = @(
                [pscustomobject]@{ ProjectPath = 'acme/infra'; Ref = 'main'; RefType = 'tag'; Claim = @{ ref_protected = 'true' } }
                [pscustomobject]@{ ProjectPath = 'acme/infra'; Ref = 'main' }
            )
            $results = @($rows | Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -Verbose 4>$null)
            $results.RefType | Should -Be @('tag', 'branch')
            $results.Success | Should -Be @($false, $true)
        }
    }

    Describe 'Misuses: an error id and no request' {
        It '<Name> is <Id>' -ForEach @(
            @{ Name = 'an empty -ProjectPath'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = ''; Ref = 'main' } }
            @{ Name = 'a path without a group'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'infra'; Ref = 'main' } }
            @{ Name = 'a project URL'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'https://gitlab.com/acme/infra'; Ref = 'main' } }
            @{ Name = 'a path with a space'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/in fra'; Ref = 'main' } }
            @{ Name = 'a path ending in .git'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra.git'; Ref = 'main' } }
            @{ Name = 'a path with a leading slash'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = '/acme/infra'; Ref = 'main' } }
            @{ Name = 'an empty -Ref'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = '' } }
            @{ Name = 'a ref with a space'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'feature x' } }
            @{ Name = 'a ref with a control character'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = "main`n" } }
            @{ Name = 'a full ref'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'refs/heads/main' } }
            @{ Name = 'a ref with ..'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'a..b' } }
            @{ Name = '-RefType mr'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; RefType = 'mr' } }
            @{ Name = '-RefType merge_request'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; RefType = 'merge_request' } }
            @{ Name = 'a -Claim number'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ namespace_id = 42 } } }
            @{ Name = 'a -Claim boolean'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ ref_protected = $true } } }
            @{ Name = 'a -Claim empty key'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ '' = 'x' } } }
            @{ Name = 'a -Claim $null value'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ x = $null } } }
            @{ Name = 'a -Claim hashtable value'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ x = @{ y = 'z' } } } }
            @{ Name = 'a -Claim project_path'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ project_path = 'a/b' } } }
            @{ Name = 'a -Claim sub with two values'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Claim = @{ sub = 'a', 'b' } } }
            @{ Name = 'an unknown -SubClaimComponents order'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; SubClaimComponents = 'ref', 'project_path' } }
            @{ Name = '-Claim sub with -SubClaimComponents'; Id = 'GitlabSts.ParameterConflict'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; SubClaimComponents = 'project_path', 'ref'; Claim = @{ sub = 'x' } } }
            @{ Name = '-Claim iss with -Issuer'; Id = 'GitlabSts.ParameterConflict'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Issuer = 'https://a.example'; Claim = @{ iss = 'https://b.example' } } }
            @{ Name = 'an empty -Audience'; Id = 'GitlabSts.InvalidClaim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; Audience = ' ' } }
            @{ Name = 'neither -TrustPolicy nor -FromIam'; Id = 'GitlabSts.InvalidPolicy'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main' } }
            @{ Name = '-TrustPolicy with -FromIam'; Id = 'GitlabSts.InvalidPolicy'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; FromIam = $true } }
            @{ Name = 'an empty -TrustPolicy'; Id = 'GitlabSts.InvalidPolicy'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; TrustPolicy = ' ' } }
            @{ Name = 'a missing -TrustPolicy file'; Id = 'GitlabSts.InvalidPolicy'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; TrustPolicy = './no-such-trust.json' } }
            @{ Name = '-FromIam with -ClientId'; Id = 'GitlabSts.ParameterConflict'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; FromIam = $true; ClientId = 'sts.amazonaws.com' } }
            @{ Name = '-FromIam with an empty -ProfileName'; Id = 'GitlabSts.InvalidProfileName'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; FromIam = $true; ProfileName = '' } }
            @{ Name = '-FromIam with a bad path'; Id = 'GitlabSts.InvalidClaim'; NoPolicy = $true; Params = @{ ProjectPath = 'nogroup'; Ref = 'main'; FromIam = $true } }
            @{ Name = '-FromIam with a bad ref'; Id = 'GitlabSts.InvalidClaim'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'a b'; FromIam = $true } }
            @{ Name = '-FromIam with a bad role ARN'; Id = 'GitlabSts.InvalidRoleArn'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; FromIam = $true; RoleArn = 'arn:aws:iam::123:role/x' } }
            @{ Name = '-FromIam with -VerifySignature'; Id = 'GitlabSts.ParameterConflict'; NoPolicy = $true; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; FromIam = $true; VerifySignature = $true } }
            @{ Name = '-VerifySignature'; Id = 'GitlabSts.ParameterConflict'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; VerifySignature = $true } }
            @{ Name = 'a bad role ARN'; Id = 'GitlabSts.InvalidRoleArn'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; RoleArn = 'garbage' } }
            @{ Name = 'a bad -DurationSeconds'; Id = 'GitlabSts.InvalidDuration'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; DurationSeconds = 60 } }
            @{ Name = 'a bad -ConditionContext'; Id = 'GitlabSts.InvalidPolicy'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main'; ConditionContext = @{ 'gitlab.com:sub' = 'x' } } }
            @{ Name = 'a token as -ProjectPath'; Id = 'GitlabSts.InvalidClaim'; TokenIn = 'ProjectPath'; Params = @{ Ref = 'main' } }
            @{ Name = 'a token in -Claim'; Id = 'GitlabSts.InvalidClaim'; TokenIn = 'Claim'; Params = @{ ProjectPath = 'acme/infra'; Ref = 'main' } }
        ) {
            $p = @{ RoleArn = $InfraRole }
            if (-not $NoPolicy) { $p.TrustPolicy = $InfraMain }
            foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
            $jwt = $null
            if ($TokenIn) {
                $jwt = New-GitlabIdToken -Key $Key -Audience 'sts.amazonaws.com'
                $p[$TokenIn] = if ($TokenIn -eq 'Claim') { @{ sub = $jwt } } else { $jwt }
            }
            $env:CI_SERVER_URL = $Issuer.Url
            $err = $null
            $out = Test-GitlabOidcRole @p -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err[0].Exception.Message | Should -Not -BeNullOrEmpty
            if ($jwt) { "$($err[0])" | Should -Not -Match ([regex]::Escape($jwt.Substring(0, 40))) }
            Get-RequestCount | Should -Be 0
        }

        It 'a token parameter with -ProjectPath is the binder''s error (no set has both), with no request' {
            $t = New-GitlabIdToken -Key $Key -Audience 'sts.amazonaws.com'
            { Test-GitlabOidcRole -RoleArn $InfraRole -TrustPolicy $InfraMain -ProjectPath acme/infra -Ref main -WebIdentityToken $t -ErrorAction Stop } |
                Should -Throw -ErrorId 'AmbiguousParameterSet*'
            Get-RequestCount | Should -Be 0
        }
    }
}
