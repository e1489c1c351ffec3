# Dot-sourced by the Reliability.*.Tests.ps1 files (after Common.ps1): the per-cmdlet invocation table, case
# placeholders, a leak finder that counts instead of throwing, and the summary lines build.ps1 prints.
#
# Extending the suite to another cmdlet (Set-GitlabAwsProfile, Test-GitlabOidcRole): add an entry to
# Get-ReliabilityCmdlet below. Every shared-parameter case of the bad-input matrix and every fault of the fault
# matrix then runs against it too; cmdlet-specific cases go in the entry's ExtraCases. An entry's Invoke turns one
# call into an outcome { Output; Error; Streams }, so a cmdlet that reports instead of throwing (Test-GitlabOidcRole)
# can map its result (ErrorCode, Message) onto the same shape.

# The cmdlets under test. Names only here (usable at discovery time); Invoke-ReliabilityCall knows how to call each.
function Get-ReliabilityCmdlet {
    @(
        @{
            Name         = 'Get-GitlabWebIdentityCredential'
            # Parameters every call gets unless the case sets them (the endpoint is added by the caller).
            Base         = @{ RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer' }
            # Parameter name of the retry limit, or $null when the cmdlet has none.
            MaxAttempts  = 'MaxAttempts'
            # Output modes for the secret-leak sweep: extra parameters per mode.
            Modes        = @{ Object = @{}; SetEnvironment = @{ SetEnvironment = $true }; CredentialProcess = @{ OutputFormat = 'CredentialProcess' } }
            ExtraCases   = @(
                @{ Area = 'attempts'; Name = '-MaxAttempts 0 (PowerShell''s binder rejects it)'; Params = @{ MaxAttempts = 0 }; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Fix = 'less than the minimum allowed range of 1' }
                @{ Area = 'attempts'; Name = '-MaxAttempts 21'; Params = @{ MaxAttempts = 21 }; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Fix = 'greater than the maximum allowed range of 20' }
                @{ Area = 'output'; Name = '-OutputFormat Yaml'; Params = @{ OutputFormat = 'Yaml' }; Id = 'CannotConvertArgumentNoMessage'; Category = 'InvalidArgument'; Fix = 'Object|CredentialProcess' }
            )
        }
        @{
            Name         = 'Set-GitlabAwsProfile'
            # '@aws/<relative path>' is a path in the case's own AWS folder (New-ReliabilityAwsFolder), made at run time.
            Base         = @{ RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer'; ProfileName = 'reliability'; ConfigPath = '@aws/config'; CredentialsPath = '@aws/credentials' }
            MaxAttempts  = $null
            # No -MaxAttempts: its exchange (-Mode Credential) makes the default 5 attempts.
            DefaultAttempts = 5
            # Every case snapshots the AWS folder and asserts no file changed (no token, lock or temp file either).
            AwsFolder    = $true
            # The fault matrix runs the modes that call STS.
            FaultModes   = @{ Credential = @{ Mode = 'Credential' } }
            Modes        = @{
                WebIdentity       = @{ Mode = 'WebIdentity' }
                Credential        = @{ Mode = 'Credential' }
                CredentialProcess = @{ Mode = 'CredentialProcess' }
                'WebIdentity -WhatIf' = @{ Mode = 'WebIdentity'; WhatIf = $true }
                'Credential -WhatIf'  = @{ Mode = 'Credential'; WhatIf = $true }
            }
            # Shared cases this cmdlet answers differently: -MaxAttempts does not exist, and only -Mode Credential calls STS.
            Overrides    = @{
                'endpoint on an unreachable port' = @{ Params = @{ EndpointUrl = '@freeport'; Mode = 'Credential' }; Fix = 'after 5 attempts.*Check the runner''s network' }
            }
            ExtraCases   = @(
                # Profile paths. Tests run as root: chmod does not stop root, so 'read-only' is an immutable folder
                # (chattr +i), which stops root too (falls back to chmod 0555 for other users).
                foreach ($mode in 'WebIdentity', 'Credential', 'CredentialProcess') {
                    @{ Area = 'profile path'; Name = "-Mode $mode, config path is a directory"; Params = @{ Mode = $mode; ConfigPath = '@aws/config.d' }; Prepare = @{ Dirs = @('config.d') }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'a folder exists at that path.*-ConfigPath or AWS_CONFIG_FILE' }
                    @{ Area = 'profile path'; Name = "-Mode $mode, config path below a regular file"; Params = @{ Mode = $mode; ConfigPath = '@aws/regular/config' }; Prepare = @{ Files = @('regular') }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'is a file, not a folder.*-ConfigPath or AWS_CONFIG_FILE' }
                    @{ Area = 'profile path'; Name = "-Mode $mode, config and credentials in a read-only folder"; Params = @{ Mode = $mode; ConfigPath = '@aws/ro/config'; CredentialsPath = '@aws/ro/credentials' }; Prepare = @{ ReadOnly = 'ro' }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'permission denied.*writable by the current user' }
                }
                @{ Area = 'profile path'; Name = '-Mode Credential, credentials path is a directory'; Params = @{ Mode = 'Credential'; CredentialsPath = '@aws/credentials.d' }; Prepare = @{ Dirs = @('credentials.d') }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'a folder exists at that path.*-CredentialsPath or AWS_SHARED_CREDENTIALS_FILE' }
                @{ Area = 'profile path'; Name = 'read-only config folder, -TokenFilePath in a writable one'; Params = @{ ConfigPath = '@aws/ro/config'; CredentialsPath = '@aws/ro/credentials'; TokenFilePath = '@aws/token.jwt' }; Prepare = @{ ReadOnly = 'ro' }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'AWS config file.*permission denied.*writable by the current user' }
                @{ Area = 'profile path'; Name = 'config path is a directory, -TokenFilePath in a writable folder'; Params = @{ ConfigPath = '@aws/config.d'; TokenFilePath = '@aws/token.jwt' }; Prepare = @{ Dirs = @('config.d') }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'a folder exists at that path' }
                @{ Area = 'profile path'; Name = '-TokenFilePath is a directory'; Params = @{ TokenFilePath = '@aws/tokens.d' }; Prepare = @{ Dirs = @('tokens.d') }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'WriteError'; Fix = 'web identity token file.*a folder exists at that path.*-TokenFilePath' }
                @{ Area = 'profile path'; Name = '-TokenFilePath is the config file'; Params = @{ TokenFilePath = '@aws/config' }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'InvalidArgument'; Fix = 'must differ from the config and credentials files' }
                # Profile names.
                foreach ($n in @(@{ N = ']'; Label = ']' }, @{ N = "a`nb"; Label = 'with a newline' }, @{ N = ' leading'; Label = 'with a leading space' }, @{ N = ''; Label = 'empty' })) {
                    @{ Area = 'profile name'; Name = "profile name $($n.Label)"; Params = @{ ProfileName = $n.N }; Id = 'GitlabSts.InvalidProfileName'; Category = 'InvalidArgument'; Fix = "Pass -ProfileName with a name such as 'oidc'" }
                }
                @{ Area = 'profile name'; Name = '-Mode Credential, profile name ]'; Params = @{ Mode = 'Credential'; ProfileName = ']' }; Id = 'GitlabSts.InvalidProfileName'; Category = 'InvalidArgument'; Fix = "Pass -ProfileName with a name such as 'oidc'" }
                @{ Area = 'profile name'; Name = '-Mode CredentialProcess, profile name with a newline'; Params = @{ Mode = 'CredentialProcess'; ProfileName = "x`n[default]" }; Id = 'GitlabSts.InvalidProfileName'; Category = 'InvalidArgument'; Fix = "Pass -ProfileName with a name such as 'oidc'" }
                # Modes.
                @{ Area = 'mode'; Name = '-Mode CredentialProcess with -WebIdentityToken'; Params = @{ Mode = 'CredentialProcess'; WebIdentityToken = '@token' }; Id = 'GitlabSts.ProfileWriteFailed'; Category = 'InvalidArgument'; Fix = 'use -TokenVariable or -TokenFile' }
                @{ Area = 'mode'; Name = '-Mode Keys (PowerShell''s binder rejects it)'; Params = @{ Mode = 'Keys' }; Id = 'ParameterArgumentValidationError'; Category = 'InvalidData'; Fix = 'WebIdentity.*Credential.*CredentialProcess' }
            )
        }
        @{
            Name         = 'Test-GitlabOidcRole'
            Base         = @{ RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer' }
            MaxAttempts  = $null
            DefaultAttempts = 5
            FaultModes   = @{ Live = @{} }
            Modes        = @{
                Pass          = @{}
                Offline       = @{ Offline = $true }
                FailingPolicy = @{ TrustPolicy = '@failingpolicy' }
                Quiet         = @{ Quiet = $true }
            }
            # Never throws for a role that cannot be assumed: a bad token or a failing policy is a reported result
            # (Success false, ErrorCode, Message); only an invalid invocation throws. Shared cases it reports, by name:
            # the expected ErrorCode.
            Reported     = @{
                'token Expired'                   = '^TokenExpired$'
                'token NotYetValid'               = '^TokenNotYetValid$'
                'token file that is empty'        = '^MalformedToken$'
                'token file of 1 MiB'             = '^MalformedToken$'
                '-TokenVariable holding a two-part token' = '^MalformedToken$'
                'endpoint on an unreachable port' = '^ConnectionError$'
                '-Audience the token was not issued for' = '^AudienceMismatch$'
            }
            ReportedById = @{ 'GitlabSts.MalformedToken' = '^MalformedToken$' }
            Overrides    = @{
                'endpoint on an unreachable port' = @{ Params = @{ EndpointUrl = '@freeport' }; Fix = 'after 5 attempts.*Check the runner''s network' }
            }
            ExtraCases   = @(
                @{ Area = 'trust policy'; Name = '-TrustPolicy file that does not exist'; Params = @{ TrustPolicy = '@missingfile' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'ObjectNotFound'; Fix = 'neither JSON nor a readable file.*Pass the trust policy JSON, or the path' }
                @{ Area = 'trust policy'; Name = '-TrustPolicy that is a directory'; Params = @{ TrustPolicy = '@dir' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'InvalidArgument'; Fix = 'is a folder, not a file\. Pass the path of a file' }
                @{ Area = 'trust policy'; Name = '-TrustPolicy below a regular file'; Params = @{ TrustPolicy = '@notdir' }; Id = 'GitlabSts.InvalidPolicy'; Category = 'ObjectNotFound'; Fix = 'neither JSON nor a readable file' }
                @{ Area = 'trust policy'; Name = '-TrustPolicy JSON that does not parse (reported)'; Params = @{ TrustPolicy = '{"Version": bad'; Offline = $true }; Id = 'GitlabSts.InvalidPolicy'; Report = '^InvalidTrustPolicy$'; Category = 'InvalidArgument'; Fix = 'not valid JSON' }
                @{ Area = 'trust policy'; Name = 'trust policy whose sub condition fails (reported)'; Params = @{ TrustPolicy = '@failingpolicy'; Offline = $true }; Id = 'GitlabSts.AccessDenied'; Report = '.+'; Category = 'InvalidArgument'; Fix = 'sub|project_path:other/project' }
                @{ Area = 'trust policy'; Name = 'expired token, -Offline (reported)'; Params = @{ WebIdentityToken = '@malformed:Expired'; Offline = $true }; Id = 'GitlabSts.TokenExpired'; Report = '^TokenExpired$'; Category = 'InvalidData'; Fix = 'expired at \d{4}-' }
                @{ Area = 'trust policy'; Name = 'two-part token, -Offline (reported)'; Params = @{ WebIdentityToken = '@malformed:TwoParts'; Offline = $true }; Id = 'GitlabSts.MalformedToken'; Report = '^MalformedToken$'; Category = 'InvalidData'; Fix = 'whole token' }
            )
        }
    )
}

# A trust policy the default test token (gitlab.com template, project path of the template) cannot satisfy.
function Get-FailingTrustPolicy {
    @{
        Version   = '2012-10-17'
        Statement = @(@{
                Effect    = 'Allow'
                Principal = @{ Federated = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' }
                Action    = 'sts:AssumeRoleWithWebIdentity'
                Condition = @{ StringLike = @{ 'gitlab.com:sub' = 'project_path:other/project:ref_type:branch:ref:main' } }
            })
    } | ConvertTo-Json -Depth 8 -Compress
}

# A fresh AWS folder for one case: a config and a credentials file that already hold other profiles and the profile
# under test (so a changed, added or removed byte anywhere shows). Prepare: @{ Dirs; Files; ReadOnly = 'sub' } adds
# folders, regular files, or a read-only copy of both files in a sub-folder. Returns the folder's path.
function New-ReliabilityAwsFolder {
    param([Parameter(Mandatory)] [string] $Root, [hashtable] $Prepare = @{})
    $aws = (New-Item -ItemType Directory -Path (Join-Path $Root "aws-$([guid]::NewGuid().ToString('N').Substring(0, 12))") -Force).FullName
    $config = "# keep this comment`n[default]`nregion = eu-west-1`n`n[profile reliability]`nrole_arn = arn:aws:iam::123456789012:role/previous`nweb_identity_token_file = /previous/token`n`n[profile other]`noutput = json`n"
    $credentials = "[reliability]`naws_access_key_id = AKIAPREVIOUSEXAMPLE1`naws_secret_access_key = previous-secret`n`n[other]`naws_access_key_id = AKIAOTHEREXAMPLE0001`naws_secret_access_key = other-secret`n"
    [IO.File]::WriteAllText((Join-Path $aws 'config'), $config)
    [IO.File]::WriteAllText((Join-Path $aws 'credentials'), $credentials)
    foreach ($d in @($Prepare.Dirs)) { if ($d) { $null = New-Item -ItemType Directory -Path (Join-Path $aws $d) -Force } }
    foreach ($f in @($Prepare.Files)) { if ($f) { [IO.File]::WriteAllText((Join-Path $aws $f), 'a regular file') } }
    if ($Prepare.ReadOnly) {
        $ro = (New-Item -ItemType Directory -Path (Join-Path $aws $Prepare.ReadOnly)).FullName
        [IO.File]::WriteAllText((Join-Path $ro 'config'), $config)
        [IO.File]::WriteAllText((Join-Path $ro 'credentials'), $credentials)
        Set-ReliabilityReadOnly -Path $ro
    }
    $aws
}

# Makes a folder read-only for the current user, root included: chattr +i as root (chmod does not stop root), else
# chmod 0555. Throws when it did not work (a case must not pass because nothing was read-only).
function Set-ReliabilityReadOnly([string] $Path) {
    $isRoot = (& id -u) -eq '0'
    if ($isRoot) { & chattr +i $Path 2>&1 | Out-Null } else { & chmod 0555 $Path }
    $probe = Join-Path $Path ".probe-$([guid]::NewGuid())"
    try { [IO.File]::WriteAllText($probe, 'x'); Remove-Item -LiteralPath $probe -Force; throw "Could not make '$Path' read-only (root: $isRoot)." }
    catch [System.UnauthorizedAccessException], [System.IO.IOException] { }
}

# Undoes Set-ReliabilityReadOnly for every folder below Root (before removing it).
function Clear-ReliabilityReadOnly([string] $Root) {
    if (-not (Test-Path -LiteralPath $Root)) { return }
    $isRoot = (& id -u) -eq '0'
    foreach ($d in @(Get-Item -LiteralPath $Root) + @(Get-ChildItem -LiteralPath $Root -Recurse -Directory -Force)) {
        if ($isRoot) { & chattr -i $d.FullName 2>&1 | Out-Null } else { & chmod 0755 $d.FullName }
    }
}

# Every file and folder below Path: relative name -> SHA-256 of the content ('<dir>' for folders).
function Get-FolderSnapshot([string] $Path) {
    $snapshot = @{}
    foreach ($item in Get-ChildItem -LiteralPath $Path -Recurse -Force) {
        $rel = [IO.Path]::GetRelativePath($Path, $item.FullName)
        $snapshot[$rel] = if ($item.PSIsContainer) { '<dir>' } else { (Get-FileHash -LiteralPath $item.FullName -Algorithm SHA256).Hash }
    }
    $snapshot
}

# What differs between two snapshots, one line per file: added, removed, changed.
function Compare-FolderSnapshot([hashtable] $Before, [hashtable] $After) {
    foreach ($k in $After.Keys | Sort-Object) {
        if (-not $Before.ContainsKey($k)) { "added: $k" } elseif ($Before[$k] -ne $After[$k]) { "changed: $k" }
    }
    foreach ($k in $Before.Keys | Sort-Object) { if (-not $After.ContainsKey($k)) { "removed: $k" } }
}

# Replaces '@aws/<relative path>' values of a parameter table with paths in the AWS folder.
function Expand-AwsPath([hashtable] $Parameters, [string] $AwsFolder) {
    foreach ($k in @($Parameters.Keys)) {
        $v = $Parameters[$k]
        if ($v -is [string] -and $v.StartsWith('@aws/')) { $Parameters[$k] = Join-Path $AwsFolder $v.Substring(5) }
    }
    $Parameters
}

# Runs one cmdlet call with the given parameters; never throws. Captures all six streams (*>&1).
function Invoke-ReliabilityCall {
    param([Parameter(Mandatory)] [string] $Cmdlet, [hashtable] $Parameters = @{}, [switch] $NoCapture)
    $err = $null
    $callErrors = $null
    # Collected as they arrive: a terminating error must not lose the records written before it.
    $list = [Collections.Generic.List[object]]::new()
    try {
        switch ($Cmdlet) {
            'Get-GitlabWebIdentityCredential' {
                if ($NoCapture) { Get-GitlabWebIdentityCredential @Parameters -ErrorVariable callErrors | ForEach-Object { $list.Add($_) } }
                else { Get-GitlabWebIdentityCredential @Parameters -ErrorVariable callErrors *>&1 | ForEach-Object { $list.Add($_) } }
            }
            'Set-GitlabAwsProfile' {
                if ($NoCapture) { Set-GitlabAwsProfile @Parameters -ErrorVariable callErrors | ForEach-Object { $list.Add($_) } }
                else { Set-GitlabAwsProfile @Parameters -ErrorVariable callErrors *>&1 | ForEach-Object { $list.Add($_) } }
            }
            'Test-GitlabOidcRole' {
                if ($NoCapture) { Test-GitlabOidcRole @Parameters -ErrorVariable callErrors | ForEach-Object { $list.Add($_) } }
                else { Test-GitlabOidcRole @Parameters -ErrorVariable callErrors *>&1 | ForEach-Object { $list.Add($_) } }
            }
            default { throw "Invoke-ReliabilityCall does not know how to call $Cmdlet yet." }
        }
    }
    catch { $err = $_ }
    # An error that concerns the one input is non-terminating (WriteError): it is the call's error all the same.
    if (-not $err -and $callErrors) { $err = @($callErrors)[0] }
    $all = @($list)
    $streams = @($all | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] -or $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.InformationRecord] })
    $output = @($all | Where-Object { -not ($_ -is [System.Management.Automation.InformationalRecord] -or $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.InformationRecord]) })
    # Test-GitlabOidcRole reports instead of throwing: its failed result, as { ErrorCode; Message; Hint; Result }.
    $reported = $null
    $result = @($output | Where-Object { $_ -is [GitlabSts.OidcRoleTestResult] }) | Select-Object -First 1
    if ($result -and -not $result.Success) { $reported = [pscustomobject]@{ ErrorCode = $result.ErrorCode; Message = $result.Message; Hint = $result.Hint; Result = $result } }
    [pscustomobject]@{ Output = $output; Error = $err; Streams = $streams; All = $all; Reported = $reported }
}

# Appends lines to the summary file build.ps1 prints ($env:GITLABSTS_TEST_SUMMARY); nothing when it is unset.
function Add-ReliabilitySummary([string[]] $Line) {
    if (-not $env:GITLABSTS_TEST_SUMMARY) { return }
    $dir = Split-Path -Parent $env:GITLABSTS_TEST_SUMMARY
    if ($dir -and -not (Test-Path $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }
    Add-Content -Path $env:GITLABSTS_TEST_SUMMARY -Value $Line -Encoding utf8
}

# Like Assert-NoSecret, but returns a description of every secret (or JWT part of 16+ characters) found, instead of
# throwing at the first: the sweep counts leaks.
function Find-Secret {
    param([AllowEmptyString()] [string] $Text, [hashtable] $Secret, [string] $Where)
    if (-not $Text) { return }
    foreach ($name in $Secret.Keys) {
        $s = $Secret[$name]
        if (-not $s -or $s.Length -lt 8) { continue }
        $parts = @($s) + @($s.Split('.') | Where-Object Length -ge 16)
        foreach ($p in $parts) {
            if ($Text.Contains($p)) { "$name ($($p.Substring(0, 6))…) in $Where"; break }
        }
    }
}

# Everything an ErrorRecord can show: message, details, target, category, the full exception chain, invocation info,
# and the host's own renderings. Tokens in the sweep come from the environment, -TokenVariable or -TokenFile, so
# InvocationInfo.Line (the command line as typed) is fair game too.
function Get-ErrorRecordText([System.Management.Automation.ErrorRecord] $Record) {
    if (-not $Record) { return '' }
    $parts = @(
        $Record.Exception.Message
        $Record.Exception.ToString()
        "$($Record.ErrorDetails)"
        "$($Record.ErrorDetails.Message) $($Record.ErrorDetails.RecommendedAction)"
        "$($Record.TargetObject)"
        ($Record.TargetObject | Out-String -Width 4096)
        "$($Record.CategoryInfo)"
        $Record.FullyQualifiedErrorId
        $Record.ScriptStackTrace
        ($Record.InvocationInfo | Format-List * -Force | Out-String -Width 4096)
        ($Record | Out-String -Width 4096)
        ($Record | Format-List * -Force | Out-String -Width 4096)
        ($Record.Exception | Format-List * -Force | Out-String -Width 4096)
    )
    for ($e = $Record.Exception.InnerException; $e; $e = $e.InnerException) { $parts += $e.ToString(); $parts += ($e | Format-List * -Force | Out-String -Width 4096) }
    $parts -join "`n"
}
