using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>The PowerShell that a credential_process line runs, and the module it imports.</summary>
    public sealed class CredentialProcessHost
    {
        /// <param name="command">The PowerShell executable, plus pwsh.dll when it runs under 'dotnet'.</param>
        /// <param name="moduleManifest">The absolute path of GitlabSts.psd1 (or the module name).</param>
        public CredentialProcessHost(IReadOnlyList<string> command, string moduleManifest)
        {
            Command = command ?? Array.Empty<string>();
            ModuleManifest = moduleManifest ?? string.Empty;
        }

        public IReadOnlyList<string> Command { get; }

        public string ModuleManifest { get; }
    }

    /// <summary>
    /// Builds the credential_process line that runs Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess:
    /// every program path in double quotes (botocore splits it shell-style, the AWS SDK for .NET splits off a quoted
    /// executable), the PowerShell command in double quotes with single-quoted values inside, so paths with spaces
    /// work from any working directory.
    /// Bad input is a <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>, <see cref="ErrorKind.InvalidArgument"/>).
    /// </summary>
    public static class CredentialProcessCommand
    {
        /// <summary>
        /// The line that repeats this exchange later: the checked role, duration and region, and the caller's own session
        /// name, endpoint, audience and token variable or file (not a token typed now, which is refused).
        /// </summary>
        public static string ForExchange(CredentialProcessHost host, ExchangeSettings settings, ExchangeRequest exchange, string? region)
        {
            var arguments = new List<KeyValuePair<string, string?>>
            {
                Arg("RoleArn", exchange.RoleArn.Value),
                Arg("RoleSessionName", settings.RoleSessionName),
                Arg("DurationSeconds", exchange.DurationSeconds.ToString(CultureInfo.InvariantCulture)),
                Arg("Region", region),
                Arg("EndpointUrl", settings.EndpointUrl),
                Arg("Audience", settings.Audience),
            };
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

            return Build(host.Command, host.ModuleManifest, arguments);
        }

        /// <param name="host">The PowerShell to run: its executable, plus pwsh.dll when it runs under 'dotnet'.</param>
        /// <param name="moduleManifest">The absolute path of GitlabSts.psd1.</param>
        /// <param name="arguments">Named parameters of Get-GitlabWebIdentityCredential; null values are left out.</param>
        public static string Build(IReadOnlyList<string> host, string moduleManifest, IEnumerable<KeyValuePair<string, string?>> arguments)
        {
            if (host is null || host.Count == 0)
            {
                throw Invalid("The PowerShell host command is empty.");
            }

            if (string.IsNullOrEmpty(moduleManifest))
            {
                throw Invalid("The module manifest path is empty.");
            }

            foreach (string part in host.Concat(new[] { moduleManifest }))
            {
                if (part is null || part.IndexOf('"') >= 0 || part.IndexOf('\n') >= 0 || part.IndexOf('\r') >= 0)
                {
                    throw Invalid($"The path '{part}' contains a double quote or a line break and cannot be used in credential_process.");
                }
            }

            var script = new StringBuilder();
            script.Append("Import-Module ").Append(SingleQuote(moduleManifest)).Append("; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess");
            foreach (KeyValuePair<string, string?> argument in arguments ?? Enumerable.Empty<KeyValuePair<string, string?>>())
            {
                if (argument.Value == null)
                {
                    continue;
                }

                if (argument.Value.IndexOf('"') >= 0 || argument.Value.IndexOf('\n') >= 0)
                {
                    throw Invalid($"The value of -{argument.Key} contains a double quote or a line break and cannot be used in credential_process.");
                }

                script.Append(" -").Append(argument.Key).Append(' ').Append(SingleQuote(argument.Value));
            }

            var line = new StringBuilder();
            foreach (string part in host)
            {
                line.Append('"').Append(part).Append("\" ");
            }

            line.Append("-NoProfile -NonInteractive -Command \"").Append(script).Append('"');
            return line.ToString();
        }

        private static KeyValuePair<string, string?> Arg(string name, string? value) => new KeyValuePair<string, string?>(name, value);

        private static GitlabStsException Invalid(string message) =>
            new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument, message, "Mode");

        private static string SingleQuote(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
