using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.RoleTest
{
    /// <summary>Test-GitlabOidcRole -ChainRoleArn / -AllowedAccountId: a live check per hop and the AllowedAccount check (fake STS).</summary>
    public class ChainStageTests
    {
        private const string Hub = RoleChainerTests.Hub;
        private const string Spoke = RoleChainerTests.Spoke;
        private const string Spoke2 = RoleChainerTests.Spoke2;

        private sealed class Harness
        {
            public StsFakes.Scripted Sts { get; } = new StsFakes.Scripted();

            public RoleChainerTests.FakeAssumeRole Hops { get; } = new RoleChainerTests.FakeAssumeRole();

            public List<ExchangeResult> IdentityCalls { get; } = new List<ExchangeResult>();

            public CapturingLog Log { get; } = new CapturingLog();

            public RoleTestResult Run(Action<ExchangeSettings> edit, bool offline = false)
            {
                var settings = new ExchangeSettings
                {
                    RoleArn = Hub,
                    Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()),
                    MaxAttempts = 2,
                };
                edit(settings);
                return RoleTester.Run(settings, new RoleTestOptions { Offline = offline }, Env.Of(), Log, TestTokens.Now, CancellationToken.None,
                    Sts.Exchanger(), (c, _) =>
                    {
                        IdentityCalls.Add(c);
                        string arn = c.AssumedRoleArn ?? "?";
                        return new CallerIdentity(arn.Split(':')[4], arn, "AROA:" + c.AccessKeyId);
                    },
                    Hops.Chainer(Sts.Exchanger()));
            }
        }

        private static DiagnosisCheck Check(RoleTestResult r, string name) =>
            r.Checks.SingleOrDefault(c => c.Name == name) ?? throw new Xunit.Sdk.XunitException(
                $"no check {name}; have: {string.Join(", ", r.Checks.Select(c => c.Name + "=" + c.Result))}");

        [Fact]
        public void Each_hop_is_a_live_check_with_its_caller_identity_and_the_result_is_the_last_hops()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Hops.Ok(2);

            RoleTestResult r = h.Run(s => s.ChainRoleArns = new[] { Spoke, Spoke2 });

            DiagnosisCheck one = Check(r, "Chain 1");
            DiagnosisCheck two = Check(r, "Chain 2");
            Assert.Equal(CheckResult.Pass, one.Result);
            Assert.Contains("sts:AssumeRole into " + Spoke + " with the credentials of " + Hub, one.Detail);
            Assert.Contains("GetCallerIdentity arn:aws:sts::444455556666:assumed-role/deployer/", one.Detail);
            Assert.Equal(CheckResult.Pass, two.Result);
            Assert.Contains("with the credentials of " + Spoke, two.Detail);
            Assert.Contains("(account 777788889999)", two.Detail);
            Assert.Equal(3, h.IdentityCalls.Count);   // the web-identity role, then each hop, each with its own keys
            Assert.Equal("secret-of-app-deployer-wJalrXUtnFEMI/K7MDENG", h.IdentityCalls[2].SecretAccessKey);
            Assert.Equal("777788889999", r.Account);
            Assert.StartsWith("arn:aws:sts::777788889999:assumed-role/app-deployer/", r.AssumedRoleArn);
            Assert.True(r.Checks.ToList().FindIndex(c => c.Name == "Chain 1") > r.Checks.ToList().FindIndex(c => c.Name == RoleTester.CallerIdentityCheck));
            Assert.DoesNotContain(r.Checks, c => c.Name == ChainStage.AllowedAccountCheck);
        }

        [Fact]
        public void A_refused_second_hop_is_a_Fail_check_with_the_trust_statement_not_a_throw()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Hops.Ok().Fail(() => StsFakes.Sts("AccessDenied", "not authorized to perform sts:AssumeRole", HttpStatusCode.Forbidden));

            RoleTestResult r = h.Run(s => s.ChainRoleArns = new[] { Spoke, Spoke2, "arn:aws:iam::121212121212:role/third" });

            Assert.False(r.Success);
            Assert.Equal(CheckResult.Pass, Check(r, "Chain 1").Result);
            DiagnosisCheck two = Check(r, "Chain 2");
            Assert.Equal(CheckResult.Fail, two.Result);
            Assert.Equal("AccessDenied", two.Code);
            Assert.Contains("hop 2 of 3", two.Detail);
            Assert.Contains("\"Principal\": {\"AWS\": \"" + Spoke + "\"}", two.Hint);
            Assert.Equal(CheckResult.Skip, Check(r, "Chain 3").Result);
            Assert.Equal("AccessDenied", r.ErrorCode);
            Assert.StartsWith("Chain 2: ", r.Message);
            Assert.Equal(two.Hint, r.Hint);
            Assert.Equal("444455556666", r.Account);   // the last hop that worked
        }

        [Fact]
        public void Offline_every_hop_is_skipped_and_the_guard_is_checked_on_the_final_role_ARN()
        {
            var h = new Harness();
            RoleTestResult r = h.Run(s => { s.ChainRoleArns = new[] { Spoke, Spoke2 }; s.AllowedAccountIds = new[] { "444455556666" }; }, offline: true);

            Assert.Equal(CheckResult.Skip, Check(r, "Chain 1").Result);
            Assert.Contains("-Offline", Check(r, "Chain 2").Detail);
            DiagnosisCheck guard = Check(r, ChainStage.AllowedAccountCheck);
            Assert.Equal(CheckResult.Fail, guard.Result);
            Assert.Equal(ChainStage.AccountNotAllowedCode, guard.Code);
            Assert.Contains("777788889999", guard.Detail);
            Assert.Contains("not proven live", guard.Detail);
            Assert.False(r.Success);
            Assert.Empty(h.Sts.Calls);
            Assert.Empty(h.Hops.Calls);
        }

        [Fact]
        public void Live_the_guard_checks_the_last_hops_caller_identity_and_fails_without_throwing()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Hops.Ok();
            RoleTestResult r = h.Run(s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "123456789012" }; });

            Assert.Equal(CheckResult.Pass, Check(r, "Chain 1").Result);
            DiagnosisCheck guard = Check(r, ChainStage.AllowedAccountCheck);
            Assert.Equal(CheckResult.Fail, guard.Result);
            Assert.Contains("Account 444455556666, the final credentials' account (GetCallerIdentity: arn:aws:sts::444455556666:", guard.Detail);
            Assert.False(r.Success);
            Assert.Equal(ChainStage.AccountNotAllowedCode, r.ErrorCode);
            Assert.Single(h.Hops.Calls);   // tested live, unlike the exchange cmdlets
        }

        [Fact]
        public void Live_an_allowed_account_passes()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            h.Hops.Ok();
            RoleTestResult r = h.Run(s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "111122223333", "444455556666" }; });
            DiagnosisCheck guard = Check(r, ChainStage.AllowedAccountCheck);
            Assert.Equal(CheckResult.Pass, guard.Result);
            Assert.Contains("GetCallerIdentity", guard.Detail);
            Assert.Contains(Check(r, "Chain 1").Result.ToString(), "Pass");
        }

        [Fact]
        public void A_failed_exchange_skips_every_hop_and_the_guard_falls_back_to_the_role_ARN()
        {
            var h = new Harness();
            h.Sts.Fail(StsFakes.Failures["AccessDenied"].Make);
            RoleTestResult r = h.Run(s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "444455556666" }; });
            Assert.Equal(CheckResult.Fail, Check(r, RoleTester.ExchangeCheck).Result);
            Assert.Equal(CheckResult.Skip, Check(r, "Chain 1").Result);
            Assert.Contains("did not succeed", Check(r, "Chain 1").Detail);
            DiagnosisCheck guard = Check(r, ChainStage.AllowedAccountCheck);
            Assert.Equal(CheckResult.Pass, guard.Result);
            Assert.Contains("not proven live", guard.Detail);
            Assert.Empty(h.Hops.Calls);
        }

        [Fact]
        public void Without_chain_options_there_are_no_chain_checks_and_no_hop_request()
        {
            var h = new Harness();
            h.Sts.Answer(StsFakes.Response());
            RoleTestResult r = h.Run(_ => { });
            Assert.DoesNotContain(r.Checks, c => c.Name.StartsWith("Chain", StringComparison.Ordinal) || c.Name == ChainStage.AllowedAccountCheck);
            Assert.Empty(h.Hops.Calls);
        }
    }
}
