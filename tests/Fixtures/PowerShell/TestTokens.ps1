# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): signing keys and GitLab-shaped ID tokens (mint, decode, verify).

$script:TemplateCache = @{}   # claim template file -> its JSON text

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
