using System;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// Turns the failure of a chained hop (sts:AssumeRole) into a message naming the hop, its role and the source role,
    /// and saying what to change. Never includes the token or any key.
    /// </summary>
    public static class ChainMessages
    {
        /// <summary>The trust policy statement a hop's role needs so that <paramref name="sourceRole"/> may assume it.</summary>
        public static string TrustStatement(RoleArn sourceRole, bool tagged) =>
            "{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"" + sourceRole.Value + "\"}, \"Action\": " +
            (tagged ? "[\"sts:AssumeRole\", \"sts:TagSession\"]" : "\"sts:AssumeRole\"") + "}";

        /// <param name="hop">1-based: the first -ChainRoleArn.</param>
        /// <param name="source">The credentials the hop was requested with (the web-identity role's, or the previous hop's).</param>
        /// <param name="tagged">True when the session carries session tags (then sts:TagSession is needed too).</param>
        public static GitlabStsException ToException(StsFailure failure, ExchangeRequest request, int hop, ExchangeResult source, bool tagged, int attempts)
        {
            RoleArn role = request.ChainRoleArns[hop - 1];
            RoleArn from = source.Role;
            string detail = Redactor.Redact(failure.Detail, new[] { request.Token.Raw, source.SecretAccessKey, source.SessionToken }).Trim().TrimEnd('.');
            string tries = attempts > 1 ? $" after {attempts} attempts" : string.Empty;
            string what = $"-ChainRoleArn hop {hop} of {request.ChainRoleArns.Count} ({role})";

            string message;
            switch (failure.ErrorId)
            {
                case ErrorIds.AccessDenied:
                    message = $"STS denied sts:AssumeRole into {what} by the source role {from} ({failure.Code}: {detail}). " +
                              $"The trust policy of {role.RoleName} in account {role.AccountId} must allow sts:AssumeRole by the source role {from}" +
                              (tagged ? " and sts:TagSession (this session carries session tags)" : string.Empty) +
                              $", with a statement such as {TrustStatement(from, tagged)}; " +
                              $"the permissions of {from.RoleName} must allow sts:AssumeRole on {role}; and the role must exist.";
                    break;
                case ErrorIds.TokenExpired:
                    message = $"STS says the credentials of the source role {from} had expired when assuming {what} ({failure.Code}: {detail}). " +
                              "Check this machine's clock, and -DurationSeconds / -ChainDurationSeconds of the earlier hops.";
                    break;
                case ErrorIds.NetworkError:
                    message = $"Could not reach STS at {request.EndpointDescription} to assume {what}{tries} ({failure.Code}: {detail}). " +
                              "Check the runner's network, proxy and DNS, and -EndpointUrl / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL.";
                    break;
                default:
                    message = $"STS failed sts:AssumeRole into {what} by the source role {from}{tries} with {failure.Code}: {detail}. {HintFor(failure)}".TrimEnd();
                    break;
            }

            return new GitlabStsException(failure.ErrorId, failure.Kind, message, role.Value)
            {
                StsErrorCode = failure.Code,
                Attempts = attempts,
            };
        }

        private static string HintFor(StsFailure failure)
        {
            switch (failure.Code)
            {
                case "ValidationError":
                    return "Check -ChainDurationSeconds (at most 3600: AWS caps chained sessions at one hour) and -ChainRoleSessionName.";
                case "MalformedPolicyDocument":
                    return "Fix the session policy passed with -Policy (or the managed policies in -PolicyArn); with -ChainRoleArn it applies to the last hop.";
                case "PackedPolicyTooLarge":
                    return "The session policies (and any session tags) are too large after packing; shorten -Policy or pass fewer -PolicyArn.";
                case "RegionDisabledException":
                    return "STS is not activated in this region for the hop's account; activate it in IAM > Account settings, or use another -Region.";
            }

            if (failure.IsBusy)
            {
                return "STS is busy or failing; retry later or raise -MaxAttempts.";
            }

            return failure.Code.StartsWith("HTTP ", StringComparison.Ordinal) || failure.Code == "UnreadableResponse"
                ? "Check that -EndpointUrl / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL points at STS and not at a proxy or web page; if it does, retry."
                : string.Empty;
        }
    }
}
