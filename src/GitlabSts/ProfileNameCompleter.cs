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

            string prefix = Unquote(wordToComplete ?? string.Empty);
            foreach (string name in names.Distinct(StringComparer.Ordinal).Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name);
            }
        }

        /// <summary>
        /// The name as one single-quoted PowerShell string, escaped by PowerShell's own rules (every ' and
        /// typographic single quote U+2018-U+201B doubled): accepted as is, it is always one string argument,
        /// whatever it holds (`x|Get-Date`, `$(...)`, quotes).
        /// </summary>
        internal static string Quote(string name) => "'" + CodeGeneration.EscapeSingleQuotedStringContent(name) + "'";

        /// <summary>The word typed so far without its opening (and closing) quote; a doubled single quote is one.</summary>
        private static string Unquote(string word)
        {
            if (word.Length > 0 && IsSingleQuote(word[0]))
            {
                word = word.Substring(1);
                if (word.Length > 0 && IsSingleQuote(word[word.Length - 1]))
                {
                    word = word.Substring(0, word.Length - 1);
                }

                var text = new System.Text.StringBuilder(word.Length);
                for (int i = 0; i < word.Length; i++)
                {
                    text.Append(word[i]);
                    if (IsSingleQuote(word[i]) && i + 1 < word.Length && IsSingleQuote(word[i + 1]))
                    {
                        i++;
                    }
                }

                return text.ToString();
            }

            return word.Trim('"');
        }

        private static bool IsSingleQuote(char c) => c == '\'' || (c >= '\u2018' && c <= '\u201B');

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
