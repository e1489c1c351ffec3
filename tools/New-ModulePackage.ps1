# Makes the Gallery package of a built module: copies it to a staging folder, writes the CHANGELOG.md section
# of its version into the manifest's ReleaseNotes, refuses files that must not ship, and publishes it with
# PSResourceGet to a temporary local repository (registered -Trusted, unregistered in finally). Writes
# <OutputPath>/GitlabSts.<version>.nupkg and returns its path. The built module itself is not changed.
# Used by build.ps1 -Task Package and by tests/Pester/Gallery.Tests.ps1.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ChangelogPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$name = Split-Path $ModulePath -Leaf
$version = (Import-PowerShellDataFile (Join-Path $ModulePath "$name.psd1")).ModuleVersion

# The section '## <version>' of the changelog, as the release notes.
$changelog = Get-Content -Raw $ChangelogPath
$sections = [regex]::Matches($changelog, '(?ms)^## +\[?(?<version>[^\]\s]+)\]?[^\n]*\n(?<body>.*?)(?=^## |\z)')
$section = @($sections | Where-Object { $_.Groups['version'].Value -eq $version })
if (-not $section) { throw "$ChangelogPath has no '## $version' section: add one before packaging." }
$notes = "$version`n`n$($section[0].Groups['body'].Value.Trim())"

# Only what ships: manifest, psm1, views, help, docs and the bin/<framework> trees (pdbs included, for readable
# stack traces). Never the PowerShell SDK, a deps.json, test assets or anything else.
$allowed = '.dll', '.pdb', '.psd1', '.psm1', '.ps1xml', '.xml', '.txt', '.md', ''
$unexpected = @(Get-ChildItem -Path $ModulePath -Recurse -File | Where-Object {
        $_.Name -in 'System.Management.Automation.dll', "$name.deps.json" -or $_.Name -match 'Test|xunit|Pester' -or $_.Extension -notin $allowed
    })
if ($unexpected) { throw "Files that must not ship are in ${ModulePath}: $($unexpected.FullName -join ', ')" }

$work = Join-Path ([IO.Path]::GetTempPath()) "gitlabsts-package-$([guid]::NewGuid().ToString('n'))"
$stage = Join-Path $work "stage/$name"
$feed = Join-Path $work 'feed'
$repository = "GitlabStsBuild-$([guid]::NewGuid().ToString('n').Substring(0, 8))"
New-Item -ItemType Directory -Path $stage, $feed -Force | Out-Null
try {
    Copy-Item -Path (Join-Path $ModulePath '*') -Destination $stage -Recurse
    $manifestPath = Join-Path $stage "$name.psd1"
    $manifest = Get-Content -Raw $manifestPath
    $manifest = [regex]::Replace($manifest, "(?m)^(\s*ReleaseNotes\s*=\s*)'(?:[^']|'')*'", { param($m) $m.Groups[1].Value + "'" + ($notes -replace "'", "''") + "'" })
    Set-Content -Path $manifestPath -Value $manifest -NoNewline -Encoding utf8
    $tested = Test-ModuleManifest -Path $manifestPath
    if ("$($tested.ReleaseNotes)" -ne $notes) { throw "The release notes did not reach $manifestPath." }

    Register-PSResourceRepository -Name $repository -Uri $feed -Trusted
    Publish-PSResource -Path $stage -Repository $repository
    $built = @(Get-ChildItem -Path $feed -Filter '*.nupkg')
    if ($built.Count -ne 1) { throw "Publish-PSResource wrote $($built.Count) packages to $feed." }
    New-Item -ItemType Directory -Path $OutputPath -Force | Out-Null
    $target = Join-Path $OutputPath "$name.$version.nupkg"
    Move-Item -Path $built[0].FullName -Destination $target -Force
    $target
}
finally {
    Unregister-PSResourceRepository -Name $repository -ErrorAction Ignore
    Remove-Item -Path $work -Recurse -Force -ErrorAction Ignore
}
