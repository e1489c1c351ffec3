using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core.Policy;

namespace GitlabSts.Core.Tokens
{
    /// <summary>
    /// The claims of a GitLab ID token, as the diagnosis and the trust policy see them: every claim as a list of strings
    /// (a string; a number as its JSON text; <c>true</c>/<c>false</c>; an array flattened, other values skipped), plus
    /// the registered claims read once. A parsed <see cref="IdToken"/> builds it from the token's payload
    /// (<see cref="FromJson(JsonElement)"/>); an admin's what-if, which has no token, builds it from the claims it
    /// wants to test (<see cref="FromClaims(IEnumerable{KeyValuePair{string, IReadOnlyList{string}}})"/>). Holds no
    /// secret: claims are not the token.
    /// </summary>
    public sealed class TokenClaims
    {
        private static readonly IReadOnlyList<string> None = Array.Empty<string>();
        private readonly Dictionary<string, IReadOnlyList<string>> _claims;

        private TokenClaims(Dictionary<string, IReadOnlyList<string>> claims)
        {
            _claims = claims;
            Issuer = First("iss");
            Subject = First("sub");
            Audience = Values("aud");
            ExpiresAt = Time("exp");
            NotBefore = Time("nbf");
            IssuedAt = Time("iat");
        }

        /// <summary>The <c>iss</c> claim, or null.</summary>
        public string? Issuer { get; }

        /// <summary>The <c>sub</c> claim, or null.</summary>
        public string? Subject { get; }

        /// <summary>The <c>aud</c> claim (one or several), empty when absent.</summary>
        public IReadOnlyList<string> Audience { get; }

        /// <summary><c>exp</c>, when it is a number of seconds since 1970.</summary>
        public DateTimeOffset? ExpiresAt { get; }

        /// <summary><c>nbf</c>, when it is a number of seconds since 1970.</summary>
        public DateTimeOffset? NotBefore { get; }

        /// <summary><c>iat</c>, when it is a number of seconds since 1970.</summary>
        public DateTimeOffset? IssuedAt { get; }

        /// <summary>Every claim by name (case-sensitive, as in the token).</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> All => _claims;

        /// <summary>A claim's values; empty when the claim is absent (or has no string, number or boolean value).</summary>
        public IReadOnlyList<string> Values(string name) =>
            name != null && _claims.TryGetValue(name, out IReadOnlyList<string>? values) ? values : None;

        /// <summary>A claim's first value, or null.</summary>
        public string? First(string name)
        {
            IReadOnlyList<string> values = Values(name);
            return values.Count > 0 ? values[0] : null;
        }

        /// <summary>Parses a payload (claims) JSON text: <see cref="GitlabStsException"/> (MalformedToken) when it is not JSON; no claims when it is not an object.</summary>
        public static TokenClaims FromJson(string claimsJson)
        {
            JsonDocument parsed;
            try
            {
                parsed = JsonDocument.Parse(claimsJson ?? string.Empty);
            }
            catch (Exception e) when (e is JsonException || e is ArgumentException)   // ArgumentException: not valid UTF-16
            {
                throw new GitlabStsException(ErrorIds.MalformedToken, ErrorKind.InvalidData,
                    "The token's claims are not JSON. Pass a GitLab ID token (id_tokens:).", null, e);
            }

            using (parsed)
            {
                return FromJson(parsed.RootElement);
            }
        }

        /// <summary>The claims of a payload JSON object (a later duplicate name wins, as in <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>).</summary>
        public static TokenClaims FromJson(JsonElement payload)
        {
            var claims = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            if (payload.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in payload.EnumerateObject())
                {
                    claims[property.Name] = OidcConditionKeys.Strings(property.Value);
                }
            }

            return new TokenClaims(claims);
        }

        /// <summary>
        /// Claims without a token (an admin's what-if): each name with its values, as they would appear in a token's
        /// payload as strings. Times (<c>exp</c>, <c>nbf</c>, <c>iat</c>) are read from their decimal text. A later
        /// duplicate name replaces an earlier one.
        /// </summary>
        public static TokenClaims FromClaims(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> claims)
        {
            if (claims == null) throw new ArgumentNullException(nameof(claims));
            var copy = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, IReadOnlyList<string>> claim in claims)
            {
                if (string.IsNullOrEmpty(claim.Key)) throw new ArgumentException("A claim name is empty.", nameof(claims));
                copy[claim.Key] = (claim.Value ?? None).Where(v => v != null).ToArray();
            }

            return new TokenClaims(copy);
        }

        /// <summary>Claims without a token, one value each (see <see cref="FromClaims(IEnumerable{KeyValuePair{string, IReadOnlyList{string}}})"/>).</summary>
        public static TokenClaims FromClaims(IEnumerable<KeyValuePair<string, string>> claims)
        {
            if (claims == null) throw new ArgumentNullException(nameof(claims));
            return FromClaims(claims.Select(c => new KeyValuePair<string, IReadOnlyList<string>>(c.Key, c.Value == null ? None : new[] { c.Value })));
        }

        private DateTimeOffset? Time(string claim)
        {
            string? text = First(claim);
            if (text == null)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds) &&
                seconds >= TokenTimes.MinUnixSeconds && seconds <= TokenTimes.MaxUnixSeconds)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double fractional) &&
                fractional >= TokenTimes.MinUnixSeconds && fractional <= TokenTimes.MaxUnixSeconds)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(fractional * 1000));
            }

            return null;
        }
    }
}
