using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>Principal, Action/NotAction, Effect, Statement shape, and Deny over Allow, for the gitlab.com fixture.</summary>
    public class StatementEvaluationTests
    {
        private const string Fed = "{'Federated':'" + GitlabComProvider + "'}";
        private const string Act = "'sts:AssumeRoleWithWebIdentity'";
        private const string SubOk = "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}";
        private const string SubBad = "{'StringLike':{'gitlab.com:sub':'project_path:other/*'}}";

        private static string Stmt(string effect, string principal, string action, string condition = null, string actionKey = "Action", string principalKey = "Principal") =>
            "{'Effect':'" + effect + "','" + principalKey + "':" + principal + ",'" + actionKey + "':" + action
            + (condition == null ? "" : ",'Condition':" + condition) + "}";

        private static string Policy(params string[] statements) =>
            "{'Version':'2012-10-17','Statement':[" + string.Join(",", statements) + "]}";

        public static TheoryData<string, string, PolicyDecision> Cases => new TheoryData<string, string, PolicyDecision>
        {
            { "allow matches", Policy(Stmt("Allow", Fed, Act, SubOk)), PolicyDecision.Allow },
            { "allow condition fails", Policy(Stmt("Allow", Fed, Act, SubBad)), PolicyDecision.ImplicitDeny },
            { "deny overrides allow", Policy(Stmt("Allow", Fed, Act, SubOk), Stmt("Deny", Fed, Act, SubOk)), PolicyDecision.ExplicitDeny },
            { "deny with wildcard principal overrides allow", Policy(Stmt("Allow", Fed, Act), Stmt("Deny", "'*'", "'sts:*'")), PolicyDecision.ExplicitDeny },
            { "deny not applying leaves allow", Policy(Stmt("Allow", Fed, Act, SubOk), Stmt("Deny", Fed, Act, SubBad)), PolicyDecision.Allow },
            { "deny alone", Policy(Stmt("Deny", Fed, Act)), PolicyDecision.ExplicitDeny },
            { "second allow applies", Policy(Stmt("Allow", Fed, Act, SubBad), Stmt("Allow", Fed, Act, SubOk)), PolicyDecision.Allow },
            { "no statements", Policy(), PolicyDecision.ImplicitDeny },
            { "statement as object", "{'Statement':" + Stmt("Allow", Fed, Act, SubOk) + "}", PolicyDecision.Allow },
            { "principal star", Policy(Stmt("Allow", "'*'", Act, SubOk)), PolicyDecision.Allow },
            { "principal AWS star", Policy(Stmt("Allow", "{'AWS':'*'}", Act)), PolicyDecision.Allow },
            { "federated array", Policy(Stmt("Allow", "{'Federated':['arn:aws:iam::123456789012:oidc-provider/other','" + GitlabComProvider + "']}", Act)), PolicyDecision.Allow },
            { "federated other provider", Policy(Stmt("Allow", "{'Federated':'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com'}", Act)), PolicyDecision.ImplicitDeny },
            { "federated trailing slash", Policy(Stmt("Allow", "{'Federated':'" + GitlabComProvider + "/'}", Act)), PolicyDecision.ImplicitDeny },
            { "federated other account", Policy(Stmt("Allow", "{'Federated':'arn:aws:iam::210987654321:oidc-provider/gitlab.com'}", Act)), PolicyDecision.ImplicitDeny },
            { "AWS principal", Policy(Stmt("Allow", "{'AWS':'arn:aws:iam::123456789012:root'}", Act)), PolicyDecision.ImplicitDeny },
            { "Service principal", Policy(Stmt("Allow", "{'Service':'ec2.amazonaws.com'}", Act)), PolicyDecision.ImplicitDeny },
            { "no principal", "{'Statement':[{'Effect':'Allow','Action':" + Act + "}]}", PolicyDecision.ImplicitDeny },
            { "NotPrincipal in deny excludes provider", Policy(Stmt("Allow", Fed, Act), Stmt("Deny", Fed, "'sts:*'", principalKey: "NotPrincipal")), PolicyDecision.Allow },
            { "action sts:*", Policy(Stmt("Allow", Fed, "'sts:*'")), PolicyDecision.Allow },
            { "action star", Policy(Stmt("Allow", Fed, "'*'")), PolicyDecision.Allow },
            { "action sts:AssumeRole*", Policy(Stmt("Allow", Fed, "'sts:AssumeRole*'")), PolicyDecision.Allow },
            { "action sts:AssumeRole only", Policy(Stmt("Allow", Fed, "'sts:AssumeRole'")), PolicyDecision.ImplicitDeny },
            { "action SAML", Policy(Stmt("Allow", Fed, "'sts:AssumeRoleWithSAML'")), PolicyDecision.ImplicitDeny },
            { "action array", Policy(Stmt("Allow", Fed, "['sts:TagSession','sts:AssumeRoleWithWebIdentity']")), PolicyDecision.Allow },
            { "action case-insensitive", Policy(Stmt("Allow", Fed, "'STS:assumerolewithwebidentity'")), PolicyDecision.Allow },
            { "action ? wildcard", Policy(Stmt("Allow", Fed, "'sts:AssumeRoleWithWebIdentit?'")), PolicyDecision.Allow },
            { "NotAction other", Policy(Stmt("Allow", Fed, "'sts:AssumeRole'", actionKey: "NotAction")), PolicyDecision.Allow },
            { "NotAction covering", Policy(Stmt("Allow", Fed, "'sts:*'", actionKey: "NotAction")), PolicyDecision.ImplicitDeny },
            { "deny NotAction other still denies", Policy(Stmt("Allow", Fed, Act), Stmt("Deny", Fed, "'sts:TagSession'", actionKey: "NotAction")), PolicyDecision.ExplicitDeny },
            { "effect lower-case is invalid", Policy(Stmt("allow", Fed, Act)), PolicyDecision.ImplicitDeny },
            { "no action", "{'Statement':[{'Effect':'Allow','Principal':" + Fed + "}]}", PolicyDecision.ImplicitDeny },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Decision_follows_IAM_rules(string name, string policy, PolicyDecision expected)
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(J(policy), GitlabComContext());

            Assert.True(expected == e.Decision, $"{name}: expected {expected}, got {e.Decision}");
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("{'Version':'2012-10-17'}")]
        [InlineData("{'Statement':'x'}")]
        [InlineData("[]")]
        public void Unreadable_policy_throws_format_exception(string policy)
        {
            Assert.Throws<TrustPolicyFormatException>(() => TrustPolicyEvaluator.Evaluate(J(policy), GitlabComContext()));
        }

        [Fact]
        public void Statement_result_records_principals_and_sid()
        {
            string policy = J("{'Statement':[{'Sid':'GitLab','Effect':'Allow','Principal':{'Federated':['a','b'],'AWS':'x'},'Action':'sts:*'}]}");

            StatementResult s = TrustPolicyEvaluator.Evaluate(policy, GitlabComContext()).Statements[0];

            Assert.Equal("Statement 1 (GitLab)", s.Label);
            Assert.Equal(new[] { "a", "b" }, s.FederatedPrincipals);
            Assert.False(s.PrincipalMatched);
            Assert.Contains("AWS principals, which never match a web identity", s.PrincipalDetail);
        }

        [Fact]
        public void Invalid_effect_is_reported()
        {
            StatementResult s = TrustPolicyEvaluator.Evaluate(J("{'Statement':{'Effect':'Permit','Principal':'*','Action':'*'}}"), GitlabComContext()).Statements[0];

            Assert.False(s.Applies);
            Assert.Contains("Permit", s.Error);
        }
    }
}
