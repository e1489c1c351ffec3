using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.RoleTest
{
    /// <summary>The admin's what-if (Test-GitlabOidcRole -ProjectPath): built claims through the token's diagnosis, token-only checks skipped.</summary>
    public class WhatIfRunTests
    {
        private const string Role = "arn:aws:iam::123456789012:role/gitlab-deployer";
        private static readonly DateTimeOffset Now = TestTokens.Now;

        /// <summary>acme/infra on branch main only, audience sts.amazonaws.com.</summary>
        private static readonly string InfraMain = AllowWithCondition(
            "{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com'},'StringLike':{'gitlab.com:sub':'project_path:acme/infra:ref_type:branch:ref:main'}}");

        private static RoleTestResult Run(string path = "acme/infra", string gitRef = "main", string? refType = null, string? policy = null,
            IDictionary? claim = null, string[]? components = null, RoleTestOptions? options = null, IEnvironmentReader? env = null,
            ExchangeSettings? settings = null, CapturingLog? log = null, string? audience = null)
        {
            options ??= new RoleTestOptions { TrustPolicyJson = policy ?? InfraMain };
            settings ??= new ExchangeSettings { RoleArn = Role, Audience = audience, Token = new TokenSource(TokenSourceKind.Text, "not read in a what-if") };
            return WhatIfRun.Run(settings, options,
                new ProjectClaimsRequest { ProjectPath = path, Ref = gitRef, RefType = refType, Claim = claim, SubClaimComponents = components },
                env ?? Env.Of(), log ?? new CapturingLog(), Now, CancellationToken.None);
        }

        private static DiagnosisCheck Check(RoleTestResult r, string name) =>
            r.Checks.SingleOrDefault(c => c.Name == name) ?? throw new Xunit.Sdk.XunitException(
                $"no check {name}; have: {string.Join(", ", r.Checks.Select(c => c.Name + "=" + c.Result))}");

        private static string Failures(RoleTestResult r) =>
            string.Join("\n", r.Checks.Where(c => c.Result == CheckResult.Fail).Select(c => c.ToString()));

        [Fact]
        public void A_project_and_branch_the_policy_admits_succeeds_with_the_built_subject_issuer_and_audience()
        {
            RoleTestResult r = Run();

            Assert.True(r.Success, Failures(r));
            Assert.Null(r.ErrorCode);
            Assert.Null(WhatIfRun.FirstFailingCondition(r));
            Assert.Equal(Role, r.RoleArn);
            Assert.Equal("https://gitlab.com", r.Issuer);
            Assert.Equal("project_path:acme/infra:ref_type:branch:ref:main", r.Subject);
            Assert.Equal(new[] { "sts.amazonaws.com" }, r.Audience);
            Assert.Null(r.TokenExpiresAt);
            Assert.Null(r.AssumedRoleArn);
            Assert.Null(r.Account);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.Decision).Result);
            Assert.Contains("project_path:acme/infra:ref_type:branch:ref:main", r.SuggestedTrustPolicy);
        }

        [Fact]
        public void The_token_only_checks_and_the_exchange_are_Skip()
        {
            RoleTestResult r = Run();
            foreach (string name in new[] { "TokenShape", "TokenExpiry", "TokenNotBefore", "TokenIssuedAt", "Signature", "Exchange" })
            {
                Assert.Equal(CheckResult.Skip, Check(r, name).Result);
                Assert.Contains("what-if", Check(r, name).Detail);
            }

            Assert.DoesNotContain(r.Checks, c => c.Name == RoleTester.CallerIdentityCheck);
            Assert.Equal("TokenShape", r.Checks[0].Name);
            Assert.Equal("Exchange", r.Checks[r.Checks.Count - 1].Name);
        }

        [Theory]
        [InlineData("acme/web", "main", null, "other project")]
        [InlineData("acme/infra", "main", "tag", "a tag named main")]
        [InlineData("acme/infra", "develop", null, "another branch")]
        [InlineData("acme/infra/sub", "main", null, "a subproject")]
        public void A_project_or_ref_the_policy_does_not_admit_is_refused_naming_the_sub_condition(string path, string gitRef, string? refType, string why)
        {
            RoleTestResult r = Run(path, gitRef, refType);

            Assert.False(r.Success, why);
            Assert.Equal(CheckCodes.TrustPolicyDenied, r.ErrorCode);
            Assert.Equal(CheckResult.Fail, Check(r, "Statement 1").Result);
            string first = WhatIfRun.FirstFailingCondition(r)!;
            Assert.StartsWith("Statement 1: StringLike gitlab.com:sub \"project_path:acme/infra:ref_type:branch:ref:main\" did not match", first);
            Assert.Contains(ProjectClaims.Subject(path, refType ?? "branch", gitRef), first);
            Assert.DoesNotContain("does not apply", first);
        }

        [Fact]
        public void A_customised_sub_through_Claim_is_what_the_policy_sees()
        {
            string policy = AllowWithCondition("{'StringEquals':{'gitlab.com:sub':'project_path:acme/infra:ref:main'}}");
            Assert.False(Run(policy: policy).Success);
            RoleTestResult r = Run(policy: policy, claim: new Hashtable { ["sub"] = "project_path:acme/infra:ref:main" });
            Assert.True(r.Success, Failures(r));
            Assert.Equal("project_path:acme/infra:ref:main", r.Subject);
        }

        [Theory]
        [InlineData("project_path,ref", "project_path:acme/infra:ref:main", true)]
        [InlineData("project_path,ref,ref_type", "project_path:acme/infra:ref:main", false)]
        [InlineData("project_path,ref,ref_type", "project_path:acme/infra:ref:main:ref_type:branch", true)]
        [InlineData("project_path,ref_type", "project_path:acme/infra:ref_type:branch", true)]
        public void SubClaimComponents_shapes_the_subject_the_policy_sees(string components, string policySub, bool admitted)
        {
            string policy = AllowWithCondition("{'StringEquals':{'gitlab.com:sub':'" + policySub + "'}}");
            RoleTestResult r = Run(policy: policy, components: components.Split(','));
            Assert.Equal(admitted, r.Success);
        }

        [Fact]
        public void Other_claims_from_Claim_meet_their_conditions()
        {
            string policy = AllowWithCondition("{'StringEquals':{'gitlab.com:ref_protected':'true','gitlab.com:namespace_id':'42'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}");
            Assert.False(Run(policy: policy).Success);
            Assert.True(Run(policy: policy, claim: new Hashtable { ["ref_protected"] = "true", ["namespace_id"] = "42" }).Success);
        }

        [Fact]
        public void The_issuer_comes_from_CI_SERVER_URL_and_must_match_the_policys_provider()
        {
            string selfManaged = J("{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Federated':'arn:aws:iam::123456789012:oidc-provider/gitlab.example.com'},"
                + "'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringLike':{'gitlab.example.com:sub':'project_path:acme/*'}}}]}");
            RoleTestResult r = Run(policy: selfManaged, env: Env.Of(("CI_SERVER_URL", "https://gitlab.example.com")));
            Assert.True(r.Success, Failures(r));
            Assert.Equal("https://gitlab.example.com", r.Issuer);
            Assert.False(Run(policy: selfManaged).Success);   // default issuer gitlab.com: another provider
        }

        [Fact]
        public void Audience_is_the_aud_built_and_ClientId_is_checked_against_it()
        {
            RoleTestResult r = Run(audience: "https://gitlab.com");
            Assert.Equal(new[] { "https://gitlab.com" }, r.Audience);
            Assert.False(r.Success);   // the policy wants aud sts.amazonaws.com

            RoleTestResult pass = Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, ClientIds = new[] { "sts.amazonaws.com" } });
            Assert.Equal(CheckResult.Pass, Check(pass, "ClientId").Result);
            RoleTestResult fail = Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, ClientIds = new[] { "https://gitlab.com" } });
            Assert.Equal(CheckResult.Fail, Check(fail, "ClientId").Result);
            Assert.False(fail.Success);
        }

        [Fact]
        public void Without_a_trust_policy_it_is_InvalidPolicy_naming_TrustPolicy_and_FromIam()
        {
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => Run(options: new RoleTestOptions()));
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains("-TrustPolicy", e.Message);
            Assert.Contains("-FromIam", e.Message);
        }

        [Fact]
        public void VerifySignature_is_a_ParameterConflict_there_is_no_token()
        {
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, VerifySignature = true }));
            Assert.Equal(ErrorIds.ParameterConflict, e.ErrorId);
            Assert.Contains("-VerifySignature", e.Message);
            Assert.Contains("-ProjectPath", e.Message);
        }

        [Fact]
        public void The_shared_parameters_are_checked_as_for_a_token()
        {
            Assert.Equal(ErrorIds.InvalidRoleArn, Assert.Throws<GitlabStsException>(() =>
                Run(settings: new ExchangeSettings { RoleArn = "arn:aws:iam::1:role/x" })).ErrorId);
            Assert.Equal(ErrorIds.InvalidRoleArn, Assert.Throws<GitlabStsException>(() => Run(settings: new ExchangeSettings())).ErrorId);
            Assert.Equal(ErrorIds.InvalidSessionName, Assert.Throws<GitlabStsException>(() =>
                Run(settings: new ExchangeSettings { RoleArn = Role, RoleSessionName = "a b" })).ErrorId);
            Assert.Equal(ErrorIds.InvalidDuration, Assert.Throws<GitlabStsException>(() =>
                Run(settings: new ExchangeSettings { RoleArn = Role, DurationSeconds = 60 })).ErrorId);
            Assert.Equal(ErrorIds.InvalidEndpoint, Assert.Throws<GitlabStsException>(() =>
                Run(settings: new ExchangeSettings { RoleArn = Role, EndpointUrl = "not a url" })).ErrorId);
            // The role ARN may come from the environment, as for a token.
            Assert.True(Run(settings: new ExchangeSettings(), env: Env.Of(("ROLE_ARN", Role))).Success);
        }

        [Fact]
        public void A_region_and_session_name_reach_the_policys_sts_keys()
        {
            string policy = AllowWithCondition("{'StringEquals':{'aws:RequestedRegion':'eu-central-1','sts:RoleSessionName':'audit'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}");
            Assert.True(Run(policy: policy, settings: new ExchangeSettings { RoleArn = Role, Region = "eu-central-1", RoleSessionName = "audit" }).Success);
            Assert.False(Run(policy: policy, settings: new ExchangeSettings { RoleArn = Role, Region = "us-west-2", RoleSessionName = "audit" }).Success);
        }

        [Fact]
        public void A_bad_ConditionContext_or_a_token_in_ClientId_is_refused()
        {
            var bad = new List<KeyValuePair<string, IReadOnlyList<string>?>> { new KeyValuePair<string, IReadOnlyList<string>?>("gitlab.com:sub", new[] { "x" }) };
            Assert.Equal(ErrorIds.InvalidPolicy, Assert.Throws<GitlabStsException>(() =>
                Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, ConditionContext = bad })).ErrorId);
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, ClientIds = new[] { TestTokens.Mint() } }));
            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
        }

        [Fact]
        public void A_malformed_input_is_InvalidClaim_before_anything_else()
        {
            Assert.Equal(ErrorIds.InvalidClaim, Assert.Throws<GitlabStsException>(() => Run(path: "infra")).ErrorId);
            Assert.Equal(ErrorIds.InvalidClaim, Assert.Throws<GitlabStsException>(() => Run(gitRef: "a b")).ErrorId);
            Assert.Equal(ErrorIds.InvalidClaim, Assert.Throws<GitlabStsException>(() => Run(refType: "mr")).ErrorId);
            Assert.Equal(ErrorIds.InvalidClaim, Assert.Throws<GitlabStsException>(() =>
                Run(path: "infra", settings: new ExchangeSettings { RoleArn = "bad" })).ErrorId);
        }

        [Fact]
        public void A_broken_trust_policy_is_reported_not_thrown()
        {
            RoleTestResult r = Run(policy: "{\"Statement\": 42}");
            Assert.False(r.Success);
            Assert.Equal(CheckCodes.InvalidTrustPolicy, r.ErrorCode);
        }

        [Fact]
        public void The_verbose_log_names_the_built_claims()
        {
            var log = new CapturingLog();
            Run(claim: new Hashtable { ["ref_protected"] = "true" }, log: log);
            string line = Assert.Single(log.Verbose, v => v.StartsWith("What-if:", StringComparison.Ordinal));
            Assert.Contains("acme/infra on branch main", line);
            Assert.Contains("sub=\"project_path:acme/infra:ref_type:branch:ref:main\"", line);
            Assert.Contains("ref_protected=\"true\"", line);
        }

        [Fact]
        public void An_open_policy_is_admitted_with_the_SubjectScope_finding()
        {
            string open = AllowWithCondition("{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com'}}");
            RoleTestResult r = Run(path: "anyone/anything", policy: open);
            Assert.True(r.Success, Failures(r));
            Assert.Equal(CheckResult.Warn, Check(r, PolicyChecks.SubjectScope).Result);
        }

        [Fact]
        public void FirstFailingCondition_falls_back_to_the_message_and_skips_the_Decision()
        {
            RoleTestResult deny = Run(policy: J("{'Version':'2012-10-17','Statement':[]}"));
            Assert.False(deny.Success);
            Assert.Equal(deny.Message, WhatIfRun.FirstFailingCondition(deny));

            RoleTestResult client = Run(options: new RoleTestOptions { TrustPolicyJson = InfraMain, ClientIds = new[] { "other" } });
            Assert.StartsWith("ClientId:", WhatIfRun.FirstFailingCondition(client));
        }
    }
}
