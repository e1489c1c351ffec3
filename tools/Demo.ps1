# The main job, offline: a GitLab CI job's view of GitlabSts against a local STS (moto) and a GitLab-shaped ID token.
# Run through build.ps1 -Task Demo (which builds first).
param([Parameter(Mandatory)] [string] $ModuleManifest)

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'tests/Fixtures/GitlabSts.TestFixtures.psm1') -Force

function Show-Step([string] $Title) { Write-Host ''; Write-Host "=== $Title" -ForegroundColor Cyan }
function Show-Command([string] $Text) { Write-Host "PS> $Text" -ForegroundColor Yellow }

$moto = Start-MotoServer -NoShared
try {
    Show-Step 'A GitLab CI job on gitlab.com, with an ID token for AWS (offline: STS is moto on loopback)'
    $key = New-TestSigningKey
    $token = New-GitlabIdToken -Key $key -Template gitlab.com -Audience 'sts.amazonaws.com'
    $job = [ordered]@{
        CI_SERVER_URL        = 'https://gitlab.com'
        CI_PROJECT_ID        = '987654'
        CI_PIPELINE_ID       = '1500000001'
        # A fresh job id per run, as in GitLab: the AWS CLI caches web-identity credentials per role and session name
        # (~/.aws/cli/cache), and this demo's STS forgets its keys when it stops.
        CI_JOB_ID            = '9{0:d9}' -f (Get-Random -Maximum 999999999)
        GITLAB_OIDC_TOKEN    = $token
        ROLE_ARN             = 'arn:aws:iam::123456789012:role/gitlab-deployer'
        AWS_DEFAULT_REGION   = 'eu-central-1'
        AWS_ENDPOINT_URL_STS = $moto.Url
    }
    foreach ($name in $job.Keys) { Set-Item -Path "Env:$name" -Value $job[$name] }
    Write-Host @"
.gitlab-ci.yml:
  deploy:
    id_tokens:
      GITLAB_OIDC_TOKEN:
        aud: sts.amazonaws.com
    variables:
      ROLE_ARN: arn:aws:iam::123456789012:role/gitlab-deployer
      AWS_DEFAULT_REGION: eu-central-1
    script:
      - pwsh -c 'Import-Module GitlabSts; Get-GitlabWebIdentityCredential -SetEnvironment; aws sts get-caller-identity'
(here AWS_ENDPOINT_URL_STS=$($moto.Url) points STS at moto, and the token is signed by a local test key)
"@

    Show-Step 'Exchange the job''s ID token for temporary credentials'
    Show-Command 'Import-Module GitlabSts'
    $watch = [Diagnostics.Stopwatch]::StartNew()
    Import-Module $ModuleManifest
    Show-Command 'Get-GitlabWebIdentityCredential -SetEnvironment -Verbose'
    Get-GitlabWebIdentityCredential -SetEnvironment -Verbose 4>&1 | ForEach-Object { Write-Host "VERBOSE: $($_.Message)" -ForegroundColor DarkGray }
    Write-Host ("Import + exchange took {0:n0} ms. AWS_ACCESS_KEY_ID={1}, AWS_CREDENTIAL_EXPIRATION={2}; the secret key and session token are set but never shown." -f `
        $watch.Elapsed.TotalMilliseconds, $env:AWS_ACCESS_KEY_ID, $env:AWS_CREDENTIAL_EXPIRATION)

    Show-Step 'The credentials as an object (secrets hidden in every default view)'
    Show-Command 'Get-GitlabWebIdentityCredential | Format-List'
    Get-GitlabWebIdentityCredential | Format-List | Out-String | Write-Host

    Show-Step 'Who am I? (the seed pipeline''s last step, with the AWS CLI)'
    Show-Command 'aws sts get-caller-identity'
    $env:AWS_ENDPOINT_URL = $moto.Url
    $identity = & python3 -m awscli sts get-caller-identity --output json
    if ($LASTEXITCODE -ne 0) { throw 'aws sts get-caller-identity failed.' }
    Write-Host ($identity -join "`n")
    Remove-Item Env:AWS_ENDPOINT_URL

    Show-Step 'A profile every AWS CLI and SDK reads: Set-GitlabAwsProfile (web identity; the CLI assumes the role itself)'
    $awsDir = Join-Path ([IO.Path]::GetTempPath()) ('gitlabsts-demo-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $awsDir | Out-Null
    $env:AWS_CONFIG_FILE = Join-Path $awsDir 'config'
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $awsDir 'credentials'
    Set-Content -LiteralPath $env:AWS_CONFIG_FILE -Value "# a developer's config: kept byte for byte`n[default]`nregion = us-east-1`n" -NoNewline
    # The profile must not lose to the keys -SetEnvironment put into this process above.
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION') { Remove-Item "Env:$name" -ErrorAction Ignore }
    try {
        Write-Host "(AWS_CONFIG_FILE=$env:AWS_CONFIG_FILE, a temp file)"
        Show-Command 'Set-GitlabAwsProfile -ProfileName deploy -WhatIf'
        Set-GitlabAwsProfile -ProfileName deploy -WhatIf
        Show-Command 'Set-GitlabAwsProfile -ProfileName deploy -PassThru'
        Set-GitlabAwsProfile -ProfileName deploy -PassThru | Format-List | Out-String | Write-Host
        Write-Host "The config file now (the token is only in the token file, mode $([Convert]::ToString([int](Get-Item (Join-Path $awsDir 'gitlabsts/deploy.token')).UnixFileMode, 8))):" -ForegroundColor DarkGray
        Get-Content -LiteralPath $env:AWS_CONFIG_FILE | ForEach-Object { Write-Host "    $_" }

        Show-Command 'aws sts get-caller-identity --profile deploy'
        Write-Host '(AWS CLI v1 here: it honours AWS_ENDPOINT_URL, so its own AssumeRoleWithWebIdentity call goes to the local STS)' -ForegroundColor DarkGray
        $env:AWS_ENDPOINT_URL = $moto.Url
        $identity = & python3 -m awscli sts get-caller-identity --profile deploy --output json
        if ($LASTEXITCODE -ne 0) { throw 'aws sts get-caller-identity --profile deploy failed.' }
        Write-Host ($identity -join "`n")
        Remove-Item Env:AWS_ENDPOINT_URL
    }
    finally {
        Remove-Item -LiteralPath $awsDir -Recurse -Force -ErrorAction Ignore
        Remove-Item Env:AWS_CONFIG_FILE, Env:AWS_SHARED_CREDENTIALS_FILE -ErrorAction Ignore
    }

    Show-Step 'Prove the role works: the trust policy, the provider''s audience, the exchange and GetCallerIdentity'
    $trustPolicy = @'
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": { "Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com" },
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": { "gitlab.com:aud": "sts.amazonaws.com" },
      "StringLike": { "gitlab.com:sub": "project_path:acme/infra:ref_type:branch:ref:*" }
    }
  }]
}
'@
    $trustFile = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-demo-trust-$PID.json"
    Set-Content -Path $trustFile -Value $trustPolicy
    Write-Host "trust.json (the role's trust policy, as from aws iam get-role --query Role.AssumeRolePolicyDocument):"
    Write-Host $trustPolicy
    Show-Command 'Test-GitlabOidcRole -TrustPolicy ./trust.json -ClientId sts.amazonaws.com'
    Test-GitlabOidcRole -TrustPolicy $trustFile -ClientId sts.amazonaws.com | Out-String -Width 160 | Write-Host
    Show-Command 'Test-GitlabOidcRole -TrustPolicy ./trust.json -ClientId sts.amazonaws.com -Quiet'
    Write-Host (Test-GitlabOidcRole -TrustPolicy $trustFile -ClientId sts.amazonaws.com -Quiet)

    Show-Step 'A trust policy that does not allow this job, explained (checked locally with -Offline before changing the role)'
    # Two classic mistakes: a claim AWS does not expose as a condition key, and a wildcard under StringEquals.
    $badPolicy = $trustPolicy -replace '(?s)"Condition": \{.*?\n    \}', @'
"Condition": {
      "StringEquals": {
        "gitlab.com:aud": "sts.amazonaws.com",
        "gitlab.com:project_path": "acme/infra",
        "gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:main"
      }
    }
'@.TrimEnd()
    Write-Host $badPolicy
    Show-Command '$result = Test-GitlabOidcRole -TrustPolicy $badPolicy -ClientId sts.amazonaws.com -Offline'
    $result = Test-GitlabOidcRole -TrustPolicy $badPolicy -ClientId sts.amazonaws.com -Offline
    Show-Command '$result'
    $result | Out-String -Width 160 | Write-Host
    Show-Command '$result.SuggestedTrustPolicy'
    Write-Host $result.SuggestedTrustPolicy
    Remove-Item $trustFile -ErrorAction Ignore

    Show-Step 'An admin''s what-if, no token: would a job of this project and branch get in? (-FromIam reads the role from moto''s IAM)'
    # The admin's side: their own AWS keys (moto accepts any) and IAM at moto; roles and the provider made with boto3,
    # by the interpreter the fixtures run moto with (boto3 comes with moto).
    $python = & (Get-Module GitlabSts.TestFixtures) { Get-FixturePython }
    $openPolicy = $trustPolicy -replace '(?s),\s*"StringLike": \{[^}]*\}', ''
    $iamSetup = @"
import boto3, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='x')
iam.create_open_id_connect_provider(Url='https://gitlab.com', ClientIDList=['sts.amazonaws.com'], ThumbprintList=['0' * 40])
iam.create_role(RoleName='gitlab-infra', AssumeRolePolicyDocument=sys.argv[2])
iam.create_role(RoleName='gitlab-open', AssumeRolePolicyDocument=sys.argv[3])
"@
    & $python -c $iamSetup $moto.Url $trustPolicy $openPolicy
    if ($LASTEXITCODE -ne 0) { throw 'Creating the demo roles in moto''s IAM failed.' }
    foreach ($name in 'GITLAB_OIDC_TOKEN', 'CI_JOB_ID', 'CI_PIPELINE_ID', 'CI_PROJECT_ID') { Remove-Item "Env:$name" -ErrorAction Ignore }
    $env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
    $env:AWS_SECRET_ACCESS_KEY = 'demo-admin-secret-not-shown'
    $env:AWS_ENDPOINT_URL_IAM = $moto.Url
    Write-Host "(an admin's shell: AWS keys in the environment, AWS_ENDPOINT_URL_IAM=$($moto.Url); gitlab-infra has the trust policy above," -ForegroundColor DarkGray
    Write-Host ' gitlab-open the same without the sub condition)' -ForegroundColor DarkGray
    try {
        $infraRole = 'arn:aws:iam::123456789012:role/gitlab-infra'
        Show-Command "Test-GitlabOidcRole -FromIam -RoleArn $infraRole -ProjectPath acme/infra -Ref main"
        Test-GitlabOidcRole -FromIam -RoleArn $infraRole -ProjectPath acme/infra -Ref main | Out-String -Width 160 | Write-Host
        Show-Command "Test-GitlabOidcRole -FromIam -RoleArn $infraRole -ProjectPath acme/web -Ref main"
        Test-GitlabOidcRole -FromIam -RoleArn $infraRole -ProjectPath acme/web -Ref main | Out-String -Width 160 | Write-Host

        Show-Step 'The admin matrix: a CSV of projects and refs, one table, IAM read once'
        $csv = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-demo-matrix-$PID.csv"
        @('ProjectPath,Ref,RefType', 'acme/infra,main,branch', 'acme/infra,v1.0.0,tag', 'acme/infra,feature/x,branch', 'other/app,main,branch') | Set-Content -LiteralPath $csv
        Write-Host 'matrix.csv:'
        Get-Content -LiteralPath $csv | ForEach-Object { Write-Host "    $_" }
        Show-Command "Import-Csv ./matrix.csv | Test-GitlabOidcRole -FromIam -RoleArn $infraRole"
        Import-Csv -LiteralPath $csv | Test-GitlabOidcRole -FromIam -RoleArn $infraRole | Out-String -Width 160 | Write-Host
        Remove-Item -LiteralPath $csv -ErrorAction Ignore

        Show-Step 'An open role flagged: no condition on sub, so any project on gitlab.com gets in'
        $openRole = 'arn:aws:iam::123456789012:role/gitlab-open'
        Show-Command "`$r = Test-GitlabOidcRole -FromIam -RoleArn $openRole -ProjectPath someone-else/anything -Ref main"
        $r = Test-GitlabOidcRole -FromIam -RoleArn $openRole -ProjectPath someone-else/anything -Ref main
        Write-Host "Success: $($r.Success) (findings never change the verdict)"
        Show-Command '$r.Checks | Where-Object Result -EQ Warn | Format-List Name, Detail, Hint'
        $r.Checks | Where-Object Result -EQ Warn | Format-List Name, Detail, Hint | Out-String -Width 160 | Write-Host
    }
    finally {
        Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_ENDPOINT_URL_IAM -ErrorAction Ignore
    }

    Show-Step 'A mistake, explained: an expired token'
    $expired = New-GitlabIdToken -Key $key -Audience 'sts.amazonaws.com' -IssuedAt ([DateTimeOffset]::UtcNow.AddHours(-3)) -ExpiresIn ([TimeSpan]::FromHours(1))
    Show-Command 'Get-GitlabWebIdentityCredential -WebIdentityToken $expiredToken -ErrorAction Stop'
    try { Get-GitlabWebIdentityCredential -WebIdentityToken $expired -ErrorAction Stop } catch { Write-Host "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" -ForegroundColor Red }
}
finally {
    Stop-MotoServer -Server $moto
}
Write-Host ''
Write-Host 'Demo complete.' -ForegroundColor Green
