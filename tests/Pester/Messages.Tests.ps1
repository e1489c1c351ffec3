# Issue 16 item 10 (messages the cmdlets show) and item 12 (the credential's token fields against moto): a region this
# version does not know, a path on a drive that does not exist, a folder given as a file, a token file's size in bytes,
# the checklist that does not cut an ARN, and SubjectFromWebIdentityToken/Provider/Audience filled although moto omits them.
Describe 'Messages' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        Start-StsFixture
        $script:Work = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-messages-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $script:Work -Force | Out-Null

    }

    AfterAll {
        Stop-StsFixture
        Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction Ignore
    }

    BeforeEach { $script:SavedEnv = Save-TestEnvironment }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    Context 'a region this version does not know' {
        It 'warns naming the nearest known region, and still uses it (a custom endpoint: no warning)' {
            $out = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url -Region eu-cental-1 -WarningVariable w -WarningAction SilentlyContinue
            $out.Region | Should -Be 'eu-cental-1'
            @($w).Count | Should -Be 0 -Because 'with -EndpointUrl the region names no endpoint'
        }

        It 'without -EndpointUrl: the warning names eu-central-1, and a DNS failure blames the region, not retried' {
            $w = $null; $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -Region eu-cental-1 -MaxAttempts 5 -WarningVariable w -WarningAction SilentlyContinue -ErrorAction Stop }
            catch { $err = $_ }
            $r = [pscustomobject]@{ Warnings = @($w | ForEach-Object { "$_" }); Error = $err }
            $r.Warnings | Should -HaveCount 1
            $r.Warnings[0] | Should -Be "This version of GitlabSts does not know the region 'eu-cental-1' in the aws partition; did you mean 'eu-central-1'? It is used as given (a new AWS region works); STS is called at https://sts.eu-cental-1.amazonaws.com."
            $r.Error.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.NetworkError,*'
            $r.Error.Exception.Message | Should -Match ([regex]::Escape("This version does not know the region 'eu-cental-1', so the region is the likely cause (did you mean 'eu-central-1'?)"))
            $r.Error.Exception.Message | Should -Match 'Not retried'
            $r.Error.Exception.Attempts | Should -Be 1
        }
    }

    Context 'paths' {
        It '<Parameter> on a drive that does not exist -> <Id>, a plain message (not DriveNotFound)' -Skip:(-not $IsLinux) -ForEach @(
            @{ Cmdlet = 'Get-GitlabWebIdentityCredential'; Parameter = 'TokenFile'; Id = 'GitlabSts.TokenNotFound'; Extra = @{} }
            @{ Cmdlet = 'Test-GitlabOidcRole'; Parameter = 'TrustPolicy'; Id = 'GitlabSts.InvalidPolicy'; Extra = @{ WebIdentityToken = 'TOKEN'; Offline = $true } }
            @{ Cmdlet = 'Set-GitlabAwsProfile'; Parameter = 'ConfigPath'; Id = 'GitlabSts.ProfileWriteFailed'; Extra = @{ WebIdentityToken = 'TOKEN' } }
            @{ Cmdlet = 'Set-GitlabAwsProfile'; Parameter = 'CredentialsPath'; Id = 'GitlabSts.ProfileWriteFailed'; Extra = @{ WebIdentityToken = 'TOKEN'; Mode = 'Credential'; EndpointUrl = 'MOTO' } }
            @{ Cmdlet = 'Set-GitlabAwsProfile'; Parameter = 'TokenFilePath'; Id = 'GitlabSts.ProfileWriteFailed'; Extra = @{ WebIdentityToken = 'TOKEN' } }
        ) {
            $p = @{ RoleArn = $TestRoleArn }
            foreach ($k in $Extra.Keys) { $p[$k] = switch ($Extra[$k]) { 'TOKEN' { $Token } 'MOTO' { $Moto.Url } default { $_ } } }
            $p[$Parameter] = 'C:\Users\me\aws\file.txt'
            if ($Cmdlet -eq 'Set-GitlabAwsProfile') {
                foreach ($other in 'ConfigPath', 'CredentialsPath', 'TokenFilePath') { if (-not $p.ContainsKey($other)) { $p[$other] = Join-Path $script:Work "unused-$other" } }
            }
            $err = $null
            try { & $Cmdlet @p -ErrorAction Stop | Out-Null } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err.Exception.Message | Should -Be "-$Parameter 'C:\Users\me\aws\file.txt' is on drive 'C:', which does not exist on this machine (a Windows path on Linux or macOS?). Pass a path of this machine, absolute or relative to the current folder."
        }

        It 'a folder as -TokenFile says it is a folder (not "Access denied")' {
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -TokenFile $script:Work -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.TokenNotFound,*'
            $err.Exception.Message | Should -Be "-TokenFile '$($script:Work)' is a folder, not a file. Pass the path of a file (in that folder, for example)."
            $err.Exception.Message | Should -Not -Match 'denied'
        }

        It 'a folder as -TrustPolicy says it is a folder' {
            $err = $null
            try { Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $Token -Offline -TrustPolicy $script:Work -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.InvalidPolicy,*'
            $err.Exception.Message | Should -Match 'is a folder, not a file'
        }

        It 'a 100 MB token file is reported in bytes' {
            $big = Join-Path $script:Work 'big.token'
            $f = [IO.File]::Create($big); $f.SetLength(100MB); $f.Dispose()
            $err = $null
            try { Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -TokenFile $big -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.MalformedToken,*'
            $err.Exception.Message | Should -BeLike "The token file '$big' is larger than an ID token can be (104857600 bytes; a token is at most 20000 bytes).*"
            $err.Exception.Message | Should -Not -Match 'characters'
        }
    }

    It 'the checklist does not cut an ARN, even at Out-String -Width 160' {
        $arn = 'arn:aws:iam::123456789012:role/gitlab/ci/deployers/production/eu-west-1/platform-team/gitlab-deployer-for-the-infrastructure-pipeline'
        $arn.Length | Should -BeGreaterThan 120
        $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ Federated = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com' }; Action = 'sts:AssumeRoleWithWebIdentity'; Condition = @{ StringLike = @{ 'gitlab.com:sub' = 'project_path:nobody/*' } } }) } | ConvertTo-Json -Depth 8
        $r = Test-GitlabOidcRole -RoleArn $arn -WebIdentityToken $Token -Offline -TrustPolicy $policy
        $r.Success | Should -BeFalse
        $text = $r | Out-String -Width 160
        $lines = $text -split "`r?`n"
        @($lines | Where-Object { $_.Contains($arn) }).Count | Should -BeGreaterThan 0 -Because "the ARN is on one line:`n$text"
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 160 }
    }

    It 'secrets: hidden where the docs say, shown where they say (Format-List *, Select-Object *, ConvertTo-Json)' {
        $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url
        foreach ($hidden in ($c | Out-String -Width 400), ($c | Format-List | Out-String -Width 400), ($c | Format-Table | Out-String -Width 400), "$c") {
            $hidden | Should -Not -Match ([regex]::Escape($c.SessionToken))
            $hidden | Should -Not -Match ([regex]::Escape($c.SecretAccessKey))
        }
        foreach ($shown in ($c | Format-List * | Out-String -Width 4000), ($c | Select-Object * | Format-List * | Out-String -Width 4000), ($c | ConvertTo-Json)) {
            $shown | Should -Match ([regex]::Escape($c.SecretAccessKey))
        }
        $docs = @('README.md', 'module/en-US/about_GitlabSts.help.txt', 'docs/help/Get-GitlabWebIdentityCredential.psd1') | ForEach-Object { Get-Content -Raw (Join-Path $RepoRoot $_) }
        foreach ($text in $docs) {
            $text | Should -Not -Match 'never in any stream, view or error'
            ($text -replace '`', '' -replace '\s+', ' ') | Should -Match 'Format-List \*, Select-Object \*'
        }
    }

    It 'SubjectFromWebIdentityToken, Provider and Audience are filled from the token although moto omits them' {
        $c = Get-GitlabWebIdentityCredential -RoleArn $TestRoleArn -WebIdentityToken $Token -EndpointUrl $Moto.Url
        $claims = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((($Token -split '\.')[1].Replace('-', '+').Replace('_', '/') + '==').Substring(0, [Math]::Floor((($Token -split '\.')[1].Length + 3) / 4) * 4))) | ConvertFrom-Json
        $c.SubjectFromWebIdentityToken | Should -Be $claims.sub
        $c.Provider | Should -Be $claims.iss
        $c.Audience | Should -Be 'sts.amazonaws.com'
    }
}
