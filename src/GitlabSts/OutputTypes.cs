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

        /// <summary>The roles assumed after the web-identity exchange (-ChainRoleArn), in order; empty without chaining.</summary>
        public string[] ChainedRoleArns { get; set; } = Array.Empty<string>();

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
            ChainedRoleArns = System.Linq.Enumerable.ToArray(result.ChainedRoleArns),
        };
    }
}

namespace GitlabSts
{
    using System.Linq;
    using GitlabSts.Core.Policy;
    using GitlabSts.Core.RoleTest;

    /// <summary>The outcome of one check of Test-GitlabOidcRole.</summary>
    public enum OidcCheckResult
    {
        Pass,
        Fail,
        Warn,
        Skip,
    }

    /// <summary>One check of Test-GitlabOidcRole: what was expected and what the token has.</summary>
    public sealed class OidcCheck
    {
        public string Name { get; set; } = string.Empty;

        public OidcCheckResult Result { get; set; }

        public string Detail { get; set; } = string.Empty;

        public override string ToString() => $"[{Result}] {Name}: {Detail}";

        internal static OidcCheck From(DiagnosisCheck check) => new OidcCheck
        {
            Name = check.Name,
            Result = (OidcCheckResult)(int)check.Result,
            Detail = check.Hint != null && check.Result != CheckResult.Pass ? $"{check.Detail} Hint: {check.Hint}" : check.Detail,
        };
    }

    /// <summary>What Test-GitlabOidcRole found: whether the role can be assumed and, if not, why.</summary>
    public sealed class OidcRoleTestResult
    {
        public bool Success { get; set; }

        public string RoleArn { get; set; } = string.Empty;

        public string? AssumedRoleArn { get; set; }

        public string? Account { get; set; }

        public string? UserId { get; set; }

        public string? Issuer { get; set; }

        public string? Subject { get; set; }

        public string[] Audience { get; set; } = Array.Empty<string>();

        /// <summary>UTC.</summary>
        public DateTime? TokenExpiresAt { get; set; }

        public OidcCheck[] Checks { get; set; } = Array.Empty<OidcCheck>();

        public string? ErrorCode { get; set; }

        public string? Message { get; set; }

        public string? Hint { get; set; }

        public string SuggestedTrustPolicy { get; set; } = string.Empty;

        /// <summary>Per Allow statement for this provider, the :sub values and patterns it admits ("*": no sub condition).</summary>
        public string[] AdmittedSubjects { get; set; } = Array.Empty<string>();

        public override string ToString() => Success ? $"{RoleArn}: can be assumed" : $"{RoleArn}: cannot be assumed ({ErrorCode}: {Message})";

        internal static OidcRoleTestResult From(RoleTestResult r) => new OidcRoleTestResult
        {
            Success = r.Success,
            RoleArn = r.RoleArn,
            AssumedRoleArn = r.AssumedRoleArn,
            Account = r.Account,
            UserId = r.UserId,
            Issuer = r.Issuer,
            Subject = r.Subject,
            Audience = r.Audience.ToArray(),
            TokenExpiresAt = r.TokenExpiresAt?.UtcDateTime,
            Checks = r.Checks.Select(OidcCheck.From).ToArray(),
            ErrorCode = r.ErrorCode,
            Message = r.Message,
            Hint = r.Hint,
            SuggestedTrustPolicy = r.SuggestedTrustPolicy,
            AdmittedSubjects = r.AdmittedSubjects.ToArray(),
        };
    }
}

namespace GitlabSts
{
    /// <summary>What Set-GitlabAwsProfile wrote.</summary>
    public sealed class AwsProfileInfo
    {
        public string ProfileName { get; set; } = string.Empty;

        public string Mode { get; set; } = string.Empty;

        public string ConfigPath { get; set; } = string.Empty;

        public string CredentialsPath { get; set; } = string.Empty;

        public string? TokenFilePath { get; set; }

        public string? RoleArn { get; set; }

        public string? Region { get; set; }

        /// <summary>The extra profiles of a chained WebIdentity profile (-ChainRoleArn), web-identity hop first; empty without a chain.</summary>
        public string[] SourceProfiles { get; set; } = Array.Empty<string>();

        public override string ToString() => $"{ProfileName} ({Mode})";
    }
}
