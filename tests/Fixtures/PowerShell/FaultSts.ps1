# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): the fault-injecting STS (its catalog is ../data/faults.json): start, script, stats, stop.

function Get-FaultStsFault {
    <#
    .SYNOPSIS The fault catalog (../data/faults.json, its one home): every fault Set-FaultStsScript accepts.
    .OUTPUTS { Name; Answer (what the fault STS sends, for people); Status (HTTP status, $null when nothing is sent);
             Code; Type; Message (the STS ErrorResponse's, $null when it sends none or builds the message per request);
             Retry ([bool]); ErrorId; Category; ErrorMessage (regex) (what GitlabSts does when STS answers this every
             time, $null for pass); Note }, in catalog order.
    #>
    [CmdletBinding()]
    param()
    if (-not (Get-Variable -Scope Script -Name FaultCatalog -ErrorAction Ignore)) {
        $script:FaultCatalog = (Get-Content -LiteralPath (Join-Path $script:DataRoot 'faults.json') -Raw | ConvertFrom-Json).faults
    }
    foreach ($f in $script:FaultCatalog) {
        $sts = if ($f.PSObject.Properties['error']) { $f.error } else { $null }
        $expect = $f.expect
        [pscustomobject]@{
            PSTypeName   = 'GitlabSts.TestFault'
            Name         = $f.name
            Answer       = $f.answer
            Status       = $f.status
            Code         = $sts ? $sts.code : $null
            Type         = $sts ? $sts.type : $null
            Message      = $sts ? $sts.message : $null
            Retry        = $expect ? [bool]$expect.retry : $false
            ErrorId      = $expect ? $expect.errorId : $null
            Category     = $expect ? $expect.category : $null
            ErrorMessage = $expect ? $expect.message : $null
            Note         = $f.PSObject.Properties['note'] ? $f.note : $null
        }
    }
}

function Start-FaultSts {
    <#
    .SYNOPSIS A fault-injecting STS proxy in front of -Upstream (moto). Passes everything through until scripted.
    .OUTPUTS GitlabSts.TestFaultSts { Url; Port; Process; Upstream; LogFile }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $Upstream,
        [int] $TimeoutSeconds = 30,
        [int] $MaxLifetimeSeconds = 0
    )
    $f = Start-FixtureProcess -Name 'faultsts' -Script 'fault_sts.py' -Arguments @('--upstream', $Upstream.TrimEnd('/')) `
        -TimeoutSeconds $TimeoutSeconds -MaxLifetimeSeconds $MaxLifetimeSeconds
    [pscustomobject]@{
        PSTypeName = 'GitlabSts.TestFaultSts'
        Url        = "http://127.0.0.1:$($f.Port)"
        Port       = $f.Port
        Process    = $f.Process
        Upstream   = $Upstream.TrimEnd('/')
        LogFile    = $f.LogFile
        WorkDir    = $f.WorkDir
    }
}

function Set-FaultStsScript {
    <#
    .SYNOPSIS Replaces (or with -Append extends) the fault script. Each STS request consumes one entry.
    .PARAMETER Faults Names ('Throttling') or hashtables (@{ fault = 'hang'; seconds = 5 }; keys: fault, count,
               action, delay, message, status, seconds, omit, body, contentType; see fault_sts.py).
    .PARAMETER Default What requests get once the script is used up (default 'pass'; e.g. 'http503' for "always").
    .EXAMPLE Set-FaultStsScript -Sts $sts -Faults 'Throttling', 'Throttling', 'pass'
    .EXAMPLE Set-FaultStsScript -Sts $sts -Faults @{ fault = 'IDPCommunicationError'; count = 10 }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object] $Sts,
        [Parameter(Mandatory)][AllowEmptyCollection()][object[]] $Faults,
        [object] $Default,
        [switch] $Append
    )
    $entries = @(foreach ($f in $Faults) { if ($f -is [string]) { @{ fault = $f } } else { $f } })
    $body = [ordered]@{ script = $entries; append = [bool]$Append }
    if ($PSBoundParameters.ContainsKey('Default') -and $Default) { $body.default = if ($Default -is [string]) { @{ fault = $Default } } else { $Default } }
    $null = Invoke-FixtureControl -Method POST -Uri "$($Sts.Url)/__fault/script" -Body $body
}

function Get-FaultStsStats {
    <#
    .SYNOPSIS STS requests the fault STS received (control calls excluded).
    .OUTPUTS { Total; Actions (hashtable Action -> n); Faults (hashtable fault -> n); Remaining (script entries left);
             Requests (last 1000: n, action, fault, time) }, or with -Action just that action's count (0 if none).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Sts, [string] $Action)
    $r = Invoke-FixtureControl -Uri "$($Sts.Url)/__fault/stats"
    $actions = ConvertTo-FixtureHashtable $r.actions
    if ($Action) { return [int]($actions[$Action] ?? 0) }
    [pscustomobject]@{
        Total     = [int]$r.total
        Actions   = $actions
        Faults    = ConvertTo-FixtureHashtable $r.faults
        Remaining = [int]$r.remaining
        Requests  = @($r.requests)
    }
}

function Reset-FaultSts {
    <# .SYNOPSIS Clears the script, the default (back to pass) and the stats. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Sts)
    $null = Invoke-FixtureControl -Method POST -Uri "$($Sts.Url)/__fault/reset"
}

function Stop-FaultSts {
    <# .SYNOPSIS Stops the fault STS; idempotent. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowNull()][object] $Sts)
    process { if ($Sts) { Stop-FixtureProcess -Process $Sts.Process -WorkDir $Sts.WorkDir } }
}
