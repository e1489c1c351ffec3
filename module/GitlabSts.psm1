# Loads the GitlabSts cmdlets for this PowerShell edition. The cmdlet assembly lives in the default load
# context; its dependencies (AWSSDK, IdentityModel) load from bin/<framework>/dependencies into a private
# context (PowerShell 7) or through a resolver scoped to that folder (Windows PowerShell 5.1).
$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'GitlabSts.dll')
$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
& $importModule -Name $assemblyPath -ErrorAction Stop
