using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// Issue 16.9: SubjectScope does not fire for a scoped ...IfExists condition on :sub, and a condition keyed on
    /// another issuer than the statement's provider is UnexposedConditionKey with the key renamed in the hint.
    /// </summary>
    public class FindingsPrecisionTests
    {
        private const string SelfManagedProvider = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";

        [Theory]
        [InlineData("{'StringEqualsIfExists':{'gitlab.com:sub':'" + GitlabComSub + "'}}")]
        [InlineData("{'StringLikeIfExists':{'gitlab.com:sub':'project_path:acme/*'}}")]
        [InlineData("{'ForAnyValue:StringLikeIfExists':{'gitlab.com:sub':'project_path:acme/*'}}")]
        [InlineData("{'StringEqualsIgnoreCaseIfExists':{'gitlab.com:sub':'" + GitlabComSub + "'}}")]
        public void A_scoped_IfExists_condition_on_sub_restricts_it(string condition)
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, condition));

            AssertNoFail(r);
            DiagnosisCheck c = Check(r, PolicyChecks.SubjectScope);
            Assert.Equal(CheckResult.Pass, c.Result);
            Assert.DoesNotContain("any project", c.Detail);
        }

        [Theory]
        [InlineData("{'StringLikeIfExists':{'gitlab.com:sub':'*'}}")]
        [InlineData("{'StringEqualsIfExists':{'gitlab.com:aud':'https://gitlab.com'}}")]
        public void An_IfExists_condition_that_does_not_scope_sub_still_warns(string condition)
        {
            DiagnosisCheck c = Check(Run(PolicyFor(GitlabComProvider, condition)), PolicyChecks.SubjectScope);
            Assert.Equal(CheckResult.Warn, c.Result);
            Assert.Contains("any project", c.Detail);
        }

        [Fact]
        public void A_condition_keyed_on_another_issuer_is_UnexposedConditionKey_with_the_key_renamed()
        {
            // Copied from a self-managed instance's policy: gitlab.example.com:sub in a statement for gitlab.com.
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.example.com:sub':'project_path:acme/*'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, r.FailureCode);
            string corrected = "\"StringLike\": {\"gitlab.com:sub\": \"project_path:acme/*\"}";

            DiagnosisCheck trap = Check(r, PolicyChecks.UnexposedKeyTrap);
            Assert.Equal(CheckResult.Warn, trap.Result);
            Assert.Contains("gitlab.example.com:sub is keyed on another issuer", trap.Detail);
            Assert.Contains("rename the key", trap.Hint);
            Assert.Contains(corrected, trap.Hint);

            // The failing statement says the same (not "use StringLikeIfExists"), and so does the result's hint.
            Assert.Contains(corrected, r.Hint);
            Assert.DoesNotContain("IfExists", r.Hint);

            // The statement can never apply: it is not "open to any project".
            DiagnosisCheck scope = Check(r, PolicyChecks.SubjectScope);
            Assert.Equal(CheckResult.Pass, scope.Result);
        }

        [Fact]
        public void Another_issuer_key_under_IfExists_is_flagged_and_leaves_sub_open()
        {
            // Always true (the key is never present), so it scopes nothing: both findings fire.
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLikeIfExists':{'gitlab.example.com:sub':'project_path:acme/*'}}"));

            AssertNoFail(r);
            DiagnosisCheck trap = Check(r, PolicyChecks.UnexposedKeyTrap);
            Assert.Equal(CheckResult.Warn, trap.Result);
            Assert.Contains("\"StringLikeIfExists\": {\"gitlab.com:sub\": \"project_path:acme/*\"}", trap.Hint);
            Assert.Equal(CheckResult.Warn, Check(r, PolicyChecks.SubjectScope).Result);
        }

        [Fact]
        public void A_renamed_claim_AWS_does_not_expose_says_to_remove_it()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider,
                "{'StringLike':{'gitlab.com:sub':'project_path:acme/*','gitlab.example.com:project_path':'acme/*'}}"));

            DiagnosisCheck trap = Check(r, PolicyChecks.UnexposedKeyTrap);
            Assert.Equal(CheckResult.Warn, trap.Result);
            Assert.Contains("gitlab.example.com:project_path", trap.Detail);
            Assert.Contains("remove the condition", trap.Hint);
        }

        [Fact]
        public void The_statement_own_issuer_key_is_not_flagged()
        {
            DiagnosisResult r = Run(DesignPolicy);

            AssertNoFail(r);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.UnexposedKeyTrap).Result);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.SubjectScope).Result);
        }

        [Fact]
        public void A_statement_naming_both_providers_may_key_on_either()
        {
            // One statement for two instances, each key guarded with IfExists: deliberate, not a copy-paste.
            string policy = J("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Federated':['" + GitlabComProvider + "','" + SelfManagedProvider
                + "']},'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLikeIfExists':{'gitlab.com:sub':'project_path:acme/*',"
                + "'gitlab.example.com:sub':'project_path:acme/*'}}}]}");

            DiagnosisResult r = Run(policy);

            AssertNoFail(r);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.UnexposedKeyTrap).Result);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.SubjectScope).Result);
        }

        [Fact]
        public void A_statement_for_another_provider_is_not_judged_by_this_token()
        {
            // Statement 2 is for the self-managed instance, keyed on its own issuer: nothing to rename.
            string policy = J("{'Version':'2012-10-17','Statement':["
                + "{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}},"
                + "{'Effect':'Allow','Principal':{'Federated':'" + SelfManagedProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'gitlab.example.com:sub':'project_path:acme/*'}}}]}");

            DiagnosisResult r = Run(policy);

            AssertNoFail(r);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.UnexposedKeyTrap).Result);
            Assert.DoesNotContain(r.Checks, c => c.Hint != null && c.Hint.Contains("rename"));
        }
    }
}
