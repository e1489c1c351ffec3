using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>Statement failures, the known traps, Deny, and malformed policies as checks, codes and hints.</summary>
    public class DiagnosisTrapTests
    {
        private const string SelfManagedProvider = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";

        [Fact]
        public void Condition_mismatch_names_expected_and_actual()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:other/*'}}"));

            Assert.False(r.Success);
            Assert.Equal("TrustPolicyDenied", r.FailureCode);
            Assert.Equal("Statement 1: Allow statement does not apply: StringLike gitlab.com:sub \"project_path:other/*\" did not match \""
                + GitlabComSub + "\".", r.Message);
            Assert.Contains("The token has gitlab.com:sub = \"" + GitlabComSub + "\"", r.Hint);
            Assert.Equal(CheckResult.Fail, Check(r, "Decision").Result);
        }

        [Fact]
        public void Aud_condition_is_judged_even_when_the_provider_is_wrong()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider + "/", "{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com'}}"));

            Assert.Equal("IssuerMismatch", r.FailureCode);
            Assert.Equal(CheckResult.Fail, Check(r, "AudienceCondition").Result);
            Assert.Equal(CheckResult.Warn, Check(r, "SubjectScope").Result);
        }

        [Fact]
        public void Wildcard_under_StringEquals_is_a_trap_with_a_StringLike_hint()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringEquals':{'gitlab.com:sub':'project_path:acme/*'}}"));

            Assert.Equal(CheckResult.Warn, Check(r, "WildcardUnderStringEquals").Result);
            Assert.Equal("TrustPolicyDenied", r.FailureCode);
            Assert.StartsWith("Change StringEquals to StringLike for gitlab.com:sub", r.Hint);
            Assert.StartsWith("Change StringEquals to StringLike for gitlab.com:sub", Check(r, "WildcardUnderStringEquals").Hint);
        }

        [Fact]
        public void Wildcard_under_StringNotEquals_suggests_StringNotLike()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider,
                "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'},'StringNotEquals':{'gitlab.com:sub':'project_path:acme/secret*'}}"));

            AssertNoFail(r);
            Assert.Equal(CheckResult.Warn, Check(r, "WildcardUnderStringEquals").Result);
            Assert.StartsWith("Change StringNotEquals to StringNotLike", Check(r, "WildcardUnderStringEquals").Hint);
        }

        [Theory]
        [InlineData(false, "gitlab.example.com:project_path", "my-group/my-project")]
        [InlineData(false, "gitlab.example.com:namespace_id", "72")]
        [InlineData(true, "gitlab.com:project_path", "acme/infra")]
        [InlineData(true, "gitlab.com:ref", "main")]
        public void Condition_on_an_unexposed_claim_warns_and_never_matches(bool gitlabCom, string key, string value)
        {
            string provider = gitlabCom ? GitlabComProvider : SelfManagedProvider;
            string claims = gitlabCom ? GitlabComClaims : SelfManagedClaims;

            DiagnosisResult r = Run(PolicyFor(provider, "{'StringEquals':{'" + key + "':'" + value + "'}}"), claims: claims,
                now: System.DateTimeOffset.FromUnixTimeSeconds(gitlabCom ? 1764150060 : 1681395200));

            DiagnosisCheck trap = Check(r, "UnexposedConditionKey");
            Assert.Equal(CheckResult.Warn, trap.Result);
            Assert.Contains("AWS does not expose \"" + key + "\"", trap.Detail);
            Assert.Equal("TrustPolicyDenied", r.FailureCode);
            Assert.StartsWith("Remove the condition on " + key, r.Hint);
        }

        [Theory]
        [InlineData("gitlab.com:project_id", "987654")]
        [InlineData("gitlab.com:namespace_id", "4242")]
        [InlineData("gitlab.com:ref_protected", "true")]
        [InlineData("gitlab.com:user_login", "deployer")]
        [InlineData("gitlab.com:pipeline_source", "push")]
        [InlineData("gitlab.com:runner_environment", "gitlab-hosted")]
        [InlineData("gitlab.com:user_access_level", "maintainer")]
        [InlineData("gitlab.com:user_email", "deployer@example.com")]
        [InlineData("gitlab.com:user_id", "31337")]
        public void Gitlab_com_exposes_its_extra_claims(string key, string value)
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider,
                "{'StringEquals':{'" + key + "':'" + value + "'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}"));

            AssertNoFail(r);
            Assert.Equal(CheckResult.Pass, Check(r, "UnexposedConditionKey").Result);
        }

        [Fact]
        public void Policy_variable_is_reported_unresolved()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:${aws:username}/*'}}"));

            DiagnosisCheck c = Check(r, "PolicyVariables");
            Assert.Equal(CheckResult.Warn, c.Result);
            Assert.Contains("${aws:username}", c.Detail);
            Assert.Equal("TrustPolicyDenied", r.FailureCode);
        }

        [Fact]
        public void Missing_sub_condition_warns_but_allows()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'}}"));

            AssertNoFail(r);
            Assert.Equal(CheckResult.Warn, Check(r, "SubjectScope").Result);
        }

        [Theory]
        [InlineData("{'StringLike':{'gitlab.com:sub':'*'}}")]
        [InlineData("{'StringLikeIfExists':{'gitlab.com:sub':'project_path:*'}}")]
        [InlineData("{'StringNotLike':{'gitlab.com:sub':'project_path:evil/*'}}")]
        [InlineData("{'Null':{'gitlab.com:sub':'false'}}")]
        public void Sub_condition_that_restricts_nothing_warns(string condition)
        {
            Assert.Equal(CheckResult.Warn, Check(Run(PolicyFor(GitlabComProvider, condition)), "SubjectScope").Result);
        }

        [Fact]
        public void Explicit_deny_wins_and_is_the_failure_code()
        {
            string policy = J("{'Statement':[{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}},"
                + "{'Sid':'NoUnprotected','Effect':'Deny','Principal':'*','Action':'sts:*','Condition':{'StringEquals':{'gitlab.com:ref_protected':'true'}}}]}");

            DiagnosisResult r = Run(policy);

            Assert.Equal("ExplicitDeny", r.FailureCode);
            Assert.Equal(CheckResult.Pass, Check(r, "Statement 1").Result);
            Assert.Equal(CheckResult.Fail, Check(r, "Statement 2 (NoUnprotected)").Result);
            Assert.Equal(CheckResult.Fail, Check(r, "Decision").Result);
        }

        [Fact]
        public void Unneeded_allow_statement_is_skipped_when_another_allows()
        {
            string policy = J("{'Statement':[{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':{'StringLike':{'gitlab.com:sub':'project_path:other/*'}}},"
                + "{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}}]}");

            DiagnosisResult r = Run(policy);

            AssertNoFail(r);
            Assert.Equal(CheckResult.Skip, Check(r, "Statement 1").Result);
            Assert.Equal(CheckResult.Pass, Check(r, "Statement 2").Result);
        }

        [Fact]
        public void Action_mismatch_fails_with_hint()
        {
            string policy = J("{'Statement':{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRole'}}");

            DiagnosisResult r = Run(policy);

            Assert.Equal("TrustPolicyDenied", r.FailureCode);
            Assert.Contains("Action \"sts:AssumeRole\" does not match sts:AssumeRoleWithWebIdentity", r.Message);
            Assert.Equal("Include sts:AssumeRoleWithWebIdentity in the statement's Action.", r.Hint);
        }

        [Theory]
        [InlineData("{not json", "TrustPolicy")]
        [InlineData("{'Version':'2012-10-17'}", "TrustPolicy")]
        [InlineData("{'Statement':{'Effect':'Allow','Principal':'*','Action':'*','Condition':{'StringEqualz':{'gitlab.com:sub':'x'}}}}", "Statement 1")]
        [InlineData("{'Statement':{'Effect':'allow','Principal':'*','Action':'*'}}", "Statement 1")]
        public void Invalid_policy_is_a_failed_check_not_an_exception(string policy, string check)
        {
            DiagnosisResult r = Run(J(policy));

            Assert.Equal(CheckResult.Fail, Check(r, check).Result);
            Assert.Equal("InvalidTrustPolicy", r.FailureCode);
        }

        [Fact]
        public void Without_trust_policy_policy_checks_are_skipped()
        {
            DiagnosisResult r = Run(null, clientIds: new[] { "https://gitlab.com" });

            AssertNoFail(r);
            foreach (string name in new[] { "TrustPolicy", "ProviderPrincipal", "AudienceCondition", "WildcardUnderStringEquals", "Decision" })
            {
                Assert.Equal(CheckResult.Skip, Check(r, name).Result);
            }
            Assert.Equal(CheckResult.Pass, Check(r, "ClientId").Result);
            Assert.DoesNotContain(r.Checks, c => c.Name.StartsWith("Statement"));
        }

        [Fact]
        public void Http_issuer_warns()
        {
            DiagnosisResult r = Run(null, claims: ClaimsWith(("iss", "http://gitlab.com")));

            Assert.Equal(CheckResult.Warn, Check(r, "IssuerUrl").Result);
        }

        [Fact]
        public void Self_managed_token_with_its_policy_passes()
        {
            string policy = PolicyFor(SelfManagedProvider,
                "{'StringEquals':{'gitlab.example.com:aud':'https://vault.example.com'},'StringLike':{'gitlab.example.com:sub':'project_path:my-group/my-project:ref_type:branch:ref:*'}}");

            DiagnosisResult r = Run(policy, claims: SelfManagedClaims, clientIds: new[] { "https://vault.example.com" },
                now: System.DateTimeOffset.FromUnixTimeSeconds(1681395200));

            AssertNoFail(r);
            // ref:* admits every branch, and a self-managed issuer has no ref_protected key: findings, never failures.
            Assert.Equal(new[] { "RefScope", "UnprotectedRef" }, r.Checks.Where(c => c.Result == CheckResult.Warn).Select(c => c.Name));
        }
    }
}
