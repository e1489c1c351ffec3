using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken.Model;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>RoleChainer: the web-identity exchange, then sts:AssumeRole per -ChainRoleArn hop, then the account guard (fake STS).</summary>
    public class RoleChainerTests
    {
        internal const string Hub = ExchangeRequestTests.Role;                                  // account 123456789012 (StsFakes.Response)
        internal const string Spoke = "arn:aws:iam::444455556666:role/deployer";
        internal const string Spoke2 = "arn:aws:iam::777788889999:role/team/app-deployer";

        /// <summary>A scripted AssumeRole: records each call's request and source credentials; answers with keys of the target's account.</summary>
        internal sealed class FakeAssumeRole
        {
            private readonly Queue<Func<AssumeRoleRequest, AssumeRoleResponse>> _script = new Queue<Func<AssumeRoleRequest, AssumeRoleResponse>>();

            public List<(AssumeRoleRequest Request, ExchangeResult Source)> Calls { get; } = new List<(AssumeRoleRequest, ExchangeResult)>();

            public List<TimeSpan> Delays { get; } = new List<TimeSpan>();

            public FakeAssumeRole Ok(int times = 1)
            {
                for (int i = 0; i < times; i++)
                {
                    _script.Enqueue(Success);
                }

                return this;
            }

            public FakeAssumeRole Fail(Func<Exception> make, int times = 1)
            {
                for (int i = 0; i < times; i++)
                {
                    _script.Enqueue(_ => throw make());
                }

                return this;
            }

            public FakeAssumeRole Answer(Func<AssumeRoleRequest, AssumeRoleResponse> answer)
            {
                _script.Enqueue(answer);
                return this;
            }

            /// <summary>Keys named after the role, so a test can tell which hop's keys were used (and look for leaks).</summary>
            public static AssumeRoleResponse Success(AssumeRoleRequest r)
            {
                RoleArn role = RoleArn.Parse(r.RoleArn);
                return new AssumeRoleResponse
                {
                    Credentials = new Credentials
                    {
                        AccessKeyId = "ASIA" + role.RoleName.ToUpperInvariant().Replace("-", "") + "KEY",
                        SecretAccessKey = "secret-of-" + role.RoleName + "-wJalrXUtnFEMI/K7MDENG",
                        SessionToken = "token-of-" + role.RoleName + "-AQoDYXdzEE0a8ANXXXXXXXX",
                        Expiration = TestTokens.Now.UtcDateTime.AddSeconds(r.DurationSeconds ?? 3600),
                    },
                    AssumedRoleUser = new AssumedRoleUser
                    {
                        Arn = $"arn:aws:sts::{role.AccountId}:assumed-role/{role.RoleName}/{r.RoleSessionName}",
                        AssumedRoleId = "AROAHOP:" + r.RoleSessionName,
                    },
                    HttpStatusCode = HttpStatusCode.OK,
                };
            }

            public RoleChainer Chainer(StsExchanger webIdentity) => new RoleChainer(
                webIdentity,
                (r, source, ct) =>
                {
                    Calls.Add((r, source));
                    var step = _script.Count > 0 ? _script.Dequeue() : throw new InvalidOperationException("script exhausted");
                    try
                    {
                        return Task.FromResult(step(r));
                    }
                    catch (Exception e)
                    {
                        return Task.FromException<AssumeRoleResponse>(e);
                    }
                },
                (d, ct) =>
                {
                    Delays.Add(d);
                    return Task.CompletedTask;
                },
                new Random(3));
        }

        internal static ExchangeRequest Request(Action<ExchangeSettings>? edit = null, string? token = null, params (string Name, string Value)[] env)
        {
            ExchangeSettings s = ExchangeRequestTests.Settings(Hub, token);
            s.MaxAttempts = 3;
            s.RoleSessionName = "GitLabRunner-1-2-3";
            edit?.Invoke(s);
            return ExchangeRequest.Resolve(s, Env.Of(env), NullLog.Instance, TestTokens.Now);
        }

        private static (StsFakes.Scripted Sts, FakeAssumeRole Hops, RoleChainer Chainer) Harness()
        {
            var sts = new StsFakes.Scripted();
            var hops = new FakeAssumeRole();
            return (sts, hops, hops.Chainer(sts.Exchanger()));
        }

        // ---------------- the chain ----------------

        [Fact]
        public void Two_hops_each_use_the_previous_hops_credentials_and_the_result_is_the_last_hops()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok(2);
            ExchangeRequest request = Request(s => s.ChainRoleArns = new[] { Spoke, Spoke2 });

            ExchangeResult result = chainer.Exchange(request, NullLog.Instance, CancellationToken.None);

            Assert.Single(sts.Calls);
            Assert.Equal(2, hops.Calls.Count);
            Assert.Equal(Spoke, hops.Calls[0].Request.RoleArn);
            Assert.Equal(StsFakes.SecretKey, hops.Calls[0].Source.SecretAccessKey);           // hop 1: the web-identity keys
            Assert.Equal(Hub, hops.Calls[0].Source.Role.Value);
            Assert.Equal(Spoke2, hops.Calls[1].Request.RoleArn);
            Assert.Equal("secret-of-deployer-wJalrXUtnFEMI/K7MDENG", hops.Calls[1].Source.SecretAccessKey);   // hop 2: hop 1's keys
            Assert.Equal(Spoke, hops.Calls[1].Source.Role.Value);

            Assert.Equal("secret-of-app-deployer-wJalrXUtnFEMI/K7MDENG", result.SecretAccessKey);
            Assert.Equal("777788889999", result.AccountId);
            Assert.Equal("arn:aws:sts::777788889999:assumed-role/app-deployer/GitLabRunner-1-2-3", result.AssumedRoleArn);
            Assert.Equal(new[] { Spoke, Spoke2 }, result.ChainedRoleArns);
            Assert.Equal(Spoke2, result.Role.Value);
            Assert.Equal(Hub, result.Request.RoleArn.Value);
            Assert.Equal(3, result.Attempts);
            Assert.Equal(StsFakes.Response().SubjectFromWebIdentityToken, result.SubjectFromWebIdentityToken);
        }

        [Fact]
        public void Hops_use_the_chain_session_name_and_duration_defaulting_to_the_first_hops_name()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok(2);
            chainer.Exchange(Request(s => { s.ChainRoleArns = new[] { Spoke, Spoke2 }; s.DurationSeconds = 7200; }), NullLog.Instance, CancellationToken.None);

            Assert.Equal(7200, sts.Calls[0].DurationSeconds);
            Assert.All(hops.Calls, c => Assert.Equal("GitLabRunner-1-2-3", c.Request.RoleSessionName));
            Assert.All(hops.Calls, c => Assert.Equal(3600, c.Request.DurationSeconds));

            var (sts2, hops2, chainer2) = Harness();
            sts2.Answer(StsFakes.Response());
            hops2.Ok();
            chainer2.Exchange(Request(s => { s.ChainRoleArns = new[] { Spoke }; s.ChainRoleSessionName = "deploy-prod"; s.ChainDurationSeconds = 900; }), NullLog.Instance, CancellationToken.None);
            Assert.Equal("deploy-prod", hops2.Calls[0].Request.RoleSessionName);
            Assert.Equal(900, hops2.Calls[0].Request.DurationSeconds);
            Assert.Equal("GitLabRunner-1-2-3", sts2.Calls[0].RoleSessionName);
        }

        [Fact]
        public void Session_policies_narrow_the_last_hop_only_with_a_chain_and_the_exchange_without_one()
        {
            const string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok(2);
            chainer.Exchange(Request(s => { s.ChainRoleArns = new[] { Spoke, Spoke2 }; s.Policy = policy; s.PolicyArns = new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" }; }),
                NullLog.Instance, CancellationToken.None);
            Assert.Null(sts.Calls[0].Policy);
            Assert.True(sts.Calls[0].PolicyArns == null || sts.Calls[0].PolicyArns.Count == 0);
            Assert.Null(hops.Calls[0].Request.Policy);
            Assert.Equal(policy, hops.Calls[1].Request.Policy);
            Assert.Equal("arn:aws:iam::aws:policy/ReadOnlyAccess", hops.Calls[1].Request.PolicyArns.Single().Arn);

            var (sts2, hops2, chainer2) = Harness();
            sts2.Answer(StsFakes.Response());
            ExchangeResult plain = chainer2.Exchange(Request(s => s.Policy = policy), NullLog.Instance, CancellationToken.None);
            Assert.Equal(policy, sts2.Calls[0].Policy);
            Assert.Empty(hops2.Calls);
            Assert.Empty(plain.ChainedRoleArns);
            Assert.Equal(Hub, plain.Role.Value);
        }

        [Fact]
        public void Verbose_messages_name_each_hop_and_its_role_and_no_secret()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Fail(() => StsFakes.Sts("Throttling", "Rate exceeded", HttpStatusCode.BadRequest)).Ok(2);
            var log = new CapturingLog();
            string token = TestTokens.Mint();

            ExchangeResult result = chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke, Spoke2 }, token), log, CancellationToken.None);

            Assert.Contains(log.Verbose, m => m.StartsWith("Chain hop 1 of 2: calling STS AssumeRole", StringComparison.Ordinal) && m.Contains(Spoke) && m.Contains("with the credentials of " + Hub));
            Assert.Contains(log.Verbose, m => m.StartsWith("Chain hop 1: attempt 1 of 3 failed (Throttling", StringComparison.Ordinal));
            Assert.Contains(log.Verbose, m => m.StartsWith("Chain hop 1 of 2: assumed arn:aws:sts::444455556666:assumed-role/deployer/", StringComparison.Ordinal) && m.Contains("in 2 attempt(s)"));
            Assert.Contains(log.Verbose, m => m.StartsWith("Chain hop 2 of 2: calling STS AssumeRole", StringComparison.Ordinal) && m.Contains(Spoke2) && m.Contains("with the credentials of " + Spoke));
            Assert.Contains(log.Verbose, m => m.StartsWith("Chain hop 2 of 2: assumed arn:aws:sts::777788889999:assumed-role/app-deployer/", StringComparison.Ordinal));
            string all = string.Join("\n", log.All());
            foreach (string secret in new[] { token, StsFakes.SecretKey, StsFakes.SessionToken, "secret-of-deployer", "token-of-deployer", "secret-of-app-deployer", "token-of-app-deployer", result.SessionToken })
            {
                Assert.DoesNotContain(secret, all);
            }
        }

        // ---------------- a refused or failing hop ----------------

        [Fact]
        public void A_refused_second_hop_is_AccessDenied_naming_the_hop_the_role_the_source_role_and_the_trust_statement()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok().Fail(() => StsFakes.Sts("AccessDenied", "User: arn:aws:sts::444455556666:assumed-role/deployer/x is not authorized to perform: sts:AssumeRole", HttpStatusCode.Forbidden));

            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke, Spoke2 }), NullLog.Instance, CancellationToken.None));

            Assert.Equal(ErrorIds.AccessDenied, e.ErrorId);
            Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
            Assert.Equal(2, hops.Calls.Count);   // not retried
            Assert.Contains("-ChainRoleArn hop 2 of 2 (" + Spoke2 + ")", e.Message);
            Assert.Contains("by the source role " + Spoke, e.Message);
            Assert.Contains("\"Principal\": {\"AWS\": \"" + Spoke + "\"}", e.Message);
            Assert.Contains("\"Action\": \"sts:AssumeRole\"", e.Message);
            Assert.DoesNotContain("sts:TagSession", e.Message);
            Assert.Contains("account 777788889999", e.Message);
            Assert.Equal(Spoke2, e.Target);
            Assert.Equal("AccessDenied", e.StsErrorCode);
            Assert.DoesNotContain("secret-of-deployer", e.Message);
        }

        [Fact]
        public void A_refused_first_hop_names_the_web_identity_role_as_the_source()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Fail(() => StsFakes.Sts("AccessDenied", "not authorized", HttpStatusCode.Forbidden));
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }), NullLog.Instance, CancellationToken.None));
            Assert.Contains("-ChainRoleArn hop 1 of 1 (" + Spoke + ")", e.Message);
            Assert.Contains("\"Principal\": {\"AWS\": \"" + Hub + "\"}", e.Message);
        }

        [Fact]
        public void When_the_token_carries_session_tags_the_trust_statement_adds_sts_TagSession()
        {
            string tagged = TestTokens.Mint(edit: c => c["https://aws.amazon.com/tags"] = new System.Text.Json.Nodes.JsonObject
            {
                ["principal_tags"] = new System.Text.Json.Nodes.JsonObject { ["team"] = new System.Text.Json.Nodes.JsonArray("infra") },
                ["transitive_tag_keys"] = new System.Text.Json.Nodes.JsonArray("team"),
            });
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Fail(() => StsFakes.Sts("AccessDenied", "not authorized", HttpStatusCode.Forbidden));
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }, tagged), NullLog.Instance, CancellationToken.None));
            Assert.Contains("\"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]", e.Message);
            Assert.Contains("session tags", e.Message);
        }

        [Fact]
        public void Throttling_on_the_second_hop_is_retried_with_backoff_by_the_same_rules()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok().Fail(() => StsFakes.Sts("Throttling", "Rate exceeded", HttpStatusCode.BadRequest), 2).Ok();

            ExchangeResult result = chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke, Spoke2 }), NullLog.Instance, CancellationToken.None);

            Assert.Equal(4, hops.Calls.Count);
            Assert.Equal(2, hops.Delays.Count);
            Assert.True(hops.Delays[1].TotalMilliseconds > hops.Delays[0].TotalMilliseconds / 2, "backoff grows");
            Assert.All(hops.Delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), StsExchanger.MaxDelay));
            Assert.Equal("777788889999", result.AccountId);
            Assert.Equal(1 + 1 + 3, result.Attempts);
        }

        [Theory]
        [InlineData("Throttling", ErrorIds.StsError, "retry later or raise -MaxAttempts")]
        [InlineData("HTTP 503 ServiceUnavailable", ErrorIds.StsError, "retry later or raise -MaxAttempts")]
        [InlineData("HttpClient timeout", ErrorIds.NetworkError, "Could not reach STS")]
        [InlineData("connection refused", ErrorIds.NetworkError, "Could not reach STS")]
        public void A_transient_failure_on_the_second_hop_gives_up_after_MaxAttempts_naming_the_hop(string failure, string id, string says)
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Ok().Fail(StsFakes.Failures[failure].Make, 3);

            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke, Spoke2 }), NullLog.Instance, CancellationToken.None));

            Assert.Equal(id, e.ErrorId);
            Assert.Equal(4, hops.Calls.Count);
            Assert.Equal(3, e.Attempts);
            Assert.Contains("hop 2 of 2", e.Message);
            Assert.Contains(Spoke2, e.Message);
            Assert.Contains("after 3 attempts", e.Message);
            Assert.Contains(says, e.Message);
        }

        [Theory]
        [InlineData("MalformedPolicyDocument", "-Policy")]
        [InlineData("ValidationError", "-ChainDurationSeconds")]
        [InlineData("ExpiredTokenException", "had expired")]
        public void A_permanent_failure_on_a_hop_is_not_retried_and_says_what_to_change(string failure, string says)
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Fail(StsFakes.Failures[failure].Make);
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }), NullLog.Instance, CancellationToken.None));
            Assert.Single(hops.Calls);
            Assert.Equal(StsFakes.Failures[failure].Id, e.ErrorId);
            Assert.Contains(says, e.Message);
            Assert.Contains("hop 1 of 1", e.Message);
        }

        [Fact]
        public void An_incomplete_AssumeRole_answer_is_StsError_naming_the_hop()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Answer(_ => new AssumeRoleResponse { HttpStatusCode = HttpStatusCode.OK });
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }), NullLog.Instance, CancellationToken.None));
            Assert.Equal(ErrorIds.StsError, e.ErrorId);
            Assert.Equal("IncompleteResponse", e.StsErrorCode);
            Assert.Contains("hop 1", e.Message);
        }

        [Fact]
        public void A_failed_web_identity_exchange_makes_no_hop_request()
        {
            var (sts, hops, chainer) = Harness();
            sts.Fail(StsFakes.Failures["AccessDenied"].Make);
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }), NullLog.Instance, CancellationToken.None));
            Assert.Equal(ErrorIds.AccessDenied, e.ErrorId);
            Assert.Empty(hops.Calls);
        }

        [Fact]
        public void Cancellation_during_a_hop_backoff_stops_the_chain()
        {
            var sts = new StsFakes.Scripted();
            sts.Answer(StsFakes.Response());
            using var cts = new CancellationTokenSource();
            int calls = 0;
            var chainer = new RoleChainer(sts.Exchanger(),
                (r, source, ct) => { calls++; return Task.FromException<AssumeRoleResponse>(StsFakes.Sts("Throttling", "Rate exceeded", HttpStatusCode.BadRequest)); },
                (d, ct) => { cts.Cancel(); return Task.FromCanceled(ct); }, new Random(1));
            Assert.ThrowsAny<OperationCanceledException>(() => chainer.Exchange(Request(s => s.ChainRoleArns = new[] { Spoke }), NullLog.Instance, cts.Token));
            Assert.Equal(1, calls);
        }

        // ---------------- the account guard ----------------

        [Fact]
        public void A_final_role_in_an_account_outside_the_allowed_list_is_refused_before_any_request()
        {
            var (sts, hops, chainer) = Harness();
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => chainer.Exchange(
                Request(s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "123456789012", "777788889999" }; }), NullLog.Instance, CancellationToken.None));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Equal(ErrorKind.SecurityError, e.Kind);
            Assert.Contains("444455556666", e.Message);
            Assert.Contains("123456789012, 777788889999", e.Message);
            Assert.Contains("No request was sent", e.Message);
            Assert.Empty(sts.Calls);
            Assert.Empty(hops.Calls);
        }

        [Fact]
        public void The_allowed_list_from_the_variable_guards_too()
        {
            var (sts, hops, chainer) = Harness();
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => chainer.Exchange(
                Request(s => s.ChainRoleArns = new[] { Spoke }, null, (AccountGuard.Variable, "111122223333,123456789012")), NullLog.Instance, CancellationToken.None));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Empty(sts.Calls);
        }

        [Fact]
        public void Credentials_STS_returns_for_another_account_than_the_role_ARN_are_refused()
        {
            var (sts, hops, chainer) = Harness();
            sts.Answer(StsFakes.Response());
            hops.Answer(r =>
            {
                AssumeRoleResponse ok = FakeAssumeRole.Success(r);
                ok.AssumedRoleUser.Arn = "arn:aws:sts::999999999999:assumed-role/deployer/x";
                return ok;
            });

            GitlabStsException e = Assert.Throws<GitlabStsException>(() => chainer.Exchange(
                Request(s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "444455556666" }; }), NullLog.Instance, CancellationToken.None));

            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Equal(ErrorKind.SecurityError, e.Kind);
            Assert.Contains("account 999999999999", e.Message);
            Assert.Contains("arn:aws:sts::999999999999:assumed-role/deployer/x", e.Message);
            Assert.Contains("nothing was output, set in the environment or written", e.Message);
            Assert.DoesNotContain("secret-of-deployer", e.Message);
            Assert.DoesNotContain("token-of-deployer", e.Message);
        }

        [Fact]
        public void Without_a_chain_the_guard_checks_the_web_identity_credentials()
        {
            var (sts, _, chainer) = Harness();
            sts.Answer(StsFakes.Response());   // arn:aws:sts::123456789012:assumed-role/...
            Assert.Equal("123456789012", chainer.Exchange(Request(s => s.AllowedAccountIds = new[] { "123456789012" }), NullLog.Instance, CancellationToken.None).AccountId);

            var (sts2, _, chainer2) = Harness();
            GitlabStsException e = Assert.Throws<GitlabStsException>(() =>
                chainer2.Exchange(Request(s => s.AllowedAccountIds = new[] { "444455556666" }), NullLog.Instance, CancellationToken.None));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Empty(sts2.Calls);
        }

        [Fact]
        public void Every_local_refusal_of_the_chain_options_makes_no_request()
        {
            var edits = new Action<ExchangeSettings>[]
            {
                s => { s.ChainRoleArns = new[] { Spoke }; s.ChainDurationSeconds = 3601; },
                s => { s.ChainRoleArns = new[] { Spoke }; s.ChainDurationSeconds = 899; },
                s => s.ChainRoleArns = new[] { Spoke, "arn:aws:iam::44445555666:role/x" },
                s => s.ChainRoleArns = new[] { Spoke, "arn:aws-cn:iam::444455556666:role/x" },
                s => s.ChainRoleArns = new[] { Spoke, "" },
                s => { s.ChainRoleArns = new[] { Spoke }; s.ChainRoleSessionName = "no spaces"; },
                s => s.AllowedAccountIds = new[] { "12345" },
                s => s.AllowedAccountIds = new[] { "444455556666", "abc" },
                s => { s.ChainRoleArns = new[] { Spoke }; s.AllowedAccountIds = new[] { "777788889999" }; },
            };
            foreach (Action<ExchangeSettings> edit in edits)
            {
                var (sts, hops, chainer) = Harness();
                sts.Answer(StsFakes.Response());
                hops.Ok(2);
                GitlabStsException e = Assert.Throws<GitlabStsException>(() => chainer.Exchange(Request(edit), NullLog.Instance, CancellationToken.None));
                Assert.Equal(0, e.Attempts);
                Assert.Empty(sts.Calls);
                Assert.Empty(hops.Calls);
            }
        }
    }
}
