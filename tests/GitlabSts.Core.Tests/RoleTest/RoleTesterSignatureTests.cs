using System;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tests.Policy;
using GitlabSts.Core.Tokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.RoleTest
{
    /// <summary>
    /// Test-GitlabOidcRole's Signature check: always there (Skip without -VerifySignature or with -Offline), keys fetched
    /// only from an issuer named by -Issuer, CI_SERVER_URL or the trust policy; and -ClientId never takes a token.
    /// </summary>
    public class RoleTesterSignatureTests : IDisposable
    {
        private const string Role = "arn:aws:iam::123456789012:role/gitlab-deployer";
        private static readonly RsaSecurityKey Key = LocalOidcIssuer.NewKey("kid-role-test");
        private readonly LocalOidcIssuer _issuer = new LocalOidcIssuer();

        public RoleTesterSignatureTests() => _issuer.Keys.Add(Key);

        public void Dispose() => _issuer.Dispose();

        private static RoleTestResult Run(string token, RoleTestOptions options, IEnvironmentReader env = null, CapturingLog log = null,
            StsFakes.Scripted sts = null)
        {
            var settings = new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, token), MaxAttempts = 1 };
            sts = sts ?? new StsFakes.Scripted().Answer(StsFakes.Response());
            return RoleTester.Run(settings, options, env ?? Env.Of(), log ?? new CapturingLog(), DateTimeOffset.UtcNow, CancellationToken.None,
                sts.Exchanger(), (c, _) => new CallerIdentity("123456789012", c.AssumedRoleArn ?? "?", "AROAEXAMPLE:x"));
        }

        private static DiagnosisCheck Signature(RoleTestResult r) => Assert.Single(r.Checks, c => c.Name == RoleTester.SignatureCheck);

        private static string WithGarbageSignature(string token)
        {
            string[] p = token.Split('.');
            return p[0] + "." + p[1] + ".Z2FyYmFnZS1zaWduYXR1cmU";
        }

        [Fact]
        public void Without_VerifySignature_the_Signature_check_is_Skip_and_says_the_token_is_not_verified()
        {
            var sts = new StsFakes.Scripted().Answer(StsFakes.Response());

            RoleTestResult r = Run(_issuer.Sign(Key), new RoleTestOptions(), sts: sts);

            DiagnosisCheck c = Signature(r);
            Assert.Equal(CheckResult.Skip, c.Result);
            Assert.Equal(RoleTester.SignatureNotVerified, c.Detail);
            Assert.Contains("Not verified: add -VerifySignature", c.Detail);
            Assert.Equal(0, _issuer.Requests);
            Assert.Single(sts.Calls);
        }

        [Fact]
        public void Offline_with_a_garbage_signature_reports_the_Signature_check_as_Skip()
        {
            string garbage = WithGarbageSignature(TestTokens.Mint());

            foreach (bool verify in new[] { false, true })
            {
                RoleTestResult r = RoleTester.Run(
                    new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, garbage) },
                    new RoleTestOptions { Offline = true, VerifySignature = verify, Issuer = "https://gitlab.com" },
                    Env.Of(), new CapturingLog(), TestTokens.Now, CancellationToken.None);

                Assert.False(r.Success);   // no trust policy offline: no verdict (NoTrustPolicy), whatever the signature
                Assert.Equal("NoTrustPolicy", r.ErrorCode);
                DiagnosisCheck c = Signature(r);
                Assert.Equal(CheckResult.Skip, c.Result);
                Assert.StartsWith("Not verified", c.Detail);
                Assert.Contains(verify ? "-Offline" : "add -VerifySignature", c.Detail);
            }
        }

        [Fact]
        public void A_malformed_token_still_has_a_Signature_check()
        {
            RoleTestResult r = Run("not-a-token-at-all", new RoleTestOptions { Offline = true });

            Assert.False(r.Success);
            Assert.Equal(CheckResult.Skip, Signature(r).Result);
        }

        [Fact]
        public void VerifySignature_with_an_issuer_nobody_named_fails_without_a_request()
        {
            var log = new CapturingLog();

            RoleTestResult r = Run(_issuer.Sign(Key), new RoleTestOptions { VerifySignature = true },
                Env.Of(("CI_SERVER_URL", "https://gitlab.example.com")), log);

            DiagnosisCheck c = Signature(r);
            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal(CheckCodes.IssuerNotNamed, c.Code);
            Assert.Contains("-Issuer " + _issuer.Issuer, c.Detail);
            Assert.Contains("https://gitlab.example.com (from CI_SERVER_URL)", c.Detail);
            Assert.Equal(0, _issuer.Requests);
            Assert.False(r.Success);
            Assert.Equal(CheckCodes.IssuerNotNamed, r.ErrorCode);
        }

        public static TheoryData<string> Ways => new TheoryData<string> { "-Issuer", "CI_SERVER_URL", "-TrustPolicy" };

        [Theory]
        [MemberData(nameof(Ways))]
        public void VerifySignature_fetches_the_keys_of_a_named_issuer(string way)
        {
            string provider = "arn:aws:iam::123456789012:oidc-provider/" + _issuer.Issuer.Substring("http://".Length);
            var options = new RoleTestOptions { VerifySignature = true };
            IEnvironmentReader env = Env.Of();
            if (way == "-Issuer") options.Issuer = _issuer.Issuer;
            else if (way == "CI_SERVER_URL") env = Env.Of(("CI_SERVER_URL", _issuer.Issuer));
            else options.TrustPolicyJson = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\""
                + provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}";

            RoleTestResult r = Run(_issuer.Sign(Key), options, env);

            DiagnosisCheck c = Signature(r);
            Assert.True(c.Result == CheckResult.Pass, c.Detail);
            Assert.Equal(2, _issuer.Requests);
        }

        [Fact]
        public void Issuer_that_is_no_URL_is_InvalidClaim()
        {
            var e = Assert.Throws<GitlabStsException>(() => Run(_issuer.Sign(Key), new RoleTestOptions { Offline = true, Issuer = "ftp://x" }));

            Assert.Equal(ErrorIds.InvalidClaim, e.ErrorId);
        }

        [Theory]
        [InlineData("token")]
        [InlineData(" token ")]
        [InlineData("dir/token")]
        public void A_token_in_ClientId_is_refused_without_showing_it(string shape)
        {
            string token = TestTokens.Mint();
            string value = shape.Replace("token", token);
            var log = new CapturingLog();

            var e = Assert.Throws<GitlabStsException>(() => Run(token, new RoleTestOptions { Offline = true, ClientIds = new[] { "sts.amazonaws.com", value } }, log: log));

            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
            Assert.Equal("ClientId", e.Target);
            Assert.Contains("-ClientId holds what looks like an ID token", e.Message);
            TestTokens.AssertNoSecret(e.Message + string.Join("\n", log.All()), token);
        }
    }
}
