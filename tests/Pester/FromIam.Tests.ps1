# Test-GitlabOidcRole -FromIam against moto's IAM: roles and OIDC providers created with boto3, the admin's keys in the
# environment, AWS_ENDPOINT_URL_IAM at moto (or at the fault STS in front of it, for an IAM AccessDenied), a minted token.
Describe 'Test-GitlabOidcRole -FromIam' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Fault = Start-FaultSts -Upstream $script:Moto.Url
        $script:Key = New-TestSigningKey

        # The admin at a terminal: static keys in the environment. The secret must never show anywhere.
        $script:AdminKeyId = 'AKIAIAMADMIN' + (Get-Random -Minimum 10000000 -Maximum 99999999)
        $script:AdminSecret = 'iamAdminSecret/' + [guid]::NewGuid().ToString('N') + '+Kx'

        # Names unique per run: moto may be shared by every test file of the run.
        $run = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $script:Host1 = "gitlab-$run.example.com"                 # an issuer with a provider (client id sts.amazonaws.com)
        $script:Issuer1 = "https://$script:Host1"
        $script:PathIssuer = "https://git-$run.example.com/gitlab"  # self-managed under a path, with a provider
        $script:NoProviderIssuer = "https://noprov-$run.example.com"
        $script:Account = '123456789012'
        $script:Role = "arn:aws:iam::$($script:Account):role/deployer-$run"
        $script:PathRole = "arn:aws:iam::$($script:Account):role/ci/path-$run"
        $script:NoProviderRole = "arn:aws:iam::$($script:Account):role/noprov-$run"
        $script:MissingRole = "arn:aws:iam::$($script:Account):role/missing-$run"

        function New-Policy([string] $IssuerHost, [string] $Sub) {
            @{ Version = '2012-10-17'; Statement = @(@{
                        Effect = 'Allow'; Action = 'sts:AssumeRoleWithWebIdentity'
                        Principal = @{ Federated = "arn:aws:iam::$($script:Account):oidc-provider/$IssuerHost" }
                        Condition = @{ StringEquals = @{ "$($IssuerHost):aud" = 'sts.amazonaws.com'; "$($IssuerHost):sub" = $Sub } }
                    })
            } | ConvertTo-Json -Depth 10 -Compress
        }
        $setup = @{
            providers = @(
                @{ url = $script:Issuer1; clientIds = @('sts.amazonaws.com') }
                @{ url = $script:PathIssuer; clientIds = @('sts.amazonaws.com') }
            )
            roles     = @(
                @{ name = "deployer-$run"; path = '/'; policy = (New-Policy $script:Host1 'project_path:acme/infra:ref_type:branch:ref:main') }
                @{ name = "path-$run"; path = '/ci/'; policy = (New-Policy "git-$run.example.com/gitlab" 'project_path:acme/infra:ref_type:branch:ref:main') }
                @{ name = "noprov-$run"; path = '/'; policy = (New-Policy "noprov-$run.example.com" 'project_path:acme/infra:ref_type:branch:ref:main') }
            )
        } | ConvertTo-Json -Depth 10 -Compress
        $py = @'
import boto3, json, sys
setup = json.loads(sys.argv[2])
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
for p in setup["providers"]:
    iam.create_open_id_connect_provider(Url=p["url"], ClientIDList=p["clientIds"], ThumbprintList=["0" * 40])
for r in setup["roles"]:
    iam.create_role(RoleName=r["name"], Path=r["path"], AssumeRolePolicyDocument=r["policy"])
print("ok")
'@
        $python = if ($env:GITLABSTS_TEST_PYTHON) { $env:GITLABSTS_TEST_PYTHON } else { 'python3' }
        $out = Invoke-Program -FilePath $python -ArgumentList @('-c', $py, $script:Moto.Url, $setup)
        if ($out.ExitCode -ne 0 -or $out.StdOut.Trim() -ne 'ok') { throw "IAM set-up in moto failed: $($out.StdErr)" }

        # One AWS folder for the file (the SDK resolves the shared files' location once per process): no AWS file of
        # the machine's user takes part; the -ProfileName test writes its credentials file there and removes it.
        $script:AwsDir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-fromiam-aws-" + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:AwsDir

        function New-JobToken([string] $Issuer = $script:Issuer1, [string] $Audience = 'sts.amazonaws.com', [hashtable] $Claims = @{}) {
            $c = @{ project_path = 'acme/infra'; ref = 'main'; ref_type = 'branch' }
            foreach ($k in $Claims.Keys) { $c[$k] = $Claims[$k] }
            New-GitlabIdToken -Key $script:Key -Template 'self-managed' -Issuer $Issuer -Audience $Audience -Claims $c
        }

        function Get-Check([object] $Result, [string] $Name) {
            $found = @($Result.Checks | Where-Object Name -EQ $Name)
            if ($found.Count -ne 1) { throw "Expected one check '$Name'; have: $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ', ')" }
            $found[0]
        }

        function Test-FromIam {
            param([string] $RoleArn = $script:Role, [string] $Token = (New-JobToken), [hashtable] $Extra = @{})
            $p = @{ RoleArn = $RoleArn; WebIdentityToken = $Token; FromIam = $true; EndpointUrl = $script:Moto.Url }
            foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
            Test-GitlabOidcRole @p
        }
    }

    AfterAll {
        Stop-FaultSts -Sts $script:Fault
        Stop-MotoServer -Server $script:Moto
        Remove-Item -LiteralPath $script:AwsDir -Recurse -Force -ErrorAction Ignore
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        Reset-FaultSts -Sts $script:Fault
        $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-fromiam-" + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Path $script:WorkDir
        # The admin's keys come from the environment; the AWS files are the file's own (empty unless a test writes one).
        $env:AWS_CONFIG_FILE = Join-Path $script:AwsDir 'config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $script:AwsDir 'credentials'
        $env:AWS_ACCESS_KEY_ID = $script:AdminKeyId
        $env:AWS_SECRET_ACCESS_KEY = $script:AdminSecret
        $env:AWS_ENDPOINT_URL_IAM = $script:Moto.Url
    }

    AfterEach {
        Restore-TestEnvironment $script:SavedEnv
        Remove-Item -LiteralPath $script:WorkDir -Recurse -Force -ErrorAction Ignore
    }

    It 'admits the project and branch the role names, live: IamRole, IamProvider, ClientId and the exchange pass' {
        $r = Test-FromIam

        $r.Success | Should -BeTrue -Because $r.Message
        (Get-Check $r 'IamRole').Result | Should -Be 'Pass'
        (Get-Check $r 'IamRole').Detail | Should -Match ([regex]::Escape($script:Role))
        (Get-Check $r 'IamProvider').Result | Should -Be 'Pass'
        (Get-Check $r 'IamProvider').Detail | Should -Match 'client ids \["sts.amazonaws.com"\]'
        (Get-Check $r 'ClientId').Result | Should -Be 'Pass'
        (Get-Check $r 'Decision').Result | Should -Be 'Pass'
        (Get-Check $r 'Exchange').Result | Should -Be 'Pass'
    }

    It 'refuses <Case> with the condition that fails' -ForEach @(
        @{ Case = 'another project'; Claims = @{ project_path = 'other/app' } }
        @{ Case = 'a tag named like the branch'; Claims = @{ ref_type = 'tag' } }
        @{ Case = 'another branch'; Claims = @{ ref = 'dev' } }
    ) {
        $r = Test-FromIam -Token (New-JobToken -Claims $Claims) -Extra @{ Offline = $true }

        $r.Success | Should -BeFalse
        $r.ErrorCode | Should -Be 'TrustPolicyDenied'
        (Get-Check $r 'IamRole').Result | Should -Be 'Pass'
        (Get-Check $r 'Decision').Result | Should -Be 'Fail'
        $r.Message | Should -Match 'sub'
    }

    It 'reads a self-managed issuer under a path: the provider ARN keeps the path, the role its IAM path' {
        $r = Test-FromIam -RoleArn $script:PathRole -Token (New-JobToken -Issuer $script:PathIssuer) -Extra @{ Offline = $true }

        $r.Success | Should -BeTrue -Because $r.Message
        (Get-Check $r 'IamProvider').Detail | Should -Match ([regex]::Escape(":oidc-provider/$(([uri]$script:PathIssuer).Host)/gitlab"))
    }

    It 'reports a missing role as a failing IamRole check, not an error' {
        # -ErrorAction Stop: any error record, even a non-terminating one, would fail this test.
        $r = Test-FromIam -RoleArn $script:MissingRole -Extra @{ Offline = $true; ErrorAction = 'Stop' }

        $r.Success | Should -BeFalse
        $r.ErrorCode | Should -Be 'IamRoleNotFound'
        (Get-Check $r 'IamRole').Detail | Should -Match "no role `"missing-.*`" in account 123456789012"
    }

    It 'reports a missing provider with the exact step to create it' {
        $r = Test-FromIam -RoleArn $script:NoProviderRole -Token (New-JobToken -Issuer $script:NoProviderIssuer) -Extra @{ Offline = $true }

        $r.Success | Should -BeFalse
        $r.ErrorCode | Should -Be 'IamProviderNotFound'
        $c = Get-Check $r 'IamProvider'
        $c.Result | Should -Be 'Fail'
        $r.Hint | Should -Match ([regex]::Escape("aws iam create-open-id-connect-provider --url $script:NoProviderIssuer --client-id-list sts.amazonaws.com"))
        (Get-Check $r 'ClientId').Detail | Should -Match 'see IamProvider'
        (Get-Check $r 'IamRole').Result | Should -Be 'Pass'
    }

    It 'fails ClientId when the audience is not among the provider''s client ids' {
        $r = Test-FromIam -Token (New-JobToken -Audience 'https://gitlab.example.com') -Extra @{ Offline = $true }

        $r.Success | Should -BeFalse
        $c = Get-Check $r 'ClientId'
        $c.Result | Should -Be 'Fail'
        $c.Detail | Should -Match 'not among the provider''s client ids \["sts.amazonaws.com"\]'
    }

    It 'reports IAM AccessDenied on GetRole naming iam:GetRole (fault fixture in front of moto), and still reads the provider' {
        $env:AWS_ENDPOINT_URL_IAM = $script:Fault.Url
        Set-FaultStsScript -Sts $script:Fault -Faults @(@{ fault = 'AccessDenied'; action = 'GetRole'; message = "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetRole on resource: role deployer" })

        $r = Test-FromIam -Extra @{ Offline = $true; ErrorAction = 'Stop' }

        $c = Get-Check $r 'IamRole'
        $c.Result | Should -Be 'Fail'
        $c.Detail | Should -Match 'not authorized to perform: iam:GetRole'
        $r.Hint | Should -Match 'Allow the caller iam:GetRole on arn:aws:iam::123456789012:role/deployer-'
        $r.ErrorCode | Should -Be 'IamAccessDenied'
        (Get-Check $r 'IamProvider').Result | Should -Be 'Pass'
        Get-FaultStsStats -Sts $script:Fault -Action 'GetRole' | Should -Be 1
        Get-FaultStsStats -Sts $script:Fault -Action 'GetOpenIDConnectProvider' | Should -Be 1
    }

    It 'works in the <Set> token set' -ForEach @(
        @{ Set = 'Discover' }
        @{ Set = 'Variable' }
        @{ Set = 'File' }
    ) {
        $token = New-JobToken
        $p = @{ RoleArn = $script:Role; FromIam = $true; EndpointUrl = $script:Moto.Url }
        switch ($Set) {
            'Discover' { $env:GITLAB_OIDC_TOKEN = $token }
            'Variable' { $env:MY_ID_TOKEN = $token; $p.TokenVariable = 'MY_ID_TOKEN' }
            'File' { $f = Join-Path $script:WorkDir 'token'; Set-Content -LiteralPath $f -Value $token -NoNewline; $p.TokenFile = $f }
        }

        $r = Test-GitlabOidcRole @p

        $r.Success | Should -BeTrue -Because $r.Message
        (Get-Check $r 'IamRole').Result | Should -Be 'Pass'
        (Get-Check $r 'Exchange').Result | Should -Be 'Pass'
    }

    It 'reads IAM with -ProfileName''s credentials, and names a profile that does not exist' {
        Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
        Set-Content -LiteralPath $env:AWS_SHARED_CREDENTIALS_FILE -Value "[iam-auditor]`naws_access_key_id = $script:AdminKeyId`naws_secret_access_key = $script:AdminSecret`n"

        try {
            $ok = Test-FromIam -Extra @{ Offline = $true; ProfileName = 'iam-auditor' }
            $missing = Test-FromIam -Extra @{ Offline = $true; ProfileName = 'no-such-profile' }
        }
        finally { Remove-Item -LiteralPath $env:AWS_SHARED_CREDENTIALS_FILE -Force -ErrorAction Ignore }

        $ok.Success | Should -BeTrue -Because $ok.Message
        $missing.ErrorCode | Should -Be 'IamReadFailed'
        (Get-Check $missing 'IamRole').Detail | Should -Match "profile 'no-such-profile' was not found"
    }

    It '-FromIam with -TrustPolicy is GitlabSts.InvalidPolicy naming both, before any IAM request' {
        $env:AWS_ENDPOINT_URL_IAM = $script:Fault.Url

        { Test-FromIam -Extra @{ TrustPolicy = '{"Statement":[]}'; ErrorAction = 'Stop' } } | Should -Throw -ErrorId 'GitlabSts.InvalidPolicy*' -ExpectedMessage '*-FromIam*-TrustPolicy*'
        (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 0
    }

    It '-FromIam with -ClientId is GitlabSts.ParameterConflict' {
        { Test-FromIam -Extra @{ ClientId = 'sts.amazonaws.com'; ErrorAction = 'Stop' } } | Should -Throw -ErrorId 'GitlabSts.ParameterConflict*'
    }

    It 'never shows the admin''s secret key: output, every stream, errors, the full object and JSON' {
        $env:AWS_ENDPOINT_URL_IAM = $script:Fault.Url
        Set-FaultStsScript -Sts $script:Fault -Faults @(@{ fault = 'AccessDenied'; action = 'GetOpenIDConnectProvider' })
        $streams = @(Test-FromIam -Extra @{ Verbose = $true; Debug = $true } *>&1)
        $missing = Test-FromIam -RoleArn $script:MissingRole -Extra @{ Offline = $true; ProfileName = 'no-such-profile' } *>&1

        $text = @(
            $streams | ForEach-Object { "$_" }
            $streams | Out-String -Width 500
            $streams | Format-List * -Force | Out-String -Width 500
            $missing | Format-List * -Force | Out-String -Width 500
            $streams | Where-Object { $_ -isnot [System.Management.Automation.InformationalRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] } | ConvertTo-Json -Depth 8
            $Error | ForEach-Object { "$_ $($_.Exception) $($_.ErrorDetails)" }
        ) -join "`n"
        $text | Should -Match 'VERBOSE|Reading role' -Because 'the verbose stream was captured'
        $text | Should -Match 'IamProvider'
        $text.Contains($script:AdminSecret) | Should -BeFalse
        $text.Contains($script:AdminSecret.Substring(0, 20)) | Should -BeFalse
    }
}
