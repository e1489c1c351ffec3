using System;
using System.Globalization;

namespace GitlabSts.Core.Tokens
{
    /// <summary>
    /// The one check of a token's times against the clock, shared by the exchange (which refuses) and the diagnosis
    /// (which reports), and the one way durations and instants are written in their messages.
    /// </summary>
    public static class TokenTimes
    {
        /// <summary>How far a token's nbf may lie in the future before it is refused (this machine's clock may lag).</summary>
        public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(5);

        /// <summary>The range of seconds since 1970 that a <see cref="DateTimeOffset"/> holds (years 1 to 9999).</summary>
        internal const double MinUnixSeconds = -62135596800, MaxUnixSeconds = 253402300799;

        /// <summary>True when the claims have an exp at or before <paramref name="now"/>.</summary>
        public static bool IsExpired(TokenClaims claims, DateTimeOffset now) =>
            claims.ExpiresAt.HasValue && claims.ExpiresAt.Value <= now;

        /// <summary>True when the claims have an nbf later than <paramref name="now"/> plus <paramref name="skew"/>.</summary>
        public static bool IsNotYetValid(TokenClaims claims, DateTimeOffset now, TimeSpan skew) =>
            claims.NotBefore.HasValue && claims.NotBefore.Value > now + skew;

        /// <summary>An instant as messages write it: <c>2026-12-04T14:15:42Z</c>.</summary>
        public static string FormatTime(DateTimeOffset time) =>
            time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        /// <summary>
        /// A duration as messages write it, its sign dropped: <c>42s</c>, <c>5m 3s</c>, <c>23h 59m</c>, and from one day
        /// on <c>1d 2h</c>.
        /// </summary>
        public static string FormatDuration(TimeSpan span)
        {
            span = span.Duration();
            if (span.TotalDays >= 1)
            {
                return $"{(int)span.TotalDays}d {span.Hours}h";
            }

            if (span.TotalHours >= 1)
            {
                return $"{(int)span.TotalHours}h {span.Minutes}m";
            }

            if (span.TotalMinutes >= 1)
            {
                return $"{(int)span.TotalMinutes}m {span.Seconds}s";
            }

            return $"{(int)span.TotalSeconds}s";
        }
    }
}
