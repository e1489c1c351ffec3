using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;

namespace GitlabSts.Core.Sts
{
    /// <summary>Builds (and for anonymous calls, caches) STS clients for a region or a custom endpoint.</summary>
    public static class StsClientFactory
    {
        /// <summary>The variable that overrides the per-request timeout (seconds, 1..300; default 10).</summary>
        public const string TimeoutVariable = "GITLABSTS_STS_TIMEOUT_SECONDS";

        /// <summary>Per-request timeout from the process environment (<see cref="RequestTimeoutFrom"/>).</summary>
        public static TimeSpan RequestTimeout => RequestTimeoutFrom(ProcessEnvironment.Instance);

        /// <summary>Per-request timeout: <see cref="TimeoutVariable"/> when it holds 1..300 seconds, else 10 s. Read once per client.</summary>
        public static TimeSpan RequestTimeoutFrom(IEnvironmentReader env)
        {
            string? text = env.Get(TimeoutVariable);
            if (text != null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= 300)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            return TimeSpan.FromSeconds(10);
        }

        private static readonly ConcurrentDictionary<string, AmazonSecurityTokenServiceClient> AnonymousClients =
            new ConcurrentDictionary<string, AmazonSecurityTokenServiceClient>(StringComparer.Ordinal);

        public static AmazonSecurityTokenServiceConfig CreateConfig(string region, Uri? endpoint) =>
            CreateConfig(region, endpoint, RequestTimeout);

        private static AmazonSecurityTokenServiceConfig CreateConfig(string region, Uri? endpoint, TimeSpan timeout)
        {
            var config = new AmazonSecurityTokenServiceConfig
            {
                MaxErrorRetry = 0, // we retry ourselves, by the contract's rules
                // The SDK also retries "stale connection" errors (reset, truncated body) up to 10 times on its own,
                // which made one of our attempts 11 requests; HttpClient already replays a request whose pooled
                // connection was closed before it was sent, so nothing is lost by turning this off.
                MaxStaleConnectionRetries = 0,
                Timeout = timeout,
            };

            if (endpoint != null)
            {
                config.ServiceURL = endpoint.ToString();
                config.AuthenticationRegion = region;
            }
            else
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }

            return config;
        }

        /// <summary>An unsigned client for AssumeRoleWithWebIdentity; reused so warm calls keep their connection.</summary>
        public static AmazonSecurityTokenServiceClient Anonymous(string region, Uri? endpoint)
        {
            TimeSpan timeout = RequestTimeout;
            string key = $"{region}|{endpoint}|{timeout.TotalMilliseconds}";
            return AnonymousClients.GetOrAdd(key, _ => new LeanStsClient(new AnonymousAWSCredentials(), CreateConfig(region, endpoint, timeout)));
        }

        /// <summary>A client signed with temporary credentials (for GetCallerIdentity); the caller disposes it.</summary>
        public static AmazonSecurityTokenServiceClient WithCredentials(string accessKeyId, string secretAccessKey, string sessionToken, string region, Uri? endpoint) =>
            new LeanStsClient(new SessionAWSCredentials(accessKeyId, secretAccessKey, sessionToken), CreateConfig(region, endpoint));
    }

    /// <summary>
    /// The SDK's STS client without the pipeline handlers that do nothing for our calls, so the first call loads
    /// and compiles less (each handler is an async state machine the JIT compiles on first use): the SDK's own
    /// retries (MaxErrorRetry is 0: we retry by the contract's rules), request metrics (off unless enabled in
    /// AWSConfigs), the Before/After request event callbacks (nobody subscribes to this client's events),
    /// endpoint discovery, request compression and flexible checksums (none apply to STS). Marshalling, endpoint
    /// and auth resolution, signing, error handling, unmarshalling and HTTP are untouched.
    /// </summary>
    internal sealed class LeanStsClient : AmazonSecurityTokenServiceClient
    {
        public LeanStsClient(AWSCredentials credentials, AmazonSecurityTokenServiceConfig config)
            : base(credentials, config)
        {
        }

        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            RemoveAll<MetricsHandler>(pipeline);
            RemoveAll<ErrorCallbackHandler>(pipeline);
            RemoveAll<CallbackHandler>(pipeline);
            RemoveAll<RetryHandler>(pipeline);
            RemoveAll<EndpointDiscoveryHandler>(pipeline);
            RemoveAll<CompressionHandler>(pipeline);
            RemoveAll<ChecksumHandler>(pipeline);
        }

        private static void RemoveAll<T>(RuntimePipeline pipeline)
            where T : IPipelineHandler
        {
            while (pipeline.Handlers.Any(h => h.GetType() == typeof(T)))
            {
                pipeline.RemoveHandler<T>();
            }
        }
    }
}
