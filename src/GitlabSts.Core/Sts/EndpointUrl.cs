using System;

namespace GitlabSts.Core.Sts
{
    /// <summary>The one check of a custom AWS endpoint URL (STS's and IAM's): absolute http(s), a host, no user information.</summary>
    public static class EndpointUrl
    {
        /// <summary>
        /// The URL in <paramref name="value"/>, from <paramref name="source"/> (a parameter or variable name), for
        /// <paramref name="service"/> ("STS", "IAM").
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidEndpoint, target <paramref name="source"/>, saying what to use instead
        /// (<paramref name="example"/>); user information is never repeated in the message.</exception>
        public static Uri Parse(string value, string source, string service, string example)
        {
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http") || uri.Host.Length == 0)
            {
                throw new GitlabStsException(ErrorIds.InvalidEndpoint, ErrorKind.InvalidArgument,
                    $"The {service} endpoint '{value}' (from {source}) is not an http(s) URL. Use a URL like {example}, or unset {source}.", source);
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new GitlabStsException(ErrorIds.InvalidEndpoint, ErrorKind.InvalidArgument,
                    $"The {service} endpoint from {source} contains user information; remove it from the URL.", source);
            }

            return uri;
        }
    }
}
