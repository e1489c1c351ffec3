@{
    Synopsis    = 'Proves that a role can be assumed with the job''s ID token and, when it cannot, says exactly which claim or trust-policy condition fails.'
    Description = @(
        'Test-GitlabOidcRole checks the ID token (shape, exp, nbf, iat, with a few minutes of clock skew tolerated), compares its issuer with the trust policy''s Federated provider and its audience with the provider''s client ids, and evaluates the role''s trust policy statement by statement under IAM''s rules (every condition operator: String, Numeric, Date, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn and Null, with their IfExists and negated forms, ForAnyValue and ForAllValues, AND across keys, OR across values, explicit Deny). Known traps get their own checks: a wildcard under StringEquals, a condition on a claim AWS does not expose as a condition key for the issuer, a trailing slash or scheme mismatch between issuer and provider.'
        'The verdict is IAM''s: Success is true when some Allow statement applies and no Deny statement applies; a statement that does not apply never fails the role while another Allow applies (its mismatches are marked "not needed"). Findings about who the policy lets in are Warn checks that never change Success, each naming whether the issuer is shared (gitlab.com) or self-managed and showing the corrected condition: SubjectScope (any project can assume the role), ImpossibleSubject (a sub GitLab never emits), ForAllValuesOnSingleValuedKey, RefScope (a wildcard admitting every ref, ref type or subgroup), NegatedSubject, PathReuse (gitlab.com: no project_id or namespace_id pin), UnprotectedRef (branches without ref_protected). AdmittedSubjects lists the sub values and patterns each Allow statement admits.'
        'Unless -Offline is given it then performs the exchange and calls STS GetCallerIdentity with the new credentials, as a pipeline''s "aws sts get-caller-identity" would. With -VerifySignature it fetches the issuer''s OpenID configuration and JWKS and checks the token''s signature, but only from an issuer you named (-Issuer, $env:CI_SERVER_URL, or the Federated provider of -TrustPolicy): a token''s own iss is chosen by whoever made the token. The Signature check is always in the result: Pass, Fail, or Skip ("Not verified: add -VerifySignature").'
        'Keys STS sets whose value is known locally get it (aws:CurrentTime, aws:EpochTime, aws:RequestedRegion, aws:SecureTransport, sts:RoleSessionName). Other keys only AWS knows (such as aws:SourceIp) are unknown: a decision that hinges on one is not guessed; the statement''s check is Warn naming the key, Success is $false with ErrorCode Indeterminate, and the message says to supply it with -ConditionContext or to test live. Live, a successful exchange settles it. With -Offline and no -TrustPolicy the result is ErrorCode NoTrustPolicy; an -Audience that no aud of the token matches is a Fail check (Audience).'
        'An STS endpoint (-EndpointUrl, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL) over plain http to a host outside the loopback range gets a warning: the ID token would travel unencrypted.'
        'An admin without a token asks "would a job of acme/infra on main get in, and who else would?" with the what-if (parameter set Project): -ProjectPath and -Ref (with -RefType, -Issuer, -Audience, -Claim, -SubClaimComponents) build the claims such a job would carry (iss, aud, sub, project_path, ref, ref_type, namespace_path) and evaluate them exactly as a token''s. It needs the role''s trust policy, from -TrustPolicy or -FromIam (neither or both: GitlabSts.InvalidPolicy); the token-only checks (TokenShape, times, Signature) and Exchange are Skip, and nothing is sent anywhere but -FromIam''s IAM reads (once per role for piped rows). Subject, Issuer and Audience of the result are the built ones; the result also carries ProjectPath, Ref and RefType. Pipe objects with ProjectPath, Ref, RefType (and RoleArn) properties, such as Import-Csv rows, to test a matrix: one result per row, shown as one table (project, ref, verdict, first failing condition).'
        'It never throws for a role that cannot be assumed: the result''s Success is false and ErrorCode, Message and Hint say why, with a SuggestedTrustPolicy that this token would satisfy. Only an invalid invocation is an error.'
    )
    Parameters  = @{
        TrustPolicy     = 'The role''s trust policy: JSON text or the path of a JSON file of at most 64 KiB (aws iam get-role --query Role.AssumeRolePolicyDocument). Its Federated oidc-provider names an issuer for -VerifySignature.'
        ClientId        = 'The IAM OIDC provider''s audiences (client ids), to check the token''s aud against. A value that looks like an ID token is refused (GitlabSts.InvalidIdentityToken) without being shown.'
        Offline         = 'Checks locally only: no STS call and no signature check (with -FromIam, the IAM reads are its only requests).'
        VerifySignature = 'Fetches <iss>/.well-known/openid-configuration and the JWKS it names and verifies the token''s RS256 signature, only when iss is an issuer you named (-Issuer, $env:CI_SERVER_URL, the Federated provider of -TrustPolicy); otherwise the Signature check fails, naming the issuer to name, and nothing is fetched. Redirects are not followed; the jwks_uri must be on the issuer''s scheme and host; https only, except loopback issuers.'
        Issuer          = 'An OIDC issuer you trust, as its URL (https://gitlab.example.com) or as IAM names it (gitlab.example.com): -VerifySignature fetches keys only from it, $env:CI_SERVER_URL or the trust policy''s Federated provider. Accepted in every parameter set. In a what-if (-ProjectPath) it is the iss of the built claims: the GitLab instance''s URL; default $env:CI_SERVER_URL, else https://gitlab.com.'
        Quiet           = 'Writes only $true or $false: whether the role can be assumed (with -Offline: whether the local checks pass). It tests a role; it does not authenticate a token: without -VerifySignature the signature is not checked (the Signature check says "Not verified"), and with -Offline not at all.'
        ConditionContext = 'Values of condition keys that only AWS knows at request time, as a hashtable: key -> a string or strings, or $null to mark the key absent (e.g. @{ ''aws:SourceIp'' = ''203.0.113.5'' }). Without it, a decision that hinges on such a key is Indeterminate. The token''s own keys (<issuer>:<claim>) come from the token and cannot be given here (GitlabSts.InvalidPolicy).'
        FromIam         = 'Reads the role''s trust policy (IAM GetRole) and the issuer''s OIDC provider (GetOpenIDConnectProvider, its ARN built from the issuer and the role''s account) with your own AWS credentials (-ProfileName, else the default chain), at AWS_ENDPOINT_URL_IAM, else AWS_ENDPOINT_URL, else the partition''s IAM endpoint. The IamRole and IamProvider checks say what was read, or why not and the fix (no such role; no provider for the issuer, with the aws iam create-open-id-connect-provider step; access denied, naming iam:GetRole or iam:GetOpenIDConnectProvider); a read failure is a Fail check, never an error. The ClientId check then compares the audience with the provider''s client ids. Works in every parameter set; not with -TrustPolicy (GitlabSts.InvalidPolicy) or -ClientId (GitlabSts.ParameterConflict). With -Offline it still reads IAM but makes no exchange. Needs iam:GetRole and iam:GetOpenIDConnectProvider.'
        ProfileName     = 'The AWS profile (in the AWS config and credentials files) whose credentials -FromIam reads IAM with. Without it, the AWS SDK''s default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the default profile, ...). A profile that is not found is a failing IamRole check. Only used with -FromIam.'
        DurationSeconds = 'The session length of the test exchange, 900 to 43200 seconds (and no more than the role''s maximum session duration), so a too-long duration fails here as it would in the job. Default 3600. Checked but unused with -Offline.'
        Policy          = 'An inline session policy (JSON, at most 2048 characters) for the test exchange, so STS checks it as it would in the job. Checked locally but unused with -Offline.'
        PolicyArn       = 'Up to 10 managed session policy ARNs for the test exchange, so STS checks them as it would in the job. Checked locally but unused with -Offline.'
        ProjectPath     = 'What-if (no token): the project a job would run in, group[/subgroup...]/project as GitLab shows it (acme/platform/infra). Binds from piped objects by property name (Import-Csv rows). A path GitLab would not allow (empty, no group, a URL, a character other than letters, digits, _ - .) is GitlabSts.InvalidClaim.'
        Ref             = 'What-if: the branch or tag name the job would run for (main, v1.2.0), as GitLab shows it, not refs/heads/main. Binds by property name. A name Git would not allow (spaces, control characters, ~ ^ : ? * [ \, .., @{, a part starting with . or ending with .lock) is GitlabSts.InvalidClaim.'
        RefType         = 'What-if: branch (the default) or tag; binds by property name (an empty CSV cell means branch). A merge request pipeline''s token has ref_type branch. Anything else is GitlabSts.InvalidClaim.'
        Claim           = 'What-if: more claims of the job''s token, or overrides, as a hashtable of claim name -> a string or an array of strings: @{ ref_protected = ''true''; namespace_id = ''42'' }. A sub key replaces the built subject (a project with a customised sub); iss and aud override -Issuer''s and -Audience''s defaults. Numbers and booleans must be quoted, as the token carries them for IAM (GitlabSts.InvalidClaim otherwise); project_path, ref and ref_type are set with their own parameters. Binds by property name.'
        SubClaimComponents = 'What-if: the project''s ci_id_token_sub_claim_components setting, one of the four orders GitLab accepts: project_path,ref_type,ref (the default), project_path,ref,ref_type, project_path,ref or project_path,ref_type. The built sub follows it (project_path:acme/infra:ref:main). Anything else is GitlabSts.InvalidClaim.'
        Audience        = 'With a token: the audience (aud) the token must have; when several id_tokens: variables hold tokens from this GitLab instance, picks the one with it; a token without it is a Fail check (Audience). In a what-if (-ProjectPath): the aud the job''s id_tokens: would request; default sts.amazonaws.com.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A RoleArn, by property name.' }
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'What-if rows (Import-Csv): ProjectPath, Ref, RefType, Claim and RoleArn, by property name; one result per row.' }
    )
    Outputs     = @(
        @{ Type = 'GitlabSts.OidcRoleTestResult'; Description = 'Success, RoleArn, AssumedRoleArn, Account, UserId, Issuer, Subject, Audience, TokenExpiresAt, Checks (GitlabSts.OidcCheck: Name, Result Pass/Fail/Warn/Skip, Detail), ErrorCode, Message, Hint, SuggestedTrustPolicy, AdmittedSubjects (the :sub values and patterns each Allow statement admits; * for one without a sub condition).' }
        @{ Type = 'System.Boolean'; Description = 'With -Quiet (one per piped row in a what-if).' }
        @{ Type = 'GitlabSts.OidcRoleTestResult#Matrix'; Description = 'A what-if result of a piped row: the same object, with ProjectPath, Ref and RefType, whose default view is a table (Project, Ref, Verdict, First failing condition).' }
    )
    Notes       = 'The default view is a checklist (one line per check) that reads the same in a terminal and a CI log.'
    Examples    = @(
        @{
            Title   = 'Why is my job "Not authorized to perform sts:AssumeRoleWithWebIdentity"?'
            Code    = @('aws iam get-role --role-name deployer --query Role.AssumeRolePolicyDocument > trust.json   # once, with admin rights', 'Test-GitlabOidcRole -RoleArn arn:aws:iam::123456789012:role/deployer -TrustPolicy ./trust.json')
            Remarks = 'Each failing condition is shown with what the policy expects and what the token has, e.g. StringLike gitlab.com:sub "project_path:acme/*" did not match "project_path:other/app:ref_type:branch:ref:main".'
        }
        @{
            Title   = 'A gate at the start of a deployment job'
            Code    = 'if (-not (Test-GitlabOidcRole -Quiet)) { throw ''The deploy role cannot be assumed from this ref.'' }'
            Remarks = 'Uses ROLE_ARN and the job''s ID token; $true only when the exchange and GetCallerIdentity succeed.'
        }
        @{
            Title   = 'Check a policy change before applying it'
            Code    = 'Test-GitlabOidcRole -Offline -TrustPolicy ./new-trust.json -ClientId sts.amazonaws.com -RoleArn arn:aws:iam::123456789012:role/deployer | Select-Object -ExpandProperty Checks'
            Remarks = 'Evaluates the new policy against this job''s token without any network call.'
        }
        @{
            Title   = 'A policy with a data-perimeter Deny on aws:SourceIp'
            Code    = 'Test-GitlabOidcRole -Offline -TrustPolicy ./trust.json -ConditionContext @{ ''aws:SourceIp'' = ''203.0.113.5'' }'
            Remarks = 'Without -ConditionContext the verdict is Indeterminate (only AWS knows the caller''s IP); with it, the Deny''s NotIpAddress is decided for that address.'
        }
        @{
            Title   = 'Would a job of acme/infra on main get in? (an admin''s what-if with a policy file)'
            Code    = @('aws iam get-role --role-name deployer --query Role.AssumeRolePolicyDocument > trust.json', 'Test-GitlabOidcRole -RoleArn arn:aws:iam::123456789012:role/deployer -TrustPolicy ./trust.json -ProjectPath acme/infra -Ref main')
            Remarks = 'No token and no network: the claims a job of acme/infra on branch main would carry are evaluated against the policy. Add -RefType tag for a tag pipeline, -Issuer for a self-managed instance, -Claim @{ ref_protected = ''true'' } for claims the policy also tests.'
        }
        @{
            Title   = 'The same question against the role as IAM has it (an admin''s what-if from IAM)'
            Code    = 'Test-GitlabOidcRole -FromIam -ProfileName admin -RoleArn arn:aws:iam::123456789012:role/deployer -ProjectPath acme/infra -Ref main -RefType tag'
            Remarks = 'Reads the role''s trust policy (GetRole) and the gitlab.com OIDC provider (GetOpenIDConnectProvider) with the admin profile''s credentials, then evaluates a tag pipeline''s claims against them; IamRole, IamProvider and ClientId say what was read. No token, no exchange.'
        }
        @{
            Title   = 'A project with a customised sub claim'
            Code    = @('Test-GitlabOidcRole -RoleArn $role -TrustPolicy ./trust.json -ProjectPath acme/infra -Ref main -SubClaimComponents project_path,ref', 'Test-GitlabOidcRole -RoleArn $role -TrustPolicy ./trust.json -ProjectPath acme/infra -Ref main -Claim @{ sub = ''project_path:acme/infra:ref:main'' }')
            Remarks = 'The first builds sub in the order of the project''s ci_id_token_sub_claim_components setting; the second gives the sub outright.'
        }
        @{
            Title   = 'The admin matrix: which projects and refs get in?'
            Code    = @('# matrix.csv: ProjectPath,Ref,RefType (a RoleArn column tests several roles)', 'Import-Csv ./matrix.csv | Test-GitlabOidcRole -FromIam -RoleArn arn:aws:iam::123456789012:role/deployer')
            Remarks = 'One result per row, shown as one table: Project, Ref, Verdict (admitted, refused, undecided) and the first failing condition; IAM is read once per role for all rows (-TrustPolicy ./trust.json instead reads nothing). Each row''s full checklist stays on the object (| Select-Object -Index 2). -Quiet writes $true or $false per row.'
        }
        @{
            Title   = 'Reading the findings: is this role open to other projects?'
            Code    = '(Test-GitlabOidcRole -RoleArn $role -TrustPolicy ./trust.json -ProjectPath acme/infra -Ref main).Checks | Where-Object Result -EQ Warn | Format-List Name, Detail, Hint'
            Remarks = 'Findings are Warn checks: they never change Success, they say who else the policy lets in and show the corrected condition in the hint.'
        }
        @{
            Title   = 'Test against the role as IAM has it'
            Code    = 'Test-GitlabOidcRole -FromIam -ProfileName admin -RoleArn arn:aws:iam::123456789012:role/deployer'
            Remarks = 'Reads the trust policy and the issuer''s OIDC provider with the admin profile''s credentials, then checks this job''s token against them: IamRole and IamProvider say what was read (or why not, and the fix), ClientId compares the token''s aud with the provider''s client ids.'
        }
        @{
            Title   = 'Start from a policy that works'
            Code    = '(Test-GitlabOidcRole -Offline -RoleArn arn:aws:iam::123456789012:role/deployer).SuggestedTrustPolicy | Set-Content trust.json'
            Remarks = 'A minimal trust policy scoped to this job''s project and ref.'
        }
    )
}
