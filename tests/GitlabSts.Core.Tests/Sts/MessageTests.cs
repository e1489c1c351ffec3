using System;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using Amazon.SecurityToken.Model;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>
    /// Issue 16 item 10 and 12: a region this version does not know (a warning naming the nearest known one; a DNS failure
    /// of its endpoint blamed on the region and not retried), no ".." in STS messages, and the credential's
    /// SubjectFromWebIdentityToken/Provider/Audience filled from the token when STS omits them.
    /// </summary>
    public class MessageTests
    {
        private static Exception DnsFailure() =>
            new HttpRequestException("Name or service not known (sts.eu-cental-1.amazonaws.com:443)", new SocketException((int)SocketError.HostNotFound));

        [Theory]
        [InlineData("eu-cental-1", "eu-central-1")]
        [InlineData("us-eats-1", "us-east-1")]
        [InlineData("eu-west-9", "eu-west-1")]
        [InlineData("cn-nrth-1", "cn-north-1")]
        [InlineData("us-gov-wst-1", "us-gov-west-1")]
        public void The_nearest_known_region_is_by_edit_distance_within_the_partition(string typo, string nearest)
        {
            Assert.False(Partitions.IsKnownRegion(typo));
            Assert.Equal(nearest, Partitions.NearestKnownRegion(typo));
        }

        [Fact]
        public void Edit_distance_counts_insertions_deletions_and_substitutions()
        {
            Assert.Equal(0, Partitions.EditDistance("eu-west-1", "eu-west-1"));
            Assert.Equal(1, Partitions.EditDistance("eu-cental-1", "eu-central-1"));
            Assert.Equal(2, Partitions.EditDistance("us-eats-1", "us-east-1"));
            Assert.Equal(3, Partitions.EditDistance("", "abc"));
        }

        [Fact]
        public void A_known_region_gets_no_warning_and_a_far_one_no_guess()
        {
            Assert.Null(Partitions.UnknownRegionWarning("eu-central-1"));
            Assert.Null(Partitions.NearestKnownRegion("xx-nowhere-77"));
            Assert.Equal("This version of GitlabSts does not know the region 'xx-nowhere-77' in the aws partition. " +
                         "It is used as given (a new AWS region works); STS is called at https://sts.xx-nowhere-77.amazonaws.com.",
                Partitions.UnknownRegionWarning("xx-nowhere-77"));
        }

        [Fact]
        public void An_unknown_region_is_warned_about_naming_the_nearest_and_still_used()
        {
            var fake = new StsFakes.Scripted().Answer(StsFakes.Response());
            var log = new CapturingLog();

            ExchangeResult r = fake.Exchanger().Exchange(StsFakes.Request(region: "eu-cental-1"), log, CancellationToken.None);

            Assert.Equal("ASIAIOSFODNN7EXAMPLE", r.AccessKeyId);
            string warning = Assert.Single(log.Warnings);
            Assert.Equal("This version of GitlabSts does not know the region 'eu-cental-1' in the aws partition; did you mean 'eu-central-1'? " +
                         "It is used as given (a new AWS region works); STS is called at https://sts.eu-cental-1.amazonaws.com.", warning);
        }

        [Theory]
        [InlineData("eu-central-1", null)]
        [InlineData("eu-cental-1", "http://127.0.0.1:5000")]
        public void A_known_region_or_a_custom_endpoint_gets_no_region_warning(string region, string? endpoint)
        {
            var fake = new StsFakes.Scripted().Answer(StsFakes.Response());
            var log = new CapturingLog();
            fake.Exchanger().Exchange(StsFakes.Request(region: region, endpoint: endpoint), log, CancellationToken.None);
            Assert.Empty(log.Warnings);
        }

        [Fact]
        public void A_DNS_failure_for_an_unknown_region_blames_the_region_and_is_not_retried()
        {
            var fake = new StsFakes.Scripted().Fail(DnsFailure, 5);

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(region: "eu-cental-1"), new CapturingLog(), CancellationToken.None));

            Assert.Single(fake.Calls);
            Assert.Empty(fake.Delays);
            Assert.Equal(ErrorIds.NetworkError, e.ErrorId);
            Assert.Equal(1, e.Attempts);
            Assert.StartsWith("Could not resolve the STS endpoint https://sts.eu-cental-1.amazonaws.com (ConnectionError: HostNotFound: ", e.Message);
            Assert.Contains("This version does not know the region 'eu-cental-1', so the region is the likely cause (did you mean 'eu-central-1'?): " +
                            "check -Region, AWS_REGION and AWS_DEFAULT_REGION. Not retried.", e.Message);
            Assert.DoesNotContain("network, proxy", e.Message);
        }

        [Theory]
        [InlineData("eu-central-1", null)]
        [InlineData("eu-cental-1", "http://sts.example.invalid")]
        public void A_DNS_failure_for_a_known_region_or_a_custom_endpoint_is_a_network_error_and_retried(string region, string? endpoint)
        {
            var fake = new StsFakes.Scripted().Fail(DnsFailure, 3);

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(maxAttempts: 3, region: region, endpoint: endpoint), new CapturingLog(), CancellationToken.None));

            Assert.Equal(3, fake.Calls.Count);
            Assert.Equal(ErrorIds.NetworkError, e.ErrorId);
            Assert.StartsWith("Could not reach STS at ", e.Message);
            Assert.DoesNotContain("likely cause", e.Message);
        }

        [Fact]
        public void Only_name_resolution_failures_are_classified_as_such()
        {
            Assert.True(StsFailure.Classify(DnsFailure()).IsNameResolution);
            Assert.True(StsFailure.Classify(new System.Net.WebException("x", System.Net.WebExceptionStatus.NameResolutionFailure)).IsNameResolution);
            Assert.False(StsFailure.Classify(StsFakes.Failures["connection refused"].Make()).IsNameResolution);
            Assert.False(StsFailure.Classify(StsFakes.Failures["socket timeout"].Make()).IsNameResolution);
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void No_STS_message_has_two_full_stops_in_a_row(string name)
        {
            var fake = new StsFakes.Scripted().Fail(StsFakes.Failures[name].Make, 5);
            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(maxAttempts: 2), new CapturingLog(), CancellationToken.None));
            Assert.DoesNotContain("..", e.Message.Replace("...", string.Empty));
        }

        [Fact]
        public void An_STS_message_ending_with_a_full_stop_is_followed_by_one_sentence_break()
        {
            // "Syntax errors in policy." then our hint: once "policy.. Fix", now "policy. Fix".
            var fake = new StsFakes.Scripted().Fail(StsFakes.Failures["MalformedPolicyDocument"].Make);
            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(StsFakes.Request(), new CapturingLog(), CancellationToken.None));
            Assert.Contains("with MalformedPolicyDocument: Syntax errors in policy. Fix the session policy", e.Message);
        }

        [Fact]
        public void Subject_provider_and_audience_come_from_the_token_when_STS_omits_them()
        {
            AssumeRoleWithWebIdentityResponse response = StsFakes.Response();
            response.SubjectFromWebIdentityToken = null;
            response.Provider = null;
            response.Audience = "";
            var fake = new StsFakes.Scripted().Answer(response);
            ExchangeRequest request = StsFakes.Request();

            ExchangeResult r = fake.Exchanger().Exchange(request, new CapturingLog(), CancellationToken.None);

            Assert.Equal(request.Token.Subject, r.SubjectFromWebIdentityToken);
            Assert.Equal(request.Token.Issuer, r.Provider);
            Assert.Equal(request.Token.Audience.Single(), r.Audience);
            Assert.False(string.IsNullOrEmpty(r.SubjectFromWebIdentityToken));
            Assert.False(string.IsNullOrEmpty(r.Provider));
            Assert.False(string.IsNullOrEmpty(r.Audience));
        }

        [Fact]
        public void What_STS_returns_wins_over_the_token()
        {
            AssumeRoleWithWebIdentityResponse response = StsFakes.Response();
            response.SubjectFromWebIdentityToken = "sub-from-sts";
            response.Provider = "provider-from-sts";
            response.Audience = "aud-from-sts";
            ExchangeResult r = new StsFakes.Scripted().Answer(response).Exchanger().Exchange(StsFakes.Request(), new CapturingLog(), CancellationToken.None);
            Assert.Equal("sub-from-sts", r.SubjectFromWebIdentityToken);
            Assert.Equal("provider-from-sts", r.Provider);
            Assert.Equal("aud-from-sts", r.Audience);
        }

        [Fact]
        public void A_token_with_several_audiences_claims_none_when_STS_omits_it()
        {
            string token = TestTokens.Mint(edit: c => c["aud"] = new System.Text.Json.Nodes.JsonArray("sts.amazonaws.com", "https://gitlab.com"));
            AssumeRoleWithWebIdentityResponse response = StsFakes.Response();
            response.Audience = null;
            ExchangeResult r = new StsFakes.Scripted().Answer(response).Exchanger().Exchange(StsFakes.Request(token: token), new CapturingLog(), CancellationToken.None);
            Assert.Null(r.Audience);
        }
    }
}
