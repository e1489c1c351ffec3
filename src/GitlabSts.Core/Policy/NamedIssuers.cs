using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The OIDC issuers the user named, and so trusts <c>-VerifySignature</c> to fetch keys from: <c>-Issuer</c>,
    /// <c>$env:CI_SERVER_URL</c>, and the issuer of each <c>oidc-provider/…</c> <c>Federated</c> principal of the trust
    /// policy (<c>-TrustPolicy</c>, or one read from IAM). A token's own <c>iss</c> is never enough: it was chosen by
    /// whoever made the token.
    /// </summary>
    public sealed class NamedIssuers
    {
        private readonly List<(string Key, string? Scheme, string Source)> _issuers = new List<(string, string?, string)>();

        /// <summary>How each issuer was named, e.g. <c>gitlab.com (from -Issuer)</c>.</summary>
        public IReadOnlyList<string> Descriptions => _issuers.Select(i => $"{(i.Scheme != null ? i.Scheme + "://" : "")}{i.Key} (from {i.Source})").ToArray();

        public int Count => _issuers.Count;

        /// <summary>
        /// The issuers of <paramref name="issuerParameter"/> (-Issuer), <c>CI_SERVER_URL</c> and the trust policy's Federated
        /// providers. A malformed trust policy names none (its own check reports it).
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidClaim: -Issuer is not an http(s) URL or host name, or holds an ID token.</exception>
        public static NamedIssuers From(string? issuerParameter, string? trustPolicyJson, IEnvironmentReader env)
        {
            if (env == null) throw new ArgumentNullException(nameof(env));
            var named = new NamedIssuers();
            if (!string.IsNullOrWhiteSpace(issuerParameter))
            {
                ExchangeRequest.RejectTokenIn("Issuer", ErrorIds.InvalidClaim, issuerParameter);
                if (!named.TryAdd(issuerParameter!, "-Issuer"))
                {
                    throw new GitlabStsException(ErrorIds.InvalidClaim, ErrorKind.InvalidArgument,
                        $"-Issuer '{issuerParameter}' is not an issuer URL. Pass the GitLab instance's URL as it appears in the token's iss, " +
                        "such as https://gitlab.example.com.", "Issuer");
                }
            }

            string? ciServer = env.Get("CI_SERVER_URL");
            if (ciServer != null && !IdTokenLike(ciServer))
            {
                named.TryAdd(ciServer, "CI_SERVER_URL");
            }

            foreach (string provider in FederatedProviders(trustPolicyJson))
            {
                named.TryAdd(provider, "the trust policy's Federated provider");
            }

            return named;
        }

        /// <summary>Adds an issuer: <c>https://host[:port][/path]</c> (scheme kept), or <c>host[/path]</c> (any scheme, as IAM names a provider).</summary>
        /// <returns>false when <paramref name="issuer"/> is neither</returns>
        public bool TryAdd(string issuer, string source)
        {
            if (issuer == null) throw new ArgumentNullException(nameof(issuer));
            string? key = Normalise(issuer, out string? scheme);
            if (key == null) return false;
            if (!_issuers.Any(i => i.Key == key && i.Scheme == scheme))
            {
                _issuers.Add((key, scheme, source));
            }

            return true;
        }

        /// <summary>How <paramref name="iss"/> was named (e.g. <c>-Issuer</c>), or null when nobody named it.</summary>
        public string? Find(string iss)
        {
            string? key = Normalise(iss ?? "", out string? scheme);
            if (key == null || scheme == null) return null;
            foreach ((string k, string? s, string source) in _issuers)
            {
                if (k == key && (s == null || s == scheme)) return source;
            }

            return null;
        }

        /// <summary>
        /// <c>host[:port][/path]</c> with the host in lower case and no trailing slash; <paramref name="scheme"/> is http or
        /// https when given, null for a bare host. Null when the text is no issuer (query, fragment, user info, other scheme).
        /// </summary>
        internal static string? Normalise(string text, out string? scheme)
        {
            scheme = null;
            string s = text.Trim();
            if (s.Length == 0 || s.Any(char.IsWhiteSpace)) return null;
            int sep = s.IndexOf("://", StringComparison.Ordinal);
            if (sep >= 0)
            {
                scheme = s.Substring(0, sep).ToLowerInvariant();
                if (scheme != "https" && scheme != "http") return null;
            }
            else
            {
                s = "https://" + s;
            }

            if (!Uri.TryCreate(s, UriKind.Absolute, out Uri? uri) || uri.Host.Length == 0 || uri.UserInfo.Length > 0
                || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                return null;
            }

            string authority = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port;

            return (authority.ToLowerInvariant() + uri.AbsolutePath).TrimEnd('/');
        }

        /// <summary>The <c>host/path</c> of every <c>arn:…:iam::…:oidc-provider/host/path</c> Federated principal.</summary>
        internal static IEnumerable<string> FederatedProviders(string? trustPolicyJson)
        {
            var found = new List<string>();
            if (string.IsNullOrWhiteSpace(trustPolicyJson)) return found;
            try
            {
                using (JsonDocument doc = JsonDocument.Parse(trustPolicyJson!))
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) return found;
                    foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                    {
                        if (p.Name != "Statement") continue;
                        foreach (JsonElement statement in Items(p.Value))
                        {
                            if (statement.ValueKind != JsonValueKind.Object) continue;
                            foreach (JsonProperty principal in statement.EnumerateObject())
                            {
                                if (principal.Name != "Principal" || principal.Value.ValueKind != JsonValueKind.Object) continue;
                                foreach (JsonProperty kind in principal.Value.EnumerateObject())
                                {
                                    if (kind.Name != "Federated") continue;
                                    foreach (JsonElement arn in Items(kind.Value))
                                    {
                                        string? provider = ProviderOf(arn.ValueKind == JsonValueKind.String ? arn.GetString() : null);
                                        if (provider != null) found.Add(provider);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            catch (Exception e) when (e is JsonException || e is ArgumentException)
            {
                // Not a policy: it names no issuer, and the TrustPolicy check says what is wrong with it.
            }

            return found;
        }

        private static IEnumerable<JsonElement> Items(JsonElement e) =>
            e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToArray() : new[] { e };

        private static string? ProviderOf(string? arn)
        {
            const string Marker = ":oidc-provider/";
            if (arn == null) return null;
            string[] parts = arn.Split(new[] { ':' }, 6);
            if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "iam") return null;
            int i = arn.IndexOf(Marker, StringComparison.Ordinal);
            if (i < 0) return null;
            string provider = arn.Substring(i + Marker.Length);
            return provider.Length > 0 && provider.IndexOf('*') < 0 ? provider : null;
        }

        private static bool IdTokenLike(string value) => Tokens.IdToken.LooksLikeJwt(value);
    }
}
