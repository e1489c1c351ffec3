using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// Runs AssumeRoleWithWebIdentity with the contract's retry rules: only transient failures are retried,
    /// with exponential backoff and jitter, up to the request's MaxAttempts.
    /// </summary>
    public sealed class StsExchanger
    {
        public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
        public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

        private readonly Func<AssumeRoleWithWebIdentityRequest, ExchangeRequest, CancellationToken, Task<AssumeRoleWithWebIdentityResponse>> _call;
        private readonly Func<TimeSpan, CancellationToken, Task> _delay;
        private readonly Random _random;

        public StsExchanger()
            : this(null, null, null)
        {
        }

        /// <summary>For tests: a fake STS call, a fake delay and a seeded random.</summary>
        public StsExchanger(
            Func<AssumeRoleWithWebIdentityRequest, ExchangeRequest, CancellationToken, Task<AssumeRoleWithWebIdentityResponse>>? call,
            Func<TimeSpan, CancellationToken, Task>? delay,
            Random? random)
        {
            _call = call ?? ((r, req, ct) => StsClientFactory.Anonymous(req.Region, req.Endpoint).AssumeRoleWithWebIdentityAsync(r, ct));
            _delay = delay ?? ((d, ct) => Task.Delay(d, ct));
            _random = random ?? new Random();
        }

        /// <summary>The delay before retry number <paramref name="retry"/> (1-based): base·2^(retry-1), capped, with half of it jittered.</summary>
        public TimeSpan Backoff(int retry)
        {
            double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, retry - 1));
            double jittered = ceiling / 2 + (NextDouble() * ceiling / 2);
            return TimeSpan.FromMilliseconds(jittered);
        }

        private double NextDouble()
        {
            lock (_random)
            {
                return _random.NextDouble();
            }
        }

        /// <summary>Exchanges the request's token. Blocks the calling thread; all log calls happen on it.</summary>
        public ExchangeResult Exchange(ExchangeRequest request, ICoreLog log, CancellationToken cancel)
        {
            var sdkRequest = new AssumeRoleWithWebIdentityRequest
            {
                RoleArn = request.RoleArn.Value,
                RoleSessionName = request.RoleSessionName,
                WebIdentityToken = request.Token.Raw,
                DurationSeconds = request.DurationSeconds,
            };
            // With a chain, the session policies narrow the credentials handed out: the last hop's (RoleChainer), not this one's.
            if (request.Policy != null && !request.HasChain)
            {
                sdkRequest.Policy = request.Policy;
            }

            if (request.PolicyArns.Count > 0 && !request.HasChain)
            {
                sdkRequest.PolicyArns = request.PolicyArns.Select(a => new PolicyDescriptorType { Arn = a }).ToList();
            }

            string? unknownRegion = request.Endpoint == null ? Partitions.UnknownRegionWarning(request.Region) : null;
            if (unknownRegion != null)
            {
                log.Warning(unknownRegion);
            }

            log.Verbose($"Calling STS AssumeRoleWithWebIdentity at {request.EndpointDescription} for {request.RoleArn} " +
                        $"(session '{request.RoleSessionName}', {request.DurationSeconds} s).");

            return Retry(
                request,
                attempt => ToResult(request, _call(sdkRequest, request, cancel).GetAwaiter().GetResult(), attempt),
                (failure, attempt) => StsMessages.ToException(failure, request, attempt),
                (attempt, failure, wait) => log.Verbose($"Attempt {attempt} of {request.MaxAttempts} failed ({failure.Code}: " +
                    $"{Redactor.Redact(failure.Detail, new[] { request.Token.Raw })}); retrying in {wait.TotalSeconds:0.00} s."),
                cancel);
        }

        /// <summary>
        /// The contract's retry rules for one STS call (the web-identity exchange and every chained hop): <paramref name="call"/>
        /// (given the attempt number) until it returns; a transient failure is retried after <see cref="Backoff"/> up to the
        /// request's MaxAttempts (<paramref name="retrying"/> is told first), any other failure, or the last, is thrown as
        /// <paramref name="fail"/> makes it. Our own <see cref="GitlabStsException"/> and cancellation pass through.
        /// </summary>
        internal T Retry<T>(ExchangeRequest request, Func<int, T> call, Func<StsFailure, int, Exception> fail,
            Action<int, StsFailure, TimeSpan> retrying, CancellationToken cancel)
        {
            for (int attempt = 1; ; attempt++)
            {
                cancel.ThrowIfCancellationRequested();
                StsFailure failure;
                try
                {
                    return call(attempt);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    throw;
                }
                catch (GitlabStsException)
                {
                    throw;
                }
                catch (Exception e)
                {
                    failure = StsFailure.Classify(e).ForRequest(request);
                }

                if (!failure.Transient || attempt >= request.MaxAttempts)
                {
                    throw fail(failure, attempt);
                }

                TimeSpan wait = Backoff(attempt);
                retrying(attempt, failure, wait);
                _delay(wait, cancel).GetAwaiter().GetResult();
            }
        }

        private static string? OrFromToken(string? fromSts, string? fromToken) => string.IsNullOrEmpty(fromSts) ? fromToken : fromSts;

        /// <summary>
        /// The token's aud when it has one; with several, which one matched the provider's client ids only STS knows,
        /// so none is claimed.
        /// </summary>
        private static string? TokenAudience(ExchangeRequest request) =>
            request.Token.Audience.Count == 1 ? request.Token.Audience[0] : null;

        private static ExchangeResult ToResult(ExchangeRequest request, AssumeRoleWithWebIdentityResponse response, int attempts)
        {
            Credentials? c = response?.Credentials;
            if (c == null || string.IsNullOrEmpty(c.AccessKeyId) || string.IsNullOrEmpty(c.SecretAccessKey) ||
                string.IsNullOrEmpty(c.SessionToken) || c.Expiration == null || c.Expiration.Value == default)
            {
                string status = response != null && response.HttpStatusCode != 0 ? $" (HTTP {(int)response.HttpStatusCode})" : string.Empty;
                throw new GitlabStsException(ErrorIds.StsError, ErrorKind.InvalidResult,
                    $"STS at {request.EndpointDescription} answered AssumeRoleWithWebIdentity{status} without complete credentials " +
                    "(access key, secret key, session token and expiration are required). Check -EndpointUrl / AWS_ENDPOINT_URL_STS points at STS.",
                    request.RoleArn.Value) { StsErrorCode = "IncompleteResponse", Attempts = attempts };
            }

            return new ExchangeResult(request, c.AccessKeyId, c.SecretAccessKey, c.SessionToken, c.Expiration.Value)
            {
                AssumedRoleArn = response!.AssumedRoleUser?.Arn,
                AssumedRoleId = response.AssumedRoleUser?.AssumedRoleId,
                // STS returns these from the token it accepted; an STS that omits them (moto, some proxies) gets them
                // from the same token: sub, iss and aud.
                SubjectFromWebIdentityToken = OrFromToken(response.SubjectFromWebIdentityToken, request.Token.Subject),
                Provider = OrFromToken(response.Provider, request.Token.Issuer),
                Audience = OrFromToken(response.Audience, TokenAudience(request)),
                Attempts = attempts,
            };
        }
    }
}
