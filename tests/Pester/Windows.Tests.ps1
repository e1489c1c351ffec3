# Windows reach from this Linux machine (issue 13): what can be checked without Windows.
# - The Windows CI template's script lines parse for both `powershell` (5.1) and `pwsh` (7), with no 7-only syntax.
# - Every shipped net472 assembly's references are carried by bin/net472 (or are .NET Framework 4.7.2's own).
# The net472 code itself runs under Mono in build.ps1's xunit net472 leg; see README "Windows PowerShell 5.1".
BeforeDiscovery {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    # The YAML, read with PyYAML (a moto dependency here); GitLab's !reference tags are kept as markers.
    $reader = @'
import json, sys, yaml
class Loader(yaml.SafeLoader): pass
Loader.add_constructor('!reference', lambda loader, node: {'!reference': loader.construct_sequence(node)})
# A CI/CD component is two documents: the spec: inputs: header, then (after ---) the jobs.
doc = list(yaml.load_all(open(sys.argv[1], encoding='utf-8'), Loader=Loader))[-1]
out = []
for job, body in doc.items():
    if not isinstance(body, dict): continue
    for key in ('before_script', 'script', 'after_script'):
        for i, line in enumerate(body.get(key) or []):
            if isinstance(line, str): out.append({'Job': job, 'Key': key, 'Index': i, 'Line': line})
print(json.dumps(out))
'@
    $script:ScriptLines = foreach ($template in Get-ChildItem (Join-Path $script:RepoRoot 'templates') -Filter '*windows*.yml') {
        $json = & python3 -c $reader $template.FullName
        if ($LASTEXITCODE -ne 0) { throw "Cannot read $($template.FullName) with python3 + PyYAML." }
        foreach ($entry in ($json | ConvertFrom-Json)) {
            @{ Template = $template.Name; Job = $entry.Job; Key = $entry.Key; Index = $entry.Index; Line = $entry.Line }
        }
    }
}

Describe 'Windows template script lines' {
    It 'the Windows template has script lines to check (<Count>)' -ForEach @(@{ Count = @($script:ScriptLines).Count }) {
        $Count | Should -BeGreaterThan 2
    }

    It '<Template> <Job>.<Key>[<Index>] parses and uses nothing Windows PowerShell 5.1 lacks' -ForEach $script:ScriptLines {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Line, [ref] $tokens, [ref] $errors)
        @($errors | ForEach-Object { "$($_.Extent.StartLineNumber):$($_.Extent.StartColumnNumber) $($_.Message)" }) | Should -BeNullOrEmpty

        # Syntax that PowerShell 7 parses but 5.1 rejects: && and || pipeline chains, ?: ternaries, ?? and ??=,
        # ?. and ?[] null-conditional access.
        $sevenOnly = @($ast.FindAll({
                    param($node)
                    $node -is [System.Management.Automation.Language.PipelineChainAst] -or
                    $node -is [System.Management.Automation.Language.TernaryExpressionAst] -or
                    ($node -is [System.Management.Automation.Language.BinaryExpressionAst] -and $node.Operator -eq 'QuestionQuestion') -or
                    ($node -is [System.Management.Automation.Language.AssignmentStatementAst] -and $node.Operator -eq 'QuestionQuestionEquals') -or
                    ($node -is [System.Management.Automation.Language.MemberExpressionAst] -and $node.NullConditional) -or
                    ($node -is [System.Management.Automation.Language.IndexExpressionAst] -and $node.NullConditional)
                }, $true) | ForEach-Object { $_.Extent.Text })
        $sevenOnly | Should -BeNullOrEmpty -Because 'GitLab Runner may run this line with the powershell (5.1) shell'
        # Tokens only 7 knows (a parse that 7 accepted through them would still fail on 5.1).
        @($tokens | Where-Object Kind -In 'AndAnd', 'OrOr', 'QuestionMark', 'QuestionDot', 'QuestionLBracket', 'QuestionQuestion', 'QuestionQuestionEquals' | ForEach-Object Text) |
            Should -BeNullOrEmpty
    }

    It 'the checks catch 7-only syntax (so a clean result means something)' {
        foreach ($line in 'Get-Item x && Get-Item y', '$a = $b ? 1 : 2', '$a = $b ?? 3', '$a ??= 4', '${a}?.Name') {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($line, [ref] $tokens, [ref] $errors)
            @($tokens | Where-Object Kind -In 'AndAnd', 'OrOr', 'QuestionMark', 'QuestionDot', 'QuestionLBracket', 'QuestionQuestion', 'QuestionQuestionEquals') |
                Should -Not -BeNullOrEmpty -Because $line
        }
    }
}

Describe 'Shipped net472 assemblies' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Bin = Join-Path (Split-Path $script:ModuleManifest) 'bin/net472'
        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $reference = Join-Path $packages 'microsoft.netframework.referenceassemblies.net472/1.0.3/build/.NETFramework/v4.7.2'
        if (-not (Test-Path $reference)) { throw "$reference is missing (restored by building src/GitlabSts.Core for net472)." }
        # .NET Framework 4.7.2's own assemblies and facades (netstandard, System.Runtime...), by name.
        $script:Framework = @{}
        foreach ($dll in Get-ChildItem $reference, (Join-Path $reference 'Facades') -Filter *.dll) { $script:Framework[$dll.BaseName] = $true }
        # Provided by Windows PowerShell 5.1 itself.
        $script:Framework['System.Management.Automation'] = $true

        function Get-AssemblyReferences([string] $Path) {
            $stream = [IO.File]::OpenRead($Path)
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
                $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                $self = $md.GetAssemblyDefinition()
                [pscustomobject]@{
                    Name       = $md.GetString($self.Name)
                    Version    = $self.Version
                    References = @(foreach ($handle in $md.AssemblyReferences) {
                            $r = $md.GetAssemblyReference($handle)
                            [pscustomobject]@{ Name = $md.GetString($r.Name); Version = $r.Version }
                        })
                }
            }
            finally { $stream.Dispose() }
        }

        $script:Shipped = @(@(Get-Item (Join-Path $script:Bin 'GitlabSts.dll')) + @(Get-ChildItem (Join-Path $script:Bin 'dependencies') -Filter *.dll) |
                ForEach-Object { Get-AssemblyReferences $_.FullName | Add-Member -PassThru File $_.Name })
        $script:Carried = @{}
        foreach ($a in $script:Shipped) { $script:Carried[$a.Name] = $a.Version }
    }

    It 'ships GitlabSts.dll, GitlabSts.Core and its dependencies for net472' {
        $script:Carried.Keys | Should -Contain 'GitlabSts'
        $script:Carried.Keys | Should -Contain 'GitlabSts.Core'
        $script:Carried.Keys | Should -Contain 'System.Text.Json'
        $script:Carried.Keys | Should -Contain 'AWSSDK.SecurityToken'
    }

    It 'every reference of every shipped assembly is .NET Framework 4.7.2''s or carried at that version or newer' {
        $missing = foreach ($assembly in $script:Shipped) {
            foreach ($ref in $assembly.References) {
                if ($script:Framework.ContainsKey($ref.Name)) { continue }
                if (-not $script:Carried.ContainsKey($ref.Name)) { "$($assembly.File) -> $($ref.Name) $($ref.Version): not in bin/net472"; continue }
                # The AssemblyResolve handler answers by simple name, so a newer carried version binds; an older one would miss members.
                if ($script:Carried[$ref.Name] -lt $ref.Version) { "$($assembly.File) -> $($ref.Name) $($ref.Version): bin/net472 carries $($script:Carried[$ref.Name])" }
            }
        }
        @($missing) | Should -BeNullOrEmpty
    }

    It 'the check finds a reference the folder does not carry (so a clean result means something)' {
        $script:Framework.ContainsKey('AWSSDK.Core') | Should -BeFalse
        $script:Framework.ContainsKey('mscorlib') | Should -BeTrue
        $script:Carried.ContainsKey('Newtonsoft.Json') | Should -BeFalse
    }
}
