// Chained profiles (Set-GitlabAwsProfile -ChainRoleArn in WebIdentity mode, issue 12).
//
// The AWS CLIs and SDKs chain roles by themselves when a profile names a source profile: [profile NAME] holds the LAST role
// with role_arn + source_profile, its source profile holds the role before it, and so on down to a web-identity profile for
// the first role (role_arn + web_identity_token_file). Checked 2026-12-03 against moto: boto3, AWS CLI v1 (with
// AWS_ENDPOINT_URL_STS) and the AWS SDK for .NET 4's CredentialProfileStoreChain resolve such a chain end to end and refresh
// every hop themselves.
//
// Layout for -ProfileName NAME, -RoleArn R0 and -ChainRoleArn R1..Rk (k >= 1), all in the config file:
//   [profile NAME-hop0]       R0: role_arn, web_identity_token_file, role_session_name, duration_seconds, region
//   [profile NAME-hopI]       RI for 0 < I < k: role_arn, source_profile = NAME-hop(I-1), the chain's session name and duration, region
//   [profile NAME]            Rk: role_arn, source_profile = NAME-hop(k-1), the chain's session name and duration, region
// Hop numbers are the chain's (hop 1 is the first -ChainRoleArn; hop 0 the web-identity role). NAME-hopN is a valid profile
// name whenever NAME is (ProfileNames only adds '-', letters and digits).
//
// The extra profiles are marked as ours by their first line, a comment (CommentKey, like the credential_process comment):
//   ; GitlabSts chain: hop 0 (web identity), source_profile of NAME-hop1; managed by Set-GitlabAwsProfile for profile NAME
// Its text up to the first ':' is constant, so AwsIniEditor.MergeSection replaces it on a re-run; its owner is the last word.
// Every run for NAME, in every mode, removes the sections marked for NAME that it does not write (a shorter chain, no chain,
// another mode): their keys and the marker go, the section too when no other key is left; keys the user added stay. A section
// named like an extra profile that is not marked for NAME is the user's: refused (InvalidProfileName), nothing written.
// The main section, the extra sections and the sweep are ONE transform of the config file: one locked, atomic write.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>Names, markers and the config-file edits of the extra profiles of a chained WebIdentity profile.</summary>
    public static class ChainedProfiles
    {
        /// <summary>The start of the marker comment of every extra profile (the text before its first ':' never changes).</summary>
        public const string MarkerPrefix = "GitlabSts chain:";

        /// <summary>What precedes the owner's profile name, the marker's last word.</summary>
        private const string OwnerLead = " for profile ";

        /// <summary>The keys an extra profile gets from us (removed from an extra profile a later run does not write).</summary>
        public static readonly IReadOnlyList<string> ExtraProfileKeys = new[]
        {
            "role_arn", "web_identity_token_file", "source_profile", "role_session_name", "duration_seconds", "region", "credential_process",
        };

        /// <summary>The name of the extra profile for hop <paramref name="hop"/> (0: the web-identity role) of <paramref name="profileName"/>'s chain.</summary>
        public static string ExtraProfileName(string profileName, int hop) =>
            profileName + "-hop" + hop.ToString(CultureInfo.InvariantCulture);

        /// <summary>The marker comment (without the leading ';') of an extra profile.</summary>
        public static string Marker(string owner, int hop, string sourceOf) =>
            $"{MarkerPrefix} hop {hop.ToString(CultureInfo.InvariantCulture)}{(hop == 0 ? " (web identity)" : string.Empty)}, source_profile of {sourceOf}; " +
            $"managed by Set-GitlabAwsProfile{OwnerLead}{owner}";

        /// <summary>The owner's profile name in a marker comment line (with or without its ';'), or null when the line is no marker.</summary>
        public static string? MarkerOwner(string? commentLine)
        {
            string body = (commentLine ?? string.Empty).Trim();
            if (body.StartsWith(";", StringComparison.Ordinal))
            {
                body = body.Substring(1).TrimStart();
            }

            if (!body.StartsWith(MarkerPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            int lead = body.LastIndexOf(OwnerLead, StringComparison.Ordinal);
            string owner = lead < 0 ? string.Empty : body.Substring(lead + OwnerLead.Length).Trim();
            return owner.Length == 0 || owner.Any(char.IsWhiteSpace) ? null : owner;
        }

        /// <summary>
        /// The config sections of <paramref name="text"/> marked as extra profiles of <paramref name="owner"/>, in file order
        /// (section names, e.g. <c>profile oidc-hop0</c>).
        /// </summary>
        public static IReadOnlyList<string> OwnedSections(string? text, string owner)
        {
            var result = new List<string>();
            foreach (KeyValuePair<string, string?> section in SectionOwners(text))
            {
                if (section.Value == owner && !result.Contains(section.Key))
                {
                    result.Add(section.Key);
                }
            }

            return result;
        }

        /// <summary>The owner of the section's marker (first occurrence), null when the section has none; the section must exist.</summary>
        public static string? OwnerOf(string? text, string sectionName)
        {
            foreach (KeyValuePair<string, string?> section in SectionOwners(text))
            {
                if (section.Key == sectionName)
                {
                    return section.Value;
                }
            }

            return null;
        }

        /// <summary>
        /// Throws <see cref="ErrorIds.InvalidProfileName"/> when <paramref name="text"/> holds a section that
        /// <paramref name="sections"/> would write but that is not marked as an extra profile of <paramref name="owner"/>
        /// (a profile the user keeps under that name): it is never overwritten.
        /// </summary>
        public static void CheckNoForeignSection(string? text, string owner, IEnumerable<string> sections, string configPath)
        {
            foreach (string section in sections)
            {
                if (AwsIniEditor.HasSection(text, section) && OwnerOf(text, section) != owner)
                {
                    throw new GitlabStsException(ErrorIds.InvalidProfileName, ErrorKind.InvalidArgument,
                        $"The role chain of profile '{owner}' needs the extra profile [{section}], but '{configPath}' already has a [{section}] " +
                        $"that Set-GitlabAwsProfile did not write for '{owner}' (no '; {MarkerPrefix} ... for profile {owner}' line), so it is not overwritten. " +
                        "Nothing was written. Rename or remove that profile, or choose another -ProfileName.",
                        nameof(AwsProfileRequest.ProfileName));
                }
            }
        }

        /// <summary>
        /// <paramref name="text"/> without the extra profiles of <paramref name="owner"/> that are not in <paramref name="keep"/>:
        /// their <see cref="ExtraProfileKeys"/> and marker lines go, the section too when no other key is left; every other byte stays.
        /// </summary>
        public static string RemoveOrphans(string text, string owner, ICollection<string> keep)
        {
            foreach (string section in OwnedSections(text, owner))
            {
                if (keep.Contains(section))
                {
                    continue;
                }

                string withoutKeys = AwsIniEditor.RemoveKeys(text, section, ExtraProfileKeys);
                text = AwsIniEditor.HasSection(withoutKeys, section)
                    ? RemoveMarkerLines(withoutKeys, section, owner)   // keys the user added stay: the section is theirs now
                    : RemoveWholeSection(text, section);
            }

            return text;
        }

        /// <summary>
        /// Every occurrence of the section (header to its last key, as <see cref="AwsIniEditor.RemoveSection"/>) and the blank
        /// line right above its header, which <see cref="AwsIniEditor.SetSection"/> put there when it appended the section.
        /// </summary>
        private static string RemoveWholeSection(string text, string sectionName)
        {
            List<AwsIniEditor.Line> lines = AwsIniEditor.Parse(text);
            var sb = new StringBuilder(text.Length);
            int pos = 0;
            foreach (AwsIniEditor.Section section in AwsIniEditor.FindSections(lines, sectionName))
            {
                int first = section.HeaderIndex > 0 && lines[section.HeaderIndex - 1].Kind == AwsIniEditor.LineKind.Blank && lines[section.HeaderIndex - 1].Start >= pos
                    ? section.HeaderIndex - 1
                    : section.HeaderIndex;
                int start = lines[first].Start;
                if (start == 0 && text.Length > 0 && text[0] == AwsIniEditor.ByteOrderMark)
                {
                    start = 1;   // keep the BOM
                }

                sb.Append(text, pos, start - pos);
                pos = section.ContentEnd < lines.Count ? lines[section.ContentEnd].Start : text.Length;
            }

            sb.Append(text, pos, text.Length - pos);
            return sb.ToString();
        }

        /// <summary>The marker lines of <paramref name="owner"/> removed from every occurrence of the section; nothing else changes.</summary>
        private static string RemoveMarkerLines(string text, string sectionName, string owner)
        {
            List<AwsIniEditor.Line> lines = AwsIniEditor.Parse(text);
            var sb = new StringBuilder(text.Length);
            string? current = null;
            int pos = 0;
            foreach (AwsIniEditor.Line line in lines)
            {
                if (line.Kind == AwsIniEditor.LineKind.Header)
                {
                    current = line.HeaderName;
                }
                else if (line.Kind == AwsIniEditor.LineKind.Comment && current == sectionName
                    && MarkerOwner(text.Substring(line.Start, line.ContentLength)) == owner)
                {
                    sb.Append(text, pos, line.Start - pos);
                    pos = line.Start + line.ContentLength + line.EolLength;
                }
            }

            sb.Append(text, pos, text.Length - pos);
            return sb.ToString();
        }

        /// <summary>Each section of <paramref name="text"/> (every occurrence) with the owner of the first marker comment in it, or null.</summary>
        private static IEnumerable<KeyValuePair<string, string?>> SectionOwners(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                yield break;
            }

            string? current = null;
            string? owner = null;
            foreach (AwsIniEditor.Line line in AwsIniEditor.Parse(text!))
            {
                if (line.Kind == AwsIniEditor.LineKind.Header)
                {
                    if (current is not null)
                    {
                        yield return new KeyValuePair<string, string?>(current, owner);
                    }

                    current = line.HeaderName;
                    owner = null;
                }
                else if (line.Kind == AwsIniEditor.LineKind.Comment && current is not null && owner is null)
                {
                    owner = MarkerOwner(text!.Substring(line.Start, line.ContentLength));
                }
            }

            if (current is not null)
            {
                yield return new KeyValuePair<string, string?>(current, owner);
            }
        }
    }

    /// <summary>
    /// The chain part of a profile's config-file change: the extra profiles to set (empty without a chain) and the sweep of the
    /// extra profiles an earlier run wrote for the same profile. Applied in the same transform, under the same lock, as the
    /// profile's own section (see <see cref="ProfilePlan"/>), so a failure leaves none of them.
    /// </summary>
    public sealed class ChainSections
    {
        internal ChainSections(string owner, string configPath, IReadOnlyList<ProfileFileChange> sections)
        {
            Owner = owner;
            ConfigPath = configPath;
            Sections = sections;
        }

        /// <summary>The profile the extra profiles belong to (-ProfileName).</summary>
        public string Owner { get; }

        /// <summary>The config file.</summary>
        public string ConfigPath { get; }

        /// <summary>The extra profiles' sections, web-identity hop first (each a SetSection change of the config file).</summary>
        public IReadOnlyList<ProfileFileChange> Sections { get; }

        /// <summary>The extra profile names, web-identity hop first (AwsProfileInfo.SourceProfiles).</summary>
        public IReadOnlyList<string> ExtraProfileNames => Sections.Select(s => s.SectionName!.Substring("profile ".Length)).ToList();

        /// <summary>
        /// Extra profiles of an earlier run found in the config file when the plan was prepared (shown by -WhatIf); the write
        /// removes what it finds then, under the lock.
        /// </summary>
        public IReadOnlyList<string> KnownOrphans { get; private set; } = Array.Empty<string>();

        /// <summary>
        /// Looks at the config file as it is now (its text, null when missing): refuses a foreign section in the way, and
        /// notes the extra profiles of an earlier run that will go. Reads nothing itself.
        /// </summary>
        internal void Inspect(string? configText)
        {
            CheckForeign(configText);
            var keep = new HashSet<string>(Sections.Select(s => s.SectionName!), StringComparer.Ordinal);
            KnownOrphans = ChainedProfiles.OwnedSections(configText, Owner).Where(s => !keep.Contains(s)).ToList();
        }

        /// <summary>
        /// The extra profiles merged into <paramref name="text"/> (already holding the profile's own section) and the earlier
        /// ones swept. Pure; throws when a section in the way is not ours.
        /// </summary>
        internal string Apply(string text)
        {
            CheckForeign(text);
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (ProfileFileChange section in Sections)
            {
                text = AwsIniEditor.MergeSection(text, section.SectionName!, section.Keys, section.RemoveKeys);
                keep.Add(section.SectionName!);
            }

            return ChainedProfiles.RemoveOrphans(text, Owner, keep);
        }

        /// <summary>The lines -WhatIf and -Verbose show after the profile's own section (no secrets: extra profiles hold none).</summary>
        internal void Describe(StringBuilder sb)
        {
            foreach (ProfileFileChange section in Sections)
            {
                sb.Append(Environment.NewLine).Append("and ").Append(section.Describe());
            }

            if (KnownOrphans.Count > 0)
            {
                sb.Append(Environment.NewLine).Append("and remove the extra profiles of an earlier chain of '").Append(Owner).Append("': ")
                    .Append(string.Join(", ", KnownOrphans.Select(s => "[" + s + "]")))
                    .Append(" (their keys and '; ").Append(ChainedProfiles.MarkerPrefix).Append("' line; keys you added stay).");
            }
        }

        private void CheckForeign(string? text) =>
            ChainedProfiles.CheckNoForeignSection(text, Owner, Sections.Select(s => s.SectionName!), ConfigPath);

        /// <summary>
        /// The chain of <paramref name="owner"/>: <paramref name="webIdentityKeys"/> (role R0, token file, session, duration,
        /// region) go to <c>NAME-hop0</c>; each role of <paramref name="chainRoleArns"/> but the last to <c>NAME-hopI</c>; the
        /// returned <paramref name="mainKeys"/> (last role, source_profile, the chain's session name and duration, region) to
        /// the profile itself. Without chain roles: no extra profile, <paramref name="mainKeys"/> is <paramref name="webIdentityKeys"/>.
        /// </summary>
        internal static ChainSections Create(string owner, string configPath, IReadOnlyList<KeyValuePair<string, string>> webIdentityKeys,
            IReadOnlyList<string>? chainRoleArns, string? chainSessionName, int? chainDurationSeconds, string? region,
            IReadOnlyList<string> removeKeys, out IReadOnlyList<KeyValuePair<string, string>> mainKeys)
        {
            var sections = new List<ProfileFileChange>();
            int hops = chainRoleArns?.Count ?? 0;
            if (hops == 0)
            {
                mainKeys = webIdentityKeys;
                return new ChainSections(owner, configPath, sections);
            }

            // Hop h is the source profile of hop h + 1: an extra profile, or the profile itself for the last role.
            string SourceOf(int hop) => hop + 1 < hops ? ChainedProfiles.ExtraProfileName(owner, hop + 1) : owner;

            var first = new List<KeyValuePair<string, string>> { Kv(AwsIniEditor.CommentKey, ChainedProfiles.Marker(owner, 0, SourceOf(0))) };
            first.AddRange(webIdentityKeys);
            sections.Add(ProfileFileChange.Set(configPath, ProfileNames.ConfigSection(ChainedProfiles.ExtraProfileName(owner, 0)), first, removeKeys,
                "written by this module before (another hop's keys): left there they would change the profile."));

            for (int hop = 1; hop <= hops; hop++)
            {
                var keys = new List<KeyValuePair<string, string>>();
                if (hop < hops)
                {
                    keys.Add(Kv(AwsIniEditor.CommentKey, ChainedProfiles.Marker(owner, hop, SourceOf(hop))));
                }

                keys.Add(Kv("role_arn", chainRoleArns![hop - 1]));
                keys.Add(Kv("source_profile", ChainedProfiles.ExtraProfileName(owner, hop - 1)));
                if (!string.IsNullOrEmpty(chainSessionName))
                {
                    keys.Add(Kv("role_session_name", chainSessionName!));
                }

                if (chainDurationSeconds is int seconds)
                {
                    keys.Add(Kv("duration_seconds", seconds.ToString(CultureInfo.InvariantCulture)));
                }

                if (region is not null)
                {
                    keys.Add(Kv("region", region));
                }

                if (hop == hops)
                {
                    mainKeys = keys;
                    return new ChainSections(owner, configPath, sections);
                }

                sections.Add(ProfileFileChange.Set(configPath, ProfileNames.ConfigSection(ChainedProfiles.ExtraProfileName(owner, hop)), keys, removeKeys,
                    "written by this module before (another hop's keys): left there they would change the profile."));
            }

            throw new InvalidOperationException("unreachable");
        }

        private static KeyValuePair<string, string> Kv(string key, string value) => new KeyValuePair<string, string>(key, value);
    }
}
