using System;
using System.Collections.Generic;

namespace GitlabSts.Core.Iam
{
    /// <summary>How one IAM read ended. A read failure is a result, never an exception.</summary>
    public enum IamReadStatus
    {
        /// <summary>IAM answered with the entity.</summary>
        Read,

        /// <summary>IAM answered NoSuchEntity.</summary>
        NotFound,

        /// <summary>IAM answered AccessDenied (the caller lacks iam:GetRole / iam:GetOpenIDConnectProvider).</summary>
        AccessDenied,

        /// <summary>Anything else: no credentials, another IAM error, no answer.</summary>
        Failed,
    }

    /// <summary>The role as IAM GetRole returned it (trust policy URL-decoded), or why it could not be read.</summary>
    public sealed class IamRoleRead
    {
        public IamRoleRead(IamReadStatus status, string? trustPolicyJson, string? errorCode, string? message)
        {
            Status = status;
            TrustPolicyJson = trustPolicyJson;
            ErrorCode = errorCode;
            Message = message;
        }

        public IamReadStatus Status { get; }

        /// <summary>The role's trust policy (AssumeRolePolicyDocument, URL-decoded) when <see cref="Status"/> is Read.</summary>
        public string? TrustPolicyJson { get; }

        /// <summary>IAM's error code (NoSuchEntity, AccessDenied, ...) or our own (NoCredentials, NetworkError) when not read.</summary>
        public string? ErrorCode { get; }

        /// <summary>IAM's message or ours when not read (never holds a secret).</summary>
        public string? Message { get; }
    }

    /// <summary>The issuer's IAM OIDC provider as GetOpenIDConnectProvider returned it, or why it could not be read.</summary>
    public sealed class IamProviderRead
    {
        public IamProviderRead(string arn, IamReadStatus status, IReadOnlyList<string>? clientIds, string? url, string? errorCode, string? message)
        {
            Arn = arn ?? throw new ArgumentNullException(nameof(arn));
            Status = status;
            ClientIds = clientIds;
            Url = url;
            ErrorCode = errorCode;
            Message = message;
        }

        /// <summary>The provider ARN that was read: <c>arn:&lt;partition&gt;:iam::&lt;role's account&gt;:oidc-provider/&lt;issuer host/path&gt;</c>.</summary>
        public string Arn { get; }

        public IamReadStatus Status { get; }

        /// <summary>The provider's client ids (audiences) when read.</summary>
        public IReadOnlyList<string>? ClientIds { get; }

        /// <summary>The provider's Url as IAM returns it (no scheme), when read.</summary>
        public string? Url { get; }

        public string? ErrorCode { get; }

        public string? Message { get; }
    }

    /// <summary>
    /// What -FromIam read for one role and one issuer: immutable, so a caller may read once per role and hand the same
    /// result to every row that tests that role (<c>RoleTestOptions.IamRead</c>).
    /// </summary>
    public sealed class IamReadResult
    {
        public IamReadResult(string roleArn, string issuer, IamRoleRead role, IamProviderRead provider)
        {
            RoleArn = roleArn ?? throw new ArgumentNullException(nameof(roleArn));
            Issuer = issuer ?? throw new ArgumentNullException(nameof(issuer));
            Role = role ?? throw new ArgumentNullException(nameof(role));
            Provider = provider ?? throw new ArgumentNullException(nameof(provider));
        }

        /// <summary>The role ARN that was read.</summary>
        public string RoleArn { get; }

        /// <summary>The issuer whose provider was read (as given: <c>https://gitlab.com</c>).</summary>
        public string Issuer { get; }

        public IamRoleRead Role { get; }

        public IamProviderRead Provider { get; }

        /// <summary>True when this result was read for <paramref name="roleArn"/> and <paramref name="issuer"/> (issuer compared by its provider key).</summary>
        public bool IsFor(string roleArn, string issuer) =>
            string.Equals(RoleArn, roleArn, StringComparison.Ordinal)
            && string.Equals(Policy.OidcConditionKeys.IssuerKey(Issuer), Policy.OidcConditionKeys.IssuerKey(issuer), StringComparison.Ordinal);
    }
}
