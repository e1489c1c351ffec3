using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.RoleTest
{
    /// <summary>RoleTester's orchestration with a fake STS (exchange and GetCallerIdentity): what is called, what is reported, what throws.</summary>
    public class RoleTesterTests
    {
        private const string Role = "arn:aws:iam::123456789012:role/gitlab-deployer";
        private static readonly DateTimeOffset Now = TestTokens.Now;

        /// <summary>The fixture token is project acme/infra, branch main, aud https://gitlab.com.</summary>
        private static readonly string AllowsToken = AllowWithCondition(
            "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}");

        private static readonly string DeniesToken = AllowWithCondition(
            "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{'gitlab.com:sub':'project_path:other/*'}}");

        private sealed class Harness
        {
            public StsFakes.Scripted Sts { get; } = new StsFakes.Scripted();

            public List<ExchangeResult> IdentityCalls { get; } = new List<ExchangeResult>();

            public Func<ExchangeResult, CallerIdentity> Identity { get; set; } =
                c => new CallerIdentity("123456789012", c.AssumedRoleArn ?? "?", "AROACLKWSDQRAOEXAMPLE:pester");

            public CapturingLog Log { get; } = new CapturingLog();

            public RoleTestResult Run(string token = null, RoleTestOptions options = null, string role = Role, TokenSource source = null,
                IEnvironmentReader env = null)
            {
                var settings = new ExchangeSettings
                {
                    RoleArn = role,
                    Token = source ?? new TokenSource(TokenSourceKind.Text, token ?? TestTokens.Mint()),
                    MaxAttempts = 3,
                };
                return RoleTester.Run(settings, options ?? new RoleTestOptions(), env ?? Env.Of(), Log, Now, CancellationToken.None,
                    Sts.Exchanger(), (c, _) =>
                    {
                        IdentityCalls.Add(c);
                        return Identity(c);
                    });
            }
        }

        private static DiagnosisCheck Check(RoleTestResult r, string name) =>
            r.Checks.SingleOrDefault(c => c.Name == name) ?? throw new Xunit.Sdk.XunitException(
                $"no check {name}; have: {string.Join(", ", r.Checks.Select(c => c.Name + "=" + c.Result))}");

        private static string Failures(RoleTestResult r) =>
            string.Join("\n", r.Checks.Where(c => c.Result == CheckResult.Fail).Select(c => c.ToString()));

        // ---------------- success ----------------

        [Fact]
        public void Success_fills_the_identity_from_GetCallerIdentity_with_the_new_credentials()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Identity = c => new CallerIdentity("123456789012", "arn:aws:sts::123456789012:assumed-role/gitlab-deployer/from-identity", "AROAEXAMPLE:from-identity");

            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = AllowsToken, ClientIds = new[] { "https://gitlab.com" } });

            Assert.True(r.Success, Failures(r));
            Assert.Null(r.ErrorCode);
            Assert.Null(r.Message);
            Assert.Equal("123456789012", r.Account);
            Assert.Equal("AROAEXAMPLE:from-identity", r.UserId);
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/gitlab-deployer/from-identity", r.AssumedRoleArn);
            Assert.Equal(Role, r.RoleArn);
            Assert.Equal("https://gitlab.com", r.Issuer);
            Assert.Equal(GitlabComSub, r.Subject);
            Assert.Equal(new[] { "https://gitlab.com" }, r.Audience);
            Assert.Equal(Now.ToUnixTimeSeconds() + 3600, r.TokenExpiresAt!.Value.ToUnixTimeSeconds());
            Assert.Single(h.Sts.Calls);
            Assert.Equal(Role, h.Sts.Calls[0].RoleArn);
            ExchangeResult used = Assert.Single(h.IdentityCalls);
            Assert.Equal(StsFakes.SecretKey, used.SecretAccessKey);
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.CallerIdentityCheck).Result);
            Assert.Contains("from-identity", Check(r, RoleTester.CallerIdentityCheck).Detail);
            Assert.Equal(CheckResult.Pass, Check(r, "Decision").Result);
        }

        [Fact]
        public void Check_order_is_token_shape_then_diagnosis_then_exchange_then_identity()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = AllowsToken });
            var names = r.Checks.Select(c => c.Name).ToList();
            Assert.Equal(RoleTester.TokenShapeCheck, names.First());
            Assert.Equal(new[] { RoleTester.ExchangeCheck, RoleTester.CallerIdentityCheck }, names.Skip(names.Count - 2));
            Assert.True(names.IndexOf("Decision") < names.IndexOf(RoleTester.ExchangeCheck));
        }

        // ---------------- offline ----------------

        [Fact]
        public void Offline_makes_no_STS_call_and_skips_the_exchange_and_the_signature()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(options: new RoleTestOptions { Offline = true, VerifySignature = true, TrustPolicyJson = AllowsToken });

            Assert.Empty(h.Sts.Calls);
            Assert.Empty(h.IdentityCalls);
            Assert.True(r.Success, Failures(r));
            Assert.Equal(CheckResult.Skip, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal(CheckResult.Skip, Check(r, RoleTester.SignatureCheck).Result);
            Assert.DoesNotContain(r.Checks, c => c.Name == RoleTester.CallerIdentityCheck);
            Assert.Null(r.AssumedRoleArn);
            Assert.Null(r.Account);
        }

        [Fact]
        public void Offline_with_a_denying_policy_reports_the_failing_condition()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(options: new RoleTestOptions { Offline = true, TrustPolicyJson = DeniesToken });

            Assert.Empty(h.Sts.Calls);
            Assert.False(r.Success);
            string expected = $"StringLike gitlab.com:sub \"project_path:other/*\" did not match \"{GitlabComSub}\"";
            Assert.Contains(expected, r.Message);
            Assert.Contains(expected, Check(r, "Statement 1").Detail);
            Assert.Equal(CheckResult.Fail, Check(r, "Statement 1").Result);
            Assert.NotNull(r.Hint);
            Assert.False(string.IsNullOrEmpty(r.ErrorCode));
        }

        // ---------------- reported, not thrown ----------------

        [Theory]
        [InlineData("not-a-jwt")]
        [InlineData("a.b")]
        [InlineData("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln")]
        public void Malformed_token_is_reported_not_thrown(string token)
        {
            var h = new Harness();
            RoleTestResult r = h.Run(token);

            Assert.False(r.Success);
            Assert.Equal("MalformedToken", r.ErrorCode);
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.TokenShapeCheck).Result);
            Assert.Equal(Role, r.RoleArn);
            Assert.NotNull(r.Message);
            Assert.NotNull(r.Hint);
            Assert.Empty(h.Sts.Calls);
        }

        [Fact]
        public void Expired_token_skips_the_exchange_and_reports_TokenExpired()
        {
            var h = new Harness();
            long t = Now.ToUnixTimeSeconds();
            string expired = TestTokens.Mint(edit: c => { c["iat"] = t - 7200; c["nbf"] = t - 7205; c["exp"] = t - 3600; });

            RoleTestResult r = h.Run(expired);

            Assert.False(r.Success);
            Assert.Equal("TokenExpired", r.ErrorCode);
            Assert.Equal(CheckResult.Fail, Check(r, "TokenExpiry").Result);
            Assert.Equal(CheckResult.Skip, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Empty(h.Sts.Calls);
            Assert.StartsWith("TokenExpiry", r.Message);
        }

        [Fact]
        public void Access_denied_by_STS_is_reported_with_its_code_and_a_hint_to_pass_the_trust_policy()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["AccessDenied"].Make);

            RoleTestResult r = h.Run();

            Assert.False(r.Success);
            Assert.Equal("AccessDenied", r.ErrorCode);
            Assert.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", r.Message);
            Assert.Contains("-TrustPolicy", r.Hint);
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.DoesNotContain(r.Checks, c => c.Name == RoleTester.CallerIdentityCheck);
            Assert.Single(h.Sts.Calls);
            Assert.Empty(h.IdentityCalls);
            Assert.Null(r.AssumedRoleArn);
        }

        [Fact]
        public void Access_denied_by_STS_is_explained_by_the_failing_condition_of_the_trust_policy()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["AccessDenied"].Make);

            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = DeniesToken });

            Assert.False(r.Success);
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal("AccessDenied", Check(r, RoleTester.ExchangeCheck).Code);
            DiagnosisCheck statement = Check(r, "Statement 1");
            Assert.Equal(statement.Code, r.ErrorCode);
            Assert.StartsWith("Statement 1: ", r.Message);
            Assert.Contains($"StringLike gitlab.com:sub \"project_path:other/*\" did not match \"{GitlabComSub}\"", r.Message);
            Assert.Equal(statement.Hint, r.Hint);
            Assert.DoesNotContain("\n", r.Message);
        }

        [Fact]
        public void Audience_not_among_the_client_ids_explains_an_InvalidIdentityToken()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["InvalidIdentityToken (audience)"].Make);

            RoleTestResult r = h.Run(options: new RoleTestOptions { ClientIds = new[] { "sts.amazonaws.com" } });

            Assert.False(r.Success);
            Assert.Equal(CheckResult.Fail, Check(r, "ClientId").Result);
            Assert.StartsWith("ClientId: ", r.Message);
            Assert.NotEqual("InvalidIdentityToken", r.ErrorCode);
        }

        [Fact]
        public void Network_failure_is_reported_after_the_retries()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["connection refused"].Make, times: 3);

            RoleTestResult r = h.Run();

            Assert.False(r.Success);
            Assert.Equal(3, h.Sts.Calls.Count);
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.False(string.IsNullOrEmpty(r.ErrorCode));
            Assert.Null(r.Hint);
        }

        [Fact]
        public void GetCallerIdentity_failure_is_reported_and_keeps_the_assumed_role_from_the_exchange()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Identity = _ => throw new GitlabStsException(ErrorIds.StsError, ErrorKind.PermissionDenied,
                "STS GetCallerIdentity with the new credentials failed (AccessDenied: nope).", Role) { StsErrorCode = "AccessDenied" };

            RoleTestResult r = h.Run();

            Assert.False(r.Success);
            Assert.Equal("AccessDenied", r.ErrorCode);
            Assert.Contains("GetCallerIdentity", r.Message);
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.CallerIdentityCheck).Result);
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/gitlab-deployer/GitLabRunner-987654-1500000001-9000000001", r.AssumedRoleArn);
            Assert.Null(r.Account);
        }

        [Fact]
        public void Local_denial_wins_over_a_successful_exchange()
        {
            // STS (or an emulator) issued credentials, but the trust policy given does not allow the token: not a success.
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());

            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = DeniesToken });

            Assert.False(r.Success);
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.CallerIdentityCheck).Result);
            Assert.StartsWith("Statement 1: ", r.Message);
            Assert.NotNull(r.AssumedRoleArn);
        }

        [Fact]
        public void No_secret_appears_in_the_result()
        {
            var h = new Harness();
            string token = TestTokens.Mint();
            h.Sts.Answer(StsFakes.Response());
            h.Identity = _ => throw new GitlabStsException(ErrorIds.StsError, ErrorKind.PermissionDenied, "GetCallerIdentity failed.", Role);

            RoleTestResult r = h.Run(token, new RoleTestOptions { TrustPolicyJson = DeniesToken });

            string all = string.Join("\n", new[] { r.Message, r.Hint, r.ErrorCode, r.SuggestedTrustPolicy, r.AssumedRoleArn }
                .Concat(r.Checks.Select(c => c.Detail + " " + c.Hint)).Concat(h.Log.All()));
            TestTokens.AssertNoSecret(all, token);
            Assert.DoesNotContain(StsFakes.SecretKey, all);
            Assert.DoesNotContain(StsFakes.SessionToken, all);
        }

        // ---------------- invalid invocations throw ----------------

        [Theory]
        [InlineData("arn:aws:iam::12345678901:role/x")]
        [InlineData("arn:aws:iam::123456789012:user/bob")]
        [InlineData("not an arn")]
        public void Invalid_role_ARN_throws(string role)
        {
            var h = new Harness();
            var e = Assert.Throws<GitlabStsException>(() => h.Run(role: role));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Empty(h.Sts.Calls);
        }

        [Fact]
        public void Missing_role_ARN_throws()
        {
            var h = new Harness();
            var e = Assert.Throws<GitlabStsException>(() => h.Run(role: null));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
        }

        [Fact]
        public void No_token_throws_TokenNotFound()
        {
            var h = new Harness();
            var e = Assert.Throws<GitlabStsException>(() => h.Run(source: TokenSource.Discover, env: Env.Of(("CI_JOB_ID", "1"))));
            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            Assert.Empty(h.Sts.Calls);
        }

        [Fact]
        public void Role_ARN_comes_from_the_environment_when_not_given()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(role: null, options: new RoleTestOptions { Offline = true, TrustPolicyJson = AllowsToken },
                env: Env.Of(("ROLE_ARN", "arn:aws:iam::123456789012:role/from-env")));
            Assert.Equal("arn:aws:iam::123456789012:role/from-env", r.RoleArn);
            Assert.True(r.Success, Failures(r));
        }

        // ---------------- no verdict without a policy (16.3) ----------------

        [Fact]
        public void Offline_without_a_trust_policy_is_NoTrustPolicy()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(options: new RoleTestOptions { Offline = true });

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.NoTrustPolicy, r.ErrorCode);
            Assert.StartsWith("TrustPolicy: No trust policy given", r.Message);
            Assert.Contains("-TrustPolicy", r.Hint);
            Assert.Empty(h.Sts.Calls);
            Assert.False(string.IsNullOrEmpty(r.SuggestedTrustPolicy));
        }

        [Fact]
        public void Live_without_a_trust_policy_lets_STS_decide()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            RoleTestResult r = h.Run(options: new RoleTestOptions());

            Assert.True(r.Success, Failures(r));
            Assert.Equal(CheckResult.Skip, Check(r, "TrustPolicy").Result);
        }

        // ---------------- -Audience (16.4) ----------------

        [Fact]
        public void An_audience_the_token_lacks_is_a_Fail_check_not_a_throw_and_STS_is_not_called()
        {
            var h = new Harness();
            RoleTestResult r = RunWithAudience(h, "foo", offline: false);

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.AudienceMismatch, r.ErrorCode);
            DiagnosisCheck c = Check(r, RoleTester.AudienceCheck);
            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Contains("\"https://gitlab.com\"", c.Detail);
            Assert.Contains("-Audience \"foo\"", c.Detail);
            Assert.Contains("aud: foo", c.Hint);
            Assert.Equal(CheckResult.Skip, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Empty(h.Sts.Calls);
            Assert.Equal(new[] { "https://gitlab.com" }, r.Audience);
        }

        [Fact]
        public void An_audience_the_token_has_is_a_Pass_check()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            RoleTestResult r = RunWithAudience(h, "https://gitlab.com", offline: false);

            Assert.True(r.Success, Failures(r));
            Assert.Equal(CheckResult.Pass, Check(r, RoleTester.AudienceCheck).Result);
            Assert.Single(h.Sts.Calls);
        }

        [Fact]
        public void An_audience_mismatch_stays_InvalidIdentityToken_for_the_exchange()
        {
            var settings = new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()), Audience = "foo" };
            var e = Assert.Throws<GitlabStsException>(() => ExchangeRequest.Resolve(settings, Env.Of(), NullLog.Instance, Now));
            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
        }

        [Fact]
        public void An_audience_that_holds_a_token_still_throws_without_echoing_it()
        {
            var h = new Harness();
            string token = TestTokens.Mint();
            var e = Assert.Throws<GitlabStsException>(() => RunWithAudience(h, token, offline: true));
            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
            Assert.DoesNotContain(token, e.Message);
        }

        private static RoleTestResult RunWithAudience(Harness h, string audience, bool offline)
        {
            var settings = new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()), Audience = audience, MaxAttempts = 1 };
            RoleTestResult r = RoleTester.Run(settings, new RoleTestOptions { Offline = offline, TrustPolicyJson = AllowsToken }, Env.Of(), h.Log, Now,
                CancellationToken.None, h.Sts.Exchanger(), (c, _) => h.Identity(c));
            Assert.Equal(audience, settings.Audience);   // the caller's settings are left as given
            return r;
        }

        // ---------------- indeterminate decisions (16.2) ----------------

        private static readonly string AllowPlusPerimeterDeny = J("{'Version':'2012-10-17','Statement':["
            + "{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider + "'},'Action':'sts:AssumeRoleWithWebIdentity',"
            + "'Condition':{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}},"
            + "{'Sid':'DataPerimeter','Effect':'Deny','Principal':'*','Action':'sts:AssumeRoleWithWebIdentity','Condition':{'NotIpAddress':{'aws:SourceIp':'203.0.113.0/24'}}}]}");

        private static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> SourceIp(string ip) =>
            new[] { new KeyValuePair<string, IReadOnlyList<string>>("aws:SourceIp", new[] { ip }) };

        [Fact]
        public void Offline_an_indeterminate_decision_is_reported_with_what_to_supply()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(options: new RoleTestOptions { Offline = true, TrustPolicyJson = AllowPlusPerimeterDeny });

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.Indeterminate, r.ErrorCode);
            Assert.Contains("aws:SourceIp", r.Message);
            Assert.Contains("-ConditionContext", r.Message);
            Assert.Equal(CheckResult.Warn, Check(r, "Statement 2 (DataPerimeter)").Result);
        }

        [Theory]
        [InlineData("203.0.113.5", true)]
        [InlineData("198.51.100.7", false)]
        public void Offline_the_condition_context_decides(string ip, bool allowed)
        {
            var h = new Harness();
            RoleTestResult r = h.Run(options: new RoleTestOptions { Offline = true, TrustPolicyJson = AllowPlusPerimeterDeny, ConditionContext = SourceIp(ip) });

            Assert.Equal(allowed, r.Success);
            Assert.Equal(allowed ? null : CheckCodes.ExplicitDeny, r.ErrorCode);
        }

        [Fact]
        public void Live_STS_settles_an_indeterminate_decision_when_the_exchange_works()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = AllowPlusPerimeterDeny });

            Assert.True(r.Success, Failures(r));
            Assert.Null(r.ErrorCode);
            DiagnosisCheck d = Check(r, "Decision");
            Assert.Equal(CheckResult.Pass, d.Result);
            Assert.Contains("decided live", d.Detail);
            Assert.Contains("aws:SourceIp", d.Detail);
            Assert.Equal(CheckResult.Warn, Check(r, "Statement 2 (DataPerimeter)").Result);
        }

        [Fact]
        public void Live_an_indeterminate_decision_refused_by_STS_reports_STS_answer()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["AccessDenied"].Make);
            RoleTestResult r = h.Run(options: new RoleTestOptions { TrustPolicyJson = AllowPlusPerimeterDeny });

            Assert.False(r.Success);
            Assert.Equal("AccessDenied", r.ErrorCode);
            Assert.Equal(CheckResult.Warn, Check(r, "Decision").Result);
        }

        [Fact]
        public void The_exchange_region_session_and_endpoint_reach_the_request_context()
        {
            string policy = AllowWithCondition("{'StringLike':{'gitlab.com:sub':'project_path:acme/*','sts:RoleSessionName':'ci-*'},"
                + "'StringEquals':{'aws:RequestedRegion':'eu-west-1'},'Bool':{'aws:SecureTransport':'false'}}");
            RoleTestResult Run(string session, string region, string endpoint) => RoleTester.Run(
                new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()), RoleSessionName = session, Region = region, EndpointUrl = endpoint },
                new RoleTestOptions { Offline = true, TrustPolicyJson = policy }, Env.Of(), NullLog.Instance, Now, CancellationToken.None);

            Assert.True(Run("ci-42", "eu-west-1", "http://localhost:5000").Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, Run("laptop", "eu-west-1", "http://localhost:5000").ErrorCode);
            Assert.Equal(CheckCodes.TrustPolicyDenied, Run("ci-42", "us-east-1", "http://localhost:5000").ErrorCode);
            Assert.Equal(CheckCodes.TrustPolicyDenied, Run("ci-42", "eu-west-1", null).ErrorCode);   // the default endpoint is https
        }
    }
}
