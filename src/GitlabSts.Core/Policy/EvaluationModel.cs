using System;
using System.Collections.Generic;
using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// IAM's final answer: an explicit Deny wins over an Allow; nothing applicable is an implicit deny.
    /// <see cref="Indeterminate"/>: whether the role can be assumed hinges on condition keys only AWS knows
    /// (<see cref="PolicyEvaluation.UnknownKeys"/>); supply them in the request context, or test live.
    /// </summary>
    public enum PolicyDecision { Allow, ExplicitDeny, ImplicitDeny, Indeterminate }

    /// <summary>A three-valued truth: <see cref="Indeterminate"/> when it hinges on a key only AWS knows.</summary>
    public enum TriState { False, True, Indeterminate }

    /// <summary>The trust policy could not be read (not JSON, or not shaped like a policy).</summary>
    public sealed class TrustPolicyFormatException : GitlabStsException
    {
        public TrustPolicyFormatException(string message, Exception? inner = null)
            : base(ErrorIds.InvalidPolicy, ErrorKind.InvalidData, message, "TrustPolicy", inner) { }
    }

    /// <summary>The verdict of one condition (operator + key + values) of a statement.</summary>
    public sealed class ConditionVerdict
    {
        /// <summary>The operator as written, e.g. <c>ForAnyValue:StringLikeIfExists</c>.</summary>
        public string Operator { get; internal set; } = "";
        public string Key { get; internal set; } = "";
        public IReadOnlyList<string> PolicyValues { get; internal set; } = Array.Empty<string>();

        /// <summary>The request's values for <see cref="Key"/>; null when the key is absent.</summary>
        public IReadOnlyList<string>? ContextValues { get; internal set; }

        /// <summary>True, false, or <see cref="TriState.Indeterminate"/> when <see cref="Key"/> is only known to AWS.</summary>
        public TriState Result { get; internal set; }

        /// <summary>The condition is certainly true (<see cref="Result"/> is <see cref="TriState.True"/>).</summary>
        public bool Matched
        {
            get => Result == TriState.True;
            internal set => Result = value ? TriState.True : TriState.False;
        }

        /// <summary>The result hinges on <see cref="Key"/>, which only AWS knows and the request context did not supply.</summary>
        public bool Indeterminate => Result == TriState.Indeterminate;

        /// <summary>The operator is not an IAM condition operator: the policy is invalid and the condition is false.</summary>
        public bool UnknownOperator { get; internal set; }

        /// <summary>
        /// A policy value is not of the operator's type (a Date operator with a non-date, a bad CIDR, a non-boolean
        /// for Bool/Null, a policy variable where the operator takes none...): IAM policy validation reports
        /// "Invalid condition data type"; the policy is invalid and the condition is false.
        /// </summary>
        public bool InvalidValue { get; internal set; }

        /// <summary>The policy is invalid because of this condition (<see cref="UnknownOperator"/> or <see cref="InvalidValue"/>).</summary>
        public bool IsInvalid => UnknownOperator || InvalidValue;

        /// <summary>The key is an issuer claim AWS never exposes as a condition key, so it is always absent.</summary>
        public bool KeyNotExposed { get; internal set; }

        /// <summary>A <c>*</c> or <c>?</c> under a StringEquals-family operator (compared literally).</summary>
        public bool WildcardUnderEquals { get; internal set; }

        /// <summary>Policy variables (<c>${...}</c>) left unresolved and compared literally.</summary>
        public IReadOnlyList<string> UnresolvedVariables { get; internal set; } = Array.Empty<string>();

        public string Detail { get; internal set; } = "";

        public override string ToString() => Detail;
    }

    /// <summary>How one statement fared against the request.</summary>
    public sealed class StatementResult
    {
        /// <summary>1-based position in the policy.</summary>
        public int Index { get; internal set; }
        public string? Sid { get; internal set; }
        public string Effect { get; internal set; } = "";
        public bool PrincipalMatched { get; internal set; }
        public string PrincipalDetail { get; internal set; } = "";

        /// <summary>The <c>Federated</c> principals the statement names (empty when none).</summary>
        public IReadOnlyList<string> FederatedPrincipals { get; internal set; } = Array.Empty<string>();
        public bool ActionMatched { get; internal set; }
        public string ActionDetail { get; internal set; } = "";
        public IReadOnlyList<ConditionVerdict> Conditions { get; internal set; } = Array.Empty<ConditionVerdict>();

        /// <summary>Every condition is certainly true.</summary>
        public bool ConditionsMatched => Conditions.All(c => c.Matched);

        /// <summary>AND over the conditions: one false condition makes it false, else an indeterminate one makes it indeterminate.</summary>
        public TriState ConditionsResult => And(Conditions.Select(c => c.Result));

        /// <summary>Set when the statement itself is invalid (e.g. bad <c>Effect</c>); it then never applies.</summary>
        public string? Error { get; internal set; }

        /// <summary>
        /// Does the statement apply? <see cref="TriState.False"/> as soon as one part certainly does not match (the
        /// principal, the action, a condition, an invalid statement), even if another condition is indeterminate;
        /// <see cref="TriState.Indeterminate"/> when everything else matches but a condition hinges on an unknown key.
        /// </summary>
        public TriState Applicability =>
            Error != null || !PrincipalMatched || !ActionMatched ? TriState.False : ConditionsResult;

        /// <summary>Principal, action and every condition certainly match (and the statement is valid).</summary>
        public bool Applies => Applicability == TriState.True;

        /// <summary>The unknown keys this statement's applicability hinges on (empty unless <see cref="Applicability"/> is indeterminate).</summary>
        public IReadOnlyList<string> UnknownKeys => Applicability == TriState.Indeterminate
            ? Conditions.Where(c => c.Indeterminate).Select(c => c.Key).Distinct(StringComparer.OrdinalIgnoreCase).ToArray()
            : Array.Empty<string>();

        public bool IsAllow => string.Equals(Effect, "Allow", StringComparison.Ordinal);
        public bool IsDeny => string.Equals(Effect, "Deny", StringComparison.Ordinal);

        /// <summary><c>Statement 2</c> or <c>Statement 2 (Sid)</c>.</summary>
        public string Label => string.IsNullOrEmpty(Sid) ? $"Statement {Index}" : $"Statement {Index} ({Sid})";

        internal static TriState And(IEnumerable<TriState> parts)
        {
            TriState r = TriState.True;
            foreach (TriState p in parts)
            {
                if (p == TriState.False) return TriState.False;
                if (p == TriState.Indeterminate) r = TriState.Indeterminate;
            }
            return r;
        }
    }

    /// <summary>Result of <see cref="TrustPolicyEvaluator.Evaluate"/>.</summary>
    public sealed class PolicyEvaluation
    {
        internal PolicyEvaluation(IReadOnlyList<StatementResult> statements)
        {
            Statements = statements;
            bool Any(Func<StatementResult, bool> effect, TriState a) => statements.Any(s => effect(s) && s.Applicability == a);
            var hinges = new List<StatementResult>();
            if (Any(s => s.IsDeny, TriState.True))
            {
                Decision = PolicyDecision.ExplicitDeny;
            }
            else if (!Any(s => s.IsAllow, TriState.True) && !Any(s => s.IsAllow, TriState.Indeterminate))
            {
                // Nothing can allow: denied whether or not an indeterminate Deny applies.
                Decision = PolicyDecision.ImplicitDeny;
            }
            else if (Any(s => s.IsDeny, TriState.Indeterminate))
            {
                // An Allow (certain or not) and a Deny that may apply: only AWS can tell.
                Decision = PolicyDecision.Indeterminate;
                hinges.AddRange(statements.Where(s => s.IsDeny && s.Applicability == TriState.Indeterminate));
                if (!Any(s => s.IsAllow, TriState.True)) hinges.AddRange(statements.Where(s => s.IsAllow && s.Applicability == TriState.Indeterminate));
            }
            else if (Any(s => s.IsAllow, TriState.True))
            {
                Decision = PolicyDecision.Allow;
            }
            else
            {
                Decision = PolicyDecision.Indeterminate;
                hinges.AddRange(statements.Where(s => s.IsAllow && s.Applicability == TriState.Indeterminate));
            }
            DecidingStatements = hinges.OrderBy(s => s.Index).ToArray();
            UnknownKeys = DecidingStatements.SelectMany(s => s.UnknownKeys).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }

        /// <summary>
        /// <see cref="PolicyDecision.Indeterminate"/> only when the answer to "may this request assume the role?"
        /// hinges on unknown keys: an Allow that may apply with no certain one, or an Allow (certain or not) with a
        /// Deny that may apply. When no Allow can apply it is <see cref="PolicyDecision.ImplicitDeny"/> even if a
        /// Deny may also apply (denied either way).
        /// </summary>
        public PolicyDecision Decision { get; }
        public IReadOnlyList<StatementResult> Statements { get; }
        public bool IsAllowed => Decision == PolicyDecision.Allow;

        /// <summary>The decision is <see cref="PolicyDecision.Indeterminate"/>.</summary>
        public bool IsIndeterminate => Decision == PolicyDecision.Indeterminate;

        /// <summary>
        /// When <see cref="IsIndeterminate"/>: the statements whose applicability decides the outcome (indeterminate
        /// Denies, and indeterminate Allows when no Allow certainly applies); otherwise empty.
        /// </summary>
        public IReadOnlyList<StatementResult> DecidingStatements { get; }

        /// <summary>The keys only AWS knows that the decision hinges on (what to supply as condition context); empty unless indeterminate.</summary>
        public IReadOnlyList<string> UnknownKeys { get; }
    }
}
