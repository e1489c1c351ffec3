# Builds the module's MAML help (en-US/GitlabSts.dll-Help.xml) from docs/help/*.psd1, the one source of the
# help text, and the built cmdlets' own parameter metadata. Fails when a parameter has no description or a
# description names a parameter the cmdlet does not have, so the text and the code cannot drift apart.
# Run in a fresh process: it imports the built module.
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $HelpSource,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$module = Import-Module $ModuleManifest -PassThru -Force
$shared = Import-PowerShellDataFile (Join-Path $HelpSource 'Shared.psd1')
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$problems = [System.Collections.Generic.List[string]]::new()

$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
New-Item -ItemType Directory -Path (Split-Path $OutputPath) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutputPath, $settings)

$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Write-Paras([string[]] $Text) {
    $w.WriteStartElement('maml', 'description', $maml)
    foreach ($t in $Text) { $w.WriteElementString('maml', 'para', $maml, $t) }
    $w.WriteEndElement()
}

function Write-Parameter($Name, $Meta, $SetMeta, [string] $Description) {
    $pipeline = @()
    if ($SetMeta -and $SetMeta.ValueFromPipeline) { $pipeline += 'ByValue' }
    if ($SetMeta -and $SetMeta.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
    $w.WriteStartElement('command', 'parameter', $cmd)
    $w.WriteAttributeString('required', "$([bool]($SetMeta -and $SetMeta.IsMandatory))".ToLowerInvariant())
    $w.WriteAttributeString('variableLength', "$($Meta.ParameterType.IsArray)".ToLowerInvariant())
    $w.WriteAttributeString('globbing', 'false')
    $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
    $w.WriteAttributeString('position', $(if ($SetMeta -and $SetMeta.Position -ge 0) { "$($SetMeta.Position)" } else { 'named' }))
    $w.WriteAttributeString('aliases', $(if ($Meta.Aliases.Count) { $Meta.Aliases -join ', ' } else { 'none' }))
    $w.WriteElementString('maml', 'name', $maml, $Name)
    Write-Paras $Description
    $isSwitch = $Meta.ParameterType -eq [System.Management.Automation.SwitchParameter]
    if (-not $isSwitch) {
        $w.WriteStartElement('command', 'parameterValue', $cmd)
        $w.WriteAttributeString('required', 'true')
        $w.WriteAttributeString('variableLength', "$($Meta.ParameterType.IsArray)".ToLowerInvariant())
        $w.WriteString($Meta.ParameterType.Name)
        $w.WriteEndElement()
    }
    if ($Meta.ParameterType.IsEnum) {
        $w.WriteStartElement('command', 'parameterValueGroup', $cmd)
        foreach ($v in [Enum]::GetNames($Meta.ParameterType)) {
            $w.WriteStartElement('command', 'parameterValue', $cmd)
            $w.WriteAttributeString('required', 'false'); $w.WriteAttributeString('variableLength', 'false')
            $w.WriteString($v); $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $Meta.ParameterType.FullName); $w.WriteEndElement()
    $w.WriteEndElement()
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $sourceFile = Join-Path $HelpSource "$($command.Name).psd1"
    if (-not (Test-Path $sourceFile)) { $problems.Add("$($command.Name): no help source at $sourceFile"); continue }
    $help = Import-PowerShellDataFile $sourceFile
    $own = $command.Parameters.Values | Where-Object { $_.Name -notin $common -or $_.Name -in 'WhatIf', 'Confirm' }
    $describe = @{}
    foreach ($p in $own) {
        $text = if ($help.Parameters.ContainsKey($p.Name)) { $help.Parameters[$p.Name] } elseif ($shared.ContainsKey($p.Name)) { $shared[$p.Name] } else { $null }
        if (-not $text) { $problems.Add("$($command.Name) -$($p.Name): no description") } else { $describe[$p.Name] = $text }
    }
    foreach ($name in $help.Parameters.Keys) {
        if (-not $command.Parameters.ContainsKey($name)) { $problems.Add("$($command.Name): help describes -$name, which the cmdlet does not have") }
    }
    foreach ($key in 'Synopsis', 'Description', 'Examples') { if (-not $help[$key]) { $problems.Add("$($command.Name): no $key") } }
    if (@($help.Examples).Count -lt 3) { $problems.Add("$($command.Name): fewer than 3 examples") }

    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml)
    $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('command', 'name', $cmd, $command.Name)
    $w.WriteElementString('command', 'verb', $cmd, $command.Verb)
    $w.WriteElementString('command', 'noun', $cmd, $command.Noun)
    Write-Paras $help.Synopsis
    $w.WriteEndElement()
    Write-Paras $help.Description

    $w.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $command.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd)
        $w.WriteElementString('maml', 'name', $maml, $command.Name)
        foreach ($sp in $set.Parameters | Where-Object { $describe.ContainsKey($_.Name) }) {
            Write-Parameter $sp.Name $command.Parameters[$sp.Name] $sp $describe[$sp.Name]
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $own | Where-Object { $describe.ContainsKey($_.Name) } | Sort-Object Name) {
        $setMeta = $p.ParameterSets.Values | Sort-Object IsMandatory -Descending | Select-Object -First 1
        Write-Parameter $p.Name $p $setMeta $describe[$p.Name]
    }
    $w.WriteEndElement()

    foreach ($section in @(@{ Outer = 'inputTypes'; Inner = 'inputType'; Items = $help.Inputs }, @{ Outer = 'returnValues'; Inner = 'returnValue'; Items = $help.Outputs })) {
        $w.WriteStartElement('command', $section.Outer, $cmd)
        foreach ($item in @($section.Items)) {
            if (-not $item) { continue }
            $w.WriteStartElement('command', $section.Inner, $cmd)
            $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $item.Type); $w.WriteEndElement()
            Write-Paras $item.Description
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    if ($help.Notes) {
        $w.WriteStartElement('maml', 'alertSet', $maml); $w.WriteStartElement('maml', 'alert', $maml)
        $w.WriteElementString('maml', 'para', $maml, $help.Notes)
        $w.WriteEndElement(); $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'examples', $cmd)
    $n = 0
    foreach ($example in $help.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('maml', 'title', $maml, "--------- Example $($n): $($example.Title) ---------")
        $w.WriteElementString('dev', 'code', $dev, (@($example.Code) -join "`n"))
        $w.WriteStartElement('dev', 'remarks', $dev); $w.WriteElementString('maml', 'para', $maml, $example.Remarks); $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $cmd)
    foreach ($link in @('about_GitlabSts') + @((Get-Command -Module $module.Name -CommandType Cmdlet).Name | Where-Object { $_ -ne $command.Name })) {
        $w.WriteStartElement('maml', 'navigationLink', $maml)
        $w.WriteElementString('maml', 'linkText', $maml, $link); $w.WriteElementString('maml', 'uri', $maml, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()

foreach ($sourceFile in Get-ChildItem $HelpSource -Filter '*-*.psd1') {
    if (-not (Get-Command -Module $module.Name -Name $sourceFile.BaseName -ErrorAction Ignore)) {
        Write-Warning "Help source $($sourceFile.Name) has no cmdlet in the module."
    }
}
if ($problems.Count) {
    $problems | ForEach-Object { Write-Error $_ -ErrorAction Continue }
    exit 1
}
