using System;
using System.Linq;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;
using Xunit;

using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests
{
    public class SecretsTests
    {
        private static readonly string Token = TestTokens.Mint();

        [Fact]
        public void ExchangeResult_ToString_shows_no_secret()
        {
            var r = new ExchangeResult(StsFakes.Request(token: Token), "ASIAIOSFODNN7EXAMPLE", StsFakes.SecretKey, StsFakes.SessionToken,
                new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc)) { AssumedRoleArn = "arn:aws:sts::123456789012:assumed-role/gitlab-deployer/s" };

            string s = r.ToString();

            Assert.Equal("ASIAIOSFODNN7EXAMPLE (arn:aws:sts::123456789012:assumed-role/gitlab-deployer/s, expires 2026-11-26T13:00:00Z)", s);
            Assert.DoesNotContain(StsFakes.SecretKey, s);
            Assert.DoesNotContain(StsFakes.SessionToken, s);
            TestTokens.AssertNoSecret(s, Token);
        }

        [Fact]
        public void IdToken_ToString_shows_no_part_of_the_token()
        {
            IdToken t = IdToken.Parse(Token, "-WebIdentityToken");
            string s = t.ToString();
            foreach (string part in Token.Split('.'))
            {
                Assert.DoesNotContain(part, s);
            }
        }

        [Theory]
        [InlineData("whole token", true)]
        [InlineData("signature only", true)]
        [InlineData("payload only", true)]
        [InlineData("token twice", true)]
        [InlineData("token inside a URL", true)]
        [InlineData("no secret", false)]
        public void Redactor_masks_a_token_echoed_in_a_server_message(string what, bool masked)
        {
            string[] p = Token.Split('.');
            string text = what switch
            {
                "whole token" => $"Invalid token: {Token}.",
                "signature only" => $"signature {p[2]} does not verify",
                "payload only" => $"claims {p[1]} rejected",
                "token twice" => $"{Token} and again {Token}",
                "token inside a URL" => $"https://example.com/?id_token={Token}&x=1",
                _ => "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            };

            string result = Redactor.Redact(text, new[] { null, "", Token });

            TestTokens.AssertNoSecret(result, Token);
            Assert.Equal(masked, result.Contains(Redactor.Mask));
            if (!masked)
            {
                Assert.Equal(text, result);
            }
        }

        [Theory]
        [InlineData(null, "")]
        [InlineData("", "")]
        public void Redactor_handles_empty_text(string? text, string expected)
        {
            Assert.Equal(expected, Redactor.Redact(text, new[] { Token }));
        }

        [Fact]
        public void Redactor_masks_other_secrets_and_ignores_very_short_ones()
        {
            string text = $"key {StsFakes.SecretKey} token {StsFakes.SessionToken} pin 1234567";
            string result = Redactor.Redact(text, new[] { StsFakes.SecretKey, StsFakes.SessionToken, "1234567" });
            Assert.Equal($"key {Redactor.Mask} token {Redactor.Mask} pin 1234567", result);
        }

        [Fact]
        public void No_error_from_any_stage_shows_the_token_or_credentials()
        {
            // Gather messages from discovery, parsing, request checks and every STS failure (with STS echoing the token).
            var messages = new System.Collections.Generic.List<string>();
            void Capture(Action a)
            {
                try
                {
                    a();
                }
                catch (GitlabStsException e)
                {
                    messages.Add(e.Message);
                    if (e.Target != null) messages.Add(e.Target);
                }
            }

            string other = TestTokens.With("https://gitlab.com", "x");
            var crowded = Env.Of(("CI_SERVER_URL", "https://gitlab.com"), ("A", Token), ("B", other));
            Capture(() => TokenDiscovery.Resolve(TokenSource.Discover, null, crowded, NullLog.Instance));
            Capture(() => TokenDiscovery.Resolve(TokenSource.Discover, "nope", crowded, NullLog.Instance));
            Capture(() => TokenDiscovery.Resolve(new TokenSource(TokenSourceKind.Text, Token), "nope", Env.Of(), NullLog.Instance));
            Capture(() => TokenDiscovery.Resolve(new TokenSource(TokenSourceKind.Variable, Token), null, Env.Of(), NullLog.Instance));
            Capture(() => TokenDiscovery.Resolve(new TokenSource(TokenSourceKind.File, Token), null, Env.Of(), NullLog.Instance));
            Capture(() => IdToken.Parse(Token + "." + Token.Split('.')[2], "-WebIdentityToken"));
            Capture(() => IdToken.Parse(Token + "=", "-WebIdentityToken"));
            Capture(() => IdToken.Parse(Token.Replace('.', ','), "-WebIdentityToken"));

            ExchangeRequest request = StsFakes.Request(token: Token);
            foreach (var (make, _, _, code) in StsFakes.Failures.Values)
            {
                Capture(() => throw StsMessages.ToException(StsFailure.Classify(make()), request, 2));
                var echo = new Amazon.SecurityToken.AmazonSecurityTokenServiceException(
                    $"bad token {Token}", Amazon.Runtime.ErrorType.Sender, code.StartsWith("HTTP") ? null : code, "r", System.Net.HttpStatusCode.BadRequest);
                Capture(() => throw StsMessages.ToException(StsFailure.Classify(echo), request, 1));
            }

            Assert.True(messages.Count > 2 * StsFakes.Failures.Count + 8);
            foreach (string m in messages)
            {
                TestTokens.AssertNoSecret(m, Token);
                TestTokens.AssertNoSecret(m, other);
                Assert.DoesNotContain(StsFakes.SecretKey, m);
                Assert.DoesNotContain(StsFakes.SessionToken, m);
            }
        }
    }
}
