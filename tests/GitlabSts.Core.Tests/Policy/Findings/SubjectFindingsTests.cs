using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy.Findings
{
    /// <summary>
    /// Issue 11's findings: each a check that is Warn (code = its name) when found and Pass otherwise; never a Fail, never a
    /// change of Success; the detail says whether the issuer is shared or self-managed; the hint shows the corrected condition.
    /// </summary>
    public class SubjectFindingsTests
    {
        private const string SelfManagedProvider = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";
        private const string Shared = "gitlab.com is a shared instance: any GitLab user can create a project there";
        private const string SelfManaged = "gitlab.example.com is self-managed";

        /// <summary>A gitlab.com policy: sub condition(s) plus the pins that keep PathReuse and UnprotectedRef quiet.</summary>
        private static string Com(string subCondition, bool pins = true) => PolicyFor(GitlabComProvider,
            "{" + subCondition + (pins ? ",'StringEquals':{'gitlab.com:project_id':'987654','gitlab.com:ref_protected':'true'}" : "") + "}");

        private static string SelfManagedPolicy(string subCondition) => PolicyFor(SelfManagedProvider, "{" + subCondition + "}");

        private static DiagnosisResult RunSelfManaged(string policy) =>
            Run(policy, claims: SelfManagedClaims, now: System.DateTimeOffset.FromUnixTimeSeconds(1681395200));

        private static DiagnosisCheck Warned(DiagnosisResult r, string name)
        {
            DiagnosisCheck c = Check(r, name);
            Assert.True(c.Result == CheckResult.Warn, c.ToString());
            Assert.Equal(name, c.Code);
            Assert.DoesNotContain(r.Checks, x => x.Result == CheckResult.Fail && SubjectFindingNames.Contains(x.Name));
            return c;
        }

        private static readonly string[] SubjectFindingNames =
        {
            "SubjectScope", "ImpossibleSubject", "ForAllValuesOnSingleValuedKey", "RefScope", "NegatedSubject", "PathReuse", "UnprotectedRef",
        };

        private static void Passed(DiagnosisResult r, string name) => Assert.True(Check(r, name).Result == CheckResult.Pass, Check(r, name).ToString());

        [Fact]
        public void A_fully_scoped_gitlab_com_policy_has_no_finding()
        {
            DiagnosisResult r = Run(Com("'StringLike':{'gitlab.com:sub':'" + GitlabComSub + "'}"));

            AssertNoFail(r);
            foreach (string name in SubjectFindingNames) Passed(r, name);
            Assert.DoesNotContain(r.Checks, c => c.Result == CheckResult.Warn);
        }

        // ---- SubjectScope ----

        [Fact]
        public void SubjectScope_no_sub_condition_says_any_project_can_assume_and_shows_the_sub()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'}}"));

            AssertNoFail(r);
            DiagnosisCheck c = Warned(r, "SubjectScope");
            Assert.Contains("Statement 1 has no condition on gitlab.com:sub", c.Detail);
            Assert.Contains("any project on gitlab.com can assume this role", c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains("\"StringEquals\": {\"gitlab.com:sub\": \"" + GitlabComSub + "\"}", c.Hint);
        }

        [Theory]
        [InlineData("project_path:*:ref_type:branch:ref:main")]
        [InlineData("proj*")]
        [InlineData("*:ref:main")]
        public void SubjectScope_a_pattern_admitting_every_group_warns(string pattern)
        {
            DiagnosisCheck c = Warned(Run(Com("'StringLike':{'gitlab.com:sub':'" + pattern + "'}")), "SubjectScope");
            Assert.Contains("a project of every group", c.Detail);
        }

        [Fact]
        public void SubjectScope_self_managed_says_self_managed()
        {
            DiagnosisCheck c = Warned(RunSelfManaged(SelfManagedPolicy("'StringEquals':{'gitlab.example.com:aud':'https://vault.example.com'}")), "SubjectScope");
            Assert.Contains(SelfManaged, c.Detail);
            Assert.Contains("project_path:my-group/my-project:ref_type:branch:ref:feature-branch-1", c.Hint);
        }

        [Theory]
        [InlineData("project_path:acme/infra:ref_type:branch:ref:main")]
        [InlineData("project_path:acme/*")]
        [InlineData("project_path:a*")]
        public void SubjectScope_a_named_project_or_group_passes(string pattern)
        {
            Passed(Run(Com("'StringLike':{'gitlab.com:sub':'" + pattern + "'}")), "SubjectScope");
        }

        // ---- ImpossibleSubject ----

        [Theory]
        [InlineData("StringLike", "project_path:acme/infra:ref_type:mr:ref:*", "ref_type \"mr\" is never emitted")]
        [InlineData("StringEquals", "project_path:acme/infra:ref_type:merge_request:ref:main", "ref_type \"merge_request\"")]
        [InlineData("StringLike", "repo:acme/infra:ref:refs/heads/main", "does not start with project_path:")]
        [InlineData("StringEquals", "acme/infra", "does not start with project_path:")]
        [InlineData("StringEquals", "project_path:acme/infra", "not in any of GitLab's four sub formats")]
        [InlineData("StringEquals", "project_path:infra:ref_type:branch:ref:main", "has no group")]
        [InlineData("StringLike", "project_path:acme/infra:ref_type:Branch:*", "ref_type \"Branch\"")]
        public void ImpossibleSubject_values_GitLab_never_emits_warn(string op, string value, string why)
        {
            DiagnosisResult r = Run(Com("'" + op + "':{'gitlab.com:sub':['" + value + "','" + GitlabComSub + "']}"));

            AssertNoFail(r); // the second value admits the token
            DiagnosisCheck c = Warned(r, "ImpossibleSubject");
            Assert.Contains("\"" + value + "\" can never match: ", c.Detail);
            Assert.Contains(why, c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains("\"StringEquals\": {\"gitlab.com:sub\": \"" + GitlabComSub + "\"}", c.Hint);
        }

        [Theory]
        [InlineData("project_path:acme/infra:ref:main:ref_type:branch", "project_path,ref,ref_type")]
        [InlineData("project_path:acme/infra:ref:main", "project_path,ref")]
        [InlineData("project_path:acme/infra:ref_type:branch", "project_path,ref_type")]
        public void ImpossibleSubject_a_non_default_format_is_possible_and_names_the_setting(string value, string format)
        {
            DiagnosisResult r = Run(Com("'StringEquals':{'gitlab.com:sub':['" + value + "','" + GitlabComSub + "']}"));

            DiagnosisCheck c = Check(r, "ImpossibleSubject");
            Assert.Equal(CheckResult.Pass, c.Result);
            Assert.Contains($"is in the {format} sub format", c.Detail);
            Assert.Contains($"ci_id_token_sub_claim_components setting is [{format}]", c.Detail);
        }

        [Theory]
        [InlineData("project_path:acme/infra:ref_type:tag:ref:v*")]
        [InlineData("*:ref_type:branch:ref:main")]
        [InlineData("project_path:*")]
        [InlineData("project_path:acme/ref_type:ref:main")]
        [InlineData("project_path:acme/*:ref_type:ref:*")]
        public void ImpossibleSubject_possible_values_pass(string value)
        {
            Passed(Run(Com("'StringLike':{'gitlab.com:sub':'" + value + "'}")), "ImpossibleSubject");
        }

        [Fact]
        public void ImpossibleSubject_in_a_Deny_says_it_never_applies_on_a_self_managed_issuer()
        {
            string policy = J("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Federated':'" + SelfManagedProvider
                + "'},'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'gitlab.example.com:sub':'project_path:my-group/my-project:*'}}},"
                + "{'Effect':'Deny','Principal':{'Federated':'" + SelfManagedProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':{'StringLike':{'gitlab.example.com:sub':'project_path:*:ref_type:mr:*'}}}]}");

            DiagnosisCheck c = Warned(RunSelfManaged(policy), "ImpossibleSubject");
            Assert.Contains("Statement 2 (Deny)", c.Detail);
            Assert.Contains(SelfManaged, c.Detail);
        }

        // ---- ForAllValuesOnSingleValuedKey ----

        [Theory]
        [InlineData("ForAllValues:StringLike", "gitlab.com:sub", "project_path:acme/infra:*")]
        [InlineData("ForAllValues:StringEquals", "gitlab.com:aud", "https://gitlab.com")]
        public void ForAllValues_on_sub_or_aud_warns_with_the_plain_operator(string op, string key, string value)
        {
            DiagnosisResult r = Run(Com("'StringLike':{'gitlab.com:sub':'" + GitlabComSub + "'},'" + op + "':{'" + key + "':'" + value + "'}"));

            DiagnosisCheck c = Warned(r, "ForAllValuesOnSingleValuedKey");
            Assert.Contains($"Statement 1: {op} on {key}", c.Detail);
            Assert.Contains("true when the key is absent", c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains($"\"{op.Substring("ForAllValues:".Length)}\": {{\"{key}\": \"{value}\"}}", c.Hint);
        }

        [Theory]
        [InlineData("ForAnyValue:StringLike", "gitlab.com:sub")]
        [InlineData("ForAllValues:StringLike", "aws:TagKeys")]
        public void ForAllValues_elsewhere_or_ForAnyValue_passes(string op, string key)
        {
            Passed(Run(Com("'StringLike':{'gitlab.com:sub':'" + GitlabComSub + "'},'" + op + "':{'" + key + "':'project_path:acme/*'}")),
                "ForAllValuesOnSingleValuedKey");
        }

        // ---- RefScope ----

        [Theory]
        [InlineData("project_path:acme/*", "every project and subgroup of acme", "every ref type and every ref")]
        [InlineData("project_path:acme/infra:*", "every ref type and every ref", null)]
        [InlineData("project_path:acme/infra:ref_type:*:ref:main", "every ref type (a tag named like an admitted branch gets in)", null)]
        [InlineData("project_path:acme/infra:ref_type:branch:ref:*", "every branch", null)]
        [InlineData("project_path:acme/*:ref_type:branch:ref:main", "every project and subgroup of acme", null)]
        [InlineData("project_path:acme/infra*", "every project path matching acme/infra*", "every ref type and every ref")]
        public void RefScope_names_what_a_wildcard_admits_and_narrows_to_the_token(string pattern, string what, string also)
        {
            DiagnosisResult r = Run(Com("'StringLike':{'gitlab.com:sub':['project_path:acme/infra:ref_type:tag:ref:v1','" + pattern + "']}"));

            AssertNoFail(r);
            DiagnosisCheck c = Warned(r, "RefScope");
            Assert.Contains($"Statement 1: \"{pattern}\" admits ", c.Detail);
            Assert.Contains(what, c.Detail);
            if (also != null) Assert.Contains(also, c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains("\"StringEquals\": {\"gitlab.com:sub\": \"" + GitlabComSub + "\"}", c.Hint);
        }

        [Fact]
        public void RefScope_narrows_with_the_pattern_literal_parts_when_the_token_is_not_admitted()
        {
            DiagnosisCheck c = Warned(Run(Com("'StringLike':{'gitlab.com:sub':'project_path:other/app:ref_type:*:ref:release'}")), "RefScope");
            Assert.Contains("\"project_path:other/app:ref_type:branch:ref:release\"", c.Hint);
        }

        [Theory]
        [InlineData("project_path:acme/infra:ref_type:branch:ref:release/*")]
        [InlineData("project_path:acme/infra:ref_type:branch:ref:main")]
        [InlineData("project_path:acme/infra:ref_type:?ranch:ref:main")]
        public void RefScope_a_bounded_pattern_passes(string pattern)
        {
            Passed(Run(Com("'StringLike':{'gitlab.com:sub':'" + pattern + "'}")), "RefScope");
        }

        [Fact]
        public void RefScope_a_star_under_StringEquals_is_literal_and_passes()
        {
            Passed(Run(Com("'StringEquals':{'gitlab.com:sub':'project_path:acme/*'}")), "RefScope");
        }

        // ---- NegatedSubject ----

        [Theory]
        [InlineData("StringNotLike", "project_path:evil/*")]
        [InlineData("StringNotEquals", "project_path:acme/other:ref_type:branch:ref:main")]
        [InlineData("StringNotEqualsIgnoreCaseIfExists", "project_path:acme/other:ref_type:branch:ref:main")]
        public void NegatedSubject_warns_and_names_what_to_admit_instead(string op, string value)
        {
            DiagnosisResult r = Run(Com("'" + op + "':{'gitlab.com:sub':'" + value + "'}"));

            AssertNoFail(r);
            DiagnosisCheck c = Warned(r, "NegatedSubject");
            Assert.Contains($"Statement 1 limits gitlab.com:sub only through {op} \"{value}\"", c.Detail);
            Assert.Contains("admits every subject but the ones named", c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains("\"StringEquals\": {\"gitlab.com:sub\": \"" + GitlabComSub + "\"}", c.Hint);
        }

        [Fact]
        public void NegatedSubject_next_to_a_positive_sub_condition_passes()
        {
            Passed(Run(Com("'StringLike':{'gitlab.com:sub':'project_path:acme/*'},'StringNotLike':{'gitlab.com:sub':'project_path:acme/sandbox:*'}")),
                "NegatedSubject");
        }

        // ---- PathReuse ----

        [Fact]
        public void PathReuse_gitlab_com_path_alone_warns_with_the_project_id_pin()
        {
            DiagnosisResult r = Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/infra:ref_type:branch:ref:main'},"
                + "'StringEquals':{'gitlab.com:ref_protected':'true'}}"));

            AssertNoFail(r);
            DiagnosisCheck c = Warned(r, "PathReuse");
            Assert.Contains("Statement 1 admits gitlab.com:sub by project path alone", c.Detail);
            Assert.Contains("someone else can register the path", c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Contains("\"StringEquals\": {\"gitlab.com:project_id\": \"987654\"}", c.Hint);
            Assert.Contains("acme/infra's id, from the token's project_id claim", c.Hint);
        }

        [Fact]
        public void PathReuse_a_group_pattern_pins_the_namespace_id()
        {
            DiagnosisCheck c = Warned(Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}")), "PathReuse");
            Assert.Contains("\"StringEquals\": {\"gitlab.com:namespace_id\": \"4242\"}", c.Hint);
            Assert.Contains("acme's id, from the token's namespace_id claim", c.Hint);
        }

        [Fact]
        public void PathReuse_another_project_gets_a_placeholder_id()
        {
            DiagnosisCheck c = Warned(Run(PolicyFor(GitlabComProvider, "{'StringEquals':{'gitlab.com:sub':'project_path:other/app:ref_type:tag:ref:v1'}}")), "PathReuse");
            Assert.Contains("\"StringEquals\": {\"gitlab.com:project_id\": \"<project_id>\"}", c.Hint);
        }

        [Theory]
        [InlineData("gitlab.com:project_id", "987654")]
        [InlineData("gitlab.com:namespace_id", "4242")]
        public void PathReuse_a_pin_passes(string key, string value)
        {
            Passed(Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'},'StringEquals':{'" + key + "':'" + value + "'}}")),
                "PathReuse");
        }

        [Fact]
        public void PathReuse_self_managed_passes_and_says_self_managed()
        {
            DiagnosisCheck c = Check(RunSelfManaged(SelfManagedPolicy("'StringLike':{'gitlab.example.com:sub':'project_path:my-group/my-project:*'}")), "PathReuse");
            Assert.Equal(CheckResult.Pass, c.Result);
            Assert.Contains(SelfManaged, c.Detail);
        }

        // ---- UnprotectedRef ----

        [Fact]
        public void UnprotectedRef_gitlab_com_branches_without_ref_protected_warn_with_the_condition()
        {
            DiagnosisResult r = Run(Com("'StringLike':{'gitlab.com:sub':'" + GitlabComSub + "'},'StringEquals':{'gitlab.com:project_id':'987654'}", pins: false));

            DiagnosisCheck c = Warned(r, "UnprotectedRef");
            Assert.Contains("admits branches with no gitlab.com:ref_protected condition", c.Detail);
            Assert.Contains(Shared, c.Detail);
            Assert.Equal("Add \"StringEquals\": {\"gitlab.com:ref_protected\": \"true\"} to the statement.", c.Hint);
        }

        [Fact]
        public void UnprotectedRef_tags_only_pass()
        {
            Passed(Run(PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':'project_path:acme/infra:ref_type:tag:ref:v*'}}")), "UnprotectedRef");
        }

        [Fact]
        public void UnprotectedRef_self_managed_every_branch_warns_naming_the_branches()
        {
            DiagnosisCheck c = Warned(RunSelfManaged(SelfManagedPolicy("'StringLike':{'gitlab.example.com:sub':'project_path:my-group/my-project:ref_type:branch:ref:*'}")),
                "UnprotectedRef");
            Assert.Contains("AWS exposes no ref_protected key for gitlab.example.com", c.Detail);
            Assert.Contains(SelfManaged, c.Detail);
            Assert.Contains("\"project_path:my-group/my-project:ref_type:branch:ref:feature-branch-1\"", c.Hint);
        }

        [Fact]
        public void UnprotectedRef_self_managed_named_branch_passes()
        {
            Passed(RunSelfManaged(SelfManagedPolicy("'StringEquals':{'gitlab.example.com:sub':'project_path:my-group/my-project:ref_type:branch:ref:main'}")),
                "UnprotectedRef");
        }

        // ---- Findings never decide ----

        [Fact]
        public void Every_finding_at_once_leaves_Success_true()
        {
            string policy = PolicyFor(GitlabComProvider, "{'StringLike':{'gitlab.com:sub':['project_path:acme/*','project_path:acme/x:ref_type:mr:ref:*']},"
                + "'ForAllValues:StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringNotLike':{'gitlab.com:sub':'project_path:evil/*'}}");
            string open = J("{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
                + "'Condition':{'StringNotLike':{'gitlab.com:sub':'project_path:evil/*'}}}");
            policy = policy.Replace("}]}", "}," + open + "]}");

            DiagnosisResult r = Run(policy);

            AssertNoFail(r);
            foreach (string name in SubjectFindingNames) Warned(r, name);
        }

        [Fact]
        public void Without_a_policy_every_finding_is_skipped()
        {
            DiagnosisResult r = Run(null);
            foreach (string name in SubjectFindingNames) Assert.Equal(CheckResult.Skip, Check(r, name).Result);
            Assert.Empty(r.AdmittedSubjects);
        }
    }
}
