using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    public class SuggestedPolicyTests
    {
        public static TheoryData<string, string, long> Tokens => new TheoryData<string, string, long>
        {
            { "gitlab-com-id-token-claims.json", RoleArn, 1764150060 },
            { "gitlab-com-id-token-claims.json", null, 1764150060 },
            { "gitlab-id-token-claims.json", "arn:aws-us-gov:iam::111122223333:role/deploy", 1681395200 },
            { "gitlab-id-token-claims.json", null, 1681395200 },
        };

        [Theory]
        [MemberData(nameof(Tokens))]
        public void Suggested_policy_allows_its_own_token_with_no_warnings(string file, string role, long now)
        {
            string claims = Claims(file);
            DiagnosisResult first = Run(null, claims: claims, role: role, now: System.DateTimeOffset.FromUnixTimeSeconds(now));

            DiagnosisResult again = Run(first.SuggestedTrustPolicy, claims: claims, role: role, now: System.DateTimeOffset.FromUnixTimeSeconds(now));

            AssertNoFail(again);
            Assert.Equal(CheckResult.Pass, Check(again, "Decision").Result);
            Assert.Equal(CheckResult.Pass, Check(again, "Statement 1 (GitlabOidc)").Result);
            Assert.Equal(CheckResult.Pass, Check(again, "ProviderPrincipal").Result);
            Assert.DoesNotContain(again.Checks, c => c.Result == CheckResult.Warn);
        }

        [Fact]
        public void Suggested_policy_is_scoped_to_project_and_ref()
        {
            string policy = SuggestedPolicy.Build("https://gitlab.com", RoleArn, GitlabComSub, new[] { "https://gitlab.com" });
            RequestContext other = OidcConditionKeys.BuildContext(
                ClaimsWith(("sub", "project_path:acme/infra:ref_type:branch:ref:feature")), "aws", "123456789012");
            RequestContext otherProject = OidcConditionKeys.BuildContext(
                ClaimsWith(("sub", "project_path:acme/other:ref_type:branch:ref:main")), "aws", "123456789012");

            Assert.Equal(PolicyDecision.Allow, TrustPolicyEvaluator.Evaluate(policy, OidcConditionKeys.BuildContext(GitlabComClaims, "aws", "123456789012")).Decision);
            Assert.Equal(PolicyDecision.ImplicitDeny, TrustPolicyEvaluator.Evaluate(policy, other).Decision);
            Assert.Equal(PolicyDecision.ImplicitDeny, TrustPolicyEvaluator.Evaluate(policy, otherProject).Decision);
        }

        [Fact]
        public void Suggested_policy_shape()
        {
            string policy = SuggestedPolicy.Build("https://gitlab.example.com/", "arn:aws-cn:iam::111122223333:role/a/b",
                "project_path:g/p:ref_type:tag:ref:v1", new[] { "a", "b" });

            Assert.Contains("\n", policy);
            using JsonDocument d = JsonDocument.Parse(policy);
            JsonElement s = d.RootElement.GetProperty("Statement")[0];
            Assert.Equal("2012-10-17", d.RootElement.GetProperty("Version").GetString());
            Assert.Equal("Allow", s.GetProperty("Effect").GetString());
            Assert.Equal("arn:aws-cn:iam::111122223333:oidc-provider/gitlab.example.com", s.GetProperty("Principal").GetProperty("Federated").GetString());
            Assert.Equal("sts:AssumeRoleWithWebIdentity", s.GetProperty("Action").GetString());
            JsonElement eq = s.GetProperty("Condition").GetProperty("StringEquals");
            Assert.Equal(new[] { "a", "b" }, eq.GetProperty("gitlab.example.com:aud").EnumerateArray().Select(x => x.GetString()));
            Assert.Equal("project_path:g/p:ref_type:tag:ref:v1", eq.GetProperty("gitlab.example.com:sub").GetString());
        }

        [Fact]
        public void Placeholder_account_is_used_without_a_role()
        {
            string policy = SuggestedPolicy.Build("https://gitlab.com", null, GitlabComSub, new List<string> { "https://gitlab.com" });

            Assert.Contains("\"arn:aws:iam::<ACCOUNT_ID>:oidc-provider/gitlab.com\"", policy);
        }
    }
}
