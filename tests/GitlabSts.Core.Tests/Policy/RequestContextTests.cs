using System;
using System.Collections.Generic;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>Which keys are present, absent or unknown; the keys STS sets; values the caller supplies.</summary>
    public class RequestContextTests
    {
        [Fact]
        public void Sts_request_keys_get_their_values()
        {
            var now = new DateTimeOffset(2026, 12, 4, 15, 30, 5, TimeSpan.FromHours(1));
            RequestContext ctx = new RequestContext(GitlabComProvider)
                .SetStsRequestKeys(now, "eu-central-1", "gitlab-123-456", new Uri("https://sts.eu-central-1.amazonaws.com"));

            Assert.Equal(new[] { "2026-12-04T14:30:05Z" }, Values(ctx, "aws:CurrentTime"));
            Assert.Equal(new[] { "1796394605" }, Values(ctx, "AWS:EPOCHTIME"));
            Assert.Equal(new[] { "eu-central-1" }, Values(ctx, "aws:RequestedRegion"));
            Assert.Equal(new[] { "gitlab-123-456" }, Values(ctx, "sts:RoleSessionName"));
            Assert.Equal(new[] { "true" }, Values(ctx, "aws:SecureTransport"));
        }

        [Fact]
        public void Plain_http_endpoint_is_not_secure_transport()
        {
            RequestContext ctx = new RequestContext(GitlabComProvider).SetStsRequestKeys(endpoint: new Uri("http://localhost:5000"));

            Assert.Equal(new[] { "false" }, Values(ctx, "aws:SecureTransport"));
        }

        [Theory]
        [InlineData("aws:CurrentTime")]
        [InlineData("aws:EpochTime")]
        [InlineData("aws:RequestedRegion")]
        [InlineData("aws:SecureTransport")]
        [InlineData("sts:RoleSessionName")]
        public void Sts_keys_not_given_stay_unknown(string key)
        {
            RequestContext ctx = new RequestContext(GitlabComProvider);
            Assert.Equal(KeyState.Unknown, ctx.Lookup(key, out _));

            ctx.SetStsRequestKeys(DateTimeOffset.UtcNow, "us-east-1", "s", new Uri("https://sts.amazonaws.com"));
            Assert.Equal(KeyState.Present, ctx.Lookup(key, out _));
        }

        public static TheoryData<string, KeyState> States => new TheoryData<string, KeyState>
        {
            { "gitlab.com:sub", KeyState.Present },
            { "GITLAB.COM:SUB", KeyState.Present },
            { "gitlab.com:environment", KeyState.Absent },
            { "gitlab.com:project_path", KeyState.Absent },
            { "gitlab.example.com:sub", KeyState.Absent },
            { "accounts.google.com:aud", KeyState.Absent },
            { "aws:SourceIp", KeyState.Unknown },
            { "aws:PrincipalTag/team", KeyState.Unknown },
            { "aws:SourceVpc", KeyState.Unknown },
            { "sts:ExternalId", KeyState.Unknown },
            { "test:multi", KeyState.Present },
            { "test:empty", KeyState.Present },
            { "nocolon", KeyState.Absent },
        };

        [Theory]
        [MemberData(nameof(States))]
        public void Provider_keys_are_present_or_absent_others_unknown(string key, KeyState expected)
        {
            Assert.Equal(expected, GitlabComContext().Lookup(key, out _));
        }

        [Fact]
        public void Condition_context_supplies_present_and_absent_keys()
        {
            RequestContext ctx = GitlabComContext().SetConditionContext(new Dictionary<string, IReadOnlyList<string>?>
            {
                ["aws:SourceIp"] = new[] { "203.0.113.7" },
                ["aws:TagKeys"] = Array.Empty<string>(),
                ["aws:SourceVpc"] = null,
            });

            Assert.Equal(KeyState.Present, ctx.Lookup("AWS:SOURCEIP", out IReadOnlyList<string> ip));
            Assert.Equal(new[] { "203.0.113.7" }, ip);
            Assert.Equal(KeyState.Present, ctx.Lookup("aws:TagKeys", out IReadOnlyList<string> tags));
            Assert.Empty(tags);
            Assert.Equal(KeyState.Absent, ctx.Lookup("aws:SourceVpc", out _));
            Assert.Equal(KeyState.Unknown, ctx.Lookup("aws:SourceVpce", out _));

            ctx.Set("aws:SourceVpc", "vpc-1");
            Assert.Equal(KeyState.Present, ctx.Lookup("aws:SourceVpc", out _));
        }

        [Theory]
        [InlineData("gitlab.com:sub", "identity provider's key")]
        [InlineData("GitLab.com:environment", "identity provider's key")]
        [InlineData("gitlab.example.com:sub", "identity provider's key")]
        [InlineData("SourceIp", "of the form prefix:name")]
        [InlineData("aws:", "of the form prefix:name")]
        [InlineData(":x", "of the form prefix:name")]
        public void Condition_context_refuses_provider_and_malformed_keys_and_sets_nothing(string key, string message)
        {
            RequestContext ctx = GitlabComContext();
            var supplied = new Dictionary<string, IReadOnlyList<string>?> { ["aws:SourceIp"] = new[] { "203.0.113.7" }, [key] = new[] { "x" } };

            GitlabStsException ex = Assert.Throws<GitlabStsException>(() => ctx.SetConditionContext(supplied));

            Assert.Equal(ErrorIds.InvalidPolicy, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.StartsWith("-ConditionContext key ", ex.Message);
            Assert.Contains(message, ex.Message);
            Assert.Contains(key, ex.Message);
            Assert.Equal(KeyState.Unknown, ctx.Lookup("aws:SourceIp", out _));
        }

        private static IReadOnlyList<string> Values(RequestContext ctx, string key)
        {
            Assert.Equal(KeyState.Present, ctx.Lookup(key, out IReadOnlyList<string> v));
            return v;
        }
    }
}
