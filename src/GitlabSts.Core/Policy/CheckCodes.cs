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

        /// <summary>No <c>aud</c> of the token is the requested <c>-Audience</c> (a Fail, never a throw, in Test-GitlabOidcRole).</summary>
        public const string AudienceMismatch = "AudienceMismatch";

        // The trust policy.
        public const string InvalidTrustPolicy = "InvalidTrustPolicy";
        public const string ExplicitDeny = "ExplicitDeny";
        public const string TrustPolicyDenied = "TrustPolicyDenied";

        /// <summary>The decision hinges on condition keys only AWS knows (supply them with -ConditionContext, or test live).</summary>
        public const string Indeterminate = "Indeterminate";

        // -FromIam (IamRole, IamProvider).
        public const string IamRoleNotFound = "IamRoleNotFound";
        public const string IamProviderNotFound = "IamProviderNotFound";
        public const string IamAccessDenied = "IamAccessDenied";
        public const string IamReadFailed = "IamReadFailed";

        /// <summary>-Offline without a trust policy: nothing can decide whether the role can be assumed.</summary>
        public const string NoTrustPolicy = "NoTrustPolicy";
    }
}
