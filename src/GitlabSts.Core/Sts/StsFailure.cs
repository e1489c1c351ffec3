using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace GitlabSts.Core.Sts
{
    /// <summary>What an STS call's failure means for us: the contract's error id, whether a retry may help, and the STS code.</summary>
    public sealed class StsFailure
    {
        private StsFailure(string errorId, ErrorKind kind, bool transient, string code, string detail)
        {
            ErrorId = errorId;
            Kind = kind;
            Transient = transient;
            Code = code;
            Detail = detail;
        }

        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        /// <summary>True for failures the contract retries: IDP communication, key retrieval, throttling, 5xx, connection errors, timeouts.</summary>
        public bool Transient { get; }

        /// <summary>The STS error code (e.g. AccessDenied), "HTTP 503", "Timeout" or "ConnectionError".</summary>
        public string Code { get; }

        /// <summary>STS's own message, or a description of the network failure.</summary>
        public string Detail { get; }

        private static readonly string[] ThrottlingCodes =
        {
            "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException",
            "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "PriorRequestNotComplete", "ProvisionedThroughputExceededException",
        };

        /// <summary>True when STS's InvalidIdentityToken says it could not fetch the issuer's keys (a transient IdP problem).</summary>
        public static bool IsKeyRetrievalFailure(string? message) =>
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
                bool transient = status >= 500 || status == 429;
                return new StsFailure(ErrorIds.StsError, ErrorKind.InvalidResult, transient, status > 0 ? $"HTTP {status}" : "UnreadableResponse",
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
                return new StsFailure(ErrorIds.StsError, ErrorKind.InvalidResult, false, "UnreadableResponse",
                    $"STS answered with a body that is not a complete STS response ({xml.Message})");
            }

            if (FindTimeout(exception))
            {
                return new StsFailure(ErrorIds.NetworkError, ErrorKind.OperationTimeout, true, "Timeout", "the request to STS timed out");
            }

            Exception? network = FindNetworkCause(exception);
            if (network != null)
            {
                return new StsFailure(ErrorIds.NetworkError, ErrorKind.ConnectionError, true, "ConnectionError", DescribeNetwork(network));
            }

            return new StsFailure(ErrorIds.StsError, ErrorKind.NotSpecified, false, exception.GetType().Name, exception.Message);
        }

        public static StsFailure FromServiceError(string code, string? message, int status)
        {
            string detail = message ?? string.Empty;
            switch (code)
            {
                case "AccessDenied":
                case "AccessDeniedException":
                    return new StsFailure(ErrorIds.AccessDenied, ErrorKind.PermissionDenied, false, code, detail);
                case "InvalidIdentityToken":
                    return new StsFailure(ErrorIds.InvalidIdentityToken, ErrorKind.AuthenticationError, IsKeyRetrievalFailure(message), code, detail);
                case "ExpiredTokenException":
                case "ExpiredToken":
                    return new StsFailure(ErrorIds.TokenExpired, ErrorKind.AuthenticationError, false, code, detail);
                case "IDPCommunicationError":
                    return new StsFailure(ErrorIds.IdpCommunicationError, ErrorKind.ResourceUnavailable, true, code, detail);
            }

            if (Array.IndexOf(ThrottlingCodes, code) >= 0 || status == 429)
            {
                return new StsFailure(ErrorIds.StsError, ErrorKind.ResourceUnavailable, true, code, detail);
            }

            bool serverError = status >= 500 || code == "InternalFailure" || code == "InternalError" || code == "ServiceUnavailable";
            return new StsFailure(ErrorIds.StsError, serverError ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidResult, serverError, code, detail);
        }

        private static StsFailure FromHttpStatus(int status, string message)
        {
            bool transient = status >= 500 || status == 429;
            // The SDK's message for a non-XML error body quotes the whole body (a load balancer's HTML page): don't pass that on.
            bool usable = !string.IsNullOrEmpty(message) && message.IndexOf('<') < 0 && message.IndexOf('\n') < 0;
            return new StsFailure(ErrorIds.StsError, transient ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidResult, transient, $"HTTP {status}",
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
