# Descriptions of the parameters the three cmdlets share (one source for all of them).
@{
    RoleArn          = 'The ARN of the IAM role to assume, arn:<partition>:iam::<12-digit account>:role/<path/name>. Default: $env:ROLE_ARN, else $env:AWS_ROLE_ARN.'
    WebIdentityToken = 'The GitLab ID token itself (a signed JWT). Prefer -TokenVariable or discovery in scripts: a token typed on the command line is kept in the session history.'
    TokenVariable    = 'The name of an environment variable that holds the ID token, such as a name declared under id_tokens: in .gitlab-ci.yml.'
    TokenFile        = 'The path of a file that holds the ID token (surrounding white space is ignored).'
    Audience         = 'The audience (aud) the token must have. When several id_tokens: variables hold tokens from this GitLab instance, picks the one with this audience; always checked against the token''s aud.'
    RoleSessionName  = 'The role session name recorded in CloudTrail and in the assumed-role ARN: 2 to 64 of A-Z a-z 0-9 _ + = , . @ -. Default in a job: GitLabRunner-<CI_PROJECT_ID>-<CI_PIPELINE_ID>-<CI_JOB_ID>; elsewhere GitlabSts-<user>-<unix time>.'
    DurationSeconds  = 'How long the credentials stay valid, 900 to 43200 seconds (and no more than the role''s maximum session duration). Default 3600.'
    Region           = 'The AWS region whose STS endpoint is called. Default: $env:AWS_REGION, else $env:AWS_DEFAULT_REGION, else us-east-1 for the aws partition (other partitions need a region). Must belong to the role''s partition.'
    EndpointUrl      = 'A custom STS endpoint URL (a VPC endpoint, a proxy, or a local emulator). Default: $env:AWS_ENDPOINT_URL_STS, else $env:AWS_ENDPOINT_URL, else the regional endpoint of the partition.'
    Policy           = 'An inline session policy (JSON, at most 2048 characters) that further limits the role''s permissions for this session.'
    PolicyArn        = 'Up to 10 ARNs of managed policies that further limit the role''s permissions for this session.'
    ChainRoleArn     = 'Roles to assume (sts:AssumeRole) after the web-identity exchange, in order, each with the previous hop''s credentials (hub-and-spoke: -RoleArn is the hub role, -ChainRoleArn the deployment role in another account). What the cmdlet outputs, sets or writes is the last hop''s. Every hop must be a role ARN of -RoleArn''s partition; all are checked before the first request.'
    ChainRoleSessionName = 'The session name of every chained hop (2 to 64 of A-Z a-z 0-9 _ + = , . @ -). Default: the first hop''s session name (-RoleSessionName or its default).'
    ChainDurationSeconds = 'How long each chained session lasts, 900 to 3600 seconds: AWS caps sessions made by role chaining at one hour, so a larger value is refused (GitlabSts.InvalidDuration) before any request. Default 3600.'
    AllowedAccountId = 'The AWS accounts (12-digit ids) the final credentials may belong to. Default: $env:GITLABSTS_ALLOWED_ACCOUNT_IDS, comma-separated. Credentials of any other account (from the assumed-role ARN STS returns) fail with GitlabSts.AccountNotAllowed, and nothing is output, set in the environment or written.'
}
