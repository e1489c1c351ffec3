@{
    RootModule           = 'GitlabSts.psm1'
    # Written by build.ps1 from Directory.Build.props (VersionPrefix).
    ModuleVersion        = '0.0.0'
    GUID                 = '5f0c4a57-8d0e-4b52-9a8e-3c1f6b2d7e91'
    Author               = 'GitlabSts contributors'
    CompanyName          = 'GitlabSts'
    Copyright            = 'Copyright (c) 2026 GitlabSts contributors. MIT License.'
    Description          = 'Short-lived AWS credentials for GitLab CI jobs through OIDC: exchanges the job''s GitLab ID token with AWS STS AssumeRoleWithWebIdentity, writes AWS profiles every CLI and SDK reads, and explains exactly why a role''s trust policy refuses a token. No stored AWS keys, no aws-cli image.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    TypesToProcess       = @('GitlabSts.Types.ps1xml')
    FormatsToProcess     = @('GitlabSts.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @('Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole')
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('GitLab', 'AWS', 'OIDC', 'STS', 'CI', 'WebIdentity', 'Credentials', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://gitlab.com/gitlabsts/gitlabsts'
            LicenseUri   = 'https://gitlab.com/gitlabsts/gitlabsts/-/blob/main/LICENSE'
            # In the package: the CHANGELOG.md section of this version (tools/New-ModulePackage.ps1).
            ReleaseNotes = 'First release: Get-GitlabWebIdentityCredential, Set-GitlabAwsProfile and Test-GitlabOidcRole. See CHANGELOG.md.'
        }
    }
}
