namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The failure codes of Test-GitlabOidcRole's checks (<see cref="DiagnosisCheck.Code"/>), all in one place: a caller
    /// that reacts to a code compares with these, never with a string of its own.
    /// </summary>
    public static class CheckCodes
    {
        // The token.
        public const string MalformedToken = "MalformedToken";
        public const string TokenExpired = "TokenExpired";
        public const string TokenNotYetValid = "TokenNotYetValid";

        // The signature (-VerifySignature).
        public const string UnsupportedAlgorithm = "UnsupportedAlgorithm";
        public const string InsecureIssuer = "InsecureIssuer";
        public const string KeyFetchFailed = "KeyFetchFailed";
        public const string UnknownKeyId = "UnknownKeyId";
        public const string BadSignature = "BadSignature";
        public const string IssuerNotNamed = "IssuerNotNamed";
        public const string IssuerRedirect = "IssuerRedirect";
        public const string ForeignJwksUri = "ForeignJwksUri";

        // The provider and the audience.
        public const string IssuerMismatch = "IssuerMismatch";
        public const string AudienceNotAllowed = "AudienceNotAllowed";
        public const string AudienceConditionMismatch = "AudienceConditionMismatch";

        // The trust policy.
        public const string InvalidTrustPolicy = "InvalidTrustPolicy";
        public const string ExplicitDeny = "ExplicitDeny";
        public const string TrustPolicyDenied = "TrustPolicyDenied";
    }
}
