using System;
using GitlabSts.Core.Sts;

namespace GitlabSts
{
    /// <summary>How Get-GitlabWebIdentityCredential writes its result.</summary>
    public enum CredentialOutputFormat
    {
        /// <summary>A GitlabSts.WebIdentityCredential object.</summary>
        Object,

        /// <summary>One line of AWS credential_process JSON.</summary>
        CredentialProcess,
    }

    /// <summary>Temporary AWS credentials from a GitLab ID token. ToString and the default views show no secret.</summary>
    public sealed class WebIdentityCredential
    {
        public string AccessKeyId { get; set; } = string.Empty;

        public string SecretAccessKey { get; set; } = string.Empty;

        public string SessionToken { get; set; } = string.Empty;

        /// <summary>UTC.</summary>
        public DateTime Expiration { get; set; }

        public string RoleArn { get; set; } = string.Empty;

        public string RoleSessionName { get; set; } = string.Empty;

        public string? AssumedRoleArn { get; set; }

        public string? AssumedRoleId { get; set; }

        public string AccountId { get; set; } = string.Empty;

        public string? SubjectFromWebIdentityToken { get; set; }

        public string? Provider { get; set; }

        public string? Audience { get; set; }

        public string? Region { get; set; }

        public override string ToString() =>
            $"{AccessKeyId} for {AssumedRoleArn ?? RoleArn} (expires {Expiration.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'})";

        internal static WebIdentityCredential From(ExchangeResult result) => new WebIdentityCredential
        {
            AccessKeyId = result.AccessKeyId,
            SecretAccessKey = result.SecretAccessKey,
            SessionToken = result.SessionToken,
            Expiration = result.Expiration,
            RoleArn = result.Request.RoleArn.Value,
            RoleSessionName = result.Request.RoleSessionName,
            AssumedRoleArn = result.AssumedRoleArn,
            AssumedRoleId = result.AssumedRoleId,
            AccountId = result.AccountId,
            SubjectFromWebIdentityToken = result.SubjectFromWebIdentityToken,
            Provider = result.Provider,
            Audience = result.Audience,
            Region = result.Request.Region,
        };
    }
}
