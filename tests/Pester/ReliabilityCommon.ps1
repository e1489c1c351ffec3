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
        # @{ Name = 'Set-GitlabAwsProfile'; Base = @{ ...; ConfigPath = '@tempconfig' }; MaxAttempts = $null; Modes = @{ WebIdentity = @{}; Credential = ...; CredentialProcess = ... } }
        # @{ Name = 'Test-GitlabOidcRole';  Base = @{ ... }; MaxAttempts = $null; Modes = @{ Online = @{}; Offline = @{ Offline = $true } } }
    )
}

# Runs one cmdlet call with the given parameters; never throws. Captures all six streams (*>&1).
function Invoke-ReliabilityCall {
    param([Parameter(Mandatory)] [string] $Cmdlet, [hashtable] $Parameters = @{}, [switch] $NoCapture)
    $err = $null
    # Collected as they arrive: a terminating error must not lose the records written before it.
    $list = [Collections.Generic.List[object]]::new()
    try {
        switch ($Cmdlet) {
            'Get-GitlabWebIdentityCredential' {
                if ($NoCapture) { Get-GitlabWebIdentityCredential @Parameters | ForEach-Object { $list.Add($_) } }
                else { Get-GitlabWebIdentityCredential @Parameters *>&1 | ForEach-Object { $list.Add($_) } }
            }
            default { throw "Invoke-ReliabilityCall does not know how to call $Cmdlet yet." }
        }
    }
    catch { $err = $_ }
    $all = @($list)
    $streams = @($all | Where-Object { $_ -is [System.Management.Automation.InformationalRecord] -or $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.InformationRecord] })
    $output = @($all | Where-Object { -not ($_ -is [System.Management.Automation.InformationalRecord] -or $_ -is [System.Management.Automation.ErrorRecord] -or $_ -is [System.Management.Automation.InformationRecord]) })
    [pscustomobject]@{ Output = $output; Error = $err; Streams = $streams; All = $all }
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
