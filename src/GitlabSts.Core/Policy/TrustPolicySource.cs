using System;
using System.IO;
using System.Text;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Policy
{
    /// <summary>Test-GitlabOidcRole's -TrustPolicy: the policy JSON itself, or the path of a file holding it.</summary>
    public static class TrustPolicySource
    {
        /// <summary>The largest -TrustPolicy file read: 64 KiB (IAM's own limit for a trust policy is far lower).</summary>
        public const int MaxFileBytes = 64 * 1024;

        /// <summary>
        /// The trust policy text of <paramref name="value"/>: null when not given, the value itself when it starts with '{',
        /// else the content of the file it names. <paramref name="resolvePath"/> turns the path into a full one as the
        /// user meant it (PowerShell's current location, ~), and is called only for a path.
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidPolicy: empty or whitespace, the path holds an ID token, the file is over <see cref="MaxFileBytes"/>,
        /// or it cannot be read.</exception>
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
                return ReadAtMost(path);
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

        /// <summary>
        /// The file's text (BOM-detected, else UTF-8, as File.ReadAllText), reading at most <see cref="MaxFileBytes"/> + 1 bytes:
        /// a larger file (or a device that never ends) is refused without reading the rest.
        /// </summary>
        private static string ReadAtMost(string path)
        {
            using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096))
            {
                var buffer = new byte[MaxFileBytes + 1];
                int total = 0, n;
                while (total < buffer.Length && (n = file.Read(buffer, total, buffer.Length - total)) > 0)
                {
                    total += n;
                }

                if (total > MaxFileBytes)
                {
                    // A device (/dev/zero) or pipe has no length worth showing: it is simply more than the limit.
                    long length = file.CanSeek ? file.Length : 0;
                    string size = length > MaxFileBytes ? $"{length} bytes" : $"more than {MaxFileBytes} bytes";
                    throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidData,
                        $"-TrustPolicy file '{path}' is {size}; a trust policy file may have at most {MaxFileBytes} bytes (64 KiB; IAM's own " +
                        "limit for a trust policy is far lower). Pass the role's trust policy document " +
                        "(aws iam get-role --role-name <name> --query Role.AssumeRolePolicyDocument).", "TrustPolicy");
                }

                using (var reader = new StreamReader(new MemoryStream(buffer, 0, total), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true))
                {
                    return reader.ReadToEnd();
                }
            }
        }
    }
}
