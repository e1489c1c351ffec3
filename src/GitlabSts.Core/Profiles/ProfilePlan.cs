using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// The changes that set one AWS profile, computed without touching the disk
    /// (<see cref="Create(AwsProfileRequest, IEnvironmentReader)"/>), shown without secrets (<see cref="Describe"/>,
    /// for -WhatIf) and written safely (<see cref="Apply()"/>).
    /// <para>
    /// The profile's sections are merged, as <c>aws configure set</c> does (0.2; 0.1 replaced them whole): keys and comments
    /// this module does not write (<c>output</c>, <c>cli_pager</c>, nested <c>s3 =</c> blocks, <c>; notes</c>) stay in
    /// place. The keys a mode writes are set; the keys another mode wrote (<see cref="ManagedConfigKeys"/>,
    /// <see cref="ManagedCredentialsKeys"/>) are removed, because stale keys left by another mode win or break the profile
    /// (checked 2026-11-26): botocore 1.43 (AWS CLI v1/v2, boto3) prefers static keys in the credentials file over a
    /// credential_process, and a role_arn + web_identity_token_file in the config file over static keys; the AWS SDK for
    /// .NET 4 merges both files and rejects a profile that mixes static keys with web identity or credential_process
    /// ("Credential profile [oidc] is not valid"). So WebIdentity and CredentialProcess remove the aws_* keys from
    /// <c>[NAME]</c> in the credentials file (the section too when no key is left); Credential removes role_arn,
    /// web_identity_token_file, role_session_name, duration_seconds and credential_process from the config section and sets
    /// <c>region</c> when known. A region already there stays when none is given. A missing file is never created just to
    /// remove something from it.
    /// </para>
    /// Every failure is a <see cref="GitlabStsException"/> with <see cref="ErrorIds.ProfileWriteFailed"/>:
    /// <see cref="ErrorKind.InvalidArgument"/> naming the parameter for an input that cannot be written,
    /// <see cref="ErrorKind.WriteError"/> naming the file for one that cannot be written.
    /// </summary>
    public sealed class ProfilePlan
    {
        private const string ConfigHint = "-ConfigPath or AWS_CONFIG_FILE";
        private const string CredentialsHint = "-CredentialsPath or AWS_SHARED_CREDENTIALS_FILE";
        private const string TokenHint = "-TokenFilePath";

        /// <summary>The config-section keys some mode writes (region aside: written when known, otherwise left as it is).</summary>
        public static readonly IReadOnlyList<string> ManagedConfigKeys = new[] { "role_arn", "web_identity_token_file", "role_session_name", "duration_seconds", "credential_process", "source_profile" };

        /// <summary>The credentials-section keys Credential mode writes (aws_security_token: the legacy name of the session token).</summary>
        public static readonly IReadOnlyList<string> ManagedCredentialsKeys = new[] { "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token" };

        private const string StaleInConfig = "written by this module before (another mode or other options): left there they would change or break the profile.";

        private const string StaleCredentials = "static keys of this profile left there by another mode would beat credential_process in the AWS CLI and boto3, and make the profile invalid for the AWS SDK for .NET.";
        private const string StaleConfig = "a role_arn + web_identity_token_file left there by another mode would beat the static keys in the AWS CLI and boto3, and any mix makes the profile invalid for the AWS SDK for .NET.";

        private ProfilePlan(AwsProfileRequest r, string configPath, string credentialsPath, string? tokenPath, List<ProfileFileChange> changes)
        {
            Mode = r.Mode;
            ProfileName = r.ProfileName;
            ConfigPath = configPath;
            CredentialsPath = credentialsPath;
            TokenFilePath = tokenPath;
            RoleArn = r.ChainRoleArns is { Count: > 0 } chain ? chain[chain.Count - 1] : r.RoleArn;
            Chain = changes.Select(c => c.Chain).FirstOrDefault(c => c != null);
            SourceProfiles = Chain?.ExtraProfileNames ?? Array.Empty<string>();
            Region = string.IsNullOrEmpty(r.Region) ? null : r.Region;
            Changes = changes;
        }

        public ProfileMode Mode { get; }

        public string ProfileName { get; }

        public string ConfigPath { get; }

        public string CredentialsPath { get; }

        /// <summary>The token file (WebIdentity only), full path.</summary>
        public string? TokenFilePath { get; }

        /// <summary>The role whose credentials the profile gives: the last of a chain (WebIdentity -ChainRoleArn), else the role.</summary>
        public string? RoleArn { get; }

        /// <summary>The extra profiles of a chained WebIdentity profile, web-identity hop first (empty without a chain).</summary>
        public IReadOnlyList<string> SourceProfiles { get; }

        /// <summary>The chain part of the config file's change (extra profiles, sweep of earlier ones); null when there is no config change.</summary>
        public ChainSections? Chain { get; }

        public string? Region { get; }

        /// <summary>The section name in the config file: <c>default</c> or <c>profile NAME</c>.</summary>
        public string ConfigSectionName => ProfileNames.ConfigSection(ProfileName);

        /// <summary>The changes in the order <see cref="Apply()"/> makes them (token file first).</summary>
        public IReadOnlyList<ProfileFileChange> Changes { get; }

        /// <summary>Validates <paramref name="request"/> and computes the changes (paths with '~' expanded from the process environment).</summary>
        public static ProfilePlan Create(AwsProfileRequest request) => Create(request, ProcessEnvironment.Instance);

        /// <summary>
        /// Validates <paramref name="request"/> and computes the changes. Reads and writes nothing; <paramref name="env"/>
        /// gives HOME for a path that starts with '~'. Throws <see cref="GitlabStsException"/>
        /// (<see cref="ErrorIds.ProfileWriteFailed"/>, <see cref="ErrorKind.InvalidArgument"/>, target: the request property).
        /// </summary>
        public static ProfilePlan Create(AwsProfileRequest request, IEnvironmentReader env)
        {
            if (request is null)
            {
                throw ProfileErrors.Invalid("No profile request was given.", nameof(request));
            }

            ProfileNames.Check(request.ProfileName);
            var locations = new AwsFileLocations(env);
            string configPath = locations.FullPath(request.ConfigPath, nameof(request.ConfigPath));
            string credentialsPath = locations.FullPath(request.CredentialsPath, nameof(request.CredentialsPath));
            string name = request.ProfileName;
            string configSection = ProfileNames.ConfigSection(name);
            string? region = string.IsNullOrEmpty(request.Region) ? null : request.Region;
            var changes = new List<ProfileFileChange>();
            string? tokenPath = null;
            if (request.ChainRoleArns is { Count: > 0 } && request.Mode != ProfileMode.WebIdentity)
            {
                throw ProfileErrors.Invalid($"Chain roles are written as extra profiles only in WebIdentity mode; a {request.Mode} profile holds the last hop's credentials.", nameof(request.ChainRoleArns));
            }

            // Every mode sweeps the extra profiles an earlier chained run wrote for this profile; WebIdentity with a chain writes new ones.
            ChainSections NoChain() => ChainSections.Create(name, configPath, Array.Empty<KeyValuePair<string, string>>(), null, null, null, region, ManagedConfigKeys, out _);

            switch (request.Mode)
            {
                case ProfileMode.WebIdentity:
                {
                    string roleArn = Required(request.RoleArn, nameof(request.RoleArn), "WebIdentity");
                    string token = Required(request.WebIdentityToken, nameof(request.WebIdentityToken), "WebIdentity");
                    if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                    {
                        // botocore sends the token file's content as is: a newline would break the STS call.
                        throw ProfileErrors.Invalid("The web identity token must not contain whitespace or line breaks.", nameof(request.WebIdentityToken));
                    }

                    tokenPath = string.IsNullOrEmpty(request.TokenFilePath)
                        ? TokenFileNaming.DefaultPath(configPath, name)
                        : locations.FullPath(request.TokenFilePath, nameof(request.TokenFilePath));
                    if (AwsFileLocations.SamePath(tokenPath, configPath) || AwsFileLocations.SamePath(tokenPath, credentialsPath))
                    {
                        throw ProfileErrors.Invalid($"The token file path '{tokenPath}' must differ from the config and credentials files.", nameof(request.TokenFilePath));
                    }

                    var keys = new List<KeyValuePair<string, string>>
                    {
                        Kv("role_arn", roleArn),
                        Kv("web_identity_token_file", tokenPath),
                    };
                    if (!string.IsNullOrEmpty(request.RoleSessionName))
                    {
                        keys.Add(Kv("role_session_name", request.RoleSessionName!));
                    }

                    AddDuration(keys, request.DurationSeconds);
                    AddRegion(keys, region);
                    if (request.ChainDurationSeconds is <= 0)
                    {
                        throw ProfileErrors.Invalid("The chain's duration must be a positive number of seconds.", nameof(request.ChainDurationSeconds));
                    }

                    ChainSections chain = ChainSections.Create(name, configPath, keys, request.ChainRoleArns, request.ChainRoleSessionName, request.ChainDurationSeconds, region,
                        ManagedConfigKeys, out IReadOnlyList<KeyValuePair<string, string>> mainKeys);
                    changes.Add(ProfileFileChange.TokenFile(tokenPath, token));
                    changes.Add(WithChain(ProfileFileChange.Set(configPath, configSection, mainKeys, ManagedConfigKeys, StaleInConfig), chain));
                    changes.Add(ProfileFileChange.Remove(credentialsPath, name, ManagedCredentialsKeys, StaleCredentials));
                    break;
                }

                case ProfileMode.Credential:
                {
                    var keys = new List<KeyValuePair<string, string>>
                    {
                        Kv("aws_access_key_id", Required(request.AccessKeyId, nameof(request.AccessKeyId), "Credential")),
                        Kv("aws_secret_access_key", Required(request.SecretAccessKey, nameof(request.SecretAccessKey), "Credential")),
                    };
                    if (!string.IsNullOrEmpty(request.SessionToken))
                    {
                        keys.Add(Kv("aws_session_token", request.SessionToken!));
                    }

                    changes.Add(ProfileFileChange.Set(credentialsPath, name, keys, ManagedCredentialsKeys, "a session token of earlier keys would not match the new ones."));
                    changes.Add(WithChain(region is not null
                        ? ProfileFileChange.Set(configPath, configSection, new[] { Kv("region", region) }, ManagedConfigKeys, StaleConfig)
                        : ProfileFileChange.Remove(configPath, configSection, ManagedConfigKeys, StaleConfig), NoChain()));
                    break;
                }

                case ProfileMode.CredentialProcess:
                {
                    var keys = new List<KeyValuePair<string, string>>();
                    if (!string.IsNullOrEmpty(request.CredentialProcessComment))
                    {
                        keys.Add(Kv(AwsIniEditor.CommentKey, request.CredentialProcessComment!));   // above its key, so a re-run replaces it
                    }

                    keys.Add(Kv("credential_process", Required(request.CredentialProcessCommand, nameof(request.CredentialProcessCommand), "CredentialProcess")));
                    AddRegion(keys, region);
                    changes.Add(WithChain(ProfileFileChange.Set(configPath, configSection, keys, ManagedConfigKeys, StaleInConfig), NoChain()));
                    changes.Add(ProfileFileChange.Remove(credentialsPath, name, ManagedCredentialsKeys, StaleCredentials));
                    break;
                }

                default:
                    throw ProfileErrors.Invalid($"Unknown mode '{request.Mode}'.", nameof(request.Mode));
            }

            // Validate every key and value now (line breaks, whitespace), not halfway through Apply.
            foreach (var change in changes.Where(c => c.Kind == ProfileChangeKind.SetSection).Concat(changes.SelectMany(c => c.Chain?.Sections ?? Array.Empty<ProfileFileChange>())))
            {
                AwsIniEditor.CheckSection(change.SectionName!, change.Keys);
            }

            return new ProfilePlan(request, configPath, credentialsPath, tokenPath, changes);
        }

        /// <summary>A multi-line description of every change, secrets shown as &lt;redacted&gt; (for -WhatIf and -Verbose).</summary>
        public string Describe()
        {
            var sb = new StringBuilder();
            sb.Append($"Profile '{ProfileName}' ({Mode}):");
            foreach (var change in Changes)
            {
                foreach (string line in change.Describe().Split(new[] { Environment.NewLine }, StringSplitOptions.None))
                {
                    sb.Append(Environment.NewLine).Append("  ").Append(line);
                }
            }

            return sb.ToString();
        }

        /// <summary>
        /// Checks every file of the plan before anything is written, so a profile whose config file cannot be written
        /// does not leave a new token file or credentials section behind. <paramref name="probe"/> false skips the probe
        /// file (for -WhatIf, which must not touch the disk).
        /// </summary>
        public void CheckWritable(bool probe = true) => CheckWritable(new SafeFileWriter(), probe);

        /// <summary>Makes the changes with a <see cref="SafeFileWriter"/> for the current platform.</summary>
        public void Apply() => Apply(new SafeFileWriter());

        /// <summary>
        /// Makes the changes in order (token file first), each an atomic locked read-modify-write.
        /// First checks every target (without a probe file), so a path that can never be a file (a folder there, a file
        /// where a folder should be) fails before anything is written: no token file is left behind for a profile that
        /// was not written. Changes made before a later failure (disk full, permissions) stay.
        /// </summary>
        internal void Apply(SafeFileWriter writer)
        {
            // A path that can never be a file fails here, before the first write (no token file left behind).
            CheckWritable(writer, probe: false);

            foreach (var change in Changes)
            {
                string description = DescriptionOf(change);
                string hint = HintOf(change);
                try
                {
                    switch (change.Kind)
                    {
                        case ProfileChangeKind.WriteTokenFile:
                            writer.Update(change.Path, _ => change.Content!, description, hint);
                            break;
                        case ProfileChangeKind.SetSection:
                            // One transform of the file: the section, a chain's extra profiles and the sweep of earlier ones, under one lock.
                            writer.Update(change.Path, text => WithChain(change, AwsIniEditor.MergeSection(text, change.SectionName!, change.Keys, change.RemoveKeys)), description, hint);
                            break;
                        case ProfileChangeKind.RemoveKeys when File.Exists(change.Path):
                            writer.Update(change.Path, text => WithChain(change, AwsIniEditor.RemoveKeys(text, change.SectionName!, change.RemoveKeys)) is string edited && !string.Equals(edited, text, StringComparison.Ordinal) ? edited : null, description, hint);
                            break;
                    }
                }
                catch (FileWriteException e)
                {
                    throw ProfileErrors.WriteFailed(e);
                }
            }
        }

        private void CheckWritable(SafeFileWriter writer, bool probe)
        {
            // Sections first: a config path the user chose is what to report, not the token file derived from it.
            foreach (var change in Changes.OrderBy(c => c.Kind == ProfileChangeKind.SetSection ? 0 : c.Kind == ProfileChangeKind.WriteTokenFile ? 1 : 2))
            {
                try
                {
                    writer.CheckWritable(change.Path, DescriptionOf(change), HintOf(change), probe && (change.Kind != ProfileChangeKind.RemoveKeys || File.Exists(change.Path)), replaces: change.Kind != ProfileChangeKind.RemoveKeys);
                }
                catch (FileWriteException e)
                {
                    throw ProfileErrors.WriteFailed(e);
                }
            }
        }

        private string DescriptionOf(ProfileFileChange change) =>
            change.Kind == ProfileChangeKind.WriteTokenFile ? "web identity token file" : AwsFileLocations.SamePath(change.Path, ConfigPath) ? "AWS config file" : "AWS credentials file";

        private string HintOf(ProfileFileChange change) =>
            change.Kind == ProfileChangeKind.WriteTokenFile ? TokenHint : AwsFileLocations.SamePath(change.Path, ConfigPath) ? ConfigHint : CredentialsHint;

        private static KeyValuePair<string, string> Kv(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static ProfileFileChange WithChain(ProfileFileChange change, ChainSections chain)
        {
            change.Chain = chain;
            return change;
        }

        private static string WithChain(ProfileFileChange change, string text) => change.Chain is ChainSections chain ? chain.Apply(text) : text;

        /// <summary>
        /// Looks at the config file as it is now (<paramref name="configText"/>, null when missing) for the chain: refuses a
        /// profile of the user's in the way of an extra profile (before anything is written) and notes the extra profiles of
        /// an earlier run that the write removes (for -WhatIf).
        /// </summary>
        internal void InspectConfig(string? configText) => Chain?.Inspect(configText);

        private static void AddRegion(List<KeyValuePair<string, string>> keys, string? region)
        {
            if (region is not null)
            {
                keys.Add(Kv("region", region));
            }
        }

        private static void AddDuration(List<KeyValuePair<string, string>> keys, int? duration)
        {
            if (duration is null)
            {
                return;
            }

            if (duration.Value <= 0)
            {
                throw ProfileErrors.Invalid("The duration must be a positive number of seconds.", nameof(AwsProfileRequest.DurationSeconds));
            }

            keys.Add(Kv("duration_seconds", duration.Value.ToString(CultureInfo.InvariantCulture)));
        }

        private static string Required(string? value, string name, string mode) =>
            string.IsNullOrEmpty(value) ? throw ProfileErrors.Invalid($"{name} is required in {mode} mode.", name) : value!;
    }
}
