using System;
using System.Collections.Generic;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// exp / nbf / iat against the clock, with the tolerated skew reported: the diagnosis's account of
    /// <see cref="TokenTimes"/>, the same check the exchange refuses a token by.
    /// </summary>
    internal static class TokenTimeChecks
    {
        internal const string Expiry = "TokenExpiry", NotBefore = "TokenNotBefore", IssuedAt = "TokenIssuedAt";

        internal static IEnumerable<DiagnosisCheck> Run(TokenClaims t, DateTimeOffset now, TimeSpan skew)
        {
            string clock = $"now {Text.Time(now)}";
            if (t.ExpiresAt is DateTimeOffset exp)
            {
                if (TokenTimes.IsExpired(t, now))
                {
                    string within = now - exp <= skew ? $"; that is within the {Text.Span(skew)} clock skew, so check this machine's clock too" : "";
                    yield return new DiagnosisCheck(Expiry, CheckResult.Fail,
                        $"The token expired at {Text.Time(exp)}, {Text.Span(now - exp)} ago ({clock}){within}.",
                        CheckCodes.TokenExpired,
                        "Use a fresh ID token: GitLab ID tokens are valid only for the job's lifetime; exchange it in the job that received it.");
                }
                else
                {
                    yield return new DiagnosisCheck(Expiry, CheckResult.Pass,
                        $"The token expires at {Text.Time(exp)}, in {Text.Span(exp - now)} ({clock}).");
                }
            }
            else
            {
                yield return new DiagnosisCheck(Expiry, CheckResult.Fail, "The token has no numeric exp claim; STS requires one.",
                    CheckCodes.MalformedToken, "Pass a GitLab ID token (id_tokens:), which always carries exp.");
            }

            if (t.NotBefore is DateTimeOffset nbf)
            {
                if (TokenTimes.IsNotYetValid(t, now, skew))
                {
                    yield return new DiagnosisCheck(NotBefore, CheckResult.Fail,
                        $"The token is not valid before {Text.Time(nbf)}, {Text.Span(nbf - now)} from now ({clock}), beyond the {Text.Span(skew)} clock skew.",
                        CheckCodes.TokenNotYetValid, "Check the clocks of this machine and of the GitLab instance (NTP); the token's nbf is in the future.");
                }
                else if (nbf > now)
                {
                    yield return new DiagnosisCheck(NotBefore, CheckResult.Warn,
                        $"The token's nbf {Text.Time(nbf)} is {Text.Span(nbf - now)} in the future ({clock}), within the tolerated {Text.Span(skew)} clock skew.",
                        null, "Check this machine's clock (NTP).");
                }
                else
                {
                    yield return new DiagnosisCheck(NotBefore, CheckResult.Pass, $"The token is valid since {Text.Time(nbf)} ({clock}).");
                }
            }
            else
            {
                yield return new DiagnosisCheck(NotBefore, CheckResult.Skip, "The token has no nbf claim.");
            }

            if (t.IssuedAt is DateTimeOffset iat)
            {
                if (iat > now + skew)
                {
                    yield return new DiagnosisCheck(IssuedAt, CheckResult.Warn,
                        $"The token claims to be issued at {Text.Time(iat)}, {Text.Span(iat - now)} in the future ({clock}), beyond the {Text.Span(skew)} clock skew.",
                        null, "Check the clocks of this machine and of the GitLab instance (NTP).");
                }
                else
                {
                    string note = iat > now ? $", {Text.Span(iat - now)} in the future but within the {Text.Span(skew)} clock skew" : "";
                    yield return new DiagnosisCheck(IssuedAt, CheckResult.Pass, $"The token was issued at {Text.Time(iat)}{note}.");
                }
            }
            else
            {
                yield return new DiagnosisCheck(IssuedAt, CheckResult.Skip, "The token has no iat claim.");
            }
        }
    }
}
