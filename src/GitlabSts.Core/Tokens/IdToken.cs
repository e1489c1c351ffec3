using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using GitlabSts.Core.Policy;

namespace GitlabSts.Core.Tokens
{
    /// <summary>
    /// A GitLab ID token, checked for shape. Holds the token text for the STS call; <see cref="ToString"/>
    /// and every message describe it by its claims only. The payload is decoded once, with System.Text.Json, into
    /// <see cref="Claims"/>; nothing here touches IdentityModel, which only <c>-VerifySignature</c> loads
    /// (<see cref="SignatureVerifier"/>), so an exchange never pays for it.
    /// </summary>
    public sealed class IdToken
    {
        /// <summary>STS accepts a WebIdentityToken of at most this many characters.</summary>
        public const int MaxLength = 20000;

        private IdToken(string raw, string algorithm, string? keyId, TokenClaims claims, string claimsJson, IReadOnlyList<string> audience, string origin)
        {
            Raw = raw;
            ClaimsJson = claimsJson;
            Origin = origin;
            Claims = claims;
            Issuer = claims.Issuer ?? string.Empty;
            Subject = claims.Subject ?? string.Empty;
            Audience = audience;
            Algorithm = algorithm;
            KeyId = string.IsNullOrEmpty(keyId) ? null : keyId;
        }

        /// <summary>The token text. Secret: never put it in a message.</summary>
        public string Raw { get; }

        /// <summary>The decoded claims (payload) JSON.</summary>
        public string ClaimsJson { get; }

        /// <summary>The claims, read once from the payload.</summary>
        public TokenClaims Claims { get; }

        /// <summary>Where the token came from, e.g. "environment variable GITLAB_OIDC_TOKEN".</summary>
        public string Origin { get; }

        public string Issuer { get; }

        public string Subject { get; }

        public IReadOnlyList<string> Audience { get; }

        public string Algorithm { get; }

        public string? KeyId { get; }

        public DateTimeOffset? ExpiresAt => Claims.ExpiresAt;

        public DateTimeOffset? NotBefore => Claims.NotBefore;

        public DateTimeOffset? IssuedAt => Claims.IssuedAt;

        /// <summary>The issuer as AWS names its condition keys: no scheme, no trailing slash (e.g. "gitlab.com").</summary>
        public string IssuerKey => OidcConditionKeys.IssuerKey(Issuer);

        /// <summary>A claim's (first) value as a string (a number as its JSON text), or null.</summary>
        public string? GetClaim(string name) => Claims.First(name);

        public override string ToString() =>
            $"ID token from {Origin} (iss '{Issuer}', aud '{string.Join("', '", Audience)}', sub '{Subject}')";

        /// <summary>True when the text looks like a compact JWT (cheap test used by discovery; no decoding).</summary>
        public static bool LooksLikeJwt(string? text)
        {
            if (text == null)
            {
                return false;
            }

            string t = text.Trim();
            if (t.Length < 20 || t.Length > MaxLength || !t.StartsWith("eyJ", StringComparison.Ordinal))
            {
                return false;
            }

            int dots = 0;
            foreach (char c in t)
            {
                if (c == '.')
                {
                    dots++;
                }
                else if (!IsBase64UrlChar(c))
                {
                    return false;
                }
            }

            return dots == 2;
        }

        /// <summary>
        /// True when the text, or its last segment as a path, looks like a compact JWT: a token typed where a path goes
        /// is still one after PowerShell resolved it against the current location (<c>/builds/app/eyJ...</c>).
        /// </summary>
        public static bool LooksLikeJwtOrJwtPath(string? text) =>
            LooksLikeJwt(text) || (text != null && LooksLikeJwt(text.Substring(text.LastIndexOfAny(PathSeparators) + 1)));

        private static readonly char[] PathSeparators = { '/', '\\' };

        /// <summary>
        /// Checks the token's shape (three base64url parts, JSON header and claims, a signing algorithm,
        /// iss/sub/aud/exp present) and parses it. Times are checked separately by <see cref="CheckTimes"/>.
        /// </summary>
        public static IdToken Parse(string? text, string origin)
        {
            if (text == null || text.Trim().Length == 0)
            {
                throw Malformed(origin, "is empty", "Pass the job's ID token (the variable named under id_tokens: in .gitlab-ci.yml).");
            }

            string raw = text.Trim();
            if (raw.Length > MaxLength)
            {
                throw Malformed(origin, $"is larger than an ID token can be ({Encoding.UTF8.GetByteCount(raw)} bytes; STS accepts at most {MaxLength})",
                    "Pass the ID token itself, not a file or variable holding other data.");
            }

            string[] parts = raw.Split('.');
            if (parts.Length != 3)
            {
                throw Malformed(origin, $"has {parts.Length} part(s) separated by '.'; a JWT has 3 (header.payload.signature)",
                    parts.Length == 5 ? "This looks like an encrypted JWE; GitLab ID tokens are signed JWTs." : "Check that the whole token was copied, without quotes or extra text.");
            }

            string[] names = { "header", "payload", "signature" };
            for (int i = 0; i < 3; i++)
            {
                if (parts[i].Length == 0)
                {
                    throw Malformed(origin, $"has an empty {names[i]}",
                        i == 2 ? "Unsigned tokens are not accepted; use the ID token GitLab issues through id_tokens:." : "Check that the whole token was copied.");
                }

                int bad = IndexOfNonBase64Url(parts[i]);
                if (bad >= 0)
                {
                    throw Malformed(origin, $"has a character that is not base64url in its {names[i]} (position {bad + 1} of that part)",
                        "Check that the token was not wrapped, quoted or padded with '='.");
                }
            }

            JsonElement header = DecodeJsonObject(parts[0], "header", origin, out _);
            JsonElement payload = DecodeJsonObject(parts[1], "payload", origin, out byte[] payloadBytes);

            if (!header.TryGetProperty("alg", out JsonElement alg) || alg.ValueKind != JsonValueKind.String || alg.GetString()!.Length == 0)
            {
                throw Malformed(origin, "has no 'alg' in its header", "Use the ID token GitLab issues through id_tokens:.");
            }

            if (string.Equals(alg.GetString(), "none", StringComparison.OrdinalIgnoreCase))
            {
                throw Malformed(origin, "is unsigned (alg 'none')", "Use the ID token GitLab issues through id_tokens:; STS rejects unsigned tokens.");
            }

            RequireString(payload, "iss", origin);
            RequireString(payload, "sub", origin);
            if (!payload.TryGetProperty("exp", out JsonElement exp) || exp.ValueKind != JsonValueKind.Number)
            {
                throw Malformed(origin, "has no numeric 'exp' (expiry) claim", "STS requires an expiring token; use the ID token GitLab issues through id_tokens:.");
            }

            // Times outside DateTimeOffset's range (year 1..9999) would otherwise fail later with an unrelated exception.
            foreach (string claim in new[] { "exp", "nbf", "iat" })
            {
                if (payload.TryGetProperty(claim, out JsonElement time) && time.ValueKind == JsonValueKind.Number &&
                    (!time.TryGetDouble(out double seconds) || seconds < TokenTimes.MinUnixSeconds || seconds > TokenTimes.MaxUnixSeconds))
                {
                    throw Malformed(origin, $"has an '{claim}' claim out of range (not a time between the years 1 and 9999)",
                        "Use the ID token GitLab issues through id_tokens:.");
                }
            }

            List<string> audience = ReadAudience(payload, origin);
            string? keyId = header.TryGetProperty("kid", out JsonElement kid) && kid.ValueKind == JsonValueKind.String ? kid.GetString() : null;
            string claimsJson = Encoding.UTF8.GetString(payloadBytes);
            return new IdToken(raw, alg.GetString()!, keyId, TokenClaims.FromJson(payload), claimsJson, audience, origin);
        }

        /// <summary>
        /// Fails with <see cref="ErrorIds.TokenExpired"/> when exp is past, and with
        /// <see cref="ErrorIds.InvalidIdentityToken"/> when nbf is further in the future than the allowed skew.
        /// </summary>
        public void CheckTimes(DateTimeOffset now, TimeSpan skew)
        {
            if (TokenTimes.IsExpired(Claims, now))
            {
                TimeSpan ago = now - ExpiresAt!.Value;
                throw new GitlabStsException(ErrorIds.TokenExpired, ErrorKind.InvalidData,
                    $"The ID token from {Origin} expired at {TokenTimes.FormatTime(ExpiresAt.Value)} ({TokenTimes.FormatDuration(ago)} ago). " +
                    "GitLab ID tokens live as long as the job's timeout; exchange the token while the job runs, or rerun the job for a fresh one.",
                    Origin);
            }

            if (TokenTimes.IsNotYetValid(Claims, now, skew))
            {
                throw new GitlabStsException(ErrorIds.InvalidIdentityToken, ErrorKind.InvalidData,
                    $"The ID token from {Origin} is not valid before {TokenTimes.FormatTime(NotBefore!.Value)} ({TokenTimes.FormatDuration(NotBefore.Value - now)} from now). " +
                    "Check this machine's clock (it may be behind) or wait until the token becomes valid.",
                    Origin);
            }
        }

        private static JsonElement DecodeJsonObject(string part, string name, string origin, out byte[] bytes)
        {
            try
            {
                bytes = DecodeBase64Url(part);
            }
            catch (FormatException)
            {
                throw Malformed(origin, $"has a {name} that is not valid base64url", "Check that the whole token was copied.");
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(bytes);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Malformed(origin, $"has a {name} that is JSON but not an object", "Use the ID token GitLab issues through id_tokens:.");
                }

                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw Malformed(origin, $"has a {name} that is not JSON", "Check that the whole token was copied.");
            }
        }

        private static void RequireString(JsonElement payload, string claim, string origin)
        {
            if (!payload.TryGetProperty(claim, out JsonElement v) || v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0)
            {
                throw Malformed(origin, $"has no '{claim}' claim", "Use the ID token GitLab issues through id_tokens:.");
            }
        }

        private static List<string> ReadAudience(JsonElement payload, string origin)
        {
            var result = new List<string>();
            if (payload.TryGetProperty("aud", out JsonElement aud))
            {
                if (aud.ValueKind == JsonValueKind.String)
                {
                    result.Add(aud.GetString()!);
                }
                else if (aud.ValueKind == JsonValueKind.Array)
                {
                    result.AddRange(aud.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                }
            }

            if (result.Count == 0 || result.Any(a => a.Length == 0))
            {
                throw Malformed(origin, "has no 'aud' (audience) claim",
                    "Set aud: under id_tokens: in .gitlab-ci.yml to the client id of the IAM OIDC provider (for example sts.amazonaws.com).");
            }

            return result;
        }

        /// <summary>base64url (RFC 4648 section 5, unpadded) to bytes; <see cref="FormatException"/> for a length no encoding has.</summary>
        private static byte[] DecodeBase64Url(string part)
        {
            if (part.Length % 4 == 1)
            {
                throw new FormatException("Not base64url: the length leaves a single character.");
            }

            var text = new StringBuilder(part.Length + 2);
            foreach (char c in part)
            {
                text.Append(c == '-' ? '+' : c == '_' ? '/' : c);
            }

            text.Append('=', (4 - (part.Length % 4)) % 4);
            return Convert.FromBase64String(text.ToString());
        }

        private static int IndexOfNonBase64Url(string part)
        {
            for (int i = 0; i < part.Length; i++)
            {
                if (!IsBase64UrlChar(part[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool IsBase64UrlChar(char c) =>
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';

        private static GitlabStsException Malformed(string origin, string what, string fix) =>
            new GitlabStsException(ErrorIds.MalformedToken, ErrorKind.InvalidData, $"The ID token from {origin} {what}. {fix}", origin);
    }
}
