# Dot-sourced by SetProfile.Tests.ps1 and ChainedProfiles.Tests.ps1 (after Common.ps1), inside their BeforeAll: the AWS
# folder of a test and the AWS readers (CLI v1, CLI v2, boto3, the .NET SDK's profile chain) that prove a written profile.
# They use the caller's $Moto, $AwsV2, $Dependencies and $script:TempRoots.

# A fresh folder for the AWS files; AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE point into it.
function New-AwsFolder {
    $dir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    $script:TempRoots.Add($dir)
    $env:AWS_CONFIG_FILE = Join-Path $dir 'config'
    $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $dir 'credentials'
    $dir
}

# GetCallerIdentity through profile $ProfileName with one reader; returns { Arn; Detail }, throws with the reader's stderr.
function Invoke-Reader {
    param([Parameter(Mandatory)] [string] $Reader, [Parameter(Mandatory)] [string] $ProfileName)
    $url = $Moto.Url
    $r = switch ($Reader) {
        'AwsCliV1' { Invoke-Program python3 @('-m', 'awscli', 'sts', 'get-caller-identity', '--profile', $ProfileName, '--output', 'json') }
        'AwsCliV2' { Invoke-Program $AwsV2 @('sts', 'get-caller-identity', '--profile', $ProfileName, '--endpoint-url', $url, '--output', 'json') }
        'Boto3' {
            $py = "import boto3, json, sys`ns = boto3.Session(profile_name=sys.argv[1])`nc = s.get_credentials()`n" +
            "r = s.client('sts', endpoint_url=sys.argv[2]).get_caller_identity()`nprint(json.dumps({'Arn': r['Arn'], 'Detail': c.method}))"
            Invoke-Program python3 @('-c', $py, $ProfileName, $url)
        }
        'DotnetSdk' {
            # The SDK's own profile chain (config + credentials files named by the environment) in a fresh process.
            $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$Dependencies/AWSSDK.Core.dll', '$Dependencies/AWSSDK.SecurityToken.dll'
`$creds = `$null
if (-not [Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain]::new().TryGetAWSCredentials('$ProfileName', [ref] `$creds)) { throw 'The SDK did not resolve the profile.' }
`$config = [Amazon.SecurityToken.AmazonSecurityTokenServiceConfig]::new()
`$config.ServiceURL = '$url'
`$config.AuthenticationRegion = 'eu-west-1'
`$client = [Amazon.SecurityToken.AmazonSecurityTokenServiceClient]::new(`$creds, `$config)
`$id = `$client.GetCallerIdentityAsync([Amazon.SecurityToken.Model.GetCallerIdentityRequest]::new()).GetAwaiter().GetResult()
[pscustomobject]@{ Arn = `$id.Arn; Detail = `$creds.GetType().Name } | ConvertTo-Json -Compress
"@
            Invoke-FreshPwsh -Script $script
        }
        default { throw "Unknown reader $Reader" }
    }
    if ($r.ExitCode -ne 0) { throw "$Reader failed for profile '$ProfileName' (exit $($r.ExitCode)): $($r.StdErr) $($r.StdOut)" }
    $json = ($r.StdOut -split "`r?`n" | Where-Object { $_.Trim() }) -join "`n" | ConvertFrom-Json
    [pscustomobject]@{ Arn = $json.Arn; Detail = $json.Detail }
}

# All files and folders under $Path (hidden ones too): relative path -> base64 of the bytes, or '<dir>'.
function Get-TreeSnapshot([string] $Path) {
    $snapshot = [ordered]@{}
    foreach ($item in Get-ChildItem -LiteralPath $Path -Force -Recurse | Sort-Object FullName) {
        $rel = [IO.Path]::GetRelativePath($Path, $item.FullName)
        $snapshot[$rel] = if ($item.PSIsContainer) { '<dir>' } elseif ($item.LinkType) { "<link>$($item.LinkTarget)" } else { [Convert]::ToBase64String([IO.File]::ReadAllBytes($item.FullName)) }
    }
    $snapshot
}
