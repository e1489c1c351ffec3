#Requires -Version 7.2
<#
.SYNOPSIS
    Test fixtures for GitlabSts: a moto server controller, a GitLab-shaped ID token minter, a local OIDC
    issuer and a fault-injecting STS. Loopback only; every server dies with this PowerShell process.

.DESCRIPTION
    Servers (Python 3.11 standard library + the machine's moto) live next to this file:
      moto_server.py   moto's WSGI app (as `python3 -m moto.server`) with the watchdogs below
      oidc_issuer.py   GitLab-like discovery + JWKS (see its docstring for control endpoints)
      fault_sts.py     scripted STS faults in front of moto (see its docstring for the fault list)
    Each binds 127.0.0.1 on a port the kernel picks, writes that port to a ready file, logs to a file
    (never the console), and exits when its stdin closes (we hold the write end: parent death closes
    it), or after -MaxLifetimeSeconds (default 1800, or $env:GITLABSTS_FIXTURE_MAX_LIFETIME).

    Environment:
      GITLABSTS_TEST_MOTO_URL   Start-MotoServer returns this (shared) server instead of starting one
      GITLABSTS_TEST_PYTHON     Python interpreter to use (default: python3, else python)
#>
Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$script:FixtureRoot = $PSScriptRoot
$script:DataRoot = Join-Path $PSScriptRoot 'data'
# Servers started in this process. Kept in AppDomain data, not module state, so that a later
# `Import-Module -Force` of this file (each test file does one) neither forgets nor stops them.
$script:Started = [AppDomain]::CurrentDomain.GetData('GitlabSts.TestFixtures.Started')
if ($null -eq $script:Started) {
    $script:Started = [System.Collections.Generic.List[object]]::new()
    [AppDomain]::CurrentDomain.SetData('GitlabSts.TestFixtures.Started', $script:Started)
}
$script:TemplateCache = @{}

#region helpers ---------------------------------------------------------------------------------------

function ConvertTo-Base64Url {
    <# .SYNOPSIS Base64url (RFC 4648 §5, no padding) of bytes or of a string's UTF-8 bytes. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowEmptyString()][object] $InputObject)
    process {
        $bytes = if ($InputObject -is [byte[]]) { $InputObject } else { [Text.Encoding]::UTF8.GetBytes([string]$InputObject) }
        [Convert]::ToBase64String($bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
    }
}

function ConvertFrom-Base64Url {
    <# .SYNOPSIS Bytes of a base64url string (padding optional). Throws on invalid input. #>
    [CmdletBinding()]
    [OutputType([byte[]])]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowEmptyString()][string] $InputObject)
    process {
        $s = $InputObject.Replace('-', '+').Replace('_', '/')
        switch ($s.Length % 4) { 2 { $s += '==' } 3 { $s += '=' } 1 { throw "Invalid base64url length: $($InputObject.Length)" } }
        , [Convert]::FromBase64String($s)
    }
}

function Get-FixturePython {
    if ($env:GITLABSTS_TEST_PYTHON) { return $env:GITLABSTS_TEST_PYTHON }
    foreach ($name in 'python3', 'python') {
        $cmd = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($cmd) { return $cmd.Source }
    }
    throw 'GitlabSts fixtures: no python3 found (set $env:GITLABSTS_TEST_PYTHON).'
}

function Get-FixtureMaxLifetime([int] $Requested) {
    if ($Requested -gt 0) { return $Requested }
    if ($env:GITLABSTS_FIXTURE_MAX_LIFETIME) { return [int]$env:GITLABSTS_FIXTURE_MAX_LIFETIME }
    return 1800
}

function Get-FreeTcpPort {
    <#
    .SYNOPSIS Returns a TCP port that is free on 127.0.0.1 right now (bind to port 0, read it, release it).
    .NOTES The servers below bind port 0 themselves (no race); this is for callers that need a port number,
           e.g. an "unreachable endpoint" test (nothing listens there).
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    try {
        $listener.Start()
        return ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port
    }
    finally { $listener.Stop() }
}

function Test-TcpPortOpen([int] $Port, [int] $TimeoutMs = 250) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try {
        $task = $client.ConnectAsync([System.Net.IPAddress]::Loopback, $Port)
        return ($task.Wait($TimeoutMs) -and $client.Connected)
    }
    catch { return $false }
    finally { $client.Dispose() }
}

function Start-FixtureProcess {
    # Starts one of the Python servers; returns @{ Process; Port; LogFile; WorkDir } once it listens.
    param(
        [Parameter(Mandatory)][string] $Name,
        [Parameter(Mandatory)][string] $Script,
        [string[]] $Arguments = @(),
        [int] $TimeoutSeconds = 30,
        [int] $MaxLifetimeSeconds = 0,
        [string] $WorkDir
    )
    if (-not $WorkDir) {
        $WorkDir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
        $null = New-Item -ItemType Directory -Path $WorkDir -Force
    }
    $ready = Join-Path $WorkDir 'ready'
    $log = Join-Path $WorkDir 'server.log'

    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-FixturePython))
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true     # our end of this pipe is the server's lifeline
    $psi.RedirectStandardOutput = $false   # the server writes to its log file, never to our console
    $psi.RedirectStandardError = $false
    $psi.WorkingDirectory = $WorkDir
    $psi.Environment['PYTHONDONTWRITEBYTECODE'] = '1'
    $psi.Environment['PYTHONUNBUFFERED'] = '1'
    foreach ($a in @('-u', (Join-Path $script:FixtureRoot $Script)) + $Arguments +
        @('--ready-file', $ready, '--log-file', $log, '--cleanup-dir', $WorkDir,
            '--max-lifetime', [string](Get-FixtureMaxLifetime $MaxLifetimeSeconds))) {
        $psi.ArgumentList.Add([string]$a)
    }

    $proc = [System.Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $port = 0
    while ([DateTime]::UtcNow -lt $deadline) {
        if (Test-Path -LiteralPath $ready) {
            $text = (Get-Content -LiteralPath $ready -Raw -ErrorAction SilentlyContinue)
            if ($text -and [int]::TryParse($text.Trim(), [ref]$port) -and $port -gt 0) { break }
        }
        if ($proc.HasExited) { break }
        Start-Sleep -Milliseconds 50
    }
    if ($port -le 0 -or $proc.HasExited) {
        $why = if ($proc.HasExited) { "exited with code $($proc.ExitCode)" } else { "not listening after $TimeoutSeconds s" }
        $logText = if (Test-Path -LiteralPath $log) { (Get-Content -LiteralPath $log -Raw) } else { '(no log)' }
        Stop-FixtureProcess -Process $proc
        throw "GitlabSts fixture '$Name' failed to start: $why. Server log ($log):`n$logText"
    }
    $info = [pscustomobject]@{ Name = $Name; Process = $proc; Port = $port; LogFile = $log; WorkDir = $WorkDir }
    $script:Started.Add($info)
    return $info
}

function Stop-FixtureProcess {
    param([System.Diagnostics.Process] $Process, [string] $WorkDir, [int] $GraceMs = 3000)
    if ($Process) {
        try {
            if (-not $Process.HasExited) {
                try { $Process.StandardInput.Close() } catch { }   # the polite way: server sees EOF and exits
                if (-not $Process.WaitForExit($GraceMs)) { $Process.Kill($true); $null = $Process.WaitForExit(5000) }
            }
        }
        catch [System.InvalidOperationException] { }   # never started / already disposed
    }
    for ($i = $script:Started.Count - 1; $i -ge 0; $i--) {
        if ($script:Started[$i].Process -eq $Process) { $script:Started.RemoveAt($i) }
    }
    if ($WorkDir -and (Test-Path -LiteralPath $WorkDir)) {
        Remove-Item -LiteralPath $WorkDir -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-FixtureControl {
    # JSON call to a fixture's control endpoint; loopback, never through a proxy.
    param([string] $Method = 'GET', [Parameter(Mandatory)][string] $Uri, [object] $Body, [int] $TimeoutSec = 10)
    $p = @{ Method = $Method; Uri = $Uri; NoProxy = $true; TimeoutSec = $TimeoutSec; SkipHttpErrorCheck = $true
        StatusCodeVariable = 'status' }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $p.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 20 -Compress }
        $p.ContentType = 'application/json'
    }
    $result = Invoke-RestMethod @p
    if ($status -ge 400) {
        $detail = if ($result -and $result.PSObject.Properties['error']) { $result.error } else { $result }
        throw "Fixture control $Method $Uri failed ($status): $detail"
    }
    return $result
}

function ConvertTo-FixtureHashtable($Object) {
    $h = [ordered]@{}
    if ($Object) { foreach ($p in $Object.PSObject.Properties) { $h[$p.Name] = $p.Value } }
    return $h
}

function Stop-TestFixtureServer {
    <# .SYNOPSIS Stops every server this module started (moto, issuers, fault STS). Safe to call twice. #>
    [CmdletBinding()]
    param()
    foreach ($s in @($script:Started)) { Stop-FixtureProcess -Process $s.Process -WorkDir $s.WorkDir }
}

#endregion

#region moto ------------------------------------------------------------------------------------------

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

#endregion

#region tokens ----------------------------------------------------------------------------------------

function New-TestSigningKey {
    <#
    .SYNOPSIS A fresh RSA key for signing test ID tokens.
    .OUTPUTS GitlabSts.TestSigningKey { KeyId; Rsa ([System.Security.Cryptography.RSA], private); N; E (base64url);
             Jwk (ordered public JWK: kty, kid, e, n, use=sig, alg=RS256); PublicKeyPem }
             KeyId defaults to the RFC 7638 JWK thumbprint (SHA-256, base64url), as GitLab's kids are.
    #>
    [CmdletBinding()]
    param([string] $KeyId, [ValidateSet(2048, 3072, 4096)][int] $KeySize = 2048)
    $rsa = [System.Security.Cryptography.RSA]::Create($KeySize)
    $p = $rsa.ExportParameters($false)
    $n = ConvertTo-Base64Url $p.Modulus
    $e = ConvertTo-Base64Url $p.Exponent
    if (-not $KeyId) {
        $canonical = '{"e":"' + $e + '","kty":"RSA","n":"' + $n + '"}'
        $KeyId = ConvertTo-Base64Url ([System.Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($canonical)))
    }
    [pscustomobject]@{
        PSTypeName   = 'GitlabSts.TestSigningKey'
        KeyId        = $KeyId
        Rsa          = $rsa
        N            = $n
        E            = $e
        Jwk          = [ordered]@{ kty = 'RSA'; kid = $KeyId; e = $e; n = $n; use = 'sig'; alg = 'RS256' }
        PublicKeyPem = $rsa.ExportSubjectPublicKeyInfoPem()
    }
}

function Get-GitlabClaimTemplate {
    <# .SYNOPSIS The claim template (ordered hashtable, a fresh copy): 'gitlab.com' or 'self-managed'. #>
    [CmdletBinding()]
    param([ValidateSet('gitlab.com', 'self-managed')][string] $Template = 'gitlab.com')
    $file = if ($Template -eq 'gitlab.com') { 'gitlab-com-id-token-claims.json' } else { 'gitlab-id-token-claims.json' }
    if (-not $script:TemplateCache.ContainsKey($file)) {
        $script:TemplateCache[$file] = Get-Content -LiteralPath (Join-Path $script:DataRoot $file) -Raw
    }
    return ($script:TemplateCache[$file] | ConvertFrom-Json -AsHashtable)
}

function ConvertTo-JwtJson($Object) { ConvertTo-Json -InputObject $Object -Depth 20 -Compress }

function New-SignedJwt {
    # Compact JWS over arbitrary header/payload text; -Unsigned gives an empty signature part.
    param([object] $Key, [string] $HeaderJson, [string] $PayloadJson, [switch] $Unsigned)
    $signingInput = (ConvertTo-Base64Url $HeaderJson) + '.' + (ConvertTo-Base64Url $PayloadJson)
    if ($Unsigned) { return "$signingInput." }
    $sig = $Key.Rsa.SignData([Text.Encoding]::ASCII.GetBytes($signingInput), [System.Security.Cryptography.HashAlgorithmName]::SHA256,
        [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    return $signingInput + '.' + (ConvertTo-Base64Url $sig)
}

function New-GitlabIdToken {
    <#
    .SYNOPSIS A GitLab CI ID token (compact RS256 JWT) signed with -Key.
    .DESCRIPTION
        Header {"alg":"RS256","typ":"JWT","kid":<key id>} (+ -Header entries, which may override these).
        Claims: the template's, then iss/aud, fresh iat (now), nbf (iat-5s), exp (iat+1h), a new jti, then
        -Claims overrides (a $null value removes the claim), then sub = project_path:P:ref_type:T:ref:R
        rebuilt from the final claims (unless -Claims sets sub), ref_path rebuilt when -Claims changes
        ref/ref_type but not ref_path, and finally -Remove.
    .PARAMETER Audience  One string (aud is a string) or several (aud is an array).
    .PARAMETER ExpiresIn exp = IssuedAt + ExpiresIn; negative gives an expired token.
    .OUTPUTS [string]
    .EXAMPLE New-GitlabIdToken -Key $k -Issuer $issuer.Url -Audience 'sts.amazonaws.com' -Claims @{ ref = 'release' }
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][object] $Key,
        [ValidateSet('gitlab.com', 'self-managed')][string] $Template = 'gitlab.com',
        [System.Collections.IDictionary] $Claims = @{},
        [string] $Issuer,
        [string[]] $Audience,
        [TimeSpan] $ExpiresIn = [TimeSpan]::FromHours(1),
        [DateTimeOffset] $IssuedAt = [DateTimeOffset]::UtcNow,
        [DateTimeOffset] $NotBefore,
        [string[]] $Remove = @(),
        [System.Collections.IDictionary] $Header = @{}
    )
    $c = Get-GitlabClaimTemplate -Template $Template
    $iat = $IssuedAt.ToUnixTimeSeconds()
    if ($Issuer) { $c['iss'] = $Issuer }
    if ($Audience) { $c['aud'] = if ($Audience.Count -eq 1) { $Audience[0] } else { [object[]]$Audience } }
    $c['iat'] = $iat
    $c['nbf'] = if ($PSBoundParameters.ContainsKey('NotBefore')) { $NotBefore.ToUnixTimeSeconds() } else { $iat - 5 }
    $c['exp'] = $IssuedAt.Add($ExpiresIn).ToUnixTimeSeconds()
    $c['jti'] = [guid]::NewGuid().ToString()
    foreach ($k in $Claims.Keys) {
        if ($null -eq $Claims[$k]) { $c.Remove([string]$k) } else { $c[[string]$k] = $Claims[$k] }
    }
    if (-not $Claims.Contains('ref_path') -and ($Claims.Contains('ref') -or $Claims.Contains('ref_type')) -and $c.Contains('ref')) {
        $c['ref_path'] = if ($c['ref_type'] -eq 'tag') { "refs/tags/$($c['ref'])" } else { "refs/heads/$($c['ref'])" }
    }
    if (-not $Claims.Contains('sub')) {
        $c['sub'] = "project_path:$($c['project_path']):ref_type:$($c['ref_type']):ref:$($c['ref'])"
    }
    foreach ($r in $Remove) { $c.Remove($r) }

    $h = [ordered]@{ alg = 'RS256'; typ = 'JWT'; kid = $Key.KeyId }
    foreach ($k in $Header.Keys) { if ($null -eq $Header[$k]) { $h.Remove([string]$k) } else { $h[[string]$k] = $Header[$k] } }
    New-SignedJwt -Key $Key -HeaderJson (ConvertTo-JwtJson $h) -PayloadJson (ConvertTo-JwtJson $c)
}

function ConvertFrom-TestJwt {
    <#
    .SYNOPSIS Decodes a compact JWT without verifying it.
    .OUTPUTS { Header (hashtable); Payload (hashtable); Signature (byte[]); SigningInput (string) }
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)][string] $Token)
    process {
        $parts = $Token.Split('.')
        if ($parts.Count -ne 3) { throw "Not a compact JWS: $($parts.Count) parts" }
        [pscustomobject]@{
            Header       = [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $parts[0])) | ConvertFrom-Json -AsHashtable
            Payload      = [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $parts[1])) | ConvertFrom-Json -AsHashtable
            Signature    = ConvertFrom-Base64Url $parts[2]
            SigningInput = $parts[0] + '.' + $parts[1]
        }
    }
}

function Test-TestJwtSignature {
    <# .SYNOPSIS $true when the token's RS256 signature verifies with the key (a TestSigningKey or an RSA). #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][string] $Token, [Parameter(Mandatory)][object] $Key)
    $rsa = if ($Key -is [System.Security.Cryptography.RSA]) { $Key } else { $Key.Rsa }
    try { $j = ConvertFrom-TestJwt -Token $Token } catch { return $false }
    $rsa.VerifyData([Text.Encoding]::ASCII.GetBytes($j.SigningInput), $j.Signature,
        [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
}

# Kind -> description. Order is the order Get-MalformedTokenKind lists them.
$script:MalformedKinds = [ordered]@{
    Empty            = 'the empty string'
    Whitespace       = 'spaces, a tab and a newline only'
    TwoParts         = 'header.payload of a valid token, the signature part and its dot removed'
    FourParts        = 'a valid token with a fourth dot-separated part appended'
    OnlyDots         = 'two dots and nothing else ("..")'
    BadBase64Url     = 'three parts; the payload part holds characters outside the base64url alphabet'
    NonJsonHeader    = 'signed; the header decodes to text that is not JSON'
    NonJsonPayload   = 'signed; the payload decodes to text that is not JSON'
    PayloadNotObject = 'signed; the payload is JSON but an array, not an object'
    AlgNone          = 'header {"alg":"none","typ":"JWT"}, valid claims, empty signature (unsigned JWT)'
    EmptySignature   = 'RS256 header, valid claims, empty signature part ("h.p.")'
    NoExp            = 'validly signed; no exp claim'
    Expired          = 'validly signed; exp one hour ago (iat/nbf two hours ago)'
    NotYetValid      = 'validly signed; nbf one hour in the future'
    TooLong          = 'validly signed and well-formed, about 20,480 characters (STS accepts at most 20,000)'
    BinaryJunk       = '512 pseudo-random bytes (seeded) as Latin-1 text: NULs, control characters, no JWT shape'
}

function Get-MalformedTokenKind {
    <# .SYNOPSIS Lists New-MalformedToken kinds: { Kind; Description } (for data-driven -ForEach). #>
    [CmdletBinding()]
    param()
    foreach ($k in $script:MalformedKinds.Keys) { [pscustomobject]@{ Kind = $k; Description = $script:MalformedKinds[$k] } }
}

function New-MalformedToken {
    <#
    .SYNOPSIS A bad token string of the given kind (see Get-MalformedTokenKind for the list and meaning).
    .PARAMETER Key Signing key for kinds that are signed (default: one key made once per session).
    .PARAMETER Issuer, Audience passed to New-GitlabIdToken for the kinds built from a valid token.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][ValidateScript({ $script:MalformedKinds.Contains($_) })][string] $Kind,
        [object] $Key,
        [string] $Issuer,
        [string[]] $Audience
    )
    if (-not $Key) {
        if (-not (Get-Variable -Scope Script -Name MalformedKey -ErrorAction SilentlyContinue)) { $script:MalformedKey = New-TestSigningKey -KeyId 'malformed-test-key' }
        $Key = $script:MalformedKey
    }
    $common = @{ Key = $Key }
    if ($Issuer) { $common.Issuer = $Issuer }
    if ($Audience) { $common.Audience = $Audience }
    $valid = { param($extra = @{}) New-GitlabIdToken @common @extra }
    $hdr = ConvertTo-JwtJson ([ordered]@{ alg = 'RS256'; typ = 'JWT'; kid = $Key.KeyId })
    $payload = { (& $valid).Split('.')[1] }
    $now = [DateTimeOffset]::UtcNow

    switch ($Kind) {
        'Empty' { return '' }
        'Whitespace' { return "  `t`n " }
        'TwoParts' { $p = (& $valid).Split('.'); return "$($p[0]).$($p[1])" }
        'FourParts' { return (& $valid) + '.' + (ConvertTo-Base64Url 'extra') }
        'OnlyDots' { return '..' }
        'BadBase64Url' { $p = (& $valid).Split('.'); return "$($p[0]).eyJ*!@#`$%^&()<>[]{}~.$($p[2])" }
        'NonJsonHeader' { return New-SignedJwt -Key $Key -HeaderJson 'this is not json' -PayloadJson ([Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url (& $payload)))) }
        'NonJsonPayload' { return New-SignedJwt -Key $Key -HeaderJson $hdr -PayloadJson '{"iss": "https://gitlab.com", this is not json' }
        'PayloadNotObject' { return New-SignedJwt -Key $Key -HeaderJson $hdr -PayloadJson '["iss","sub","aud"]' }
        'AlgNone' {
            return New-SignedJwt -Unsigned -HeaderJson '{"alg":"none","typ":"JWT"}' `
                -PayloadJson ([Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url (& $payload))))
        }
        'EmptySignature' { $p = (& $valid).Split('.'); return "$($p[0]).$($p[1])." }
        'NoExp' { return & $valid @{ Remove = @('exp') } }
        'Expired' { return & $valid @{ IssuedAt = $now.AddHours(-2); ExpiresIn = [TimeSpan]::FromHours(1) } }
        'NotYetValid' { return & $valid @{ NotBefore = $now.AddHours(1); ExpiresIn = [TimeSpan]::FromHours(2) } }
        'TooLong' {
            $base = (& $valid).Length
            # base64url grows 4/3: pad the payload so the whole token lands on 20,480 characters
            $pad = 'x' * [Math]::Max(0, [int][Math]::Floor((20480 - $base - 12) * 3 / 4))
            $t = & $valid @{ Claims = @{ padding = $pad } }
            while ($t.Length -lt 20480) { $pad += 'x'; $t = & $valid @{ Claims = @{ padding = $pad } } }
            while ($t.Length -gt 20480 -and $pad.Length -gt 0) { $pad = $pad.Substring(1); $t = & $valid @{ Claims = @{ padding = $pad } } }
            return $t
        }
        'BinaryJunk' {
            $rng = [Random]::new(20111506)
            $bytes = [byte[]]::new(512); $rng.NextBytes($bytes); $bytes[0] = 0; $bytes[100] = 0
            return [Text.Encoding]::Latin1.GetString($bytes)
        }
    }
}

#endregion

#region OIDC issuer -----------------------------------------------------------------------------------

function ConvertTo-Jwks([object[]] $Keys) {
    $list = foreach ($k in $Keys) {
        if ($k.PSObject.Properties['Jwk']) { $k.Jwk } else { $k }   # TestSigningKey or a raw JWK dictionary
    }
    [ordered]@{ keys = @($list) }
}

function Start-OidcIssuer {
    <#
    .SYNOPSIS A GitLab-like OIDC issuer on http://127.0.0.1:PORT serving discovery and JWKS for the keys.
    .OUTPUTS GitlabSts.TestOidcIssuer { Url (issuer, no trailing slash); JwksUri; DiscoveryUrl; Port; Process;
             RequestLog (URL of the per-path request counts, see Get-OidcIssuerRequests); LogFile; Keys }
    .EXAMPLE $issuer = Start-OidcIssuer -Key $k; $t = New-GitlabIdToken -Key $k -Issuer $issuer.Url
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][object] $Key,
        [object[]] $AdditionalKeys = @(),
        [string] $AdvertisedIssuer,
        [int] $TimeoutSeconds = 30,
        [int] $MaxLifetimeSeconds = 0
    )
    $keys = @($Key) + @($AdditionalKeys)
    $work = Join-Path ([IO.Path]::GetTempPath()) ('gitlabsts-oidc-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $work -Force
    $jwksFile = Join-Path $work 'jwks.json'
    Set-Content -LiteralPath $jwksFile -Value (ConvertTo-Json -InputObject (ConvertTo-Jwks $keys) -Depth 5) -Encoding utf8NoBOM
    $serverArgs = @('--jwks-file', $jwksFile)
    if ($AdvertisedIssuer) { $serverArgs += @('--issuer', $AdvertisedIssuer) }
    $f = Start-FixtureProcess -Name 'oidc' -Script 'oidc_issuer.py' -Arguments $serverArgs -WorkDir $work `
        -TimeoutSeconds $TimeoutSeconds -MaxLifetimeSeconds $MaxLifetimeSeconds
    $base = "http://127.0.0.1:$($f.Port)"
    $issuerUrl = if ($AdvertisedIssuer) { $AdvertisedIssuer.TrimEnd('/') } else { $base }
    [pscustomobject]@{
        PSTypeName   = 'GitlabSts.TestOidcIssuer'
        Url          = $issuerUrl
        BaseUrl      = $base
        JwksUri      = "$issuerUrl/oauth/discovery/keys"
        DiscoveryUrl = "$issuerUrl/.well-known/openid-configuration"
        Port         = $f.Port
        Process      = $f.Process
        RequestLog   = "$base/__control/requests"
        LogFile      = $f.LogFile
        WorkDir      = $work
        Keys         = $keys
    }
}

function Set-OidcIssuerKeys {
    <# .SYNOPSIS Replaces the issuer's JWKS (key rotation). -Keys: TestSigningKey objects and/or raw JWK dictionaries. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Issuer, [Parameter(Mandatory)][AllowEmptyCollection()][object[]] $Keys)
    $null = Invoke-FixtureControl -Method POST -Uri "$($Issuer.BaseUrl)/__control/keys" -Body (ConvertTo-Jwks $Keys)
    $Issuer.Keys = $Keys
}

function Set-OidcIssuerBehavior {
    <#
    .SYNOPSIS Makes the issuer slow or failing: -DelaySeconds before every answer; -Status @{ '/oauth/discovery/keys' = 500 };
              -DiscoveryOverrides @{ issuer = 'https://elsewhere'; jwks_uri = $null } (null removes a field).
              Each parameter given replaces that setting; -Reset clears all three.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Issuer, [double] $DelaySeconds, [hashtable] $Status, [hashtable] $DiscoveryOverrides, [switch] $Reset)
    $body = @{}
    if ($Reset) { $body = @{ delay = 0; status = @{}; discovery = @{} } }
    if ($PSBoundParameters.ContainsKey('DelaySeconds')) { $body.delay = $DelaySeconds }
    if ($PSBoundParameters.ContainsKey('Status')) { $body.status = $Status }
    if ($PSBoundParameters.ContainsKey('DiscoveryOverrides')) { $body.discovery = $DiscoveryOverrides }
    $null = Invoke-FixtureControl -Method POST -Uri "$($Issuer.BaseUrl)/__control/behavior" -Body $body
}

function Get-OidcIssuerRequests {
    <#
    .SYNOPSIS Requests the issuer served (control calls excluded).
    .OUTPUTS { Total; Discovery; Jwks; Paths (ordered hashtable path -> count) }
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Issuer)
    $r = Invoke-FixtureControl -Uri $Issuer.RequestLog
    $paths = ConvertTo-FixtureHashtable $r.paths
    [pscustomobject]@{
        Total     = [int]$r.total
        Discovery = [int]($paths['/.well-known/openid-configuration'] ?? 0)
        Jwks      = [int]($paths['/oauth/discovery/keys'] ?? 0)
        Paths     = $paths
    }
}

function Reset-OidcIssuerRequests {
    <# .SYNOPSIS Zeroes the issuer's request counts. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Issuer)
    $null = Invoke-FixtureControl -Method POST -Uri "$($Issuer.BaseUrl)/__control/requests/reset"
}

function Stop-OidcIssuer {
    <# .SYNOPSIS Stops the issuer; idempotent. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)][AllowNull()][object] $Issuer)
    process { if ($Issuer) { Stop-FixtureProcess -Process $Issuer.Process -WorkDir $Issuer.WorkDir } }
}

#endregion

#region fault STS -------------------------------------------------------------------------------------

# Name, HTTP status, STS code in the body, and how CONTRACT.md treats it (Retry: yes/no/unspecified; ErrorId).
$script:FaultTable = @(
    @{ Name = 'pass'; Status = 200; Code = $null; Retry = 'no'; ErrorId = $null }
    @{ Name = 'AccessDenied'; Status = 403; Code = 'AccessDenied'; Retry = 'no'; ErrorId = 'GitlabSts.AccessDenied' }
    @{ Name = 'InvalidIdentityToken'; Status = 400; Code = 'InvalidIdentityToken'; Retry = 'no'; ErrorId = 'GitlabSts.InvalidIdentityToken' }
    @{ Name = 'InvalidIdentityTokenKey'; Status = 400; Code = 'InvalidIdentityToken'; Retry = 'yes'; ErrorId = 'GitlabSts.InvalidIdentityToken' }
    @{ Name = 'IDPCommunicationError'; Status = 400; Code = 'IDPCommunicationError'; Retry = 'yes'; ErrorId = 'GitlabSts.IdpCommunicationError' }
    @{ Name = 'IDPRejectedClaim'; Status = 403; Code = 'IDPRejectedClaim'; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'ExpiredTokenException'; Status = 400; Code = 'ExpiredTokenException'; Retry = 'no'; ErrorId = 'GitlabSts.TokenExpired' }
    @{ Name = 'MalformedPolicyDocument'; Status = 400; Code = 'MalformedPolicyDocument'; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'PackedPolicyTooLarge'; Status = 400; Code = 'PackedPolicyTooLarge'; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'RegionDisabledException'; Status = 403; Code = 'RegionDisabledException'; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'Throttling'; Status = 400; Code = 'Throttling'; Retry = 'yes'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'http500'; Status = 500; Code = 'InternalFailure'; Retry = 'yes'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'http502'; Status = 502; Code = $null; Retry = 'yes'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'http503'; Status = 503; Code = 'ServiceUnavailable'; Retry = 'yes'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'hang'; Status = $null; Code = $null; Retry = 'yes'; ErrorId = 'GitlabSts.NetworkError' }
    @{ Name = 'reset'; Status = $null; Code = $null; Retry = 'yes'; ErrorId = 'GitlabSts.NetworkError' }
    @{ Name = 'truncated'; Status = 200; Code = $null; Retry = 'unspecified'; ErrorId = $null }
    @{ Name = 'truncatedxml'; Status = 200; Code = $null; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'notxml'; Status = 200; Code = $null; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'empty'; Status = 200; Code = $null; Retry = 'no'; ErrorId = 'GitlabSts.StsError' }
    @{ Name = 'missingfields'; Status = 200; Code = $null; Retry = 'unspecified'; ErrorId = $null }
)

function Get-FaultStsFault {
    <#
    .SYNOPSIS The fault names Set-FaultStsScript accepts, with { Name; Status; Code; Retry; ErrorId }.
    .DESCRIPTION Retry/ErrorId are this fixture author's reading of CONTRACT.md ('unspecified' where it is
                 silent: a body cut short under its Content-Length, a success lacking fields).
    #>
    [CmdletBinding()]
    param()
    foreach ($f in $script:FaultTable) { [pscustomobject]$f }
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

#endregion

# No OnRemove hook on purpose: re-importing the module must not stop servers other test files share.
# Servers die with this process anyway (stdin pipe), and Stop-TestFixtureServer stops them explicitly.

Export-ModuleMember -Function @(
    'Get-FreeTcpPort', 'Stop-TestFixtureServer',
    'Start-MotoServer', 'Stop-MotoServer', 'Reset-MotoServer', 'Invoke-TestStsRequest',
    'New-TestSigningKey', 'Get-GitlabClaimTemplate', 'New-GitlabIdToken', 'ConvertFrom-TestJwt', 'Test-TestJwtSignature',
    'Get-MalformedTokenKind', 'New-MalformedToken', 'ConvertTo-Base64Url', 'ConvertFrom-Base64Url',
    'Start-OidcIssuer', 'Stop-OidcIssuer', 'Set-OidcIssuerKeys', 'Set-OidcIssuerBehavior', 'Get-OidcIssuerRequests', 'Reset-OidcIssuerRequests',
    'Get-FaultStsFault', 'Start-FaultSts', 'Stop-FaultSts', 'Set-FaultStsScript', 'Get-FaultStsStats', 'Reset-FaultSts'
)
