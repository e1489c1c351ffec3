# Crash safety of Set-GitlabAwsProfile: a writer killed (SIGKILL, no chance to clean up) at a random moment of a loop of
# writes leaves every file it was writing either as it was or as one complete new version: the config file still starts
# with every pre-existing byte and parses, the credentials file is unchanged, each token file holds the whole token. The
# lock it held is released by its death. Stray temp files (.<name>.gitlabsts-*.tmp) a kill left behind are gone after
# the next successful write, also those of another profile's token file.
#
# Two kinds of kill: some at a random moment of the loop (wherever they land), and some aimed: a tight poll sees the
# writer create the config file's temp file and the kill follows at once, while the 4 MiB file is being written and
# flushed. The test fails when no kill landed mid-write (a temp file was left: the writer was between creating and
# renaming it): a test whose kills all land between writes would prove nothing. Random kills alone missed that window
# in one CI run of 12, so the aimed kills make it certain enough not to depend on luck.
Describe 'Crash safety' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        . (Join-Path $PSScriptRoot 'ReliabilityCommon.ps1')
        $script:Key = New-TestSigningKey
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'sts.amazonaws.com'
        $script:Work = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-crash-$([guid]::NewGuid())") -Force
        $script:Kills = 0; $script:MidWrite = 0; $script:Intact = 0

        # Starts a fresh pwsh that writes profiles crash0..crash2 in a loop (each write rewrites the config file, its
        # token file and checks the credentials file) and prints 'ready' after its first write.
        function Start-Writer([string] $Aws) {
            $child = @'
Import-Module $env:REL_MANIFEST
$ErrorActionPreference = 'Stop'
for ($i = 1; ; $i++) {
    Set-GitlabAwsProfile -RoleArn "arn:aws:iam::123456789012:role/r$i" -WebIdentityToken $env:REL_TOKEN -ProfileName "crash$($i % 3)" `
        -ConfigPath (Join-Path $env:REL_AWS 'config') -CredentialsPath (Join-Path $env:REL_AWS 'credentials')
    if ($i -eq 1) { [Console]::Out.WriteLine('ready'); [Console]::Out.Flush() }
}
'@
            $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            foreach ($a in @($PwshDll, '-NoProfile', '-NonInteractive', '-Command', $child)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.Environment['REL_MANIFEST'] = $ModuleManifest
            $psi.Environment['REL_TOKEN'] = $script:Token
            $psi.Environment['REL_AWS'] = $Aws
            [System.Diagnostics.Process]::Start($psi)
        }
    }

    AfterAll {
        Remove-Item $script:Work -Recurse -Force -ErrorAction Ignore
        Add-ReliabilitySummary "writers killed mid-loop: $script:Kills ($script:MidWrite mid-write, leaving a temp file; previous files intact after $script:Intact; no stray temp file after the next write)"
    }

    It 'a writer killed at a random moment or mid-write leaves the previous files intact, and the next write leaves no stray temp file' {
        $aws = (New-Item -ItemType Directory -Path (Join-Path $script:Work 'aws')).FullName
        $config = Join-Path $aws 'config'
        $credentials = Join-Path $aws 'credentials'
        # 4 MiB of other profiles, and a credentials file the writes must leave alone.
        $sb = [Text.StringBuilder]::new("# a comment to keep`n")
        for ($n = 0; $sb.Length -lt 4MB; $n++) { $null = $sb.Append("[profile keep$n]`nrole_arn = arn:aws:iam::123456789012:role/keep-$n-$('x' * 40)`nregion = eu-west-1`n`n") }
        $original = [Text.Encoding]::UTF8.GetBytes($sb.ToString())
        [IO.File]::WriteAllBytes($config, $original)
        [IO.File]::WriteAllText($credentials, "[other]`naws_access_key_id = AKIAOTHEREXAMPLE0001`naws_secret_access_key = other-secret`n")
        $credentialsHash = (Get-FileHash $credentials).Hash
        $section = '\[profile crash\d\]\nrole_arn = arn:aws:iam::123456789012:role/r\d+\nweb_identity_token_file = [^\n]+/gitlabsts/crash\d\.token\nrole_session_name = [\w+=,.@-]+\nduration_seconds = 3600\n'
        $rng = [Random]::new()
        $log = [Collections.Generic.List[string]]::new()

        # Rounds 1-4 kill at a random moment; later rounds aim at a write in progress, until 3 kills landed mid-write.
        for ($round = 1; $round -le 12 -and -not ($round -gt 4 -and $script:MidWrite -ge 3); $round++) {
            $aimed = $round -gt 4
            $p = Start-Writer $aws
            try {
                $ready = $p.StandardOutput.ReadLineAsync()
                $ready.Wait(90000) | Should -BeTrue -Because 'the writer made its first write'
                $ready.Result | Should -Be 'ready' -Because "the writer started ($(if ($p.HasExited) { $p.StandardError.ReadToEnd() }))"
                if ($aimed) {
                    # A tight poll, not a FileSystemWatcher: the watcher's event arrives after the 4 MiB write is done.
                    $deadline = [DateTime]::UtcNow.AddSeconds(30); $polls = 0
                    while (-not [IO.Directory]::EnumerateFiles($aws, '.config.gitlabsts-*.tmp').GetEnumerator().MoveNext()) {
                        if ((++$polls % 1000) -eq 0 -and [DateTime]::UtcNow -gt $deadline) { throw 'The writer made no temp file for 30 s.' }
                    }
                }
                else { Start-Sleep -Milliseconds $rng.Next(50, 1500) }
                $p.HasExited | Should -BeFalse -Because "the writer is still writing ($(if ($p.HasExited) { $p.StandardError.ReadToEnd() }))"
                $p.Kill()   # SIGKILL: no finally block, no cleanup
                $p.WaitForExit()
            }
            finally {
                if (-not $p.HasExited) { $p.Kill() }
                $p.Dispose()
            }
            $script:Kills++

            $temps = @(Get-ChildItem -LiteralPath $aws -Recurse -Force -File | Where-Object Name -Match '^\..+\.gitlabsts-.+\.tmp$')
            if ($temps.Count) { $script:MidWrite++ }
            $log.Add("round $round`: killed $(if ($aimed) { 'as a temp file appeared' } else { 'at a random moment' }); temp files left: $($temps.Count) ($(@($temps.Name) -join ', '))")

            # The config file: every pre-existing byte, then only complete crash sections; it parses as INI.
            $bytes = [IO.File]::ReadAllBytes($config)
            $bytes.Length | Should -BeGreaterThan $original.Length
            [Linq.Enumerable]::SequenceEqual([byte[]]$bytes[0..($original.Length - 1)], [byte[]]$original) | Should -BeTrue -Because 'every pre-existing byte of the config file is intact'
            $rest = [Text.Encoding]::UTF8.GetString($bytes, $original.Length, $bytes.Length - $original.Length)
            $rest | Should -Match "^(\n?$section)+\n?$" -Because 'after the old bytes come only complete sections of the written profiles'
            foreach ($line in [Text.Encoding]::UTF8.GetString($bytes) -split "`n") {
                if ($line -notmatch '^(|#.*|\[[^\]\s]+( [^\]\s]+)?\]|[a-z_]+ = \S.*)$') { throw "The config file does not parse: '$line'" }
            }
            (Get-FileHash $credentials).Hash | Should -Be $credentialsHash -Because 'the credentials file was only read'
            foreach ($t in Get-ChildItem -LiteralPath (Join-Path $aws 'gitlabsts') -Filter '*.token') {
                [IO.File]::ReadAllText($t.FullName) | Should -BeExactly $script:Token -Because "$($t.Name) holds the whole token"
            }
            $script:Intact++
        }
        Write-Host ($log -join "`n")
        $script:MidWrite | Should -BeGreaterThan 0 -Because "at least one kill must land mid-write for this test to prove anything ($script:Kills kills)"

        # The next write (in this process) takes the lock the killed writer held and removes the stray temp files: its
        # own files' and, their locks being free, those of the other token files in the folder.
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Set-GitlabAwsProfile -RoleArn 'arn:aws:iam::123456789012:role/after' -WebIdentityToken $script:Token -ProfileName 'crash1' -ConfigPath $config -CredentialsPath $credentials
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'the lock of a killed writer is released by its death'
        @(Get-ChildItem -LiteralPath $aws -Recurse -Force -File | Where-Object Name -Match '\.gitlabsts-.+\.tmp$').Name | Should -BeNullOrEmpty -Because 'the next write removes stray temp files'
        (Get-Content -Raw $config) | Should -Match 'role_arn = arn:aws:iam::123456789012:role/after'
        [IO.File]::ReadAllBytes($config)[0..($original.Length - 1)] -join ',' | Should -Be ($original -join ',')
    }
}
