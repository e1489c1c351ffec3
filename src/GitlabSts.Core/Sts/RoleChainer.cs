using System;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// The whole exchange of the exchange cmdlets: the account guard's local check (the final role's account, before any
    /// request), AssumeRoleWithWebIdentity (<see cref="StsExchanger"/>), then sts:AssumeRole into each -ChainRoleArn hop with
    /// the previous hop's credentials, by the same retry rules (<see cref="StsFailure.Retry"/>) and per-request timeout,
    /// then the account guard on the final credentials (the account of the assumed-role ARN STS returned). Without a
    /// chain and a guard it is the web-identity exchange alone.
    /// </summary>
    public sealed class RoleChainer
    {
        private readonly StsExchanger _webIdentity;
        private readonly Func<AssumeRoleRequest, ExchangeResult, CancellationToken, Task<AssumeRoleResponse>> _assumeRole;
        private readonly StsExchanger _retry;

        public RoleChainer()
            : this(null, null, null, null)
        {
        }

        /// <summary>For tests: a fake web-identity exchange, a fake AssumeRole (given the source credentials), a fake delay and a seeded random.</summary>
        public RoleChainer(
            StsExchanger? webIdentity,
            Func<AssumeRoleRequest, ExchangeResult, CancellationToken, Task<AssumeRoleResponse>>? assumeRole,
            Func<TimeSpan, CancellationToken, Task>? delay,
            Random? random)
        {
            _webIdentity = webIdentity ?? new StsExchanger();
            _assumeRole = assumeRole ?? AssumeRoleWithSdk;
            // The web-identity exchange's retry rules, backoff and delay, for every hop (its STS call is not used).
            _retry = new StsExchanger((_, _, _) => throw new InvalidOperationException("not for calls"), delay, random);
        }

        /// <summary>
        /// Exchanges the token and runs the chain; the result is the last hop's credentials, checked against the allowed
        /// accounts. Throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.AccountNotAllowed"/> for the guard) so the
        /// caller outputs, sets and writes nothing. Blocks the calling thread; all log calls happen on it.
        /// </summary>
        public ExchangeResult Exchange(ExchangeRequest request, ICoreLog log, CancellationToken cancel)
        {
            AccountGuard.CheckTarget(request);
            ExchangeResult current = _webIdentity.Exchange(request, log, cancel);
            int attempts = current.Attempts;
            for (int hop = 1; hop <= request.ChainRoleArns.Count; hop++)
            {
                current = AssumeHop(request, hop, current, log, cancel);
                attempts += current.Attempts;
            }

            if (request.HasChain)
            {
                current.Attempts = attempts;
            }

            AccountGuard.Check(request, current);
            return current;
        }

        /// <summary>
        /// Chain hop <paramref name="hop"/> (1-based: the first -ChainRoleArn): sts:AssumeRole into it with
        /// <paramref name="source"/>'s credentials (the web-identity role's for hop 1, else the previous hop's). The result
        /// carries the web-identity details of <paramref name="source"/> and the chain so far.
        /// </summary>
        public ExchangeResult AssumeHop(ExchangeRequest request, int hop, ExchangeResult source, ICoreLog log, CancellationToken cancel)
        {
            if (hop < 1 || hop > request.ChainRoleArns.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(hop), $"The chain has {request.ChainRoleArns.Count} hop(s).");
            }

            RoleArn role = request.ChainRoleArns[hop - 1];
            var sdkRequest = new AssumeRoleRequest
            {
                RoleArn = role.Value,
                RoleSessionName = request.ChainRoleSessionName,
                DurationSeconds = request.ChainDurationSeconds,
            };

            // Session policies narrow the credentials handed out: the last hop's.
            if (hop == request.ChainRoleArns.Count)
            {
                if (request.Policy != null)
                {
                    sdkRequest.Policy = request.Policy;
                }

                if (request.PolicyArns.Count > 0)
                {
                    sdkRequest.PolicyArns = request.PolicyArns.Select(a => new PolicyDescriptorType { Arn = a }).ToList();
                }
            }

            string[] secrets = { request.Token.Raw, source.SecretAccessKey, source.SessionToken };
            log.Verbose($"Chain hop {hop} of {request.ChainRoleArns.Count}: calling STS AssumeRole at {request.EndpointDescription} for {role} " +
                        $"with the credentials of {source.Role} (session '{request.ChainRoleSessionName}', {request.ChainDurationSeconds} s).");
            return _retry.Retry(
                request,
                attempt =>
                {
                    AssumeRoleResponse response = _assumeRole(sdkRequest, source, cancel).GetAwaiter().GetResult();
                    ExchangeResult result = ToResult(request, hop, role, source, response, attempt);
                    log.Verbose($"Chain hop {hop} of {request.ChainRoleArns.Count}: assumed {result.AssumedRoleArn ?? role.Value} (account {result.AccountId}) " +
                                $"in {attempt} attempt(s); the credentials ({result.AccessKeyId}) expire at {result.Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
                    return result;
                },
                (failure, attempt) => ChainMessages.ToException(failure, request, hop, source, SourceCarriesTags(request), attempt),
                (attempt, failure, wait) => log.Verbose($"Chain hop {hop}: attempt {attempt} of {request.MaxAttempts} failed ({failure.Code}: " +
                    $"{Redactor.Redact(failure.Detail, secrets)}); retrying in {wait.TotalSeconds:0.00} s."),
                cancel);
        }

        /// <summary>
        /// True when the web-identity session carries session tags (the token has the https://aws.amazon.com/tags claim):
        /// transitive tags then pass along the chain, and each target role's trust policy must also allow sts:TagSession.
        /// </summary>
        public static bool SourceCarriesTags(ExchangeRequest request)
        {
            try
            {
                using JsonDocument claims = JsonDocument.Parse(request.Token.ClaimsJson);
                return claims.RootElement.ValueKind == JsonValueKind.Object && claims.RootElement.TryGetProperty("https://aws.amazon.com/tags", out _);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static ExchangeResult ToResult(ExchangeRequest request, int hop, RoleArn role, ExchangeResult source, AssumeRoleResponse response, int attempts)
        {
            Credentials? c = response?.Credentials;
            if (c == null || string.IsNullOrEmpty(c.AccessKeyId) || string.IsNullOrEmpty(c.SecretAccessKey) ||
                string.IsNullOrEmpty(c.SessionToken) || c.Expiration == null || c.Expiration.Value == default)
            {
                string status = response != null && response.HttpStatusCode != 0 ? $" (HTTP {(int)response.HttpStatusCode})" : string.Empty;
                throw new GitlabStsException(ErrorIds.StsError, ErrorKind.InvalidResult,
                    $"STS at {request.EndpointDescription} answered AssumeRole for -ChainRoleArn hop {hop} ({role}){status} without complete credentials " +
                    "(access key, secret key, session token and expiration are required). Check -EndpointUrl / AWS_ENDPOINT_URL_STS points at STS.",
                    role.Value) { StsErrorCode = "IncompleteResponse", Attempts = attempts };
            }

            return new ExchangeResult(request, c.AccessKeyId, c.SecretAccessKey, c.SessionToken, c.Expiration.Value, role)
            {
                AssumedRoleArn = response!.AssumedRoleUser?.Arn,
                AssumedRoleId = response.AssumedRoleUser?.AssumedRoleId,
                SubjectFromWebIdentityToken = source.SubjectFromWebIdentityToken,
                Provider = source.Provider,
                Audience = source.Audience,
                Attempts = attempts,
                ChainedRoleArns = request.ChainRoleArns.Take(hop).Select(r => r.Value).ToArray(),
            };
        }

        private static async Task<AssumeRoleResponse> AssumeRoleWithSdk(AssumeRoleRequest sdkRequest, ExchangeResult source, CancellationToken cancel)
        {
            ExchangeRequest request = source.Request;
            using AmazonSecurityTokenServiceClient client = StsClientFactory.WithCredentials(
                source.AccessKeyId, source.SecretAccessKey, source.SessionToken, request.Region, request.Endpoint);
            return await client.AssumeRoleAsync(sdkRequest, cancel).ConfigureAwait(false);
        }
    }
}
