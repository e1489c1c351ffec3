using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy.Verdict
{
    /// <summary>
    /// Issue 11: hand-written multi-statement trust policies whose verdicts follow the AWS documentation, "Policy evaluation
    /// logic" (IAM User Guide, reference_policies_evaluation-logic): by default every request is implicitly denied; an explicit
    /// Allow overrides that default; an explicit Deny in any policy overrides any Allow. A statement applies when its
    /// Principal, Action and every condition match ("IAM JSON policy elements: Condition": all conditions of a statement must
    /// be true, conditions are ANDed, a key's values ORed).
    /// </summary>
    public class VerdictCaseTests
    {
        private const string Fed = GitlabComProvider;
        private const string Act = "'Action':'sts:AssumeRoleWithWebIdentity'";

        private static string Allow(string condition = null, string action = Act, string principal = "{'Federated':'" + Fed + "'}") =>
            "{'Effect':'Allow','Principal':" + principal + "," + action + (condition == null ? "" : ",'Condition':" + condition) + "}";

        private static string Deny(string condition = null, string action = Act) =>
            "{'Effect':'Deny','Principal':{'Federated':'" + Fed + "'}," + action + (condition == null ? "" : ",'Condition':" + condition) + "}";

        private static DiagnosisResult Policy(params string[] statements) =>
            Run(J("{'Version':'2012-10-17','Statement':[" + string.Join(",", statements) + "]}"));

        private static string Fails(DiagnosisResult r) => string.Join("\n", r.Checks.Where(c => c.Result == CheckResult.Fail).Select(c => c.ToString()));

        [Fact]
        public void An_Allow_with_an_unmet_aud_condition_next_to_an_Allow_that_applies_is_allowed()
        {
            // "An explicit allow overrides the default deny": Statement 2 applies, so the request is allowed. The issue-11 bug:
            // AudienceCondition failed the role (AudienceConditionMismatch) on Statement 1's unmet :aud.
            DiagnosisResult r = Policy(
                Allow("{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com','gitlab.com:sub':'" + GitlabComSub + "'}}"),
                Allow("{'StringEquals':{'gitlab.com:sub':'" + GitlabComSub + "'}}"));

            Assert.True(r.Success, Fails(r));
            DiagnosisCheck aud = Check(r, "AudienceCondition");
            Assert.NotEqual(CheckResult.Fail, aud.Result);
            Assert.Contains("did not match", aud.Detail);
            Assert.Contains("not needed: Statement 2 applies", aud.Detail);
            Assert.Contains("not needed: Statement 2 applies", Check(r, "Statement 1").Detail);
        }

        [Fact]
        public void An_Allow_whose_only_condition_is_a_negated_operator_on_aud_next_to_one_that_applies_is_allowed()
        {
            // Negated operators: StringNotEquals is false when the value matches one of the policy's values; Statement 1
            // does not apply, Statement 2 does: "an explicit allow overrides the default deny".
            DiagnosisResult r = Policy(
                Allow("{'StringNotEquals':{'gitlab.com:aud':'https://gitlab.com'}}"),
                Allow("{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}"));

            Assert.True(r.Success, Fails(r));
            Assert.Equal(CheckResult.Skip, Check(r, "Statement 1").Result);
        }

        [Fact]
        public void An_Allow_whose_only_condition_is_Null_true_on_a_present_key_next_to_one_that_applies_is_allowed()
        {
            // "Null": {"key": "true"} is true only when the key is absent; aud is present, so Statement 1 does not apply.
            DiagnosisResult r = Policy(
                Allow("{'Null':{'gitlab.com:aud':'true'}}"),
                Allow("{'StringEquals':{'gitlab.com:sub':'" + GitlabComSub + "'}}"));

            Assert.True(r.Success, Fails(r));
            Assert.Contains("not needed: Statement 2 applies", Check(r, "AudienceCondition").Detail);
        }

        [Fact]
        public void A_negated_operator_on_an_absent_key_makes_its_Allow_apply()
        {
            // "If the key that you specify in a policy condition is not present in the request context, the values do not
            // match" -- and a negated operator is then true (StringNotEquals on a missing key evaluates to true).
            DiagnosisResult r = Policy(
                Allow("{'StringNotEquals':{'gitlab.com:environment':'production'}}"),
                Allow("{'StringEquals':{'gitlab.com:sub':'project_path:other/x:ref_type:branch:ref:main'}}"));

            Assert.True(r.Success, Fails(r));
            Assert.Equal(CheckResult.Pass, Check(r, "Statement 1").Result);
            Assert.Contains("not needed: Statement 1 applies", Check(r, "Statement 2").Detail);
        }

        [Fact]
        public void Null_true_on_an_absent_key_makes_its_Allow_apply_next_to_one_with_an_unmet_aud()
        {
            // "Null": {"key": "true"} is true when the key is absent from the request context (gitlab.com:environment is
            // not a key AWS sets); an explicit allow overrides the default deny, whatever Statement 1's :aud says.
            DiagnosisResult r = Policy(
                Allow("{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com'}}"),
                Allow("{'Null':{'gitlab.com:environment':'true'}}"));

            Assert.True(r.Success, Fails(r));
            Assert.Equal(CheckResult.Skip, Check(r, "AudienceCondition").Result);
            Assert.Contains("not needed: Statement 2 applies", Check(r, "AudienceCondition").Detail);
        }

        [Fact]
        public void Null_false_on_an_absent_key_does_not_apply_and_nothing_else_allows_is_an_implicit_deny()
        {
            // "By default, all requests are implicitly denied": Null false on an absent key is false, no other Allow.
            DiagnosisResult r = Policy(
                Allow("{'Null':{'gitlab.com:environment':'false'}}"),
                Allow("{'StringEquals':{'gitlab.com:sub':'project_path:other/x:ref_type:branch:ref:main'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, r.FailureCode);
            Assert.Equal(CheckResult.Fail, Check(r, "Decision").Result);
        }

        [Fact]
        public void An_explicit_Deny_that_applies_wins_over_an_Allow_that_applies()
        {
            // "An explicit deny in any policy overrides any allows."
            DiagnosisResult r = Policy(Allow(), Deny("{'StringEquals':{'gitlab.com:ref_protected':'true'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.ExplicitDeny, r.FailureCode);
        }

        [Fact]
        public void A_Deny_whose_condition_is_not_met_does_not_apply()
        {
            // A statement applies only when all its conditions are true: this Deny's condition is false, so only the Allow counts.
            DiagnosisResult r = Policy(Deny("{'StringEquals':{'gitlab.com:ref_protected':'false'}}"), Allow());

            Assert.True(r.Success, Fails(r));
            Assert.Equal(CheckResult.Pass, Check(r, "Statement 1").Result);
        }

        [Fact]
        public void A_Deny_alone_is_an_implicit_deny_even_when_it_does_not_apply()
        {
            // "By default, all requests are implicitly denied": a trust policy with no Allow never allows.
            DiagnosisResult r = Policy(Deny("{'StringEquals':{'gitlab.com:ref_protected':'false'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, Check(r, "Decision").Code);
            Assert.Contains("Implicit deny", Check(r, "Decision").Detail);
            Assert.Equal(CheckCodes.IssuerMismatch, r.FailureCode); // ProviderPrincipal: no Allow names the provider
        }

        [Fact]
        public void An_Allow_for_another_action_next_to_an_Allow_that_applies_is_allowed()
        {
            // The Action element must match the request's action (sts:AssumeRoleWithWebIdentity); Statement 1 is for
            // sts:AssumeRole only and does not apply; Statement 2's wildcard sts:AssumeRoleWith* matches.
            DiagnosisResult r = Policy(Allow(action: "'Action':'sts:AssumeRole'"), Allow(action: "'Action':'sts:AssumeRoleWith*'"));

            Assert.True(r.Success, Fails(r));
            Assert.Contains("not needed: Statement 2 applies", Check(r, "Statement 1").Detail);
        }

        [Fact]
        public void A_NotAction_Deny_that_excludes_the_action_does_not_apply()
        {
            // NotAction matches every action except those listed: a Deny with NotAction sts:AssumeRoleWithWebIdentity does
            // not apply to this request, so the Allow decides.
            DiagnosisResult r = Policy(Allow(), Deny(action: "'NotAction':'sts:AssumeRoleWithWebIdentity'"));

            Assert.True(r.Success, Fails(r));
        }

        [Fact]
        public void An_Allow_for_another_provider_next_to_one_for_this_provider_is_allowed()
        {
            // The Principal element must name the requester: Statement 1 trusts another OIDC provider and does not apply.
            DiagnosisResult r = Policy(
                Allow(principal: "{'Federated':'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com'}"),
                Allow("{'StringLike':{'gitlab.com:sub':'project_path:acme/infra:*'}}"));

            Assert.True(r.Success, Fails(r));
        }

        [Fact]
        public void An_Allow_that_applies_with_a_Deny_hinging_on_a_key_only_AWS_knows_is_indeterminate()
        {
            // An explicit Deny overrides any Allow, so whether this Deny applies (aws:SourceIp, known only to AWS) decides.
            // A non-applying Allow before it does not turn the verdict into TrustPolicyDenied.
            DiagnosisResult r = Policy(
                Allow("{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com'}}"),
                Allow(),
                Deny("{'IpAddress':{'aws:SourceIp':'203.0.113.0/24'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.Indeterminate, r.FailureCode);
            Assert.NotEqual(CheckResult.Fail, Check(r, "Statement 1").Result);
            Assert.NotEqual(CheckResult.Fail, Check(r, "AudienceCondition").Result);
        }

        [Fact]
        public void An_Allow_that_may_apply_next_to_one_that_does_not_is_indeterminate_not_denied()
        {
            // Statement 2 applies only if sts:ExternalId (known only to AWS) matches: the verdict hinges on it.
            DiagnosisResult r = Policy(
                Allow("{'StringLike':{'gitlab.com:sub':'project_path:other/*'}}"),
                Allow("{'StringEquals':{'sts:ExternalId':'x'}}"));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.Indeterminate, r.FailureCode);
            Assert.Contains("not needed if Statement 2 applies", Check(r, "Statement 1").Detail);
        }

        [Fact]
        public void ForAllValues_on_an_absent_key_applies_next_to_an_Allow_that_does_not()
        {
            // "ForAllValues ... returns true if the key is missing from the request context" (multivalued context keys).
            DiagnosisResult r = Policy(
                Allow("{'StringEquals':{'gitlab.com:sub':'project_path:other/x:ref_type:branch:ref:main'}}"),
                Allow("{'ForAllValues:StringEquals':{'gitlab.com:environment':'production'}}"));

            Assert.True(r.Success, Fails(r));
        }
    }
}
