#Requires -Version 7.2
# Hardening (CONTRACT.md "Hardening (0.2)") of the module's own PowerShell surface: the -ProfileName completer offers
# every name as one single-quoted string argument, whatever the name holds, and the assembly resolvers answer only
# for simple names (a requested name can never point outside the dependencies folder).

BeforeDiscovery {
    # Profile names a config file may hold that are code, or end a quoted string, when typed bare into PowerShell.
    # Every typographic single quote (U+2018-U+201B) closes a '...' string in PowerShell, like the ASCII one.
    $hostile = @(
        'x|Get-Date', 'a;Get-Date', 'a&b', '$(Get-Date)', '${env:HOME}', '$env:HOME', '@splat', 'a,b', '(Get-Date)',
        '{Get-Date}', 'a`b', 'a"b', "o'brien", "q''q", "'", "a$([char]0x2018)b", "a$([char]0x2019)b", "a$([char]0x201A)b",
        "a$([char]0x201B)b", "$([char]0x2019)+(Get-Date)+$([char]0x2019)", '-ProfileName', '--%', '#comment', '<a>', 'plain'
    )
    $hostileCases = @($hostile | ForEach-Object { @{ Name = $_ } })
    $simpleNames = 'AWSSDK.Core', 'GitlabSts.Core', 'Microsoft.IdentityModel.Tokens', 'x', 'a-b_c'
    $unsafeNames = '../x', '..\x', '/tmp/x', '\\server\share\x', 'a/b', 'a\b', 'C:x', 'C:\x', '..', 'a..b', '', ' ', "a$([char]0)b"
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Tab completion of -ProfileName offers each name as one string argument' -ForEach @(@{ Hostile = $hostile }) {
    BeforeAll {
        $script:SavedEnv = Save-TestEnvironment
        $script:Dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-completer-$([guid]::NewGuid().ToString('N'))")
        $env:AWS_CONFIG_FILE = Join-Path $script:Dir 'config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $script:Dir 'credentials'
        [IO.File]::WriteAllText($env:AWS_CONFIG_FILE, (($Hostile | ForEach-Object { "[profile $_]`nregion = us-east-1`n" }) -join "`n"))
        [IO.File]::WriteAllText($env:AWS_SHARED_CREDENTIALS_FILE, "[from-credentials]`naws_access_key_id = AKIAEXAMPLE`n")
        function Get-Completion([string] $Line) { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches) }
        $script:All = Get-Completion 'Set-GitlabAwsProfile -ProfileName '
    }
    AfterAll {
        Restore-TestEnvironment $script:SavedEnv
        Remove-Item -LiteralPath $script:Dir -Recurse -Force -ErrorAction Ignore
    }

    It 'offers every profile of the config and credentials files, each quoted' {
        @($script:All.ListItemText | Sort-Object) | Should -Be @(@($Hostile) + 'from-credentials' | Sort-Object)
        foreach ($c in $script:All) {
            $c.CompletionText | Should -Match "^'.*'$" -Because "every offered name is quoted, also $($c.ListItemText)"
            $c.ResultType | Should -Be 'ParameterValue'
        }
    }

    It '<Name> is offered as one string argument whose value is the name' -ForEach $hostileCases {
        $offer = @($script:All | Where-Object ListItemText -CEQ $Name)
        $offer.Count | Should -Be 1
        $line = "Set-GitlabAwsProfile -ProfileName $($offer[0].CompletionText) -WhatIf"
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty -Because "the accepted completion parses: $line"
        $commands = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true))
        $commands.Count | Should -Be 1 -Because "no second command in: $line"
        $elements = $commands[0].CommandElements
        $elements.Count | Should -Be 4 -Because "command, -ProfileName, one argument, -WhatIf in: $line"
        $elements[1].ParameterName | Should -Be 'ProfileName'
        $elements[2] | Should -BeOfType [System.Management.Automation.Language.StringConstantExpressionAst]
        $elements[2].StringConstantType | Should -Be 'SingleQuoted'
        $elements[2].Value | Should -BeExactly $Name
        @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.SubExpressionAst] -or $args[0] -is [System.Management.Automation.Language.VariableExpressionAst] }, $true)) |
            Should -BeNullOrEmpty -Because 'nothing in the argument is evaluated'
    }

    It '<Name>, accepted, runs no code: the command receives exactly the name' -ForEach $hostileCases {
        $offer = @($script:All | Where-Object ListItemText -CEQ $Name)
        $out = @(& ([scriptblock]::Create("Write-Output -InputObject $($offer[0].CompletionText)")))
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType [string]
        $out[0] | Should -BeExactly $Name
    }

    It 'completes what is typed so far, bare or inside a started quote' {
        @((Get-Completion 'Set-GitlabAwsProfile -ProfileName x').ListItemText) | Should -Be @('x|Get-Date')
        @((Get-Completion "Set-GitlabAwsProfile -ProfileName 'o''b").ListItemText) | Should -Be @("o'brien")
        @((Get-Completion "Set-GitlabAwsProfile -ProfileName $([char]0x2018)o''b").ListItemText) | Should -Be @("o'brien")
        @((Get-Completion "Set-GitlabAwsProfile -ProfileName 'from").CompletionText) | Should -Be @("'from-credentials'")
    }
}

Describe 'Assembly resolvers answer only for simple names' {
    BeforeAll {
        $script:Assembly = [GitlabSts.ModuleInitializer].Assembly
        $loader = $script:Assembly.GetType('GitlabSts.DependencyLoader', $true)
        $flags = [Reflection.BindingFlags]'NonPublic, Static'
        $script:IsSimpleName = $loader.GetMethod('IsSimpleName', $flags)
        $script:DependencyPath = $loader.GetMethod('DependencyPath', $flags)
        $script:DependencyFolder = [GitlabSts.ModuleInitializer].GetField('DependencyFolder', $flags).GetValue($null)
    }

    It 'a simple name <_> is answered from the dependencies folder' -ForEach $simpleNames {
        $script:IsSimpleName.Invoke($null, @(, $_)) | Should -BeTrue
        $script:DependencyPath.Invoke($null, @(, $_)) | Should -Be (Join-Path $script:DependencyFolder "$_.dll")
    }

    It 'a name with a path in it (<_>) is not answered' -ForEach $unsafeNames {
        $script:IsSimpleName.Invoke($null, @(, $_)) | Should -BeFalse
        $script:DependencyPath.Invoke($null, @(, $_)) | Should -BeNullOrEmpty
    }

    It 'null is not answered' {
        $script:IsSimpleName.Invoke($null, @(, $null)) | Should -BeFalse
    }

    It 'the private load context loads no assembly named by a path outside its folder (<_>)' -Skip:($PSVersionTable.PSEdition -ne 'Core') -ForEach @('rooted', 'relative') {
        # An assembly outside the dependencies folder, requested by a name that AssemblyName accepts ("/tmp/.../Evil",
        # "../../../tmp/.../Evil"): the context must not load it (a load runs its module initializer).
        $dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-resolver-$([guid]::NewGuid().ToString('N'))")
        try {
            $evil = Join-Path $dir 'Evil.dll'
            Add-Type -TypeDefinition 'public class GitlabStsResolverMarker {}' -OutputAssembly $evil -OutputType Library
            $name = if ($_ -eq 'rooted') { Join-Path $dir 'Evil' } else { ('../' * 24) + ($dir.FullName.TrimStart('/')) + '/Evil' }
            [IO.Path]::GetFullPath([IO.Path]::Combine($script:DependencyFolder, "$name.dll")) | Should -Be $evil -Because 'without the name check the path would reach the file'
            $context = $script:Assembly.GetType('GitlabSts.GitlabStsLoadContext', $true).GetField('Instance', [Reflection.BindingFlags]'NonPublic, Static').GetValue($null)
            { $context.LoadFromAssemblyName([Reflection.AssemblyName]::new($name)) } | Should -Throw
            @($context.Assemblies | Where-Object { $_.Location -and $_.Location.StartsWith($dir.FullName) }) | Should -BeNullOrEmpty
            @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -and $_.Location.StartsWith($dir.FullName) }) | Should -BeNullOrEmpty
        }
        finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }
    }
}
