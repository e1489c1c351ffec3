using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// The tri-state decision: a verdict that hinges on a key only AWS knows is Indeterminate (naming the key), a
    /// statement that cannot apply for a known reason is a definite "does not apply", an explicit Deny still wins,
    /// and supplying the key as condition context decides it.
    /// </summary>
    public class IndeterminateDecisionTests
    {
        private const string Fed = "{'Federated':'" + GitlabComProvider + "'}";
        private const string SubOk = "'StringLike':{'gitlab.com:sub':'project_path:acme/*'}";
        private const string SubBad = "'StringLike':{'gitlab.com:sub':'project_path:other/*'}";
        private const string NotCorpIp = "'NotIpAddress':{'aws:SourceIp':['192.0.2.0/24','2001:db8::/32']}";
        private const string TeamOps = "'StringEquals':{'aws:PrincipalTag/team':'ops'}";

        private static string Stmt(string effect, params string[] conditions) =>
            "{'Effect':'" + effect + "','Principal':" + Fed + ",'Action':'sts:AssumeRoleWithWebIdentity'"
            + (conditions.Length == 0 ? "" : ",'Condition':{" + string.Join(",", conditions) + "}") + "}";

        private static string NotActionDeny(string action, params string[] conditions) =>
            "{'Effect':'Deny','Principal':'*','NotAction':'" + action + "','Condition':{" + string.Join(",", conditions) + "}}";

        private static string Policy(params string[] statements) => J("{'Version':'2012-10-17','Statement':[" + string.Join(",", statements) + "]}");

        private static RequestContext Ctx(string? sourceIp = null, string? team = null)
        {
            var supplied = new Dictionary<string, IReadOnlyList<string>?>();
            if (sourceIp != null) supplied["aws:SourceIp"] = new[] { sourceIp };
            if (team != null) supplied["aws:PrincipalTag/team"] = team.Length == 0 ? null : new[] { team };
            return GitlabComContext().SetConditionContext(supplied);
        }

        public static TheoryData<string, string, string?, string?, PolicyDecision, string> Cases =>
            new TheoryData<string, string, string?, string?, PolicyDecision, string>
        {
            // name, policy, aws:SourceIp, aws:PrincipalTag/team ("" = supplied absent), decision, unknown keys
            { "allow + data-perimeter deny, ip unknown", Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), null, null, PolicyDecision.Indeterminate, "aws:SourceIp" },
            { "allow + deny, ip inside the perimeter", Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), "192.0.2.10", null, PolicyDecision.Allow, "" },
            { "allow + deny, IPv6 inside the perimeter", Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), "2001:db8:ffff::1", null, PolicyDecision.Allow, "" },
            { "allow + deny, ip outside the perimeter", Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), "198.51.100.1", null, PolicyDecision.ExplicitDeny, "" },
            { "allow fails, deny unknown: denied either way", Policy(Stmt("Allow", SubBad), Stmt("Deny", NotCorpIp)), null, null, PolicyDecision.ImplicitDeny, "" },
            { "allow with a false and an unknown key", Policy(Stmt("Allow", SubBad, TeamOps)), null, null, PolicyDecision.ImplicitDeny, "" },
            { "allow with true and unknown key", Policy(Stmt("Allow", SubOk, TeamOps)), null, null, PolicyDecision.Indeterminate, "aws:PrincipalTag/team" },
            { "allow with unknown key, supplied matching", Policy(Stmt("Allow", SubOk, TeamOps)), null, "ops", PolicyDecision.Allow, "" },
            { "allow with unknown key, supplied other", Policy(Stmt("Allow", SubOk, TeamOps)), null, "dev", PolicyDecision.ImplicitDeny, "" },
            { "allow with unknown key, supplied absent", Policy(Stmt("Allow", SubOk, TeamOps)), null, "", PolicyDecision.ImplicitDeny, "" },
            { "certain allow beside an unknown allow", Policy(Stmt("Allow", SubOk, TeamOps), Stmt("Allow", SubOk)), null, null, PolicyDecision.Allow, "" },
            { "certain deny beside an unknown allow", Policy(Stmt("Allow", SubOk, TeamOps), Stmt("Deny", SubOk)), null, null, PolicyDecision.ExplicitDeny, "" },
            { "certain deny beside an unknown deny", Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp), Stmt("Deny")), null, null, PolicyDecision.ExplicitDeny, "" },
            { "unknown allow and unknown deny", Policy(Stmt("Allow", SubOk, TeamOps), Stmt("Deny", NotCorpIp)), null, null, PolicyDecision.Indeterminate, "aws:PrincipalTag/team,aws:SourceIp" },
            { "unknown allow, deny decided by supplied ip", Policy(Stmt("Allow", SubOk, TeamOps), Stmt("Deny", NotCorpIp)), "192.0.2.1", null, PolicyDecision.Indeterminate, "aws:PrincipalTag/team" },
            { "certain allow, unknown deny names only the deny's key", Policy(Stmt("Allow", SubOk, TeamOps), Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), null, null, PolicyDecision.Indeterminate, "aws:SourceIp" },
            { "deny whose other condition is false does not apply", Policy(Stmt("Allow", SubOk), Stmt("Deny", SubBad, NotCorpIp)), null, null, PolicyDecision.Allow, "" },
            { "deny NotAction covering the action does not apply", Policy(Stmt("Allow", SubOk), NotActionDeny("sts:*", NotCorpIp)), null, null, PolicyDecision.Allow, "" },
            { "deny NotAction other action may apply", Policy(Stmt("Allow", SubOk), NotActionDeny("sts:TagSession", NotCorpIp)), null, null, PolicyDecision.Indeterminate, "aws:SourceIp" },
            { "deny for another provider does not apply", Policy(Stmt("Allow", SubOk),
                "{'Effect':'Deny','Principal':{'Federated':'arn:aws:iam::123456789012:oidc-provider/other'},'Action':'sts:*','Condition':{" + NotCorpIp + "}}"), null, null, PolicyDecision.Allow, "" },
            { "invalid effect with unknown key never applies", Policy(Stmt("Allow", SubOk), "{'Effect':'deny','Principal':'*','Action':'*','Condition':{" + NotCorpIp + "}}"), null, null, PolicyDecision.Allow, "" },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Decision_is_not_guessed(string name, string policy, string? sourceIp, string? team, PolicyDecision expected, string unknownKeys)
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(policy, Ctx(sourceIp, team));

            Assert.True(expected == e.Decision, $"{name}: expected {expected}, got {e.Decision}");
            Assert.Equal(expected == PolicyDecision.Indeterminate, e.IsIndeterminate);
            Assert.Equal(expected == PolicyDecision.Allow, e.IsAllowed);
            Assert.Equal(unknownKeys, string.Join(",", e.UnknownKeys.OrderBy(k => k, StringComparer.Ordinal)));
        }

        [Fact]
        public void Data_perimeter_deny_is_indeterminate_and_names_the_statement_and_the_key()
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(Policy(Stmt("Allow", SubOk), Stmt("Deny", NotCorpIp)), Ctx());

            StatementResult allow = e.Statements[0], deny = e.Statements[1];
            Assert.Equal(TriState.True, allow.Applicability);
            Assert.True(allow.Applies);
            Assert.Equal(TriState.Indeterminate, deny.Applicability);
            Assert.False(deny.Applies);
            Assert.Equal(TriState.Indeterminate, deny.ConditionsResult);
            Assert.False(deny.ConditionsMatched);
            Assert.Equal(new[] { "aws:SourceIp" }, deny.UnknownKeys);
            Assert.Empty(allow.UnknownKeys);
            Assert.Same(deny, Assert.Single(e.DecidingStatements));
            ConditionVerdict c = Assert.Single(deny.Conditions);
            Assert.True(c.Indeterminate);
            Assert.False(c.IsInvalid);
        }

        [Fact]
        public void A_statement_false_for_a_known_reason_lists_no_unknown_key()
        {
            StatementResult s = TrustPolicyEvaluator.Evaluate(Policy(Stmt("Allow", SubBad, TeamOps)), Ctx()).Statements[0];

            Assert.Equal(TriState.False, s.Applicability);
            Assert.Equal(TriState.False, s.ConditionsResult);
            Assert.Empty(s.UnknownKeys);
            Assert.Contains(s.Conditions, c => c.Indeterminate);
        }

        [Fact]
        public void A_principal_mismatch_is_false_even_with_an_unknown_condition()
        {
            string policy = J("{'Statement':[{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::1:root'},'Action':'sts:*','Condition':{" + TeamOps + "}}]}");

            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(policy, Ctx());

            Assert.Equal(TriState.False, e.Statements[0].Applicability);
            Assert.Equal(TriState.Indeterminate, e.Statements[0].ConditionsResult);
            Assert.Equal(PolicyDecision.ImplicitDeny, e.Decision);
        }
    }
}
