using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Tests.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Iam
{
    /// <summary>The IAM Query request on the wire: signed by the SDK's SigV4 signer for iam, retried on 5xx, no secret sent.</summary>
    public sealed class IamHttpQueryTests : IDisposable
    {
        private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
        private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
        private const string SessionToken = "FwoGZXIvYXdzSESSIONTOKENEXAMPLE";

        private readonly HttpListener _listener = new HttpListener();
        private readonly ConcurrentQueue<(string Method, string Path, Dictionary<string, string> Headers, string Body)> _requests =
            new ConcurrentQueue<(string, string, Dictionary<string, string>, string)>();
        private readonly ConcurrentQueue<(int Status, string Body)> _answers = new ConcurrentQueue<(int, string)>();
        private readonly string _url;
        private readonly Task _serving;

        public IamHttpQueryTests()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(_url);
            _listener.Start();
            _serving = Task.Run(Serve);
        }

        /// <summary>
        /// Closes the listener and waits for the serving loop to end: a loop still pending when the test domain unloads
        /// makes Mono's xunit runner fail the whole run (AppDomainUnloadedException after "Finished").
        /// </summary>
        public void Dispose()
        {
            _listener.Close();
            try
            {
                _serving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
            }
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }

                string body;
                using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
                {
                    body = reader.ReadToEnd();
                }

                var headers = ctx.Request.Headers.AllKeys.Where(k => k != null).ToDictionary(k => k!, k => ctx.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
                _requests.Enqueue((ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, headers, body));
                (int status, string answer) = _answers.TryDequeue(out var a) ? a : (200, IamReaderTests.GetRoleXml(IamReaderTests.Policy));
                byte[] bytes = Encoding.UTF8.GetBytes(answer);
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "text/xml";
                ctx.Response.ContentLength64 = bytes.Length;
                ctx.Response.OutputStream.Write(bytes, 0, bytes.Length);
                ctx.Response.Close();
            }
        }

        private IamHttpQuery Query(AWSCredentials credentials) =>
            new IamHttpQuery(IamEndpoint.Resolve("aws", Env.Of(("AWS_ENDPOINT_URL_IAM", _url))), credentials, TimeSpan.FromSeconds(10));

        private static IReadOnlyList<KeyValuePair<string, string>> RoleName => new[] { new KeyValuePair<string, string>("RoleName", "deployer") };

        [Fact]
        public void The_request_is_a_SigV4_signed_form_POST_for_iam_in_us_east_1_with_the_session_token()
        {
            IamAnswer answer = Query(new SessionAWSCredentials(AccessKey, SecretKey, SessionToken)).Send("GetRole", RoleName, CancellationToken.None);

            Assert.Equal(200, answer.Status);
            var r = Assert.Single(_requests);
            Assert.Equal("POST", r.Method);
            Assert.Equal("/", r.Path);
            Assert.Equal("Action=GetRole&Version=2010-05-08&RoleName=deployer", r.Body);
            Assert.StartsWith("application/x-www-form-urlencoded", r.Headers["Content-Type"]);
            string auth = r.Headers["Authorization"];
            Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/", auth);
            Assert.Contains("/us-east-1/iam/aws4_request", auth);
            Assert.Contains("SignedHeaders=", auth);
            Assert.Contains("x-amz-security-token", auth);
            Assert.Matches("Signature=[0-9a-f]{64}$", auth);
            Assert.Equal(SessionToken, r.Headers["X-Amz-Security-Token"]);
            Assert.True(r.Headers.ContainsKey("X-Amz-Date"));
            Assert.DoesNotContain(r.Headers.Values, v => v.Contains(SecretKey));
            Assert.DoesNotContain(SecretKey, r.Body);
        }

        [Fact]
        public void Static_keys_send_no_session_token()
        {
            Query(new BasicAWSCredentials(AccessKey, SecretKey)).Send("GetRole", RoleName, CancellationToken.None);

            var r = Assert.Single(_requests);
            Assert.False(r.Headers.ContainsKey("X-Amz-Security-Token"));
            Assert.DoesNotContain("x-amz-security-token", r.Headers["Authorization"]);
        }

        [Fact]
        public void A_5xx_is_retried_and_the_answer_after_it_is_returned()
        {
            _answers.Enqueue((503, "<html>busy</html>"));
            _answers.Enqueue((500, IamReaderTests.ErrorXml("ServiceFailure", "oops", "Receiver")));

            IamAnswer answer = Query(new BasicAWSCredentials(AccessKey, SecretKey)).Send("GetRole", RoleName, CancellationToken.None);

            Assert.Equal(200, answer.Status);
            Assert.Equal(3, _requests.Count);
        }

        [Fact]
        public void Throttling_three_times_returns_the_last_answer_after_three_attempts()
        {
            for (int i = 0; i < 3; i++) _answers.Enqueue((400, IamReaderTests.ErrorXml("Throttling", "Rate exceeded")));

            IamAnswer answer = Query(new BasicAWSCredentials(AccessKey, SecretKey)).Send("GetRole", RoleName, CancellationToken.None);

            Assert.Equal(400, answer.Status);
            Assert.Equal(IamHttpQuery.MaxAttempts, _requests.Count);
        }

        [Fact]
        public void An_IAM_refusal_is_not_retried()
        {
            _answers.Enqueue((403, IamReaderTests.ErrorXml("AccessDenied", "not authorized")));

            IamAnswer answer = Query(new BasicAWSCredentials(AccessKey, SecretKey)).Send("GetRole", RoleName, CancellationToken.None);

            Assert.Equal(403, answer.Status);
            Assert.Single(_requests);
        }

        [Fact]
        public void No_listener_is_a_NetworkError_after_three_attempts_naming_the_endpoint()
        {
            _listener.Stop();
            var e = Assert.Throws<IamTransportException>(() => Query(new BasicAWSCredentials(AccessKey, SecretKey)).Send("GetRole", RoleName, CancellationToken.None));

            Assert.Equal("NetworkError", e.Code);
            Assert.Contains(_url, e.Message);
            Assert.Contains("3 attempts", e.Message);
        }

        [Fact]
        public void An_unknown_profile_is_NoCredentials_naming_the_profile()
        {
            var e = Assert.Throws<IamTransportException>(() => IamHttpQuery.ResolveCredentials("gitlabsts-no-such-profile-" + Guid.NewGuid().ToString("N")));

            Assert.Equal(IamReader.NoCredentialsCode, e.Code);
            Assert.Contains("gitlabsts-no-such-profile-", e.Message);
        }
    }
}
