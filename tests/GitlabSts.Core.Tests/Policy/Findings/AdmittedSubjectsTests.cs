using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy.Findings
{
    /// <summary>Issue 11: AdmittedSubjects lists, per Allow statement for this provider, the :sub values and patterns it admits.</summary>
    public class AdmittedSubjectsTests
    {
        private const string Act = "'Action':'sts:AssumeRoleWithWebIdentity'";

        private static string Statement(string effect, string provider, string condition) =>
            "{'Effect':'" + effect + "','Principal':{'Federated':'" + provider + "'}," + Act + (condition == null ? "" : ",'Condition':" + condition) + "}";

        private static DiagnosisResult Policy(params string[] statements) =>
            Run(J("{'Version':'2012-10-17','Statement':[" + string.Join(",", statements) + "]}"));

        [Fact]
        public void A_statement_with_no_sub_condition_admits_star()
        {
            Assert.Equal(new[] { "*" }, Policy(Statement("Allow", GitlabComProvider, "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'}}")).AdmittedSubjects);
        }

        [Fact]
        public void Values_of_every_Allow_for_this_provider_in_order_without_Denies_or_other_providers()
        {
            DiagnosisResult r = Policy(
                Statement("Allow", GitlabComProvider, "{'StringLike':{'gitlab.com:sub':['project_path:acme/infra:*','project_path:acme/web:*']}}"),
                Statement("Deny", GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/web:ref_type:tag:*'}}"),
                Statement("Allow", "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com", "{'StringLike':{'gitlab.example.com:sub':'project_path:x/y:*'}}"),
                Statement("Allow", GitlabComProvider, "{'StringEquals':{'gitlab.com:sub':'" + GitlabComSub + "'}}"),
                Statement("Allow", GitlabComProvider, "{'StringEqualsIfExists':{'gitlab.com:sub':'project_path:acme/infra:*'}}"));

            Assert.Equal(new[] { "project_path:acme/infra:*", "project_path:acme/web:*", GitlabComSub }, r.AdmittedSubjects);
        }

        [Fact]
        public void A_statement_limiting_sub_only_through_a_negated_operator_admits_star()
        {
            DiagnosisResult r = Policy(Statement("Allow", GitlabComProvider, "{'StringNotLike':{'gitlab.com:sub':'project_path:evil/*'}}"));

            Assert.Equal(new[] { "*" }, r.AdmittedSubjects);
        }

        [Fact]
        public void A_statement_for_another_action_admits_nothing()
        {
            DiagnosisResult r = Policy("{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRole'}");

            Assert.Empty(r.AdmittedSubjects);
        }
    }
}
