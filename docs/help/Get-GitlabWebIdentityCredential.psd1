@{
    Synopsis    = 'Exchanges the job''s GitLab ID token for temporary AWS credentials (STS AssumeRoleWithWebIdentity).'
    Description = @(
        'Get-GitlabWebIdentityCredential finds the GitLab CI ID token (from -WebIdentityToken, -TokenVariable or -TokenFile, else $env:GITLAB_OIDC_TOKEN, else any id_tokens: variable issued by $env:CI_SERVER_URL, else the deprecated $env:CI_JOB_JWT_V2), checks it and every parameter locally, and exchanges it with AWS STS AssumeRoleWithWebIdentity for temporary credentials of the IAM role.'
        'The credentials are written as a GitlabSts.WebIdentityCredential object (its default views and ToString() never show the secret key or session token), set as AWS_* environment variables in the current process with -SetEnvironment, or written as AWS credential_process JSON with -OutputFormat CredentialProcess.'
        'Transient failures (IdP communication errors, key retrieval failures, throttling, HTTP 5xx, connection errors and timeouts) are retried with exponential backoff and jitter up to -MaxAttempts. Other failures stop at once with a stable error id (GitlabSts.AccessDenied, GitlabSts.TokenExpired, ...) and a message that says what to change; for an access denial, Test-GitlabOidcRole finds the failing condition.'
    )
    Parameters  = @{
        SetEnvironment = 'Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION (and AWS_REGION and AWS_DEFAULT_REGION when a region was given) in the current process, for every AWS CLI, SDK and module started after it. Writes no object unless -OutputFormat CredentialProcess is also given.'
        MaxAttempts    = 'How many STS requests to make at most when failures are transient (1 = no retries). Default 5.'
        OutputFormat   = 'Object (default): a GitlabSts.WebIdentityCredential. CredentialProcess: one line of AWS credential_process JSON ({"Version":1,"AccessKeyId",...,"Expiration"}) and nothing else, for a credential_process entry in an AWS profile.'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'A RoleArn, by property name.' })
    Outputs     = @(
        @{ Type = 'GitlabSts.WebIdentityCredential'; Description = 'The temporary credentials and who they belong to (AccessKeyId, SecretAccessKey, SessionToken, Expiration in UTC, RoleArn, RoleSessionName, AssumedRoleArn, AssumedRoleId, AccountId, SubjectFromWebIdentityToken, Provider, Audience, Region, ChainedRoleArns). With -ChainRoleArn the keys, AssumedRoleArn and AccountId are the last hop''s; RoleArn stays the web-identity role.' }
        @{ Type = 'System.String'; Description = 'With -OutputFormat CredentialProcess: one line of credential_process JSON.' }
    )
    Notes       = 'The ID token, the secret access key and the session token never appear in the default views, ToString(), the verbose, debug, warning or error streams, error messages or logs. They are shown when asked for explicitly: $c.SessionToken, Format-List *, Select-Object *, ConvertTo-Json, Export-Clixml, and the JSON of -OutputFormat CredentialProcess; keep such output out of job logs. GITLABSTS_STS_TIMEOUT_SECONDS sets the per-request timeout (default 10).'
    Examples    = @(
        @{
            Title   = 'Credentials for the rest of a job script'
            Code    = @('# .gitlab-ci.yml: id_tokens: { GITLAB_OIDC_TOKEN: { aud: sts.amazonaws.com } }, variables: { ROLE_ARN: arn:aws:iam::123456789012:role/deployer }', 'Get-GitlabWebIdentityCredential -SetEnvironment', 'aws s3 cp ./site s3://my-bucket/ --recursive')
            Remarks = 'The token is found in GITLAB_OIDC_TOKEN and the role in ROLE_ARN; the AWS variables are set for every command that follows in the job.'
        }
        @{
            Title   = 'Several ID tokens in one job'
            Code    = @('# id_tokens: { AWS_TOKEN: { aud: sts.amazonaws.com }, VAULT_TOKEN: { aud: https://vault.example.com } }', '$credential = Get-GitlabWebIdentityCredential -Audience sts.amazonaws.com -RoleArn arn:aws:iam::123456789012:role/deployer -DurationSeconds 900', '$credential.Expiration')
            Remarks = 'Discovery finds both tokens issued by this GitLab instance and -Audience picks the one meant for AWS.'
        }
        @{
            Title   = 'A role in AWS GovCloud with a session policy'
            Code    = 'Get-GitlabWebIdentityCredential -RoleArn arn:aws-us-gov:iam::123456789012:role/deployer -Region us-gov-west-1 -Policy (Get-Content ./readonly-policy.json -Raw) -TokenFile $env:CI_PROJECT_DIR/.id_token'
            Remarks = 'The region must belong to the role''s partition; the session policy limits what these credentials can do.'
        }
        @{
            Title   = 'Hub and spoke: a deployment role in another account, with an account guard'
            Code    = @('$env:GITLABSTS_ALLOWED_ACCOUNT_IDS = ''444455556666''', 'Get-GitlabWebIdentityCredential -RoleArn arn:aws:iam::111122223333:role/gitlab-hub -ChainRoleArn arn:aws:iam::444455556666:role/deployer -SetEnvironment -Verbose')
            Remarks = 'The token is exchanged for the hub role, which then assumes the deployer role (its trust policy must allow sts:AssumeRole by arn:aws:iam::111122223333:role/gitlab-hub). The variables hold the deployer''s keys, for at most an hour (AWS''s cap on chained sessions). Credentials of any account other than 444455556666 fail with GitlabSts.AccountNotAllowed and set nothing.'
        }
        @{
            Title   = 'As an AWS credential_process'
            Code    = @('[profile oidc]', 'credential_process = pwsh -NoProfile -NonInteractive -Command "Import-Module GitlabSts; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess"')
            Remarks = 'Any AWS CLI or SDK using this profile runs the cmdlet when it needs credentials. Set-GitlabAwsProfile -Mode CredentialProcess writes this entry with absolute paths.'
        }
    )
}
