# The parameter surface of the three cmdlets as Get-Command shows it: the contract's shared parameters on all three,
# each cmdlet's own on it alone, and names, types, sets, positions and pipeline binding as 0.1.0 shipped them.
Describe 'Parameter surface' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

        # One line per parameter and set: name, type, set, mandatory, position, pipeline (V: by value, P: by property name).
        function Get-ParameterSurface([string] $Name) {
            $command = Get-Command $Name
            foreach ($p in $command.Parameters.Values | Where-Object { $_.Name -notin $script:Common -or $_.Name -in 'WhatIf', 'Confirm' }) {
                foreach ($set in $p.ParameterSets.Keys | Sort-Object) {
                    $a = $p.ParameterSets[$set]
                    $pipe = "$(if ($a.ValueFromPipeline) { 'V' })$(if ($a.ValueFromPipelineByPropertyName) { 'P' })"
                    $position = if ($a.Position -ge 0) { $a.Position } else { '-' }
                    '{0} [{1}] {2} {3} {4} {5}' -f $p.Name, $p.ParameterType.Name, $set, $(if ($a.IsMandatory) { 'M' } else { 'o' }), $position, $(if ($pipe) { $pipe } else { '-' })
                }
            }
        }

        $script:Shared = 'RoleArn', 'WebIdentityToken', 'TokenVariable', 'TokenFile', 'Audience', 'RoleSessionName', 'DurationSeconds', 'Region', 'EndpointUrl', 'Policy', 'PolicyArn',
            'ChainRoleArn', 'ChainRoleSessionName', 'ChainDurationSeconds', 'AllowedAccountId'
        $script:Own = @{
            'Get-GitlabWebIdentityCredential' = 'SetEnvironment', 'MaxAttempts', 'OutputFormat'
            'Set-GitlabAwsProfile'            = 'ProfileName', 'Mode', 'Credential', 'TokenFilePath', 'ConfigPath', 'CredentialsPath', 'SetEnvironment', 'PassThru', 'WhatIf', 'Confirm'
            'Test-GitlabOidcRole'             = 'TrustPolicy', 'ClientId', 'Offline', 'VerifySignature', 'Quiet', 'ConditionContext', 'Issuer', 'FromIam', 'ProfileName',
                                                'ProjectPath', 'Ref', 'RefType', 'Claim', 'SubClaimComponents'
        }
    }

    It '<_> has exactly the shared parameters and its own' -ForEach 'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole' {
        $names = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $script:Common -or $_ -in 'WhatIf', 'Confirm' }
        @($names | Sort-Object) | Should -Be @(($script:Shared + $script:Own[$_]) | Sort-Object)
    }

    It 'the shared parameters bind alike on all three cmdlets' {
        $surfaces = foreach ($c in 'Get-GitlabWebIdentityCredential', 'Set-GitlabAwsProfile', 'Test-GitlabOidcRole') {
            , @(Get-ParameterSurface $c | Where-Object { ($_ -split ' ')[0] -in $script:Shared } | Sort-Object)
        }
        $surfaces[1] | Should -Be $surfaces[0]
        $surfaces[2] | Should -Be $surfaces[0]
    }

    It 'the shared parameters keep their 0.1.0 sets and binding' {
        # __AllParameterSets: in every set of the cmdlet (Discover, Token, Variable, File, and Set-GitlabAwsProfile's Credential).
        $expected = @(
            'AllowedAccountId [String[]] __AllParameterSets o - -'
            'Audience [String] __AllParameterSets o - -'
            'ChainDurationSeconds [Int32] __AllParameterSets o - -'
            'ChainRoleArn [String[]] __AllParameterSets o - -'
            'ChainRoleSessionName [String] __AllParameterSets o - -'
            'DurationSeconds [Int32] __AllParameterSets o - -'
            'EndpointUrl [String] __AllParameterSets o - -'
            'Policy [String] __AllParameterSets o - -'
            'PolicyArn [String[]] __AllParameterSets o - -'
            'Region [String] __AllParameterSets o - -'
            'RoleArn [String] __AllParameterSets o - P'
            'RoleSessionName [String] __AllParameterSets o - -'
            'TokenFile [String] File M - -'
            'TokenVariable [String] Variable M - -'
            'WebIdentityToken [String] Token M - -'
        )
        $actual = @(Get-ParameterSurface Get-GitlabWebIdentityCredential | Where-Object { ($_ -split ' ')[0] -in $script:Shared } | Sort-Object)
        $actual | Should -Be @($expected | Sort-Object)
    }

    It 'Set-GitlabAwsProfile keeps the shared parameters that are not token sources in its Credential set, and -Credential binds from the pipeline' {
        $credentialSet = @(Get-ParameterSurface Set-GitlabAwsProfile | Where-Object { ($_ -split ' ')[2] -in 'Credential', '__AllParameterSets' } | ForEach-Object { ($_ -split ' ')[0] } | Sort-Object)
        foreach ($p in 'RoleArn', 'Audience', 'RoleSessionName', 'DurationSeconds', 'Region', 'EndpointUrl', 'Policy', 'PolicyArn', 'Credential') { $credentialSet | Should -Contain $p }
        foreach ($p in 'WebIdentityToken', 'TokenVariable', 'TokenFile') { $credentialSet | Should -Not -Contain $p }
        Get-ParameterSurface Set-GitlabAwsProfile | Should -Contain 'Credential [WebIdentityCredential] Credential M - V'
    }

    It 'Test-GitlabOidcRole has the what-if set Project, whose row parameters bind from the pipeline by property name' {
        $project = @(Get-ParameterSurface Test-GitlabOidcRole | Where-Object { ($_ -split ' ')[2] -eq 'Project' } | Sort-Object)
        $project | Should -Be @(
            'Claim [Hashtable] Project o - P'
            'ProjectPath [String] Project M - P'
            'Ref [String] Project M - P'
            'RefType [String] Project o - P'
            'SubClaimComponents [String[]] Project o - -'
        )
        # The token sources are other sets: a what-if with a token is the binder's error.
        foreach ($p in 'WebIdentityToken', 'TokenVariable', 'TokenFile') {
            @((Get-Command Test-GitlabOidcRole).Parameters[$p].ParameterSets.Keys) | Should -Not -Contain 'Project'
        }
        (Get-Command Test-GitlabOidcRole).DefaultParameterSet | Should -Be 'Discover'
    }

    It 'Test-GitlabOidcRole takes -FromIam and -ProfileName in every parameter set' {
        $surface = @(Get-ParameterSurface Test-GitlabOidcRole)
        $surface | Should -Contain 'FromIam [SwitchParameter] __AllParameterSets o - -'
        $surface | Should -Contain 'ProfileName [String] __AllParameterSets o - -'
    }
}
