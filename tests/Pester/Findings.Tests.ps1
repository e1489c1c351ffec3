# Issue 11 on the built module: the verdict is IAM's (a statement that does not apply never fails the role while another
# Allow applies), findings are Warn checks that never change Success, and AdmittedSubjects lists what each Allow admits.
Describe 'Test-GitlabOidcRole verdict and findings' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:Key = New-TestSigningKey
        $script:Provider = 'arn:aws:iam::123456789012:oidc-provider/gitlab.com'
        # A job of acme/infra on its protected branch main (the gitlab.com template: project_id 987654).
        $script:Token = New-GitlabIdToken -Key $script:Key -Audience 'https://gitlab.com' -Claims @{ project_path = 'acme/infra'; ref = 'main' }
        $script:Sub = 'project_path:acme/infra:ref_type:branch:ref:main'

        function New-Statement([System.Collections.IDictionary] $Condition, [string] $Effect = 'Allow') {
            $s = [ordered]@{ Effect = $Effect; Principal = @{ Federated = $script:Provider }; Action = 'sts:AssumeRoleWithWebIdentity' }
            if ($Condition) { $s.Condition = $Condition }
            $s
        }
        function New-Policy([object[]] $Statements) {
            [ordered]@{ Version = '2012-10-17'; Statement = @($Statements) } | ConvertTo-Json -Depth 10 -Compress
        }
        function Test-Policy([string] $Policy) {
            Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $script:Token -Offline -TrustPolicy $Policy
        }
        function Get-Check([object] $Result, [string] $Name) {
            $found = @($Result.Checks | Where-Object Name -EQ $Name)
            if ($found.Count -ne 1) { throw "Expected one check '$Name'; have: $(($Result.Checks | ForEach-Object { "$($_.Name)=$($_.Result)" }) -join ', ')" }
            $found[0]
        }
    }

    BeforeEach { $script:SavedEnv = Save-TestEnvironment }
    AfterEach { Restore-TestEnvironment $script:SavedEnv }

    It 'two Allows, the first with an :aud the token does not meet, the second applying: Success' {
        $policy = New-Policy @(
            (New-Statement ([ordered]@{ StringEquals = @{ 'gitlab.com:aud' = 'sts.amazonaws.com'; 'gitlab.com:sub' = $Sub } }))
            (New-Statement ([ordered]@{ StringEquals = @{ 'gitlab.com:sub' = $Sub } }))
        )
        $r = Test-Policy $policy
        @($r.Checks | Where-Object Result -EQ 'Fail' | ForEach-Object { "$_" }) | Should -BeNullOrEmpty
        $r.Success | Should -BeTrue
        $r.ErrorCode | Should -BeNullOrEmpty
        (Get-Check $r 'AudienceCondition').Detail | Should -BeLike '*not needed: Statement 2 applies*'
        (Get-Check $r 'Statement 1').Result | Should -Be 'Skip'
        (Get-Check $r 'Statement 1').Detail | Should -BeLike '*not needed: Statement 2 applies*'
        Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $Token -Offline -TrustPolicy $policy -Quiet | Should -BeTrue
    }

    It 'an explicit Deny that applies still wins: ExplicitDeny' {
        $r = Test-Policy (New-Policy @((New-Statement), (New-Statement ([ordered]@{ StringEquals = @{ 'gitlab.com:ref_protected' = 'true' } }) 'Deny')))
        $r.Success | Should -BeFalse
        $r.ErrorCode | Should -Be 'ExplicitDeny'
    }

    It 'an open policy (no sub condition) is Success with a SubjectScope Warn naming the shared instance' {
        $r = Test-Policy (New-Policy @(New-Statement ([ordered]@{ StringEquals = @{ 'gitlab.com:aud' = 'https://gitlab.com' } })))
        $r.Success | Should -BeTrue
        $c = Get-Check $r 'SubjectScope'
        $c.Result | Should -Be 'Warn'
        $c.Detail | Should -BeLike '*any project on gitlab.com can assume this role*'
        $c.Detail | Should -BeLike '*gitlab.com is a shared instance*'
        $c.Detail | Should -BeLike "*Hint: *`"gitlab.com:sub`": `"$Sub`"*"
        $r.AdmittedSubjects | Should -Be @('*')
    }

    It 'a scoped, pinned policy has no Warn and admits exactly its subject' {
        $r = Test-Policy (New-Policy @(New-Statement ([ordered]@{
                        StringEquals = [ordered]@{ 'gitlab.com:sub' = $Sub; 'gitlab.com:project_id' = '987654'; 'gitlab.com:ref_protected' = 'true' }
                    })))
        $r.Success | Should -BeTrue
        @($r.Checks | Where-Object Result -EQ 'Warn' | ForEach-Object { "$_" }) | Should -BeNullOrEmpty
        $r.AdmittedSubjects | Should -Be @($Sub)
    }

    It 'AdmittedSubjects lists every Allow''s values, and RefScope names the loose one' {
        $r = Test-Policy (New-Policy @(
                (New-Statement ([ordered]@{ StringLike = @{ 'gitlab.com:sub' = @('project_path:acme/*', 'project_path:acme/web:ref_type:tag:ref:v*') } }))
                (New-Statement ([ordered]@{ StringLike = @{ 'gitlab.com:sub' = 'project_path:other/*' } }) 'Deny')
                (New-Statement ([ordered]@{ StringEquals = @{ 'gitlab.com:sub' = $Sub } }))
            ))
        $r.Success | Should -BeTrue
        $r.AdmittedSubjects | Should -Be @('project_path:acme/*', 'project_path:acme/web:ref_type:tag:ref:v*', $Sub)
        $r.AdmittedSubjects.GetType() | Should -Be ([string[]])
        (Get-Check $r 'RefScope').Result | Should -Be 'Warn'
        (Get-Check $r 'RefScope').Detail | Should -BeLike '*every project and subgroup of acme*'
    }

    It 'no trust policy: findings are Skip and AdmittedSubjects is empty' {
        $r = Test-GitlabOidcRole -RoleArn $TestRoleArn -WebIdentityToken $Token -Offline
        (Get-Check $r 'SubjectScope').Result | Should -Be 'Skip'
        $r.AdmittedSubjects | Should -HaveCount 0
    }
}
