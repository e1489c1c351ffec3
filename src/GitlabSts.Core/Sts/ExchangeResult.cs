using System;

namespace GitlabSts.Core.Sts
{
    /// <summary>Temporary credentials from AssumeRoleWithWebIdentity. <see cref="ToString"/> shows no secret.</summary>
    public sealed class ExchangeResult
    {
        public ExchangeResult(ExchangeRequest request, string accessKeyId, string secretAccessKey, string sessionToken, DateTime expiration)
        {
            Request = request;
            AccessKeyId = accessKeyId;
            SecretAccessKey = secretAccessKey;
            SessionToken = sessionToken;
            Expiration = DateTime.SpecifyKind(expiration.ToUniversalTime(), DateTimeKind.Utc);
        }

        public ExchangeRequest Request { get; }

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

        /// <summary>The account of the assumed role (from the assumed-role ARN, else the role ARN).</summary>
        public string AccountId
        {
            get
            {
                string[] parts = (AssumedRoleArn ?? string.Empty).Split(':');
                return parts.Length > 4 && parts[4].Length == 12 ? parts[4] : Request.RoleArn.AccountId;
            }
        }

        public override string ToString() => $"{AccessKeyId} ({AssumedRoleArn ?? Request.RoleArn.Value}, expires {Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'})";
    }
}
