using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>Which condition keys AWS STS exposes for an OIDC token, and the provider ARN of an issuer.</summary>
    public static class OidcConditionKeys
    {
        /// <summary>Claims every OIDC issuer gets as <c>&lt;issuerKey&gt;:&lt;claim&gt;</c>.</summary>
        public static readonly IReadOnlyList<string> CommonClaims = new[] { "aud", "sub" };

        /// <summary>Extra claims AWS exposes for <c>gitlab.com</c> only.</summary>
        public static readonly IReadOnlyList<string> GitlabComClaims = new[]
        {
            "namespace_id", "project_id", "user_id", "user_login", "user_email", "user_access_level",
            "ref_protected", "pipeline_source", "runner_environment",
        };

        public const string GitlabComIssuerKey = "gitlab.com";

        /// <summary><c>https://gitlab.com/</c> → <c>gitlab.com</c> (scheme and trailing slashes removed).</summary>
        public static string IssuerKey(string issuer)
        {
            if (issuer == null) throw new ArgumentNullException(nameof(issuer));
            string s = issuer.Trim();
            if (s.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) s = s.Substring(8);
            else if (s.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) s = s.Substring(7);
            return s.TrimEnd('/');
        }

        /// <summary><c>arn:&lt;partition&gt;:iam::&lt;account&gt;:oidc-provider/&lt;issuerKey&gt;</c>.</summary>
        public static string ProviderArn(string partition, string account, string issuer) =>
            $"arn:{partition}:iam::{account}:oidc-provider/{IssuerKey(issuer)}";

        public static IReadOnlyList<string> ExposedClaims(string issuerKey) =>
            string.Equals(issuerKey, GitlabComIssuerKey, StringComparison.OrdinalIgnoreCase)
                ? CommonClaims.Concat(GitlabComClaims).ToArray()
                : CommonClaims;

        public static bool IsExposed(string issuerKey, string claim) =>
            ExposedClaims(issuerKey).Contains(claim, StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// The request context STS builds for this token: the federated principal plus the exposed claim keys
        /// (values from the claims; absent claims are absent keys). <paramref name="account"/> and
        /// <paramref name="partition"/> come from the role ARN.
        /// </summary>
        /// <exception cref="GitlabStsException">MalformedToken: the claims are not a JSON object with an iss.</exception>
        public static RequestContext BuildContext(string claimsJson, string partition, string account) =>
            BuildContext(TokenClaims.FromJson(claimsJson), partition, account);

        /// <summary>The request context STS builds for these claims (a token's, or a what-if's); see the overload above.</summary>
        public static RequestContext BuildContext(TokenClaims claims, string partition, string account)
        {
            string iss = claims.Issuer
                ?? throw new GitlabStsException(ErrorIds.MalformedToken, ErrorKind.InvalidData,
                    "The token's claims have no 'iss'. Pass a GitLab ID token (id_tokens:), which always carries iss.");
            string issuerKey = IssuerKey(iss);
            var ctx = new RequestContext(ProviderArn(partition, account, iss)) { IssuerKey = issuerKey };
            foreach (string claim in ExposedClaims(issuerKey))
            {
                IReadOnlyList<string> values = claims.Values(claim);
                if (values.Count > 0) ctx.Set(issuerKey + ":" + claim, values.ToArray());
            }
            return ctx;
        }

        /// <summary>A string, number, bool or array of them, as strings (numbers as their JSON text); other values are skipped.</summary>
        internal static IReadOnlyList<string> Strings(JsonElement el)
        {
            var list = new List<string>();
            if (el.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in el.EnumerateArray()) AddScalar(list, item);
            }
            else
            {
                AddScalar(list, el);
            }
            return list;
        }

        private static void AddScalar(List<string> list, JsonElement el)
        {
            switch (el.ValueKind)
            {
                case JsonValueKind.String: list.Add(el.GetString()!); break;
                case JsonValueKind.Number: list.Add(el.GetRawText()); break;
                case JsonValueKind.True: list.Add("true"); break;
                case JsonValueKind.False: list.Add("false"); break;
            }
        }
    }
}
