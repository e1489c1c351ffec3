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

        // The findings about who the trust policy lets in (issue 11): each the name of a check that is Pass, or Warn with the
        // name as its code. They never change Success.

        /// <summary>An Allow statement with no condition on <c>:sub</c>, or one admitting a project of every group.</summary>
        public const string SubjectScope = "SubjectScope";

        /// <summary>A <c>:sub</c> value or pattern GitLab never emits in any of its four sub formats: it can never match.</summary>
        public const string ImpossibleSubject = "ImpossibleSubject";

        /// <summary><c>ForAllValues:</c> on <c>:sub</c> or <c>:aud</c>: true when the key is absent.</summary>
        public const string ForAllValuesOnSingleValuedKey = "ForAllValuesOnSingleValuedKey";

        /// <summary>A <c>:sub</c> wildcard admitting every ref, every ref type or every subgroup.</summary>
        public const string RefScope = "RefScope";

        /// <summary>A statement limiting <c>:sub</c> only through StringNotEquals/StringNotLike: every subject but those named.</summary>
        public const string NegatedSubject = "NegatedSubject";

        /// <summary>On a shared instance, a role scoped by project path with no <c>project_id</c>/<c>namespace_id</c> pin.</summary>
        public const string PathReuse = "PathReuse";

        /// <summary>A role admitting branches with no <c>ref_protected</c> condition (info).</summary>
        public const string UnprotectedRef = "UnprotectedRef";
    }
}
