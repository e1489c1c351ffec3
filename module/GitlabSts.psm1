# Loads the GitlabSts cmdlets for this PowerShell edition. The cmdlet assembly lives in the default load
# context; its dependencies (AWSSDK, IdentityModel) load from bin/<framework>/dependencies into a private
# context (PowerShell 7) or through a resolver scoped to that folder (Windows PowerShell 5.1).
# On Linux x64, PowerShell 7 takes bin/net8.0/linux-x64: the same assemblies with ReadyToRun (precompiled) code for
# .NET 10, which makes the first call fast; a runtime that cannot use that code (.NET 8/9) JIT-compiles their IL as
# usual. Other systems and CPUs take the IL-only build (a ReadyToRun image for another OS does not even load).
$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'GitlabSts.dll')
if ($framework -eq 'net8.0' -and $IsLinux -and [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'X64') {
    $nativePath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'linux-x64', 'GitlabSts.dll')
    if ([System.IO.File]::Exists($nativePath)) { $assemblyPath = $nativePath }
}
# Module-qualified, so a proxy Import-Module cannot get in the way (cheaper than resolving it with Get-Command).
Microsoft.PowerShell.Core\Import-Module -Name $assemblyPath -ErrorAction Stop
