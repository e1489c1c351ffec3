# Dot-sourced by every *.Tests.ps1 in BeforeAll: the module under test, the fixtures, and small helpers.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = if ($env:GITLABSTS_MODULE_MANIFEST) { $env:GITLABSTS_MODULE_MANIFEST } else { Join-Path $script:RepoRoot 'out/GitlabSts/GitlabSts.psd1' }
$script:PwshDll = if ($env:GITLABSTS_PWSH) { $env:GITLABSTS_PWSH } else { [System.Reflection.Assembly]::GetEntryAssembly().Location }
Import-Module (Join-Path $script:RepoRoot 'tests/Fixtures/GitlabSts.TestFixtures.psm1') -Force
Import-Module $script:ModuleManifest -Force

$script:TestRoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer'

# Variables a GitLab job, a developer's shell or an earlier test may have set and that change our defaults.
$script:IsolatedVariables = @(
    'GITLAB_OIDC_TOKEN', 'CI_SERVER_URL', 'CI_JOB_JWT_V2', 'CI_JOB_JWT', 'CI_JOB_ID', 'CI_PROJECT_ID', 'CI_PIPELINE_ID', 'GITLAB_CI',
    'ROLE_ARN', 'AWS_ROLE_ARN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_STS',
    'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CREDENTIAL_EXPIRATION', 'AWS_PROFILE',
    'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_SESSION_NAME'
)

function Save-TestEnvironment {
    $saved = @{}
    foreach ($name in [Environment]::GetEnvironmentVariables().Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    foreach ($name in $script:IsolatedVariables) { Remove-Item -LiteralPath "Env:$name" -ErrorAction Ignore }
    # Any variable holding a JWT would take part in discovery.
    foreach ($pair in @([Environment]::GetEnvironmentVariables().GetEnumerator())) {
        if ("$($pair.Value)".StartsWith('eyJ')) { Remove-Item -LiteralPath "Env:$($pair.Key)" -ErrorAction Ignore }
    }
    $saved
}

function Restore-TestEnvironment([hashtable] $Saved) {
    foreach ($name in @([Environment]::GetEnvironmentVariables().Keys)) {
        if (-not $Saved.ContainsKey($name)) { Remove-Item -LiteralPath "Env:$name" -ErrorAction Ignore }
    }
    foreach ($name in $Saved.Keys) { [Environment]::SetEnvironmentVariable($name, $Saved[$name]) }
}

# The servers most test files share: moto, a signing key, a token for it (audience sts.amazonaws.com) and the fault STS
# in front of moto. Sets $script:Moto, $script:Key, $script:Token and $script:Fault in the caller's script scope (a
# function called from a test file's BeforeAll shares that file's script scope, as Save-TestEnvironment relies on).
function Start-StsFixture {
    $script:Moto = Start-MotoServer
    $script:Key = New-TestSigningKey
    $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
    $script:Fault = Start-FaultSts -Upstream $script:Moto.Url
}

# Stops what Start-StsFixture started (moto even when stopping the fault STS fails); safe when either is missing.
function Stop-StsFixture {
    try { Stop-FaultSts -Sts $script:Fault }
    finally { Stop-MotoServer -Server $script:Moto }
}

# Note: [Environment]::SetEnvironmentVariable($name, $null) from PowerShell passes "" (PowerShell turns $null into an
# empty string for a [string] argument), which leaves an empty variable behind (AWS_PROFILE='' breaks the AWS CLI).
# Remove-Item Env:NAME really removes it.
# Runs a program with the current environment plus Environment; returns { ExitCode; StdOut; StdErr }.
function Invoke-Program {
    param(
        [Parameter(Mandatory, Position = 0)] [string] $FilePath,
        [Parameter(Position = 1)] [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = [IO.Path]::GetTempPath()
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.WorkingDirectory = $WorkingDirectory
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $p = [System.Diagnostics.Process]::Start($psi)
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEndAsync()
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
}

# Runs a script in a fresh 'dotnet pwsh' process; returns { ExitCode; StdOut; StdErr }.
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{}, [string] $WorkingDirectory = [IO.Path]::GetTempPath())
    Invoke-Program -FilePath 'dotnet' -ArgumentList @($script:PwshDll, '-NoProfile', '-NonInteractive', '-Command', $Script) -Environment $Environment -WorkingDirectory $WorkingDirectory
}

# Stops a pipeline started with BeginInvoke, as Ctrl+C does, and disposes it (also when stopping fails). Returns
# { Seconds (how long Stop took); Completed (the handle, right after Stop); State (the invocation state) }.
function Stop-TestPipeline([powershell] $PowerShell, [IAsyncResult] $Handle) {
    try {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $PowerShell.Stop()
        $seconds = $sw.Elapsed.TotalSeconds
        [pscustomobject]@{ Seconds = $seconds; Completed = $Handle.IsCompleted; State = $PowerShell.InvocationStateInfo.State }
    }
    finally { $PowerShell.Dispose() }
}

# Asserts that none of the secrets (and no part of a JWT) occurs in the text.
function Assert-NoSecret {
    param([string] $Text, [string[]] $Secret, [string] $Where = 'output')
    foreach ($s in $Secret) {
        if (-not $s) { continue }
        $parts = @($s) + @($s.Split('.') | Where-Object Length -ge 16)
        foreach ($p in $parts) {
            if ($Text.Contains($p)) { throw "A secret ($($p.Substring(0, 6))…) appeared in $Where." }
        }
    }
}
