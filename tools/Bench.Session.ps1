# One fresh PowerShell session of the benchmark (tools/Bench.ps1 starts it with 'dotnet <pwsh.dll> -NoProfile -File').
# Measures, in this order: memory before import; Import-Module; the first exchange; memory after it; then warm
# exchanges interleaved with raw HTTP POSTs of the same request; then the profile and trust-policy cmdlets when
# they exist. Prints one line 'BENCH-RESULT <json>'. Inputs come from BENCH_* environment variables.
$ErrorActionPreference = 'Stop'

function Get-MemorySnapshot {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $p = [Diagnostics.Process]::GetCurrentProcess()
    $p.Refresh()
    [ordered]@{ WorkingSet = $p.WorkingSet64; PrivateBytes = $p.PrivateMemorySize64; GcHeap = [GC]::GetTotalMemory($true) }
}

function Get-Median([double[]] $Values) {
    if (-not $Values -or $Values.Count -eq 0) { return $null }
    $sorted = [double[]]($Values | Sort-Object)
    $mid = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

$manifest = $env:BENCH_MANIFEST
$url = $env:BENCH_ENDPOINT
$roleArn = $env:BENCH_ROLE_ARN
$warmRuns = [int]$env:BENCH_WARM_RUNS
$result = [ordered]@{}

# The same request as a plain form POST (the raw round trip, and the floor's first POST).
$form = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15' +
    '&RoleArn=' + [Uri]::EscapeDataString($roleArn) +
    '&RoleSessionName=bench-raw&DurationSeconds=3600' +
    '&WebIdentityToken=' + [Uri]::EscapeDataString($env:BENCH_TOKEN)
$postUri = [Uri]$url
$http = $null
function Invoke-RawPost {
    if ($null -eq $script:http) { $script:http = [System.Net.Http.HttpClient]::new() }
    $content = [System.Net.Http.StringContent]::new($form, [Text.Encoding]::UTF8, 'application/x-www-form-urlencoded')
    $response = $http.PostAsync($postUri, $content).GetAwaiter().GetResult()
    $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode -or $body -notmatch '<AccessKeyId>') { throw "Raw POST failed: $([int]$response.StatusCode)" }
    $response.Dispose()
}

$jit0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$memBefore = Get-MemorySnapshot
$assembliesBefore = [AppDomain]::CurrentDomain.GetAssemblies()

if ($env:BENCH_FLOOR -eq '1') {
    # The floor (TESTING.md, "Performance floor"): a built-in manifest module and a first raw POST, nothing of ours.
    $watch = [Diagnostics.Stopwatch]::StartNew()
    Import-Module Microsoft.PowerShell.Utility
    $result.ImportMs = $watch.Elapsed.TotalMilliseconds
    Invoke-RawPost
    $result.FloorMs = $watch.Elapsed.TotalMilliseconds
    $result.FirstPostMs = $result.FloorMs - $result.ImportMs
    $result.JitMethods = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jit0
    'BENCH-RESULT ' + ($result | ConvertTo-Json -Depth 5 -Compress)
    return
}

$watch = [Diagnostics.Stopwatch]::StartNew()
Import-Module $manifest
$result.ImportMs = $watch.Elapsed.TotalMilliseconds
$jitImport = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$null = Get-GitlabWebIdentityCredential -RoleArn $roleArn -WebIdentityToken $env:BENCH_TOKEN -EndpointUrl $url -RoleSessionName bench-first
$result.ImportFirstExchangeMs = $watch.Elapsed.TotalMilliseconds
$result.FirstExchangeMs = $result.ImportFirstExchangeMs - $result.ImportMs
$jitFirst = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$result.JitMethods = $jitFirst - $jit0
$result.JitImport = $jitImport - $jit0
$result.JitFirstExchange = $jitFirst - $jitImport
$assembliesAfter = [AppDomain]::CurrentDomain.GetAssemblies()
$memAfter = Get-MemorySnapshot
$result.Memory = [ordered]@{ Before = $memBefore; After = $memAfter }
# What import + first exchange loaded (simple names), for finding what the hot path loads but does not need.
[string[]] $loaded = foreach ($a in $assembliesAfter) { if ($assembliesBefore -notcontains $a) { $a.GetName().Name } }
[Array]::Sort($loaded, [StringComparer]::Ordinal)
$result.AssembliesLoaded = $loaded

# Warm: the module's exchange and a plain HttpClient POST of the same form, interleaved, after one warm-up each.
Invoke-RawPost
$null = Get-GitlabWebIdentityCredential -RoleArn $roleArn -WebIdentityToken $env:BENCH_TOKEN -EndpointUrl $url -RoleSessionName bench-warm
$warm = [Collections.Generic.List[double]]::new()
$raw = [Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $warmRuns; $i++) {
    $watch.Restart()
    $null = Get-GitlabWebIdentityCredential -RoleArn $roleArn -WebIdentityToken $env:BENCH_TOKEN -EndpointUrl $url -RoleSessionName bench-warm
    $warm.Add($watch.Elapsed.TotalMilliseconds)
    $watch.Restart()
    Invoke-RawPost
    $raw.Add($watch.Elapsed.TotalMilliseconds)
}
$result.WarmExchangeMs = Get-Median $warm
$result.RawRoundTripMs = Get-Median $raw

# Cmdlets written in parallel: measured only when this build has them.
$result.SetProfile = $null
if (Get-Command -Name Set-GitlabAwsProfile -Module GitlabSts -ErrorAction Ignore) {
    $dir = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-bench-$PID"
    New-Item -ItemType Directory -Path $dir -Force | Out-Null
    try {
        $setProfile = [ordered]@{}
        foreach ($count in 10, 100, 1000) {
            $config = Join-Path $dir "config-$count"
            $lines = foreach ($n in 1..$count) { "[profile p$n]"; "region = eu-central-1"; "output = json"; '' }
            Set-Content -Path $config -Value $lines
            $times = foreach ($i in 0..5) {
                $watch.Restart()
                Set-GitlabAwsProfile -ProfileName oidc -RoleArn $roleArn -WebIdentityToken $env:BENCH_TOKEN -ConfigPath $config `
                    -CredentialsPath (Join-Path $dir "credentials-$count") -TokenFilePath (Join-Path $dir "token-$count")
                $elapsed = $watch.Elapsed.TotalMilliseconds
                if ($i -gt 0) { $elapsed }   # the first call is the warm-up
            }
            $setProfile["$count"] = Get-Median $times
        }
        $result.SetProfile = $setProfile
    }
    finally { Remove-Item $dir -Recurse -Force -ErrorAction Ignore }
}

$result.TestRoleOffline = $null
if (Get-Command -Name Test-GitlabOidcRole -Module GitlabSts -ErrorAction Ignore) {
    $statements = foreach ($n in 1..100) {
        [ordered]@{
            Effect    = 'Allow'
            Principal = @{ Federated = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' }
            Action    = 'sts:AssumeRoleWithWebIdentity'
            Condition = [ordered]@{
                StringEquals = @{ 'gitlab.com:aud' = 'sts.amazonaws.com' }
                StringLike   = @{ 'gitlab.com:sub' = "project_path:acme/project-$($n):ref_type:branch:ref:main" }
            }
        }
    }
    $policy = [ordered]@{ Version = '2012-10-17'; Statement = @($statements) } | ConvertTo-Json -Depth 10 -Compress
    $times = foreach ($i in 0..5) {
        $watch.Restart()
        $null = Test-GitlabOidcRole -RoleArn $roleArn -WebIdentityToken $env:BENCH_TOKEN -TrustPolicy $policy -Offline
        $elapsed = $watch.Elapsed.TotalMilliseconds
        if ($i -gt 0) { $elapsed }
    }
    $result.TestRoleOffline = Get-Median $times
}

'BENCH-RESULT ' + ($result | ConvertTo-Json -Depth 5 -Compress)
