#Requires -Version 7.2
# CONTRACT.md "Hardening (0.2)": writes follow only your own links, and a file the user made read-only is not
# replaced. On the built module, as a user runs it. The tests run as root: the other user's links and folders are made
# with chown (nobody); root ignores file modes, so the read-only case checks the module's own mode check (without it,
# root's rename would replace the file).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:SavedEnv = Save-TestEnvironment
    $script:Token = New-GitlabIdToken -Key (New-TestSigningKey) -Audience 'sts.amazonaws.com'
    $script:Roots = [Collections.Generic.List[string]]::new()
    $script:Original = "[default]`nregion = original`n"

    function New-Root {
        $dir = Join-Path ([IO.Path]::GetTempPath()) ("gitlabsts-links-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        $script:Roots.Add($dir)
        $env:AWS_CONFIG_FILE = Join-Path $dir 'config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $dir 'credentials'
        $dir
    }

    function Invoke-SetProfile([hashtable] $Extra) {
        $err = $null
        try { Set-GitlabAwsProfile -Mode WebIdentity -RoleArn $TestRoleArn -WebIdentityToken $Token -ProfileName links -Region eu-west-1 @Extra -ErrorAction Stop | Out-Null }
        catch { $err = $_ }
        $err
    }
}

AfterAll {
    Restore-TestEnvironment $script:SavedEnv
    foreach ($r in $script:Roots) { Remove-Item -LiteralPath $r -Recurse -Force -ErrorAction Ignore }
}

Describe 'Set-GitlabAwsProfile follows only your own links' -Skip:($IsWindows) {
    It 'refuses a -TokenFilePath link owned by nobody in a sticky folder: nothing written, the target intact' {
        $root = New-Root
        $sticky = Join-Path $root 'tmp'
        New-Item -ItemType Directory -Path $sticky | Out-Null
        chmod 1777 $sticky
        $victim = Join-Path $root 'victim'
        [IO.File]::WriteAllText($victim, $Original)
        $link = Join-Path $sticky 'token.jwt'
        New-Item -ItemType SymbolicLink -Path $link -Target $victim | Out-Null
        chown -h nobody $link

        $err = Invoke-SetProfile @{ TokenFilePath = $link }

        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        $err.Exception.Message | Should -Match ([regex]::Escape("'$link' is a symbolic link owned by nobody (uid 65534)"))
        $err.Exception.Message | Should -Match 'nothing was written'
        $err.Exception.Message | Should -Not -Match ([regex]::Escape($Token.Split('.')[1]))
        [IO.File]::ReadAllText($victim) | Should -BeExactly $Original
        Test-Path $env:AWS_CONFIG_FILE | Should -BeFalse
        @(Get-ChildItem -Force -Recurse $root -Filter '*.tmp').Count | Should -Be 0
    }

    It 'follows your own ~/.aws/config link to a dotfiles folder, which stays a link' {
        $root = New-Root
        $dotfiles = Join-Path $root 'dotfiles/aws'
        New-Item -ItemType Directory -Path $dotfiles | Out-Null
        $real = Join-Path $dotfiles 'config'
        [IO.File]::WriteAllText($real, $Original)
        $aws = Join-Path $root '.aws'
        New-Item -ItemType Directory -Path $aws | Out-Null
        chmod 0700 $aws
        $env:AWS_CONFIG_FILE = Join-Path $aws 'config'
        New-Item -ItemType SymbolicLink -Path $env:AWS_CONFIG_FILE -Target '../dotfiles/aws/config' | Out-Null

        Invoke-SetProfile @{ TokenFilePath = (Join-Path $aws 'links.jwt') } | Should -BeNullOrEmpty

        (Get-Item $env:AWS_CONFIG_FILE).LinkTarget | Should -Be '../dotfiles/aws/config'
        $text = [IO.File]::ReadAllText($real)
        $text | Should -Match '^\[default\]\nregion = original\n'
        $text | Should -Match '\[profile links\]'
        @(Get-ChildItem -Force $aws | ForEach-Object Name | Sort-Object) | Should -Be @('.links.jwt.gitlabsts.lock', 'config', 'links.jwt') -Because 'the config lock is in the real folder'
        Test-Path (Join-Path $dotfiles '.config.gitlabsts.lock') | Should -BeTrue
    }

    It 'refuses a config whose lock file is a planted link, and opens nothing through it' {
        $root = New-Root
        $victim = Join-Path $root 'victim'
        [IO.File]::WriteAllText($victim, $Original)
        New-Item -ItemType SymbolicLink -Path (Join-Path $root '.config.gitlabsts.lock') -Target $victim | Out-Null

        $err = Invoke-SetProfile @{ TokenFilePath = (Join-Path $root 'links.jwt') }

        $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
        $err.Exception.Message | Should -Match 'lock file .* is a symbolic link'
        [IO.File]::ReadAllText($victim) | Should -BeExactly $Original
        Test-Path $env:AWS_CONFIG_FILE | Should -BeFalse
    }
}

Describe 'Set-GitlabAwsProfile leaves a read-only file alone' -Skip:($IsWindows) {
    It 'refuses a 0444 config, says how to change it, and writes nothing (not even the token file)' {
        $root = New-Root
        [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, $Original)
        chmod 0444 $env:AWS_CONFIG_FILE
        $tokenFile = Join-Path $root 'links.jwt'

        $err = Invoke-SetProfile @{ TokenFilePath = $tokenFile }

        $err.FullyQualifiedErrorId | Should -BeLike 'GitlabSts.ProfileWriteFailed*'
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        $err.Exception.Message | Should -Match 'read-only \(mode 0444\)'
        $err.Exception.Message | Should -Match 'chmod u\+w'
        [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -BeExactly $Original
        (Get-Item $env:AWS_CONFIG_FILE).UnixFileMode | Should -Be ([IO.UnixFileMode]'UserRead, GroupRead, OtherRead')
        Test-Path $tokenFile | Should -BeFalse

        chmod u+w $env:AWS_CONFIG_FILE
        Invoke-SetProfile @{ TokenFilePath = $tokenFile } | Should -BeNullOrEmpty
        [IO.File]::ReadAllText($env:AWS_CONFIG_FILE) | Should -Match '\[profile links\]'
    }
}
