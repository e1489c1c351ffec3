using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// IAM's verdict is the only decision: the role can be assumed when some Allow statement applies and no Deny
    /// statement applies (an indeterminate statement keeps the decision indeterminate). A check about a statement that
    /// does not apply explains; it may fail the role only when no other Allow statement applies or may apply.
    /// </summary>
    internal static class Verdict
    {
        /// <summary>The first Allow statement that certainly applies, or null.</summary>
        internal static StatementResult? ApplyingAllow(PolicyEvaluation eval) =>
            eval.Statements.FirstOrDefault(s => s.IsAllow && s.Applies);

        /// <summary>The first Allow statement that may apply (it hinges on keys only AWS knows), or null.</summary>
        internal static StatementResult? MaybeAllow(PolicyEvaluation eval) =>
            eval.Statements.FirstOrDefault(s => s.IsAllow && s.Applicability == TriState.Indeterminate);

        /// <summary>
        /// Null when a mismatch of <paramref name="self"/> (or of statements that do not apply) may fail the role: no other
        /// Allow statement applies or may apply. Otherwise the note that marks the mismatch as not needed:
        /// <c>not needed: Statement 2 applies</c> or <c>not needed if Statement 2 applies (see Decision)</c>.
        /// </summary>
        internal static string? NotNeeded(PolicyEvaluation eval, StatementResult? self = null)
        {
            StatementResult? applies = eval.Statements.FirstOrDefault(s => s != self && s.IsAllow && s.Applies);
            if (applies != null) return $"not needed: {applies.Label} applies";
            StatementResult? maybe = eval.Statements.FirstOrDefault(s => s != self && s.IsAllow && s.Applicability == TriState.Indeterminate);
            return maybe != null ? $"not needed if {maybe.Label} applies (see Decision)" : null;
        }
    }
}
