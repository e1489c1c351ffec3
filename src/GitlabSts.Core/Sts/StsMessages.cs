using System;
using GitlabSts.Core.Policy;

namespace GitlabSts.Core.Sts
{
    /// <summary>Turns an STS failure into a message that says what to change. Never includes the token.</summary>
    public static class StsMessages
    {
        public static GitlabStsException ToException(StsFailure failure, ExchangeRequest request, int attempts)
        {
            // STS's own message usually ends with a full stop; ours follow it, so it is cut ("failure. STS", not "failure.. STS").
            string detail = Redactor.Redact(failure.Detail, new[] { request.Token.Raw }).Trim().TrimEnd('.');
            string tries = attempts > 1 ? $" after {attempts} attempts" : string.Empty;
            string role = request.RoleArn.Value;
            string key = request.Token.IssuerKey;
            string claims = $"iss '{request.Token.Issuer}', aud '{string.Join("', '", request.Token.Audience)}', sub '{request.Token.Subject}'";
            string test = $"Run Test-GitlabOidcRole -RoleArn {role} -TrustPolicy <the role's trust policy JSON> to see which condition fails.";

            string message;
            switch (failure.ErrorId)
            {
                case ErrorIds.AccessDenied:
                    message = $"STS denied AssumeRoleWithWebIdentity on {role} ({failure.Code}: {detail}). " +
                              $"The role's trust policy did not accept this token: {claims}. " +
                              $"Check that its Principal.Federated is {OidcConditionKeys.ProviderArn(request.RoleArn.Partition, request.RoleArn.AccountId, request.Token.Issuer)}, " +
                              $"that its conditions on {key}:aud and {key}:sub match these values (use StringLike for wildcards), " +
                              $"and that the role exists. {test}";
                    break;
                case ErrorIds.InvalidIdentityToken when failure.IsKeyRetrievalFailure:
                    message = $"STS could not fetch the signing keys of {request.Token.Issuer}{tries} ({failure.Code}: {detail}). " +
                              $"STS must reach {request.Token.Issuer.TrimEnd('/')}/.well-known/openid-configuration and its JWKS over https from the internet; " +
                              "check that the GitLab instance is publicly reachable with a valid certificate, then retry.";
                    break;
                case ErrorIds.InvalidIdentityToken:
                    message = $"STS rejected the ID token ({failure.Code}: {detail}). Token: {claims}. " +
                              $"Check that an IAM OIDC provider for {request.Token.Issuer} exists in account {request.RoleArn.AccountId} " +
                              "and lists the token's aud among its client ids (audiences). " + test;
                    break;
                case ErrorIds.TokenExpired:
                    message = $"STS says the ID token has expired ({failure.Code}: {detail}). " +
                              "Exchange the token while the job runs (it lives as long as the job's timeout), or rerun the job; " +
                              "also check this machine's clock.";
                    break;
                case ErrorIds.IdpCommunicationError:
                    message = $"STS could not talk to the identity provider {request.Token.Issuer}{tries} ({failure.Code}: {detail}). " +
                              "The GitLab instance must be reachable from AWS over https; retry later or raise -MaxAttempts.";
                    break;
                case ErrorIds.NetworkError when failure.UnknownRegion != null:
                    string? nearest = Partitions.NearestKnownRegion(failure.UnknownRegion);
                    message = $"Could not resolve the STS endpoint {request.EndpointDescription} ({failure.Code}: {detail}). " +
                              $"This version does not know the region '{failure.UnknownRegion}', so the region is the likely cause" +
                              (nearest != null ? $" (did you mean '{nearest}'?)" : string.Empty) +
                              ": check -Region, AWS_REGION and AWS_DEFAULT_REGION. Not retried. For a region newer than this module, " +
                              "check the runner's DNS, or pass its STS endpoint with -EndpointUrl.";
                    break;
                case ErrorIds.NetworkError:
                    message = $"Could not reach STS at {request.EndpointDescription}{tries} ({failure.Code}: {detail}). " +
                              "Check the runner's network, proxy and DNS, and -EndpointUrl / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL.";
                    break;
                default:
                    message = $"STS failed AssumeRoleWithWebIdentity on {role}{tries} with {failure.Code}: {detail}. {HintFor(failure, request)}".TrimEnd();
                    break;
            }

            return new GitlabStsException(failure.ErrorId, failure.Kind, message, role)
            {
                StsErrorCode = failure.Code,
                Attempts = attempts,
            };
        }

        private static string HintFor(StsFailure failure, ExchangeRequest request)
        {
            switch (failure.Code)
            {
                case "IDPRejectedClaim":
                    return "The identity provider rejected the token's claims; check the token's aud and the IAM OIDC provider's client ids.";
                case "MalformedPolicyDocument":
                    return "Fix the session policy passed with -Policy (or the managed policies in -PolicyArn).";
                case "PackedPolicyTooLarge":
                    return "The session policies are too large after packing; shorten -Policy or pass fewer -PolicyArn.";
                case "RegionDisabledException":
                    return $"STS is not activated in {request.Region} for this account; activate it in IAM > Account settings, or use another -Region.";
                case "UnreadableResponse":
                    return UnreadableHint;
                case "ValidationError":
                    return "Check -DurationSeconds against the role's maximum session duration, and the other parameters.";
            }

            // Throttling and server errors are told apart from the rest in one place: StsFailure.Retry.
            if (failure.IsBusy)
            {
                return "STS is busy or failing; retry later or raise -MaxAttempts.";
            }

            // A bare HTTP status that is neither: what answered is probably not STS (a proxy, a web page).
            return failure.Code.StartsWith("HTTP ", StringComparison.Ordinal) ? UnreadableHint : string.Empty;
        }

        private const string UnreadableHint =
            "Check that -EndpointUrl / AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL points at STS and not at a proxy or web page; if it does, retry.";
    }
}
