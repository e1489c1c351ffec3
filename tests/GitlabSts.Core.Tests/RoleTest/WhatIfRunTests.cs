using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Iam;
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

        // ---------------- -FromIam ----------------

        /// <summary>A fake IAM: every read recorded; the role's policy and the provider's client ids as given, or a failure.</summary>
        private sealed class FakeIam
        {
            public List<(string Role, string Issuer)> Reads { get; } = new List<(string, string)>();

            public string Policy { get; set; } = InfraMain;

            public IamReadStatus RoleStatus { get; set; } = IamReadStatus.Read;

            public IamReadResult Read(string role, string issuer, CancellationToken _)
            {
                Reads.Add((role, issuer));
                string account = role.Split(':')[4];
                return new IamReadResult(role, issuer,
                    RoleStatus == IamReadStatus.Read
                        ? new IamRoleRead(IamReadStatus.Read, Policy, null, null)
                        : new IamRoleRead(RoleStatus, null, RoleStatus == IamReadStatus.AccessDenied ? "AccessDenied" : "NoSuchEntity", "refused by the fake"),
                    new IamProviderRead($"arn:aws:iam::{account}:oidc-provider/gitlab.com", IamReadStatus.Read, new[] { "sts.amazonaws.com" }, "gitlab.com", null, null));
            }

            public RoleTestOptions Options() => new RoleTestOptions { FromIam = true, ReadIam = Read };
        }

        private static RoleTestResult FromIam(FakeIam iam, WhatIfSession? session, string path = "acme/infra", string gitRef = "main", string role = Role) =>
            WhatIfRun.Run(new ExchangeSettings { RoleArn = role }, iam.Options(), new ProjectClaimsRequest { ProjectPath = path, Ref = gitRef },
                Env.Of(), new CapturingLog(), Now, CancellationToken.None, session);

        [Fact]
        public void FromIam_evaluates_the_policy_and_client_ids_IAM_returned()
        {
            var iam = new FakeIam();
            RoleTestResult admitted = FromIam(iam, null);
            Assert.True(admitted.Success, Failures(admitted));
            Assert.Equal(CheckResult.Pass, Check(admitted, IamChecks.IamRole).Result);
            Assert.Equal(CheckResult.Pass, Check(admitted, IamChecks.IamProvider).Result);
            Assert.Equal(CheckResult.Pass, Check(admitted, "ClientId").Result);
            Assert.Same(admitted.IamRead, admitted.IamRead);
            Assert.NotNull(admitted.IamRead);
            Assert.Equal(("arn:aws:iam::123456789012:role/gitlab-deployer", "https://gitlab.com"), Assert.Single(iam.Reads));

            RoleTestResult refused = FromIam(iam, null, "acme/web");
            Assert.False(refused.Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, refused.ErrorCode);
            Assert.Equal(CheckResult.Skip, Check(refused, "Exchange").Result);
        }

        [Fact]
        public void A_session_reads_IAM_once_per_role_across_rows()
        {
            var iam = new FakeIam();
            var session = new WhatIfSession();
            const string Other = "arn:aws:iam::210987654321:role/other";
            string[] rows = { "acme/infra", "acme/web", "other/app", "acme/infra" };
            RoleTestResult[] results = rows.Select(p => FromIam(iam, session, p)).Concat(new[] { FromIam(iam, session, role: Other), FromIam(iam, session, "x/y", role: Other) }).ToArray();

            Assert.Equal(2, iam.Reads.Count);
            Assert.Equal(2, session.Reads);
            Assert.Equal(new[] { true, false, false, true }, results.Take(4).Select(r => r.Success));
            Assert.Same(results[0].IamRead, results[3].IamRead);
            Assert.NotSame(results[0].IamRead, results[4].IamRead);

            // Without a session, each row reads again.
            FromIam(iam, null);
            Assert.Equal(3, iam.Reads.Count);
        }

        [Fact]
        public void A_failed_IAM_read_is_reported_once_and_reused_not_thrown()
        {
            var iam = new FakeIam { RoleStatus = IamReadStatus.AccessDenied };
            var session = new WhatIfSession();
            RoleTestResult r1 = FromIam(iam, session);
            RoleTestResult r2 = FromIam(iam, session, "acme/web");
            Assert.Single(iam.Reads);
            foreach (RoleTestResult r in new[] { r1, r2 })
            {
                Assert.False(r.Success);
                Assert.Equal(CheckResult.Fail, Check(r, IamChecks.IamRole).Result);
                Assert.Equal(CheckCodes.NoTrustPolicy, Check(r, OidcDiagnosis.TrustPolicyCheck).Code);
            }
        }

        [Fact]
        public void FromIam_with_TrustPolicy_is_InvalidPolicy_and_with_ClientId_a_ParameterConflict_before_any_read()
        {
            var iam = new FakeIam();
            RoleTestOptions both = iam.Options();
            both.TrustPolicyJson = InfraMain;
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => Run(options: both));
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains("-FromIam", e.Message);
            Assert.Contains("-TrustPolicy", e.Message);

            RoleTestOptions clientIds = iam.Options();
            clientIds.ClientIds = new[] { "sts.amazonaws.com" };
            Assert.Equal(ErrorIds.ParameterConflict, Assert.Throws<GitlabStsException>(() => Run(options: clientIds)).ErrorId);

            RoleTestOptions badProfile = iam.Options();
            badProfile.ProfileName = " ";
            Assert.Equal(ErrorIds.InvalidProfileName, Assert.Throws<GitlabStsException>(() => Run(options: badProfile)).ErrorId);

            Assert.Equal(ErrorIds.InvalidClaim, Assert.Throws<GitlabStsException>(() => Run(path: "x", options: iam.Options())).ErrorId);
            Assert.Equal(ErrorIds.InvalidRoleArn, Assert.Throws<GitlabStsException>(() =>
                Run(options: iam.Options(), settings: new ExchangeSettings { RoleArn = "arn:aws:iam::123:role/x" })).ErrorId);
            Assert.Empty(iam.Reads);
        }
    }
}
