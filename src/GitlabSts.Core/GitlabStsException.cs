using System;

namespace GitlabSts.Core
{
    /// <summary>What kind of failure an error is; the cmdlet layer maps it to a PowerShell ErrorCategory.</summary>
    public enum ErrorKind
    {
        InvalidArgument,
        InvalidData,
        ObjectNotFound,
        PermissionDenied,
        AuthenticationError,
        ConnectionError,
        OperationTimeout,
        ResourceUnavailable,
        WriteError,
        InvalidResult,
        SecurityError,
        NotSpecified,
    }

    /// <summary>The stable error ids of the contract (FullyQualifiedErrorId starts with these).</summary>
    public static class ErrorIds
    {
        public const string TokenNotFound = "GitlabSts.TokenNotFound";
        public const string AmbiguousToken = "GitlabSts.AmbiguousToken";
        public const string MalformedToken = "GitlabSts.MalformedToken";
        public const string TokenExpired = "GitlabSts.TokenExpired";
        public const string InvalidRoleArn = "GitlabSts.InvalidRoleArn";
        public const string InvalidSessionName = "GitlabSts.InvalidSessionName";
        public const string InvalidDuration = "GitlabSts.InvalidDuration";
        public const string InvalidPolicy = "GitlabSts.InvalidPolicy";
        public const string InvalidRegion = "GitlabSts.InvalidRegion";
        public const string AccessDenied = "GitlabSts.AccessDenied";
        public const string InvalidIdentityToken = "GitlabSts.InvalidIdentityToken";
        public const string IdpCommunicationError = "GitlabSts.IdpCommunicationError";
        public const string StsError = "GitlabSts.StsError";
        public const string NetworkError = "GitlabSts.NetworkError";
        public const string ProfileWriteFailed = "GitlabSts.ProfileWriteFailed";

        /// <summary>A malformed -EndpointUrl, AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL (not a region problem).</summary>
        public const string InvalidEndpoint = "GitlabSts.InvalidEndpoint";

        /// <summary>A malformed what-if input of Test-GitlabOidcRole: -ProjectPath, -Ref, -Claim.</summary>
        public const string InvalidClaim = "GitlabSts.InvalidClaim";

        /// <summary>The credentials belong to an account outside -AllowedAccountId (ErrorKind.SecurityError).</summary>
        public const string AccountNotAllowed = "GitlabSts.AccountNotAllowed";

        /// <summary>A value that cannot be written safely for the target platform (the message names the parameter, never the value).</summary>
        public const string UnsafeValue = "GitlabSts.UnsafeValue";

        /// <summary>A profile name that cannot be written, or that AWS readers would misread.</summary>
        public const string InvalidProfileName = "GitlabSts.InvalidProfileName";

        /// <summary>Two parameters that cannot be used together; the message names both.</summary>
        public const string ParameterConflict = "GitlabSts.ParameterConflict";
    }

    /// <summary>
    /// A failure the user can act on. The message says what to change and never contains a secret;
    /// <see cref="ErrorId"/> is one of <see cref="ErrorIds"/>.
    /// </summary>
    public class GitlabStsException : Exception
    {
        public GitlabStsException(string errorId, ErrorKind kind, string message, string? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }

        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        /// <summary>A non-secret description of what failed (a parameter name, a path, a role ARN).</summary>
        public string? Target { get; }

        /// <summary>The STS error code when the failure came from STS.</summary>
        public string? StsErrorCode { get; set; }

        /// <summary>How many STS requests were made before giving up (0 for local validation errors).</summary>
        public int Attempts { get; set; }
    }
}
