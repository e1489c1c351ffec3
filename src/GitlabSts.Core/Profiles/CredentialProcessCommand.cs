using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Builds the credential_process line that runs Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess:
    /// every program path in double quotes (botocore splits it shell-style, the AWS SDK for .NET splits off a quoted
    /// executable), the PowerShell command in double quotes with single-quoted values inside, so paths with spaces
    /// work from any working directory.
    /// </summary>
    public static class CredentialProcessCommand
    {
        /// <param name="host">The PowerShell to run: its executable, plus pwsh.dll when it runs under 'dotnet'.</param>
        /// <param name="moduleManifest">The absolute path of GitlabSts.psd1.</param>
        /// <param name="arguments">Named parameters of Get-GitlabWebIdentityCredential; null values are left out.</param>
        public static string Build(IReadOnlyList<string> host, string moduleManifest, IEnumerable<KeyValuePair<string, string?>> arguments)
        {
            if (host.Count == 0)
            {
                throw new ArgumentException("The PowerShell host command is empty.", nameof(host));
            }

            foreach (string part in host.Concat(new[] { moduleManifest }))
            {
                if (part.IndexOf('"') >= 0 || part.IndexOf('\n') >= 0 || part.IndexOf('\r') >= 0)
                {
                    throw new ArgumentException($"The path '{part}' contains a double quote or a line break and cannot be used in credential_process.");
                }
            }

            var script = new StringBuilder();
            script.Append("Import-Module ").Append(SingleQuote(moduleManifest)).Append("; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess");
            foreach (KeyValuePair<string, string?> argument in arguments)
            {
                if (argument.Value == null)
                {
                    continue;
                }

                if (argument.Value.IndexOf('"') >= 0 || argument.Value.IndexOf('\n') >= 0)
                {
                    throw new ArgumentException($"The value of -{argument.Key} contains a double quote or a line break and cannot be used in credential_process.");
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

        private static string SingleQuote(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
