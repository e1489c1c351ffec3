# Dot-sourced by ../GitlabSts.TestFixtures.psm1 (runs in its script scope): a GitLab-like OIDC issuer (discovery + JWKS), its keys, behaviour and request counts.

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
              -DiscoveryOverrides @{ issuer = 'https://elsewhere'; jwks_uri = $null } (null removes a field);
              -Redirect @{ '/.well-known/openid-configuration' = 'http://127.0.0.1:1/x' } (302 Found with that Location).
              Each parameter given replaces that setting; -Reset clears all four.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][object] $Issuer, [double] $DelaySeconds, [hashtable] $Status, [hashtable] $DiscoveryOverrides,
        [hashtable] $Redirect, [switch] $Reset)
    $body = @{}
    if ($Reset) { $body = @{ delay = 0; status = @{}; discovery = @{}; redirect = @{} } }
    if ($PSBoundParameters.ContainsKey('DelaySeconds')) { $body.delay = $DelaySeconds }
    if ($PSBoundParameters.ContainsKey('Status')) { $body.status = $Status }
    if ($PSBoundParameters.ContainsKey('DiscoveryOverrides')) { $body.discovery = $DiscoveryOverrides }
    if ($PSBoundParameters.ContainsKey('Redirect')) { $body.redirect = $Redirect }
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
