using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken.Model;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    public class StsExchangerTests
    {
        private static readonly Func<Exception> Idp = StsFakes.Failures["IDPCommunicationError"].Make;

        [Fact]
        public void Success_first_time_sends_the_checked_request()
        {
            ExchangeRequest request = StsFakes.Request();
            var fake = new StsFakes.Scripted().Answer(StsFakes.Response());
            var log = new CapturingLog();

            ExchangeResult r = fake.Exchanger().Exchange(request, log, CancellationToken.None);

            AssumeRoleWithWebIdentityRequest sent = Assert.Single(fake.Calls);
            Assert.Equal(request.RoleArn.Value, sent.RoleArn);
            Assert.Equal("GitLabRunner-987654-1500000001-9000000001", sent.RoleSessionName);
            Assert.Equal(request.Token.Raw, sent.WebIdentityToken);
            Assert.Equal(3600, sent.DurationSeconds);
            Assert.Equal(request.Policy, sent.Policy);
            Assert.Equal(new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" }, sent.PolicyArns.Select(p => p.Arn));

            Assert.Equal(1, r.Attempts);
            Assert.Empty(fake.Delays);
            Assert.Equal("ASIAIOSFODNN7EXAMPLE", r.AccessKeyId);
            Assert.Equal(StsFakes.SecretKey, r.SecretAccessKey);
            Assert.Equal(StsFakes.SessionToken, r.SessionToken);
            Assert.Equal(new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc), r.Expiration);
            Assert.Equal(DateTimeKind.Utc, r.Expiration.Kind);
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/gitlab-deployer/GitLabRunner-987654-1500000001-9000000001", r.AssumedRoleArn);
            Assert.Equal("AROACLKWSDQRAOEXAMPLE:GitLabRunner-987654-1500000001-9000000001", r.AssumedRoleId);
            Assert.Equal("123456789012", r.AccountId);
            Assert.Equal("project_path:acme/infra:ref_type:branch:ref:main", r.SubjectFromWebIdentityToken);
            Assert.Equal("gitlab.com", r.Provider);
            Assert.Equal("https://gitlab.com", r.Audience);
            Assert.Same(request, r.Request);

            string call = Assert.Single(log.Verbose);
            Assert.StartsWith("Calling STS AssumeRoleWithWebIdentity at https://sts.us-east-1.amazonaws.com for " + request.RoleArn, call);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(4)]
        public void Success_after_N_transient_failures_takes_N_plus_1_attempts(int failures)
        {
            var fake = new StsFakes.Scripted().Fail(Idp, failures).Answer(StsFakes.Response());
            var log = new CapturingLog();

            ExchangeResult r = fake.Exchanger().Exchange(StsFakes.Request(maxAttempts: 5), log, CancellationToken.None);

            Assert.Equal(failures + 1, r.Attempts);
            Assert.Equal(failures + 1, fake.Calls.Count);
            Assert.Equal(failures, fake.Delays.Count);
            List<string> retries = log.Verbose.Where(m => m.StartsWith("Attempt ", StringComparison.Ordinal)).ToList();
            Assert.Equal(failures, retries.Count);
            for (int i = 0; i < failures; i++)
            {
                Assert.StartsWith($"Attempt {i + 1} of 5 failed (IDPCommunicationError: ", retries[i]);
                Assert.Contains($"retrying in {fake.Delays[i].TotalSeconds:0.00} s", retries[i]);
            }
        }

        [Theory]
        [InlineData("IDPCommunicationError", 1)]
        [InlineData("IDPCommunicationError", 2)]
        [InlineData("InvalidIdentityToken (verification key)", 5)]
        [InlineData("Throttling", 4)]
        [InlineData("HTTP 503 ServiceUnavailable", 3)]
        [InlineData("connection refused", 5)]
        [InlineData("HttpClient timeout", 2)]
        public void Transient_failures_are_retried_up_to_MaxAttempts(string name, int maxAttempts)
        {
            var (make, id, transient, _) = StsFakes.Failures[name];
            Assert.True(transient);
            var fake = new StsFakes.Scripted().Fail(make, maxAttempts);
            var log = new CapturingLog();

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(maxAttempts), log, CancellationToken.None));

            Assert.Equal(id, e.ErrorId);
            Assert.Equal(maxAttempts, e.Attempts);
            Assert.Equal(maxAttempts, fake.Calls.Count);
            Assert.Equal(maxAttempts - 1, fake.Delays.Count);
            Assert.Equal(maxAttempts - 1, log.Verbose.Count(m => m.StartsWith("Attempt ", StringComparison.Ordinal)));
        }

        [Theory]
        [InlineData("AccessDenied")]
        [InlineData("ExpiredTokenException")]
        [InlineData("MalformedPolicyDocument")]
        [InlineData("PackedPolicyTooLarge")]
        [InlineData("IDPRejectedClaim")]
        [InlineData("RegionDisabledException")]
        [InlineData("InvalidIdentityToken (audience)")]
        [InlineData("unreadable body, HTTP 200")]
        public void Non_transient_failures_are_tried_exactly_once_even_after_a_transient_one(string name)
        {
            var (make, id, _, _) = StsFakes.Failures[name];
            var fake = new StsFakes.Scripted().Fail(Idp).Fail(make).Answer(StsFakes.Response());

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(5), NullLog.Instance, CancellationToken.None));

            Assert.Equal(id, e.ErrorId);
            Assert.Equal(2, e.Attempts);
            Assert.Equal(2, fake.Calls.Count);
            Assert.Single(fake.Delays);
        }

        [Theory]
        [InlineData(1, 200)]
        [InlineData(2, 400)]
        [InlineData(3, 800)]
        [InlineData(4, 1600)]
        [InlineData(5, 3200)]
        [InlineData(6, 5000)]
        [InlineData(7, 5000)]
        [InlineData(60, 5000)]
        [InlineData(2000, 5000)]
        public void Backoff_is_jittered_within_half_to_full_ceiling_capped_at_5s(int retry, double ceilingMs)
        {
            var exchanger = new StsExchanger(null, null, new Random(retry));
            for (int i = 0; i < 200; i++)
            {
                double ms = exchanger.Backoff(retry).TotalMilliseconds;
                Assert.InRange(ms, ceilingMs / 2, ceilingMs);
                Assert.True(ms <= StsExchanger.MaxDelay.TotalMilliseconds);
            }

            Assert.Equal(ceilingMs / 2, new StsExchanger(null, null, new FixedRandom(0.0)).Backoff(retry).TotalMilliseconds, 3);
            Assert.Equal(ceilingMs, new StsExchanger(null, null, new FixedRandom(1.0)).Backoff(retry).TotalMilliseconds, 3);
        }

        [Fact]
        public void Backoff_grows()
        {
            var a = new StsExchanger(null, null, new Random(1));
            double maxFirst = Enumerable.Range(0, 100).Max(_ => a.Backoff(1).TotalMilliseconds);
            double minThird = Enumerable.Range(0, 100).Min(_ => a.Backoff(3).TotalMilliseconds);
            Assert.True(maxFirst < minThird, $"backoff(1) up to {maxFirst} ms, backoff(3) from {minThird} ms");
        }

        [Fact]
        public void Jitter_varies_between_retries()
        {
            var a = new StsExchanger(null, null, new Random(3));
            Assert.True(Enumerable.Range(0, 20).Select(_ => a.Backoff(4).TotalMilliseconds).Distinct().Count() > 10);
        }

        [Fact]
        public void The_waits_are_the_backoff_of_each_retry_with_the_seeded_random()
        {
            var fake = new StsFakes.Scripted().Fail(Idp, 4).Answer(StsFakes.Response());
            fake.Exchanger(seed: 11).Exchange(StsFakes.Request(5), NullLog.Instance, CancellationToken.None);

            var reference = new StsExchanger(null, null, new Random(11));
            Assert.Equal(Enumerable.Range(1, 4).Select(reference.Backoff), fake.Delays);
            Assert.True(fake.Delays[0] < fake.Delays[2]);
        }

        [Fact]
        public void Cancellation_during_a_delay_throws_promptly()
        {
            using var cts = new CancellationTokenSource();
            var fake = new StsFakes.Scripted().Fail(Idp, 5);
            fake.DelayHook = async (d, ct) =>
            {
                cts.Cancel();
                await Task.Delay(Timeout.Infinite, ct); // only the token the exchanger passed can end this
            };
            var watch = Stopwatch.StartNew();

            Task run = Task.Run(() => fake.Exchanger().Exchange(StsFakes.Request(5), NullLog.Instance, cts.Token));

            Assert.Same(run, Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20))).GetAwaiter().GetResult());
            var e = Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
            Assert.Single(fake.Calls);
            Assert.Single(fake.Delays);
        }

        [Fact]
        public void Cancellation_before_the_first_call_makes_no_call()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var fake = new StsFakes.Scripted().Answer(StsFakes.Response());
            Assert.ThrowsAny<OperationCanceledException>(() => fake.Exchanger().Exchange(StsFakes.Request(), NullLog.Instance, cts.Token));
            Assert.Empty(fake.Calls);
        }

        [Fact]
        public void Cancellation_during_the_call_is_not_retried_or_mapped()
        {
            using var cts = new CancellationTokenSource();
            var fake = new StsFakes.Scripted().Then(ct =>
            {
                cts.Cancel();
#if NETFRAMEWORK
                throw new TaskCanceledException("cancelled");
#else
                throw new TaskCanceledException("cancelled", null, ct);
#endif
            }).Answer(StsFakes.Response());

            Assert.ThrowsAny<OperationCanceledException>(() => fake.Exchanger().Exchange(StsFakes.Request(), NullLog.Instance, cts.Token));
            Assert.Single(fake.Calls);
            Assert.Empty(fake.Delays);
        }

        public static IEnumerable<object[]> Incomplete => new[]
        {
            new object[] { "null response" },
            new object[] { "no credentials" },
            new object[] { "no access key" },
            new object[] { "no secret key" },
            new object[] { "no session token" },
            new object[] { "no expiration" },
            new object[] { "default expiration" },
        };

        [Theory]
        [MemberData(nameof(Incomplete))]
        public void A_response_with_missing_credentials_is_StsError_and_not_retried(string what)
        {
            AssumeRoleWithWebIdentityResponse? response = StsFakes.Response();
            Credentials c = response.Credentials;
            switch (what)
            {
                case "null response": response = null; break;
                case "no credentials": response.Credentials = null; break;
                case "no access key": c.AccessKeyId = ""; break;
                case "no secret key": c.SecretAccessKey = null; break;
                case "no session token": c.SessionToken = ""; break;
                case "no expiration": c.Expiration = null; break;
                case "default expiration": c.Expiration = default(DateTime); break;
            }

            var fake = new StsFakes.Scripted().Fail(Idp).Answer(response).Answer(StsFakes.Response());
            ExchangeRequest request = StsFakes.Request(5);

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(request, NullLog.Instance, CancellationToken.None));

            Assert.Equal(ErrorIds.StsError, e.ErrorId);
            Assert.Equal("IncompleteResponse", e.StsErrorCode);
            Assert.Equal(2, e.Attempts);
            Assert.Equal(2, fake.Calls.Count);
            Assert.Contains("without complete credentials", e.Message);
            Assert.DoesNotContain(StsFakes.SecretKey, e.Message);
            Assert.DoesNotContain(StsFakes.SessionToken, e.Message);
            TestTokens.AssertNoSecret(e.Message, request.Token.Raw);
        }

        [Fact]
        public void Retry_messages_redact_a_token_echoed_by_sts()
        {
            ExchangeRequest request = StsFakes.Request(3);
            string raw = request.Token.Raw;
            var fake = new StsFakes.Scripted()
                .Fail(() => new IDPCommunicationErrorException($"could not validate {raw}", Amazon.Runtime.ErrorType.Sender, "IDPCommunicationError", "r", System.Net.HttpStatusCode.BadRequest), 3);
            var log = new CapturingLog();

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(request, log, CancellationToken.None));

            Assert.Equal(2, log.Verbose.Count(m => m.StartsWith("Attempt ", StringComparison.Ordinal)));
            foreach (string line in log.All().Append(e.Message))
            {
                TestTokens.AssertNoSecret(line, raw);
            }
        }

        private sealed class FixedRandom : Random
        {
            private readonly double _value;

            public FixedRandom(double value) => _value = value;

            public override double NextDouble() => _value;

            protected override double Sample() => _value;
        }
    }
}
