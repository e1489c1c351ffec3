using System;
using System.IO;
using System.Runtime.InteropServices;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Where the AWS CLIs and SDKs look for their files, as botocore does: <c>AWS_CONFIG_FILE</c> and
    /// <c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/config</c> and <c>~/.aws/credentials</c>; <c>~</c> is
    /// <c>USERPROFILE</c> on Windows and <c>HOME</c> elsewhere. Every variable is read through the given environment.
    /// </summary>
    public sealed class AwsFileLocations
    {
        private readonly IEnvironmentReader env;

        public AwsFileLocations(IEnvironmentReader env)
        {
            this.env = env ?? throw new ArgumentNullException(nameof(env));
        }

        /// <summary><c>$AWS_CONFIG_FILE</c> (with <c>~</c> expanded), else <c>~/.aws/config</c>.</summary>
        public string ConfigPath() => FromEnvironment("AWS_CONFIG_FILE", "config");

        /// <summary><c>$AWS_SHARED_CREDENTIALS_FILE</c> (with <c>~</c> expanded), else <c>~/.aws/credentials</c>.</summary>
        public string CredentialsPath() => FromEnvironment("AWS_SHARED_CREDENTIALS_FILE", "credentials");

        /// <summary>
        /// The full path of a path parameter (<c>~</c> expanded). Throws <see cref="GitlabStsException"/>
        /// (<see cref="ErrorIds.ProfileWriteFailed"/>, target <paramref name="parameter"/>) for a blank path, one that looks
        /// like an ID token (not shown), or one that is not a valid path.
        /// </summary>
        public string FullPath(string? path, string parameter)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw ProfileErrors.Invalid($"{parameter} is required.", parameter);
            }

            if (IdToken.LooksLikeJwtOrJwtPath(path))
            {
                throw ProfileErrors.Invalid($"{parameter} holds what looks like an ID token, so it is not shown. Pass a file path in -{parameter}, " +
                    "and the token with -WebIdentityToken, -TokenVariable or -TokenFile.", parameter);
            }

            try
            {
                return Path.GetFullPath(ExpandHome(path!));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Security.SecurityException)
            {
                // An ArgumentException's message ends in " (Parameter 'path')", which means nothing to the user: say what is wrong instead.
                string why = ex is ArgumentException ? "it contains characters that a path cannot hold" : ex.Message;
                throw new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument, $"{parameter} '{path}' is not a valid path: {why}", parameter, ex);
            }
        }

        /// <summary>True when two full paths name the same file (ordinal on Linux, ignoring case elsewhere).</summary>
        public static bool SamePath(string a, string b) =>
            string.Equals(a, b, RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

        private string FromEnvironment(string variable, string fileName)
        {
            string? fromEnv = env.Get(variable);
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return Path.GetFullPath(ExpandHome(fromEnv!));
            }

            return Path.Combine(Home(), ".aws", fileName);
        }

        private string ExpandHome(string path)
        {
            if (path == "~")
            {
                return Home();
            }

            if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            {
                return Path.Combine(Home(), path.Substring(2));
            }

            return path;
        }

        private string Home()
        {
            // As botocore's os.path.expanduser: USERPROFILE on Windows, HOME elsewhere.
            string? home = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? null : env.Get("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            return home!;
        }
    }
}
