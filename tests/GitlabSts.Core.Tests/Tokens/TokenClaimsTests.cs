using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GitlabSts.Core;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tests.Policy;
using GitlabSts.Core.Tokens;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Tokens
{
    /// <summary>One claims model: a parsed token and a what-if (claims without a token) build the same thing.</summary>
    public class TokenClaimsTests
    {
        private static IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> AsDictionary(string claimsJson)
        {
            using JsonDocument doc = JsonDocument.Parse(claimsJson);
            return doc.RootElement.EnumerateObject()
                .Select(p => new KeyValuePair<string, IReadOnlyList<string>>(p.Name, OidcConditionKeys.Strings(p.Value)))
                .ToList();
        }

        [Fact]
        public void A_parsed_token_carries_its_claims_read_once()
        {
            string raw = TestTokens.Mint();
            IdToken token = IdToken.Parse(raw, "-WebIdentityToken");

            Assert.Equal(token.Issuer, token.Claims.Issuer);
            Assert.Equal(token.Subject, token.Claims.Subject);
            Assert.Equal(token.Audience, token.Claims.Audience);
            Assert.Equal(token.ExpiresAt, token.Claims.ExpiresAt);
            Assert.NotNull(token.ExpiresAt);
            Assert.Equal(token.IssuedAt!.Value.AddHours(1), token.ExpiresAt);
            Assert.Equal(token.IssuedAt.Value.AddSeconds(-5), token.NotBefore);
            Assert.Equal(TokenClaims.FromJson(token.ClaimsJson).All.Keys.OrderBy(k => k, StringComparer.Ordinal),
                token.Claims.All.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal("acme/infra", token.Claims.First("project_path"));
        }

        [Fact]
        public void From_claims_builds_what_a_token_would_carry_without_a_jwt()
        {
            TokenClaims claims = TokenClaims.FromClaims(new Dictionary<string, string>
            {
                ["iss"] = "https://gitlab.com",
                ["aud"] = "sts.amazonaws.com",
                ["sub"] = "project_path:acme/infra:ref_type:branch:ref:main",
                ["project_path"] = "acme/infra",
                ["namespace_id"] = "42",
            });

            Assert.Equal("https://gitlab.com", claims.Issuer);
            Assert.Equal("project_path:acme/infra:ref_type:branch:ref:main", claims.Subject);
            Assert.Equal(new[] { "sts.amazonaws.com" }, claims.Audience);
            Assert.Null(claims.ExpiresAt);
            Assert.Null(claims.NotBefore);
            Assert.Equal("42", claims.First("namespace_id"));
            Assert.Empty(claims.Values("no_such_claim"));
            Assert.Null(claims.First("no_such_claim"));
        }

        [Fact]
        public void From_claims_takes_several_audiences_and_the_last_of_a_repeated_name()
        {
            TokenClaims claims = TokenClaims.FromClaims(new[]
            {
                new KeyValuePair<string, IReadOnlyList<string>>("aud", new[] { "a", "b" }),
                new KeyValuePair<string, IReadOnlyList<string>>("ref", new[] { "main" }),
                new KeyValuePair<string, IReadOnlyList<string>>("ref", new[] { "release" }),
            });

            Assert.Equal(new[] { "a", "b" }, claims.Audience);
            Assert.Equal("release", claims.First("ref"));
            Assert.Throws<ArgumentException>(() => TokenClaims.FromClaims(new Dictionary<string, string> { [""] = "x" }));
        }

        [Theory]
        [InlineData("1764150000", 1764150000000L)]
        [InlineData("1764150000.4", 1764150000400L)]
        [InlineData("-5", -5000L)]
        public void Times_are_read_from_their_decimal_text(string exp, long unixMs)
        {
            TokenClaims claims = TokenClaims.FromClaims(new Dictionary<string, string> { ["exp"] = exp });
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), claims.ExpiresAt);
        }

        [Theory]
        [InlineData("soon")]
        [InlineData("1e20")]
        [InlineData("-99999999999999")]
        public void A_time_that_is_no_time_is_absent(string exp)
        {
            Assert.Null(TokenClaims.FromClaims(new Dictionary<string, string> { ["exp"] = exp }).ExpiresAt);
        }

        [Fact]
        public void Json_claims_flatten_as_the_trust_policy_sees_them()
        {
            TokenClaims claims = TokenClaims.FromJson("{\"aud\":[\"x\",\"y\"],\"n\":42,\"b\":true,\"o\":{\"k\":1},\"s\":\"v\"}");
            Assert.Equal(new[] { "x", "y" }, claims.Audience);
            Assert.Equal(new[] { "42" }, claims.Values("n"));
            Assert.Equal(new[] { "true" }, claims.Values("b"));
            Assert.Empty(claims.Values("o"));
            Assert.Equal("v", claims.First("s"));
            Assert.Empty(TokenClaims.FromJson("[1,2]").All);
            Assert.Equal(ErrorIds.MalformedToken, Assert.Throws<GitlabStsException>(() => TokenClaims.FromJson("not json")).ErrorId);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}")]
        [InlineData("{'StringEquals':{'gitlab.com:aud':'sts.amazonaws.com','gitlab.com:sub':'project_path:other/x:ref_type:branch:ref:main'}}")]
        [InlineData("{'StringEquals':{'gitlab.com:namespace_id':'999','gitlab.com:ref':'main'}}")]
        public void A_what_if_from_the_same_claims_is_diagnosed_exactly_as_the_token(string condition)
        {
            string policy = DiagnosisTestKit.PolicyFor(GitlabComProvider, condition);
            DiagnosisResult fromJson = DiagnosisTestKit.Run(policy);
            DiagnosisResult fromClaims = OidcDiagnosis.Run(new DiagnosisInput
            {
                ClaimsJson = "{\"this\":\"is ignored when Claims is set\"}",
                Claims = TokenClaims.FromClaims(AsDictionary(GitlabComClaims)),
                TrustPolicyJson = policy,
                RoleArn = PolicyFixtures.RoleArn,
                Now = DiagnosisTestKit.FixtureNow,
            });

            Assert.Equal(fromJson.Checks.Select(c => c.ToString()), fromClaims.Checks.Select(c => c.ToString()));
            Assert.Equal(fromJson.Checks.Select(c => c.Code), fromClaims.Checks.Select(c => c.Code));
            Assert.Equal(fromJson.Success, fromClaims.Success);
            Assert.Equal(fromJson.FailureCode, fromClaims.FailureCode);
            Assert.Equal(fromJson.SuggestedTrustPolicy, fromClaims.SuggestedTrustPolicy);
            Assert.Equal(fromJson.Subject, fromClaims.Subject);
        }

        [Fact]
        public void The_request_context_of_a_what_if_has_the_exposed_keys_only()
        {
            TokenClaims claims = TokenClaims.FromClaims(new Dictionary<string, string>
            {
                ["iss"] = "https://gitlab.example.com",
                ["aud"] = "sts.amazonaws.com",
                ["sub"] = "project_path:acme/infra:ref_type:tag:ref:v1",
                ["ref"] = "v1",
            });
            RequestContext ctx = OidcConditionKeys.BuildContext(claims, "aws", "123456789012");

            Assert.Equal("arn:aws:iam::123456789012:oidc-provider/gitlab.example.com", ctx.FederatedPrincipal);
            Assert.Equal(new[] { "gitlab.example.com:aud", "gitlab.example.com:sub" }, ctx.Keys.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Equal(ErrorIds.MalformedToken, Assert.Throws<GitlabStsException>(() => OidcConditionKeys.BuildContext(TokenClaims.FromClaims(new Dictionary<string, string>()), "aws", "123456789012")).ErrorId);
        }
    }

    /// <summary>One time check and one duration wording for the exchange and the diagnosis.</summary>
    public class TokenTimesTests
    {
        private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        [Theory]
        [InlineData(0, "0s")]
        [InlineData(59, "59s")]
        [InlineData(60, "1m 0s")]
        [InlineData(3599, "59m 59s")]
        [InlineData(3600, "1h 0m")]
        [InlineData(86399, "23h 59m")]
        [InlineData(86400, "1d 0h")]
        [InlineData(86400 + 6 * 3600, "1d 6h")]     // 0.1.0's diagnosis said "30h 0m" here; the exchange said "1d 6h"
        [InlineData(2 * 86400 - 60, "1d 23h")]      // 0.1.0's diagnosis: "47h 59m"
        [InlineData(-90, "1m 30s")]
        public void A_duration_is_written_one_way(int seconds, string text)
        {
            Assert.Equal(text, TokenTimes.FormatDuration(TimeSpan.FromSeconds(seconds)));
        }

        private static TokenClaims Times(long? exp, long? nbf = null)
        {
            var d = new Dictionary<string, string>();
            if (exp.HasValue) d["exp"] = (Now.ToUnixTimeSeconds() + exp.Value).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (nbf.HasValue) d["nbf"] = (Now.ToUnixTimeSeconds() + nbf.Value).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TokenClaims.FromClaims(d);
        }

        [Theory]
        [InlineData(-1L, true)]
        [InlineData(0L, true)]
        [InlineData(1L, false)]
        [InlineData(null, false)]
        public void Expired_means_exp_at_or_before_now(long? exp, bool expired)
        {
            Assert.Equal(expired, TokenTimes.IsExpired(Times(exp), Now));
        }

        [Theory]
        [InlineData(300L, false)]
        [InlineData(301L, true)]
        [InlineData(null, false)]
        public void Not_yet_valid_means_nbf_beyond_the_skew(long? nbf, bool notYet)
        {
            Assert.Equal(notYet, TokenTimes.IsNotYetValid(Times(3600, nbf), Now, TokenTimes.DefaultClockSkew));
        }

        [Fact]
        public void The_exchange_and_the_diagnosis_word_an_expiry_alike()
        {
            long t = Now.ToUnixTimeSeconds();
            string raw = TestTokens.Mint(edit: c => { c["iat"] = t - 40 * 3600; c["nbf"] = t - 40 * 3600; c["exp"] = t - 30 * 3600; });
            IdToken token = IdToken.Parse(raw, "-WebIdentityToken");

            var e = Assert.Throws<GitlabStsException>(() => token.CheckTimes(Now, TokenTimes.DefaultClockSkew));
            Assert.Contains("(1d 6h ago)", e.Message);

            DiagnosisResult r = OidcDiagnosis.Run(new DiagnosisInput { Claims = token.Claims, Now = Now });
            DiagnosisCheck expiry = r.Checks.Single(c => c.Name == "TokenExpiry");
            Assert.Equal(CheckResult.Fail, expiry.Result);
            Assert.Equal(CheckCodes.TokenExpired, expiry.Code);
            Assert.Contains("1d 6h ago", expiry.Detail);
        }

        [Fact]
        public void Role_tester_skips_the_exchange_by_the_same_nbf_check_the_exchange_refuses_by()
        {
            long t = Now.ToUnixTimeSeconds();
            string raw = TestTokens.Mint(edit: c => { c["iat"] = t; c["nbf"] = t + 301; c["exp"] = t + 3600; });
            IdToken token = IdToken.Parse(raw, "-WebIdentityToken");
            var e = Assert.Throws<GitlabStsException>(() => token.CheckTimes(Now, TokenTimes.DefaultClockSkew));
            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);

            var settings = new ExchangeSettings { RoleArn = "arn:aws:iam::123456789012:role/ci/deploy", Token = new TokenSource(TokenSourceKind.Text, raw), EndpointUrl = "http://127.0.0.1:9" };
            RoleTestResult result = RoleTester.Run(settings, new RoleTestOptions(), Env.Of(), NullLog.Instance, Now, default);
            DiagnosisCheck exchange = result.Checks.Single(c => c.Name == RoleTester.ExchangeCheck);
            Assert.Equal(CheckResult.Skip, exchange.Result);
            Assert.Contains("not valid yet", exchange.Detail);
            Assert.Equal(CheckCodes.TokenNotYetValid, result.ErrorCode);
        }
    }

    /// <summary>One role-ARN type: the diagnosis and the suggested policy read the role by <see cref="RoleArn"/>.</summary>
    public class RoleArnSharingTests
    {
        [Theory]
        [InlineData("arn:aws:iam::123456789012:role/ci/deploy", "aws", "123456789012")]
        [InlineData("arn:aws-cn:iam::111122223333:role/a/b", "aws-cn", "111122223333")]
        [InlineData(" arn:aws-us-gov:iam::111122223333:role/x ", "aws-us-gov", "111122223333")]
        public void Try_parse_reads_what_parse_reads(string text, string partition, string account)
        {
            global::GitlabSts.Core.Sts.RoleArn? arn = global::GitlabSts.Core.Sts.RoleArn.TryParse(text);
            Assert.NotNull(arn);
            Assert.Equal(partition, arn!.Partition);
            Assert.Equal(account, arn.AccountId);
            Assert.Equal(global::GitlabSts.Core.Sts.RoleArn.Parse(text).Value, arn.Value);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("arn:aws:iam::12345678901:role/x")]
        [InlineData("arn:aws:iam::123456789012:user/x")]
        [InlineData("arn:aws:s3:::bucket")]
        public void Try_parse_returns_null_where_parse_throws(string? text)
        {
            Assert.Null(global::GitlabSts.Core.Sts.RoleArn.TryParse(text));
            var e = Assert.Throws<GitlabStsException>(() => global::GitlabSts.Core.Sts.RoleArn.Parse(text));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
        }

        [Fact]
        public void Suggested_policy_without_a_role_uses_the_placeholder_account()
        {
            string policy = SuggestedPolicy.Build("https://gitlab.com", "arn:aws:iam::123456789012:user/x", "sub", new[] { "aud" });
            Assert.Contains($"arn:aws:iam::{SuggestedPolicy.AccountPlaceholder}:oidc-provider/gitlab.com", policy);
        }
    }
}
