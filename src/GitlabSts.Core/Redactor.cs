using System;
using System.Collections.Generic;

namespace GitlabSts.Core
{
    /// <summary>Removes known secret values from text that may reach a user (messages echoed from a server, for example).</summary>
    public static class Redactor
    {
        public const string Mask = "<redacted>";

        public static string Redact(string? text, IEnumerable<string?> secrets)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            string result = text!;
            foreach (string? secret in secrets)
            {
                if (!string.IsNullOrEmpty(secret) && secret!.Length >= 8)
                {
                    result = result.Replace(secret, Mask);

                    // A JWT's signature alone (or its payload) is still secret-bearing; mask those parts too.
                    foreach (string part in secret.Split('.'))
                    {
                        if (part.Length >= 16)
                        {
                            result = result.Replace(part, Mask);
                        }
                    }
                }
            }

            return result;
        }
    }
}
