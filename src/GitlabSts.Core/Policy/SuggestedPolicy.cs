using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The minimal trust policy a token satisfies: <c>Federated</c> = the issuer's IAM OIDC provider in the role's
    /// account and partition, <c>Action</c> = <c>sts:AssumeRoleWithWebIdentity</c>, and <c>StringEquals</c> on
    /// <c>&lt;issuerKey&gt;:aud</c> (the token's audience) and on <c>&lt;issuerKey&gt;:sub</c> (the exact subject, which
    /// GitLab builds as <c>project_path:&lt;path&gt;:ref_type:&lt;type&gt;:ref:&lt;ref&gt;</c>, so it is scoped to this
    /// project and ref). StringEquals is used rather than StringLike so the policy grants nothing wider than the token
    /// itself. Without a role ARN the account is the placeholder <see cref="AccountPlaceholder"/> (partition <c>aws</c>).
    /// For gitlab.com (a shared instance that exposes the keys) it also pins <c>project_id</c> (PathReuse) and, for a
    /// protected branch, <c>ref_protected</c> (UnprotectedRef), from the token's claims, so it passes its own findings.
    /// </summary>
    public static class SuggestedPolicy
    {
        public const string AccountPlaceholder = "<ACCOUNT_ID>";

        /// <param name="roleArn">the role's ARN; null or not a role ARN: <see cref="AccountPlaceholder"/> in partition aws</param>
        public static string Build(string issuer, string? roleArn, string sub, IReadOnlyList<string> aud) =>
            BuildFor(issuer, RoleArn.TryParse(roleArn), sub, aud);

        internal static string BuildFor(string issuer, RoleArn? role, string sub, IReadOnlyList<string> aud, Tokens.TokenClaims? claims = null)
        {
            if (issuer == null) throw new ArgumentNullException(nameof(issuer));
            if (sub == null) throw new ArgumentNullException(nameof(sub));
            if (aud == null) throw new ArgumentNullException(nameof(aud));
            string partition = role?.Partition ?? "aws", account = role?.AccountId ?? AccountPlaceholder;
            string issuerKey = OidcConditionKeys.IssuerKey(issuer);

            var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            using (var stream = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(stream, options))
                {
                    w.WriteStartObject();
                    w.WriteString("Version", "2012-10-17");
                    w.WriteStartArray("Statement");
                    w.WriteStartObject();
                    w.WriteString("Sid", "GitlabOidc");
                    w.WriteString("Effect", "Allow");
                    w.WriteStartObject("Principal");
                    w.WriteString("Federated", OidcConditionKeys.ProviderArn(partition, account, issuer));
                    w.WriteEndObject();
                    w.WriteString("Action", RequestContext.AssumeRoleWithWebIdentity);
                    w.WriteStartObject("Condition");
                    w.WriteStartObject("StringEquals");
                    if (aud.Count == 1)
                    {
                        w.WriteString(issuerKey + ":aud", aud[0]);
                    }
                    else
                    {
                        w.WriteStartArray(issuerKey + ":aud");
                        foreach (string value in aud) w.WriteStringValue(value);
                        w.WriteEndArray();
                    }
                    w.WriteString(issuerKey + ":sub", sub);
                    foreach (KeyValuePair<string, string> pin in Pins(issuerKey, claims)) w.WriteString(pin.Key, pin.Value);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                return Encoding.UTF8.GetString(stream.ToArray());
            }
        }

        /// <summary>The shared instance's pins the token's claims give: project_id, and ref_protected for a protected branch.</summary>
        private static IEnumerable<KeyValuePair<string, string>> Pins(string issuerKey, Tokens.TokenClaims? claims)
        {
            if (claims == null || !SubjectFindings.IsShared(issuerKey)) yield break;
            string? id = claims.First("project_id");
            if (!string.IsNullOrEmpty(id) && OidcConditionKeys.IsExposed(issuerKey, "project_id"))
            {
                yield return new KeyValuePair<string, string>(issuerKey + ":project_id", id!);
            }
            if (claims.First("ref_type") == "branch" && claims.First("ref_protected") == "true" && OidcConditionKeys.IsExposed(issuerKey, "ref_protected"))
            {
                yield return new KeyValuePair<string, string>(issuerKey + ":ref_protected", "true");
            }
        }
    }
}
