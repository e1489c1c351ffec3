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
    # Every fault, for each cmdlet's modes that call STS (Set-GitlabAwsProfile: -Mode Credential; Test-GitlabOidcRole:
    # live, where a fault is reported, not thrown); plus local failures of the profile writer.
    $failure = foreach ($c in Get-ReliabilityCmdlet) {
        $modes = if ($c.FaultModes) { @($c.FaultModes.Keys | Sort-Object) } else { @('') }
        foreach ($mode in $modes) {
            foreach ($f in $faultNames) { @{ Cmdlet = $c.Name; Mode = $mode; Fault = $f; Source = $sources[$i++ % 3] } }
        }
    }
    $localFailure = foreach ($source in $sources) {
        @{ Cmdlet = 'Set-GitlabAwsProfile'; Name = 'WebIdentity, config path is a directory'; Params = @{ Mode = 'WebIdentity'; ConfigPath = '@aws/config.d' }; Prepare = @{ Dirs = @('config.d') }; Source = $source }
        @{ Cmdlet = 'Set-GitlabAwsProfile'; Name = 'WebIdentity, read-only folder, -TokenFilePath writable'; Params = @{ Mode = 'WebIdentity'; ConfigPath = '@aws/ro/config'; CredentialsPath = '@aws/ro/credentials'; TokenFilePath = '@aws/token.jwt' }; Prepare = @{ ReadOnly = 'ro' }; Source = $source }
        @{ Cmdlet = 'Set-GitlabAwsProfile'; Name = 'Credential, read-only folder'; Params = @{ Mode = 'Credential'; ConfigPath = '@aws/ro/config'; CredentialsPath = '@aws/ro/credentials' }; Prepare = @{ ReadOnly = 'ro' }; Source = $source }
        @{ Cmdlet = 'Set-GitlabAwsProfile'; Name = 'CredentialProcess, profile name with a newline'; Params = @{ Mode = 'CredentialProcess'; ProfileName = "a`nb" }; Source = $source }
        @{ Cmdlet = 'Test-GitlabOidcRole'; Name = '-TrustPolicy file that does not exist'; Params = @{ TrustPolicy = '/nonexistent/trust.json' }; Source = $source }
        @{ Cmdlet = 'Test-GitlabOidcRole'; Name = '-ClientId holding the token'; Params = @{ ClientId = @('sts.amazonaws.com', '@token') }; Source = $source }
    }
}

Describe 'Secret-leak sweep' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        Start-StsFixture   # $script:Moto, $script:Key, $script:Token, $script:Fault
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-secrets-$([guid]::NewGuid())") -Force
        $script:TokenFile = Join-Path $script:Work 'token.jwt'
        Set-Content -Path $script:TokenFile -Value $script:Token -NoNewline
        $script:Cmdlets = @{}
        foreach ($c in Get-ReliabilityCmdlet) { $script:Cmdlets[$c.Name] = $c }
        $script:Leaks = [Collections.Generic.List[string]]::new()
        $script:FilesChecked = 0
        # A complete success whose secrets we know: the answer to AssumeRoleWithWebIdentity in the success sweep, so
        # the secrets of calls that output none (Set-GitlabAwsProfile, Test-GitlabOidcRole) are known too.
        $script:FullSecrets = @{ FullSecretKey = 'fSECRETfSECRETfSECRETfSECRET/9876543210zz'; FullSessionToken = 'FwoGZXIvYXdzFULLSESSIONTOKENyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' }
        $script:FullBody = @"
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>project_path:group/project:ref_type:branch:ref:main</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/gitlab-deployer/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>$($script:FullSecrets.FullSessionToken)</SessionToken>
      <SecretAccessKey>$($script:FullSecrets.FullSecretKey)</SecretAccessKey>
      <Expiration>$([DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ'))</Expiration>
      <AccessKeyId>ASIAFULLEXAMPLE00001</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/gitlab.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000001</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"@

        # The parameters of one call: base + mode + case parameters, '@aws/' paths in a fresh AWS folder for the
        # profile writer, '@failingpolicy' and '@token' (also inside an array) resolved. Returns { Parameters; Aws; Before }.
        function New-SweepCall([string] $Cmdlet, [hashtable] $Extra, [hashtable] $Prepare = @{}) {
            $info = $script:Cmdlets[$Cmdlet]
            $p = $info.Base.Clone() + @{ EndpointUrl = $script:Fault.Url }
            foreach ($k in $Extra.Keys) { $p[$k] = if ($Extra[$k] -is [string] -and $Extra[$k] -eq '@failingpolicy') { Get-FailingTrustPolicy } else { $Extra[$k] } }
            foreach ($k in @($p.Keys)) {
                if ($p[$k] -is [array] -and $p[$k] -contains '@token') { $p[$k] = [string[]]@($p[$k] | ForEach-Object { if ($_ -eq '@token') { $script:Token } else { $_ } }) }
                elseif ($p[$k] -is [string] -and $p[$k] -eq '@token') { $p[$k] = $script:Token }
            }
            $aws = $null; $before = $null
            if ($info.AwsFolder) {
                $aws = New-ReliabilityAwsFolder -Root $script:Work -Prepare $Prepare
                $null = Expand-AwsPath $p $aws
                $before = Get-FolderSnapshot $aws
            }
            [pscustomobject]@{ Parameters = $p; Aws = $aws; Before = $before }
        }

        # Every file of the AWS folder as a place to look, except the ones the user asked to hold a secret.
        function Add-FilePlace([System.Collections.IDictionary] $Places, [string] $Aws, [string[]] $Except = @()) {
            foreach ($f in Get-ChildItem -LiteralPath $Aws -Recurse -Force -File) {
                if ($Except -contains $f.FullName) { continue }
                $script:FilesChecked++
                $Places["the file $([IO.Path]::GetRelativePath($Aws, $f.FullName))"] = [IO.File]::ReadAllText($f.FullName)
            }
        }
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
            # The newest error before the call: everything in front of it is new. (A count difference fails once $Error
            # is full at $MaximumErrorCount, as it is late in a whole-suite run.)
            $newestBefore = if ($global:Error.Count) { $global:Error[0] } else { $null }
            $null = Start-Transcript -Path $transcript -UseMinimalHeader
            try { $r = Invoke-ReliabilityCall -Cmdlet $Cmdlet -Parameters ($Parameters + @{ Verbose = $true; Debug = $true }) }
            finally { $null = Stop-Transcript }
            $newErrors = @(foreach ($e in $global:Error) { if ([object]::ReferenceEquals($e, $newestBefore)) { break }; $e })
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
        Stop-StsFixture
        Clear-ReliabilityReadOnly $script:Work
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
        Add-ReliabilitySummary "leaks found: $($script:Leaks.Count) (token, secret key and session token looked for in $script:Places places across $script:Scenarios scenarios, $script:FilesChecked of them files written or kept by Set-GitlabAwsProfile)"
    }

    BeforeEach {
        $script:SavedEnv = Save-TestEnvironment
        $env:GITLABSTS_STS_TIMEOUT_SECONDS = '2'
        Reset-FaultSts -Sts $script:Fault
    }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It '<Cmdlet> -<Mode>, token from <Source>: success leaks nothing' -ForEach $success {
        $info = $script:Cmdlets[$Cmdlet]
        $call = New-SweepCall -Cmdlet $Cmdlet -Extra $info.Modes[$Mode]
        $p = $call.Parameters
        Set-TokenSource $Source $p
        if ($Cmdlet -ne 'Get-GitlabWebIdentityCredential') {
            # Known secrets for the cmdlets that output none: the exchange answers with FullBody.
            Set-FaultStsScript -Sts $script:Fault -Faults @(@{ fault = 'missingfields'; body = $script:FullBody; action = 'AssumeRoleWithWebIdentity'; count = 1 })
        }
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        $r = $sweep.Result
        $r.Error | Should -BeNullOrEmpty

        $places = $sweep.Places
        $full = @{ Token = $script:Token; SecretAccessKey = $script:FullSecrets.FullSecretKey; SessionToken = $script:FullSecrets.FullSessionToken }
        if ($Cmdlet -eq 'Set-GitlabAwsProfile') {
            $configText = [IO.File]::ReadAllText((Join-Path $call.Aws 'config'))
            $credentialsText = [IO.File]::ReadAllText((Join-Path $call.Aws 'credentials'))
            $tokenFile = Join-Path $call.Aws 'gitlabsts/reliability.token'
            $except = @()
            if ($p.WhatIf) {
                @(Compare-FolderSnapshot $call.Before (Get-FolderSnapshot $call.Aws)) | Should -BeNullOrEmpty -Because '-WhatIf writes nothing'
                (Get-Content -Raw $sweep.Transcript) | Should -Match 'What if:' -Because 'the transcript recorded what -WhatIf would do'
            }
            elseif ($p.Mode -eq 'WebIdentity') {
                [IO.File]::ReadAllText($tokenFile) | Should -BeExactly $script:Token -Because 'the token file is the one file asked to hold the token'
                $configText | Should -Match 'web_identity_token_file = .*reliability\.token'
                $configText | Should -Not -Match ([regex]::Escape($script:Token.Split('.')[1])) -Because 'the config file of a WebIdentity profile holds no token'
                $except = @($tokenFile)
            }
            elseif ($p.Mode -eq 'Credential') {
                $credentialsText | Should -Match "aws_secret_access_key = $([regex]::Escape($full.SecretAccessKey))" -Because 'the credentials file is the one file asked to hold the keys'
                $credentialsText | Should -Match "aws_session_token = $([regex]::Escape($full.SessionToken))"
                $except = @(Join-Path $call.Aws 'credentials')
            }
            else {
                $configText | Should -Match 'credential_process = .*-EncodedCommand'
                Get-FaultStsStats -Sts $script:Fault -Action AssumeRoleWithWebIdentity | Should -Be 0 -Because 'CredentialProcess exchanges later, in the AWS tool'
            }
            # Every other file: config (for a CredentialProcess profile too), credentials, lock files, nothing holds a secret.
            Add-FilePlace $places $call.Aws -Except $except
            if ($p.Mode -eq 'Credential' -and -not $p.WhatIf) { $places['the config file'] = $configText }
        }
        switch ($Mode) {
            { $Cmdlet -ne 'Get-GitlabWebIdentityCredential' } {
                $secret = $full
                if ($Cmdlet -eq 'Test-GitlabOidcRole') {
                    $result = @($r.Output)[0]
                    if ($Mode -eq 'Quiet') { $result | Should -BeOfType ([bool]) }
                    else {
                        $result | Should -BeOfType ([GitlabSts.OidcRoleTestResult])
                        $result.Success | Should -Be ($Mode -notin 'FailingPolicy', 'Offline') -Because "$($result.Message)"
                        if ($Mode -eq 'Offline') { $result.ErrorCode | Should -Be 'NoTrustPolicy' -Because 'offline, no trust policy is no verdict' }
                        $places['the result (Format-List *)'] = $result | Format-List * -Force | Out-String -Width 4096
                        $places['the result (default view)'] = $result | Out-String -Width 4096
                        $places['the result (ConvertTo-Json)'] = $result | ConvertTo-Json -Depth 6
                    }
                    if ($Mode -in 'Pass', 'Quiet', 'FailingPolicy') { Get-FaultStsStats -Sts $script:Fault -Action AssumeRoleWithWebIdentity | Should -Be 1 -Because 'the live test exchanged' }
                }
                break
            }
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

    It '<Cmdlet> <Mode>, <Fault>, token from <Source>: failure leaks nothing' -ForEach $failure {
        $info = $script:Cmdlets[$Cmdlet]
        if ($Fault -eq 'missingfields with known secrets') {
            Set-FaultStsScript -Sts $script:Fault -Faults @() -Default @{ fault = 'missingfields'; body = $script:KnownBody }
        }
        else { Set-FaultStsScript -Sts $script:Fault -Faults @() -Default $Fault }
        $call = New-SweepCall -Cmdlet $Cmdlet -Extra $(if ($Mode) { $info.FaultModes[$Mode] } else { @{} })
        $p = $call.Parameters
        if ($info.MaxAttempts) { $p[$info.MaxAttempts] = 2 }
        Set-TokenSource $Source $p
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        if ($Cmdlet -eq 'Test-GitlabOidcRole') {
            $sweep.Result.Error | Should -BeNullOrEmpty -Because 'Test-GitlabOidcRole reports a fault, it does not throw'
            $sweep.Result.Reported | Should -Not -BeNullOrEmpty
            $sweep.Places['the result (Format-List *)'] = $sweep.Result.Reported.Result | Format-List * -Force | Out-String -Width 4096
        }
        else {
            $sweep.Result.Error | Should -Not -BeNullOrEmpty
            $sweep.Places['$Error'] | Should -Not -BeNullOrEmpty -Because 'the error reached $Error'
        }
        @($sweep.Result.Streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0 -Because 'the verbose stream before the error was captured'
        if ($call.Aws) {
            @(Compare-FolderSnapshot $call.Before (Get-FolderSnapshot $call.Aws)) | Should -BeNullOrEmpty -Because 'a failed profile write changes no file'
            Add-FilePlace $sweep.Places $call.Aws
        }
        $secret = @{ Token = $script:Token } + $script:CannedSecrets
        $leaks = @(Test-Places $sweep.Places $secret "$Cmdlet $Mode, $Fault, token from $Source")
        $leaks | Should -BeNullOrEmpty
    }

    It '<Cmdlet>: <Name>, token from <Source>: a local failure leaks nothing and changes no file' -ForEach $localFailure {
        $call = New-SweepCall -Cmdlet $Cmdlet -Extra $Params -Prepare $(if ($Prepare) { $Prepare } else { @{} })
        $p = $call.Parameters
        Set-TokenSource $Source $p
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        $sweep.Result.Error | Should -Not -BeNullOrEmpty
        $sweep.Places['$Error'] | Should -Not -BeNullOrEmpty -Because 'the error reached $Error'
        if ($call.Aws) {
            @(Compare-FolderSnapshot $call.Before (Get-FolderSnapshot $call.Aws)) | Should -BeNullOrEmpty -Because 'a failed profile write changes no file'
            Add-FilePlace $sweep.Places $call.Aws
        }
        Get-FaultStsStats -Sts $script:Fault -Action AssumeRoleWithWebIdentity | Should -Be 0 -Because 'a local failure needs no STS request'
        $leaks = @(Test-Places $sweep.Places @{ Token = $script:Token } "$Cmdlet, $Name, token from $Source")
        $leaks | Should -BeNullOrEmpty
    }

    # Chained calls (-ChainRoleArn, two hops): every hop answers with secrets we know, so the web-identity and the
    # intermediate hop's keys are looked for everywhere (including the outputs and files that hold the last hop's), and
    # the last hop's wherever the user did not ask for them.
    It 'chained: <Name>, token from <Source>: leaks no hop''s keys' -ForEach @(
        @{ Name = 'Get -Object'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{}; Hop2 = 'ok'; Source = 'Environment' }
        @{ Name = 'Get -SetEnvironment'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{ SetEnvironment = $true }; Hop2 = 'ok'; Source = 'Variable' }
        @{ Name = 'Get -OutputFormat CredentialProcess'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{ OutputFormat = 'CredentialProcess' }; Hop2 = 'ok'; Source = 'File' }
        @{ Name = 'Set -Mode Credential'; Cmdlet = 'Set-GitlabAwsProfile'; Extra = @{ Mode = 'Credential' }; Hop2 = 'ok'; Source = 'Environment' }
        @{ Name = 'Test live'; Cmdlet = 'Test-GitlabOidcRole'; Extra = @{}; Hop2 = 'ok'; Source = 'Variable' }
        @{ Name = 'Get, second hop AccessDenied'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{}; Hop2 = 'AccessDenied'; Source = 'File' }
        @{ Name = 'Get, second hop throttled to the end'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{ MaxAttempts = 2 }; Hop2 = 'Throttling'; Source = 'Environment' }
        @{ Name = 'Get, second hop hangs'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{ MaxAttempts = 2 }; Hop2 = 'hang'; Source = 'Variable' }
        @{ Name = 'Set -Mode Credential, second hop AccessDenied'; Cmdlet = 'Set-GitlabAwsProfile'; Extra = @{ Mode = 'Credential' }; Hop2 = 'AccessDenied'; Source = 'File' }
        @{ Name = 'Test, second hop AccessDenied'; Cmdlet = 'Test-GitlabOidcRole'; Extra = @{}; Hop2 = 'AccessDenied'; Source = 'Environment' }
        @{ Name = 'Get -SetEnvironment, last hop in an account not allowed'; Cmdlet = 'Get-GitlabWebIdentityCredential'; Extra = @{ SetEnvironment = $true; AllowedAccountId = '777788889999' }; Hop2 = 'otheraccount'; Source = 'File' }
    ) {
        function New-HopBody([string] $Account, [string] $Role, [string] $Secret, [string] $Session) {
            "<AssumeRoleResponse xmlns=`"https://sts.amazonaws.com/doc/2011-06-15/`"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::${Account}:assumed-role/$Role/s</Arn><AssumedRoleId>AROAHOP:s</AssumedRoleId></AssumedRoleUser>" +
            "<Credentials><AccessKeyId>ASIAHOP$($Account.Substring(0, 6))01</AccessKeyId><SecretAccessKey>$Secret</SecretAccessKey><SessionToken>$Session</SessionToken><Expiration>$([DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ'))</Expiration></Credentials></AssumeRoleResult>" +
            "<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000002</RequestId></ResponseMetadata></AssumeRoleResponse>"
        }
        $hop = @{
            Hop1SecretKey = 'h1SECRETh1SECRETh1SECRET/hop1hop1hop1hop1'; Hop1SessionToken = 'FwoGHOP1SESSIONTOKENhop1hop1hop1hop1hop1hop1hop1hop1hop1hop1'
            Hop2SecretKey = 'h2SECRETh2SECRETh2SECRET/hop2hop2hop2hop2'; Hop2SessionToken = 'FwoGHOP2SESSIONTOKENhop2hop2hop2hop2hop2hop2hop2hop2hop2hop2'
        }
        $env:GITLABSTS_STS_TIMEOUT_SECONDS = '1'
        $second = switch ($Hop2) {
            'ok' { @{ fault = 'missingfields'; action = 'AssumeRole'; body = (New-HopBody '777788889999' 'deployer-2' $hop.Hop2SecretKey $hop.Hop2SessionToken) } }
            'otheraccount' { @{ fault = 'missingfields'; action = 'AssumeRole'; body = (New-HopBody '999999999999' 'deployer-2' $hop.Hop2SecretKey $hop.Hop2SessionToken) } }
            'hang' { @{ fault = 'hang'; action = 'AssumeRole'; seconds = 4; count = 2 } }
            default { @{ fault = $Hop2; action = 'AssumeRole'; count = 2 } }
        }
        Set-FaultStsScript -Sts $script:Fault -Faults @(
            @{ fault = 'missingfields'; action = 'AssumeRoleWithWebIdentity'; body = $script:FullBody }
            @{ fault = 'missingfields'; action = 'AssumeRole'; body = (New-HopBody '444455556666' 'deployer' $hop.Hop1SecretKey $hop.Hop1SessionToken) }
            $second
        )
        $call = New-SweepCall -Cmdlet $Cmdlet -Extra ($Extra + @{ ChainRoleArn = 'arn:aws:iam::444455556666:role/deployer', 'arn:aws:iam::777788889999:role/deployer-2' })
        $p = $call.Parameters
        Set-TokenSource $Source $p
        $sweep = Invoke-Sweep -Cmdlet $Cmdlet -Parameters $p
        $r = $sweep.Result
        (Get-FaultStsStats -Sts $script:Fault -Action AssumeRole) | Should -BeGreaterOrEqual 2 -Because 'both hops were requested'
        $intermediate = @{ Token = $script:Token; WebIdentitySecretKey = $script:FullSecrets.FullSecretKey; WebIdentitySessionToken = $script:FullSecrets.FullSessionToken; Hop1SecretKey = $hop.Hop1SecretKey; Hop1SessionToken = $hop.Hop1SessionToken }
        $all = $intermediate + @{ Hop2SecretKey = $hop.Hop2SecretKey; Hop2SessionToken = $hop.Hop2SessionToken }
        $places = $sweep.Places
        $outputs = [ordered]@{}
        if ($Hop2 -eq 'ok') {
            if ($Cmdlet -ne 'Test-GitlabOidcRole') { $r.Error | Should -BeNullOrEmpty }
            switch ($Name) {
                'Get -Object' {
                    $c = @($r.Output)[0]
                    $c.SecretAccessKey | Should -Be $hop.Hop2SecretKey
                    $places['the default views'] = @(($c | Out-String -Width 4096), ($c | Format-Table | Out-String -Width 4096), ($c | Format-List | Out-String -Width 4096), "$c") -join "`n"
                    $outputs['the object (ConvertTo-Json)'] = $c | ConvertTo-Json
                }
                'Get -SetEnvironment' { $env:AWS_SECRET_ACCESS_KEY | Should -Be $hop.Hop2SecretKey; $outputs['AWS_* variables'] = (Get-ChildItem Env:AWS_* | Out-String -Width 4096) }
                'Get -OutputFormat CredentialProcess' { ($r.Output[0] | ConvertFrom-Json).SecretAccessKey | Should -Be $hop.Hop2SecretKey; $outputs['the output line'] = $r.Output[0] }
                'Set -Mode Credential' {
                    $credentials = Join-Path $call.Aws 'credentials'
                    [IO.File]::ReadAllText($credentials) | Should -Match ([regex]::Escape($hop.Hop2SecretKey))
                    $outputs['the credentials file'] = [IO.File]::ReadAllText($credentials)
                    Add-FilePlace $places $call.Aws -Except @($credentials)
                }
                'Test live' {
                    $result = @($r.Output)[0]
                    "$(($result.Checks | Where-Object Name -eq 'Chain 2').Result)" | Should -Be 'Pass'
                    $places['the result (Format-List *)'] = $result | Format-List * -Force | Out-String -Width 4096
                    $places['the result (ConvertTo-Json)'] = $result | ConvertTo-Json -Depth 6
                }
            }
        }
        elseif ($Cmdlet -eq 'Test-GitlabOidcRole') {
            $r.Error | Should -BeNullOrEmpty -Because 'Test-GitlabOidcRole reports a failing hop'
            $r.Reported.ErrorCode | Should -Be 'AccessDenied'
            $places['the result (Format-List *)'] = $r.Reported.Result | Format-List * -Force | Out-String -Width 4096
        }
        else {
            $r.Error | Should -Not -BeNullOrEmpty
            $expected = @{ AccessDenied = 'GitlabSts.AccessDenied'; Throttling = 'GitlabSts.StsError'; hang = 'GitlabSts.NetworkError'; otheraccount = 'GitlabSts.AccountNotAllowed' }[$Hop2]
            $r.Error.FullyQualifiedErrorId | Should -BeLike "$expected*"
            if ($call.Aws) { @(Compare-FolderSnapshot $call.Before (Get-FolderSnapshot $call.Aws)) | Should -BeNullOrEmpty; Add-FilePlace $places $call.Aws }
            if ($Hop2 -eq 'otheraccount') { Test-Path Env:AWS_SECRET_ACCESS_KEY | Should -BeFalse }
        }
        @(Test-Places $places $all "chained: $Name, token from $Source") | Should -BeNullOrEmpty
        @(Test-Places $outputs $intermediate "chained: $Name (what the user asked for), token from $Source") | Should -BeNullOrEmpty
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

# An ID token typed where another value goes (a path, a profile name, a region, an endpoint in the environment) is
# refused with that parameter's error id and never echoed: not in the error, not in -WhatIf or -Verbose text. A path is
# checked after PowerShell resolved it against the current location (/tmp/x/eyJ...), when it no longer starts with eyJ.
# Each case runs in one fresh pwsh whose whole output (host, -WhatIf, every stream, the ErrorRecords) is searched.
Describe 'A token in the wrong parameter' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Moto = Start-MotoServer
        $script:Token = New-GitlabIdToken -Key (New-TestSigningKey) -Audience 'sts.amazonaws.com'
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-misplaced-$([guid]::NewGuid())") -Force
    }
    AfterAll {
        Stop-MotoServer -Server $script:Moto
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
    }

    It 'is refused without being echoed: <Name>' -ForEach @(
        @{ Name = 'Get -TokenFile'; Id = 'GitlabSts.TokenNotFound'; Call = 'Get-GitlabWebIdentityCredential -RoleArn $role -TokenFile $t' }
        @{ Name = 'Test -TrustPolicy'; Id = 'GitlabSts.InvalidPolicy'; Call = 'Test-GitlabOidcRole -RoleArn $role -WebIdentityToken $t -TrustPolicy $t -Offline' }
        @{ Name = 'Set -ConfigPath'; Id = 'GitlabSts.ProfileWriteFailed'; Call = 'Set-GitlabAwsProfile -RoleArn $role -WebIdentityToken $t -ConfigPath $t -CredentialsPath ./credentials -WhatIf -Verbose' }
        @{ Name = 'Set -CredentialsPath'; Id = 'GitlabSts.ProfileWriteFailed'; Call = 'Set-GitlabAwsProfile -RoleArn $role -WebIdentityToken $t -ConfigPath ./config -CredentialsPath "sub/$t" -WhatIf -Verbose' }
        @{ Name = 'Set -TokenFilePath'; Id = 'GitlabSts.ProfileWriteFailed'; Call = 'Set-GitlabAwsProfile -RoleArn $role -WebIdentityToken $t -ConfigPath ./config -CredentialsPath ./credentials -TokenFilePath $t -WhatIf -Verbose' }
        @{ Name = 'Set -ProfileName'; Id = 'GitlabSts.InvalidProfileName'; Call = 'Set-GitlabAwsProfile -RoleArn $role -WebIdentityToken $t -ProfileName $t -ConfigPath ./config -CredentialsPath ./credentials -WhatIf -Verbose' }
        @{ Name = 'Set -Mode CredentialProcess -TokenFile'; Id = 'GitlabSts.TokenNotFound'; Call = 'Set-GitlabAwsProfile -Mode CredentialProcess -RoleArn $role -TokenFile $t -ConfigPath ./config -CredentialsPath ./credentials -WhatIf -Verbose' }
        @{ Name = 'Set -Credential -Region'; Id = 'GitlabSts.InvalidRegion'; Call = '$c = Get-GitlabWebIdentityCredential -RoleArn $role -WebIdentityToken $t -EndpointUrl $env:T_MOTO; Set-GitlabAwsProfile -Credential $c -Region $t -ConfigPath ./config -CredentialsPath ./credentials -WhatIf -Verbose' }
        @{ Name = 'blank -EndpointUrl, token in AWS_ENDPOINT_URL_STS'; Id = 'GitlabSts.InvalidEndpoint'; Call = '$env:AWS_ENDPOINT_URL_STS = $t; Get-GitlabWebIdentityCredential -RoleArn $role -WebIdentityToken $t -EndpointUrl " "' }
    ) {
        $script = @'
Import-Module $env:T_MANIFEST
$ErrorActionPreference = 'Stop'
$t = $env:T_TOKEN; $role = 'arn:aws:iam::123456789012:role/gitlab-deployer'
try { Invoke-Expression $env:T_CALL *>&1 | Out-String -Width 4096 }
catch { 'ERRORID ' + $_.FullyQualifiedErrorId; $_ | Format-List * -Force | Out-String -Width 4096; $_.Exception.ToString(); $_.Exception.ParamName }
'@
        $r = Invoke-FreshPwsh -Script $script -WorkingDirectory $script:Work.FullName -Environment @{
            T_MANIFEST = $ModuleManifest; T_TOKEN = $script:Token; T_CALL = $Call; T_MOTO = $script:Moto.Url
        }
        $r.StdOut | Should -Match "ERRORID $([regex]::Escape($Id)),"
        $r.StdOut | Should -Not -Match 'What if:' -Because 'the check comes before -WhatIf describes the change'
        Assert-NoSecret -Text (($r.StdOut + $r.StdErr) -replace '\s', '') -Secret $script:Token -Where "the output of $Name"
        @(Get-ChildItem -LiteralPath $script:Work -Recurse -Force).Name | Should -BeNullOrEmpty -Because 'nothing was written'
    }
}
