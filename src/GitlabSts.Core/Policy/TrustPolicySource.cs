using System;
using System.IO;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Policy
{
    /// <summary>Test-GitlabOidcRole's -TrustPolicy: the policy JSON itself, or the path of a file holding it.</summary>
    public static class TrustPolicySource
    {
        /// <summary>
        /// The trust policy text of <paramref name="value"/>: null when not given, the value itself when it starts with '{',
        /// else the content of the file it names. <paramref name="resolvePath"/> turns the path into a full one as the
        /// user meant it (PowerShell's current location, ~), and is called only for a path.
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidPolicy: empty or whitespace, the path holds an ID token, or the file cannot be read.</exception>
        public static string? Read(string? value, Func<string, string> resolvePath)
        {
            if (value == null)
            {
                return null;
            }

            if (value.Trim().Length == 0)
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    "-TrustPolicy is empty. Pass the role's trust policy JSON or the path of a file holding it " +
                    "(aws iam get-role --role-name <name> --query Role.AssumeRolePolicyDocument), or leave -TrustPolicy out.", "TrustPolicy");
            }

            if (value!.TrimStart().StartsWith("{", StringComparison.Ordinal))
            {
                return value;
            }

            string path = resolvePath(value);
            ExchangeRequest.RejectTokenIn("TrustPolicy", ErrorIds.InvalidPolicy, path, isPath: true);
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                // An invalid path's ArgumentException message ends with .NET's "(Parameter 'path')": say what it means instead.
                string why = e is ArgumentException || e is NotSupportedException ? "not a valid path" : e.Message;
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.ObjectNotFound,
                    $"-TrustPolicy is neither JSON nor a readable file: '{path}' ({why}). Pass the trust policy JSON, or the path of a file " +
                    "holding it (aws iam get-role --role-name <name> --query Role.AssumeRolePolicyDocument).", "TrustPolicy", e);
            }
        }
    }
}
