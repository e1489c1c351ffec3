using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GitlabSts.Core.Profiles;

namespace GitlabSts
{
    /// <summary>Completes -ProfileName with the profiles in the AWS config and credentials files.</summary>
    public sealed class ProfileNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var locations = new AwsFileLocations(GitlabSts.Core.ProcessEnvironment.Instance);
            string config = fakeBoundParameters["ConfigPath"] is string c ? ResolvePath(c) : locations.ConfigPath();
            string credentials = fakeBoundParameters["CredentialsPath"] is string k ? ResolvePath(k) : locations.CredentialsPath();
            IEnumerable<string> names;
            try
            {
                names = AwsIniEditor.ListProfiles(TextFileEncoding.ReadFile(config), TextFileEncoding.ReadFile(credentials));
            }
            catch (Exception)
            {
                yield break;
            }

            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (string name in names.Distinct(StringComparer.Ordinal).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                string text = name.IndexOfAny(new[] { ' ', '\'', '$', '@', '(', ')', ';', ',' }) >= 0 ? $"'{name.Replace("'", "''")}'" : name;
                yield return new CompletionResult(text, name, CompletionResultType.ParameterValue, name);
            }
        }

        /// <summary>A path typed on the command line, as the cmdlet will resolve it: relative to PowerShell's current location, '~' expanded.</summary>
        private static string ResolvePath(string path)
        {
            if (string.IsNullOrWhiteSpace(path) || System.Management.Automation.Runspaces.Runspace.DefaultRunspace is null)
            {
                return path;
            }

            try
            {
                // Completion runs inside a pipeline, where the runspace's SessionStateProxy refuses calls
                // ("a pipeline is already running"); a nested pipeline on the current runspace may ask.
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path);
                var result = ps.Invoke();
                if (result.Count == 1 && result[0]?.BaseObject is string resolved && resolved.Length > 0)
                {
                    return resolved;
                }
            }
            catch (Exception)
            {
                // Fall back to the process's view of the path.
            }

            return path;
        }
    }
}
