using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.SecurityToken;

using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Iam
{
    /// <summary>
    /// The IAM Query API (Version 2010-05-08) on AWSSDK.Core alone: the SDK resolves the caller's credentials (the named
    /// profile through <see cref="CredentialProfileStoreChain"/>, else the SDK's default chain) and signs each request with
    /// its own <see cref="AWS4Signer"/>; we write only the form parameters and send the signed request. Throttling, 5xx and
    /// no answer are retried (3 attempts, re-signed each time). AWSSDK.IdentityManagement is not used because the package
    /// registry the project builds from does not serve it (see docs/ARCHITECTURE.md).
    /// </summary>
    internal sealed class IamHttpQuery : IIamQuery
    {
        public const string ApiVersion = "2010-05-08";
        internal const int MaxAttempts = 3;

        private static readonly Lazy<HttpClient> SharedClient = new Lazy<HttpClient>(() =>
            new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan });

        private readonly IamEndpoint _endpoint;
        private readonly TimeSpan _timeout;
        private readonly Func<AWSCredentials> _credentials;
        private AWSCredentials? _resolved;

        public IamHttpQuery(IamEndpoint endpoint, string? profileName, TimeSpan timeout, IEnvironmentReader env)
        {
            _endpoint = endpoint;
            _timeout = timeout;
            // The credentials file as named now (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials): the SDK's own
            // chain resolves that location once per process, so a file created or renamed later would not be seen.
            string credentialsFile = new Profiles.AwsFileLocations(env).CredentialsPath();
            _credentials = () => ResolveCredentials(profileName, credentialsFile);
        }

        /// <summary>With credentials already resolved (tests).</summary>
        internal IamHttpQuery(IamEndpoint endpoint, AWSCredentials credentials, TimeSpan timeout)
        {
            _endpoint = endpoint;
            _timeout = timeout;
            _credentials = () => credentials;
        }

        /// <summary>The caller's credentials: <paramref name="profileName"/>, else the SDK's default chain.</summary>
        /// <exception cref="IamTransportException">NoCredentials.</exception>
        internal static AWSCredentials ResolveCredentials(string? profileName, string? credentialsFile = null)
        {
            try
            {
                if (!string.IsNullOrEmpty(profileName))
                {
                    // The file as named now first, then the SDK's own chain (its config file location, SSO and process profiles).
                    if (credentialsFile != null && new CredentialProfileStoreChain(credentialsFile).TryGetAWSCredentials(profileName, out AWSCredentials? named) && named != null)
                    {
                        return named;
                    }

                    if (new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out AWSCredentials? credentials) && credentials != null)
                    {
                        return credentials;
                    }

                    throw new IamTransportException(IamReader.NoCredentialsCode,
                        $"The AWS profile '{profileName}' was not found (or has no credentials) in the AWS config and credentials files.");
                }

                return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
            }
            catch (IamTransportException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new IamTransportException(IamReader.NoCredentialsCode,
                    $"No AWS credentials to read IAM with ({FirstLine(e.Message)}).");
            }
        }

        public IamAnswer Send(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancel)
        {
            _resolved ??= _credentials();
            ImmutableCredentials credentials;
            try
            {
                credentials = _resolved.GetCredentials();
            }
            catch (Exception e)
            {
                throw new IamTransportException(IamReader.NoCredentialsCode, $"The AWS credentials could not be resolved ({FirstLine(e.Message)}).");
            }

            string body = FormBody(action, parameters);
            for (int attempt = 1; ; attempt++)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    IamAnswer answer = SendOnce(body, _resolved, credentials, cancel);
                    if (attempt < MaxAttempts && IsRetryable(answer))
                    {
                        Backoff(attempt, cancel);
                        continue;
                    }

                    return answer;
                }
                catch (Exception e) when (!(e is OperationCanceledException && cancel.IsCancellationRequested) && (e is HttpRequestException || e is OperationCanceledException))
                {
                    if (attempt >= MaxAttempts)
                    {
                        string what = e is OperationCanceledException ? $"no answer within {_timeout.TotalSeconds:0.#} s" : FirstLine(e.InnerException?.Message ?? e.Message);
                        throw new IamTransportException("NetworkError", $"IAM at {_endpoint.Url} did not answer after {attempt} attempts ({what}).");
                    }

                    Backoff(attempt, cancel);
                }
            }
        }

        /// <summary>The form body of a Query API request, encoded by the SDK's RFC 3986 rules.</summary>
        internal static string FormBody(string action, IReadOnlyList<KeyValuePair<string, string>> parameters)
        {
            var all = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("Action", action),
                new KeyValuePair<string, string>("Version", ApiVersion),
            };
            all.AddRange(parameters);
            return string.Join("&", all.Select(p => $"{Amazon.Util.AWSSDKUtils.UrlEncode(p.Key, false)}={Amazon.Util.AWSSDKUtils.UrlEncode(p.Value, false)}"));
        }

        private IamAnswer SendOnce(string body, AWSCredentials identity, ImmutableCredentials credentials, CancellationToken cancel)
        {
            byte[] content = Encoding.UTF8.GetBytes(body);
            IRequest request = Sign(content, identity, credentials);
            using var message = new HttpRequestMessage(HttpMethod.Post, request.Endpoint);
            message.Content = new ByteArrayContent(content);
            foreach (KeyValuePair<string, string> header in request.Headers)
            {
                if (string.Equals(header.Key, "Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    message.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                else if (!string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase)
                         && !string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    message.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(_timeout);
            using HttpResponseMessage response = SharedClient.Value.SendAsync(message, timeout.Token).GetAwaiter().GetResult();
            string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return new IamAnswer((int)response.StatusCode, text);
        }

        /// <summary>A request signed by the SDK's SigV4 signer for service "iam" in the partition's signing region.</summary>
        private IRequest Sign(byte[] content, AWSCredentials identity, ImmutableCredentials credentials)
        {
            var request = new DefaultRequest(new IamQueryRequest(), "IAM")
            {
                HttpMethod = "POST",
                Endpoint = new Uri(_endpoint.Url.GetLeftPart(UriPartial.Authority)),
                ResourcePath = string.IsNullOrEmpty(_endpoint.Url.AbsolutePath) ? "/" : _endpoint.Url.AbsolutePath,
                Content = content,
                AuthenticationRegion = _endpoint.SigningRegion,
                OverrideSigningServiceName = "iam",
            };
            request.Headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
            if (credentials.UseToken)
            {
                request.Headers["X-Amz-Security-Token"] = credentials.Token;
            }

            var config = new AmazonSecurityTokenServiceConfig
            {
                AuthenticationRegion = _endpoint.SigningRegion,
                AuthenticationServiceName = "iam",
                ServiceURL = _endpoint.Url.ToString(),
            };
            new AWS4Signer().Sign(request, config, null, identity);
            request.Endpoint = new Uri(new Uri(_endpoint.Url.GetLeftPart(UriPartial.Authority)), request.ResourcePath);
            return request;
        }

        /// <summary>Throttling and server errors, by the same codes and statuses as STS's (<see cref="StsFailure.ClassifyStatus"/>).</summary>
        private static bool IsRetryable(IamAnswer answer) =>
            answer.Status >= 400
            && StsFailure.ClassifyStatus(answer.Status >= 500 ? null : IamReader.Error(answer).Code, answer.Status) != StsRetryClass.None;

        private static void Backoff(int attempt, CancellationToken cancel) =>
            cancel.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100 * (1 << (attempt - 1))));

        private static string FirstLine(string text)
        {
            int nl = text.IndexOfAny(new[] { '\r', '\n' });
            return nl < 0 ? text : text.Substring(0, nl);
        }

        /// <summary>The original-request object DefaultRequest needs; IAM's parameters live in the form body.</summary>
        private sealed class IamQueryRequest : AmazonWebServiceRequest
        {
        }
    }
}
