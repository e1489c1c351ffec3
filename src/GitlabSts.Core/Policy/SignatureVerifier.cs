using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// <c>-VerifySignature</c>: <c>&lt;iss&gt;/.well-known/openid-configuration</c> → <c>jwks_uri</c> → the key with the
    /// token's <c>kid</c> → RS256 signature check (IdentityModel; issuer, audience and lifetime are not validated here).
    /// Keys come only from an issuer the user named (<see cref="NamedIssuers"/>): for any other <c>iss</c> no request is
    /// made at all. Redirects are not followed; <c>jwks_uri</c> must have the issuer's scheme, host and port.
    /// https only, except loopback hosts (127.0.0.0/8, ::1, localhost), which may use http. Never puts the token text
    /// in a message.
    /// </summary>
    public sealed class SignatureVerifier
    {
        public const string CheckName = "Signature";
        // No redirects: a 3xx would send the request to a host nobody named.
        private static readonly HttpClient SharedClient = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        private readonly HttpClient _http;

        public SignatureVerifier() : this(null) { }

        /// <param name="httpClient">optional client (its own Timeout should be infinite or longer than <see cref="Timeout"/>;
        /// its handler must not follow redirects)</param>
        public SignatureVerifier(HttpClient? httpClient) => _http = httpClient ?? SharedClient;

        /// <summary>Bound on the whole verification (discovery + JWKS); default 10 s.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Largest discovery or JWKS document accepted; default 1 MiB.</summary>
        public int MaxResponseBytes { get; set; } = 1 << 20;

        /// <param name="token">the ID token text</param>
        /// <param name="named">the issuers the user named: keys are fetched only when the token's iss is one of them</param>
        /// <param name="cancellationToken">cancels the fetches</param>
        /// <returns>a <see cref="CheckName"/> check: Pass, or Fail with the reason</returns>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled</exception>
        public async Task<DiagnosisCheck> VerifyAsync(string token, NamedIssuers named, CancellationToken cancellationToken = default)
        {
            if (token == null) throw new ArgumentNullException(nameof(token));
            if (named == null) throw new ArgumentNullException(nameof(named));
            JsonWebToken jwt;
            try
            {
                jwt = new JsonWebToken(token.Trim());
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                return Fail("The token is not a signed JWT (header.payload.signature).", CheckCodes.MalformedToken);
            }
            if (!string.Equals(jwt.Alg, SecurityAlgorithms.RsaSha256, StringComparison.Ordinal))
            {
                return Fail($"The token's alg is \"{jwt.Alg}\"; GitLab signs ID tokens with RS256.", CheckCodes.UnsupportedAlgorithm);
            }
            string iss = jwt.Issuer ?? "";
            string? refused = CheckUrl(iss, "issuer", out Uri? issuer);
            if (refused != null) return Fail(refused, CheckCodes.InsecureIssuer);
            string? namedBy = named.Find(iss);
            if (namedBy == null)
            {
                return Fail(NotNamed(iss, issuer!, named), CheckCodes.IssuerNotNamed);
            }

            using (var timeout = new CancellationTokenSource(Timeout))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    return await VerifyOnlineAsync(jwt, issuer!, namedBy, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return Fail($"Fetching the issuer's keys timed out after {Timeout.TotalSeconds:0.###} s.", CheckCodes.KeyFetchFailed);
                }
                catch (FetchException ex)
                {
                    return Fail(ex.Message, ex.Code);
                }
            }
        }

        private static string NotNamed(string iss, Uri issuer, NamedIssuers named)
        {
            string key = OidcConditionKeys.IssuerKey(iss);
            string have = named.Count == 0 ? "none was named" : "named: " + string.Join(", ", named.Descriptions);
            return $"The token's issuer \"{iss}\" is not one you named ({have}), so its keys were not fetched: a token's own iss "
                + $"is chosen by whoever made the token. Name it with -Issuer {issuer.GetLeftPart(UriPartial.Path).TrimEnd('/')}, "
                + $"CI_SERVER_URL, or a -TrustPolicy whose Federated provider is oidc-provider/{key}.";
        }

        private async Task<DiagnosisCheck> VerifyOnlineAsync(JsonWebToken jwt, Uri issuer, string namedBy, CancellationToken ct)
        {
            string discoveryUrl = issuer.AbsoluteUri.TrimEnd('/') + "/.well-known/openid-configuration";
            string discovery = await FetchAsync(discoveryUrl, ct).ConfigureAwait(false);
            string? jwksUri;
            try
            {
                using (JsonDocument d = JsonDocument.Parse(discovery))
                {
                    jwksUri = d.RootElement.ValueKind == JsonValueKind.Object && d.RootElement.TryGetProperty("jwks_uri", out JsonElement j)
                        && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
                }
            }
            catch (JsonException)
            {
                throw new FetchException($"{discoveryUrl} is not JSON.");
            }
            if (string.IsNullOrEmpty(jwksUri)) throw new FetchException($"{discoveryUrl} has no jwks_uri.");
            string? refused = CheckUrl(jwksUri!, "jwks_uri", out Uri? jwks);
            if (refused != null) return Fail(refused, CheckCodes.InsecureIssuer);
            if (!SameOrigin(jwks!, issuer))
            {
                return Fail($"The jwks_uri \"{jwksUri}\" of {discoveryUrl} is not on the issuer's scheme and host "
                    + $"({issuer.GetLeftPart(UriPartial.Authority)}); keys are fetched only from the issuer you named.", CheckCodes.ForeignJwksUri);
            }

            JsonWebKeySet set;
            try
            {
                set = new JsonWebKeySet(await FetchAsync(jwksUri!, ct).ConfigureAwait(false));
            }
            catch (ArgumentException)
            {
                throw new FetchException($"{jwksUri} is not a JSON Web Key Set.");
            }

            string kid = jwt.Kid ?? "";
            List<JsonWebKey> keys;
            if (kid.Length > 0)
            {
                keys = set.Keys.Where(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)).ToList();
                if (keys.Count == 0)
                {
                    string available = set.Keys.Count == 0 ? "none" : string.Join(", ", set.Keys.Select(k => "\"" + k.Kid + "\""));
                    return Fail($"No key with kid \"{kid}\" in {jwksUri}; available kids: {available}.", CheckCodes.UnknownKeyId);
                }
            }
            else
            {
                keys = set.Keys.ToList();
            }

            var parameters = new TokenValidationParameters
            {
                ValidateIssuer = false,
                ValidateAudience = false,
                ValidateLifetime = false,
                RequireExpirationTime = false,
                ValidateIssuerSigningKey = false,
                RequireSignedTokens = true,
                IssuerSigningKeys = keys,
                TryAllIssuerSigningKeys = kid.Length == 0,
                ValidAlgorithms = new[] { SecurityAlgorithms.RsaSha256 },
            };
            TokenValidationResult result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
            string which = kid.Length > 0 ? $"key \"{kid}\"" : $"any of the {keys.Count} key(s)";
            if (result.IsValid)
            {
                return new DiagnosisCheck(CheckName, CheckResult.Pass, $"RS256 signature verified with {which} from {jwksUri} (issuer named by {namedBy}).");
            }
            return Fail($"The RS256 signature does not verify with {which} from {jwksUri} ({Describe(result.Exception)}): "
                + "the token was altered or signed by another key.", CheckCodes.BadSignature);
        }

        /// <summary>Exception type and IDX code only: IdentityModel messages are not echoed (they could carry token parts).</summary>
        private static string Describe(Exception? ex)
        {
            if (ex == null) return "no reason given";
            Match m = Regex.Match(ex.Message ?? "", @"IDX\d+");
            return ex.GetType().Name + (m.Success ? " " + m.Value : "");
        }

        private async Task<string> FetchAsync(string url, CancellationToken ct)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new FetchException($"Fetching {url} failed: {ex.GetBaseException().Message}");
            }
            using (response)
            {
                int status = (int)response.StatusCode;
                if (status >= 300 && status < 400)
                {
                    Uri? location = response.Headers.Location;
                    string to = location == null ? "without a Location" : "to " + (location.IsAbsoluteUri ? location : new Uri(new Uri(url), location)).ToString();
                    throw new FetchException($"Fetching {url} answered HTTP {status} {response.ReasonPhrase}, a redirect {to}; redirects are not followed.",
                        CheckCodes.IssuerRedirect);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new FetchException($"Fetching {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
                }
                using (Stream s = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                using (var buffer = new MemoryStream())
                {
                    var chunk = new byte[16384];
                    int n;
                    while ((n = await s.ReadAsync(chunk, 0, chunk.Length, ct).ConfigureAwait(false)) > 0)
                    {
                        if (buffer.Length + n > MaxResponseBytes) throw new FetchException($"{url} is larger than {MaxResponseBytes} bytes.");
                        buffer.Write(chunk, 0, n);
                    }
                    return Encoding.UTF8.GetString(buffer.ToArray());
                }
            }
        }

        /// <summary>Null when <paramref name="url"/> may be fetched: absolute https, or http to a loopback host.</summary>
        internal static string? CheckUrl(string url, string what, out Uri? uri)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                return $"The {what} \"{url}\" is not an absolute http(s) URL.";
            }
            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri))
            {
                return $"Refusing to fetch keys over plain http from the {what} \"{url}\": https is required (http only for loopback hosts).";
            }
            return null;
        }

        private static bool SameOrigin(Uri a, Uri b) =>
            string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
            && a.Port == b.Port;

        private static bool IsLoopback(Uri uri) => Sts.LoopbackHost.Is(uri);

        private static DiagnosisCheck Fail(string detail, string code) =>
            new DiagnosisCheck(CheckName, CheckResult.Fail, detail, code, Hint(code));

        private static string? Hint(string code)
        {
            switch (code)
            {
                case CheckCodes.UnknownKeyId: return "The issuer no longer (or never) published this key: use a fresh token, or check that the token comes from this issuer.";
                case CheckCodes.BadSignature: return "Use the token exactly as GitLab issued it; a modified or foreign token is rejected by STS too.";
                case CheckCodes.InsecureIssuer: return "Use the issuer's https URL.";
                case CheckCodes.IssuerNotNamed: return "If you trust this issuer, name it with -Issuer <its URL> (or CI_SERVER_URL, or -TrustPolicy); else do not trust the token.";
                case CheckCodes.IssuerRedirect: return "Name the issuer by the URL its tokens carry in iss; an issuer that redirects its discovery document is not used.";
                case CheckCodes.ForeignJwksUri: return "The issuer's discovery document must point at keys on the issuer itself (as GitLab's does).";
                case CheckCodes.KeyFetchFailed: return "Check that this machine can reach the issuer's discovery document and JWKS (proxy, firewall), or run with -Offline.";
                case CheckCodes.UnsupportedAlgorithm: return "Use a GitLab ID token (id_tokens:), signed with RS256.";
                default: return "Pass the GitLab ID token text (three base64url parts separated by dots).";
            }
        }

        private sealed class FetchException : Exception
        {
            internal FetchException(string message, string code = CheckCodes.KeyFetchFailed) : base(message) => Code = code;

            internal string Code { get; }
        }
    }
}
