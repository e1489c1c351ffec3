using System;
using System.Collections.Generic;
using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>IAM's final answer: an explicit Deny wins over an Allow; nothing applicable is an implicit deny.</summary>
    public enum PolicyDecision { Allow, ExplicitDeny, ImplicitDeny }

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

        public bool Matched { get; internal set; }

        /// <summary>The operator is unknown (or not supported): the condition is false.</summary>
        public bool UnknownOperator { get; internal set; }

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
        public bool ConditionsMatched => Conditions.All(c => c.Matched);

        /// <summary>Set when the statement itself is invalid (e.g. bad <c>Effect</c>); it then never applies.</summary>
        public string? Error { get; internal set; }

        /// <summary>Principal, action and every condition match (and the statement is valid).</summary>
        public bool Applies => Error == null && PrincipalMatched && ActionMatched && ConditionsMatched;

        public bool IsAllow => string.Equals(Effect, "Allow", StringComparison.Ordinal);
        public bool IsDeny => string.Equals(Effect, "Deny", StringComparison.Ordinal);

        /// <summary><c>Statement 2</c> or <c>Statement 2 (Sid)</c>.</summary>
        public string Label => string.IsNullOrEmpty(Sid) ? $"Statement {Index}" : $"Statement {Index} ({Sid})";
    }

    /// <summary>Result of <see cref="TrustPolicyEvaluator.Evaluate"/>.</summary>
    public sealed class PolicyEvaluation
    {
        internal PolicyEvaluation(IReadOnlyList<StatementResult> statements)
        {
            Statements = statements;
            if (statements.Any(s => s.Applies && s.IsDeny)) Decision = PolicyDecision.ExplicitDeny;
            else if (statements.Any(s => s.Applies && s.IsAllow)) Decision = PolicyDecision.Allow;
            else Decision = PolicyDecision.ImplicitDeny;
        }

        public PolicyDecision Decision { get; }
        public IReadOnlyList<StatementResult> Statements { get; }
        public bool IsAllowed => Decision == PolicyDecision.Allow;
    }
}
