# The benchmark (build.ps1 -Task Bench): GitlabSts against moto on loopback, next to what users run today.
# Every process-level figure is a median over -Runs rounds; one round runs each kind of process once, in turn,
# so that the load of a shared machine falls on all of them alike. Ratios are taken within this run.
# Prints a table and writes the figures, the samples and the machine's load to -OutFile (JSON).
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $PwshDll,
    [string] $OutFile = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/bench.json'),
    [int] $Runs = 9,
    [int] $WarmRuns = 15
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'tests/Fixtures/GitlabSts.TestFixtures.psm1') -Force

$RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer'
$Targets = [ordered]@{ ImportFirstMs = 100; ImportFirstToFloor = 1.2; CliV2Speedup = 6; WarmToRaw = 1.5; ProcessToBare = 1.15; AddedMiB = 25; SetProfile1000Ms = 30 }

function Get-Median([object[]] $Values) {
    $values = @($Values | Where-Object { $null -ne $_ })
    if ($values.Count -eq 0) { return $null }
    $sorted = [double[]]($values | Sort-Object)
    $mid = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { ((Get-Content /proc/loadavg) -split ' ')[0..2] -join ' ' } else { 'n/a' }
}

# Other busy processes on the machine (the benchmark's own children excluded), for the record.
function Get-BusyProcesses {
    if (-not (Get-Command ps -ErrorAction Ignore)) { return @() }
    @(& ps -eo pcpu=,comm= --sort=-pcpu 2>$null | Select-Object -First 8 | ForEach-Object { $_.Trim() } | Where-Object { $_ })
}

# Runs a process to its end; returns { Ms; ExitCode; StdOut; StdErr }. Time is start to exit, output drained.
function Invoke-Timed {
    param([string] $FilePath, [string[]] $ArgumentList, [hashtable] $Environment = @{})
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = [IO.Path]::GetTempPath()
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $p.StandardInput.Close()
    $out = $p.StandardOutput.ReadToEndAsync()
    $err = $p.StandardError.ReadToEndAsync()
    $p.WaitForExit()
    $ms = $watch.Elapsed.TotalMilliseconds
    [pscustomobject]@{ Ms = $ms; ExitCode = $p.ExitCode; StdOut = $out.Result; StdErr = $err.Result }
}

function Assert-Ran($Run, [string] $What) {
    if ($Run.ExitCode -ne 0) { throw "$What exited with $($Run.ExitCode): $($Run.StdErr)$($Run.StdOut)" }
}

$started = Get-Date
$loadBefore = Get-LoadAverage
$busyBefore = Get-BusyProcesses
$moto = Start-MotoServer -NoShared
try {
    $key = New-TestSigningKey
    $token = New-GitlabIdToken -Key $key -Audience 'sts.amazonaws.com' -ExpiresIn ([TimeSpan]::FromHours(2))
    $url = $moto.Url
    $awsEnv = @{
        AWS_CONFIG_FILE = '/nonexistent/gitlabsts-bench-config'; AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/gitlabsts-bench-credentials'
        AWS_EC2_METADATA_DISABLED = 'true'; AWS_DEFAULT_REGION = 'us-east-1'; AWS_REGION = 'us-east-1'; AWS_PAGER = ''
        BENCH_TOKEN = $token
    }
    $sessionEnv = $awsEnv.Clone()
    $sessionEnv += @{ BENCH_MANIFEST = $ModuleManifest; BENCH_ENDPOINT = $url; BENCH_ROLE_ARN = $RoleArn; BENCH_WARM_RUNS = "$WarmRuns" }
    $cliArgs = @('sts', 'assume-role-with-web-identity', '--endpoint-url', $url, '--region', 'us-east-1', '--role-arn', $RoleArn,
        '--role-session-name', 'bench-cli', '--web-identity-token', $token, '--output', 'json')
    $cliV2 = if (Test-Path '/usr/bin/aws') { '/usr/bin/aws' } else { $null }
    $python = (Get-Command python3 -ErrorAction Ignore)?.Source
    $cliV1 = if ($python) { & $python -c 'import awscli' 2>$null; if ($LASTEXITCODE -eq 0) { $python } }
    $wholeScript = "Import-Module '$ModuleManifest'; `$null = Get-GitlabWebIdentityCredential -RoleArn '$RoleArn' -WebIdentityToken `$env:BENCH_TOKEN -EndpointUrl '$url' -RoleSessionName bench-process"

    $floorEnv = $sessionEnv.Clone()
    $floorEnv.BENCH_FLOOR = '1'
    $samples = [ordered]@{ Session = @(); Floor = @(); WholeProcess = @(); BareProcess = @(); CliV2 = @(); CliV1 = @() }
    for ($round = 1; $round -le $Runs; $round++) {
        Write-Host "  round $round of $Runs" -ForegroundColor DarkGray
        $run = Invoke-Timed dotnet @($PwshDll, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Bench.Session.ps1')) $sessionEnv
        Assert-Ran $run 'The benchmark session'
        $line = ($run.StdOut -split "`n" | Where-Object { $_.StartsWith('BENCH-RESULT ') } | Select-Object -Last 1)
        if (-not $line) { throw "The benchmark session printed no result: $($run.StdOut)$($run.StdErr)" }
        $samples.Session += , ($line.Substring('BENCH-RESULT '.Length) | ConvertFrom-Json)

        # The floor: the same kind of fresh session, importing a built-in manifest module and making a first raw POST.
        $run = Invoke-Timed dotnet @($PwshDll, '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Bench.Session.ps1')) $floorEnv
        Assert-Ran $run 'The floor session'
        $line = ($run.StdOut -split "`n" | Where-Object { $_.StartsWith('BENCH-RESULT ') } | Select-Object -Last 1)
        if (-not $line) { throw "The floor session printed no result: $($run.StdOut)$($run.StdErr)" }
        $samples.Floor += , ($line.Substring('BENCH-RESULT '.Length) | ConvertFrom-Json)

        $run = Invoke-Timed dotnet @($PwshDll, '-NoProfile', '-NonInteractive', '-Command', $wholeScript) $awsEnv
        Assert-Ran $run 'pwsh with the module'
        $samples.WholeProcess += $run.Ms
        $run = Invoke-Timed dotnet @($PwshDll, '-NoProfile', '-NonInteractive', '-Command', 'exit') $awsEnv
        Assert-Ran $run 'bare pwsh'
        $samples.BareProcess += $run.Ms
        if ($cliV2) {
            $run = Invoke-Timed $cliV2 $cliArgs $awsEnv
            Assert-Ran $run 'AWS CLI v2'
            $samples.CliV2 += $run.Ms
        }
        if ($cliV1) {
            $run = Invoke-Timed $cliV1 (@('-m', 'awscli') + $cliArgs) $awsEnv
            Assert-Ran $run 'AWS CLI v1'
            $samples.CliV1 += $run.Ms
        }
    }
}
finally {
    Stop-MotoServer -Server $moto
}

$s = $samples.Session
$m = [ordered]@{
    ImportMs          = Get-Median ($s | ForEach-Object ImportMs)
    ImportFirstMs     = Get-Median ($s | ForEach-Object ImportFirstExchangeMs)
    FirstExchangeMs   = Get-Median ($s | ForEach-Object FirstExchangeMs)
    JitMethods        = Get-Median ($s | ForEach-Object JitMethods)
    JitImport         = Get-Median ($s | ForEach-Object { $_.PSObject.Properties['JitImport']?.Value })
    JitFirstExchange  = Get-Median ($s | ForEach-Object { $_.PSObject.Properties['JitFirstExchange']?.Value })
    FloorImportMs     = Get-Median ($samples.Floor | ForEach-Object ImportMs)
    FloorPostMs       = Get-Median ($samples.Floor | ForEach-Object FirstPostMs)
    FloorMs           = Get-Median ($samples.Floor | ForEach-Object FloorMs)
    FloorJitMethods   = Get-Median ($samples.Floor | ForEach-Object JitMethods)
    WarmMs            = Get-Median ($s | ForEach-Object WarmExchangeMs)
    RawMs             = Get-Median ($s | ForEach-Object RawRoundTripMs)
    WholeProcessMs    = Get-Median $samples.WholeProcess
    BareProcessMs     = Get-Median $samples.BareProcess
    CliV2Ms           = Get-Median $samples.CliV2
    CliV1Ms           = Get-Median $samples.CliV1
    AddedWorkingSetMiB = Get-Median ($s | ForEach-Object { ($_.Memory.After.WorkingSet - $_.Memory.Before.WorkingSet) / 1MB })
    AddedPrivateMiB   = Get-Median ($s | ForEach-Object { ($_.Memory.After.PrivateBytes - $_.Memory.Before.PrivateBytes) / 1MB })
    AddedGcHeapMiB    = Get-Median ($s | ForEach-Object { ($_.Memory.After.GcHeap - $_.Memory.Before.GcHeap) / 1MB })
    SetProfileMs      = $null
    TestRoleOfflineMs = Get-Median ($s | ForEach-Object TestRoleOffline)
}
$setProfileSamples = @($s | Where-Object { $null -ne $_.SetProfile } | ForEach-Object SetProfile)
if ($setProfileSamples.Count -gt 0) {
    $m.SetProfileMs = [ordered]@{}
    foreach ($count in '10', '100', '1000') { $m.SetProfileMs[$count] = Get-Median ($setProfileSamples | ForEach-Object $count) }
}

function Format-Ms($Value) { if ($null -eq $Value) { 'n/a' } else { '{0:n1} ms' -f $Value } }
function Format-Ratio($Value) { if ($null -eq $Value) { 'n/a' } else { '{0:n2}x' -f $Value } }
function Get-Verdict([bool] $Known, [bool] $Pass) { if (-not $Known) { 'n/a' } elseif ($Pass) { 'PASS' } else { 'MISS' } }
$notPresent = 'n/a (cmdlet not present)'

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $Figure, [string] $Median, [string] $Comparison, [string] $Ratio, [string] $Target, [string] $Result) {
    $rows.Add([pscustomobject][ordered]@{ Figure = $Figure; Median = $Median; 'Compared with' = $Comparison; Ratio = $Ratio; Target = $Target; Result = $Result })
}

$speedupV2 = if ($m.CliV2Ms -and $m.ImportFirstMs) { $m.CliV2Ms / $m.ImportFirstMs } else { $null }
$speedupV1 = if ($m.CliV1Ms -and $m.ImportFirstMs) { $m.CliV1Ms / $m.ImportFirstMs } else { $null }
$floorRatio = if ($m.FloorMs) { $m.ImportFirstMs / $m.FloorMs } else { $null }
$warmRatio = if ($m.RawMs) { $m.WarmMs / $m.RawMs } else { $null }
$processRatio = $m.WholeProcessMs / $m.BareProcessMs

Add-Row 'Import-Module (fresh pwsh)' (Format-Ms $m.ImportMs) 'import + first exchange' (Format-Ratio ($m.ImportMs / $m.ImportFirstMs)) '(part of the 100 ms)' 'info'
Add-Row 'Import + first exchange (fresh pwsh)' (Format-Ms $m.ImportFirstMs) '100 ms target' (Format-Ratio ($m.ImportFirstMs / $Targets.ImportFirstMs)) '<= 100 ms' (Get-Verdict $true ($m.ImportFirstMs -le $Targets.ImportFirstMs))
Add-Row '  of which the first exchange' (Format-Ms $m.FirstExchangeMs) ("{0:n0} methods JIT-compiled (import {1:n0}, exchange {2:n0})" -f $m.JitMethods, $m.JitImport, $m.JitFirstExchange) '' '' 'info'
Add-Row 'Floor: Import-Module Microsoft.PowerShell.Utility + first raw POST' (Format-Ms $m.FloorMs) ("import {0}, POST {1}; {2:n0} methods JIT-compiled" -f (Format-Ms $m.FloorImportMs), (Format-Ms $m.FloorPostMs), $m.FloorJitMethods) '' '' 'info'
Add-Row 'Import + first exchange vs the floor' (Format-Ms $m.ImportFirstMs) ('floor ' + (Format-Ms $m.FloorMs)) (Format-Ratio $floorRatio) '<= 1.2x' (Get-Verdict ($null -ne $floorRatio) ($floorRatio -le $Targets.ImportFirstToFloor))
Add-Row 'AWS CLI v2 process (aws sts ...)' (Format-Ms $m.CliV2Ms) 'import + first exchange' ($(if ($speedupV2) { '{0:n1}x slower' -f $speedupV2 } else { 'n/a' })) '>= 6x slower' (Get-Verdict ($null -ne $speedupV2) ($speedupV2 -ge $Targets.CliV2Speedup))
Add-Row 'AWS CLI v1 process (python3 -m awscli)' (Format-Ms $m.CliV1Ms) 'import + first exchange' ($(if ($speedupV1) { '{0:n1}x slower' -f $speedupV1 } else { 'n/a' })) '' 'info'
Add-Row 'Warm exchange (same session)' (Format-Ms $m.WarmMs) 'raw HTTP round trip' (Format-Ratio $warmRatio) '<= 1.5x' (Get-Verdict ($null -ne $warmRatio) ($warmRatio -le $Targets.WarmToRaw))
Add-Row 'Raw HTTP round trip (HttpClient POST)' (Format-Ms $m.RawMs) 'moto on loopback' '' '' 'info'
Add-Row 'pwsh -c Import-Module; Get-... (process)' (Format-Ms $m.WholeProcessMs) ('bare pwsh -c exit: ' + (Format-Ms $m.BareProcessMs)) (Format-Ratio $processRatio) '<= 1.15x' (Get-Verdict $true ($processRatio -le $Targets.ProcessToBare))
Add-Row 'Memory added: working set' ('{0:n1} MiB' -f $m.AddedWorkingSetMiB) '25 MiB target' (Format-Ratio ($m.AddedWorkingSetMiB / $Targets.AddedMiB)) '<= 25 MiB' (Get-Verdict $true ($m.AddedWorkingSetMiB -le $Targets.AddedMiB))
Add-Row 'Memory added: private bytes' ('{0:n1} MiB' -f $m.AddedPrivateMiB) '25 MiB target' (Format-Ratio ($m.AddedPrivateMiB / $Targets.AddedMiB)) '<= 25 MiB' (Get-Verdict $true ($m.AddedPrivateMiB -le $Targets.AddedMiB))
Add-Row 'Memory added: GC heap' ('{0:n1} MiB' -f $m.AddedGcHeapMiB) '25 MiB target' (Format-Ratio ($m.AddedGcHeapMiB / $Targets.AddedMiB)) '<= 25 MiB' (Get-Verdict $true ($m.AddedGcHeapMiB -le $Targets.AddedMiB))
if ($m.SetProfileMs) {
    $p10 = $m.SetProfileMs['10']; $p100 = $m.SetProfileMs['100']; $p1000 = $m.SetProfileMs['1000']
    Add-Row 'Set-GitlabAwsProfile, 10 profiles' (Format-Ms $p10) '' '' '' 'info'
    Add-Row 'Set-GitlabAwsProfile, 100 profiles' (Format-Ms $p100) '10 profiles' (Format-Ratio ($p100 / $p10)) '' 'info'
    Add-Row 'Set-GitlabAwsProfile, 1,000 profiles' (Format-Ms $p1000) '100 profiles (linear: <= ~10x)' (Format-Ratio ($p1000 / $p100)) '<= 30 ms, linear' (Get-Verdict $true ($p1000 -le $Targets.SetProfile1000Ms -and ($p1000 / $p100) -le 12))
}
else {
    foreach ($count in '10', '100', '1,000') { Add-Row "Set-GitlabAwsProfile, $count profiles" $notPresent '' '' $(if ($count -eq '1,000') { '<= 30 ms, linear' } else { '' }) 'n/a' }
}
Add-Row 'Test-GitlabOidcRole -Offline, 100 statements' ($(if ($null -ne $m.TestRoleOfflineMs) { Format-Ms $m.TestRoleOfflineMs } else { $notPresent })) '' '' '' ($(if ($null -ne $m.TestRoleOfflineMs) { 'info' } else { 'n/a' }))

$finished = Get-Date
$loadAfter = Get-LoadAverage
$report = [ordered]@{
    Date        = $started.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    DurationSec = [math]::Round(($finished - $started).TotalSeconds, 1)
    Runs        = $Runs
    WarmRuns    = $WarmRuns
    Machine     = [ordered]@{
        Cores = [Environment]::ProcessorCount; LoadBefore = $loadBefore; LoadAfter = $loadAfter; BusyBefore = $busyBefore
        PowerShell = $PSVersionTable.PSVersion.ToString(); Runtime = [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription
        Rid = [Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    }
    Targets     = $Targets
    Medians     = $m
    Table       = $rows
    Samples     = $samples
}
New-Item -ItemType Directory -Path (Split-Path -Parent $OutFile) -Force | Out-Null
$report | ConvertTo-Json -Depth 8 | Set-Content -Path $OutFile -Encoding utf8

Write-Host ''
Write-Host ("GitlabSts benchmark: medians of {0} rounds (warm: median of {1} calls per round); {2} cores, load {3} before, {4} after; {5:n0} s" -f `
    $Runs, $WarmRuns, [Environment]::ProcessorCount, $loadBefore, $loadAfter, $report.DurationSec)
$rows | Format-Table -AutoSize | Out-String -Width 220 | Write-Host
$loadedNames = @($s | Select-Object -First 1 | ForEach-Object { $_.PSObject.Properties['AssembliesLoaded']?.Value } | Where-Object { $_ })
if ($loadedNames.Count -gt 0) {
    Write-Host ("Assemblies loaded by import + first exchange ({0}): {1}" -f $loadedNames.Count, ($loadedNames -join ', '))
}
Write-Host "Written to $OutFile"
