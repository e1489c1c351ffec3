using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>
    /// The real AWSSDK client and unmarshallers against canned HTTP answers (no network): proves the exceptions the SDK
    /// really throws are classified as the contract says.
    /// </summary>
    public class StsSdkRoundTripTests
    {
        private static string Error(string code, string message, string type = "Sender") =>
            $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>{type}</Type><Code>{code}</Code>" +
            $"<Message>{WebUtility.HtmlEncode(message)}</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";

        private sealed class Canned : HttpMessageHandler
        {
            private readonly Func<HttpRequestMessage, HttpResponseMessage> _answer;

            public Canned(Func<HttpRequestMessage, HttpResponseMessage> answer) => _answer = answer;

            public int Requests { get; private set; }

            public string? LastBody { get; private set; }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Requests++;
                LastBody = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
                return _answer(request);
            }
        }

        private sealed class Factory : HttpClientFactory
        {
            private readonly HttpMessageHandler _handler;

            public Factory(HttpMessageHandler handler) => _handler = handler;

            public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new HttpClient(_handler, disposeHandler: false);

            public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

            public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
        }

        private static (StsExchanger Exchanger, Canned Handler) Sdk(Func<HttpRequestMessage, HttpResponseMessage> answer)
        {
            var handler = new Canned(answer);
            AmazonSecurityTokenServiceConfig config = StsClientFactory.CreateConfig("us-east-1", new Uri("http://sts.test/"));
            config.HttpClientFactory = new Factory(handler);
            var client = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), config);
            var exchanger = new StsExchanger((r, req, ct) => client.AssumeRoleWithWebIdentityAsync(r, ct), (d, ct) => Task.CompletedTask, new Random(1));
            return (exchanger, handler);
        }

        private static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType = "text/xml") =>
            new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

        [Fact]
        public void Fixture_success_response_becomes_credentials()
        {
            string xml = File.ReadAllText(StsFakes.FixturePath("sts-assume-role-with-web-identity-response.xml"));
            var (exchanger, handler) = Sdk(_ => Answer(HttpStatusCode.OK, xml));
            ExchangeRequest request = StsFakes.Request(endpoint: "http://sts.test/");

            ExchangeResult r = exchanger.Exchange(request, NullLog.Instance, CancellationToken.None);

            Assert.Equal(1, handler.Requests);
            Assert.Contains("Action=AssumeRoleWithWebIdentity", handler.LastBody);
            Assert.Contains("WebIdentityToken=" + request.Token.Raw, handler.LastBody);
            Assert.Equal("ASIAIOSFODNN7EXAMPLE", r.AccessKeyId);
            Assert.Equal(StsFakes.SecretKey, r.SecretAccessKey);
            Assert.Equal(StsFakes.SessionToken, r.SessionToken);
            Assert.Equal(new DateTime(2026, 11, 26, 13, 0, 0, DateTimeKind.Utc), r.Expiration);
            Assert.Equal("{\"Version\":1,\"AccessKeyId\":\"ASIAIOSFODNN7EXAMPLE\",\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\"," +
                         "\"SessionToken\":\"AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE\",\"Expiration\":\"2026-11-26T13:00:00Z\"}",
                CredentialProcessOutput.Format(r));
        }

        [Fact]
        public void Fixture_error_response_is_AccessDenied_tried_once()
        {
            string xml = File.ReadAllText(StsFakes.FixturePath("sts-error-response.xml"));
            var (exchanger, handler) = Sdk(_ => Answer(HttpStatusCode.Forbidden, xml));

            var e = Assert.Throws<GitlabStsException>(() => exchanger.Exchange(StsFakes.Request(5, endpoint: "http://sts.test/"), NullLog.Instance, CancellationToken.None));

            Assert.Equal(ErrorIds.AccessDenied, e.ErrorId);
            Assert.Equal(1, handler.Requests);
            Assert.Contains("Not authorized to perform sts:AssumeRoleWithWebIdentity", e.Message);
        }

        public static IEnumerable<object[]> Answers => new[]
        {
            new object[] { "IDPCommunicationError", 400, Error("IDPCommunicationError", "Couldn't contact the IdP"), ErrorIds.IdpCommunicationError, 3, "IDPCommunicationError" },
            new object[] { "key retrieval", 400, Error("InvalidIdentityToken", StsFakes.KeyRetrievalMessage), ErrorIds.InvalidIdentityToken, 3, "InvalidIdentityToken" },
            new object[] { "bad audience", 400, Error("InvalidIdentityToken", "Incorrect token audience"), ErrorIds.InvalidIdentityToken, 1, "InvalidIdentityToken" },
            new object[] { "expired", 400, Error("ExpiredTokenException", "Token expired"), ErrorIds.TokenExpired, 1, "ExpiredTokenException" },
            new object[] { "rejected claim", 403, Error("IDPRejectedClaim", "rejected"), ErrorIds.StsError, 1, "IDPRejectedClaim" },
            new object[] { "malformed policy", 400, Error("MalformedPolicyDocument", "bad policy"), ErrorIds.StsError, 1, "MalformedPolicyDocument" },
            new object[] { "packed policy", 400, Error("PackedPolicyTooLarge", "too large"), ErrorIds.StsError, 1, "PackedPolicyTooLarge" },
            new object[] { "region disabled", 403, Error("RegionDisabledException", "not activated"), ErrorIds.StsError, 1, "RegionDisabledException" },
            new object[] { "throttling", 400, Error("Throttling", "Rate exceeded"), ErrorIds.StsError, 3, "Throttling" },
            new object[] { "internal failure", 500, Error("InternalFailure", "oops", "Receiver"), ErrorIds.StsError, 3, "InternalFailure" },
            new object[] { "HTML 503", 503, "<html><body>Service Unavailable</body></html>", ErrorIds.StsError, 3, "503" },
            new object[] { "HTML 429", 429, "<html><body>Too many requests</body></html>", ErrorIds.StsError, 3, "429" },
            new object[] { "HTML 200", 200, "<html><body>Captive portal</body></html>", ErrorIds.StsError, 1, "HTTP 200" },
        };

        [Theory]
        [MemberData(nameof(Answers))]
        public void Sdk_exceptions_are_mapped(string name, int status, string body, string id, int attempts, string inMessage)
        {
            _ = name;
            var (exchanger, handler) = Sdk(_ => Answer((HttpStatusCode)status, body, body.StartsWith("<html", StringComparison.Ordinal) ? "text/html" : "text/xml"));

            var e = Assert.Throws<GitlabStsException>(() => exchanger.Exchange(StsFakes.Request(3, endpoint: "http://sts.test/"), NullLog.Instance, CancellationToken.None));

            Assert.True(e.ErrorId == id, $"{e.ErrorId} ({e.StsErrorCode}): {e.Message}");
            Assert.Equal(attempts, handler.Requests);
            Assert.Equal(attempts, e.Attempts);
            Assert.Contains(inMessage, e.Message);
        }

        [Fact]
        public void Refused_connection_is_a_NetworkError_after_retries()
        {
            var (exchanger, handler) = Sdk(_ => throw new HttpRequestException("Connection refused (sts.test:80)", new SocketException((int)SocketError.ConnectionRefused)));

            var e = Assert.Throws<GitlabStsException>(() => exchanger.Exchange(StsFakes.Request(3, endpoint: "http://sts.test/"), NullLog.Instance, CancellationToken.None));

            Assert.Equal(ErrorIds.NetworkError, e.ErrorId);
            Assert.Equal(3, handler.Requests);
            Assert.Contains("http://sts.test/", e.Message);
        }
    }
}
