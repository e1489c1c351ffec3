using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    public class CredentialOutputTests
    {
        private static ExchangeResult Result(string secret = StsFakes.SecretKey, string session = StsFakes.SessionToken, DateTime? expiration = null, string? region = null) =>
            new ExchangeResult(StsFakes.Request(region: region), "ASIAIOSFODNN7EXAMPLE", secret, session,
                expiration ?? new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc))
            {
                AssumedRoleArn = "arn:aws:sts::123456789012:assumed-role/gitlab-deployer/s",
            };

        [Fact]
        public void Credential_process_json_has_exactly_the_five_keys_in_order()
        {
            string json = CredentialProcessOutput.Format(Result());

            using JsonDocument doc = JsonDocument.Parse(json);
            Assert.Equal(new[] { "Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" },
                doc.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("Version").ValueKind);
            Assert.Equal(1, doc.RootElement.GetProperty("Version").GetInt32());
            Assert.Equal("ASIAIOSFODNN7EXAMPLE", doc.RootElement.GetProperty("AccessKeyId").GetString());
            Assert.Equal(StsFakes.SecretKey, doc.RootElement.GetProperty("SecretAccessKey").GetString());
            Assert.Equal(StsFakes.SessionToken, doc.RootElement.GetProperty("SessionToken").GetString());
            Assert.Equal("2026-11-26T13:00:00Z", doc.RootElement.GetProperty("Expiration").GetString());
        }

        [Fact]
        public void Credential_process_json_is_one_line_without_escaped_plus_or_slash()
        {
            string json = CredentialProcessOutput.Format(Result());
            Assert.DoesNotContain('\n', json);
            Assert.DoesNotContain('\r', json);
            Assert.Contains("\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\"", json);
            Assert.Contains("\"SessionToken\":\"AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE\"", json);
            Assert.DoesNotContain("\\u002B", json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("\\/", json);
            Assert.StartsWith("{\"Version\":1,", json);
            Assert.EndsWith("\"Expiration\":\"2026-11-26T13:00:00Z\"}", json);
        }

        [Theory]
        [InlineData("a\"quote", "a\\\"quote")]
        [InlineData("back\\slash", "back\\\\slash")]
        public void Characters_json_must_escape_still_give_valid_json(string secret, string encoded)
        {
            string json = CredentialProcessOutput.Format(Result(secret: secret));
            Assert.Contains(encoded, json);
            using JsonDocument doc = JsonDocument.Parse(json);
            Assert.Equal(secret, doc.RootElement.GetProperty("SecretAccessKey").GetString());
        }

        public static IEnumerable<object[]> Expirations => new[]
        {
            new object[] { new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc), "2026-11-26T13:00:00Z" },
            new object[] { new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc), "2026-01-02T03:04:05Z" },
            new object[] { new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc).ToLocalTime(), "2026-11-26T13:00:00Z" },
        };

        [Theory]
        [MemberData(nameof(Expirations))]
        public void Expiration_is_iso8601_utc_with_Z(DateTime expiration, string expected)
        {
            ExchangeResult r = Result(expiration: expiration);
            Assert.Equal(DateTimeKind.Utc, r.Expiration.Kind);
            using JsonDocument doc = JsonDocument.Parse(CredentialProcessOutput.Format(r));
            string text = doc.RootElement.GetProperty("Expiration").GetString()!;
            Assert.Equal(expected, text);
            Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"), text);
            Assert.Equal(expected, AwsEnvironment.ForCredentials(r).Single(v => v.Key == "AWS_CREDENTIAL_EXPIRATION").Value);
        }

        [Theory]
        [InlineData(null, false)]
        [InlineData("eu-west-1", true)]
        public void SetEnvironment_variables(string? region, bool withRegion)
        {
            var vars = AwsEnvironment.ForCredentials(Result(region: region));
            var expected = new List<string> { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION" };
            if (withRegion)
            {
                expected.Add("AWS_REGION");
                expected.Add("AWS_DEFAULT_REGION");
            }

            Assert.Equal(expected, vars.Select(v => v.Key));
            var d = vars.ToDictionary(v => v.Key, v => v.Value);
            Assert.Equal("ASIAIOSFODNN7EXAMPLE", d["AWS_ACCESS_KEY_ID"]);
            Assert.Equal(StsFakes.SecretKey, d["AWS_SECRET_ACCESS_KEY"]);
            Assert.Equal(StsFakes.SessionToken, d["AWS_SESSION_TOKEN"]);
            if (withRegion)
            {
                Assert.Equal(region, d["AWS_REGION"]);
                Assert.Equal(region, d["AWS_DEFAULT_REGION"]);
            }
        }

        [Theory]
        [InlineData(null, new[] { "AWS_PROFILE" })]
        [InlineData("", new[] { "AWS_PROFILE" })]
        [InlineData("cn-north-1", new[] { "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION" })]
        public void Profile_environment_variables(string? region, string[] keys)
        {
            var vars = AwsEnvironment.ForProfile("oidc", region);
            Assert.Equal(keys, vars.Select(v => v.Key));
            Assert.Equal("oidc", vars[0].Value);
        }
    }
}
