using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace GitlabSts.Core.Policy
{
    /// <summary>The claims the diagnosis needs, read from the decoded payload JSON.</summary>
    internal sealed class TokenClaims
    {
        internal string? Issuer;
        internal string? Subject;
        internal IReadOnlyList<string> Audience = Array.Empty<string>();
        internal DateTimeOffset? Expires, NotBefore, IssuedAt;

        internal static TokenClaims Parse(string claimsJson)
        {
            using (JsonDocument doc = JsonDocument.Parse(claimsJson))
            {
                JsonElement root = doc.RootElement;
                string? One(string name) => OidcConditionKeys.ClaimValues(root, name).FirstOrDefault();
                return new TokenClaims
                {
                    Issuer = One("iss"),
                    Subject = One("sub"),
                    Audience = OidcConditionKeys.ClaimValues(root, "aud"),
                    Expires = Time(One("exp")),
                    NotBefore = Time(One("nbf")),
                    IssuedAt = Time(One("iat")),
                };
            }
        }

        private static DateTimeOffset? Time(string? seconds)
        {
            if (seconds == null || !double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out double s)) return null;
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(s * 1000));
        }
    }

    internal static class Text
    {
        internal static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        internal static string Span(TimeSpan d)
        {
            d = d.Duration();
            if (d.TotalSeconds < 60) return $"{(int)d.TotalSeconds}s";
            if (d.TotalMinutes < 60) return $"{(int)d.TotalMinutes}m {d.Seconds}s";
            if (d.TotalHours < 48) return $"{(int)d.TotalHours}h {d.Minutes}m";
            return $"{(int)d.TotalDays}d {d.Hours}h";
        }

        internal static string Q(string? s) => s == null ? "(none)" : "\"" + s + "\"";

        internal static string List(IEnumerable<string> values) => string.Join(", ", values.Select(v => "\"" + v + "\""));
    }
}
