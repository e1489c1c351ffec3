using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>Which profile names every AWS reader reads back the same, and the section each one lives in.</summary>
    public static class ProfileNames
    {
        public const string Default = "oidc";

        /// <summary>The config section name of a profile: <c>default</c> or <c>profile NAME</c>.</summary>
        public static string ConfigSection(string profileName) => profileName == "default" ? "default" : "profile " + profileName;

        /// <summary>
        /// Throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>, target <c>ProfileName</c>)
        /// unless <paramref name="profileName"/> can be written and read back by every AWS reader: non-empty, no whitespace
        /// (botocore ignores <c>[profile a b]</c>), no control characters, brackets or quotes.
        /// </summary>
        public static void Check(string? profileName)
        {
            string? error = Problem(profileName);
            if (error is not null)
            {
                throw ProfileErrors.Invalid(error, nameof(AwsProfileRequest.ProfileName));
            }
        }

        /// <summary>Null when valid, else why not (for a ValidateScript).</summary>
        public static string? Problem(string? profileName)
        {
            if (string.IsNullOrEmpty(profileName))
            {
                return "The profile name must not be empty. Pass -ProfileName with a name such as 'oidc' (letters, digits, '.', '_', '-').";
            }

            if (IdToken.LooksLikeJwt(profileName))
            {
                return "The profile name looks like an ID token, so it is not shown. Pass -ProfileName with a name such as 'oidc', " +
                    "and the token with -WebIdentityToken, -TokenVariable or -TokenFile.";
            }

            foreach (char c in profileName!)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c) || c == '[' || c == ']' || c == '"' || c == '\'')
                {
                    return $"The profile name '{Printable(profileName)}' is not usable: it must not contain whitespace, line breaks, control characters, brackets or quotes. Pass -ProfileName with a name such as 'oidc' (letters, digits, '.', '_', '-').";
                }
            }

            return null;
        }

        private static string Printable(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
    }
}
