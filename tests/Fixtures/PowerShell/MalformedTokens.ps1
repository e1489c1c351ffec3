# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): the malformed token kinds and their strings.

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
