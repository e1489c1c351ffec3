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
            string config = fakeBoundParameters["ConfigPath"] as string ?? ProfilePlan.DefaultConfigPath();
            string credentials = fakeBoundParameters["CredentialsPath"] as string ?? ProfilePlan.DefaultCredentialsPath();
            IEnumerable<string> names;
            try
            {
                names = AwsIniEditor.ListProfiles(SafeFileWriter.ReadText(config), SafeFileWriter.ReadText(credentials));
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
    }
}
