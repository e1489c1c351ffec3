using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GitlabSts.Core.Policy;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Policy
{
    public class SignatureVerifierTests : IDisposable
    {
        private readonly LocalOidcIssuer _issuer = new LocalOidcIssuer();
        // RSA key generation is slow: made once for all tests.
        private static readonly RsaSecurityKey Current = LocalOidcIssuer.NewKey("kid-2025");
        private static readonly RsaSecurityKey Next = LocalOidcIssuer.NewKey("kid-2026");
        private static readonly System.Security.Cryptography.RSA Foreign = System.Security.Cryptography.RSA.Create(2048);
        private readonly RsaSecurityKey _current = Current;
        private readonly RsaSecurityKey _next = Next;

        public SignatureVerifierTests()
        {
            _issuer.Keys.Add(_current);
            _issuer.Keys.Add(_next);
        }

        public void Dispose() => _issuer.Dispose();

        private static Task<DiagnosisCheck> Verify(string token, TimeSpan? timeout = null) =>
            new SignatureVerifier { Timeout = timeout ?? TimeSpan.FromSeconds(10) }.VerifyAsync(token);

        private static void AssertNoTokenText(DiagnosisCheck c, string token)
        {
            string[] parts = token.Split('.');
            foreach (string text in new[] { c.Detail, c.Hint ?? "" })
            {
                Assert.DoesNotContain(parts[1], text);
                Assert.DoesNotContain(parts[2], text);
            }
        }

        [Theory]
        [InlineData("kid-2025")]
        [InlineData("kid-2026")]
        public async Task Valid_signature_passes_for_each_published_key(string kid)
        {
            string token = _issuer.Sign(kid == _current.KeyId ? _current : _next);

            DiagnosisCheck c = await Verify(token);

            Assert.True(CheckResult.Pass == c.Result, c.Detail);
            Assert.Contains($"key \"{kid}\"", c.Detail);
            Assert.Equal("Signature", c.Name);
        }

        [Fact]
        public async Task Wrong_key_with_a_published_kid_fails()
        {
            string token = _issuer.Sign(new RsaSecurityKey(Foreign) { KeyId = "kid-2025" });

            DiagnosisCheck c = await Verify(token);

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal("BadSignature", c.Code);
            AssertNoTokenText(c, token);
        }

        [Fact]
        public async Task Unknown_kid_fails_listing_the_available_kids()
        {
            string token = _issuer.Sign(new RsaSecurityKey(Foreign) { KeyId = "kid-rotated-away" });

            DiagnosisCheck c = await Verify(token);

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal("UnknownKeyId", c.Code);
            Assert.Contains("No key with kid \"kid-rotated-away\"", c.Detail);
            Assert.Contains("available kids: \"kid-2025\", \"kid-2026\"", c.Detail);
        }

        [Fact]
        public async Task Tampered_payload_fails()
        {
            string token = _issuer.Sign(_current);
            string[] parts = token.Split('.');
            string payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]))
                .Replace("acme/infra", "evil/infra");
            string tampered = parts[0] + "." + Base64UrlEncoder.Encode(payload) + "." + parts[2];

            DiagnosisCheck c = await Verify(tampered);

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal("BadSignature", c.Code);
            AssertNoTokenText(c, tampered);
        }

        [Theory]
        [InlineData("http://gitlab.example.com")]
        [InlineData("http://10.0.0.1:8080")]
        [InlineData("ftp://gitlab.example.com")]
        public async Task Plain_http_to_a_non_loopback_issuer_is_refused_without_a_request(string iss)
        {
            string token = _issuer.Sign(_current, iss);

            DiagnosisCheck c = await Verify(token);

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal("InsecureIssuer", c.Code);
            Assert.Equal(0, _issuer.Requests);
        }

        [Theory]
        [InlineData("http://localhost:1/", true)]
        [InlineData("http://127.0.0.2/", true)]
        [InlineData("http://[::1]:8080/", true)]
        [InlineData("https://gitlab.com", true)]
        [InlineData("http://gitlab.com", false)]
        [InlineData("http://127.example.com", false)]
        [InlineData("gitlab.com", false)]
        public void Url_rule(string url, bool allowed)
        {
            Assert.Equal(allowed, SignatureVerifier.CheckUrl(url, "issuer", out _) == null);
        }

        [Fact]
        public async Task Non_loopback_http_jwks_uri_is_refused()
        {
            _issuer.JwksUri = "http://keys.example.com/jwks";

            DiagnosisCheck c = await Verify(_issuer.Sign(_current));

            Assert.Equal("InsecureIssuer", c.Code);
            Assert.Contains("jwks_uri", c.Detail);
        }

        [Fact]
        public async Task Discovery_error_status_is_reported()
        {
            _issuer.DiscoveryStatus = 503;

            DiagnosisCheck c = await Verify(_issuer.Sign(_current));

            Assert.Equal("KeyFetchFailed", c.Code);
            Assert.Contains("HTTP 503", c.Detail);
        }

        [Fact]
        public async Task Slow_issuer_times_out()
        {
            _issuer.Delay = TimeSpan.FromSeconds(5);

            DiagnosisCheck c = await Verify(_issuer.Sign(_current), TimeSpan.FromMilliseconds(300));

            Assert.Equal("KeyFetchFailed", c.Code);
            Assert.Contains("timed out after 0.3 s", c.Detail);
        }

        [Fact]
        public async Task Caller_cancellation_throws()
        {
            _issuer.Delay = TimeSpan.FromSeconds(5);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SignatureVerifier().VerifyAsync(_issuer.Sign(_current), cts.Token));
        }

        [Theory]
        [InlineData("not-a-jwt")]
        [InlineData("a.b")]
        public async Task Malformed_token_fails(string token)
        {
            DiagnosisCheck c = await Verify(token);

            Assert.Equal("MalformedToken", c.Code);
            Assert.Equal(0, _issuer.Requests);
        }

        [Fact]
        public async Task Non_RS256_token_fails()
        {
            var hmac = new SymmetricSecurityKey(new byte[32]) { KeyId = "kid-2025" };
            string token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = _issuer.Issuer,
                SigningCredentials = new SigningCredentials(hmac, SecurityAlgorithms.HmacSha256),
            });

            DiagnosisCheck c = await Verify(token);

            Assert.Equal("UnsupportedAlgorithm", c.Code);
        }
    }
}
