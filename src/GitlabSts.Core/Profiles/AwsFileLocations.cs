using System;
using System.IO;
using System.Runtime.InteropServices;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Where the AWS CLIs and SDKs look for their files, as botocore does: <c>AWS_CONFIG_FILE</c> and
    /// <c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/config</c> and <c>~/.aws/credentials</c>; <c>~</c> is
    /// (as Python's <c>os.path.expanduser</c>, which botocore uses) <c>USERPROFILE</c>, then <c>HOMEDRIVE</c>+<c>HOMEPATH</c>
    /// on Windows, and <c>HOME</c> elsewhere. Every variable is read through the given environment, and the platform's
    /// rules are an input, so the Windows rules are testable on Linux.
    /// </summary>
    public sealed class AwsFileLocations
    {
        private readonly IEnvironmentReader env;
        private readonly bool windows;

        public AwsFileLocations(IEnvironmentReader env)
            : this(env, RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
        }

        /// <summary>Locations by the rules of Windows (<paramref name="windows"/>) or Unix, whatever the running platform.</summary>
        public AwsFileLocations(IEnvironmentReader env, bool windows)
        {
            this.env = env ?? throw new ArgumentNullException(nameof(env));
            this.windows = windows;
        }

        /// <summary>
        /// The home folder <c>~</c> as botocore finds it: on Windows <c>USERPROFILE</c>, else <c>HOMEDRIVE</c> + <c>HOMEPATH</c>
        /// (either may be missing); elsewhere <c>HOME</c>. When none is set, the process's own profile folder.
        /// </summary>
        public static string Home(IEnvironmentReader env, bool windows)
        {
            if (env is null)
            {
                throw new ArgumentNullException(nameof(env));
            }

            string? home;
            if (windows)
            {
                home = env.Get("USERPROFILE");
                if (string.IsNullOrEmpty(home) && env.Get("HOMEPATH") is string homePath)
                {
                    home = (env.Get("HOMEDRIVE") ?? string.Empty) + homePath;
                }
            }
            else
            {
                home = env.Get("HOME");
            }

            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            return home!;
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
                return Full(ExpandHome(path!));
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
                return Full(ExpandHome(fromEnv!));
            }

            return Combine(Combine(Home(env, windows), ".aws"), fileName);
        }

        /// <summary>The full path; Windows rules applied on another platform keep the path as given (<c>C:\...</c> is not a Unix path to expand).</summary>
        private string Full(string path) =>
            windows == RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Path.GetFullPath(path) : path;

        private string Combine(string folder, string name)
        {
            if (windows == RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return Path.Combine(folder, name);
            }

            char separator = windows ? '\\' : '/';
            return folder.Length == 0 || folder[folder.Length - 1] == separator || (windows && folder[folder.Length - 1] == '/')
                ? folder + name
                : folder + separator + name;
        }

        private string ExpandHome(string path)
        {
            if (path == "~")
            {
                return Home(env, windows);
            }

            if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            {
                return Combine(Home(env, windows), path.Substring(2));
            }

            return path;
        }
    }
}
