using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    internal static class StsFakes
    {
        public const string KeyRetrievalMessage =
            "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

        public static ExchangeRequest Request(int maxAttempts = 5, string? token = null, string role = ExchangeRequestTests.Role, string? region = null, string? endpoint = null)
        {
            var s = ExchangeRequestTests.Settings(role, token);
            s.MaxAttempts = maxAttempts;
            s.Region = region;
            s.EndpointUrl = endpoint;
            s.Policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
            s.PolicyArns = new[] { $"arn:{role.Split(':')[1]}:iam::aws:policy/ReadOnlyAccess" };
            return ExchangeRequest.Resolve(s, Env.Of(("CI_JOB_ID", "9000000001"), ("CI_PROJECT_ID", "987654"), ("CI_PIPELINE_ID", "1500000001")), NullLog.Instance, TestTokens.Now);
        }

        private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

        public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

        /// <summary>The response of the fixture sts-assume-role-with-web-identity-response.xml.</summary>
        public static AssumeRoleWithWebIdentityResponse Response()
        {
            XElement r = XDocument.Load(FixturePath("sts-assume-role-with-web-identity-response.xml")).Root!.Element(Ns + "AssumeRoleWithWebIdentityResult")!;
            XElement c = r.Element(Ns + "Credentials")!;
            XElement u = r.Element(Ns + "AssumedRoleUser")!;
            return new AssumeRoleWithWebIdentityResponse
            {
                Credentials = new Credentials
                {
                    AccessKeyId = (string)c.Element(Ns + "AccessKeyId")!,
                    SecretAccessKey = (string)c.Element(Ns + "SecretAccessKey")!,
                    SessionToken = (string)c.Element(Ns + "SessionToken")!,
                    Expiration = DateTime.Parse((string)c.Element(Ns + "Expiration")!, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
                },
                AssumedRoleUser = new AssumedRoleUser { Arn = (string)u.Element(Ns + "Arn")!, AssumedRoleId = (string)u.Element(Ns + "AssumedRoleId")! },
                SubjectFromWebIdentityToken = (string)r.Element(Ns + "SubjectFromWebIdentityToken")!,
                Provider = (string)r.Element(Ns + "Provider")!,
                Audience = (string)r.Element(Ns + "Audience")!,
            };
        }

        public const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
        public const string SessionToken = "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE";

        public static Exception Sts(string code, string message, HttpStatusCode status) =>
            new AmazonSecurityTokenServiceException(message, ErrorType.Sender, code, "req-1", status);

        /// <summary>Every STS failure the contract names: what the SDK throws, the id, whether it is retried, and what the message must show.</summary>
        public static readonly Dictionary<string, (Func<Exception> Make, string Id, bool Transient, string Code)> Failures =
            new Dictionary<string, (Func<Exception>, string, bool, string)>
            {
                ["AccessDenied"] = (() => Sts("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", HttpStatusCode.Forbidden), ErrorIds.AccessDenied, false, "AccessDenied"),
                ["InvalidIdentityToken (audience)"] = (() => new InvalidIdentityTokenException("Incorrect token audience", ErrorType.Sender, "InvalidIdentityToken", "req-2", HttpStatusCode.BadRequest), ErrorIds.InvalidIdentityToken, false, "InvalidIdentityToken"),
                ["InvalidIdentityToken (no provider)"] = (() => new InvalidIdentityTokenException("No OpenIDConnect provider found in your account for https://gitlab.com", ErrorType.Sender, "InvalidIdentityToken", "req-2", HttpStatusCode.BadRequest), ErrorIds.InvalidIdentityToken, false, "InvalidIdentityToken"),
                ["InvalidIdentityToken (verification key)"] = (() => new InvalidIdentityTokenException(KeyRetrievalMessage, ErrorType.Sender, "InvalidIdentityToken", "req-3", HttpStatusCode.BadRequest), ErrorIds.InvalidIdentityToken, true, "InvalidIdentityToken"),
                ["ExpiredTokenException"] = (() => new ExpiredTokenException("Token expired: current date/time 1764160000 must be before the expiration date/time 1764153600", ErrorType.Sender, "ExpiredTokenException", "req-4", HttpStatusCode.BadRequest), ErrorIds.TokenExpired, false, "ExpiredTokenException"),
                ["IDPCommunicationError"] = (() => new IDPCommunicationErrorException("Couldn't contact the identity provider", ErrorType.Sender, "IDPCommunicationError", "req-5", HttpStatusCode.BadRequest), ErrorIds.IdpCommunicationError, true, "IDPCommunicationError"),
                ["IDPRejectedClaim"] = (() => new IDPRejectedClaimException("Identity provider rejected the claim", ErrorType.Sender, "IDPRejectedClaim", "req-6", HttpStatusCode.Forbidden), ErrorIds.StsError, false, "IDPRejectedClaim"),
                ["MalformedPolicyDocument"] = (() => new MalformedPolicyDocumentException("Syntax errors in policy.", ErrorType.Sender, "MalformedPolicyDocument", "req-7", HttpStatusCode.BadRequest), ErrorIds.StsError, false, "MalformedPolicyDocument"),
                ["PackedPolicyTooLarge"] = (() => new PackedPolicyTooLargeException("Packed policy consumes 112% of allotted space", ErrorType.Sender, "PackedPolicyTooLarge", "req-8", HttpStatusCode.BadRequest), ErrorIds.StsError, false, "PackedPolicyTooLarge"),
                ["RegionDisabledException"] = (() => new RegionDisabledException("STS is not activated in this region for account:123456789012.", ErrorType.Sender, "RegionDisabledException", "req-9", HttpStatusCode.Forbidden), ErrorIds.StsError, false, "RegionDisabledException"),
                ["ValidationError"] = (() => Sts("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", HttpStatusCode.BadRequest), ErrorIds.StsError, false, "ValidationError"),
                ["Throttling"] = (() => Sts("Throttling", "Rate exceeded", HttpStatusCode.BadRequest), ErrorIds.StsError, true, "Throttling"),
                ["HTTP 429 without a code"] = (() => new AmazonSecurityTokenServiceException("Too Many Requests", ErrorType.Unknown, null, "req-10", (HttpStatusCode)429), ErrorIds.StsError, true, "HTTP 429"),
                ["HTTP 500 InternalFailure"] = (() => new AmazonSecurityTokenServiceException("Internal failure", ErrorType.Receiver, "InternalFailure", "req-11", HttpStatusCode.InternalServerError), ErrorIds.StsError, true, "InternalFailure"),
                ["HTTP 503 ServiceUnavailable"] = (() => Sts("ServiceUnavailable", "Service unavailable", HttpStatusCode.ServiceUnavailable), ErrorIds.StsError, true, "ServiceUnavailable"),
                ["HTTP 502 without a code"] = (() => new AmazonSecurityTokenServiceException("Bad Gateway", ErrorType.Unknown, null, "req-12", HttpStatusCode.BadGateway), ErrorIds.StsError, true, "HTTP 502"),
                ["HTTP 400 without a code"] = (() => new AmazonSecurityTokenServiceException("Bad Request", ErrorType.Unknown, null, "req-13", HttpStatusCode.BadRequest), ErrorIds.StsError, false, "HTTP 400"),
                ["unreadable body, HTTP 502"] = (() => new AmazonUnmarshallingException("req-14", "ErrorResponse", "<html>bad gateway</html>", new System.Xml.XmlException("bad"), HttpStatusCode.BadGateway), ErrorIds.StsError, true, "HTTP 502"),
                ["unreadable body, HTTP 200"] = (() => new AmazonUnmarshallingException("req-15", "AssumeRoleWithWebIdentityResponse", "<html>captive portal</html>", new System.Xml.XmlException("bad"), HttpStatusCode.OK), ErrorIds.StsError, false, "HTTP 200"),
                ["connection refused"] = (() => new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)), ErrorIds.NetworkError, true, "ConnectionError"),
                ["DNS failure"] = (() => new HttpRequestException("Name or service not known (sts.example.invalid:443)", new SocketException((int)SocketError.HostNotFound)), ErrorIds.NetworkError, true, "ConnectionError"),
                ["connection reset"] = (() => new HttpRequestException("An error occurred while sending the request.", new IOException("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset))), ErrorIds.NetworkError, true, "ConnectionError"),
                ["HttpClient timeout"] = (() => new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 10 seconds elapsing.", new TimeoutException("The operation was canceled.")), ErrorIds.NetworkError, true, "Timeout"),
                ["socket timeout"] = (() => new HttpRequestException("Connection timed out", new SocketException((int)SocketError.TimedOut)), ErrorIds.NetworkError, true, "Timeout"),
                ["SDK-wrapped WebException"] = (() => new AmazonServiceException("A WebException with status ConnectFailure was thrown.", new WebException("Unable to connect", WebExceptionStatus.ConnectFailure)), ErrorIds.NetworkError, true, "ConnectionError"),
                ["aggregate of one"] = (() => new AggregateException(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused))), ErrorIds.NetworkError, true, "ConnectionError"),
                ["an unexpected exception"] = (() => new InvalidOperationException("something odd"), ErrorIds.StsError, false, "InvalidOperationException"),
            };

        public static IEnumerable<object[]> FailureNames => Failures.Keys.Select(k => new object[] { k });

        /// <summary>An exchanger whose STS call is scripted and whose delays are recorded, never slept.</summary>
        public sealed class Scripted
        {
            private readonly Queue<Func<CancellationToken, AssumeRoleWithWebIdentityResponse>> _script = new Queue<Func<CancellationToken, AssumeRoleWithWebIdentityResponse>>();

            public List<AssumeRoleWithWebIdentityRequest> Calls { get; } = new List<AssumeRoleWithWebIdentityRequest>();

            public List<TimeSpan> Delays { get; } = new List<TimeSpan>();

            public Func<TimeSpan, CancellationToken, Task>? DelayHook { get; set; }

            public Scripted Fail(Func<Exception> make, int times = 1)
            {
                for (int i = 0; i < times; i++)
                {
                    _script.Enqueue(_ => throw make());
                }

                return this;
            }

            public Scripted Answer(AssumeRoleWithWebIdentityResponse? response)
            {
                _script.Enqueue(_ => response!);
                return this;
            }

            public Scripted Then(Func<CancellationToken, AssumeRoleWithWebIdentityResponse> step)
            {
                _script.Enqueue(step);
                return this;
            }

            public StsExchanger Exchanger(int seed = 7) => new StsExchanger(
                (r, req, ct) =>
                {
                    Calls.Add(r);
                    var step = _script.Count > 0 ? _script.Dequeue() : throw new InvalidOperationException("script exhausted");
                    try
                    {
                        return Task.FromResult(step(ct));
                    }
                    catch (Exception e)
                    {
                        return Task.FromException<AssumeRoleWithWebIdentityResponse>(e);
                    }
                },
                (d, ct) =>
                {
                    Delays.Add(d);
                    return DelayHook?.Invoke(d, ct) ?? Task.CompletedTask;
                },
                new Random(seed));
        }
    }
}
