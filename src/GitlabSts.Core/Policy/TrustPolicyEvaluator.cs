using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// Evaluates an IAM role trust policy against one request, statement by statement, with IAM's rules:
    /// a statement applies when its Principal, Action (or NotAction) and every condition match; AND across
    /// operators and keys, OR across a key's values; an applicable Deny wins over an Allow; nothing applicable
    /// is an implicit deny.
    /// </summary>
    /// <remarks>
    /// Every IAM condition operator family is evaluated (String, Numeric, Date, Bool, BinaryEquals, IpAddress/
    /// NotIpAddress, Arn*, Null; IfExists; ForAnyValue:/ForAllValues:). Results are three-valued: a condition on a key
    /// only AWS knows (<see cref="KeyState.Unknown"/>, e.g. <c>aws:SourceIp</c> unless supplied) is
    /// <see cref="TriState.Indeterminate"/>; a statement is false as soon as one part is certainly false, otherwise
    /// indeterminate when a condition is; the decision is <see cref="PolicyDecision.Indeterminate"/> only when
    /// "allowed or not" hinges on such keys (<see cref="PolicyEvaluation.UnknownKeys"/>,
    /// <see cref="PolicyEvaluation.DecidingStatements"/>).
    /// <para>How a caller wires it: build the context (<see cref="OidcConditionKeys.BuildContext"/>), add what STS sets
    /// (<see cref="RequestContext.SetStsRequestKeys"/>: now, region, session name, endpoint) and the user's
    /// <c>-ConditionContext</c> (<see cref="RequestContext.SetConditionContext"/>, which throws
    /// <see cref="ArgumentException"/> for a provider key or a malformed key), evaluate, then: a statement whose
    /// <see cref="StatementResult.Applicability"/> is indeterminate is a <c>Warn</c> naming
    /// <see cref="StatementResult.UnknownKeys"/>; a decision <see cref="PolicyDecision.Indeterminate"/> is
    /// <c>ErrorCode</c> <c>Indeterminate</c> naming <see cref="PolicyEvaluation.UnknownKeys"/>; a condition with
    /// <see cref="ConditionVerdict.IsInvalid"/> (unknown operator or a value of the wrong type) makes the policy invalid.</para>
    /// </remarks>
    public static class TrustPolicyEvaluator
    {
        /// <exception cref="TrustPolicyFormatException">the policy is not JSON or has no Statement</exception>
        public static PolicyEvaluation Evaluate(string policyJson, RequestContext context)
        {
            if (policyJson == null) throw new ArgumentNullException(nameof(policyJson));
            if (context == null) throw new ArgumentNullException(nameof(context));
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(policyJson, new JsonDocumentOptions { AllowTrailingCommas = false });
            }
            catch (Exception ex) when (ex is JsonException || ex is ArgumentException)   // ArgumentException: not valid UTF-16
            {
                throw new TrustPolicyFormatException("The trust policy is not valid JSON: " + ex.Message, ex);
            }
            using (doc)
            {
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !TryGet(root, "Statement", out JsonElement st))
                {
                    throw new TrustPolicyFormatException("The trust policy has no \"Statement\" element.");
                }
                var statements = new List<JsonElement>();
                if (st.ValueKind == JsonValueKind.Array) statements.AddRange(st.EnumerateArray());
                else if (st.ValueKind == JsonValueKind.Object) statements.Add(st);
                else throw new TrustPolicyFormatException("\"Statement\" must be an object or an array of objects.");

                var results = new List<StatementResult>();
                for (int i = 0; i < statements.Count; i++) results.Add(EvaluateStatement(statements[i], i + 1, context));
                return new PolicyEvaluation(results);
            }
        }

        private static StatementResult EvaluateStatement(JsonElement s, int index, RequestContext ctx)
        {
            var r = new StatementResult { Index = index };
            if (s.ValueKind != JsonValueKind.Object)
            {
                r.Error = "the statement is not a JSON object";
                return r;
            }
            if (TryGet(s, "Sid", out JsonElement sid) && sid.ValueKind == JsonValueKind.String) r.Sid = sid.GetString();
            r.Effect = TryGet(s, "Effect", out JsonElement eff) && eff.ValueKind == JsonValueKind.String ? eff.GetString()! : "";
            if (!r.IsAllow && !r.IsDeny) r.Error = $"Effect must be \"Allow\" or \"Deny\", not \"{r.Effect}\"";

            EvaluatePrincipal(s, ctx, r);
            EvaluateAction(s, ctx, r);
            r.Conditions = EvaluateConditions(s, ctx);
            return r;
        }

        private static void EvaluatePrincipal(JsonElement s, RequestContext ctx, StatementResult r)
        {
            bool not = false;
            if (!TryGet(s, "Principal", out JsonElement p))
            {
                if (!TryGet(s, "NotPrincipal", out p))
                {
                    r.PrincipalDetail = "the statement has no Principal";
                    return;
                }
                not = true;
            }
            string element = not ? "NotPrincipal" : "Principal";
            bool listed;
            string what;
            if (p.ValueKind == JsonValueKind.String)
            {
                listed = p.GetString() == "*";
                what = listed ? $"{element} \"*\" names everyone" : $"{element} \"{p.GetString()}\" is not a principal map";
            }
            else if (p.ValueKind == JsonValueKind.Object)
            {
                var federated = new List<string>();
                var others = new List<string>();
                listed = false;
                foreach (JsonProperty prop in p.EnumerateObject())
                {
                    IReadOnlyList<string> values = OidcConditionKeys.Strings(prop.Value);
                    if (string.Equals(prop.Name, "Federated", StringComparison.Ordinal))
                    {
                        federated.AddRange(values);
                        listed |= values.Any(v => v == "*" || string.Equals(v, ctx.FederatedPrincipal, StringComparison.Ordinal));
                    }
                    else
                    {
                        others.Add(prop.Name);
                        listed |= string.Equals(prop.Name, "AWS", StringComparison.Ordinal) && values.Contains("*");
                    }
                }
                r.FederatedPrincipals = federated;
                string names = federated.Count > 0 ? "Federated " + ConditionEvaluator.Show(federated) : "no Federated principal";
                if (others.Count > 0) names += " (and " + string.Join(", ", others) + " principals, which never match a web identity)";
                what = listed
                    ? $"{element} {names} includes \"{ctx.FederatedPrincipal}\""
                    : $"{element} {names} does not include \"{ctx.FederatedPrincipal}\"";
            }
            else
            {
                listed = false;
                what = $"{element} must be \"*\" or an object";
            }
            r.PrincipalMatched = not ? !listed : listed;
            r.PrincipalDetail = what + (not ? (r.PrincipalMatched ? " → NotPrincipal matches" : " → NotPrincipal excludes it") : "");
        }

        private static void EvaluateAction(JsonElement s, RequestContext ctx, StatementResult r)
        {
            bool not = false;
            if (!TryGet(s, "Action", out JsonElement a))
            {
                if (!TryGet(s, "NotAction", out a))
                {
                    r.ActionDetail = "the statement has no Action";
                    return;
                }
                not = true;
            }
            IReadOnlyList<string> patterns = OidcConditionKeys.Strings(a);
            string? hit = patterns.FirstOrDefault(x => Wildcard.Match(ctx.Action, x, ignoreCase: true));
            string element = not ? "NotAction" : "Action";
            r.ActionMatched = not ? hit == null : hit != null;
            r.ActionDetail = hit != null
                ? $"{element} \"{hit}\" matches {ctx.Action}" + (not ? " → excluded" : "")
                : $"{element} {ConditionEvaluator.Show(patterns)} does not match {ctx.Action}" + (not ? " → included" : "");
        }

        private static IReadOnlyList<ConditionVerdict> EvaluateConditions(JsonElement s, RequestContext ctx)
        {
            var list = new List<ConditionVerdict>();
            if (!TryGet(s, "Condition", out JsonElement c)) return list;
            if (c.ValueKind != JsonValueKind.Object)
            {
                list.Add(new ConditionVerdict { Operator = "Condition", UnknownOperator = true, Detail = "Condition must be an object" });
                return list;
            }
            foreach (JsonProperty op in c.EnumerateObject())
            {
                if (op.Value.ValueKind != JsonValueKind.Object)
                {
                    list.Add(new ConditionVerdict
                    {
                        Operator = op.Name,
                        UnknownOperator = true,
                        Detail = $"condition operator \"{op.Name}\" must map keys to values",
                    });
                    continue;
                }
                foreach (JsonProperty key in op.Value.EnumerateObject())
                {
                    list.Add(ConditionEvaluator.Evaluate(op.Name, key.Name, OidcConditionKeys.Strings(key.Value), ctx));
                }
            }
            return list;
        }

        /// <summary>Policy element names are matched exactly first, then case-insensitively.</summary>
        private static bool TryGet(JsonElement obj, string name, out JsonElement value)
        {
            if (obj.TryGetProperty(name, out value)) return true;
            foreach (JsonProperty p in obj.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = p.Value;
                    return true;
                }
            }
            return false;
        }
    }
}
