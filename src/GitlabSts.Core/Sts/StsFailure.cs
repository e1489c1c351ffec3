using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// Why an STS failure may be retried, or not. The one place that decides "throttling", "server error" and
    /// "transient": <see cref="StsExchanger"/> retries by it and <see cref="StsMessages"/> words its hints by it.
    /// </summary>
    public enum StsRetryClass
    {
        /// <summary>Retrying cannot help (a refusal, a bad request, a body that is not an STS response to a success).</summary>
        None,

        /// <summary>STS asks us to slow down: a throttling code or HTTP 429.</summary>
        Throttling,

        /// <summary>STS (or what stands in front of it) failed: HTTP 5xx or a server-side error code.</summary>
        ServerError,

        /// <summary>STS could not talk to the identity provider (IDPCommunicationError, or keys it could not fetch).</summary>
        IdentityProvider,

        /// <summary>No answer: a refused or broken connection, or a timeout.</summary>
        Network,
    }

    /// <summary>What an STS call's failure means for us: the contract's error id, whether a retry may help, and the STS code.</summary>
    public sealed class StsFailure
    {
        private StsFailure(string errorId, ErrorKind kind, StsRetryClass retry, string code, string detail)
        {
            ErrorId = errorId;
            Kind = kind;
            Retry = retry;
            Code = code;
            Detail = detail;
        }

        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        /// <summary>Why a retry may help (<see cref="StsRetryClass.None"/>: it cannot).</summary>
        public StsRetryClass Retry { get; }

        /// <summary>True for failures the contract retries: IDP communication, key retrieval, throttling, 5xx, connection errors, timeouts.</summary>
        public bool Transient => Retry != StsRetryClass.None;

        /// <summary>True when STS is busy or failing (throttling or a server error): retry later or raise -MaxAttempts.</summary>
        public bool IsBusy => Retry == StsRetryClass.Throttling || Retry == StsRetryClass.ServerError;

        /// <summary>The STS error code (e.g. AccessDenied), "HTTP 503", "Timeout" or "ConnectionError".</summary>
        public string Code { get; }

        /// <summary>STS's own message, or a description of the network failure.</summary>
        public string Detail { get; }

        /// <summary>True when the network failure is that the endpoint's host name could not be resolved (DNS).</summary>
        public bool IsNameResolution { get; private set; }

        /// <summary>
        /// The region this version does not know and whose endpoint did not resolve: the likely cause of the failure,
        /// which is then not retried (see <see cref="ForRequest"/>). Null otherwise.
        /// </summary>
        public string? UnknownRegion { get; private set; }

        /// <summary>
        /// This failure seen with the request that caused it: a host name that does not resolve for the regional endpoint
        /// of a region this version does not know (no -EndpointUrl) is a region problem, not a network one, and retrying
        /// cannot help.
        /// </summary>
        public StsFailure ForRequest(ExchangeRequest request)
        {
            if (!IsNameResolution || request.Endpoint != null || string.IsNullOrEmpty(request.Region) || Partitions.IsKnownRegion(request.Region))
            {
                return this;
            }

            return new StsFailure(ErrorId, Kind, StsRetryClass.None, Code, Detail) { IsNameResolution = true, UnknownRegion = request.Region };
        }

        /// <summary>True for an InvalidIdentityToken that says STS could not fetch the issuer's keys.</summary>
        public bool IsKeyRetrievalFailure => ErrorId == ErrorIds.InvalidIdentityToken && Retry == StsRetryClass.IdentityProvider;

        private static readonly string[] ThrottlingCodes =
        {
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
            "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete", "ProvisionedThroughputExceededException",
        };

        private static readonly string[] ServerErrorCodes = { "InternalFailure", "InternalError", "ServiceUnavailable" };

        /// <summary>
        /// The retry class of an STS error code and HTTP status (0: unknown) that is not one of the codes the contract
        /// maps to its own id: throttling codes and 429 are <see cref="StsRetryClass.Throttling"/>, server error codes
        /// and 5xx are <see cref="StsRetryClass.ServerError"/>, anything else <see cref="StsRetryClass.None"/>.
        /// </summary>
        public static StsRetryClass ClassifyStatus(string? code, int status)
        {
            if ((code != null && Array.IndexOf(ThrottlingCodes, code) >= 0) || status == 429)
            {
                return StsRetryClass.Throttling;
            }

            if ((code != null && Array.IndexOf(ServerErrorCodes, code) >= 0) || status >= 500)
            {
                return StsRetryClass.ServerError;
            }

            return StsRetryClass.None;
        }

        /// <summary>True when STS's InvalidIdentityToken says it could not fetch the issuer's keys (a transient IdP problem).</summary>
        public static bool IsKeyRetrievalMessage(string? message) =>
            message != null &&
            (message.IndexOf("verification key", StringComparison.OrdinalIgnoreCase) >= 0 ||
             message.IndexOf("retrieve", StringComparison.OrdinalIgnoreCase) >= 0 && message.IndexOf("key", StringComparison.OrdinalIgnoreCase) >= 0);

        /// <summary>Classifies an exception from an STS call (the caller's own cancellation is handled before this).</summary>
        public static StsFailure Classify(Exception exception)
        {
            if (exception is AggregateException agg && agg.InnerExceptions.Count == 1)
            {
                exception = agg.InnerExceptions[0];
            }

            if (exception is AmazonServiceException service && !(exception is AmazonUnmarshallingException) && !string.IsNullOrEmpty(service.ErrorCode))
            {
                return FromServiceError(service.ErrorCode, service.Message, (int)service.StatusCode);
            }

            if (exception is AmazonUnmarshallingException unmarshalling)
            {
                int status = (int)unmarshalling.StatusCode;
                return new StsFailure(ErrorIds.StsError, ErrorKind.InvalidResult, ClassifyStatus(null, status), status > 0 ? $"HTTP {status}" : "UnreadableResponse",
                    status > 0 ? $"STS answered HTTP {status} with a body that is not an STS response" : "STS answered with a body that is not an STS response");
            }

            if (exception is AmazonServiceException bare && (int)bare.StatusCode > 0)
            {
                return FromHttpStatus((int)bare.StatusCode, bare.Message);
            }

            System.Xml.XmlException? xml = FindXmlError(exception);
            if (xml != null)
            {
                // A success status whose body is empty or stops halfway: the SDK's unmarshaller throws a bare XmlException.
                return new StsFailure(ErrorIds.StsError, ErrorKind.InvalidResult, StsRetryClass.None, "UnreadableResponse",
                    $"STS answered with a body that is not a complete STS response ({xml.Message})");
            }

            if (FindTimeout(exception))
            {
                return new StsFailure(ErrorIds.NetworkError, ErrorKind.OperationTimeout, StsRetryClass.Network, "Timeout", "the request to STS timed out");
            }

            Exception? network = FindNetworkCause(exception);
            if (network != null)
            {
                return new StsFailure(ErrorIds.NetworkError, ErrorKind.ConnectionError, StsRetryClass.Network, "ConnectionError", DescribeNetwork(network))
                {
                    IsNameResolution = IsNameResolutionFailure(exception),
                };
            }

            return new StsFailure(ErrorIds.StsError, ErrorKind.NotSpecified, StsRetryClass.None, exception.GetType().Name, exception.Message);
        }

        public static StsFailure FromServiceError(string code, string? message, int status)
        {
            string detail = message ?? string.Empty;
            switch (code)
            {
                case "AccessDenied":
                case "AccessDeniedException":
                    return new StsFailure(ErrorIds.AccessDenied, ErrorKind.PermissionDenied, StsRetryClass.None, code, detail);
                case "InvalidIdentityToken":
                    return new StsFailure(ErrorIds.InvalidIdentityToken, ErrorKind.AuthenticationError,
                        IsKeyRetrievalMessage(message) ? StsRetryClass.IdentityProvider : StsRetryClass.None, code, detail);
                case "ExpiredTokenException":
                case "ExpiredToken":
                    return new StsFailure(ErrorIds.TokenExpired, ErrorKind.AuthenticationError, StsRetryClass.None, code, detail);
                case "IDPCommunicationError":
                    return new StsFailure(ErrorIds.IdpCommunicationError, ErrorKind.ResourceUnavailable, StsRetryClass.IdentityProvider, code, detail);
            }

            StsRetryClass retry = ClassifyStatus(code, status);
            return new StsFailure(ErrorIds.StsError, retry != StsRetryClass.None ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidResult, retry, code, detail);
        }

        private static StsFailure FromHttpStatus(int status, string message)
        {
            StsRetryClass retry = ClassifyStatus(null, status);
            // The SDK's message for a non-XML error body quotes the whole body (a load balancer's HTML page): don't pass that on.
            bool usable = !string.IsNullOrEmpty(message) && message.IndexOf('<') < 0 && message.IndexOf('\n') < 0;
            return new StsFailure(ErrorIds.StsError, retry != StsRetryClass.None ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidResult, retry, $"HTTP {status}",
                usable ? message : $"STS answered HTTP {status} with a body that is not an STS response");
        }

        private static System.Xml.XmlException? FindXmlError(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is System.Xml.XmlException xml)
                {
                    return xml;
                }
            }

            return null;
        }

        private static bool FindTimeout(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is TimeoutException || e is OperationCanceledException)
                {
                    return true;
                }

                if (e is WebException web && web.Status == WebExceptionStatus.Timeout)
                {
                    return true;
                }

                if (e is SocketException socket && socket.SocketErrorCode == SocketError.TimedOut)
                {
                    return true;
                }
            }

            return false;
        }

        private static Exception? FindNetworkCause(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is HttpRequestException || e is SocketException || e is WebException || e is System.IO.IOException)
                {
                    return e;
                }
            }

            return null;
        }

        /// <summary>True when a host name could not be resolved: .NET's SocketException (HostNotFound, NoData, TryAgain) or .NET Framework's WebException.</summary>
        private static bool IsNameResolutionFailure(Exception exception)
        {
            for (Exception? e = exception; e != null; e = e.InnerException)
            {
                if (e is SocketException socket &&
                    (socket.SocketErrorCode == SocketError.HostNotFound || socket.SocketErrorCode == SocketError.NoData || socket.SocketErrorCode == SocketError.TryAgain))
                {
                    return true;
                }

                if (e is WebException web && web.Status == WebExceptionStatus.NameResolutionFailure)
                {
                    return true;
                }
            }

            return false;
        }

        private static string DescribeNetwork(Exception e)
        {
            for (Exception? inner = e; inner != null; inner = inner.InnerException)
            {
                if (inner is SocketException socket)
                {
                    return $"{socket.SocketErrorCode}: {socket.Message}";
                }
            }

            return e.Message;
        }
    }
}
