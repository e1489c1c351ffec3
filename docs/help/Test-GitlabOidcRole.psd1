@{
    Synopsis    = 'Proves that a role can be assumed with the job''s ID token and, when it cannot, says exactly which claim or trust-policy condition fails.'
    Description = @(
        'Test-GitlabOidcRole checks the ID token (shape, exp, nbf, iat, with a few minutes of clock skew tolerated), compares its issuer with the trust policy''s Federated provider and its audience with the provider''s client ids, and evaluates the role''s trust policy statement by statement under IAM''s rules (every condition operator: String, Numeric, Date, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn and Null, with their IfExists and negated forms, ForAnyValue and ForAllValues, AND across keys, OR across values, explicit Deny). Known traps get their own checks: a wildcard under StringEquals, a condition on a claim AWS does not expose as a condition key for the issuer, a trailing slash or scheme mismatch between issuer and provider.'
        'Unless -Offline is given it then performs the exchange and calls STS GetCallerIdentity with the new credentials, as a pipeline''s "aws sts get-caller-identity" would. With -VerifySignature it fetches the issuer''s OpenID configuration and JWKS and checks the token''s signature, but only from an issuer you named (-Issuer, $env:CI_SERVER_URL, or the Federated provider of -TrustPolicy): a token''s own iss is chosen by whoever made the token. The Signature check is always in the result: Pass, Fail, or Skip ("Not verified: add -VerifySignature").'
        'Keys STS sets whose value is known locally get it (aws:CurrentTime, aws:EpochTime, aws:RequestedRegion, aws:SecureTransport, sts:RoleSessionName). Other keys only AWS knows (such as aws:SourceIp) are unknown: a decision that hinges on one is not guessed; the statement''s check is Warn naming the key, Success is $false with ErrorCode Indeterminate, and the message says to supply it with -ConditionContext or to test live. Live, a successful exchange settles it. With -Offline and no -TrustPolicy the result is ErrorCode NoTrustPolicy; an -Audience that no aud of the token matches is a Fail check (Audience).'
        'An STS endpoint (-EndpointUrl, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL) over plain http to a host outside the loopback range gets a warning: the ID token would travel unencrypted.'
        'It never throws for a role that cannot be assumed: the result''s Success is false and ErrorCode, Message and Hint say why, with a SuggestedTrustPolicy that this token would satisfy. Only an invalid invocation is an error.'
    )
    Parameters  = @{
        TrustPolicy     = 'The role''s trust policy: JSON text or the path of a JSON file of at most 64 KiB (aws iam get-role --query Role.AssumeRolePolicyDocument). Its Federated oidc-provider names an issuer for -VerifySignature.'
        ClientId        = 'The IAM OIDC provider''s audiences (client ids), to check the token''s aud against. A value that looks like an ID token is refused (GitlabSts.InvalidIdentityToken) without being shown.'
        Offline         = 'Checks locally only: no STS call and no signature check (with -FromIam, the IAM reads are its only requests).'
        VerifySignature = 'Fetches <iss>/.well-known/openid-configuration and the JWKS it names and verifies the token''s RS256 signature, only when iss is an issuer you named (-Issuer, $env:CI_SERVER_URL, the Federated provider of -TrustPolicy); otherwise the Signature check fails, naming the issuer to name, and nothing is fetched. Redirects are not followed; the jwks_uri must be on the issuer''s scheme and host; https only, except loopback issuers.'
        Issuer          = 'An OIDC issuer you trust, as its URL (https://gitlab.example.com) or as IAM names it (gitlab.example.com): -VerifySignature fetches keys only from it, $env:CI_SERVER_URL or the trust policy''s Federated provider. Accepted in every parameter set.'
        Quiet           = 'Writes only $true or $false: whether the role can be assumed (with -Offline: whether the local checks pass). It tests a role; it does not authenticate a token: without -VerifySignature the signature is not checked (the Signature check says "Not verified"), and with -Offline not at all.'
        ConditionContext = 'Values of condition keys that only AWS knows at request time, as a hashtable: key -> a string or strings, or $null to mark the key absent (e.g. @{ ''aws:SourceIp'' = ''203.0.113.5'' }). Without it, a decision that hinges on such a key is Indeterminate. The token''s own keys (<issuer>:<claim>) come from the token and cannot be given here (GitlabSts.InvalidPolicy).'
        FromIam         = 'Reads the role''s trust policy (IAM GetRole) and the issuer''s OIDC provider (GetOpenIDConnectProvider, its ARN built from the issuer and the role''s account) with your own AWS credentials (-ProfileName, else the default chain), at AWS_ENDPOINT_URL_IAM, else AWS_ENDPOINT_URL, else the partition''s IAM endpoint. The IamRole and IamProvider checks say what was read, or why not and the fix (no such role; no provider for the issuer, with the aws iam create-open-id-connect-provider step; access denied, naming iam:GetRole or iam:GetOpenIDConnectProvider); a read failure is a Fail check, never an error. The ClientId check then compares the audience with the provider''s client ids. Works in every parameter set; not with -TrustPolicy (GitlabSts.InvalidPolicy) or -ClientId (GitlabSts.ParameterConflict). With -Offline it still reads IAM but makes no exchange. Needs iam:GetRole and iam:GetOpenIDConnectProvider.'
        ProfileName     = 'The AWS profile (in the AWS config and credentials files) whose credentials -FromIam reads IAM with. Without it, the AWS SDK''s default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the default profile, ...). A profile that is not found is a failing IamRole check. Only used with -FromIam.'
        DurationSeconds = 'The session length of the test exchange, 900 to 43200 seconds (and no more than the role''s maximum session duration), so a too-long duration fails here as it would in the job. Default 3600. Checked but unused with -Offline.'
        Policy          = 'An inline session policy (JSON, at most 2048 characters) for the test exchange, so STS checks it as it would in the job. Checked locally but unused with -Offline.'
        PolicyArn       = 'Up to 10 managed session policy ARNs for the test exchange, so STS checks them as it would in the job. Checked locally but unused with -Offline.'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'A RoleArn, by property name.' })
    Outputs     = @(
        @{ Type = 'GitlabSts.OidcRoleTestResult'; Description = 'Success, RoleArn, AssumedRoleArn, Account, UserId, Issuer, Subject, Audience, TokenExpiresAt, Checks (GitlabSts.OidcCheck: Name, Result Pass/Fail/Warn/Skip, Detail), ErrorCode, Message, Hint, SuggestedTrustPolicy.' }
        @{ Type = 'System.Boolean'; Description = 'With -Quiet.' }
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
