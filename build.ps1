#Requires -Version 7.2
<#
.SYNOPSIS
    Builds, tests, demonstrates, packages and benchmarks GitlabSts.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Demo
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -PesterPath tests/Pester/GetCredential.Tests.ps1 -SkipUnitTests
    dotnet pwsh ./build.ps1 -Task Test -PesterPath 'tests/Pester/Reliability.*.ps1,tests/Pester/SetProfile.Tests.ps1'   (from a shell: commas)
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test: Pester files or folders to run (default: all of tests/Pester).
    [string[]] $PesterPath,

    # Test: skip the xunit run (quick Pester iterations).
    [switch] $SkipUnitTests,

    # Bench: rounds of fresh processes per figure (medians are reported).
    [ValidateRange(1, 100)]
    [int] $BenchRuns = 9
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'GitlabSts'
$Frameworks = 'net8.0', 'net472'
$FixtureModule = Join-Path $Root 'tests/Fixtures/GitlabSts.TestFixtures.psm1'

function Write-Step([string] $Text) {
    Write-Host "==> $Text" -ForegroundColor Cyan
}

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' exited with $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))).Project.PropertyGroup.VersionPrefix | Where-Object { $_ } | Select-Object -First 1
}

# The path of this PowerShell's pwsh.dll, so tests can start fresh processes as 'dotnet <pwsh.dll>' from any folder.
function Get-PwshDll {
    [System.Reflection.Assembly]::GetEntryAssembly().Location
}

# Compiles the net8.0 build output to ReadyToRun images (build/ReadyToRun); returns their folder. Incremental.
function Invoke-ReadyToRun([string] $Built) {
    $images = Join-Path $Root "build/ReadyToRun/bin/$Configuration/images"
    Invoke-Native dotnet @('msbuild', (Join-Path $Root 'build/ReadyToRun/ReadyToRun.csproj'), '-restore', '-t:CompileReadyToRun',
        "-p:InputDirectory=$Built", "-p:OutputDirectory=$images", '-nologo', '-v:quiet', '-clp:ErrorsOnly')
    $images
}

function Invoke-BuildTask {
    Write-Step "Build ($Configuration)"
    Invoke-Native dotnet @('build', (Join-Path $Root 'GitlabSts.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly')

    # ReadyToRun code for the net8.0 assemblies (PowerShell 7.6 on .NET 10, linux-x64); the IL build ships for everything else.
    $readyToRun = Invoke-ReadyToRun -Built (Join-Path $Root "src/GitlabSts/bin/$Configuration/net8.0")

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $shipNever = 'GitlabSts.dll', 'GitlabSts.pdb', 'GitlabSts.deps.json', 'System.Management.Automation.dll'
    foreach ($framework in $Frameworks) {
        $built = Join-Path $Root "src/GitlabSts/bin/$Configuration/$framework"
        $bin = Join-Path $ModuleOut "bin/$framework"
        $dependencies = Join-Path $bin 'dependencies'
        New-Item -ItemType Directory -Path $dependencies -Force | Out-Null
        Copy-Item -Path (Join-Path $built 'GitlabSts.dll'), (Join-Path $built 'GitlabSts.pdb') -Destination $bin
        Get-ChildItem -Path $built -File |
            Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.Name -notin $shipNever } |
            Copy-Item -Destination $dependencies
        if ($framework -eq 'net8.0' -and $readyToRun) {
            # ReadyToRun images are per OS and CPU (Windows refuses a Linux image with BadImageFormatException),
            # so they go beside the IL build, in bin/net8.0/linux-x64, which GitlabSts.psm1 loads on Linux x64 only.
            $nativeBin = Join-Path $bin 'linux-x64'
            $nativeDependencies = Join-Path $nativeBin 'dependencies'
            New-Item -ItemType Directory -Path $nativeDependencies -Force | Out-Null
            Copy-Item -Path (Join-Path $readyToRun 'GitlabSts.dll'), (Join-Path $built 'GitlabSts.pdb') -Destination $nativeBin
            Get-ChildItem -Path $readyToRun -Filter *.dll | Where-Object Name -ne 'GitlabSts.dll' | Copy-Item -Destination $nativeDependencies
            Get-ChildItem -Path $dependencies -Filter *.pdb | Copy-Item -Destination $nativeDependencies
        }
    }

    Copy-Item -Path (Join-Path $Root 'module/*') -Destination $ModuleOut -Recurse
    foreach ($doc in 'LICENSE', 'README.md', 'CHANGELOG.md') {
        if (Test-Path (Join-Path $Root $doc)) { Copy-Item (Join-Path $Root $doc) $ModuleOut }
    }

    Write-Step 'Help (docs/help -> en-US MAML)'
    $manifestOut = Join-Path $ModuleOut 'GitlabSts.psd1'
    $version = Get-ModuleVersion
    $manifest = (Get-Content -Raw (Join-Path $Root 'GitlabSts.psd1')) -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$version'"
    Set-Content -Path $manifestOut -Value $manifest -NoNewline -Encoding utf8
    & dotnet (Get-PwshDll) -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-ModuleHelp.ps1') `
        -ModuleManifest $manifestOut -HelpSource (Join-Path $Root 'docs/help') -OutputPath (Join-Path $ModuleOut 'en-US/GitlabSts.dll-Help.xml')
    if ($LASTEXITCODE -ne 0) { throw 'The help does not match the cmdlets (see the errors above).' }
    Write-Host "Module $version laid out at $ModuleOut"
}

# The Pester version is written once, in tests/tools/tools.csproj (PackageDownload Version="[x.y.z]").
function Get-PesterModulePath {
    $tools = Join-Path $Root 'tests/tools/tools.csproj'
    $download = ([xml](Get-Content -Raw $tools)).Project.ItemGroup.PackageDownload | Where-Object Include -eq 'Pester'
    $version = "$($download.Version)".Trim('[', ']', ' ')
    if ($version -notmatch '^\d+\.\d+\.\d+') { throw "No exact Pester version (Version=`"[x.y.z]`") in $tools." }
    Invoke-Native dotnet @('restore', $tools, '--nologo', '-v', 'quiet')
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $packages.Trim() "pester/$($version.ToLowerInvariant())/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $version was not restored to $path." }
    $path
}

# Debian's awscli (AWS CLI v2) is a peer the profile tests read with; install it when missing and possible.
function Install-TestPeer {
    if ((Test-Path '/usr/bin/aws') -or -not $IsLinux -or -not (Get-Command apt-get -ErrorAction Ignore)) { return }
    Write-Step 'Installing AWS CLI v2 (Debian package awscli) for the profile tests'
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get update -qq *> $null
    & apt-get install -y -qq awscli *> $null
    if ($LASTEXITCODE -ne 0) { Write-Warning 'apt-get install awscli failed; tests that need AWS CLI v2 will fail.' }
}

# The AWS SDK for JavaScript v3 (npm, pinned; ../shared/TESTING.md) for tests/Pester/CredentialProcess.Tests.ps1: it runs
# credential_process through /bin/sh -c. Installed into out/test-peers/aws-sdk-js when missing (node and npm from Debian's
# nodejs and npm packages when absent); GITLABSTS_AWS_SDK_JS names that folder for the tests (unset: they fail, saying why).
function Install-JsSdk {
    $version = '3.1178.0'
    $dir = Join-Path $Out 'test-peers/aws-sdk-js'
    $installed = Join-Path $dir 'node_modules/@aws-sdk/credential-providers/package.json'
    if (-not (Get-Command npm -ErrorAction Ignore) -and $IsLinux -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Step 'Installing node and npm (Debian packages nodejs, npm) for the credential_process tests'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq *> $null
        & apt-get install -y -qq nodejs npm *> $null
    }
    if (-not ((Test-Path $installed) -and (Get-Content -Raw $installed | ConvertFrom-Json).version -eq $version) -and (Get-Command npm -ErrorAction Ignore)) {
        Write-Step "Installing the AWS SDK for JavaScript v3 $version (npm) into $dir"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        & npm install --prefix $dir --no-audit --no-fund --silent "@aws-sdk/credential-providers@$version" "@aws-sdk/client-sts@$version" *> $null
        if ($LASTEXITCODE -ne 0) { Write-Warning 'npm install of the AWS SDK for JavaScript v3 failed; the credential_process tests that need it will fail.' }
    }
    if (Test-Path $installed) { $env:GITLABSTS_AWS_SDK_JS = $dir }
}

# gitlab-ci-local (npm, pinned; ../shared/TESTING.md) runs the CI/CD components end to end in tests/Pester/Components.Tests.ps1;
# it copies a job's tracked files with rsync (Debian package rsync, installed when missing). Installed into
# out/test-peers/gitlab-ci-local with --ignore-scripts: its one native dependency, re2, would otherwise compile RE2 and
# abseil from source with node-gyp (more than 12 minutes on a loaded 2-core machine; no prebuilt binary is reachable
# here), so re2.js is replaced by a RegExp subclass. gitlab-ci-local uses RE2 only for `rules: if` =~ patterns and
# include wildcards, which the component tests do not use. GITLABSTS_GITLAB_CI_LOCAL names the program for the tests.
function Install-GitlabCiLocal {
    $version = '4.60.1'
    $dir = Join-Path $Out 'test-peers/gitlab-ci-local'
    $installed = Join-Path $dir 'node_modules/gitlab-ci-local/package.json'
    $re2 = Join-Path $dir 'node_modules/re2/re2.js'
    $shim = "'use strict';`n// GitlabSts build.ps1 (Install-GitlabCiLocal): re2's native addon is not built; JavaScript's RegExp stands in.`nclass RE2 extends RegExp {}`nmodule.exports = RE2;`nmodule.exports.RE2 = RE2;`n"
    if (-not (Get-Command rsync -ErrorAction Ignore) -and $IsLinux -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Step 'Installing rsync (Debian package) for gitlab-ci-local'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -qq rsync *> $null
        if ($LASTEXITCODE -ne 0) { & apt-get update -qq *> $null; & apt-get install -y -qq rsync *> $null }
        if ($LASTEXITCODE -ne 0) { Write-Warning 'apt-get install rsync failed; the gitlab-ci-local tests will fail.' }
    }
    if (-not ((Test-Path $installed) -and (Get-Content -Raw $installed | ConvertFrom-Json).version -eq $version -and (Test-Path $re2) -and (Get-Content -Raw $re2) -eq $shim) -and (Get-Command npm -ErrorAction Ignore)) {
        Write-Step "Installing gitlab-ci-local $version (npm, --ignore-scripts) into $dir"
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        & npm install --prefix $dir --no-audit --no-fund --silent --ignore-scripts "gitlab-ci-local@$version" *> $null
        if ($LASTEXITCODE -ne 0) { Write-Warning 'npm install of gitlab-ci-local failed; the component tests that need it will fail.' }
        elseif (Test-Path (Split-Path $re2)) { Set-Content -LiteralPath $re2 -Value $shim -NoNewline -Encoding utf8NoBOM }
    }
    $program = Join-Path $dir 'node_modules/.bin/gitlab-ci-local'
    if ((Test-Path $program) -and (Test-Path $re2) -and (Get-Content -Raw $re2) -eq $shim) { $env:GITLABSTS_GITLAB_CI_LOCAL = $program }
}

# Mono (Debian mono-complete) runs the net472 test build, the closest this machine gets to Windows PowerShell 5.1's
# runtime; install it when missing and possible. Returns the mono command, or $null when there is none.
function Install-Mono {
    if (-not (Get-Command mono -ErrorAction Ignore) -and $IsLinux -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Step 'Installing Mono (Debian package mono-complete) for the net472 tests'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -qq *> $null
        & apt-get install -y -qq mono-complete *> $null
        if ($LASTEXITCODE -ne 0) { Write-Warning 'apt-get install mono-complete failed; the net472 tests cannot run.' }
    }
    (Get-Command mono -ErrorAction Ignore).Source
}

# Counts of an xunit v2 XML report (the console runner's -xml), with the failed tests' first message lines.
function Get-XunitXmlCounts([string] $XmlPath, [string] $Label) {
    if (-not (Test-Path $XmlPath)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("${Label}: no results in $XmlPath"); SkippedNames = @() } }
    $xml = [xml](Get-Content -Raw $XmlPath)
    $assemblies = @($xml.SelectNodes('/assemblies/assembly'))
    $sum = { param($attribute) ($assemblies | ForEach-Object { [int]$_.GetAttribute($attribute) } | Measure-Object -Sum).Sum }
    # A runner error (e.g. Mono's AppDomainUnloadedException after the last test) can leave an assembly with an <errors>
    # entry and no counts at all: that is a failure, and so is a run in which no test ran.
    $fatal = @($xml.SelectNodes('//errors/error') | ForEach-Object { "${Label}: runner error: $((($_.failure.message.InnerText) -split "`n")[0])" })
    $noTests = @(if ((& $sum 'total') -eq 0) { "${Label}: no test ran (see $([IO.Path]::ChangeExtension($XmlPath, '.log')))" })
    [pscustomobject]@{
        Passed  = & $sum 'passed'
        Failed  = (& $sum 'failed') + (& $sum 'errors') + $fatal.Count + $noTests.Count
        Skipped = & $sum 'skipped'
        FailedNames = @($xml.SelectNodes('//test[@result="Fail"]') | ForEach-Object { "${Label}: $($_.name): $((($_.failure.message.InnerText) -split "`n")[0])" }) + $fatal + $noTests
        SkippedNames = @($xml.SelectNodes('//test[@result="Skip"]') | ForEach-Object { "$($_.name): $($_.reason.InnerText)" })
    }
}

# The net472 build of the xunit tests under Mono, with the xunit console runner (restored by tests/tools/tools.csproj).
function Invoke-MonoXunit([string] $Results) {
    $label = 'xunit net472 (Mono)'
    $mono = Install-Mono
    if (-not $mono) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("${label}: mono is not installed"); SkippedNames = @() } }
    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $runner = Join-Path $packages 'xunit.runner.console/2.4.1/tools/net472/xunit.console.exe'
    if (-not (Test-Path $runner)) { Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/tools/tools.csproj'), '--nologo', '-v', 'quiet') }
    $tests = Join-Path $Root "tests/GitlabSts.Core.Tests/bin/$Configuration/net472/GitlabSts.Core.Tests.dll"
    $xmlPath = Join-Path $Results 'xunit-net472.xml'
    Write-Step "$label`: $tests"
    $watch = [Diagnostics.Stopwatch]::StartNew()
    # One test at a time (-parallel none); no shadow copy (the fixtures sit beside the assembly).
    & $mono $runner $tests -xml $xmlPath -parallel none -noshadow -nologo *> (Join-Path $Results 'xunit-net472.log')
    $counts = Get-XunitXmlCounts -XmlPath $xmlPath -Label $label
    $counts.SkippedNames | Set-Content (Join-Path $Results 'xunit-net472-skipped.txt')
    Write-Host "$label`: $($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped in $([int]$watch.Elapsed.TotalSeconds) s (skips and reasons: $(Join-Path $Results 'xunit-net472-skipped.txt'))"
    $counts
}

function Get-XunitCounts([string] $TrxPath) {
    if (-not (Test-Path $TrxPath)) { return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("xunit: no results in $TrxPath") } }
    $run = ([xml](Get-Content -Raw $TrxPath)).TestRun
    $counters = $run.ResultSummary.Counters
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
        FailedNames = @($run.Results.UnitTestResult | Where-Object outcome -NotIn 'Passed', 'NotExecuted' |
            ForEach-Object { "$($_.testName): $($_.GetElementsByTagName('Message') | Select-Object -First 1 | ForEach-Object { ($_.InnerText -split "`n")[0] })" })
    }
}

function Invoke-TestTask {
    Invoke-BuildTask
    $results = Join-Path $Out 'test'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results -Force | Out-Null

    $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; FailedNames = @() }
    if (-not $SkipUnitTests) {
        Write-Step 'xunit: GitlabSts.Core.Tests'
        & dotnet test (Join-Path $Root 'tests/GitlabSts.Core.Tests/GitlabSts.Core.Tests.csproj') -c $Configuration -f net10.0 --no-build --nologo `
            --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $results
        $xunit = Get-XunitCounts (Join-Path $results 'xunit.trx')
        Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed, $($xunit.Skipped) skipped"
    }

    Install-TestPeer
    Install-JsSdk
    Install-GitlabCiLocal
    $pesterModule = Get-PesterModulePath   # also restores the xunit console runner (tests/tools/tools.csproj)
    $mono = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; FailedNames = @(); SkippedNames = @() }
    if (-not $SkipUnitTests) { $mono = Invoke-MonoXunit -Results $results }
    Import-Module $FixtureModule -Force
    $moto = Start-MotoServer -MaxLifetimeSeconds 14400   # the whole Pester run (a slow machine needs more than the 30-minute default); it still dies with this process
    $pesterResult = Join-Path $results 'pester.json'
    try {
        Write-Step "Pester against $ModuleOut (moto at $($moto.Url))"
        $env:GITLABSTS_TEST_MOTO_URL = $moto.Url
        $env:GITLABSTS_MODULE_MANIFEST = Join-Path $ModuleOut 'GitlabSts.psd1'
        $env:GITLABSTS_PWSH = Get-PwshDll
        $env:GITLABSTS_TEST_SUMMARY = Join-Path $results 'summary.txt'   # test files append their counts; printed below
        $paths = if ($PesterPath) { $PesterPath -split ',' | Where-Object { $_ } | ForEach-Object { (Resolve-Path $_).Path } } else { @(Join-Path $Root 'tests/Pester') }
        & dotnet $env:GITLABSTS_PWSH -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterRun.ps1') `
            -PesterModule $pesterModule -Path ($paths -join [IO.Path]::PathSeparator) -ResultPath $pesterResult
    }
    finally {
        Stop-MotoServer -Server $moto
        Remove-Item Env:GITLABSTS_TEST_MOTO_URL, Env:GITLABSTS_TEST_SUMMARY -ErrorAction Ignore
    }

    $pester = if (Test-Path $pesterResult) { Get-Content -Raw $pesterResult | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; FailedNames = @("Pester: no results in $pesterResult") } }
    $summaryFile = Join-Path $results 'summary.txt'
    if (Test-Path $summaryFile) { Get-Content $summaryFile | Write-Host }
    foreach ($name in @($xunit.FailedNames) + @($mono.FailedNames) + @($pester.FailedNames) | Where-Object { $_ }) { Write-Host "FAILED: $name" }
    if (-not $SkipUnitTests) { Write-Host "xunit net472 (Mono): $($mono.Passed) passed, $($mono.Failed) failed, $($mono.Skipped) skipped" }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed, $($pester.Skipped) skipped"
    $passed = $xunit.Passed + $mono.Passed + $pester.Passed
    $failed = $xunit.Failed + $mono.Failed + $pester.Failed
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-DemoTask {
    Invoke-BuildTask
    & dotnet (Get-PwshDll) -NoProfile -NonInteractive -File (Join-Path $Root 'tools/Demo.ps1') -ModuleManifest (Join-Path $ModuleOut 'GitlabSts.psd1')
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

function Invoke-PackageTask {
    Invoke-BuildTask
    Write-Step 'Package (PSResourceGet: temporary local repository + Publish-PSResource)'
    $package = & (Join-Path $Root 'tools/New-ModulePackage.ps1') -ModulePath $ModuleOut -ChangelogPath (Join-Path $Root 'CHANGELOG.md') -OutputPath (Join-Path $Out 'packages')
    Write-Host "Package: $package ($([math]::Round((Get-Item $package).Length / 1KB)) KB)"
}

function Invoke-BenchTask {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    Invoke-BuildTask
    Write-Step "Bench ($BenchRuns rounds)"
    & dotnet (Get-PwshDll) -NoProfile -NonInteractive -File (Join-Path $Root 'tools/Bench.ps1') `
        -ModuleManifest (Join-Path $ModuleOut 'GitlabSts.psd1') -PwshDll (Get-PwshDll) -OutFile (Join-Path $Out 'bench.json') -Runs $BenchRuns
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Write-Host ("Bench task (build included) took {0:n0} s." -f $watch.Elapsed.TotalSeconds)
}

switch ($Task) {
    'Build' { Invoke-BuildTask }
    'Test' { Invoke-TestTask }
    'Demo' { Invoke-DemoTask }
    'Package' { Invoke-PackageTask }
    'Bench' { Invoke-BenchTask }
    default { throw "The task '$Task' is not implemented yet." }
}
