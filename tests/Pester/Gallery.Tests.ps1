# Gallery readiness: the package made by tools/New-ModulePackage.ps1 (what build.ps1 -Task Package runs) installs
# with PSResourceGet and imports by name in a fresh session; help quality; the manifest. (The CI/CD components: Templates.Tests.ps1, Components.Tests.ps1.)
Describe 'Gallery readiness' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:BuiltModule = Split-Path $script:ModuleManifest
        $script:Cmdlets = 'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole'
        $script:Version = (Import-PowerShellDataFile $script:ModuleManifest).ModuleVersion
        $script:Work = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-gallery-$([guid]::NewGuid().ToString('n'))"
        New-Item -ItemType Directory -Path $script:Work -Force | Out-Null

        # The package, once for this file, from a copy of the built module (the Package task's own script).
        $script:Package = & (Join-Path $script:RepoRoot 'tools/New-ModulePackage.ps1') -ModulePath $script:BuiltModule `
            -ChangelogPath (Join-Path $script:RepoRoot 'CHANGELOG.md') -OutputPath (Join-Path $script:Work 'packages')

        # Install-PSResource from a local repository, in a fresh process whose HOME is a temporary folder: its
        # repository registration and its CurrentUser module path are private to this test (Save-PSResource -Path
        # on Windows, where the module path does not follow HOME).
        $script:TempHome = Join-Path $script:Work 'home'
        $script:InstallEnvironment = @{ HOME = $script:TempHome; XDG_DATA_HOME = (Join-Path $script:TempHome '.local/share'); XDG_CONFIG_HOME = (Join-Path $script:TempHome '.config'); XDG_CACHE_HOME = (Join-Path $script:TempHome '.cache') }
        New-Item -ItemType Directory -Path $script:TempHome -Force | Out-Null
        $script:ModulesRoot = if ($IsWindows) { Join-Path $script:Work 'modules' } else { Join-Path $script:TempHome '.local/share/powershell/Modules' }
        $install = @'
$ErrorActionPreference = 'Stop'
$name = 'GitlabStsTest' + [guid]::NewGuid().ToString('n').Substring(0, 8)
Register-PSResourceRepository -Name $name -Uri $env:GALLERY_FEED -Trusted
try {
    if ($IsWindows) { Save-PSResource -Name GitlabSts -Version $env:GALLERY_VERSION -Repository $name -Path $env:GALLERY_MODULES -TrustRepository -Quiet }
    else { Install-PSResource -Name GitlabSts -Version $env:GALLERY_VERSION -Repository $name -Scope CurrentUser -TrustRepository -Quiet }
    (Get-InstalledPSResource -Name GitlabSts -Path $env:GALLERY_MODULES).InstalledLocation
}
finally { Unregister-PSResourceRepository -Name $name }
'@
        $environment = $script:InstallEnvironment + @{ GALLERY_FEED = (Split-Path $script:Package); GALLERY_VERSION = $script:Version; GALLERY_MODULES = $script:ModulesRoot }
        $script:InstallResult = Invoke-FreshPwsh -Script $install -Environment $environment
        $script:Installed = Join-Path $script:ModulesRoot "GitlabSts/$($script:Version)"

        # PowerShell commands (a CommandAst or the text of a string, e.g. pwsh -Command '...') that call our cmdlets,
        # with the parameters they name.
        function Get-CmdletParameterUse([string] $Code, [string] $Source) {
            $tokens = $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
            foreach ($command in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $name = $command.GetCommandName()
                if ($name -notin $script:Cmdlets) { continue }
                $parameters = @($command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object ParameterName)
                [pscustomobject]@{ Source = $Source; Command = $name; Parameters = $parameters }
            }
            $strings = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.StringConstantExpressionAst] -or $n -is [System.Management.Automation.Language.ExpandableStringExpressionAst] }, $true)
            foreach ($s in $strings) {
                # Quoted text only (a bare word is a command name or an argument), and only text that holds a call.
                $quoted = $s -is [System.Management.Automation.Language.ExpandableStringExpressionAst] -or $s.StringConstantType -ne 'BareWord'
                if ($quoted -and $s.Value -ne $Code -and $s.Value -match ($script:Cmdlets -join '|')) { Get-CmdletParameterUse -Code $s.Value -Source $Source }
            }
        }

        function Assert-RealParameter($Use) {
            $bad = foreach ($u in $Use) {
                $known = (Get-Command $u.Command).Parameters.Keys
                foreach ($p in $u.Parameters) { if ($p -notin $known) { "$($u.Source): $($u.Command) -$p" } }
            }
            $bad | Should -BeNullOrEmpty -Because 'every parameter named must exist on the cmdlet'
        }
    }

    AfterAll {
        Remove-Item -Path $script:Work -Recurse -Force -ErrorAction Ignore
    }

    Context 'The package' {
        It 'is made by PSResourceGet as GitlabSts.<version>.nupkg and leaves no repository registered' {
            Split-Path $script:Package -Leaf | Should -Be "GitlabSts.$($script:Version).nupkg"
            Get-PSResourceRepository | Where-Object Name -like 'GitlabStsBuild-*' | Should -BeNullOrEmpty
        }

        It 'contains exactly the built module (pdbs included; no PowerShell SDK, no test files)' {
            Add-Type -AssemblyName System.IO.Compression.FileSystem
            $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Package)
            try { $entries = @($zip.Entries.FullName | ForEach-Object { [Uri]::UnescapeDataString($_) }) }
            finally { $zip.Dispose() }
            $packaging = '^(_rels/|package/|\[Content_Types\]\.xml$|GitlabSts\.nuspec$)'
            $shipped = @($entries | Where-Object { $_ -notmatch $packaging } | Sort-Object)
            $built = @(Get-ChildItem $script:BuiltModule -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($script:BuiltModule, $_.FullName) -replace '\\', '/' } | Sort-Object)
            $shipped | Should -Be $built
            $shipped | Should -Contain 'en-US/GitlabSts.dll-Help.xml'
            $shipped | Should -Contain 'en-US/about_GitlabSts.help.txt'
            $shipped | Should -Contain 'LICENSE'
            $shipped | Should -Contain 'bin/net8.0/dependencies/AWSSDK.Core.dll'
            $shipped | Should -Contain 'bin/net472/dependencies/AWSSDK.Core.dll'
            $shipped | Where-Object { $_ -match 'System\.Management\.Automation|Test|xunit|Pester|\.deps\.json$' } | Should -BeNullOrEmpty
            @($shipped -match '^bin/[^/]+/[^/]+\.dll$') | Should -Be @('bin/net472/GitlabSts.dll', 'bin/net8.0/GitlabSts.dll') -Because 'only the cmdlet assembly sits beside the loader; the rest loads from dependencies/'
        }

        It 'installs with PSResourceGet from a local repository' {
            $script:InstallResult.ExitCode | Should -Be 0 -Because $script:InstallResult.StdErr
            Test-Path (Join-Path $script:Installed 'GitlabSts.psd1') | Should -BeTrue
        }
    }

    Context 'The installed module, imported by name in a fresh session' {
        BeforeAll {
            $probe = @'
$ErrorActionPreference = 'Stop'
Import-Module GitlabSts
$module = Get-Module GitlabSts
$help = foreach ($c in $module.ExportedCmdlets.Keys) {
    $h = Get-Help $c -Examples
    $f = (Get-Command $c).HelpFile
    if (-not [IO.Path]::IsPathRooted($f)) { $f = Join-Path $module.ModuleBase "en-US/$f" }
    [ordered]@{ Name = $c; HelpFile = $f; Examples = @($h.examples.example).Count; Synopsis = "$($h.Synopsis)" }
}
$about = Get-Help about_GitlabSts | Out-String
$exchange = Get-GitlabWebIdentityCredential -RoleArn 'arn:aws:iam::123456789012:role/packaged' -TokenVariable GALLERY_TOKEN -EndpointUrl $env:GALLERY_MOTO -RoleSessionName packaged
[ordered]@{
    ModuleBase = $module.ModuleBase
    Version = "$($module.Version)"
    Cmdlets = @($module.ExportedCmdlets.Keys | Sort-Object)
    Functions = @($module.ExportedFunctions.Keys)
    Aliases = @($module.ExportedAliases.Keys)
    Variables = @($module.ExportedVariables.Keys)
    ReleaseNotes = "$($module.PrivateData.PSData.ReleaseNotes)"
    Help = @($help)
    AboutLength = $about.Length
    AboutHasTrust = $about -match 'HOW THE OIDC TRUST WORKS'
    AssumedRoleArn = $exchange.AssumedRoleArn
} | ConvertTo-Json -Depth 4 -Compress
'@
            $moto = Start-MotoServer
            $key = New-TestSigningKey
            $pathSeparator = [IO.Path]::PathSeparator
            $environment = $script:InstallEnvironment + @{
                PSModulePath  = $script:ModulesRoot + $pathSeparator + (Join-Path (Split-Path $script:PwshDll) 'Modules')
                GALLERY_TOKEN = (New-GitlabIdToken -Key $key -Audience 'sts.amazonaws.com'); GALLERY_MOTO = $moto.Url
            }
            $script:Probe = Invoke-FreshPwsh -Script $probe -Environment $environment
            Stop-MotoServer -Server $moto
            $script:Fresh = if ($script:Probe.ExitCode -eq 0) { @($script:Probe.StdOut -split "`r?`n" | Where-Object { $_.Trim() })[-1] | ConvertFrom-Json } else { $null }
        }

        It 'imports by name from the installed location' {
            $script:Probe.ExitCode | Should -Be 0 -Because "$($script:Probe.StdOut)`n$($script:Probe.StdErr)"
            $script:Fresh.ModuleBase | Should -Be (Resolve-Path $script:Installed).Path
            $script:Fresh.Version | Should -Be $script:Version
        }

        It 'exports exactly the three cmdlets and nothing else' {
            $script:Fresh.Cmdlets | Should -Be $script:Cmdlets
            $script:Fresh.Functions | Should -BeNullOrEmpty
            $script:Fresh.Aliases | Should -BeNullOrEmpty
            $script:Fresh.Variables | Should -BeNullOrEmpty
        }

        It 'has its help: Get-Help -Examples for each cmdlet from the packaged MAML, and about_GitlabSts' {
            foreach ($h in $script:Fresh.Help) {
                $h.HelpFile | Should -Be (Join-Path (Resolve-Path $script:Installed).Path 'en-US/GitlabSts.dll-Help.xml') -Because $h.Name
                $h.Examples | Should -BeGreaterOrEqual 3 -Because $h.Name
                $h.Synopsis | Should -Not -Match '^\s*\S+ \[' -Because "$($h.Name) has a written synopsis, not the generated syntax"
            }
            $script:Fresh.AboutHasTrust | Should -BeTrue
        }

        It 'carries the CHANGELOG section of its version as ReleaseNotes' {
            $script:Fresh.ReleaseNotes | Should -BeLike "$($script:Version)*"
            foreach ($c in $script:Cmdlets) { $script:Fresh.ReleaseNotes | Should -Match $c }
        }

        It 'completes an exchange against moto' {
            $script:Fresh.AssumedRoleArn | Should -Be 'arn:aws:sts::123456789012:assumed-role/packaged/packaged'
        }
    }

    Context 'Help quality (built module)' {
        It '<_> has a synopsis, a description, at least 3 examples and a description for every parameter' -ForEach @(
            'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole'
        ) {
            $help = Get-Help $_ -Full
            "$($help.Synopsis)" | Should -Not -BeNullOrEmpty
            "$($help.Synopsis)".Trim() | Should -Not -BeLike "$_ *" -Because 'a synopsis is written, not the generated syntax'
            ($help.description.Text -join ' ') | Should -Match '\w{3,}'
            @($help.examples.example).Count | Should -BeGreaterOrEqual 3
            foreach ($example in $help.examples.example) {
                $example.code | Should -Not -BeNullOrEmpty
                ($example.remarks.Text -join ' ') | Should -Match '\w{3,}' -Because "example '$($example.title)' explains itself"
            }
            $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
            $own = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common -or $_ -in 'WhatIf', 'Confirm' }
            $described = @{}
            foreach ($p in $help.parameters.parameter) { $described[$p.name] = ($p.description.Text -join ' ') }
            foreach ($p in $own) { $described[$p] | Should -Match '\w{3,}' -Because "-$p needs a description" }
        }

        It 'examples name only real parameters of the cmdlets' {
            $use = foreach ($c in $script:Cmdlets) {
                foreach ($example in (Get-Help $c -Examples).examples.example) { Get-CmdletParameterUse -Code $example.code -Source "$c example '$($example.title)'" }
            }
            @($use).Count | Should -BeGreaterOrEqual 10
            Assert-RealParameter $use
        }

        It 'about_GitlabSts covers the trust, the AWS set-up, discovery, the cmdlets, variables, error ids and troubleshooting' {
            $about = Get-Content -Raw (Join-Path $script:BuiltModule 'en-US/about_GitlabSts.help.txt')
            foreach ($heading in 'HOW THE OIDC TRUST WORKS', 'THE AWS SET-UP', 'TOKEN DISCOVERY', 'THE CMDLETS', 'ENVIRONMENT VARIABLES', 'ERROR IDS', 'TROUBLESHOOTING') {
                $about | Should -Match "(?m)^$heading\s*$"
            }
            foreach ($id in 'TokenNotFound', 'AmbiguousToken', 'MalformedToken', 'TokenExpired', 'InvalidRoleArn', 'InvalidSessionName', 'InvalidDuration',
                'InvalidPolicy', 'InvalidRegion', 'AccessDenied', 'InvalidIdentityToken', 'IdpCommunicationError', 'StsError', 'NetworkError', 'ProfileWriteFailed') {
                $about | Should -Match "GitlabSts\.$id\b"
            }
            foreach ($cmdlet in $script:Cmdlets) { $about | Should -Match $cmdlet }
            $about | Should -Match 'GITLABSTS_STS_TIMEOUT_SECONDS'
            $about | Should -Match 'sts:AssumeRoleWithWebIdentity'
        }
    }

    Context 'The manifest' {
        It 'passes Test-ModuleManifest, built and installed' {
            { Test-ModuleManifest -Path $script:ModuleManifest -ErrorAction Stop } | Should -Not -Throw
            { Test-ModuleManifest -Path (Join-Path $script:Installed 'GitlabSts.psd1') -ErrorAction Stop } | Should -Not -Throw
        }

        It 'has exact exports, views, types and the Gallery metadata' {
            $m = Test-ModuleManifest -Path $script:ModuleManifest
            $data = Import-PowerShellDataFile $script:ModuleManifest
            @($data.CmdletsToExport | Sort-Object) | Should -Be $script:Cmdlets
            foreach ($key in 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') { @($data[$key]).Count | Should -Be 0 -Because "$key is explicitly empty" }
            $data.FormatsToProcess | Should -Be 'GitlabSts.Format.ps1xml'
            $data.TypesToProcess | Should -Be 'GitlabSts.Types.ps1xml'
            $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
            $data.PowerShellVersion | Should -Be '5.1'
            $m.Version | Should -Be ([version] $script:Version)
            foreach ($tag in 'GitLab', 'AWS', 'OIDC', 'STS', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS') { $m.Tags | Should -Contain $tag }
            "$($m.ProjectUri)" | Should -Match '^https://'
            "$($m.LicenseUri)" | Should -Match '^https://.+LICENSE$'
            $m.ReleaseNotes | Should -Match 'Get-GitlabWebIdentityCredential'
            Test-Path (Join-Path $script:RepoRoot 'LICENSE') | Should -BeTrue
            Get-Content -Raw (Join-Path $script:RepoRoot 'LICENSE') | Should -Match 'MIT License'
        }
    }
}
