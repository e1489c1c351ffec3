using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Policy
{
    /// <summary>One check per statement, the trap checks, and the final decision.</summary>
    internal static class PolicyChecks
    {
        internal const string WildcardTrap = "WildcardUnderStringEquals", UnexposedKeyTrap = "UnexposedConditionKey",
            VariableTrap = "PolicyVariables", SubjectScope = CheckCodes.SubjectScope, Decision = "Decision";

        internal static DiagnosisCheck Statement(StatementResult s, PolicyEvaluation eval, RequestContext ctx)
        {
            var body = new StringBuilder();
            body.Append("\n  ").Append(s.PrincipalMatched ? "ok: " : "FAILED: ").Append(s.PrincipalDetail);
            body.Append("\n  ").Append(s.ActionMatched ? "ok: " : "FAILED: ").Append(s.ActionDetail);
            foreach (ConditionVerdict c in s.Conditions) body.Append("\n  ").Append(c.Matched ? "ok: " : c.Indeterminate ? "UNKNOWN: " : "FAILED: ").Append(c.Detail);
            if (s.Conditions.Count == 0) body.Append("\n  (no conditions)");

            if (s.Error != null)
            {
                return new DiagnosisCheck(s.Label, CheckResult.Fail, $"Invalid statement: {s.Error}." + body, CheckCodes.InvalidTrustPolicy,
                    "Fix the statement: Effect is \"Allow\" or \"Deny\" (case-sensitive).");
            }
            ConditionVerdict? invalid = s.Conditions.FirstOrDefault(c => c.IsInvalid);
            if (invalid != null)
            {
                return new DiagnosisCheck(s.Label, CheckResult.Fail, $"Invalid condition: {invalid.Detail}." + body, CheckCodes.InvalidTrustPolicy,
                    invalid.UnknownOperator
                        ? "Use an IAM condition operator (String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null; "
                            + "optionally …IfExists, ForAnyValue:/ForAllValues:)."
                        : $"Give {invalid.Operator} values of its type for {invalid.Key} (IAM rejects this policy with \"Invalid condition data type\").");
            }
            if (s.Applicability == TriState.Indeterminate)
            {
                string keys = Text.List(s.UnknownKeys);
                string what = s.IsDeny ? "Deny statement may apply" : "Allow statement may apply";
                StatementResult? other = s.IsAllow ? Verdict.ApplyingAllow(eval) : null;
                string note = other != null ? $"; not needed: {other.Label} applies" : "";
                return new DiagnosisCheck(s.Label, CheckResult.Warn,
                    $"{what}: it hinges on {keys}, known only to AWS at request time{note}." + body, null, SupplyHint(s.UnknownKeys));
            }
            string reason = FirstReason(s);
            if (s.IsDeny)
            {
                return s.Applies
                    ? new DiagnosisCheck(s.Label, CheckResult.Fail, $"Deny statement applies to this token: explicit deny." + body, CheckCodes.ExplicitDeny,
                        $"{s.Label} denies sts:AssumeRoleWithWebIdentity for this token; narrow its conditions or remove it.")
                    : new DiagnosisCheck(s.Label, CheckResult.Pass, $"Deny statement does not apply: {reason}." + body);
            }
            if (s.Applies)
            {
                return new DiagnosisCheck(s.Label, CheckResult.Pass, "Allow statement applies: principal, action and every condition match." + body);
            }
            // The verdict is IAM's: a statement that does not apply never fails the role while another Allow applies (or may).
            string? notNeeded = Verdict.NotNeeded(eval, s);
            if (notNeeded != null)
            {
                return new DiagnosisCheck(s.Label, CheckResult.Skip, $"Allow statement does not apply ({reason}); {notNeeded}." + body);
            }
            return new DiagnosisCheck(s.Label, CheckResult.Fail, $"Allow statement does not apply: {reason}." + body, CheckCodes.TrustPolicyDenied, Hint(s, ctx));
        }

        private static string FirstReason(StatementResult s)
        {
            if (!s.PrincipalMatched) return s.PrincipalDetail;
            if (!s.ActionMatched) return s.ActionDetail;
            ConditionVerdict? c = s.Conditions.FirstOrDefault(x => x.Result == TriState.False) ?? s.Conditions.FirstOrDefault(x => !x.Matched);
            return c?.Detail ?? "every part matches";
        }

        private static string Hint(StatementResult s, RequestContext ctx)
        {
            if (!s.PrincipalMatched) return $"Use \"Principal\": {{\"Federated\": \"{ctx.FederatedPrincipal}\"}}.";
            if (!s.ActionMatched) return $"Include {ctx.Action} in the statement's Action.";
            ConditionVerdict c = s.Conditions.First(x => x.Result == TriState.False);
            string? renamed = RenamedIssuerKey(s, c, ctx);
            if (renamed != null) return RenameHint(c, renamed, ctx);
            if (c.KeyNotExposed)
            {
                return $"Remove the condition on {c.Key}: AWS does not expose it for {ctx.IssuerKey}; "
                    + $"scope with {ctx.IssuerKey}:sub instead (e.g. StringLike \"project_path:<group>/<project>:*\").";
            }
            if (c.WildcardUnderEquals) return WildcardHint(c);
            if (c.UnresolvedVariables.Count > 0)
            {
                return $"Replace the policy variable(s) in {c.Key} with literal values; they are not resolved for this request.";
            }
            if (c.ContextValues == null)
            {
                return $"The token has no {c.Key}: remove the condition or use {c.Operator}IfExists.";
            }
            string has = ConditionEvaluator.Show(c.ContextValues);
            return c.Operator.IndexOf("Not", StringComparison.OrdinalIgnoreCase) >= 0
                ? $"{c.Operator} on {c.Key} excludes the token's value {has}; narrow the excluded values if this token should be trusted."
                : $"The token has {c.Key} = {has}: change the condition to accept it (e.g. \"{BaseOp(c.Operator)}\": {{\"{c.Key}\": {has}}}) or run the job from a matching project/ref.";
        }

        private static string BaseOp(string op)
        {
            int colon = op.IndexOf(':');
            return colon >= 0 ? op.Substring(colon + 1) : op;
        }

        /// <summary>What to do about keys only AWS knows: supply them with -ConditionContext, or test live.</summary>
        internal static string SupplyHint(IReadOnlyList<string> keys)
        {
            string table = string.Join("; ", keys.Select(k => $"'{k}' = '<value>'"));
            return $"Supply {Text.List(keys)} with -ConditionContext @{{ {table} }} to decide it here, or test live (without -Offline): only STS knows the real value.";
        }

        /// <summary>
        /// The key to use instead of <paramref name="c"/>'s when it is keyed on another issuer than this statement's
        /// provider (e.g. <c>gitlab.example.com:sub</c> in a statement for <c>gitlab.com</c>, a copy-paste that can never
        /// match): <c>&lt;this issuer&gt;:&lt;claim&gt;</c>; null when the key is not such a key.
        /// </summary>
        internal static string? RenamedIssuerKey(StatementResult s, ConditionVerdict c, RequestContext ctx)
        {
            if (ctx.IssuerKey == null || !s.PrincipalMatched) return null;
            int colon = c.Key.LastIndexOf(':');
            if (colon <= 0 || colon == c.Key.Length - 1) return null;
            string prefix = c.Key.Substring(0, colon), claim = c.Key.Substring(colon + 1);
            if (!ctx.IsProviderKey(c.Key) || string.Equals(prefix, ctx.IssuerKey, StringComparison.OrdinalIgnoreCase)) return null;
            // A statement that also names that issuer's provider means the key on purpose.
            if (s.FederatedPrincipals.Any(f => f.EndsWith(":oidc-provider/" + prefix, StringComparison.OrdinalIgnoreCase))) return null;
            return ctx.IssuerKey + ":" + claim;
        }

        private static string RenameHint(ConditionVerdict c, string renamed, RequestContext ctx)
        {
            string claim = renamed.Substring(ctx.IssuerKey!.Length + 1);
            if (!OidcConditionKeys.IsExposed(ctx.IssuerKey, claim))
            {
                return $"{c.Key} names another issuer than this statement's provider ({ctx.IssuerKey}), and AWS does not expose {renamed} either: "
                    + $"remove the condition and scope with {ctx.IssuerKey}:sub.";
            }
            return $"{c.Key} names another issuer than this statement's provider ({ctx.IssuerKey}), so it is never present: rename the key, "
                + $"\"{c.Operator}\": {{\"{renamed}\": {ConditionEvaluator.Show(c.PolicyValues)}}}.";
        }

        private static string WildcardHint(ConditionVerdict c)
        {
            string like = BaseOp(c.Operator).Replace("IgnoreCase", "").Replace("Equals", "Like");
            return $"Change {c.Operator} to {like} for {c.Key} (\"*\" and \"?\" are wildcards only under StringLike/StringNotLike).";
        }

        internal static IEnumerable<DiagnosisCheck> Traps(PolicyEvaluation eval, RequestContext ctx)
        {
            var all = eval.Statements.SelectMany(s => s.Conditions.Select(c => new { s, c })).ToList();

            var wild = all.Where(x => x.c.WildcardUnderEquals).ToList();
            yield return wild.Count == 0
                ? new DiagnosisCheck(WildcardTrap, CheckResult.Pass, "No \"*\" or \"?\" under a StringEquals-family operator.")
                : new DiagnosisCheck(WildcardTrap, CheckResult.Warn,
                    string.Join("; ", wild.Select(x => $"{x.s.Label}: {x.c.Operator} {x.c.Key} {ConditionEvaluator.Show(x.c.PolicyValues)} compares \"*\"/\"?\" literally")) + ".",
                    null, WildcardHint(wild[0].c));

            var foreign = all.Select(x => new { x.s, x.c, renamed = RenamedIssuerKey(x.s, x.c, ctx) }).Where(x => x.renamed != null).ToList();
            var unexposed = all.Where(x => x.c.KeyNotExposed).ToList();
            string exposed = string.Join(", ", OidcConditionKeys.ExposedClaims(ctx.IssuerKey ?? "").Select(c => ctx.IssuerKey + ":" + c));
            if (foreign.Count > 0)
            {
                yield return new DiagnosisCheck(UnexposedKeyTrap, CheckResult.Warn,
                    string.Join("; ", foreign.Select(x => $"{x.s.Label}: {x.c.Key} is keyed on another issuer than the statement's provider {ctx.IssuerKey}"))
                    + $": STS sets only {ctx.IssuerKey}: keys for this provider's tokens, so such a condition is never present"
                    + (unexposed.Count > 0 ? $"; AWS does not expose {Text.List(unexposed.Select(x => x.c.Key).Distinct(StringComparer.OrdinalIgnoreCase))} for {ctx.IssuerKey}" : "")
                    + ".",
                    null, RenameHint(foreign[0].c, foreign[0].renamed!, ctx));
            }
            else yield return unexposed.Count == 0
                ? new DiagnosisCheck(UnexposedKeyTrap, CheckResult.Pass, $"Every {ctx.IssuerKey}: condition key is one AWS exposes ({exposed}).")
                : new DiagnosisCheck(UnexposedKeyTrap, CheckResult.Warn,
                    $"AWS does not expose {Text.List(unexposed.Select(x => x.c.Key).Distinct(StringComparer.OrdinalIgnoreCase))} as condition key(s) for issuer {ctx.IssuerKey} "
                    + $"(only {exposed}); such a condition is never present, so a positive operator on it can never match.",
                    null, $"Remove those conditions and scope with {ctx.IssuerKey}:sub (e.g. StringLike \"project_path:<group>/<project>:ref_type:branch:ref:main\").");

            var vars = all.Where(x => x.c.UnresolvedVariables.Count > 0).ToList();
            yield return vars.Count == 0
                ? new DiagnosisCheck(VariableTrap, CheckResult.Pass, "No policy variables in condition values.")
                : new DiagnosisCheck(VariableTrap, CheckResult.Warn,
                    string.Join("; ", vars.Select(x => $"{x.s.Label}: {x.c.Key} uses " + string.Join(", ", x.c.UnresolvedVariables.Select(v => "${" + v + "}"))))
                    + ": left unresolved and compared literally by this diagnosis.",
                    null, "Check that AWS can resolve these variables for an AssumeRoleWithWebIdentity request, or use literal values.");

        }

        internal static DiagnosisCheck DecisionCheck(PolicyEvaluation eval)
        {
            switch (eval.Decision)
            {
                case PolicyDecision.Allow:
                    StatementResult allow = eval.Statements.First(s => s.Applies && s.IsAllow);
                    return new DiagnosisCheck(Decision, CheckResult.Pass, $"Allow: {allow.Label} allows sts:AssumeRoleWithWebIdentity for this token.");
                case PolicyDecision.ExplicitDeny:
                    StatementResult deny = eval.Statements.First(s => s.Applies && s.IsDeny);
                    return new DiagnosisCheck(Decision, CheckResult.Fail, $"Explicit deny: {deny.Label} denies this token (a Deny wins over any Allow).",
                        CheckCodes.ExplicitDeny, $"Narrow or remove {deny.Label}.");
                case PolicyDecision.Indeterminate:
                    string keys = Text.List(eval.UnknownKeys);
                    return new DiagnosisCheck(Decision, CheckResult.Fail,
                        $"Indeterminate: whether this token may assume the role hinges on {keys}, known only to AWS at request time; "
                        + $"supply {(eval.UnknownKeys.Count == 1 ? "it" : "them")} with -ConditionContext, or test live (without -Offline). "
                        + $"Deciding: {string.Join(", ", eval.DecidingStatements.Select(s => s.Label))}.",
                        CheckCodes.Indeterminate, SupplyHint(eval.UnknownKeys));
                default:
                    return new DiagnosisCheck(Decision, CheckResult.Fail,
                        $"Implicit deny: none of the {eval.Statements.Count} statement(s) allows sts:AssumeRoleWithWebIdentity for this token.",
                        CheckCodes.TrustPolicyDenied, "See the failing statement checks above, or start from SuggestedTrustPolicy.");
            }
        }
    }
}
