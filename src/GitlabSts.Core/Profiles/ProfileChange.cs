using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>What a change does to its file.</summary>
    public enum ProfileChangeKind
    {
        /// <summary>Write the web identity token file (whole file).</summary>
        WriteTokenFile,

        /// <summary>
        /// Create one section, or merge into it: our keys set in place, <see cref="ProfileFileChange.RemoveKeys"/> removed,
        /// every other line (keys and comments this module does not write) kept.
        /// </summary>
        SetSection,

        /// <summary>
        /// Remove <see cref="ProfileFileChange.RemoveKeys"/> from one section if present (keys of the same profile that another
        /// mode wrote and that would now conflict); the section goes when no key is left. Nothing else changes.
        /// </summary>
        RemoveKeys,
    }

    /// <summary>One file change of a <see cref="ProfilePlan"/>, and how it is shown without secrets.</summary>
    public sealed class ProfileFileChange
    {
        private static readonly HashSet<string> SecretKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "aws_secret_access_key", "aws_session_token", "aws_security_token",
        };

        private ProfileFileChange(ProfileChangeKind kind, string path, string? sectionName, IReadOnlyList<KeyValuePair<string, string>> keys, string? content, string reason,
            IReadOnlyList<string>? removeKeys = null)
        {
            RemoveKeys = removeKeys ?? Array.Empty<string>();
            Kind = kind;
            Path = path;
            SectionName = sectionName;
            Keys = keys;
            Content = content;
            Reason = reason;
        }

        public ProfileChangeKind Kind { get; }

        /// <summary>The full path of the file.</summary>
        public string Path { get; }

        /// <summary>The section (text between the brackets), null for the token file.</summary>
        public string? SectionName { get; }

        /// <summary>The keys written, in order (values include secrets: never log them; use <see cref="Describe"/>).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Keys { get; }

        /// <summary>The keys this change removes from the section when present (another mode's keys that would conflict).</summary>
        public IReadOnlyList<string> RemoveKeys { get; }

        /// <summary>Why (for removals and the token file).</summary>
        public string Reason { get; }

        internal string? Content { get; }

        /// <summary>
        /// The config file's change only: the chain's extra profiles and the sweep of earlier ones (<see cref="ChainedProfiles"/>),
        /// made in the same locked update as this section. Null for other files.
        /// </summary>
        public ChainSections? Chain { get; internal set; }

        /// <summary>A short action for ShouldProcess (no secrets), e.g. "Set [profile oidc]".</summary>
        public string Action => Kind switch
        {
            ProfileChangeKind.WriteTokenFile => "Write web identity token file",
            ProfileChangeKind.SetSection when Chain is { Sections.Count: > 0 } => $"Set [{SectionName}], " + string.Join(", ", Chain.Sections.Select(c => "[" + c.SectionName + "]")),
            ProfileChangeKind.SetSection => $"Set [{SectionName}]",
            _ => $"Remove {string.Join(", ", RemoveKeys)} from [{SectionName}] if present",
        };

        /// <summary>True when the key's value is a secret (shown as &lt;redacted&gt;).</summary>
        public static bool IsSecretKey(string key) => SecretKeys.Contains(key);

        internal static ProfileFileChange TokenFile(string path, string token) =>
            new ProfileFileChange(ProfileChangeKind.WriteTokenFile, path, null, Array.Empty<KeyValuePair<string, string>>(), token, "the token the SDKs exchange for credentials.");

        internal static ProfileFileChange Set(string path, string section, IReadOnlyList<KeyValuePair<string, string>> keys, IReadOnlyList<string>? removeKeys = null, string reason = "") =>
            new ProfileFileChange(ProfileChangeKind.SetSection, path, section, keys, null, reason, Without(removeKeys, keys));

        internal static ProfileFileChange Remove(string path, string section, IReadOnlyList<string> removeKeys, string reason) =>
            new ProfileFileChange(ProfileChangeKind.RemoveKeys, path, section, Array.Empty<KeyValuePair<string, string>>(), null, reason, removeKeys);

        private static IReadOnlyList<string> Without(IReadOnlyList<string>? removeKeys, IReadOnlyList<KeyValuePair<string, string>> keys)
        {
            var result = new List<string>();
            foreach (string key in removeKeys ?? Array.Empty<string>())
            {
                bool written = false;
                foreach (var kv in keys)
                {
                    written |= string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase);
                }

                if (!written)
                {
                    result.Add(key);
                }
            }

            return result;
        }

        /// <summary>What this change writes, secrets shown as &lt;redacted&gt;.</summary>
        public string Describe()
        {
            var sb = new StringBuilder();
            switch (Kind)
            {
                case ProfileChangeKind.WriteTokenFile:
                    sb.Append($"Write the web identity token (<redacted>) to '{Path}' (owner-only).");
                    break;
                case ProfileChangeKind.SetSection:
                    sb.Append($"Set [{SectionName}] in '{Path}' (owner-only):");
                    foreach (var kv in Keys)
                    {
                        if (kv.Key == AwsIniEditor.CommentKey)
                        {
                            sb.Append(Environment.NewLine).Append("    ; ").Append(kv.Value);
                            continue;
                        }

                        sb.Append(Environment.NewLine).Append("    ").Append(kv.Key).Append(" = ").Append(IsSecretKey(kv.Key) ? Redactor.Mask : kv.Value);
                    }

                    if (RemoveKeys.Count > 0)
                    {
                        sb.Append(Environment.NewLine).Append("  and remove, if present: ").Append(string.Join(", ", RemoveKeys)).Append(" (").Append(Reason).Append(')');
                    }

                    sb.Append(Environment.NewLine).Append("  Other keys and comments in the section stay.");
                    break;
                default:
                    sb.Append($"Remove {string.Join(", ", RemoveKeys)} from [{SectionName}] in '{Path}' if present (the section too if no key is left): {Reason}");
                    break;
            }

            Chain?.Describe(sb);

            return sb.ToString();
        }

        public override string ToString() => Describe();
    }
}
