using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>Where a WebIdentity profile's token file goes by default, under a portable file name.</summary>
    public static class TokenFileNaming
    {
        /// <summary>
        /// <c>&lt;config folder&gt;/gitlabsts/&lt;profile&gt;.token</c>. A profile name that is not a
        /// portable file name (characters other than letters, digits, '.', '_', '-', or a Windows device
        /// name like <c>con</c>) is sanitized and suffixed with a short hash, so names never collide.
        /// </summary>
        public static string DefaultPath(string configPath, string profileName)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? Path.GetFullPath(".");
            return Path.Combine(dir, "gitlabsts", SafeFileName(profileName) + ".token");
        }

        /// <summary>The profile name as a portable file name: unchanged when it already is one, else sanitized + "-" + 8 hex digits of its SHA-256.</summary>
        internal static string SafeFileName(string profileName)
        {
            var sb = new StringBuilder(profileName.Length);
            bool changed = false;
            foreach (char c in profileName)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
                {
                    sb.Append(c);
                }
                else
                {
                    sb.Append('_');
                    changed = true;
                }
            }

            string result = sb.ToString();
            string stem = result.Split('.')[0].ToUpperInvariant();
            bool reserved = stem is "CON" or "PRN" or "AUX" or "NUL"
                || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) && char.IsDigit(stem[3]));
            if (changed || reserved || result.Trim('.').Length == 0 || result.EndsWith(".", StringComparison.Ordinal))
            {
                using var sha = SHA256.Create();
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(profileName));
                var hex = new StringBuilder();
                for (int i = 0; i < 4; i++)
                {
                    hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
                }

                result = result + "-" + hex;
            }

            return result;
        }
    }
}
