# Fault matrix: every fault of the fault-injecting STS (Get-FaultStsFault). Given up on: a transient fault is tried
# exactly -MaxAttempts times with growing delays (measured between the requests the fault STS logged), any other
# exactly once; then the contract's error id and category, a message with the STS code or HTTP status and what to do,
# in bounded time. Recovered from: each transient fault once, then success. Ctrl+C during a retry backoff stops at once.
#
# What each fault must end in (retry or not, error id, category, message) is written once, in the fault catalog
# tests/Fixtures/data/faults.json, with a note where the contract is silent and the catalog decides.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1') -Force
    . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
    $faults = foreach ($f in Get-FaultStsFault | Where-Object Name -ne 'pass') {
        if (-not $f.ErrorId -or -not $f.Category -or -not $f.ErrorMessage) { throw "The fault catalog has no complete 'expect' for '$($f.Name)'." }
        @{ Fault = $f.Name; Entry = @{ fault = $f.Name }; Transient = $f.Retry; Id = $f.ErrorId; Category = $f.Category; Message = $f.ErrorMessage }
    }
    # A success missing any one credential field, or all of them.
    $missing = foreach ($omit in 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Credentials') {
        @{ Fault = "missingfields without $omit"; Entry = @{ fault = 'missingfields'; omit = @($omit) }; Transient = $false; Id = 'GitlabSts.StsError'; Category = 'InvalidResult'; Message = 'without complete credentials' }
    }
    # Cmdlets with -MaxAttempts run every fault once; the others (Set-GitlabAwsProfile, Test-GitlabOidcRole) in each of
    # their modes that call STS (FaultModes), with their default attempts.
    $cases = foreach ($c in Get-ReliabilityCmdlet | Where-Object { $_.MaxAttempts -or $_.FaultModes }) {
        $modes = if ($c.FaultModes) { $c.FaultModes.Keys | Sort-Object } else { @('') }
        foreach ($mode in $modes) {
            foreach ($f in @($faults) + @($missing)) { $f.Clone() + @{ Cmdlet = $c.Name; Mode = $mode; Label = $(if ($mode) { "$($c.Name) ($mode)" } else { $c.Name }) } }
        }
    }
    $transientCases = @($cases | Where-Object Transient)
}

Describe 'Fault matrix' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
        $script:Cmdlets = @{}
        foreach ($c in Get-ReliabilityCmdlet) { $script:Cmdlets[$c.Name] = $c }
        $script:TimeoutSeconds = 2
        $script:Attempts = 4
        $script:GivenUp = 0; $script:GivenUpTried = 0; $script:Survived = 0; $script:SurvivedTried = 0
        $script:Observed = [Collections.Generic.List[string]]::new()
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-faults-$([guid]::NewGuid())") -Force
        $script:Reported = 0; $script:Unchanged = 0

        # The parameters of one call: the cmdlet's base and fault mode, the fault STS, the attempts; a fresh AWS folder
        # for a profile writer. Returns { Parameters; Attempts; Aws; Before }.
        function New-FaultCall([string] $Cmdlet, [string] $Mode, [int] $Attempts) {
            $info = $script:Cmdlets[$Cmdlet]
            $p = $info.Base.Clone() + @{ EndpointUrl = $script:Fault.Url; Verbose = $true }
            if ($Mode) { $p += $info.FaultModes[$Mode].Clone() }
            if ($info.MaxAttempts) { $p[$info.MaxAttempts] = $Attempts } else { $Attempts = $info.DefaultAttempts }
            $aws = $null; $before = $null
            if ($info.AwsFolder) {
                $aws = New-ReliabilityAwsFolder -Root $script:Work
                $null = Expand-AwsPath $p $aws
                $before = Get-FolderSnapshot $aws
            }
            [pscustomobject]@{ Parameters = $p; Attempts = $Attempts; Aws = $aws; Before = $before }
        }

        # Warm up (JIT, SDK start-up, the error path) so the first measured case is not slower than the others.
        $saved = Save-TestEnvironment
        try {
            $env:GITLAB_OIDC_TOKEN = $script:Token
            Reset-FaultSts -Sts $script:Fault
            Set-FaultStsScript -Sts $script:Fault -Faults 'pass', 'AccessDenied'
            $null = Invoke-ReliabilityCall -Cmdlet 'Get-GitlabWebIdentityCredential' -Parameters @{ RoleArn = $TestRoleArn; EndpointUrl = $script:Fault.Url }
            $null = Invoke-ReliabilityCall -Cmdlet 'Get-GitlabWebIdentityCredential' -Parameters @{ RoleArn = $TestRoleArn; EndpointUrl = $script:Fault.Url }
        }
        finally { Restore-TestEnvironment $saved }

        # Seconds between consecutive STS requests, from the fault STS's request log (time stamps in ms).
        function Get-RequestGap {
            $times = @((Get-FaultStsStats -Sts $script:Fault).Requests | Where-Object action -eq 'AssumeRoleWithWebIdentity' | ForEach-Object { [double]$_.time })
            for ($i = 1; $i -lt $times.Count; $i++) { [Math]::Round($times[$i] - $times[$i - 1], 3) }
        }
    }

    AfterAll {
        Stop-StsFixture
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
        Write-Host ($script:Observed -join "`n")
        Add-ReliabilitySummary @(
            "faults survived: $script:GivenUp of $script:GivenUpTried (given up on with the right attempts, error id and category, in bounded time; $script:Reported reported by Test-GitlabOidcRole, never thrown; $script:Unchanged failed profile writes changed no file)"
            "transient faults recovered from: $script:Survived of $script:SurvivedTried (one failure, then success on the next attempt)"
        )
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        $env:GITLAB_OIDC_TOKEN = $script:Token
        $env:GITLABSTS_STS_TIMEOUT_SECONDS = "$script:TimeoutSeconds"
        Reset-FaultSts -Sts $script:Fault
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It '<Label>: <Fault> every time -> <Id> (<Category>), transient: <Transient>' -ForEach $cases {
        $script:GivenUpTried++
        Set-FaultStsScript -Sts $script:Fault -Faults @() -Default $Entry
        $call = New-FaultCall -Cmdlet $Cmdlet -Mode $Mode -Attempts $script:Attempts
        $p = $call.Parameters
        $attempts = $call.Attempts
        $Message = $Message -replace 'after 4 attempts', "after $attempts attempts"

        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-ReliabilityCall -Cmdlet $Cmdlet -Parameters $p
        $elapsed = $sw.Elapsed.TotalSeconds
        $requests = (Get-FaultStsStats -Sts $script:Fault).Total
        $gaps = @(Get-RequestGap)
        $outcome = if ($r.Reported) { "reported $($r.Reported.ErrorCode)" } else { $r.Error.FullyQualifiedErrorId -replace ',.*' }
        $script:Observed.Add(('{0,-40} {1,-34} attempts {2}  {3,-32} {4,-20} {5,5:0.0} s  gaps {6}' -f $Label, $Fault, $requests, $outcome, $r.Error.CategoryInfo.Category, $elapsed, ($gaps -join ' ')))

        if ($Cmdlet -eq 'Test-GitlabOidcRole') {
            # Never thrown: reported in the result, with the STS code (or the error id) and the same message.
            $r.Error | Should -BeNullOrEmpty -Because "Test-GitlabOidcRole reports $Fault, it does not throw ($($r.Error.Exception.Message))"
            $r.Reported | Should -Not -BeNullOrEmpty
            $r.Reported.ErrorCode | Should -Not -BeNullOrEmpty
            $r.Reported.ErrorCode | Should -Not -Be 'Exchange' -Because 'the code names the STS error, not the check'
            $text = $r.Reported.Message
            @($r.Reported.Result.Checks | Where-Object { $_.Name -eq 'Exchange' -and $_.Result -eq 'Fail' }).Count | Should -Be 1
            Assert-NoSecret -Text (($r.Reported.Result | Format-List * | Out-String -Width 4096) + ($r.All | Out-String -Width 4096)) -Secret $script:Token -Where "the $Fault result"
            $script:Reported++
        }
        else {
            $r.Error | Should -Not -BeNullOrEmpty
            $r.Error.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            "$($r.Error.CategoryInfo.Category)" | Should -Be $Category
            $text = $r.Error.Exception.Message
            Assert-NoSecret -Text (Get-ErrorRecordText $r.Error) -Secret $script:Token -Where "the $Fault error"
        }
        $text | Should -Match $Message
        $text | Should -Not -Match '<html|<body|(?m)^\s+at \S+\(|NullReference|Object reference' -Because 'the message is for people: no HTML page, stack trace or raw .NET failure'
        if ($call.Aws) {
            @(Compare-FolderSnapshot $call.Before (Get-FolderSnapshot $call.Aws)) | Should -BeNullOrEmpty -Because 'a failed exchange changes no file (no token, lock or temp file either)'
            $script:Unchanged++
        }

        $expected = if ($Transient) { $attempts } else { 1 }
        $requests | Should -Be $expected -Because "$Fault is $(if (-not $Transient) { 'not ' })transient"
        Start-Sleep -Milliseconds 300
        (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be $requests -Because 'nothing retries in the background after the error'

        # Delays: the verbose message of each retry states its wait; the waits must grow, and the fault STS must have
        # seen each retry no earlier than that wait after the previous request (plus the timeout, for a hang).
        # Lower bounds only: this shared machine is often loaded, which only ever lengthens the gaps.
        $perRequest = if ($Fault -eq 'hang') { $script:TimeoutSeconds } else { 0 }
        $waits = @($r.Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } |
            ForEach-Object { if ($_.Message -match 'retrying in ([\d.,]+) s') { [double]($Matches[1] -replace ',', '.') } })
        if ($Transient) {
            $gaps.Count | Should -Be ($attempts - 1)
            $waits.Count | Should -Be ($attempts - 1) -Because 'each retry is a verbose message'
            for ($i = 0; $i -lt $gaps.Count; $i++) {
                $waits[$i] | Should -BeGreaterOrEqual (0.1 * [Math]::Pow(2, $i) - 0.005) -Because "retry $($i + 1) backs off at least base*2^$i/2"
                $gaps[$i] | Should -BeGreaterOrEqual ($perRequest + $waits[$i] - 0.015) -Because "retry $($i + 1) really waited its stated backoff"
            }
            for ($i = 1; $i -lt $waits.Count; $i++) { $waits[$i] | Should -BeGreaterOrEqual $waits[$i - 1] -Because 'the delays grow' }
            $waits[-1] | Should -BeGreaterThan $waits[0] -Because 'the delays grow'
        }
        else { $waits.Count | Should -Be 0 }
        # Bounded: each attempt at most the timeout (hang) or a second, plus the largest possible backoffs, plus slack
        # for a loaded machine.
        $bound = $expected * ($perRequest + 1) + (0.2 * ([Math]::Pow(2, $expected - 1) - 1)) + 10
        $elapsed | Should -BeLessThan $bound
        $script:GivenUp++
    }

    It '<Label>: <Fault> once, then success' -ForEach $transientCases {
        $script:SurvivedTried++
        Set-FaultStsScript -Sts $script:Fault -Faults @($Entry)
        $call = New-FaultCall -Cmdlet $Cmdlet -Mode $Mode -Attempts 2
        $r = Invoke-ReliabilityCall -Cmdlet $Cmdlet -Parameters $call.Parameters
        $r.Error | Should -BeNullOrEmpty
        switch ($Cmdlet) {
            'Set-GitlabAwsProfile' {
                @($r.Output).Count | Should -Be 0
                $credentials = Get-Content -Raw (Join-Path $call.Aws 'credentials')
                $credentials | Should -Match '(?m)^\[reliability\]\r?\naws_access_key_id = ASIA' -Because 'the profile got the new keys'
                $credentials | Should -Match '(?m)^\[other\]\r?\naws_access_key_id = AKIAOTHEREXAMPLE0001\r?\naws_secret_access_key = other-secret' -Because 'other profiles stay'
                @(Get-ChildItem -Force -Recurse $call.Aws -Filter '*.tmp') | Should -BeNullOrEmpty
            }
            'Test-GitlabOidcRole' {
                @($r.Output).Count | Should -Be 1
                $r.Output[0].Success | Should -BeTrue -Because "$($r.Output[0].Message)"
                $r.Output[0].AssumedRoleArn | Should -Match '^arn:aws:sts::123456789012:assumed-role/gitlab-deployer/'
            }
            default {
                @($r.Output).Count | Should -Be 1
                $r.Output[0].AccessKeyId | Should -Match '^ASIA'
            }
        }
        Get-FaultStsStats -Sts $script:Fault -Action AssumeRoleWithWebIdentity | Should -Be 2
        @($r.Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match "^Attempt 1 of $($call.Attempts) failed .*retrying in" }).Count | Should -Be 1
        $script:Survived++
    }

    It 'a transient fault followed by a permanent one stops at the permanent one' {
        Set-FaultStsScript -Sts $script:Fault -Faults 'Throttling', 'AccessDenied', 'pass'
        $r = Invoke-ReliabilityCall -Cmdlet 'Get-GitlabWebIdentityCredential' -Parameters @{ RoleArn = $TestRoleArn; EndpointUrl = $script:Fault.Url; MaxAttempts = 5 }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.AccessDenied,*'
        (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 2
    }

    It 'Ctrl+C (StopProcessing) during a retry backoff ends promptly and sends no further request' {
        # 20 attempts of Throttling: backoffs 0.1-0.2, 0.2-0.4, 0.4-0.8, 0.8-1.6 s ... After the 4th request the cmdlet
        # sleeps at least 0.8 s; 0.3 s into that sleep, stop it.
        Set-FaultStsScript -Sts $script:Fault -Faults @() -Default 'Throttling'
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript("Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -EndpointUrl '$($script:Fault.Url)' -MaxAttempts 20 -Verbose")
        $handle = $ps.BeginInvoke()
        # Stopped and disposed in finally: a failed assertion here must not leave it retrying in the background.
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-FaultStsStats -Sts $script:Fault).Total -lt 4 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Start-Sleep -Milliseconds 300
            (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 4
            @($ps.Streams.Verbose | Where-Object Message -Match '^Attempt 4 of 20 failed .*retrying in').Count | Should -Be 1 -Because 'the cmdlet is in its 4th backoff'
        }
        finally { $stop = Stop-TestPipeline -PowerShell $ps -Handle $handle }
        $stop.Seconds | Should -BeLessThan 3
        $stop.Completed | Should -BeTrue
        $stop.State | Should -Be 'Stopped'
        Start-Sleep -Milliseconds 2000
        (Get-FaultStsStats -Sts $script:Fault).Total | Should -Be 4 -Because 'a stopped cmdlet sends nothing more'
    }
}
