# Concurrency and endurance: 8 runspaces exchanging at once (all succeed, each gets its own credentials, nothing is
# lost or duplicated, retries under contention stay per call), and 1,000 sequential exchanges in one fresh process
# without growth in file descriptors or memory beyond a stated bound.
Describe 'Concurrency and endurance' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
        $script:Concurrent = 0
        $script:Sequential = $null

        # 8 runspaces, each importing the module and exchanging once through the fault STS with its own session name.
        function Invoke-ParallelExchange([int] $Count) {
            $manifest = $ModuleManifest; $role = $TestRoleArn; $token = $script:Token; $url = $script:Fault.Url
            1..$Count | ForEach-Object -ThrottleLimit $Count -Parallel {
                Import-Module $using:manifest
                $name = "parallel-$_"
                try {
                    $c = Get-GitlabWebIdentityCredential -RoleArn $using:role -WebIdentityToken $using:token -EndpointUrl $using:url -RoleSessionName $name -MaxAttempts 5 -ErrorAction Stop
                    [pscustomobject]@{ Name = $name; Credential = $c; Error = $null; Thread = [Threading.Thread]::CurrentThread.ManagedThreadId }
                }
                catch { [pscustomobject]@{ Name = $name; Credential = $null; Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"; Thread = 0 } }
            }
        }
    }

    AfterAll {
        Stop-StsFixture
        $lines = @("concurrent exchanges: $script:Concurrent (8 runspaces at once, twice: plain and under throttling)")
        if ($script:Sequential) {
            $s = $script:Sequential
            $lines += ('sequential exchanges: {0} in {1:0} s (after the first 100 -> after {0}: fds {2:+0;-0;+0}, private memory {3:+0.0;-0.0;+0.0} MiB, managed heap {4:+0.0;-0.0;+0.0} MiB)' -f
                $s.Count, $s.Seconds, ($s.After.Fds - $s.At100.Fds), (($s.After.Private - $s.At100.Private) / 1MB), (($s.After.Managed - $s.At100.Managed) / 1MB))
        }
        Add-ReliabilitySummary $lines
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        Reset-FaultSts -Sts $script:Fault
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It '8 runspaces in parallel all succeed, each with its own session and credentials' {
        $results = @(Invoke-ParallelExchange 8)
        $results.Count | Should -Be 8
        @($results | Where-Object Error | ForEach-Object Error) | Should -BeNullOrEmpty
        foreach ($r in $results) {
            $r.Credential.RoleSessionName | Should -Be $r.Name
            $r.Credential.AssumedRoleArn | Should -Be "arn:aws:sts::123456789012:assumed-role/gitlab-deployer/$($r.Name)" -Because 'no runspace gets another''s answer'
        }
        @($results.Name | Sort-Object -Unique).Count | Should -Be 8
        @($results.Credential.AccessKeyId | Sort-Object -Unique).Count | Should -Be 8
        @($results.Credential.SecretAccessKey | Sort-Object -Unique).Count | Should -Be 8
        @($results.Thread | Sort-Object -Unique).Count | Should -BeGreaterThan 1 -Because 'the calls really ran on several threads'
        (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 8 -Because 'one request per call: nothing lost, nothing doubled'
        $script:Concurrent += $results.Count
    }

    It '8 runspaces in parallel under throttling: each retries its own failure and all succeed' {
        Set-FaultStsScript -Sts $script:Fault -Faults @{ fault = 'Throttling'; count = 4 }
        $results = @(Invoke-ParallelExchange 8)
        @($results | Where-Object Error | ForEach-Object Error) | Should -BeNullOrEmpty
        @($results | Where-Object { $_.Credential.AccessKeyId -match '^ASIA' }).Count | Should -Be 8
        @($results.Credential.AccessKeyId | Sort-Object -Unique).Count | Should -Be 8
        $stats = Get-FaultStsStats -Sts $script:Fault
        $stats.Total | Should -Be 12 -Because '8 calls, 4 of them throttled once and retried once'
        $stats.Faults['Throttling'] | Should -Be 4
        $script:Concurrent += $results.Count
    }

    It '1,000 sequential exchanges in one process: fds and memory stay bounded' {
        # A fresh process against moto directly (not the fault proxy). Figures after the first 100 exchanges (warm:
        # JIT, SDK client, connection pool) against after the last, each after a full GC.
        # Bounds: fewer than 50 more file descriptors, less than 64 MiB more private memory, 16 MiB more managed heap.
        $child = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:REL_MANIFEST
function Get-Figures {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh()
    [pscustomobject]@{ Fds = @(Get-ChildItem /proc/self/fd).Count; Private = $p.PrivateMemorySize64; WorkingSet = $p.WorkingSet64; Managed = [GC]::GetTotalMemory($true); Threads = $p.Threads.Count }
}
$total = [int]$env:REL_COUNT
$sw = [Diagnostics.Stopwatch]::StartNew()
for ($i = 1; $i -le 100; $i++) { $null = Get-GitlabWebIdentityCredential -RoleArn $env:REL_ROLE -EndpointUrl $env:REL_MOTO -RoleSessionName "seq-$i" }
$first100 = $sw.Elapsed.TotalSeconds
$at100 = Get-Figures
$sw.Restart()
for ($i = 101; $i -le $total; $i++) {
    $c = Get-GitlabWebIdentityCredential -RoleArn $env:REL_ROLE -EndpointUrl $env:REL_MOTO -RoleSessionName "seq-$i"
    if (-not $c.AccessKeyId) { throw "exchange $i returned no credentials" }
}
$rest = $sw.Elapsed.TotalSeconds
$after = Get-Figures
[pscustomobject]@{ Count = $total; First100Seconds = $first100; RestSeconds = $rest; Seconds = $first100 + $rest; At100 = $at100; After = $after } | ConvertTo-Json -Compress
'@
        $r = Invoke-FreshPwsh -Script $child -Environment @{
            REL_MANIFEST = $ModuleManifest; REL_ROLE = $TestRoleArn; REL_MOTO = $script:Moto.Url; REL_COUNT = '1000'; GITLAB_OIDC_TOKEN = $script:Token
        }
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        $s = ($r.StdOut -split "`n" | Where-Object { $_ -match '^\{' } | Select-Object -Last 1) | ConvertFrom-Json
        $script:Sequential = $s
        Write-Host ('1,000 sequential exchanges: first 100 in {0:0.0} s, the other 900 in {1:0.0} s ({2:0.0} ms each)' -f $s.First100Seconds, $s.RestSeconds, (1000 * $s.RestSeconds / 900))
        Write-Host ('  after 100:  fds {0}, private {1:0.0} MiB, working set {2:0.0} MiB, managed {3:0.0} MiB, threads {4}' -f $s.At100.Fds, ($s.At100.Private / 1MB), ($s.At100.WorkingSet / 1MB), ($s.At100.Managed / 1MB), $s.At100.Threads)
        Write-Host ('  after 1000: fds {0}, private {1:0.0} MiB, working set {2:0.0} MiB, managed {3:0.0} MiB, threads {4}' -f $s.After.Fds, ($s.After.Private / 1MB), ($s.After.WorkingSet / 1MB), ($s.After.Managed / 1MB), $s.After.Threads)
        $s.Count | Should -Be 1000
        $s.At100.Fds | Should -BeGreaterThan 0 -Because '/proc/self/fd was readable'
        ($s.After.Fds - $s.At100.Fds) | Should -BeLessThan 50
        ($s.After.Private - $s.At100.Private) | Should -BeLessThan 64MB
        ($s.After.Managed - $s.At100.Managed) | Should -BeLessThan 16MB
    }
}
