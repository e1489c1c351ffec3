using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>The PowerShell that a credential_process line runs, the module it imports, and the platform that runs it.</summary>
    public sealed class CredentialProcessHost
    {
        /// <param name="command">The PowerShell executable, plus pwsh.dll when it runs under 'dotnet'.</param>
        /// <param name="moduleManifest">The absolute path of GitlabSts.psd1 (or the module name).</param>
        public CredentialProcessHost(IReadOnlyList<string> command, string moduleManifest)
            : this(command, moduleManifest, RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
        }

        /// <param name="command">The PowerShell executable, plus pwsh.dll when it runs under 'dotnet'.</param>
        /// <param name="moduleManifest">The absolute path of GitlabSts.psd1 (or the module name).</param>
        /// <param name="windows">True when the line runs on Windows (cmd.exe /C, botocore's win32 split), false for Unix (sh -c, POSIX split).</param>
        public CredentialProcessHost(IReadOnlyList<string> command, string moduleManifest, bool windows)
        {
            Command = command ?? Array.Empty<string>();
            ModuleManifest = moduleManifest ?? string.Empty;
            Windows = windows;
        }

        public IReadOnlyList<string> Command { get; }

        public string ModuleManifest { get; }

        /// <summary>True: the line is written for Windows; false: for Unix.</summary>
        public bool Windows { get; }
    }

    /// <summary>A credential_process line and what it runs, in words (for a comment line next to it).</summary>
    public sealed class CredentialProcessLine
    {
        internal CredentialProcessLine(string line, string script)
        {
            Line = line;
            Script = script;
        }

        /// <summary>The value of credential_process: quoted program paths, then -EncodedCommand with the script.</summary>
        public string Line { get; }

        /// <summary>The PowerShell script the line runs (values single-quoted PowerShell's way; never a secret).</summary>
        public string Script { get; }

        /// <summary>The text of the comment line written above credential_process in the profile's section.</summary>
        public string Comment => "credential_process runs: " + Script;

        public override string ToString() => Line;
    }

    /// <summary>
    /// Builds the credential_process line that runs Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess.
    /// The line carries no value a program could read as syntax: the program paths (the PowerShell host, and pwsh.dll
    /// under 'dotnet') in double quotes, then <c>-NoProfile -NonInteractive -OutputFormat Text -EncodedCommand
    /// &lt;base64 of UTF-16LE&gt;</c>. Base64 has only <c>A-Z a-z 0-9 + / =</c>, which mean nothing to sh -c, cmd.exe /C,
    /// botocore's POSIX and win32 splits, or the AWS SDK for .NET; every value (module path, role ARN, token file, ...)
    /// lives inside the encoded script, single-quoted as PowerShell itself escapes (every ' and U+2018-U+201B doubled),
    /// so it reaches the cmdlet exactly. Program paths that cannot be double-quoted safely for the target platform, and
    /// values with control characters, are refused with <see cref="ErrorIds.UnsafeValue"/> naming the parameter, never
    /// showing a value.
    /// </summary>
    public static class CredentialProcessCommand
    {
        /// <summary>cmd.exe's longest command line.</summary>
        public const int WindowsMaxLength = 8191;

        /// <summary>The arguments between the program paths and the encoded script.</summary>
        public static readonly IReadOnlyList<string> FixedArguments = new[] { "-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand" };

        // Characters that end or start something in a double-quoted path. Unix: sh -c expands $ and ` inside double
        // quotes and takes \ as an escape (so does botocore's shlex). Windows: cmd.exe /C expands %VAR% and !VAR!, takes ^
        // as an escape and & | < > as operators where its quote tracking differs from ours; botocore's win32 split takes
        // \ before " as an escape (so no trailing \).
        private static readonly char[] UnixUnsafePath = { '"', '$', '`', '\\' };
        private static readonly char[] WindowsUnsafePath = { '"', '%', '!', '^', '&', '|', '<', '>' };

        /// <summary>
        /// The line that repeats this exchange later: the checked role, duration and region, and the caller's own session
        /// name, endpoint, audience and token variable or file (not a token typed now, which is refused).
        /// </summary>
        public static CredentialProcessLine ForExchange(CredentialProcessHost host, ExchangeSettings settings, ExchangeRequest exchange, string? region)
        {
            // One line per value: a new parameter (e.g. chain roles) is one more Arg here.
            var arguments = new List<KeyValuePair<string, string?>>
            {
                Arg("RoleArn", exchange.RoleArn.Value),
                Arg("RoleSessionName", settings.RoleSessionName),
                Arg("DurationSeconds", exchange.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
                Arg("Region", region),
                Arg("EndpointUrl", settings.EndpointUrl),
                Arg("Audience", settings.Audience),
            };
            // The chain and the guard run in the process too (a name given several times is one array argument); the
            // allowed accounts as resolved now, so the profile keeps its guard wherever it runs.
            arguments.AddRange(exchange.ChainRoleArns.Select(hop => Arg("ChainRoleArn", hop.Value)));
            arguments.Add(Arg("ChainRoleSessionName", settings.ChainRoleSessionName));
            arguments.Add(Arg("ChainDurationSeconds", exchange.HasChain ? exchange.ChainDurationSeconds.ToString(CultureInfo.InvariantCulture) : null));
            arguments.Add(Arg("AllowedAccountId", exchange.AllowedAccountIds.Count > 0 ? string.Join(",", exchange.AllowedAccountIds) : null));
            switch (settings.Token.Kind)
            {
                case TokenSourceKind.Variable:
                    arguments.Add(Arg("TokenVariable", settings.Token.Value));
                    break;
                case TokenSourceKind.File:
                    arguments.Add(Arg("TokenFile", settings.Token.Value));
                    break;
                case TokenSourceKind.Text:
                    throw new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument,
                        "-Mode CredentialProcess runs later, in another process, and cannot take a token typed now: " +
                        "use -TokenVariable or -TokenFile (or no token parameter, to discover it when it runs).", "WebIdentityToken");
            }

            return Create(host, arguments);
        }

        /// <summary>The line (value only) for the current platform; see <see cref="Create"/>.</summary>
        public static string Build(IReadOnlyList<string> host, string moduleManifest, IEnumerable<KeyValuePair<string, string?>> arguments) =>
            Create(new CredentialProcessHost(host, moduleManifest), arguments).Line;

        /// <summary>The line (value only) for Windows (<paramref name="windows"/> true) or Unix; see <see cref="Create"/>.</summary>
        public static string Build(IReadOnlyList<string> host, string moduleManifest, IEnumerable<KeyValuePair<string, string?>> arguments, bool windows) =>
            Create(new CredentialProcessHost(host, moduleManifest, windows), arguments).Line;

        /// <param name="host">The PowerShell to run, the module manifest, and the target platform.</param>
        /// <param name="arguments">Named parameters of Get-GitlabWebIdentityCredential; null values are left out.</param>
        public static CredentialProcessLine Create(CredentialProcessHost host, IEnumerable<KeyValuePair<string, string?>> arguments)
        {
            if (host is null || host.Command.Count == 0)
            {
                throw Unsafe("The PowerShell host command is empty: credential_process needs the PowerShell to run.", "Mode");
            }

            if (string.IsNullOrEmpty(host.ModuleManifest))
            {
                throw Unsafe("The module manifest path is empty: credential_process needs the module to import.", "Mode");
            }

            foreach (string part in host.Command)
            {
                CheckProgramPath(part, host.Windows);
            }

            CheckValue("ModuleManifest", host.ModuleManifest);
            var script = new StringBuilder();
            script.Append("Import-Module ").Append(SingleQuote(host.ModuleManifest)).Append("; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess");
            string? previous = null;
            foreach (KeyValuePair<string, string?> argument in arguments ?? Enumerable.Empty<KeyValuePair<string, string?>>())
            {
                if (argument.Value == null)
                {
                    continue;
                }

                CheckValue(argument.Key, argument.Value);
                // A name given again right after itself continues an array: -ChainRoleArn 'a','b'.
                script.Append(argument.Key == previous ? "," : $" -{argument.Key} ").Append(SingleQuote(argument.Value));
                previous = argument.Key;
            }

            string text = script.ToString();
            var line = new StringBuilder();
            foreach (string part in host.Command)
            {
                line.Append('"').Append(part).Append("\" ");
            }

            line.Append(string.Join(" ", FixedArguments)).Append(' ').Append(Encode(text));
            if (host.Windows && line.Length > WindowsMaxLength)
            {
                throw Unsafe($"The credential_process line would be {line.Length} characters, longer than cmd.exe runs ({WindowsMaxLength}): shorten the paths or values.", "Mode");
            }

            return new CredentialProcessLine(line.ToString(), text);
        }

        /// <summary>Base64 of the UTF-16LE bytes of <paramref name="script"/>, as PowerShell's -EncodedCommand takes it.</summary>
        public static string Encode(string script) => Convert.ToBase64String(Encoding.Unicode.GetBytes(script));

        /// <summary>The script inside an -EncodedCommand value.</summary>
        public static string Decode(string encoded) => Encoding.Unicode.GetString(Convert.FromBase64String(encoded));

        /// <summary>True for the characters PowerShell treats as a single quote: ' and U+2018-U+201B.</summary>
        public static bool IsSingleQuote(char c) => c == '\'' || (c >= '\u2018' && c <= '\u201B');

        /// <summary>A PowerShell single-quoted string literal of <paramref name="value"/>: every quote character doubled, as PowerShell escapes it.</summary>
        public static string SingleQuote(string value)
        {
            var sb = new StringBuilder(value.Length + 2).Append('\'');
            foreach (char c in value)
            {
                if (IsSingleQuote(c))
                {
                    sb.Append(c);
                }

                sb.Append(c);
            }

            return sb.Append('\'').ToString();
        }

        private static void CheckProgramPath(string? path, bool windows)
        {
            if (string.IsNullOrEmpty(path))
            {
                throw Unsafe("The PowerShell host path is empty: credential_process needs the PowerShell to run.", "Mode");
            }

            char[] unsafeChars = windows ? WindowsUnsafePath : UnixUnsafePath;
            int bad = path!.IndexOfAny(unsafeChars);
            bool control = path.Any(IsControl);
            bool trailingBackslash = windows && path.EndsWith("\\", StringComparison.Ordinal);
            if (bad >= 0 || control || trailingBackslash)
            {
                string what = control ? "a control character or line break"
                    : trailingBackslash ? "a trailing backslash"
                    : $"'{path[bad]}'";
                string platform = windows ? "Windows (cmd.exe /C and the AWS CLI's win32 split)" : "Unix (sh -c and the AWS CLI's POSIX split)";
                throw Unsafe(
                    $"The PowerShell host path '{path}' contains {what}, which cannot be quoted safely in a credential_process line on {platform}. " +
                    "Run Set-GitlabAwsProfile from a PowerShell installed under a path without it.", "PowerShellHost");
            }
        }

        private static void CheckValue(string parameter, string value)
        {
            if (value.Any(IsControl))
            {
                // Never the value: the parameter name is enough to find it.
                throw Unsafe($"The value of -{parameter} contains a line break or another control character, which a credential_process profile cannot hold.", parameter);
            }
        }

        // C0 and C1 controls, DEL, and the Unicode line and paragraph separators (which some readers take as line breaks).
        private static bool IsControl(char c) => c < ' ' || (c >= '\u007F' && c <= '\u009F') || c == '\u2028' || c == '\u2029';

        private static KeyValuePair<string, string?> Arg(string name, string? value) => new KeyValuePair<string, string?>(name, value);

        private static GitlabStsException Unsafe(string message, string parameter) =>
            new GitlabStsException(ErrorIds.UnsafeValue, ErrorKind.InvalidArgument, message, parameter);
    }
}
