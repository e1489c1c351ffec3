#Requires -Version 7.2
# Proves the test fixtures in tests/Fixtures work (moto, token minter, OIDC issuer, fault STS).
# Run: Invoke-Pester -Path tests/Pester/Fixtures.Tests.ps1 -Output Detailed

BeforeDiscovery {
    $fixtureModule = Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1'
    Import-Module $fixtureModule -Force
    $malformedKinds = @(Get-MalformedTokenKind | ForEach-Object { @{ Kind = $_.Kind } })
    $catalog = @(Get-FaultStsFault | ForEach-Object { @{ Name = $_.Name; Status = $_.Status } })
    $stsErrorFaults = @(Get-FaultStsFault | Where-Object Code |
            ForEach-Object { @{ Name = $_.Name; Status = $_.Status; Code = $_.Code; Type = $_.Type; Message = $_.Message } })
}

BeforeAll {
    $fixtureModule = Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1'
    Import-Module $fixtureModule -Force
    $script:RoleArn = 'arn:aws:iam::123456789012:role/gitlab-deployer'

    function Get-RsaFromJwk($jwk) {
        $rsa = [System.Security.Cryptography.RSA]::Create()
        $p = [System.Security.Cryptography.RSAParameters]::new()
        $p.Modulus = ConvertFrom-Base64Url $jwk.n
        $p.Exponent = ConvertFrom-Base64Url $jwk.e
        $rsa.ImportParameters($p)
        $rsa
    }
    function Invoke-Exchange([string] $Url, [string] $Token = 'tok', [int] $TimeoutSec = 10) {
        Invoke-TestStsRequest -Url $Url -TimeoutSec $TimeoutSec -Parameters ([ordered]@{
                RoleArn = $script:RoleArn; RoleSessionName = 'fixture-test'; WebIdentityToken = $Token })
    }
    function Test-ProcessAlive([int] $Id) {
        # A zombie (exited, not yet reaped by whoever adopted it) counts as dead.
        if ($IsLinux -and (Test-Path "/proc/$Id/stat")) {
            $stat = Get-Content "/proc/$Id/stat" -Raw -ErrorAction SilentlyContinue
            return ($stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z')
        }
        return [bool](Get-Process -Id $Id -ErrorAction SilentlyContinue)
    }
    # One moto for the whole file (or the shared one from $env:GITLABSTS_TEST_MOTO_URL).
    $script:Moto = Start-MotoServer
}

AfterAll {
    Stop-MotoServer -Server $script:Moto
    Stop-TestFixtureServer
}

Describe 'Get-FreeTcpPort' {
    It 'returns a loopback port nobody listens on' {
        $port = Get-FreeTcpPort
        $port | Should -BeGreaterThan 1023
        $port | Should -BeLessThan 65536
        $c = [System.Net.Sockets.TcpClient]::new()
        { $c.Connect('127.0.0.1', $port) } | Should -Throw
        $c.Dispose()
    }
}

Describe 'moto server' {
    It 'listens on 127.0.0.1 and answers AssumeRoleWithWebIdentity with temporary credentials' {
        $script:Moto.Url | Should -Match '^http://127\.0\.0\.1:\d+$'
        $r = Invoke-Exchange -Url $script:Moto.Url -Token 'any-token-at-all'
        $r.StatusCode | Should -Be 200
        $res = $r.Xml.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult
        $res.Credentials.AccessKeyId | Should -Match '^ASIA'
        $res.Credentials.SecretAccessKey | Should -Not -BeNullOrEmpty
        $res.Credentials.SessionToken | Should -Not -BeNullOrEmpty
        $res.AssumedRoleUser.Arn | Should -Be 'arn:aws:sts::123456789012:assumed-role/gitlab-deployer/fixture-test'
    }

    It 'resets without error, forgetting what was created (an IAM role)' {
        # IAM Query API calls; moto picks the service from the credential scope and checks no signature.
        $auth = 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0'
        $role = "fixture-reset-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $iam = { param([string] $Action)
            $body = "Action=$Action&Version=2010-05-08&RoleName=$role" + $(if ($Action -eq 'CreateRole') { '&AssumeRolePolicyDocument=%7B%7D' })
            (Invoke-WebRequest -Method POST -Uri "$($script:Moto.Url)/" -Body $body -ContentType 'application/x-www-form-urlencoded' `
                -Headers @{ Authorization = $auth } -NoProxy -SkipHttpErrorCheck -TimeoutSec 10).StatusCode
        }

        & $iam CreateRole | Should -Be 200
        & $iam GetRole | Should -Be 200
        { Reset-MotoServer -Url $script:Moto.Url } | Should -Not -Throw
        & $iam GetRole | Should -Be 404 -Because 'the reset forgot the role'

        & $iam CreateRole | Should -Be 200
        { $script:Moto | Reset-MotoServer } | Should -Not -Throw
        & $iam GetRole | Should -Be 404 -Because 'the reset (server from the pipeline) forgot the role'
    }

    It 'starts a private one, and stops it (idempotently)' {
        $m = Start-MotoServer -NoShared
        try {
            $m.Shared | Should -BeFalse
            $m.Process.HasExited | Should -BeFalse
            (Invoke-Exchange -Url $m.Url).StatusCode | Should -Be 200
        }
        finally { Stop-MotoServer -Server $m }
        $m.Process.HasExited | Should -BeTrue
        { Stop-MotoServer -Server $m } | Should -Not -Throw
    }

    It 'returns the shared server named by GITLABSTS_TEST_MOTO_URL and never stops it' {
        $saved = $env:GITLABSTS_TEST_MOTO_URL
        try {
            $env:GITLABSTS_TEST_MOTO_URL = 'http://127.0.0.1:1/'
            $m = Start-MotoServer
            $m.Url | Should -Be 'http://127.0.0.1:1'
            $m.Port | Should -Be 1
            $m.Shared | Should -BeTrue
            $m.Process | Should -BeNullOrEmpty
            { Stop-MotoServer -Server $m } | Should -Not -Throw
        }
        finally { $env:GITLABSTS_TEST_MOTO_URL = $saved }
    }
}

Describe 'GitLab ID token minter' {
    BeforeAll {
        $script:Key = New-TestSigningKey
    }

    It 'makes an RSA 2048 key with a JWK thumbprint kid and a public JWK' {
        $script:Key.Rsa.KeySize | Should -Be 2048
        $script:Key.KeyId | Should -Match '^[A-Za-z0-9_-]{43}$'
        $script:Key.Jwk.kty | Should -Be 'RSA'
        $script:Key.Jwk.kid | Should -Be $script:Key.KeyId
        $script:Key.Jwk.e | Should -Be 'AQAB'
        (New-TestSigningKey -KeyId 'k1').KeyId | Should -Be 'k1'
    }

    It 'mints an RS256 JWT with the template claims, fresh times, verifiable with the public JWK' {
        $t = New-GitlabIdToken -Key $script:Key
        $t.Split('.').Count | Should -Be 3
        $t | Should -Match '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
        $j = ConvertFrom-TestJwt $t
        $j.Header.alg | Should -Be 'RS256'
        $j.Header.typ | Should -Be 'JWT'
        $j.Header.kid | Should -Be $script:Key.KeyId
        $template = Get-GitlabClaimTemplate -Template 'gitlab.com'
        foreach ($name in 'iss', 'aud', 'sub', 'project_path', 'project_id', 'namespace_id', 'ref', 'ref_type',
            'ref_protected', 'user_login', 'runner_environment', 'pipeline_source') {
            $j.Payload[$name] | Should -Be $template[$name] -Because "claim $name"
        }
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $j.Payload.iat | Should -BeGreaterOrEqual ($now - 5)
        $j.Payload.iat | Should -BeLessOrEqual ($now + 1)
        $j.Payload.nbf | Should -Be ($j.Payload.iat - 5)
        $j.Payload.exp | Should -Be ($j.Payload.iat + 3600)
        $j.Payload.jti | Should -Not -Be $template.jti
        Test-TestJwtSignature -Token $t -Key $script:Key | Should -BeTrue
        $rsa = Get-RsaFromJwk $script:Key.Jwk
        $rsa.VerifyData([Text.Encoding]::ASCII.GetBytes($j.SigningInput), $j.Signature, 'SHA256',
            [System.Security.Cryptography.RSASignaturePadding]::Pkcs1) | Should -BeTrue
        Test-TestJwtSignature -Token $t -Key (New-TestSigningKey) | Should -BeFalse
    }

    It 'uses the self-managed template' {
        $p = (ConvertFrom-TestJwt (New-GitlabIdToken -Key $script:Key -Template self-managed)).Payload
        $p.iss | Should -Be 'https://gitlab.example.com'
        $p.sub | Should -Be 'project_path:my-group/my-project:ref_type:branch:ref:feature-branch-1'
        $p.groups_direct.Count | Should -Be 2
        $p.user_identities[0].provider | Should -Be 'github'
    }

    It 'applies issuer, audience, overrides, times and removals' {
        $iat = [DateTimeOffset]::new(2026, 1, 2, 3, 4, 5, [TimeSpan]::Zero)
        $t = New-GitlabIdToken -Key $script:Key -Issuer 'http://127.0.0.1:9' -Audience 'a1', 'a2' `
            -Claims @{ ref = 'v1.2.3'; ref_type = 'tag'; project_path = 'acme/other'; user_email = $null } `
            -IssuedAt $iat -ExpiresIn ([TimeSpan]::FromMinutes(-10)) -NotBefore $iat.AddMinutes(30) -Remove 'jti'
        $p = (ConvertFrom-TestJwt $t).Payload
        $p.iss | Should -Be 'http://127.0.0.1:9'
        , $p.aud | Should -BeOfType [object[]]
        $p.aud | Should -Be @('a1', 'a2')
        $p.sub | Should -Be 'project_path:acme/other:ref_type:tag:ref:v1.2.3'
        $p.ref_path | Should -Be 'refs/tags/v1.2.3'
        $p.Contains('user_email') | Should -BeFalse
        $p.Contains('jti') | Should -BeFalse
        $p.iat | Should -Be $iat.ToUnixTimeSeconds()
        $p.exp | Should -Be ($iat.ToUnixTimeSeconds() - 600)
        $p.nbf | Should -Be ($iat.ToUnixTimeSeconds() + 1800)

        $p2 = (ConvertFrom-TestJwt (New-GitlabIdToken -Key $script:Key -Audience 'one' -Claims @{ sub = 'custom' } -Remove 'exp', 'nbf')).Payload
        $p2.aud | Should -BeOfType [string]
        $p2.sub | Should -Be 'custom'
        $p2.Contains('exp') | Should -BeFalse
        $p2.Contains('nbf') | Should -BeFalse
    }

    Context 'malformed token <Kind>' -ForEach $malformedKinds {
        It 'is what it says' {
            $t = New-MalformedToken -Kind $Kind
            $t | Should -BeOfType [string]
            $parts = $t.Split('.')
            $decode = { param($s) [Text.Encoding]::UTF8.GetString((ConvertFrom-Base64Url $s)) }
            $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
            switch ($Kind) {
                'Empty' { $t | Should -Be '' }
                'Whitespace' { $t.Length | Should -BeGreaterThan 0; $t.Trim() | Should -Be '' }
                'TwoParts' { $parts.Count | Should -Be 2 }
                'FourParts' { $parts.Count | Should -Be 4 }
                'OnlyDots' { $t | Should -Be '..' }
                'BadBase64Url' { $parts.Count | Should -Be 3; $parts[1] | Should -Match '[^A-Za-z0-9_-]' }
                'NonJsonHeader' { $parts.Count | Should -Be 3; { & $decode $parts[0] | ConvertFrom-Json } | Should -Throw }
                'NonJsonPayload' { { & $decode $parts[1] | ConvertFrom-Json } | Should -Throw }
                'PayloadNotObject' { (& $decode $parts[1]) | Should -BeLike '`[*`]' }
                'AlgNone' { (ConvertFrom-TestJwt $t).Header.alg | Should -Be 'none'; $parts[2] | Should -Be '' }
                'EmptySignature' { (ConvertFrom-TestJwt $t).Header.alg | Should -Be 'RS256'; $parts[2] | Should -Be '' }
                'NoExp' { (ConvertFrom-TestJwt $t).Payload.Contains('exp') | Should -BeFalse }
                'Expired' { (ConvertFrom-TestJwt $t).Payload.exp | Should -BeLessThan $now }
                'NotYetValid' { $p = (ConvertFrom-TestJwt $t).Payload; $p.nbf | Should -BeGreaterThan ($now + 600); $p.exp | Should -BeGreaterThan $p.nbf }
                'TooLong' { $t.Length | Should -BeGreaterThan 20000; (ConvertFrom-TestJwt $t).Payload.iss | Should -Be 'https://gitlab.com' }
                'BinaryJunk' { $t.Length | Should -Be 512; $t | Should -Match "`0"; $t | Should -Be (New-MalformedToken -Kind BinaryJunk) }
                default { throw "no check for kind $Kind" }
            }
        }
    }
}

Describe 'OIDC issuer' {
    BeforeAll {
        $script:K1 = New-TestSigningKey
        $script:K2 = New-TestSigningKey -KeyId 'second-key'
        $script:Issuer = Start-OidcIssuer -Key $script:K1
    }
    AfterAll { Stop-OidcIssuer -Issuer $script:Issuer }
    BeforeEach {
        Set-OidcIssuerKeys -Issuer $script:Issuer -Keys $script:K1
        Set-OidcIssuerBehavior -Issuer $script:Issuer -Reset
        Reset-OidcIssuerRequests -Issuer $script:Issuer
    }

    It 'serves a GitLab-like discovery document' {
        $script:Issuer.Url | Should -Match '^http://127\.0\.0\.1:\d+$'
        $d = Invoke-RestMethod -Uri "$($script:Issuer.Url)/.well-known/openid-configuration" -NoProxy
        $d.issuer | Should -Be $script:Issuer.Url
        $d.jwks_uri | Should -Be "$($script:Issuer.Url)/oauth/discovery/keys"
        $d.jwks_uri | Should -Be $script:Issuer.JwksUri
        $d.id_token_signing_alg_values_supported | Should -Be @('RS256')
        $d.response_types_supported | Should -Contain 'code'
        $d.subject_types_supported | Should -Contain 'public'
        $d.claims_supported | Should -Contain 'sub'
    }

    It 'serves the JWKS, and a minted token verifies against it' {
        $jwks = Invoke-RestMethod -Uri $script:Issuer.JwksUri -NoProxy
        @($jwks.keys).Count | Should -Be 1
        $jwk = $jwks.keys[0]
        $jwk.kid | Should -Be $script:K1.KeyId
        $jwk.kty | Should -Be 'RSA'
        $jwk.alg | Should -Be 'RS256'
        $jwk.use | Should -Be 'sig'
        $t = New-GitlabIdToken -Key $script:K1 -Issuer $script:Issuer.Url
        $j = ConvertFrom-TestJwt $t
        $j.Payload.iss | Should -Be $script:Issuer.Url
        $match = @($jwks.keys | Where-Object kid -EQ $j.Header.kid)[0]
        Test-TestJwtSignature -Token $t -Key (Get-RsaFromJwk $match) | Should -BeTrue
    }

    It 'rotates keys: the kid changes, and additional keys are served together' {
        Set-OidcIssuerKeys -Issuer $script:Issuer -Keys $script:K2
        (Invoke-RestMethod -Uri $script:Issuer.JwksUri -NoProxy).keys.kid | Should -Be @('second-key')
        Set-OidcIssuerKeys -Issuer $script:Issuer -Keys $script:K1, $script:K2
        (Invoke-RestMethod -Uri $script:Issuer.JwksUri -NoProxy).keys.kid | Should -Be @($script:K1.KeyId, 'second-key')
        $i2 = Start-OidcIssuer -Key $script:K2 -AdditionalKeys $script:K1
        try { (Invoke-RestMethod -Uri $i2.JwksUri -NoProxy).keys.kid | Should -Be @('second-key', $script:K1.KeyId) }
        finally { Stop-OidcIssuer -Issuer $i2 }
    }

    It 'counts requests per path' {
        $null = Invoke-RestMethod -Uri $script:Issuer.DiscoveryUrl -NoProxy
        $null = Invoke-RestMethod -Uri $script:Issuer.JwksUri -NoProxy
        $null = Invoke-RestMethod -Uri $script:Issuer.JwksUri -NoProxy
        $null = Invoke-WebRequest -Uri "$($script:Issuer.Url)/nope" -NoProxy -SkipHttpErrorCheck
        $r = Get-OidcIssuerRequests -Issuer $script:Issuer
        $r.Discovery | Should -Be 1
        $r.Jwks | Should -Be 2
        $r.Paths['/nope'] | Should -Be 1
        $r.Total | Should -Be 4
        Reset-OidcIssuerRequests -Issuer $script:Issuer
        (Get-OidcIssuerRequests -Issuer $script:Issuer).Total | Should -Be 0
    }

    It 'can fail, override discovery fields and be slow' {
        Set-OidcIssuerBehavior -Issuer $script:Issuer -Status @{ '/oauth/discovery/keys' = 503 } `
            -DiscoveryOverrides @{ issuer = 'https://elsewhere.example'; jwks_uri = $null }
        (Invoke-WebRequest -Uri $script:Issuer.JwksUri -NoProxy -SkipHttpErrorCheck).StatusCode | Should -Be 503
        $d = Invoke-RestMethod -Uri $script:Issuer.DiscoveryUrl -NoProxy
        $d.issuer | Should -Be 'https://elsewhere.example'
        $d.PSObject.Properties['jwks_uri'] | Should -BeNullOrEmpty
        Set-OidcIssuerBehavior -Issuer $script:Issuer -Reset -DelaySeconds 0.4
        $sw = [Diagnostics.Stopwatch]::StartNew()
        (Invoke-WebRequest -Uri $script:Issuer.JwksUri -NoProxy).StatusCode | Should -Be 200
        $sw.ElapsedMilliseconds | Should -BeGreaterOrEqual 380
    }
}

Describe 'fault-injecting STS' {
    BeforeAll {
        $script:Sts = Start-FaultSts -Upstream $script:Moto.Url
    }
    AfterAll { Stop-FaultSts -Sts $script:Sts }
    BeforeEach { Reset-FaultSts -Sts $script:Sts }

    It 'passes through to moto by default and counts requests per Action' {
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 200
        $r.Xml.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.Credentials.AccessKeyId | Should -Match '^ASIA'
        $null = Invoke-TestStsRequest -Url $script:Sts.Url -Action GetCallerIdentity
        $s = Get-FaultStsStats -Sts $script:Sts
        $s.Total | Should -Be 2
        $s.Actions['AssumeRoleWithWebIdentity'] | Should -Be 1
        $s.Actions['GetCallerIdentity'] | Should -Be 1
        $s.Faults['pass'] | Should -Be 2
        Get-FaultStsStats -Sts $script:Sts -Action AssumeRoleWithWebIdentity | Should -Be 1
        Get-FaultStsStats -Sts $script:Sts -Action AssumeRole | Should -Be 0
    }

    It 'reports zero requests when none were made (control calls are not counted)' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'AccessDenied'
        $null = Get-FaultStsStats -Sts $script:Sts
        $s = Get-FaultStsStats -Sts $script:Sts
        $s.Total | Should -Be 0
        $s.Remaining | Should -Be 1
    }

    It '<Name> answers <Status> with an STS 2011-06-15 ErrorResponse carrying <Type> <Code>' -ForEach $stsErrorFaults {
        Set-FaultStsScript -Sts $script:Sts -Faults $Name
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be $Status
        $r.Headers['Content-Type'] | Should -BeLike 'text/xml*'
        $r.Xml.ErrorResponse.xmlns | Should -Be 'https://sts.amazonaws.com/doc/2011-06-15/'
        $r.Xml.ErrorResponse.Error.Type | Should -Be $Type
        $r.Xml.ErrorResponse.Error.Code | Should -Be $Code
        $r.Xml.ErrorResponse.Error.Message | Should -Not -BeNullOrEmpty
        if ($Message) { $r.Xml.ErrorResponse.Error.Message | Should -BeExactly $Message }
        $r.Xml.ErrorResponse.RequestId | Should -Match '^[0-9a-f-]{36}$'
        $r.Content | Should -BeLike "*<Code>$Code</Code>*"
        (Get-FaultStsStats -Sts $script:Sts).Faults[$Name] | Should -Be 1
    }

    It 'distinguishes the two InvalidIdentityToken messages' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'InvalidIdentityToken', 'InvalidIdentityTokenKey'
        $plain = (Invoke-Exchange -Url $script:Sts.Url).Xml.ErrorResponse.Error.Message
        $key = (Invoke-Exchange -Url $script:Sts.Url).Xml.ErrorResponse.Error.Message
        $plain | Should -Not -BeLike '*verification key*'
        $key | Should -BeExactly "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
    }

    It 'http502 answers a load balancer''s HTML page' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'http502'
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 502
        $r.Headers['Content-Type'] | Should -BeLike 'text/html*'
        $r.Content | Should -BeLike '*502 Bad Gateway*'
    }

    It 'implements catalog fault <Name>: the status line the catalog gives (<Status>; $null: none)' -ForEach $catalog {
        # Raw socket, so that faults which break the answer (truncated, hang, reset) still show what they sent.
        $entry = if ($Name -eq 'hang') { @{ fault = 'hang'; seconds = 0.3 } } else { @{ fault = $Name } }
        Set-FaultStsScript -Sts $script:Sts -Faults $entry
        $form = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/gitlab-deployer&RoleSessionName=s&WebIdentityToken=t'
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:Sts.Port)
        try {
            $c.ReceiveTimeout = 5000
            $ns = $c.GetStream()
            $req = [Text.Encoding]::ASCII.GetBytes("POST / HTTP/1.1`r`nHost: 127.0.0.1`r`nConnection: close`r`n" +
                "Content-Type: application/x-www-form-urlencoded`r`nContent-Length: $($form.Length)`r`n`r`n$form")
            $ns.Write($req, 0, $req.Length)
            $reply = try { [IO.StreamReader]::new($ns).ReadToEnd() } catch [System.IO.IOException] { '' }
        }
        finally { $c.Dispose() }
        if ($null -eq $Status) { $reply | Should -BeNullOrEmpty }
        else { $reply | Should -Match "^HTTP/1\.1 $Status " }
        (Get-FaultStsStats -Sts $script:Sts).Faults[$Name] | Should -Be 1
    }

    It 'hang holds the request past the client timeout' {
        Set-FaultStsScript -Sts $script:Sts -Faults @{ fault = 'hang'; seconds = 3 }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Invoke-Exchange -Url $script:Sts.Url -TimeoutSec 1 } | Should -Throw
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        (Get-FaultStsStats -Sts $script:Sts).Faults['hang'] | Should -Be 1
    }

    It 'hang closes the connection without an answer once its time is up' {
        Set-FaultStsScript -Sts $script:Sts -Faults @{ fault = 'hang'; seconds = 0.3 }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Invoke-Exchange -Url $script:Sts.Url -TimeoutSec 5 } | Should -Throw
        # Held for its 0.3 s, then closed by the fixture: well before the client's 5 s timeout could end it.
        $sw.Elapsed.TotalSeconds | Should -BeGreaterThan 0.25
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 3
    }

    It 'reset aborts the connection' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'reset'
        { Invoke-Exchange -Url $script:Sts.Url } | Should -Throw
        # raw socket: the read ends with a reset (or EOF), never an HTTP answer
        Set-FaultStsScript -Sts $script:Sts -Faults 'reset'
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:Sts.Port)
        try {
            $ns = $c.GetStream()
            $req = [Text.Encoding]::ASCII.GetBytes("POST / HTTP/1.1`r`nHost: x`r`nContent-Length: 0`r`n`r`n")
            $ns.Write($req, 0, $req.Length)
            $buf = [byte[]]::new(64); $n = -1
            try { $n = $ns.Read($buf, 0, 64) } catch { $n = 0 }
            $n | Should -Be 0
        }
        finally { $c.Dispose() }
    }

    It 'truncated sends half the body it announced, then closes' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'truncated'
        { Invoke-Exchange -Url $script:Sts.Url } | Should -Throw
    }

    It 'truncatedxml sends a well-framed 200 whose XML stops halfway' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'truncatedxml'
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 200
        $r.Content | Should -BeLike '<AssumeRoleWithWebIdentityResponse*'
        $r.Xml | Should -BeNullOrEmpty
    }

    It 'notxml and empty answer 200 with no STS XML' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'notxml', 'empty'
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 200
        $r.Headers['Content-Type'] | Should -BeLike 'text/html*'
        $r.Content | Should -BeLike '<!DOCTYPE html>*'
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 200
        $r.Content | Should -Be ''
    }

    It 'missingfields returns moto''s success lacking Expiration (or the listed elements)' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'missingfields', @{ fault = 'missingfields'; omit = 'SessionToken', 'AssumedRoleUser' }
        $r = Invoke-Exchange -Url $script:Sts.Url
        $r.StatusCode | Should -Be 200
        $c = $r.Xml.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.Credentials
        $c.AccessKeyId | Should -Match '^ASIA'
        $r.Content | Should -Not -BeLike '*<Expiration>*'
        $r2 = Invoke-Exchange -Url $script:Sts.Url
        $r2.Content | Should -BeLike '*<Expiration>*'
        $r2.Content | Should -Not -BeLike '*<SessionToken>*'
        $r2.Content | Should -Not -BeLike '*<AssumedRoleUser>*'
        $r2.Xml | Should -Not -BeNullOrEmpty
    }

    It 'consumes one entry per request, then passes through; stats count the attempts' {
        Set-FaultStsScript -Sts $script:Sts -Faults 'Throttling', 'Throttling', 'pass'
        (1..4 | ForEach-Object { (Invoke-Exchange -Url $script:Sts.Url).StatusCode }) | Should -Be @(400, 400, 200, 200)
        $s = Get-FaultStsStats -Sts $script:Sts
        $s.Total | Should -Be 4
        $s.Actions['AssumeRoleWithWebIdentity'] | Should -Be 4
        $s.Faults['Throttling'] | Should -Be 2
        $s.Faults['pass'] | Should -Be 2
        $s.Remaining | Should -Be 0
        @($s.Requests).Count | Should -Be 4
        $s.Requests[0].fault | Should -Be 'Throttling'
    }

    It 'supports count, action filters, a default, append, delay and message overrides' {
        # an entry with an action is skipped by other actions; one without applies to any action
        Set-FaultStsScript -Sts $script:Sts -Faults @{ fault = 'AccessDenied'; action = 'GetCallerIdentity' }, @{ fault = 'http503'; count = 2 } -Default 'IDPCommunicationError'
        (Invoke-Exchange -Url $script:Sts.Url).StatusCode | Should -Be 503
        (Invoke-Exchange -Url $script:Sts.Url).StatusCode | Should -Be 503
        (Invoke-TestStsRequest -Url $script:Sts.Url -Action GetCallerIdentity).Xml.ErrorResponse.Error.Code | Should -Be 'AccessDenied'
        (Invoke-Exchange -Url $script:Sts.Url).Xml.ErrorResponse.Error.Code | Should -Be 'IDPCommunicationError'
        Set-FaultStsScript -Sts $script:Sts -Faults @{ fault = 'Throttling'; message = 'slow down'; delay = 0.3 }
        Set-FaultStsScript -Sts $script:Sts -Faults 'AccessDenied' -Append
        $sw = [Diagnostics.Stopwatch]::StartNew()
        (Invoke-Exchange -Url $script:Sts.Url).Xml.ErrorResponse.Error.Message | Should -Be 'slow down'
        $sw.ElapsedMilliseconds | Should -BeGreaterOrEqual 280
        (Invoke-Exchange -Url $script:Sts.Url).Xml.ErrorResponse.Error.Code | Should -Be 'AccessDenied'
        (Invoke-Exchange -Url $script:Sts.Url).StatusCode | Should -Be 200   # script replaced without -Default: pass
        (Get-FaultStsStats -Sts $script:Sts).Total | Should -Be 7
    }

    It 'reads chunked request bodies (Action counted, request proxied)' {
        $form = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s&WebIdentityToken=t'
        $chunked = '{0:x}' -f $form.Length + "`r`n$form`r`n0`r`n`r`n"
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:Sts.Port)
        try {
            $ns = $c.GetStream()
            $req = [Text.Encoding]::ASCII.GetBytes("POST / HTTP/1.1`r`nHost: 127.0.0.1`r`nConnection: close`r`n" +
                "Content-Type: application/x-www-form-urlencoded`r`nTransfer-Encoding: chunked`r`n`r`n$chunked")
            $ns.Write($req, 0, $req.Length)
            $reply = [IO.StreamReader]::new($ns).ReadToEnd()
        }
        finally { $c.Dispose() }
        $reply | Should -BeLike 'HTTP/1.1 200*<AccessKeyId>ASIA*'
        Get-FaultStsStats -Sts $script:Sts -Action AssumeRoleWithWebIdentity | Should -Be 1
    }

    It 'rejects unknown fault names' {
        { Set-FaultStsScript -Sts $script:Sts -Faults 'NoSuchFault' } | Should -Throw '*unknown fault*'
    }

    It 'serves the faults of the catalog the module lists, in its order' {
        $names = (Get-FaultStsFault).Name
        $served = (Invoke-RestMethod -Uri "$($script:Sts.Url)/__fault/health" -NoProxy).faults
        @($served) | Should -Be @($names)
    }
}

Describe 'fault catalog (tests/Fixtures/data/faults.json)' {
    BeforeAll { $script:Faults = @(Get-FaultStsFault) }

    It 'names each fault once, pass included' {
        $script:Faults.Count | Should -BeGreaterThan 10
        @($script:Faults.Name | Sort-Object -Unique).Count | Should -Be $script:Faults.Count
        $script:Faults.Name | Should -Contain 'pass'
    }

    It 'says for every fault but pass what GitlabSts must end in, and what the server answers' {
        foreach ($f in $script:Faults) {
            $f.Answer | Should -Not -BeNullOrEmpty -Because "$($f.Name) is described"
            if ($f.Name -eq 'pass') { $f.ErrorId | Should -BeNullOrEmpty; continue }
            $f.ErrorId | Should -Match '^GitlabSts\.[A-Za-z]+$' -Because "$($f.Name) has an error id"
            [Enum]::IsDefined([System.Management.Automation.ErrorCategory], [string]$f.Category) | Should -BeTrue -Because "$($f.Name)'s category '$($f.Category)' is an ErrorCategory"
            { [regex]::new($f.ErrorMessage) } | Should -Not -Throw -Because "$($f.Name)'s message is a regex"
            $f.Retry | Should -BeOfType [bool]
            if ($f.Code) { $f.Status | Should -BeGreaterOrEqual 400; $f.Type | Should -BeIn 'Sender', 'Receiver' }
        }
    }

    It 'fault_sts.py refuses a catalog naming a fault it does not implement' {
        $bad = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-faults-$([guid]::NewGuid().ToString('N')).json"
        try {
            $json = Get-Content -Raw (Join-Path $PSScriptRoot '../Fixtures/data/faults.json') | ConvertFrom-Json
            $json.faults += [pscustomobject]@{ name = 'nosuchbehaviour'; answer = 'x'; status = 200; expect = $null }
            ConvertTo-Json $json -Depth 10 | Set-Content -LiteralPath $bad
            $python = (Get-Command python3 -CommandType Application | Select-Object -First 1).Source
            $fixtures = (Resolve-Path (Join-Path $PSScriptRoot '../Fixtures')).Path
            $out = & $python -c "import sys; sys.path.insert(0, sys.argv[1]); import fault_sts; fault_sts.load_catalog(sys.argv[2])" $fixtures $bad 2>&1
            $LASTEXITCODE | Should -Not -Be 0
            "$out" | Should -Match 'does not implement: nosuchbehaviour'
        }
        finally { Remove-Item -LiteralPath $bad -ErrorAction Ignore }
    }

    It 'is where the README and fault_sts.py send readers, and neither repeats the list' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../Fixtures/README.md')
        $readme | Should -Match '\(data/faults\.json\)'
        $doc = Get-Content -Raw (Join-Path $PSScriptRoot '../Fixtures/fault_sts.py')
        $doc | Should -Match 'data/faults\.json'
        foreach ($f in $script:Faults) {
            $readme | Should -Not -Match "(?m)^\| ``$($f.Name)``" -Because "the README points at the catalog instead of a table row for $($f.Name)"
            $doc | Should -Not -Match "(?m)^  $($f.Name) +\S" -Because "the docstring points at the catalog instead of a line for $($f.Name)"
        }
    }
}

Describe 'server lifetime' {
    It 'Stop is idempotent for the issuer and the fault STS' {
        $i = Start-OidcIssuer -Key (New-TestSigningKey)
        $f = Start-FaultSts -Upstream $script:Moto.Url
        Stop-OidcIssuer -Issuer $i; Stop-FaultSts -Sts $f
        $i.Process.HasExited | Should -BeTrue
        $f.Process.HasExited | Should -BeTrue
        { Stop-OidcIssuer -Issuer $i; Stop-FaultSts -Sts $f } | Should -Not -Throw
    }

    It 're-importing the module (as every test file does) neither stops nor forgets servers' {
        $i = Start-OidcIssuer -Key (New-TestSigningKey)
        try {
            Import-Module (Join-Path $PSScriptRoot '../Fixtures/GitlabSts.TestFixtures.psm1') -Force
            $i.Process.HasExited | Should -BeFalse
            (Invoke-WebRequest -Uri $i.JwksUri -NoProxy).StatusCode | Should -Be 200
            $registry = [AppDomain]::CurrentDomain.GetData('GitlabSts.TestFixtures.Started')
            @($registry | Where-Object { $_.Process -eq $i.Process }).Count | Should -Be 1
        }
        finally { Stop-OidcIssuer -Issuer $i }
        @($registry | Where-Object { $_.Process -eq $i.Process }).Count | Should -Be 0
    }

    It 'a server exits by itself after its maximum lifetime' {
        $i = Start-OidcIssuer -Key (New-TestSigningKey) -MaxLifetimeSeconds 1
        try { $i.Process.WaitForExit(5000) | Should -BeTrue }
        finally { Stop-OidcIssuer -Issuer $i }
    }

    It 'a server dies with its parent process (even a killed one)' -Tag 'Slow' {
        $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $psm1 = Join-Path $repo 'tests/Fixtures/GitlabSts.TestFixtures.psm1'
        $child = "Import-Module '$psm1'; `$i = Start-OidcIssuer -Key (New-TestSigningKey); `$f = Start-FaultSts -Upstream http://127.0.0.1:1; " +
        "Write-Output `$i.Process.Id `$f.Process.Id `$i.WorkDir `$f.WorkDir; [Console]::Out.Flush(); Stop-Process -Id `$PID -Force"
        Push-Location $repo
        try { $out = & dotnet pwsh -NoProfile -NonInteractive -Command $child 2>&1 }
        finally { Pop-Location }
        $pids = @($out | Where-Object { "$_" -match '^\d+$' } | ForEach-Object { [int]"$_" })
        $pids.Count | Should -Be 2 -Because "child output: $out"
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        do {
            $alive = @($pids | Where-Object { Test-ProcessAlive $_ })
            if ($alive.Count -eq 0) { break }
            Start-Sleep -Milliseconds 100
        } while ([DateTime]::UtcNow -lt $deadline)
        $alive.Count | Should -Be 0
        # and they cleaned up their temp folders on the way out
        $dirs = @($out | Where-Object { "$_" -match 'gitlabsts-' } | ForEach-Object { "$_".Trim() })
        $dirs.Count | Should -Be 2
        $dirs | Where-Object { Test-Path -LiteralPath $_ } | Should -BeNullOrEmpty
    }
}
