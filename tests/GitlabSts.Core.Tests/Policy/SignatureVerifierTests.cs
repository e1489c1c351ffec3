using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
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

        /// <summary>Verifies with the local issuer named by -Issuer, unless <paramref name="named"/> says otherwise.</summary>
        private Task<DiagnosisCheck> Verify(string token, TimeSpan? timeout = null, NamedIssuers named = null) =>
            new SignatureVerifier { Timeout = timeout ?? TimeSpan.FromSeconds(10) }
                .VerifyAsync(token, named ?? NamedIssuers.From(_issuer.Issuer, null, Env.Of()));

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

            DiagnosisCheck c = await Verify(token, named: NamedIssuers.From(iss.Replace("ftp://", "http://"), null, Env.Of()));

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

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new SignatureVerifier().VerifyAsync(_issuer.Sign(_current), NamedIssuers.From(_issuer.Issuer, null, Env.Of()), cts.Token));
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
    
        // ---------------- keys only from an issuer the user named ----------------

        private string LocalProvider => "arn:aws:iam::123456789012:oidc-provider/" + _issuer.Issuer.Substring("http://".Length);

        private static string PolicyFor(string federated) =>
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + federated
            + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}";

        public static TheoryData<string> NobodyNamedIt => new TheoryData<string>
        {
            "nothing",
            "other -Issuer",
            "other CI_SERVER_URL",
            "other provider",
            "all three elsewhere",
        };

        private NamedIssuers Elsewhere(string how)
        {
            const string Other = "https://gitlab.example.com";
            string policy = PolicyFor("arn:aws:iam::123456789012:oidc-provider/gitlab.example.com");
            switch (how)
            {
                case "nothing": return NamedIssuers.From(null, null, Env.Of());
                case "other -Issuer": return NamedIssuers.From(Other, null, Env.Of());
                case "other CI_SERVER_URL": return NamedIssuers.From(null, null, Env.Of(("CI_SERVER_URL", Other)));
                case "other provider": return NamedIssuers.From(null, policy, Env.Of());
                default: return NamedIssuers.From("https://gitlab.com", policy, Env.Of(("CI_SERVER_URL", "http://127.0.0.1:1")));
            }
        }

        [Theory]
        [MemberData(nameof(NobodyNamedIt))]
        public async Task An_issuer_nobody_named_gets_no_request_and_the_check_says_which_to_name(string how)
        {
            DiagnosisCheck c = await Verify(_issuer.Sign(_current), named: Elsewhere(how));

            Assert.Equal(0, _issuer.Requests);
            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal(CheckCodes.IssuerNotNamed, c.Code);
            Assert.Contains($"-Issuer {_issuer.Issuer}", c.Detail);
            Assert.Contains("oidc-provider/" + _issuer.Issuer.Substring("http://".Length), c.Detail);
            Assert.Contains("-Issuer", c.Hint);
        }

        public static TheoryData<string> NamedWays => new TheoryData<string> { "-Issuer", "CI_SERVER_URL", "-TrustPolicy" };

        [Theory]
        [MemberData(nameof(NamedWays))]
        public async Task A_named_issuer_is_fetched_discovery_then_jwks(string way)
        {
            NamedIssuers named = way == "-Issuer" ? NamedIssuers.From(_issuer.Issuer + "/", null, Env.Of())
                : way == "CI_SERVER_URL" ? NamedIssuers.From(null, null, Env.Of(("CI_SERVER_URL", _issuer.Issuer)))
                : NamedIssuers.From(null, PolicyFor(LocalProvider), Env.Of());

            DiagnosisCheck c = await Verify(_issuer.Sign(_current), named: named);

            Assert.True(CheckResult.Pass == c.Result, c.Detail);
            Assert.Equal(new[] { "/.well-known/openid-configuration", "/oauth/discovery/keys" }, _issuer.Paths);
            Assert.Contains(way == "-TrustPolicy" ? "trust policy" : way, c.Detail);
        }

        [Fact]
        public async Task A_redirect_is_not_followed()
        {
            using (var elsewhere = new LocalOidcIssuer())
            {
                elsewhere.Keys.Add(_current);
                _issuer.RedirectTo = elsewhere.Issuer + "/.well-known/openid-configuration";

                DiagnosisCheck c = await Verify(_issuer.Sign(_current));

                Assert.Equal(1, _issuer.Requests);
                Assert.Equal(0, elsewhere.Requests);
                Assert.Equal(CheckResult.Fail, c.Result);
                Assert.Equal(CheckCodes.IssuerRedirect, c.Code);
                Assert.Contains("HTTP 302", c.Detail);
                Assert.Contains(_issuer.RedirectTo, c.Detail);
                Assert.Contains("not followed", c.Detail);
            }
        }

        [Fact]
        public async Task A_jwks_uri_on_another_host_or_port_is_refused_without_fetching_it()
        {
            using (var elsewhere = new LocalOidcIssuer())
            {
                elsewhere.Keys.Add(_current);
                foreach (string jwks in new[] { elsewhere.JwksUri, _issuer.JwksUri.Replace("127.0.0.1", "localhost") })
                {
                    _issuer.JwksUri = jwks;

                    DiagnosisCheck c = await Verify(_issuer.Sign(_current));

                    Assert.Equal(CheckResult.Fail, c.Result);
                    Assert.Equal(CheckCodes.ForeignJwksUri, c.Code);
                    Assert.Contains(jwks, c.Detail);
                }

                Assert.Equal(0, elsewhere.Requests);
                Assert.Equal(new[] { "/.well-known/openid-configuration", "/.well-known/openid-configuration" }, _issuer.Paths);
            }
        }

        [Fact]
        public async Task A_jwks_uri_with_another_scheme_is_refused()
        {
            _issuer.JwksUri = _issuer.JwksUri.Replace("http://", "https://");

            DiagnosisCheck c = await Verify(_issuer.Sign(_current));

            Assert.Equal(CheckCodes.ForeignJwksUri, c.Code);
            Assert.Equal(1, _issuer.Requests);
        }

        [Theory]
        [InlineData("https://gitlab.com", "https://gitlab.com", true)]
        [InlineData("https://GitLab.com/", "https://gitlab.com", true)]
        [InlineData("gitlab.com", "https://gitlab.com", true)]
        [InlineData("https://gitlab.com:443", "https://gitlab.com", true)]
        [InlineData("https://gitlab.example.com/gitlab", "https://gitlab.example.com/gitlab/", true)]
        [InlineData("https://gitlab.example.com/gitlab", "https://gitlab.example.com", false)]
        [InlineData("https://gitlab.example.com", "https://gitlab.example.com/gitlab", false)]
        [InlineData("https://gitlab.com", "http://gitlab.com", false)]
        [InlineData("https://gitlab.com", "https://gitlab.com.evil.example", false)]
        [InlineData("https://gitlab.com", "https://evil.example/gitlab.com", false)]
        [InlineData("https://gitlab.com", "https://gitlab.com:8443", false)]
        [InlineData("127.0.0.1:8080", "http://127.0.0.1:8080", true)]
        [InlineData("http://127.0.0.1:8080", "https://127.0.0.1:8080", false)]
        [InlineData("https://gitlab.com", "gitlab.com", false)]
        public void Which_iss_an_issuer_names(string named, string iss, bool match)
        {
            var issuers = new NamedIssuers();
            Assert.True(issuers.TryAdd(named, "-Issuer"));

            Assert.Equal(match, issuers.Find(iss) != null);
        }

        [Theory]
        [InlineData("ftp://gitlab.com")]
        [InlineData("https://user@gitlab.com")]
        [InlineData("https://gitlab.com?x=1")]
        [InlineData("https:// gitlab.com")]
        [InlineData("https://")]
        public void An_issuer_parameter_that_is_no_issuer_is_InvalidClaim(string issuer)
        {
            var e = Assert.Throws<GitlabStsException>(() => NamedIssuers.From(issuer, null, Env.Of()));

            Assert.Equal(ErrorIds.InvalidClaim, e.ErrorId);
            Assert.Equal("Issuer", e.Target);
        }

        [Fact]
        public void A_token_as_the_issuer_parameter_is_refused_without_showing_it()
        {
            string token = _issuer.Sign(_current);

            var e = Assert.Throws<GitlabStsException>(() => NamedIssuers.From(token, null, Env.Of()));

            Assert.Equal(ErrorIds.InvalidClaim, e.ErrorId);
            Assert.DoesNotContain(token.Split('.')[1], e.Message);
        }

        [Fact]
        public void The_trust_policy_names_each_federated_oidc_provider_and_nothing_else()
        {
            string policy = "{\"Statement\":[{\"Principal\":{\"Federated\":[\"arn:aws:iam::1:oidc-provider/a.example\",\"cognito-identity.amazonaws.com\"],"
                + "\"AWS\":\"arn:aws:iam::1:oidc-provider/not-federated.example\"}},"
                + "{\"Principal\":{\"Federated\":\"arn:aws-us-gov:iam::2:oidc-provider/b.example/path\"}},{\"Principal\":\"*\"}]}";

            NamedIssuers named = NamedIssuers.From(null, policy, Env.Of());

            Assert.NotNull(named.Find("https://a.example"));
            Assert.NotNull(named.Find("https://b.example/path"));
            Assert.Null(named.Find("https://not-federated.example"));
            Assert.Null(named.Find("https://cognito-identity.amazonaws.com"));
            Assert.Equal(2, named.Count);
            foreach (string bad in new[] { "not json", "[]", "{\"Statement\":5}", "{\"Statement\":[{\"Principal\":{\"Federated\":{}}}]}" })
            {
                Assert.Equal(0, NamedIssuers.From(null, bad, Env.Of()).Count);
            }
        }
    }
}
