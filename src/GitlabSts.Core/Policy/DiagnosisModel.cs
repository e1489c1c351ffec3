using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>Outcome of one diagnosis check.</summary>
    public enum CheckResult { Pass, Fail, Warn, Skip }

    /// <summary>One line of the checklist: what was checked, the verdict, and what was expected vs. found.</summary>
    public sealed class DiagnosisCheck
    {
        public DiagnosisCheck(string name, CheckResult result, string detail)
            : this(name, result, detail, null, null)
        {
        }

        public DiagnosisCheck(string name, CheckResult result, string detail, string? code, string? hint)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Result = result;
            Detail = detail ?? string.Empty;
            Code = code;
            Hint = hint;
        }

        public string Name { get; }
        public CheckResult Result { get; }
        public string Detail { get; }

        /// <summary>
        /// Short failure code (e.g. <c>IssuerMismatch</c>) when <see cref="Result"/> is Fail; a finding's name (e.g.
        /// <c>RefScope</c>, <see cref="CheckCodes"/>) when a finding is Warn; else usually null.
        /// </summary>
        public string? Code { get; }

        /// <summary>What to change, when the check found something to change.</summary>
        public string? Hint { get; }

        public override string ToString() => $"[{Result}] {Name}: {Detail}";
    }

    /// <summary>Input of <see cref="OidcDiagnosis.Run"/>.</summary>
    public sealed class DiagnosisInput
    {
        /// <summary>Decoded JWT payload JSON (already shape-checked by the caller); read when <see cref="Claims"/> is null.</summary>
        public string ClaimsJson { get; set; } = "{}";

        /// <summary>The claims to evaluate (a token's <see cref="IdToken.Claims"/>, or built by a what-if); null: <see cref="ClaimsJson"/>.</summary>
        public TokenClaims? Claims { get; set; }

        /// <summary><c>arn:&lt;partition&gt;:iam::&lt;12 digits&gt;:role/&lt;path/name&gt;</c>, already validated; may be null.</summary>
        public string? RoleArn { get; set; }

        /// <summary>Trust policy JSON; null: policy checks are Skip.</summary>
        public string? TrustPolicyJson { get; set; }

        /// <summary>The IAM OIDC provider's client ids (audiences); null = unknown (Skip).</summary>
        public IReadOnlyList<string>? ClientIds { get; set; }

        /// <summary>
        /// True when nothing but the trust policy can decide (Test-GitlabOidcRole -Offline): no policy is then a Fail
        /// (<see cref="CheckCodes.NoTrustPolicy"/>) rather than a Skip.
        /// </summary>
        public bool RequireTrustPolicy { get; set; }

        /// <summary>The exchange's region: <c>aws:RequestedRegion</c> in the request context; null leaves it unknown.</summary>
        public string? Region { get; set; }

        /// <summary>The exchange's session name: <c>sts:RoleSessionName</c>; null leaves it unknown.</summary>
        public string? RoleSessionName { get; set; }

        /// <summary>The STS endpoint the exchange uses: <c>aws:SecureTransport</c> (true for https); null leaves it unknown.</summary>
        public Uri? StsEndpoint { get; set; }

        /// <summary>Values the user supplies for keys only AWS knows (-ConditionContext); null value = absent.</summary>
        public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>>? ConditionContext { get; set; }

        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public TimeSpan ClockSkew { get; set; } = TokenTimes.DefaultClockSkew;
    }

    /// <summary>Output of <see cref="OidcDiagnosis.Run"/>.</summary>
    public sealed class DiagnosisResult
    {
        internal DiagnosisResult(IReadOnlyList<DiagnosisCheck> checks, string? issuer, string? subject,
            IReadOnlyList<string> audience, DateTimeOffset? tokenExpiresAt, string suggestedTrustPolicy)
        {
            Checks = checks;
            Issuer = issuer;
            Subject = subject;
            Audience = audience;
            TokenExpiresAt = tokenExpiresAt;
            SuggestedTrustPolicy = suggestedTrustPolicy;
            DiagnosisCheck? failed = FirstFailure(checks);
            Success = failed == null;
            if (failed != null)
            {
                FailureCode = failed.Code ?? failed.Name;
                Message = Summary(failed);
                Hint = failed.Hint;
            }
        }

        /// <summary>The first Fail check of a checklist, or null: the one a result's code, message and hint describe.</summary>
        internal static DiagnosisCheck? FirstFailure(IEnumerable<DiagnosisCheck> checks) =>
            checks.FirstOrDefault(c => c.Result == CheckResult.Fail);

        /// <summary>A result's one-line message for a failed check: its name and the first line of its detail.</summary>
        internal static string Summary(DiagnosisCheck failed) => $"{failed.Name}: {FirstSentence(failed.Detail)}";

        /// <summary>False when any check is Fail.</summary>
        public bool Success { get; }
        public IReadOnlyList<DiagnosisCheck> Checks { get; }
        public string? Issuer { get; }
        public string? Subject { get; }
        public IReadOnlyList<string> Audience { get; }
        public DateTimeOffset? TokenExpiresAt { get; }

        /// <summary>Code of the first failing check (e.g. <c>TrustPolicyDenied</c>, <c>IssuerMismatch</c>).</summary>
        public string? FailureCode { get; }

        /// <summary>One sentence: what failed.</summary>
        public string? Message { get; }

        /// <summary>What to change, concretely.</summary>
        public string? Hint { get; }

        /// <summary>
        /// For each Allow statement for this provider, the <c>:sub</c> values and patterns it admits, <c>*</c> for a statement
        /// with no (positive) <c>:sub</c> condition; empty when no trust policy was evaluated.
        /// </summary>
        public IReadOnlyList<string> AdmittedSubjects { get; internal set; } = Array.Empty<string>();

        /// <summary>Indented JSON trust policy that this token satisfies.</summary>
        public string SuggestedTrustPolicy { get; }

        private static string FirstSentence(string detail)
        {
            int nl = detail.IndexOf('\n');
            string line = nl >= 0 ? detail.Substring(0, nl) : detail;
            return line.TrimEnd();
        }
    }
}
