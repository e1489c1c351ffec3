using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GitlabSts.Core.Sts;

namespace GitlabSts
{
    /// <summary>Completes -Region with the regions of the role's partition (all partitions when no role is bound yet).</summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string? partition = null;
            if (fakeBoundParameters["RoleArn"] is string arn)
            {
                string[] parts = arn.Split(':');
                partition = parts.Length > 1 ? parts[1] : null;
            }

            IEnumerable<string> candidates = partition != null && Partitions.Regions.TryGetValue(partition, out string[]? list)
                ? list
                : Partitions.Regions.Values.SelectMany(r => r);
            string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            return candidates
                .Where(r => r.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(r => new CompletionResult(r, r, CompletionResultType.ParameterValue, r));
        }
    }
}
