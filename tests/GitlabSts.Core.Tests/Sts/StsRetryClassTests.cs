using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>
    /// Throttling, server errors and the other transient failures are decided once, by <see cref="StsFailure.Retry"/>:
    /// the exchanger retries exactly those, and the messages call exactly the busy ones busy.
    /// </summary>
    public class StsRetryClassTests
    {
        /// <summary>Every failure of the STS fault catalog (StsFakes.Failures) with the retry class it must get.</summary>
        public static readonly Dictionary<string, StsRetryClass> Expected = new Dictionary<string, StsRetryClass>
        {
            ["AccessDenied"] = StsRetryClass.None,
            ["InvalidIdentityToken (audience)"] = StsRetryClass.None,
            ["InvalidIdentityToken (no provider)"] = StsRetryClass.None,
            ["InvalidIdentityToken (verification key)"] = StsRetryClass.IdentityProvider,
            ["ExpiredTokenException"] = StsRetryClass.None,
            ["IDPCommunicationError"] = StsRetryClass.IdentityProvider,
            ["IDPRejectedClaim"] = StsRetryClass.None,
            ["MalformedPolicyDocument"] = StsRetryClass.None,
            ["PackedPolicyTooLarge"] = StsRetryClass.None,
            ["RegionDisabledException"] = StsRetryClass.None,
            ["ValidationError"] = StsRetryClass.None,
            ["Throttling"] = StsRetryClass.Throttling,
            ["HTTP 429 without a code"] = StsRetryClass.Throttling,
            ["HTTP 500 InternalFailure"] = StsRetryClass.ServerError,
            ["HTTP 503 ServiceUnavailable"] = StsRetryClass.ServerError,
            ["HTTP 502 without a code"] = StsRetryClass.ServerError,
            ["HTTP 400 without a code"] = StsRetryClass.None,
            ["unreadable body, HTTP 502"] = StsRetryClass.ServerError,
            ["unreadable body, HTTP 200"] = StsRetryClass.None,
            ["connection refused"] = StsRetryClass.Network,
            ["DNS failure"] = StsRetryClass.Network,
            ["connection reset"] = StsRetryClass.Network,
            ["HttpClient timeout"] = StsRetryClass.Network,
            ["socket timeout"] = StsRetryClass.Network,
            ["SDK-wrapped WebException"] = StsRetryClass.Network,
            ["aggregate of one"] = StsRetryClass.Network,
            ["an unexpected exception"] = StsRetryClass.None,
        };

        [Fact]
        public void Every_catalog_failure_has_an_expected_class()
        {
            Assert.Equal(StsFakes.Failures.Keys.OrderBy(k => k), Expected.Keys.OrderBy(k => k));
            foreach (StsRetryClass c in Enum.GetValues(typeof(StsRetryClass)))
            {
                Assert.Contains(c, Expected.Values);
            }
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void Each_failure_gets_its_class_and_transience_follows_from_it(string name)
        {
            StsFailure f = StsFailure.Classify(StsFakes.Failures[name].Make());

            Assert.Equal(Expected[name], f.Retry);
            Assert.Equal(f.Retry != StsRetryClass.None, f.Transient);
            Assert.Equal(StsFakes.Failures[name].Transient, f.Transient);
            Assert.Equal(f.Retry == StsRetryClass.Throttling || f.Retry == StsRetryClass.ServerError, f.IsBusy);
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void The_exchanger_retries_exactly_the_transient_classes(string name)
        {
            var fake = new StsFakes.Scripted().Fail(StsFakes.Failures[name].Make, 4);
            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(maxAttempts: 4), NullLog.Instance, CancellationToken.None));

            Assert.Equal(Expected[name] == StsRetryClass.None ? 1 : 4, fake.Calls.Count);
            Assert.Equal(fake.Calls.Count, e.Attempts);
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void Only_throttling_and_server_errors_are_called_busy(string name)
        {
            GitlabStsException e = StsMessages.ToException(StsFailure.Classify(StsFakes.Failures[name].Make()), StsFakes.Request(), 3);

            bool busy = Expected[name] == StsRetryClass.Throttling || Expected[name] == StsRetryClass.ServerError;
            Assert.Equal(busy, e.Message.Contains("STS is busy or failing; retry later or raise -MaxAttempts."));
        }

        [Theory]
        [InlineData("Throttling", 400, StsRetryClass.Throttling)]
        [InlineData("ThrottlingException", 400, StsRetryClass.Throttling)]
        [InlineData("RequestLimitExceeded", 400, StsRetryClass.Throttling)]
        [InlineData("TooManyRequestsException", 400, StsRetryClass.Throttling)]
        [InlineData("SlowDown", 503, StsRetryClass.Throttling)]
        [InlineData("Anything", 429, StsRetryClass.Throttling)]
        [InlineData(null, 429, StsRetryClass.Throttling)]
        [InlineData("InternalFailure", 400, StsRetryClass.ServerError)]
        [InlineData("InternalError", 0, StsRetryClass.ServerError)]
        [InlineData("ServiceUnavailable", 0, StsRetryClass.ServerError)]
        [InlineData(null, 500, StsRetryClass.ServerError)]
        [InlineData("Anything", 504, StsRetryClass.ServerError)]
        [InlineData(null, 599, StsRetryClass.ServerError)]
        [InlineData("ValidationError", 400, StsRetryClass.None)]
        [InlineData("ThrottledSomehow", 400, StsRetryClass.None)]
        [InlineData(null, 404, StsRetryClass.None)]
        [InlineData(null, 200, StsRetryClass.None)]
        [InlineData(null, 0, StsRetryClass.None)]
        public void ClassifyStatus_decides_throttling_and_server_errors(string? code, int status, StsRetryClass expected)
        {
            Assert.Equal(expected, StsFailure.ClassifyStatus(code, status));
            if (code != null)
            {
                StsFailure f = StsFailure.FromServiceError(code, "m", status);
                Assert.Equal(expected, f.Retry);
                Assert.Equal(expected == StsRetryClass.None ? ErrorKind.InvalidResult : ErrorKind.ResourceUnavailable, f.Kind);
            }
        }

        [Fact]
        public void A_bare_http_status_that_is_not_busy_points_at_the_endpoint()
        {
            GitlabStsException e = StsMessages.ToException(StsFailure.Classify(StsFakes.Failures["HTTP 400 without a code"].Make()), StsFakes.Request(), 1);
            Assert.Contains("points at STS and not at a proxy or web page", e.Message);
            Assert.DoesNotContain("busy", e.Message);
        }
    }
}
