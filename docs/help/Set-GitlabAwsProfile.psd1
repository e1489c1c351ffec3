@{
    Synopsis    = 'Writes an AWS profile for the job''s role that every AWS CLI and SDK reads, without touching anything else in the AWS config.'
    Description = @(
        'Set-GitlabAwsProfile writes one profile into the shared AWS config (and credentials) file. In WebIdentity mode (default) it writes the ID token to a private file and a profile with role_arn, web_identity_token_file, role_session_name and duration_seconds: the AWS CLIs and SDKs then call STS themselves and re-assume the role when the credentials expire.'
        'In Credential mode it writes static temporary keys (from a GitlabSts.WebIdentityCredential piped in) to the credentials file, for tools without web-identity support. In CredentialProcess mode it writes a credential_process entry that runs Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess: the PowerShell path in double quotes, then -EncodedCommand with the command (module path and values inside, where no shell, cmd.exe or AWS CLI reads them), and a comment line above it showing what it runs. A PowerShell path that cannot be quoted safely (Unix: $ ` \ "; Windows: % ! ^ & | < > ") or a value with a line break is refused with GitlabSts.UnsafeValue before anything is written.'
        'With -ChainRoleArn, WebIdentity mode writes a chain of profiles that the AWS CLIs and SDKs follow and refresh by themselves: [profile NAME] holds the last role with role_arn + source_profile, NAME-hop1, NAME-hop2 ... hold the roles between (each with source_profile naming the one before), and NAME-hop0 is the web-identity profile of -RoleArn. The chained hops get -ChainRoleSessionName and -ChainDurationSeconds. Each extra profile starts with a comment line "; GitlabSts chain: hop N ... for profile NAME": every later run for NAME, in any mode, removes the extra profiles it does not write (a shorter chain, no chain, another mode), keeping keys you added; a profile of yours under such a name is refused (GitlabSts.InvalidProfileName). All sections are written in one locked, atomic update of the config file. Credential mode writes the last hop''s keys; CredentialProcess''s command runs the whole chain. With -AllowedAccountId (or GITLABSTS_ALLOWED_ACCOUNT_IDS), a last role in another account is GitlabSts.AccountNotAllowed and nothing is written, in every mode.'
        'Only the named section changes; every other byte of both files stays as it was (comments, blank lines, order, indentation, line endings). Writes are atomic (a temporary file renamed over the target) and locked against concurrent writers; files it writes get mode 0600 and folders it creates 0700 on Unix, an owner-only ACL on Windows. -WhatIf writes nothing.'
    )
    Parameters  = @{
        ProfileName     = 'The profile to write. Default oidc; default writes [default].'
        Mode            = 'WebIdentity (default): role_arn + web_identity_token_file, refreshed by the SDKs. Credential: static temporary keys in the credentials file. CredentialProcess: a credential_process entry that runs this module.'
        Credential      = 'Credentials from Get-GitlabWebIdentityCredential, usually piped in; implies -Mode Credential.'
        TokenFilePath   = 'Where WebIdentity mode writes the ID token. Default: a private per-profile file under the AWS config folder.'
        ConfigPath      = 'The AWS config file. Default: $env:AWS_CONFIG_FILE, else ~/.aws/config.'
        CredentialsPath = 'The AWS shared credentials file. Default: $env:AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.'
        SetEnvironment  = 'Also sets AWS_PROFILE (and AWS_REGION and AWS_DEFAULT_REGION when a region is known) in the current process.'
        PassThru        = 'Writes a GitlabSts.AwsProfileInfo describing what was written.'
        Policy          = 'With -Mode Credential only: an inline session policy (JSON, at most 2048 characters) for the exchange whose credentials are written. WebIdentity and CredentialProcess profiles exchange later on their own and cannot carry one, so it is refused there rather than dropped.'
        PolicyArn       = 'With -Mode Credential only: up to 10 managed session policy ARNs for the exchange whose credentials are written; refused in the other modes and with -Credential (those credentials are already issued).'
        WhatIf          = 'Shows what would be written (without any secret value) and writes nothing.'
        Confirm         = 'Asks before writing.'
    }
    Inputs      = @(@{ Type = 'GitlabSts.WebIdentityCredential'; Description = 'Credentials to write in Credential mode.' })
    Outputs     = @(@{ Type = 'GitlabSts.AwsProfileInfo'; Description = 'With -PassThru: ProfileName, Mode, ConfigPath, CredentialsPath, TokenFilePath, RoleArn (the last role of a chain), Region, SourceProfiles (the extra profiles of a chain, web-identity hop first; empty without one).' })
    Notes       = 'A symbolic link to the config file stays a link: the file it points to is replaced. Tab completion offers the profiles already in the config and credentials files (of -ConfigPath and -CredentialsPath when given). Every path is checked before anything is written: a folder where a file should be, or a file where a folder should be, fails with GitlabSts.ProfileWriteFailed and leaves no token file behind. Lock files: each write takes an inter-process lock on an empty file named .<file>.gitlabsts.lock next to the file it writes (for example ~/.aws/.config.gitlabsts.lock, ~/.aws/gitlabsts/.oidc.token.gitlabsts.lock), created owner-only (0600) like every file it writes. These lock files are left in place on purpose: deleting one while another process waits for it would let two writers lock two different files and lose a profile. They hold nothing and are safe to delete when no GitlabSts command is running.'
    Examples    = @(
        @{
            Title   = 'A web-identity profile for the rest of the job'
            Code    = @('Set-GitlabAwsProfile -ProfileName deploy -Region eu-central-1 -SetEnvironment', 'aws sts get-caller-identity    # uses AWS_PROFILE=deploy')
            Remarks = 'Writes the token file and [profile deploy]; the AWS CLI assumes the role itself, and again when the credentials expire.'
        }
        @{
            Title   = 'Static keys for a tool without web-identity support'
            Code    = 'Get-GitlabWebIdentityCredential -DurationSeconds 7200 | Set-GitlabAwsProfile -ProfileName legacy-tool'
            Remarks = 'Writes aws_access_key_id, aws_secret_access_key and aws_session_token to [legacy-tool] in the credentials file.'
        }
        @{
            Title   = 'A credential_process profile on a Windows runner'
            Code    = @('Set-GitlabAwsProfile -Mode CredentialProcess -ProfileName oidc -RoleArn arn:aws:iam::123456789012:role/deployer', 'Get-S3Bucket -ProfileName oidc')
            Remarks = 'Every process that reads the profile runs Get-GitlabWebIdentityCredential for fresh credentials; paths are absolute and quoted, so spaces in C:\Program Files are fine.'
        }
        @{
            Title   = 'A hub role, then a deployment role in another account'
            Code    = 'Set-GitlabAwsProfile -ProfileName deploy -RoleArn arn:aws:iam::111122223333:role/gitlab-hub -ChainRoleArn arn:aws:iam::444455556666:role/deployer -AllowedAccountId 444455556666 -SetEnvironment'
            Remarks = 'Writes [profile deploy-hop0] (web identity, the hub role) and [profile deploy] (role_arn of the deployer, source_profile = deploy-hop0); the AWS CLI assumes both roles itself and ends in account 444455556666. -PassThru would list deploy-hop0 in SourceProfiles.'
        }
        @{
            Title   = 'See what would change'
            Code    = 'Set-GitlabAwsProfile -ProfileName oidc -ConfigPath ./aws-config -WhatIf'
            Remarks = 'Lists the section and keys that would be written, with secret values redacted, and writes nothing.'
        }
    )
}
