using System;
using System.Collections.Generic;

namespace GitlabSts.Core.Sts
{
    /// <summary>Temporary credentials from AssumeRoleWithWebIdentity. <see cref="ToString"/> shows no secret.</summary>
    public sealed class ExchangeResult
    {
        /// <param name="role">The role these credentials are for: a chained hop's, else (null) the request's role.</param>
        public ExchangeResult(ExchangeRequest request, string accessKeyId, string secretAccessKey, string sessionToken, DateTime expiration, RoleArn? role = null)
        {
            Request = request;
            Role = role ?? request.RoleArn;
            AccessKeyId = accessKeyId;
            SecretAccessKey = secretAccessKey;
            SessionToken = sessionToken;
            Expiration = DateTime.SpecifyKind(expiration.ToUniversalTime(), DateTimeKind.Utc);
        }

        public ExchangeRequest Request { get; }

        /// <summary>The role these credentials are for: the last chained hop's, else the web-identity role.</summary>
        public RoleArn Role { get; }

        /// <summary>The roles assumed after the web-identity exchange, in order, up to these credentials' (empty without chaining).</summary>
        public IReadOnlyList<string> ChainedRoleArns { get; set; } = Array.Empty<string>();

        public string AccessKeyId { get; }

        /// <summary>Secret.</summary>
        public string SecretAccessKey { get; }

        /// <summary>Secret.</summary>
        public string SessionToken { get; }

        public DateTime Expiration { get; }

        public string? AssumedRoleArn { get; set; }

        public string? AssumedRoleId { get; set; }

        public string? SubjectFromWebIdentityToken { get; set; }

        public string? Provider { get; set; }

        public string? Audience { get; set; }

        /// <summary>How many STS requests it took.</summary>
        public int Attempts { get; set; }

        /// <summary>The account of the assumed role (from the assumed-role ARN STS returned, else the role ARN).</summary>
        public string AccountId
        {
            get
            {
                string[] parts = (AssumedRoleArn ?? string.Empty).Split(':');
                return parts.Length > 4 && parts[4].Length == 12 ? parts[4] : Role.AccountId;
            }
        }

        public override string ToString() => $"{AccessKeyId} ({AssumedRoleArn ?? Role.Value}, expires {Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'})";
    }
}
