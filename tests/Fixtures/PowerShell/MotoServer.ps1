# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): moto (STS + IAM emulator): start, stop, reset, and unsigned STS requests.

function Start-MotoServer {
    <#
    .SYNOPSIS Starts moto (STS + IAM emulator) on 127.0.0.1; returns { Url; Port; Process; Shared; LogFile }.
    .DESCRIPTION
        If $env:GITLABSTS_TEST_MOTO_URL is set, returns that server (Shared = $true, Process = $null) and
        Stop-MotoServer leaves it alone. Otherwise runs moto_server.py (moto's own WSGI app, threaded, as
        `python3 -m moto.server -H 127.0.0.1 -p PORT` does) and waits until the port accepts (default 30 s);
        on failure the error includes moto's log.
    #>
    [CmdletBinding()]
    param(
        [int] $Port = 0,
        [int] $TimeoutSeconds = 30,
        [int] $MaxLifetimeSeconds = 0,
        [switch] $NoShared
    )
    if ($env:GITLABSTS_TEST_MOTO_URL -and -not $NoShared) {
        $url = $env:GITLABSTS_TEST_MOTO_URL.TrimEnd('/')
        return [pscustomobject]@{ PSTypeName = 'GitlabSts.TestMotoServer'; Url = $url; Port = ([uri]$url).Port
            Process = $null; Shared = $true; LogFile = $null; WorkDir = $null }
    }
    $f = Start-FixtureProcess -Name 'moto' -Script 'moto_server.py' -Arguments @('-H', '127.0.0.1', '--port', $Port) `
        -TimeoutSeconds $TimeoutSeconds -MaxLifetimeSeconds $MaxLifetimeSeconds
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (Test-TcpPortOpen $f.Port) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    [pscustomobject]@{ PSTypeName = 'GitlabSts.TestMotoServer'; Url = "http://127.0.0.1:$($f.Port)"; Port = $f.Port
        Process = $f.Process; Shared = $false; LogFile = $f.LogFile; WorkDir = $f.WorkDir }
}

function Stop-MotoServer {
    <# .SYNOPSIS Stops a moto started by Start-MotoServer (and its children). No-op for a shared one; idempotent. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowNull()][object] $Server)
    process {
        if (-not $Server -or $Server.Shared) { return }
        Stop-FixtureProcess -Process $Server.Process -WorkDir $Server.WorkDir
    }
}

function Reset-MotoServer {
    <# .SYNOPSIS POST /moto-api/reset: forget every IAM role, OIDC provider, credential... (test isolation). #>
    [CmdletBinding(DefaultParameterSetName = 'Url')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Url', Position = 0)][string] $Url,
        [Parameter(Mandatory, ParameterSetName = 'Server', ValueFromPipeline)][object] $Server
    )
    process {
        if ($Server) { $Url = $Server.Url }
        $null = Invoke-FixtureControl -Method POST -Uri ($Url.TrimEnd('/') + '/moto-api/reset')
    }
}

function Invoke-TestStsRequest {
    <#
    .SYNOPSIS An unsigned STS Query API call (form POST, Version 2011-06-15); never throws on HTTP errors.
    .OUTPUTS { StatusCode; Content; Xml (or $null if not XML); Headers }. Network failures throw.
    .EXAMPLE Invoke-TestStsRequest -Url $moto.Url -Parameters @{ RoleArn = $arn; RoleSessionName = 's'; WebIdentityToken = $t }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $Url,
        [string] $Action = 'AssumeRoleWithWebIdentity',
        [System.Collections.IDictionary] $Parameters = @{},
        [int] $TimeoutSec = 30
    )
    $pairs = [System.Collections.Generic.List[string]]::new()
    $pairs.Add("Action=$([uri]::EscapeDataString($Action))")
    $pairs.Add('Version=2011-06-15')
    foreach ($k in $Parameters.Keys) { $pairs.Add("$([uri]::EscapeDataString([string]$k))=$([uri]::EscapeDataString([string]$Parameters[$k]))") }
    $r = Invoke-WebRequest -Method POST -Uri ($Url.TrimEnd('/') + '/') -Body ($pairs -join '&') `
        -ContentType 'application/x-www-form-urlencoded; charset=utf-8' -NoProxy -SkipHttpErrorCheck -TimeoutSec $TimeoutSec
    $content = if ($r.Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($r.Content) } else { [string]$r.Content }
    $xml = $null
    try { if ($content) { $xml = [xml]$content } } catch { $xml = $null }
    [pscustomobject]@{ StatusCode = [int]$r.StatusCode; Content = $content; Xml = $xml; Headers = $r.Headers }
}
