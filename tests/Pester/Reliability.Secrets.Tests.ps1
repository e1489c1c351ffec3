# Secret-leak sweep: success (every output mode, every token source) and failure (every fault of the fault STS), with
# -Verbose -Debug and a transcript on. The token, the secret access key and the session token must appear in none
# of the six streams, the transcript, any ErrorRecord ($Error included: message, details, target object, full
# exception chain, invocation info) or the default formatted views (Format-Table, Format-List, Out-String,
# ToString()). ConvertTo-Json and Format-List * are explicit user choices and not checked; the CredentialProcess
# output line carries the secrets by design (the user asked for them) and is excluded, but nothing else may.
#
# InvocationInfo.Line is the command line as the user typed it: with -WebIdentityToken <token> it legitimately holds
# the token. The sweep therefore takes tokens from the environment (GITLAB_OIDC_TOKEN discovery), -TokenVariable or
# -TokenFile, so that every part of an ErrorRecord can be checked.
#
# Leaks are counted (Find-Secret), not thrown at the first, so the summary says how many there were.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1') -Force
    . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
    $sources = 'Environment', 'Variable', 'File'
    $success = foreach ($c in Get-ReliabilityCmdlet) {
        foreach ($mode in $c.Modes.Keys | Sort-Object) {
            foreach ($source in $sources) { @{ Cmdlet = $c.Name; Mode = $mode; Source = $source } }
        }
    }
    $faultNames = @((Get-FaultStsFault | Where-Object Name -ne 'pass').Name) + 'missingfields with known secrets'
    $i = 0
    $failure = foreach ($c in Get-ReliabilityCmdlet) {
        foreach ($f in $faultNames) { @{ Cmdlet = $c.Name; Fault = $f; Source = $sources[$i++ % 3] } }
    }
}

Describe 'Secret-leak sweep' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        $script:Moto = Start-MotoServer
        $script:Key = New-TestSigningKey
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
        $script:Fault = Start-FaultSts -Upstream $script:Moto.Url
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-secrets-$([guid]::NewGuid())") -Force
        $script:TokenFile = Join-Path $script:Work 'token.jwt'
        Set-Content -Path $script:TokenFile -Value $script:Token -NoNewline
        $script:Cmdlets = @{}
        foreach ($c in Get-ReliabilityCmdlet) { $script:Cmdlets[$c.Name] = $c }
        $script:Leaks = [Collections.Generic.List[string]]::new()
        $script:Scenarios = 0
        $script:Places = 0

        # The fault STS's own canned success (truncated / truncatedxml send half of it), and a complete-looking success
        # without Expiration whose secrets we know, for the failure paths that carry credentials in the body.
        $script:CannedSecrets = @{
            CannedSecretKey    = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY'
            CannedSessionToken = 'AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE'
            KnownSecretKey     = 'kSECRETkSECRETkSECRETkSECRET/0123456789ab'
            KnownSessionToken  = 'FwoGZXIvYXdzKNOWNSESSIONTOKENxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
        }
        $script:KnownBody = @"
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/gitlab-deployer/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>$($script:CannedSecrets.KnownSessionToken)</SessionToken>
      <SecretAccessKey>$($script:CannedSecrets.KnownSecretKey)</SecretAccessKey>
      <AccessKeyId>ASIAKNOWNEXAMPLE0001</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"@

        # Token parameters (and environment) for a source; never -WebIdentityToken (see the header).
        function Set-TokenSource([string] $Source, [hashtable] $Parameters) {
            switch ($Source) {
                'Environment' { $env:GITLAB_OIDC_TOKEN = $script:Token }
                'Variable' { $env:GITLABSTS_SWEEP_TOKEN = $script:Token; $Parameters.TokenVariable = 'GITLABSTS_SWEEP_TOKEN' }
                'File' { $Parameters.TokenFile = $script:TokenFile }
            }
        }

        # Runs one call under a transcript with -Verbose -Debug; returns every text a user could see, by place.
        function Invoke-Sweep([string] $Cmdlet, [hashtable] $Parameters) {
            $transcript = Join-Path $script:Work "transcript-$([guid]::NewGuid()).txt"
            $errorsBefore = $global:Error.Count
            $null = Start-Transcript -Path $transcript -UseMinimalHeader
            try { $r = Invoke-ReliabilityCall -Cmdlet $Cmdlet -Parameters ($Parameters + @{ Verbose = $true; Debug = $true }) }
            finally { $null = Stop-Transcript }
            $newErrors = @($global:Error | Select-Object -First ([Math]::Max(0, $global:Error.Count - $errorsBefore)))
            $places = [ordered]@{
                'the six streams'   = (@($r.Streams | ForEach-Object { "$($_.Message)"; "$_"; $_ | Out-String -Width 4096 }) -join "`n")
                'the transcript'    = (Get-Content -Raw $transcript)
                'the error record'  = (Get-ErrorRecordText $r.Error)
                '$Error'            = (@($newErrors | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { Get-ErrorRecordText $_ } else { $_ | Out-String } }) -join "`n")
            }
            [pscustomobject]@{ Result = $r; Places = $places; Transcript = $transcript }
        }

        function Test-Places([System.Collections.IDictionary] $Places, [hashtable] $Secret, [string] $Scenario) {
            $script:Scenarios++
            foreach ($where in $Places.Keys) {
                $script:Places++
                foreach ($leak in @(Find-Secret -Text $Places[$where] -Secret $Secret -Where "$where ($Scenario)")) { $script:Leaks.Add($leak); $leak }
            }
        }
    }

    AfterAll {
        Stop-FaultSts -Sts $script:Fault
        Stop-MotoServer -Server $script:Moto
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
        Add-ReliabilitySummary "leaks found: $($script:Leaks.Count) (token, secret key and session token looked for in $script:Places places across $script:Scenarios scenarios)"
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        $env:GITLABSTS_STS_TIMEOUT_SECONDS = '2'
        Reset-FaultSts -Sts $script:Fault
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It '<Cmdlet> -<Mode>, token from <Source>: success leaks nothing' -ForEach $success {
        $info = $script:Cmdlets[$Cmdlet]
        $p = $info.Base.Clone() + @{ EndpointUrl = $script:Fault.Url } + $info.Modes[$Mode].Clone()
        Set-TokenSource $Source $p
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        $r = $sweep.Result
        $r.Error | Should -BeNullOrEmpty

        $places = $sweep.Places
        switch ($Mode) {
            'Object' {
                $credential = @($r.Output)[0]
                $credential | Should -BeOfType ([GitlabSts.WebIdentityCredential])
                $secret = @{ Token = $script:Token; SecretAccessKey = $credential.SecretAccessKey; SessionToken = $credential.SessionToken }
                $places['the default views'] = @(
                    ($credential | Out-String -Width 4096)
                    ($credential | Format-Table | Out-String -Width 4096)
                    ($credential | Format-Table -AutoSize | Out-String -Width 4096)
                    ($credential | Format-List | Out-String -Width 4096)
                    $credential.ToString()
                    "$credential"
                    (@($credential, $credential) | Out-String -Width 4096)
                ) -join "`n"
            }
            'SetEnvironment' {
                @($r.Output).Count | Should -Be 0
                $secret = @{ Token = $script:Token; SecretAccessKey = $env:AWS_SECRET_ACCESS_KEY; SessionToken = $env:AWS_SESSION_TOKEN }
            }
            'CredentialProcess' {
                @($r.Output).Count | Should -Be 1
                $json = $r.Output[0] | ConvertFrom-Json
                $secret = @{ Token = $script:Token; SecretAccessKey = $json.SecretAccessKey; SessionToken = $json.SessionToken }
                # The output line is what the user asked for; everything else is checked.
            }
        }
        $secret.SecretAccessKey | Should -Not -BeNullOrEmpty -Because 'the sweep must know the secrets it looks for'
        $secret.SessionToken | Should -Not -BeNullOrEmpty
        (Get-Item $sweep.Transcript).Length | Should -BeGreaterThan 0 -Because 'the transcript was recording'
        @($r.Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0 -Because '-Verbose was on'
        $leaks = @(Test-Places $places $secret "$Cmdlet -$Mode, token from $Source")
        $leaks | Should -BeNullOrEmpty
    }

    It '<Cmdlet>, <Fault>, token from <Source>: failure leaks nothing' -ForEach $failure {
        $info = $script:Cmdlets[$Cmdlet]
        if ($Fault -eq 'missingfields with known secrets') {
            Set-FaultStsScript -Sts $script:Fault -Faults @() -Default @{ fault = 'missingfields'; body = $script:KnownBody }
        }
        else { Set-FaultStsScript -Sts $script:Fault -Faults @() -Default $Fault }
        $p = $info.Base.Clone() + @{ EndpointUrl = $script:Fault.Url }
        if ($info.MaxAttempts) { $p[$info.MaxAttempts] = 2 }
        Set-TokenSource $Source $p
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        $sweep.Result.Error | Should -Not -BeNullOrEmpty
        $sweep.Places['$Error'] | Should -Not -BeNullOrEmpty -Because 'the error reached $Error'
        @($sweep.Result.Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0 -Because 'the verbose stream before the error was captured'
        $secret = @{ Token = $script:Token } + $script:CannedSecrets
        $leaks = @(Test-Places $sweep.Places $secret "$Cmdlet, $Fault, token from $Source")
        $leaks | Should -BeNullOrEmpty
    }

    It 'in a fresh process: host rendering (ConciseView, Get-Error, Format-List * of the error) and its transcript leak nothing' {
        # The host, not a capture, renders every stream and error here; the child reports the secrets it received
        # through a side file, which is not checked.
        $transcript = Join-Path $script:Work 'child-transcript.txt'
        $secretsFile = Join-Path $script:Work 'child-secrets.json'
        # One fault per message path of StsMessages (the in-process sweep above covers every fault); one attempt each,
        # and one exchange per token source, each in another output mode: this machine starts processes slowly.
        $faultNames = 'AccessDenied', 'InvalidIdentityToken', 'InvalidIdentityTokenKey', 'IDPCommunicationError', 'ExpiredTokenException',
            'MalformedPolicyDocument', 'Throttling', 'http502', 'reset', 'truncatedxml', 'notxml', 'missingfields'
        $child = @'
$ErrorActionPreference = 'Continue'
Import-Module $env:REL_FIXTURES
Import-Module $env:REL_MANIFEST
$sts = [pscustomobject]@{ Url = $env:REL_STS }
$secrets = [System.Collections.Generic.List[string]]::new()
$null = Start-Transcript -Path $env:REL_TRANSCRIPT
$common = @{ RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer'; EndpointUrl = $sts.Url; Verbose = $true; Debug = $true; MaxAttempts = 1 }
$sources = @{ Environment = @{}; Variable = @{ TokenVariable = 'GITLABSTS_SWEEP_TOKEN' }; File = @{ TokenFile = $env:REL_TOKEN_FILE } }
$c = Get-GitlabWebIdentityCredential @common
$c; $c | Format-List; $c | Format-Table; "$c"
$secrets.Add($c.SecretAccessKey); $secrets.Add($c.SessionToken)
$pv = $common + $sources.Variable
Get-GitlabWebIdentityCredential @pv -SetEnvironment
$secrets.Add($env:AWS_SECRET_ACCESS_KEY); $secrets.Add($env:AWS_SESSION_TOKEN)
$pf = $common + $sources.File
$json = Get-GitlabWebIdentityCredential @pf -OutputFormat CredentialProcess | ConvertFrom-Json
$secrets.Add($json.SecretAccessKey); $secrets.Add($json.SessionToken)
$i = 0
foreach ($fault in $env:REL_FAULTS -split ',') {
    Set-FaultStsScript -Sts $sts -Faults @() -Default $fault
    $p = $common + $sources[@('Environment', 'Variable', 'File')[$i++ % 3]]
    Get-GitlabWebIdentityCredential @p
    Get-Error -Newest 1
    $Error[0] | Format-List * -Force
    $Error[0].Exception | Format-List * -Force
}
$null = Stop-Transcript
$secrets | ConvertTo-Json | Set-Content -Path $env:REL_SECRETS
'@
        $envs = @{
            REL_FIXTURES = (Join-Path $RepoRoot 'tests/Fixtures/GitlabSts.TestFixtures.psm1'); REL_MANIFEST = $ModuleManifest; REL_STS = $script:Fault.Url
            REL_TRANSCRIPT = $transcript; REL_SECRETS = $secretsFile; REL_TOKEN_FILE = $script:TokenFile; REL_FAULTS = ($faultNames -join ',')
            GITLAB_OIDC_TOKEN = $script:Token; GITLABSTS_SWEEP_TOKEN = $script:Token; GITLABSTS_STS_TIMEOUT_SECONDS = '2'
        }
        $r = Invoke-FreshPwsh -Script $child -Environment $envs
        $childSecrets = @(Get-Content -Raw $secretsFile | ConvertFrom-Json)
        $childSecrets.Count | Should -Be 6 -Because "the child made 3 exchanges (stderr: $($r.StdErr))"
        @($childSecrets | Where-Object { -not $_ }).Count | Should -Be 0
        $r.StdOut | Should -Match 'VERBOSE: Calling STS AssumeRoleWithWebIdentity' -Because 'verbose went to the host'
        $r.StdOut + $r.StdErr | Should -Match 'STS denied AssumeRoleWithWebIdentity' -Because 'errors went to the host'
        $r.StdOut | Should -Match 'GitlabSts\.AccessDenied' -Because 'Get-Error and Format-List * were rendered'
        $text = Get-Content -Raw $transcript
        $text | Should -Match 'STS denied AssumeRoleWithWebIdentity' -Because 'the transcript recorded the session'

        $secret = @{ Token = $script:Token } + $script:CannedSecrets
        $n = 0
        foreach ($s in $childSecrets) { $secret["ChildSecret$((++$n))"] = $s }
        $places = [ordered]@{ 'the child''s stdout' = $r.StdOut; 'the child''s stderr' = $r.StdErr; 'the child''s transcript' = $text }
        $leaks = @(Test-Places $places $secret 'fresh process, host rendering')
        $leaks | Should -BeNullOrEmpty
    }

    It 'CredentialProcess failure (<Why>) in a fresh process: the error on stderr, nothing on stdout, non-zero exit' -ForEach @(
        @{ Why = 'STS AccessDenied'; Fault = 'AccessDenied'; Role = 'arn:aws:iam::123456789012:role/gitlab-deployer'; Expect = 'STS denied AssumeRoleWithWebIdentity' }
        @{ Why = 'STS 503 after the retries'; Fault = 'http503'; Role = 'arn:aws:iam::123456789012:role/gitlab-deployer'; Expect = 'after 2 attempts with ServiceUnavailable' }
        @{ Why = 'a bad role ARN'; Fault = 'pass'; Role = 'arn:aws:iam::123456789012:user/bob'; Expect = 'not a role' }
    ) {
        Set-FaultStsScript -Sts $script:Fault -Faults @() -Default $Fault
        $script = "Import-Module '$ModuleManifest'; Get-GitlabWebIdentityCredential -RoleArn '$Role' -OutputFormat CredentialProcess -MaxAttempts 2"
        $r = Invoke-FreshPwsh -Script $script -Environment @{ GITLAB_OIDC_TOKEN = $script:Token; AWS_ENDPOINT_URL_STS = $script:Fault.Url }
        $r.ExitCode | Should -Not -Be 0
        $r.StdOut.Trim() | Should -BeNullOrEmpty
        $r.StdErr | Should -Match $Expect
        $leaks = @(Test-Places ([ordered]@{ stderr = $r.StdErr; stdout = $r.StdOut }) (@{ Token = $script:Token } + $script:CannedSecrets) "CredentialProcess failure, $Why")
        $leaks | Should -BeNullOrEmpty
    }
}
