# Runs Pester in this (fresh) process and writes the counts to a JSON file for build.ps1.
param(
    [Parameter(Mandatory)] [string] $PesterModule,
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
# Several paths arrive as one argument joined with the path separator (a native call would split an array into
# separate arguments, and all but the first would then be positional).
$Path = @($Path | ForEach-Object { $_ -split [regex]::Escape([IO.Path]::PathSeparator) } | Where-Object { $_ })
Import-Module $PesterModule -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    # What failed, so the end of a long log (all a CI page may keep) names it.
    FailedNames = @(
        @($result.Failed) | ForEach-Object {
            $message = @($_.ErrorRecord)[0].Exception.Message -split "`n" | Select-Object -First 1
            "$($_.ExpandedPath): $(if ($message) { $message } else { '(not run: a setup block failed)' })"
        }
        @($result.FailedBlocks) + @($result.FailedContainers) | ForEach-Object { "$(if ($_.Name) { $_.Name } else { $_.Item }): setup failed: $(@($_.ErrorRecord)[0].Exception.Message -split "`n" | Select-Object -First 1)" }
    )
} | ConvertTo-Json -Depth 3 | Set-Content -Path $ResultPath -Encoding utf8
