using System;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    public class StsErrorMappingTests
    {
        [Fact]
        public void Every_contract_code_has_a_case()
        {
            string[] contractCodes =
            {
                "AccessDenied", "InvalidIdentityToken", "ExpiredTokenException", "IDPCommunicationError", "IDPRejectedClaim",
                "MalformedPolicyDocument", "PackedPolicyTooLarge", "RegionDisabledException", "Throttling",
            };
            foreach (string code in contractCodes)
            {
                Assert.Contains(StsFakes.Failures.Values, f => f.Code == code);
            }

            Assert.Contains(StsFakes.Failures.Values, f => f.Id == ErrorIds.NetworkError && f.Code == "Timeout");
            Assert.Contains(StsFakes.Failures.Values, f => f.Id == ErrorIds.NetworkError && f.Code == "ConnectionError");
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void Classify_maps_each_failure_to_its_id_and_transience(string name)
        {
            var (make, id, transient, code) = StsFakes.Failures[name];
            StsFailure f = StsFailure.Classify(make());
            Assert.Equal(id, f.ErrorId);
            Assert.Equal(transient, f.Transient);
            Assert.Equal(code, f.Code);
        }

        [Theory]
        [MemberData(nameof(StsFakes.FailureNames), MemberType = typeof(StsFakes))]
        public void Through_the_exchanger_each_failure_has_its_id_attempts_and_code_in_the_message(string name)
        {
            var (make, id, transient, code) = StsFakes.Failures[name];
            var fake = new StsFakes.Scripted().Fail(make, 3);
            ExchangeRequest request = StsFakes.Request(maxAttempts: 3);
            var log = new CapturingLog();

            var e = Assert.Throws<GitlabStsException>(() => fake.Exchanger().Exchange(request, log, CancellationToken.None));

            int expectedAttempts = transient ? 3 : 1;
            Assert.Equal(id, e.ErrorId);
            Assert.Equal(expectedAttempts, e.Attempts);
            Assert.Equal(expectedAttempts, fake.Calls.Count);
            Assert.Equal(expectedAttempts - 1, fake.Delays.Count);
            Assert.Equal(code, e.StsErrorCode);
            Assert.Contains(code, e.Message);
            Assert.Equal(request.RoleArn.Value, e.Target);
            if (transient)
            {
                Assert.Contains("after 3 attempts", e.Message);
            }
            else
            {
                Assert.DoesNotContain("attempts", e.Message);
            }

            TestTokens.AssertNoSecret(e.Message, request.Token.Raw);
            foreach (string line in log.All())
            {
                TestTokens.AssertNoSecret(line, request.Token.Raw);
            }
        }

        [Theory]
        [InlineData(TestTokens.GitlabCom, "https://gitlab.com", "gitlab.com", "project_path:acme/infra:ref_type:branch:ref:main", "https://gitlab.com")]
        [InlineData(TestTokens.SelfManaged, "https://gitlab.example.com", "gitlab.example.com", "project_path:my-group/my-project:ref_type:branch:ref:feature-branch-1", "https://vault.example.com")]
        public void AccessDenied_explains_the_trust_policy_check(string fixture, string iss, string key, string sub, string aud)
        {
            ExchangeRequest request = StsFakes.Request(token: TestTokens.Mint(fixture));
            var e = StsMessages.ToException(StsFailure.Classify(StsFakes.Failures["AccessDenied"].Make()), request, 1);

            Assert.Equal(ErrorIds.AccessDenied, e.ErrorId);
            Assert.Equal(ErrorKind.PermissionDenied, e.Kind);
            Assert.Contains($"iss '{iss}'", e.Message);
            Assert.Contains($"aud '{aud}'", e.Message);
            Assert.Contains($"sub '{sub}'", e.Message);
            Assert.Contains($"{key}:aud", e.Message);
            Assert.Contains($"{key}:sub", e.Message);
            Assert.Contains($"arn:aws:iam::123456789012:oidc-provider/{key}", e.Message);
            Assert.Contains("Test-GitlabOidcRole", e.Message);
            Assert.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", e.Message);
            TestTokens.AssertNoSecret(e.Message, request.Token.Raw);
        }

        [Fact]
        public void AccessDenied_provider_arn_uses_the_role_partition()
        {
            ExchangeRequest request = StsFakes.Request(role: "arn:aws-us-gov:iam::123456789012:role/r", region: "us-gov-west-1");
            var e = StsMessages.ToException(StsFailure.Classify(StsFakes.Failures["AccessDenied"].Make()), request, 1);
            Assert.Contains("arn:aws-us-gov:iam::123456789012:oidc-provider/gitlab.com", e.Message);
        }

        [Theory]
        [InlineData("InvalidIdentityToken (audience)", "IAM OIDC provider for https://gitlab.com exists in account 123456789012")]
        [InlineData("InvalidIdentityToken (verification key)", "https://gitlab.com/.well-known/openid-configuration")]
        [InlineData("ExpiredTokenException", "clock")]
        [InlineData("IDPCommunicationError", "-MaxAttempts")]
        [InlineData("IDPRejectedClaim", "client ids")]
        [InlineData("MalformedPolicyDocument", "-Policy")]
        [InlineData("PackedPolicyTooLarge", "shorten -Policy")]
        [InlineData("RegionDisabledException", "not activated in us-east-1")]
        [InlineData("ValidationError", "maximum session duration")]
        [InlineData("Throttling", "retry later")]
        [InlineData("HTTP 502 without a code", "retry later")]
        [InlineData("connection refused", "AWS_ENDPOINT_URL_STS")]
        [InlineData("HttpClient timeout", "https://sts.us-east-1.amazonaws.com")]
        public void Messages_say_what_to_do(string name, string says)
        {
            ExchangeRequest request = StsFakes.Request();
            var f = StsFakes.Failures[name];
            var e = StsMessages.ToException(StsFailure.Classify(f.Make()), request, 2);
            Assert.Contains(says, e.Message);
            Assert.Contains(f.Code, e.Message);
        }

        [Fact]
        public void Unreadable_body_says_it_is_not_an_sts_response()
        {
            var e = StsMessages.ToException(StsFailure.Classify(StsFakes.Failures["unreadable body, HTTP 200"].Make()), StsFakes.Request(), 1);
            Assert.Equal(ErrorIds.StsError, e.ErrorId);
            Assert.Contains("HTTP 200", e.Message);
            Assert.Contains("not an STS response", e.Message);
        }

        [Theory]
        [InlineData("Couldn't retrieve verification key from your identity provider", true)]
        [InlineData("Unable to retrieve the signing key", true)]
        [InlineData("Incorrect token audience", false)]
        [InlineData("No OpenIDConnect provider found in your account for https://gitlab.com", false)]
        [InlineData("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)", false)]
        [InlineData(null, false)]
        public void Key_retrieval_is_told_apart_from_other_InvalidIdentityToken_messages(string? message, bool keyRetrieval)
        {
            Assert.Equal(keyRetrieval, StsFailure.IsKeyRetrievalMessage(message));
            StsFailure f = StsFailure.FromServiceError("InvalidIdentityToken", message, 400);
            Assert.Equal(keyRetrieval, f.IsKeyRetrievalFailure);
            Assert.Equal(keyRetrieval ? StsRetryClass.IdentityProvider : StsRetryClass.None, f.Retry);
        }

        [Fact]
        public void A_token_echoed_by_sts_is_redacted_from_the_message()
        {
            ExchangeRequest request = StsFakes.Request();
            string raw = request.Token.Raw;
            string signature = raw.Split('.')[2];
            foreach (string name in new[] { "AccessDenied", "InvalidIdentityToken (audience)", "RegionDisabledException" })
            {
                string code = StsFakes.Failures[name].Code;
                var echo = new Amazon.SecurityToken.AmazonSecurityTokenServiceException(
                    $"Token {raw} rejected; signature {signature}", Amazon.Runtime.ErrorType.Sender, code, "r", System.Net.HttpStatusCode.BadRequest);
                var e = StsMessages.ToException(StsFailure.Classify(echo), request, 1);
                TestTokens.AssertNoSecret(e.Message, raw);
                Assert.Contains(Redactor.Mask, e.Message);
            }
        }
    }
}
