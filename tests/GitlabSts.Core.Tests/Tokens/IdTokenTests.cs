using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using GitlabSts.Core.Tokens;
using Xunit;

using GitlabSts.Core.Tests.Sts;

namespace GitlabSts.Core.Tests.Tokens
{
    public class IdTokenTests
    {
        private const string Origin = "-WebIdentityToken";

        private static readonly string Header = TestTokens.B64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");

        private static string Valid => TestTokens.Mint();

        private static string Payload(Action<JsonObject> edit)
        {
            JsonObject c = TestTokens.Claims();
            edit(c);
            return c.ToJsonString();
        }

        private static string WithClaims(Action<JsonObject> edit) => TestTokens.Sign("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", Payload(edit));

        private static string WithHeader(string headerJson) => TestTokens.Sign(headerJson, TestTokens.Claims().ToJsonString());

        private static string ImpossibleLength(string p)
        {
            while (p.Length % 4 != 1)
            {
                p += "A";
            }

            return p;
        }

        private static string Part(int i) => Valid.Split('.')[i];

        /// <summary>Malformed forms: name → (token, what the message must say).</summary>
        private static readonly Dictionary<string, (Func<string?> Token, string Says)> Cases = new Dictionary<string, (Func<string?>, string)>
        {
            ["null"] = (() => null, "is empty"),
            ["empty"] = (() => "", "is empty"),
            ["whitespace"] = (() => " \t\r\n ", "is empty"),
            ["1 part"] = (() => Part(0) + Part(1) + Part(2), "has 1 part(s)"),
            ["2 parts"] = (() => Part(0) + "." + Part(1), "has 2 part(s)"),
            ["4 parts"] = (() => Valid + "." + Part(2), "has 4 part(s)"),
            ["5 parts (JWE)"] = (() => TestTokens.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + "." + Part(2) + "." + Part(2).Substring(0, 16) + "." + Part(1) + "." + Part(2).Substring(0, 22), "encrypted JWE"),
            ["empty header"] = (() => "." + Part(1) + "." + Part(2), "has an empty header"),
            ["empty payload"] = (() => Part(0) + ".." + Part(2), "has an empty payload"),
            ["empty signature"] = (() => Part(0) + "." + Part(1) + ".", "has an empty signature"),
            ["standard base64 '+' in signature"] = (() => Part(0) + "." + Part(1) + ".ab+cd/" + Part(2), "not base64url in its signature (position 3"),
            ["bad char in payload"] = (() => Part(0) + "." + Part(1).Insert(5, "*") + "." + Part(2), "not base64url in its payload (position 6"),
            ["'=' padding"] = (() => Part(0) + "==." + Part(1) + "." + Part(2), "not base64url in its header"),
            ["quoted token"] = (() => "\"" + Valid + "\"", "not base64url in its header (position 1"),
            ["impossible base64 length"] = (() => Part(0) + "." + ImpossibleLength(Part(1)) + "." + Part(2), "payload that is not valid base64url"),
            ["non-JSON header"] = (() => TestTokens.B64("RS256 JWT") + "." + Part(1) + "." + Part(2), "header that is not JSON"),
            ["non-JSON payload"] = (() => Header + "." + TestTokens.B64("iss=https://gitlab.com") + "." + Part(2), "payload that is not JSON"),
            ["payload not UTF-8"] = (() => Header + "." + TestTokens.B64(new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }) + "." + Part(2), "payload that is not JSON"),
            ["JSON array payload"] = (() => Header + "." + TestTokens.B64("[{\"iss\":\"https://gitlab.com\"}]") + "." + Part(2), "payload that is JSON but not an object"),
            ["JSON string header"] = (() => TestTokens.B64("\"RS256\"") + "." + Part(1) + "." + Part(2), "header that is JSON but not an object"),
            ["alg none"] = (() => WithHeader("{\"alg\":\"none\",\"typ\":\"JWT\"}"), "unsigned (alg 'none')"),
            ["alg NONE"] = (() => WithHeader("{\"alg\":\"NONE\"}"), "unsigned (alg 'none')"),
            ["no alg"] = (() => WithHeader("{\"typ\":\"JWT\"}"), "no 'alg'"),
            ["empty alg"] = (() => WithHeader("{\"alg\":\"\"}"), "no 'alg'"),
            ["numeric alg"] = (() => WithHeader("{\"alg\":256}"), "no 'alg'"),
            ["no exp"] = (() => WithClaims(c => c.Remove("exp")), "no numeric 'exp'"),
            ["string exp"] = (() => WithClaims(c => c["exp"] = "1764153600"), "no numeric 'exp'"),
            ["null exp"] = (() => WithClaims(c => c["exp"] = null), "no numeric 'exp'"),
            ["exp beyond year 9999"] = (() => WithClaims(c => c["exp"] = 253402300800L), "'exp'"),
            ["exp 1e300"] = (() => WithClaims(c => c["exp"] = 1e300), "'exp'"),
            ["nbf beyond year 9999"] = (() => WithClaims(c => c["nbf"] = 99999999999999L), "'nbf'"),
            ["no iss"] = (() => WithClaims(c => c.Remove("iss")), "no 'iss'"),
            ["empty iss"] = (() => WithClaims(c => c["iss"] = ""), "no 'iss'"),
            ["numeric iss"] = (() => WithClaims(c => c["iss"] = 42), "no 'iss'"),
            ["no sub"] = (() => WithClaims(c => c.Remove("sub")), "no 'sub'"),
            ["no aud"] = (() => WithClaims(c => c.Remove("aud")), "no 'aud'"),
            ["empty aud array"] = (() => WithClaims(c => c["aud"] = new JsonArray()), "no 'aud'"),
            ["aud array with an empty string"] = (() => WithClaims(c => c["aud"] = new JsonArray("sts.amazonaws.com", "")), "no 'aud'"),
            ["empty aud string"] = (() => WithClaims(c => c["aud"] = ""), "no 'aud'"),
            ["numeric aud"] = (() => WithClaims(c => c["aud"] = 7), "no 'aud'"),
            ["over 20000 chars"] = (() => WithClaims(c => c["padding"] = new string('x', 15100)), "bytes; STS accepts at most 20000)"),
        };

        public static IEnumerable<object[]> MalformedCases => Cases.Keys.Select(k => new object[] { k });

        [Fact]
        public void At_least_twenty_malformed_forms_are_covered()
        {
            Assert.True(Cases.Count >= 20, $"only {Cases.Count} cases");
        }

        [Theory]
        [MemberData(nameof(MalformedCases))]
        public void Malformed_token_is_rejected_with_a_reason_and_without_its_text(string name)
        {
            string? token = Cases[name].Token();
            var e = Assert.Throws<GitlabStsException>(() => IdToken.Parse(token, Origin));

            Assert.Equal(ErrorIds.MalformedToken, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, e.Kind);
            Assert.StartsWith($"The ID token from {Origin} ", e.Message);
            Assert.True(e.Message.Contains(Cases[name].Says, StringComparison.Ordinal), $"message lacks '{Cases[name].Says}': {e.Message}");
            Assert.Equal(Origin, e.Target);
            if (!string.IsNullOrWhiteSpace(token))
            {
                foreach (string part in token!.Split('.').Where(p => p.Length >= 8))
                {
                    Assert.DoesNotContain(part, e.Message, StringComparison.Ordinal);
                }
            }
        }

        [Fact]
        public void Over_long_token_says_its_length()
        {
            string token = Cases["over 20000 chars"].Token()!;
            Assert.True(token.Length > IdToken.MaxLength);
            var e = Assert.Throws<GitlabStsException>(() => IdToken.Parse(token, Origin));
            Assert.Contains($"is larger than an ID token can be ({token.Length} bytes; STS accepts at most 20000)", e.Message);
        }

        [Fact]
        public void Valid_token_is_really_RS256_signed_and_parses_its_claims()
        {
            string token = Valid;
            Assert.True(TestTokens.Verify(token));

            IdToken t = IdToken.Parse("\n " + token + " \r\n", Origin);

            Assert.Equal(token, t.Raw);
            Assert.Equal("https://gitlab.com", t.Issuer);
            Assert.Equal("gitlab.com", t.IssuerKey);
            Assert.Equal("project_path:acme/infra:ref_type:branch:ref:main", t.Subject);
            Assert.Equal(new[] { "https://gitlab.com" }, t.Audience);
            Assert.Equal("RS256", t.Algorithm);
            Assert.Equal("test-key-1", t.KeyId);
            Assert.Equal("acme/infra", t.GetClaim("project_path"));
            Assert.Equal("12270807", t.GetClaim("runner_id"));
            Assert.Null(t.GetClaim("no_such_claim"));
            Assert.Contains("\"project_id\":\"987654\"", t.ClaimsJson);
            long now = TestTokens.Now.ToUnixTimeSeconds();
            Assert.Equal(now + 3600, t.ExpiresAt!.Value.ToUnixTimeSeconds());
            Assert.Equal(now - 5, t.NotBefore!.Value.ToUnixTimeSeconds());
            Assert.Equal(now, t.IssuedAt!.Value.ToUnixTimeSeconds());
            Assert.Equal(Origin, t.Origin);
        }

        [Fact]
        public void Audience_array_is_read_whole()
        {
            IdToken t = IdToken.Parse(WithClaims(c => c["aud"] = new JsonArray("sts.amazonaws.com", "https://vault.example.com")), Origin);
            Assert.Equal(new[] { "sts.amazonaws.com", "https://vault.example.com" }, t.Audience);
        }

        [Theory]
        [InlineData("https://gitlab.com", "gitlab.com")]
        [InlineData("https://gitlab.example.com/", "gitlab.example.com")]
        [InlineData("https://gitlab.example.com/gitlab", "gitlab.example.com/gitlab")]
        [InlineData("gitlab.example.com", "gitlab.example.com")]
        public void IssuerKey_drops_scheme_and_trailing_slash(string iss, string key)
        {
            Assert.Equal(key, GitlabSts.Core.Policy.OidcConditionKeys.IssuerKey(iss));
        }

        [Theory]
        [InlineData("valid", true)]
        [InlineData("valid with spaces around", true)]
        [InlineData("short", false)]
        [InlineData("no eyJ prefix", false)]
        [InlineData("two dots only via 4 parts", false)]
        [InlineData("space inside", false)]
        [InlineData("null", false)]
        public void LooksLikeJwt_is_a_cheap_shape_test(string name, bool expected)
        {
            string v = Valid;
            string? text = name switch
            {
                "valid" => v,
                "valid with spaces around" => "  " + v + "\n",
                "short" => "eyJ.a.b",
                "no eyJ prefix" => "abc" + v.Substring(3),
                "two dots only via 4 parts" => v + ".abc",
                "space inside" => v.Insert(40, " "),
                _ => null,
            };
            Assert.Equal(expected, IdToken.LooksLikeJwt(text));
        }

        // ---- times ----

        private static readonly DateTimeOffset Clock = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        private static IdToken At(long? expOffset, long? nbfOffset)
        {
            long t = Clock.ToUnixTimeSeconds();
            string token = WithClaims(c =>
            {
                c["iat"] = t - 60;
                if (expOffset.HasValue) c["exp"] = t + expOffset.Value;
                if (nbfOffset.HasValue) c["nbf"] = t + nbfOffset.Value; else c.Remove("nbf");
            });
            return IdToken.Parse(token, Origin);
        }

        [Theory]
        [InlineData(-90, "2026-03-01T11:58:30Z", "1m 30s ago")]
        [InlineData(0, "2026-03-01T12:00:00Z", "0s ago")]
        [InlineData(-7200 - 300, "2026-03-01T09:55:00Z", "2h 5m ago")]
        [InlineData(-86400 * 3, "2026-02-26T12:00:00Z", "3d 0h ago")]
        public void Expired_token_says_when_it_expired(long expOffset, string when, string ago)
        {
            IdToken t = At(expOffset, null);
            var e = Assert.Throws<GitlabStsException>(() => t.CheckTimes(Clock, TimeSpan.FromMinutes(5)));
            Assert.Equal(ErrorIds.TokenExpired, e.ErrorId);
            Assert.Contains($"expired at {when} ({ago})", e.Message);
            TestTokens.AssertNoSecret(e.Message, t.Raw);
        }

        [Theory]
        [InlineData(1, null)]
        [InlineData(3600, -5)]
        [InlineData(3600, 240)]
        [InlineData(3600, 300)]
        public void Valid_times_pass(long expOffset, int? nbfOffset)
        {
            At(expOffset, nbfOffset).CheckTimes(Clock, TimeSpan.FromMinutes(5));
        }

        [Theory]
        [InlineData(301, "2026-03-01T12:05:01Z", "5m 1s from now")]
        [InlineData(3000, "2026-03-01T12:50:00Z", "50m 0s from now")]
        public void Nbf_beyond_the_skew_is_an_invalid_identity_token(long nbfOffset, string when, string inText)
        {
            IdToken t = At(7200, nbfOffset);
            var e = Assert.Throws<GitlabStsException>(() => t.CheckTimes(Clock, TimeSpan.FromMinutes(5)));
            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
            Assert.Contains($"not valid before {when} ({inText})", e.Message);
            Assert.Contains("clock", e.Message);
            TestTokens.AssertNoSecret(e.Message, t.Raw);
        }

        [Fact]
        public void ToString_names_claims_not_the_token()
        {
            IdToken t = IdToken.Parse(Valid, "environment variable GITLAB_OIDC_TOKEN");
            string s = t.ToString();
            Assert.Equal("ID token from environment variable GITLAB_OIDC_TOKEN (iss 'https://gitlab.com', aud 'https://gitlab.com', sub 'project_path:acme/infra:ref_type:branch:ref:main')", s);
            TestTokens.AssertNoSecret(s, t.Raw);
        }
    }
}
