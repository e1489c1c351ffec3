using System;
using System.Collections.Generic;
using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>Issuer vs the Federated provider ARN, and aud vs the provider's client ids and the :aud conditions.</summary>
    internal static class ProviderChecks
    {
        internal const string IssuerUrl = "IssuerUrl", ProviderPrincipal = "ProviderPrincipal",
            ClientId = "ClientId", AudienceCondition = "AudienceCondition";

        internal static DiagnosisCheck CheckIssuerUrl(string iss)
        {
            if (!iss.StartsWith("https://", StringComparison.Ordinal))
            {
                return new DiagnosisCheck(IssuerUrl, CheckResult.Warn,
                    $"The issuer {Text.Q(iss)} is not an https URL; IAM OIDC providers and STS require https.",
                    null, "Serve GitLab over https and use its https URL as the issuer.");
            }
            if (iss.EndsWith("/", StringComparison.Ordinal))
            {
                return new DiagnosisCheck(IssuerUrl, CheckResult.Warn,
                    $"The issuer {Text.Q(iss)} ends with a slash; the IAM provider URL must be the issuer exactly as the token states it.",
                    null, "Create the IAM OIDC provider with the issuer URL exactly as in the token's iss.");
            }
            return new DiagnosisCheck(IssuerUrl, CheckResult.Pass, $"The issuer {Text.Q(iss)} is an https URL.");
        }

        /// <param name="accountKnown">false when no role ARN was given: only the provider part is compared.</param>
        internal static DiagnosisCheck CheckProvider(string iss, string expectedArn, bool accountKnown, PolicyEvaluation eval)
        {
            var allows = eval.Statements.Where(s => !s.IsDeny).ToList(); // Allow, or invalid Effect (reported by its statement check)
            StatementResult? match = allows.FirstOrDefault(s => s.PrincipalMatched);
            if (match != null)
            {
                string how = match.FederatedPrincipals.Contains(expectedArn) ? $"Federated {Text.Q(expectedArn)}" : match.PrincipalDetail;
                string note = accountKnown ? "" : " (no role ARN: account and partition not checked)";
                return new DiagnosisCheck(ProviderPrincipal, CheckResult.Pass,
                    $"{match.Label} trusts the provider of issuer {Text.Q(iss)}: {how}{note}.");
            }
            var federated = allows.SelectMany(s => s.FederatedPrincipals).Distinct().ToList();
            if (federated.Count == 0)
            {
                return new DiagnosisCheck(ProviderPrincipal, CheckResult.Fail,
                    $"No Allow statement names a Federated principal; expected Federated {Text.Q(expectedArn)} for issuer {Text.Q(iss)}.",
                    CheckCodes.IssuerMismatch, $"Add \"Principal\": {{\"Federated\": \"{expectedArn}\"}} to the Allow statement.");
            }
            string problem = Explain(federated[0], expectedArn, iss, accountKnown, out string hint);
            return new DiagnosisCheck(ProviderPrincipal, CheckResult.Fail,
                $"The trust policy's Federated {Text.List(federated)} does not match the token's issuer {Text.Q(iss)}: {problem}; expected {Text.Q(expectedArn)}.",
                CheckCodes.IssuerMismatch, hint);
        }

        private static string Explain(string actual, string expected, string iss, bool accountKnown, out string hint)
        {
            string[] a = actual.Split(new[] { ':' }, 6);
            string[] e = expected.Split(new[] { ':' }, 6);
            string use = $"Use \"{expected}\" as the Federated principal";
            if (a.Length != 6 || a[0] != "arn" || a[2] != "iam" || !a[5].StartsWith("oidc-provider/", StringComparison.Ordinal))
            {
                hint = use + $" (an IAM OIDC provider for {iss}).";
                return $"{Text.Q(actual)} is not an IAM OIDC provider ARN";
            }
            string provider = a[5].Substring("oidc-provider/".Length);
            string expectedProvider = e[5].Substring("oidc-provider/".Length);
            if (provider.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || provider.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                hint = use + ": an OIDC provider ARN has no URL scheme.";
                return "the provider ARN contains the URL scheme";
            }
            if (provider.TrimEnd('/') == expectedProvider && provider != expectedProvider)
            {
                hint = use + " (no trailing slash), and create the IAM OIDC provider with the URL " + iss + ".";
                return "the provider ARN has a trailing slash the issuer has not";
            }
            if (string.Equals(provider, expectedProvider, StringComparison.OrdinalIgnoreCase) && provider != expectedProvider)
            {
                hint = use + " (same case as the issuer).";
                return "the provider differs from the issuer in letter case";
            }
            if (provider == expectedProvider && accountKnown)
            {
                if (a[1] != e[1])
                {
                    hint = use + $": the role is in partition {e[1]}.";
                    return $"partition {a[1]} differs from the role's partition {e[1]}";
                }
                hint = $"Create the IAM OIDC provider for {iss} in the role's account {e[4]} and use \"{expected}\".";
                return $"account {a[4]} differs from the role's account {e[4]}; the provider must be in the role's account";
            }
            hint = $"The token was issued by {iss}: create an IAM OIDC provider for it and use \"{expected}\", or run the job on the GitLab instance of provider {provider}.";
            return $"it trusts provider {Text.Q(provider)}, the token comes from {Text.Q(expectedProvider)}";
        }

        internal static DiagnosisCheck CheckClientIds(IReadOnlyList<string> aud, IReadOnlyList<string>? clientIds)
        {
            if (clientIds == null)
            {
                return new DiagnosisCheck(ClientId, CheckResult.Skip,
                    $"The provider's client ids are unknown (pass -ClientId); the token's aud is {Text.List(aud)}.");
            }
            var hit = aud.Where(a => clientIds.Contains(a, StringComparer.Ordinal)).ToList();
            if (hit.Count > 0)
            {
                return new DiagnosisCheck(ClientId, CheckResult.Pass,
                    $"The token's aud {Text.List(hit)} is among the provider's client ids [{Text.List(clientIds)}].");
            }
            string caseNote = aud.Any(a => clientIds.Contains(a, StringComparer.OrdinalIgnoreCase)) ? " (client ids are case-sensitive; one differs only in case)" : "";
            string first = aud.FirstOrDefault() ?? "";
            return new DiagnosisCheck(ClientId, CheckResult.Fail,
                $"The token's aud {Text.List(aud)} is not among the provider's client ids [{Text.List(clientIds)}]{caseNote}.",
                CheckCodes.AudienceNotAllowed,
                $"Add \"{first}\" to the IAM OIDC provider's client ids (aws iam add-client-id-to-open-id-connect-provider), "
                + (clientIds.Count > 0 ? $"or set aud: {clientIds[0]} in the job's id_tokens." : "or set aud in the job's id_tokens to a client id of the provider."));
        }

        internal static DiagnosisCheck CheckAudienceConditions(string issuerKey, IReadOnlyList<string> aud, PolicyEvaluation eval)
        {
            string key = issuerKey + ":aud";
            // Allow statements for a web identity (the principal itself is judged by ProviderPrincipal).
            var candidates = eval.Statements.Where(s => s.IsAllow && s.ActionMatched && (s.PrincipalMatched || s.FederatedPrincipals.Count > 0)).ToList();
            var withAud = candidates
                .Select(s => new { s, conds = s.Conditions.Where(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase)).ToList() })
                .Where(x => x.conds.Count > 0).ToList();
            if (withAud.Count == 0)
            {
                return new DiagnosisCheck(AudienceCondition, CheckResult.Pass,
                    $"No Allow statement for a web identity has a {key} condition; the token's aud {Text.List(aud)} is checked only against the provider's client ids.");
            }
            var ok = withAud.FirstOrDefault(x => x.conds.All(c => c.Matched));
            if (ok != null)
            {
                return new DiagnosisCheck(AudienceCondition, CheckResult.Pass, $"{ok.s.Label}: " + string.Join("; ", ok.conds.Select(c => c.Detail)) + ".");
            }
            ConditionVerdict bad = withAud[0].conds.First(c => !c.Matched);
            string? notNeeded = Verdict.NotNeeded(eval);
            if (notNeeded != null)
            {
                // The verdict is IAM's: another Allow statement applies (or may), so this mismatch does not decide.
                return new DiagnosisCheck(AudienceCondition, CheckResult.Skip,
                    $"{withAud[0].s.Label}: {bad.Detail}; the token's aud is {Text.List(aud)}; {notNeeded}.");
            }
            return new DiagnosisCheck(AudienceCondition, CheckResult.Fail,
                $"{withAud[0].s.Label}: {bad.Detail}; the token's aud is {Text.List(aud)}.",
                CheckCodes.AudienceConditionMismatch,
                $"Make the {key} condition accept {Text.List(aud)} (e.g. \"StringEquals\": {{\"{key}\": \"{aud.FirstOrDefault()}\"}}), or set the job's id_tokens aud to the policy's value.");
        }
    }
}
