using System;
using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    public class OidcDiagnosisTests
    {
        [Fact]
        public void Design_policy_passes_for_the_gitlab_com_token()
        {
            DiagnosisResult r = Run(DesignPolicy, clientIds: new[] { "https://gitlab.com" });

            AssertNoFail(r);
            Assert.Null(r.FailureCode);
            Assert.Null(r.Message);
            Assert.Equal("https://gitlab.com", r.Issuer);
            Assert.Equal(GitlabComSub, r.Subject);
            Assert.Equal(new[] { "https://gitlab.com" }, r.Audience);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764153600), r.TokenExpiresAt);
            // project_path:acme/* admits all of acme, by path alone, branches with no ref_protected: findings, never failures.
            Assert.Equal(new[] { "RefScope", "PathReuse", "UnprotectedRef" }, r.Checks.Where(c => c.Result == CheckResult.Warn).Select(c => c.Name));
            Assert.Equal(new[] { "TokenExpiry", "TokenNotBefore", "TokenIssuedAt", "IssuerUrl", "TrustPolicy", "ProviderPrincipal", "ClientId",
                "AudienceCondition", "Statement 1", "WildcardUnderStringEquals", "UnexposedConditionKey", "PolicyVariables", "SubjectScope",
                "ImpossibleSubject", "ForAllValuesOnSingleValuedKey", "RefScope", "NegatedSubject", "PathReuse", "UnprotectedRef", "Decision" },
                r.Checks.Select(c => c.Name));
            Assert.Contains("StringLike gitlab.com:sub \"project_path:acme/*\" matched \"" + GitlabComSub + "\"", Check(r, "Statement 1").Detail);
        }

        public static TheoryData<string, long, string, CheckResult, string> TimeCases => new TheoryData<string, long, string, CheckResult, string>
        {
            // name, now (unix), check, expected result, expected FailureCode (null = success)
            { "just expired", 1764153601, "TokenExpiry", CheckResult.Fail, "TokenExpired" },
            { "expired an hour ago", 1764157200, "TokenExpiry", CheckResult.Fail, "TokenExpired" },
            { "one second left", 1764153599, "TokenExpiry", CheckResult.Pass, null },
            { "nbf 10 min ahead", 1764149995 - 600, "TokenNotBefore", CheckResult.Fail, "TokenNotYetValid" },
            { "nbf 2 min ahead, within skew", 1764149995 - 120, "TokenNotBefore", CheckResult.Warn, null },
            { "nbf passed", 1764150060, "TokenNotBefore", CheckResult.Pass, null },
            { "iat 10 min ahead", 1764150000 - 600, "TokenIssuedAt", CheckResult.Warn, "TokenNotYetValid" },
            { "iat 1 min ahead", 1764150000 - 60, "TokenIssuedAt", CheckResult.Pass, null },
        };

        [Theory]
        [MemberData(nameof(TimeCases))]
        public void Token_times_with_clock_skew(string name, long now, string check, CheckResult expected, string failureCode)
        {
            DiagnosisResult r = Run(DesignPolicy, now: DateTimeOffset.FromUnixTimeSeconds(now));

            Assert.True(expected == Check(r, check).Result, $"{name}: {Check(r, check)}");
            Assert.Equal(failureCode, r.FailureCode);
        }

        [Fact]
        public void Skew_within_tolerance_is_reported()
        {
            DiagnosisResult r = Run(DesignPolicy, now: DateTimeOffset.FromUnixTimeSeconds(1764149995 - 120));

            Assert.Contains("2m 0s in the future", Check(r, "TokenNotBefore").Detail);
            Assert.Contains("5m 0s clock skew", Check(r, "TokenNotBefore").Detail);
        }

        [Fact]
        public void Missing_nbf_and_iat_are_skipped_and_missing_exp_fails()
        {
            DiagnosisResult r = Run(DesignPolicy, claims: ClaimsWith(("nbf", null), ("iat", null), ("exp", null)));

            Assert.Equal(CheckResult.Skip, Check(r, "TokenNotBefore").Result);
            Assert.Equal(CheckResult.Skip, Check(r, "TokenIssuedAt").Result);
            Assert.Equal(CheckResult.Fail, Check(r, "TokenExpiry").Result);
            Assert.Equal("MalformedToken", r.FailureCode);
        }

        public static TheoryData<string, string, string> IssuerCases => new TheoryData<string, string, string>
        {
            // Federated principal in the policy, detail fragment, hint fragment
            { "arn:aws:iam::123456789012:oidc-provider/gitlab.com/", "trailing slash", "(no trailing slash)" },
            { "arn:aws:iam::123456789012:oidc-provider/https://gitlab.com", "contains the URL scheme", "has no URL scheme" },
            { "arn:aws:iam::210987654321:oidc-provider/gitlab.com", "account 210987654321 differs from the role's account 123456789012", "in the role's account 123456789012" },
            { "arn:aws-cn:iam::123456789012:oidc-provider/gitlab.com", "partition aws-cn differs", "partition aws" },
            { "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com", "trusts provider \"gitlab.example.com\", the token comes from \"gitlab.com\"", "create an IAM OIDC provider" },
            { "arn:aws:iam::123456789012:oidc-provider/GitLab.com", "letter case", "same case" },
            { "arn:aws:iam::123456789012:saml-provider/gitlab", "not an IAM OIDC provider ARN", GitlabComProvider },
        };

        [Theory]
        [MemberData(nameof(IssuerCases))]
        public void Issuer_vs_federated_principal(string federated, string detail, string hint)
        {
            DiagnosisResult r = Run(PolicyFor(federated, "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}"));

            DiagnosisCheck c = Check(r, "ProviderPrincipal");
            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Contains(detail, c.Detail);
            Assert.Contains("expected \"" + GitlabComProvider + "\"", c.Detail);
            Assert.Equal("IssuerMismatch", r.FailureCode);
            Assert.Contains(hint, r.Hint);
            Assert.Equal(CheckResult.Fail, Check(r, "Decision").Result);
        }

        [Fact]
        public void Policy_without_federated_principal_is_an_issuer_mismatch()
        {
            string policy = J("{'Statement':{'Effect':'Allow','Principal':{'AWS':'arn:aws:iam::123456789012:root'},'Action':'sts:AssumeRole'}}");

            DiagnosisResult r = Run(policy);

            Assert.Equal("IssuerMismatch", r.FailureCode);
            Assert.Contains("No Allow statement names a Federated principal", r.Message);
        }

        [Fact]
        public void Without_role_arn_the_policy_supplies_account_and_suggestion_uses_placeholder()
        {
            string policy = PolicyFor("arn:aws:iam::555555555555:oidc-provider/gitlab.com", "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}");

            DiagnosisResult r = Run(policy, role: null);

            AssertNoFail(r);
            Assert.Contains("account and partition not checked", Check(r, "ProviderPrincipal").Detail);
            Assert.Contains("arn:aws:iam::<ACCOUNT_ID>:oidc-provider/gitlab.com", r.SuggestedTrustPolicy);
        }

        public static TheoryData<string[], CheckResult, string> ClientIdCases => new TheoryData<string[], CheckResult, string>
        {
            { null, CheckResult.Skip, "unknown" },
            { new[] { "https://gitlab.com" }, CheckResult.Pass, "is among" },
            { new[] { "sts.amazonaws.com", "https://gitlab.com" }, CheckResult.Pass, "is among" },
            { new[] { "sts.amazonaws.com" }, CheckResult.Fail, "is not among the provider's client ids [\"sts.amazonaws.com\"]" },
            { new[] { "HTTPS://GITLAB.COM" }, CheckResult.Fail, "differs only in case" },
            { new string[0], CheckResult.Fail, "is not among" },
        };

        [Theory]
        [MemberData(nameof(ClientIdCases))]
        public void Aud_vs_client_ids(string[] clientIds, CheckResult expected, string detail)
        {
            DiagnosisResult r = Run(DesignPolicy, clientIds: clientIds);

            DiagnosisCheck c = Check(r, "ClientId");
            Assert.Equal(expected, c.Result);
            Assert.Contains(detail, c.Detail);
            Assert.Equal(expected == CheckResult.Fail ? "AudienceNotAllowed" : null, r.FailureCode);
        }

        [Fact]
        public void Aud_condition_mismatch_is_its_own_failure()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com','gitlab.com:sub':'" + GitlabComSub + "'}}"));

            Assert.Equal("AudienceConditionMismatch", r.FailureCode);
            Assert.Contains("StringEquals gitlab.com:aud \"sts.amazonaws.com\" did not match \"https://gitlab.com\"", r.Message);
            Assert.Contains("id_tokens aud", r.Hint);
        }

        [Fact]
        public void No_aud_condition_passes_and_says_so()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}"));

            AssertNoFail(r);
            Assert.Contains("checked only against the provider's client ids", Check(r, "AudienceCondition").Detail);
        }
    }
}
