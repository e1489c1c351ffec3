using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The offline diagnosis behind Test-GitlabOidcRole: token times, issuer vs provider ARN, aud vs client ids
    /// and :aud conditions, the trust policy statement by statement, known traps, the decision, and a suggested
    /// trust policy. Never throws for a role that cannot be assumed; every finding is a check.
    /// </summary>
    public static class OidcDiagnosis
    {
        public const string TokenClaimsCheck = "TokenClaims", TrustPolicyCheck = "TrustPolicy";

        public static DiagnosisResult Run(DiagnosisInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            var checks = new List<DiagnosisCheck>();
            TokenClaims t;
            try
            {
                t = input.Claims ?? TokenClaims.FromJson(input.ClaimsJson ?? "");
            }
            catch (GitlabStsException e) when (e.ErrorId == ErrorIds.MalformedToken)
            {
                checks.Add(new DiagnosisCheck(TokenClaimsCheck, CheckResult.Fail, "The token's claims are not a JSON object.", CheckCodes.MalformedToken,
                    "Pass a GitLab ID token (id_tokens:)."));
                return new DiagnosisResult(checks, null, null, Array.Empty<string>(), null, "{}");
            }

            checks.AddRange(TokenTimeChecks.Run(t, input.Now, input.ClockSkew));
            if (string.IsNullOrEmpty(t.Issuer))
            {
                checks.Add(new DiagnosisCheck(ProviderChecks.IssuerUrl, CheckResult.Fail, "The token has no iss claim.", CheckCodes.MalformedToken,
                    "Pass a GitLab ID token (id_tokens:), which always carries iss."));
                return new DiagnosisResult(checks, null, t.Subject, t.Audience, t.ExpiresAt, "{}");
            }
            string iss = t.Issuer!;
            if (input.ConditionContext != null)
            {
                // A bad -ConditionContext is an invalid invocation, with or without a policy to evaluate.
                new RequestContext("-") { IssuerKey = OidcConditionKeys.IssuerKey(iss) }.SetConditionContext(input.ConditionContext);
            }
            checks.Add(ProviderChecks.CheckIssuerUrl(iss));

            RoleArn? role = RoleArn.TryParse(input.RoleArn);
            string suggested = SuggestedPolicy.BuildFor(iss, role, t.Subject ?? "<SUB>", t.Audience, t);
            IReadOnlyList<string> admitted = AddPolicyChecks(checks, input, t, iss, role);
            return new DiagnosisResult(checks, iss, t.Subject, t.Audience, t.ExpiresAt, suggested) { AdmittedSubjects = admitted };
        }

        /// <returns>the subjects the policy's Allow statements admit (<see cref="DiagnosisResult.AdmittedSubjects"/>); empty without a policy</returns>
        private static IReadOnlyList<string> AddPolicyChecks(List<DiagnosisCheck> checks, DiagnosisInput input, TokenClaims t, string iss, RoleArn? role)
        {
            bool roleKnown = role != null;
            string partition = role?.Partition ?? "aws", account = role?.AccountId ?? SuggestedPolicy.AccountPlaceholder;
            string issuerKey = OidcConditionKeys.IssuerKey(iss);
            string expected = OidcConditionKeys.ProviderArn(partition, account, iss);
            DiagnosisCheck clientIds = ProviderChecks.CheckClientIds(t.Audience, input.ClientIds);

            if (input.TrustPolicyJson == null)
            {
                checks.Add(input.RequireTrustPolicy
                    ? new DiagnosisCheck(TrustPolicyCheck, CheckResult.Fail,
                        "No trust policy given: offline, nothing can tell whether this token may assume the role.", CheckCodes.NoTrustPolicy,
                        "Pass the role's trust policy with -TrustPolicy (aws iam get-role --role-name <name> --query Role.AssumeRolePolicyDocument), "
                        + "or test live without -Offline.")
                    : Skip(TrustPolicyCheck, "No trust policy given (pass -TrustPolicy)."));
                checks.Add(Skip(ProviderChecks.ProviderPrincipal, $"No trust policy; the token's issuer needs Federated {Text.Q(expected)}."));
                checks.Add(clientIds);
                foreach (string name in new[] { ProviderChecks.AudienceCondition, PolicyChecks.WildcardTrap, PolicyChecks.UnexposedKeyTrap,
                    PolicyChecks.VariableTrap }.Concat(SubjectFindings.Names).Concat(new[] { PolicyChecks.Decision }))
                {
                    checks.Add(Skip(name, "No trust policy given."));
                }
                return Array.Empty<string>();
            }

            RequestContext ctx = BuildContext(input, t, partition, account);
            PolicyEvaluation eval;
            try
            {
                eval = TrustPolicyEvaluator.Evaluate(input.TrustPolicyJson, ctx);
                if (!roleKnown)
                {
                    // No role ARN: take the account and partition from a Federated principal for this issuer, if any.
                    string? arn = eval.Statements.SelectMany(s => s.FederatedPrincipals)
                        .FirstOrDefault(f => f.EndsWith(":oidc-provider/" + issuerKey, StringComparison.Ordinal) && f.Split(':').Length == 6);
                    if (arn != null)
                    {
                        string[] p = arn.Split(':');
                        ctx = BuildContext(input, t, p[1], p[4]);
                        eval = TrustPolicyEvaluator.Evaluate(input.TrustPolicyJson, ctx);
                    }
                }
            }
            catch (TrustPolicyFormatException ex)
            {
                checks.Add(new DiagnosisCheck(TrustPolicyCheck, CheckResult.Fail, ex.Message, CheckCodes.InvalidTrustPolicy,
                    "Pass the role's trust policy document as JSON (aws iam get-role --query Role.AssumeRolePolicyDocument)."));
                checks.Add(clientIds);
                return Array.Empty<string>();
            }

            checks.Add(new DiagnosisCheck(TrustPolicyCheck, CheckResult.Pass,
                $"Trust policy read: {eval.Statements.Count} statement(s); request: {ctx.Action} by {ctx.FederatedPrincipal} with "
                + string.Join(", ", ctx.Keys.Select(k => k.Key + "=" + ConditionEvaluator.Show(k.Value))) + "."));
            checks.Add(ProviderChecks.CheckProvider(iss, ctx.FederatedPrincipal, roleKnown, eval));
            checks.Add(clientIds);
            checks.Add(ProviderChecks.CheckAudienceConditions(issuerKey, t.Audience, eval));
            checks.AddRange(eval.Statements.Select(s => PolicyChecks.Statement(s, eval, ctx)));
            checks.AddRange(PolicyChecks.Traps(eval, ctx));
            checks.AddRange(SubjectFindings.Run(eval, ctx, t));
            checks.Add(PolicyChecks.DecisionCheck(eval));
            return SubjectFindings.AdmittedSubjects(eval, ctx);
        }

        /// <summary>
        /// The request context STS builds: the token's provider keys, the STS keys whose value is known locally (time,
        /// region, session name, endpoint scheme), then what the user supplied with -ConditionContext.
        /// </summary>
        private static RequestContext BuildContext(DiagnosisInput input, TokenClaims t, string partition, string account)
        {
            RequestContext ctx = OidcConditionKeys.BuildContext(t, partition, account)
                .SetStsRequestKeys(input.Now, input.Region, input.RoleSessionName, input.StsEndpoint);
            if (input.ConditionContext != null) ctx.SetConditionContext(input.ConditionContext);
            return ctx;
        }

        private static DiagnosisCheck Skip(string name, string detail) => new DiagnosisCheck(name, CheckResult.Skip, detail);
    }
}
