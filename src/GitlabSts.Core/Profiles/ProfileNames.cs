using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Which profile names every AWS reader reads back the same, and the section each one lives in.
    /// <para>
    /// Checked 2026-12-04 against botocore 1.43 (AWS CLI v1, boto3; CLI v2 uses the same loader) and the AWS SDK for .NET 4
    /// (SharedCredentialsFile), with <c>[profile NAME]</c> in the config file and <c>[NAME]</c> in the credentials file:
    /// <list type="bullet">
    /// <item><c>DEFAULT</c>: configparser's default section; botocore applies its keys to every profile.</item>
    /// <item>whitespace (anywhere, leading and trailing included): botocore splits <c>[profile a b]</c> on it and ignores
    /// the section; a leading or trailing blank is trimmed by every reader, so another profile would be read.</item>
    /// <item><c>'</c>, <c>"</c>, <c>\</c>: botocore's shlex split of the header fails or changes the name (no profile found).</item>
    /// <item><c>[</c>, <c>]</c>, line breaks, control characters: they break the header line itself.</item>
    /// <item><c>#</c>, <c>;</c>, <c>=</c>: botocore and the .NET SDK read them, but the shared-config readers of the other
    /// SDKs (Go v2 as used by Terraform, Java v2, Rust) take <c>#</c>/<c>;</c> as the start of an inline comment and
    /// <c>=</c> as a key separator, or refuse such names: refused, conservatively.</item>
    /// <item>any other character outside ASCII letters, digits and <c>_ - @ + . % : /</c> (<c>$</c>, <c>{</c>, <c>,</c>, <c>`</c>,
    /// <c>(</c>, <c>é</c>, ...): the AWS SDK for JavaScript v3 (<c>@smithy</c>'s parseIni, checked 2026-12-04 in 3.1178.0) reads a
    /// <c>[profile NAME]</c> header only when NAME matches <c>[\w-@+.%:/]+</c> (<c>\w</c> is ASCII there), else it never finds
    /// the profile.</item>
    /// </list>
    /// <c>default</c> (lower case) is the <c>[default]</c> profile and valid; so are other casings of DEFAULT.
    /// </para>
    /// </summary>
    public static class ProfileNames
    {
        public const string Default = "oidc";

        /// <summary>configparser's default section name (case-sensitive): its keys apply to every section.</summary>
        public const string ConfigParserDefaultSection = "DEFAULT";

        private const string Example = "Pass -ProfileName with a name such as 'oidc' (ASCII letters, digits, '.', '_', '-', '/', ':', '@', '+', '%').";

        /// <summary>The config section name of a profile: <c>default</c> or <c>profile NAME</c>.</summary>
        public static string ConfigSection(string profileName) => profileName == "default" ? "default" : "profile " + profileName;

        /// <summary>
        /// Throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.InvalidProfileName"/>, <see cref="ErrorKind.InvalidArgument"/>,
        /// target <c>ProfileName</c>) unless <paramref name="profileName"/> can be written and read back the same by every AWS
        /// reader (see the class remarks); the message says why.
        /// </summary>
        public static void Check(string? profileName)
        {
            string? error = Problem(profileName);
            if (error is not null)
            {
                throw new GitlabStsException(ErrorIds.InvalidProfileName, ErrorKind.InvalidArgument, error, nameof(AwsProfileRequest.ProfileName));
            }
        }

        /// <summary>Null when valid, else why not (for a ValidateScript).</summary>
        public static string? Problem(string? profileName)
        {
            if (string.IsNullOrEmpty(profileName))
            {
                return "The profile name must not be empty. " + Example;
            }

            if (IdToken.LooksLikeJwt(profileName))
            {
                return "The profile name looks like an ID token, so it is not shown. Pass -ProfileName with a name such as 'oidc', " +
                    "and the token with -WebIdentityToken, -TokenVariable or -TokenFile.";
            }

            string name = profileName!;
            string shown = Printable(name);
            if (name == ConfigParserDefaultSection)
            {
                return $"The profile name '{shown}' is not usable: the AWS CLI v1 and boto3 (configparser) apply a [DEFAULT] section's keys to every profile, " +
                    "so other profiles would silently get these credentials. Use 'default' (lower case) for the default profile, or another name. " + Example;
            }

            if (name.Trim().Length != name.Length)
            {
                return $"The profile name '{shown}' is not usable: it has leading or trailing whitespace, which every AWS reader trims, so it would read another profile. " + Example;
            }

            foreach (char c in name)
            {
                string? why = CharacterProblem(c);
                if (why is not null)
                {
                    return $"The profile name '{shown}' is not usable: {why} " + Example;
                }
            }

            return null;
        }

        private static string? CharacterProblem(char c)
        {
            if (c == '\r' || c == '\n')
            {
                return "a line break would split the section header.";
            }

            if (char.IsControl(c))
            {
                return "it contains a control character.";
            }

            if (char.IsWhiteSpace(c))
            {
                return "it contains whitespace; the AWS CLI and boto3 ignore a section like [profile a b].";
            }

            if (c == '[' || c == ']')
            {
                return "brackets ('[', ']') end or break the section header.";
            }

            if (c == '"' || c == '\'' || c == '\\')
            {
                return $"the AWS CLI and boto3 read quotes and backslashes in a section header as shell quoting ('{c}'), so they would not find the profile.";
            }

            if (c == '#' || c == ';')
            {
                return $"'{c}' starts a comment for some AWS SDKs' config readers (Go, used by Terraform; Java; Rust).";
            }

            if (c == '=')
            {
                return "'=' separates a key from its value; some AWS SDKs' config readers refuse it in a profile name.";
            }

            if (!IsJavaScriptSdkNameCharacter(c))
            {
                return $"the AWS SDK for JavaScript v3 reads a [profile NAME] header only when NAME has ASCII letters, digits and '_', '-', '@', '+', '.', '%', ':', '/', so it would not find a profile with '{Printable(c.ToString())}'.";
            }

            return null;
        }

        /// <summary>The characters of <c>[\w-@+.%:/]</c> in the JavaScript SDK's profile header pattern (<c>\w</c>: ASCII letters, digits, '_').</summary>
        private static bool IsJavaScriptSdkNameCharacter(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_-@+.%:/".IndexOf(c) >= 0;

        private static string Printable(string s)
        {
            var sb = new System.Text.StringBuilder(s.Length);
            foreach (char c in s)
            {
                switch (c)
                {
                    case '\r': sb.Append("\\r"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (char.IsControl(c))
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.ToString();
        }
    }
}
