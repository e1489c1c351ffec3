using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Profiles
{
    /// <summary>How a profile gets its credentials.</summary>
    public enum AwsProfileMode
    {
        /// <summary>Config section with role_arn + web_identity_token_file: the SDKs assume the role (and re-assume) themselves.</summary>
        WebIdentity,

        /// <summary>Credentials section with static temporary keys.</summary>
        Credential,

        /// <summary>Config section with credential_process running this module.</summary>
        CredentialProcess,
    }

    /// <summary>The inputs of <see cref="ProfilePlan.Create"/> (the cmdlet's parameters, resolved).</summary>
    public sealed class AwsProfileRequest
    {
        public AwsProfileMode Mode { get; set; } = AwsProfileMode.WebIdentity;

        /// <summary>Profile name; <c>default</c> is the <c>[default]</c> profile.</summary>
        public string ProfileName { get; set; } = ProfilePlan.DefaultProfileName;

        /// <summary>The shared config file (see <see cref="ProfilePlan.DefaultConfigPath"/>).</summary>
        public string ConfigPath { get; set; } = string.Empty;

        /// <summary>The shared credentials file (see <see cref="ProfilePlan.DefaultCredentialsPath"/>).</summary>
        public string CredentialsPath { get; set; } = string.Empty;

        /// <summary>WebIdentity: required.</summary>
        public string? RoleArn { get; set; }

        /// <summary>WebIdentity: the ID token (JWT) to write to the token file. Secret.</summary>
        public string? WebIdentityToken { get; set; }

        /// <summary>WebIdentity: where to write the token; default <see cref="ProfilePlan.DefaultTokenFilePath"/>.</summary>
        public string? TokenFilePath { get; set; }

        /// <summary>WebIdentity: optional role_session_name.</summary>
        public string? RoleSessionName { get; set; }

        /// <summary>WebIdentity: optional duration_seconds.</summary>
        public int? DurationSeconds { get; set; }

        /// <summary>Optional region, written to the config section in every mode.</summary>
        public string? Region { get; set; }

        /// <summary>Credential: required.</summary>
        public string? AccessKeyId { get; set; }

        /// <summary>Credential: required. Secret.</summary>
        public string? SecretAccessKey { get; set; }

        /// <summary>Credential: the session token of temporary keys. Secret.</summary>
        public string? SessionToken { get; set; }

        /// <summary>CredentialProcess: the full command line (absolute, quoted paths), built by the cmdlet.</summary>
        public string? CredentialProcessCommand { get; set; }
    }

    /// <summary>What a change does to its file.</summary>
    public enum ProfileChangeKind
    {
        /// <summary>Write the web identity token file (whole file).</summary>
        WriteTokenFile,

        /// <summary>Create or replace one section.</summary>
        SetSection,

        /// <summary>Remove one section if present (stale keys of the same profile from another mode).</summary>
        RemoveSection,
    }

    /// <summary>One file change of a <see cref="ProfilePlan"/>.</summary>
    public sealed class ProfileFileChange
    {
        private static readonly HashSet<string> SecretKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "aws_secret_access_key", "aws_session_token", "aws_security_token",
        };

        internal ProfileFileChange(ProfileChangeKind kind, string path, string? sectionName, IReadOnlyList<KeyValuePair<string, string>> keys, string? content, string reason)
        {
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

        /// <summary>Why (for removals and the token file).</summary>
        public string Reason { get; }

        internal string? Content { get; }

        /// <summary>A short action for ShouldProcess (no secrets), e.g. "Set [profile oidc]".</summary>
        public string Action => Kind switch
        {
            ProfileChangeKind.WriteTokenFile => "Write web identity token file",
            ProfileChangeKind.SetSection => $"Set [{SectionName}]",
            _ => $"Remove [{SectionName}] if present",
        };

        /// <summary>True when the key's value is a secret (shown as &lt;redacted&gt;).</summary>
        public static bool IsSecretKey(string key) => SecretKeys.Contains(key);

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
                        sb.Append(Environment.NewLine).Append("    ").Append(kv.Key).Append(" = ").Append(IsSecretKey(kv.Key) ? Redactor.Mask : kv.Value);
                    }

                    break;
                default:
                    sb.Append($"Remove [{SectionName}] from '{Path}' if present: {Reason}");
                    break;
            }

            return sb.ToString();
        }

        public override string ToString() => Describe();
    }

    /// <summary>
    /// The changes that set one AWS profile, computed without touching the disk
    /// (<see cref="Create"/>), shown without secrets (<see cref="Describe"/>, for -WhatIf) and
    /// written safely (<see cref="Apply()"/>).
    /// <para>
    /// The profile is owned as a whole: afterwards its sections in both files hold exactly what the
    /// mode needs. A section of the same profile that the mode does not need is removed when it exists,
    /// because stale keys left by another mode win or break the profile (checked 2026-11-26):
    /// botocore 1.43 (AWS CLI v1/v2, boto3) prefers static keys in the credentials file over a
    /// credential_process, and a role_arn + web_identity_token_file in the config file over static
    /// keys; the AWS SDK for .NET 4 merges both files and rejects a profile that mixes static keys with
    /// web identity or credential_process ("Credential profile [oidc] is not valid"). So WebIdentity
    /// and CredentialProcess remove <c>[NAME]</c> from the credentials file; Credential sets the config
    /// section to <c>region</c> alone, or removes it when the region is unknown. A missing file is never
    /// created just to remove something from it.
    /// </para>
    /// </summary>
    public sealed class ProfilePlan
    {
        public const string DefaultProfileName = "oidc";

        private const string ConfigHint = "-ConfigPath or AWS_CONFIG_FILE";
        private const string CredentialsHint = "-CredentialsPath or AWS_SHARED_CREDENTIALS_FILE";
        private const string TokenHint = "-TokenFilePath";

        private ProfilePlan(AwsProfileRequest r, string configPath, string credentialsPath, string? tokenPath, List<ProfileFileChange> changes)
        {
            Mode = r.Mode;
            ProfileName = r.ProfileName;
            ConfigPath = configPath;
            CredentialsPath = credentialsPath;
            TokenFilePath = tokenPath;
            RoleArn = r.RoleArn;
            Region = string.IsNullOrEmpty(r.Region) ? null : r.Region;
            Changes = changes;
        }

        public AwsProfileMode Mode { get; }

        public string ProfileName { get; }

        public string ConfigPath { get; }

        public string CredentialsPath { get; }

        /// <summary>The token file (WebIdentity only), full path.</summary>
        public string? TokenFilePath { get; }

        public string? RoleArn { get; }

        public string? Region { get; }

        /// <summary>The section name in the config file: <c>default</c> or <c>profile NAME</c>.</summary>
        public string ConfigSectionName => ConfigSectionFor(ProfileName);

        /// <summary>The changes in the order <see cref="Apply()"/> makes them (token file first).</summary>
        public IReadOnlyList<ProfileFileChange> Changes { get; }

        /// <summary>The config section name of a profile: <c>default</c> or <c>profile NAME</c>.</summary>
        public static string ConfigSectionFor(string profileName) => profileName == "default" ? "default" : "profile " + profileName;

        /// <summary>
        /// Throws <see cref="ArgumentException"/> unless <paramref name="profileName"/> can be written and
        /// read back by every AWS reader: non-empty, no whitespace (botocore ignores <c>[profile a b]</c>),
        /// no control characters, brackets or quotes.
        /// </summary>
        public static void ValidateProfileName(string? profileName)
        {
            string? error = ProfileNameError(profileName);
            if (error is not null)
            {
                throw new ArgumentException(error, nameof(AwsProfileRequest.ProfileName));
            }
        }

        /// <summary>Null when valid, else why not (for a ValidateScript).</summary>
        public static string? ProfileNameError(string? profileName)
        {
            if (string.IsNullOrEmpty(profileName))
            {
                return "The profile name must not be empty. Pass -ProfileName with a name such as 'oidc' (letters, digits, '.', '_', '-').";
            }

            if (IdToken.LooksLikeJwt(profileName))
            {
                return "The profile name looks like an ID token, so it is not shown. Pass -ProfileName with a name such as 'oidc', " +
                    "and the token with -WebIdentityToken, -TokenVariable or -TokenFile.";
            }

            foreach (char c in profileName!)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c) || c == '[' || c == ']' || c == '"' || c == '\'')
                {
                    return $"The profile name '{Printable(profileName)}' is not usable: it must not contain whitespace, line breaks, control characters, brackets or quotes. Pass -ProfileName with a name such as 'oidc' (letters, digits, '.', '_', '-').";
                }
            }

            return null;
        }

        /// <summary><c>$AWS_CONFIG_FILE</c> (with <c>~</c> expanded), else <c>~/.aws/config</c>.</summary>
        public static string DefaultConfigPath() => FromEnvironment("AWS_CONFIG_FILE", "config");

        /// <summary><c>$AWS_SHARED_CREDENTIALS_FILE</c> (with <c>~</c> expanded), else <c>~/.aws/credentials</c>.</summary>
        public static string DefaultCredentialsPath() => FromEnvironment("AWS_SHARED_CREDENTIALS_FILE", "credentials");

        /// <summary>
        /// <c>&lt;config folder&gt;/gitlabsts/&lt;profile&gt;.token</c>. A profile name that is not a
        /// portable file name (characters other than letters, digits, '.', '_', '-', or a Windows device
        /// name like <c>con</c>) is sanitized and suffixed with a short hash, so names never collide.
        /// </summary>
        public static string DefaultTokenFilePath(string configPath, string profileName)
        {
            string dir = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? Path.GetFullPath(".");
            return Path.Combine(dir, "gitlabsts", SafeFileName(profileName) + ".token");
        }

        /// <summary>Validates <paramref name="request"/> and computes the changes. Reads and writes nothing.</summary>
        /// <exception cref="ArgumentException">A missing or invalid input (the parameter name is the request property).</exception>
        public static ProfilePlan Create(AwsProfileRequest request)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            ValidateProfileName(request.ProfileName);
            string configPath = FullPath(request.ConfigPath, nameof(request.ConfigPath));
            string credentialsPath = FullPath(request.CredentialsPath, nameof(request.CredentialsPath));
            string name = request.ProfileName;
            string configSection = ConfigSectionFor(name);
            string? region = string.IsNullOrEmpty(request.Region) ? null : request.Region;
            var changes = new List<ProfileFileChange>();
            string? tokenPath = null;

            const string staleCredentials = "static keys of this profile left there by another mode would beat credential_process in the AWS CLI and boto3, and make the profile invalid for the AWS SDK for .NET.";

            switch (request.Mode)
            {
                case AwsProfileMode.WebIdentity:
                {
                    string roleArn = Required(request.RoleArn, nameof(request.RoleArn), "WebIdentity");
                    string token = Required(request.WebIdentityToken, nameof(request.WebIdentityToken), "WebIdentity");
                    foreach (char c in token)
                    {
                        if (char.IsWhiteSpace(c) || char.IsControl(c))
                        {
                            // botocore sends the token file's content as is: a newline would break the STS call.
                            throw new ArgumentException("The web identity token must not contain whitespace or line breaks.", nameof(request.WebIdentityToken));
                        }
                    }

                    tokenPath = string.IsNullOrEmpty(request.TokenFilePath)
                        ? DefaultTokenFilePath(configPath, name)
                        : FullPath(request.TokenFilePath!, nameof(request.TokenFilePath));
                    if (SamePath(tokenPath, configPath) || SamePath(tokenPath, credentialsPath))
                    {
                        throw new ArgumentException($"The token file path '{tokenPath}' must differ from the config and credentials files.", nameof(request.TokenFilePath));
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
                    if (region is not null)
                    {
                        keys.Add(Kv("region", region));
                    }

                    changes.Add(new ProfileFileChange(ProfileChangeKind.WriteTokenFile, tokenPath, null, Array.Empty<KeyValuePair<string, string>>(), token, "the token the SDKs exchange for credentials."));
                    changes.Add(Set(configPath, configSection, keys));
                    changes.Add(Remove(credentialsPath, name, staleCredentials));
                    break;
                }

                case AwsProfileMode.Credential:
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

                    changes.Add(Set(credentialsPath, name, keys));
                    if (region is not null)
                    {
                        changes.Add(Set(configPath, configSection, new[] { Kv("region", region) }));
                    }
                    else
                    {
                        changes.Add(Remove(configPath, configSection, "a role_arn + web_identity_token_file left there by another mode would beat the static keys in the AWS CLI and boto3, and any mix makes the profile invalid for the AWS SDK for .NET."));
                    }

                    break;
                }

                case AwsProfileMode.CredentialProcess:
                {
                    var keys = new List<KeyValuePair<string, string>>
                    {
                        Kv("credential_process", Required(request.CredentialProcessCommand, nameof(request.CredentialProcessCommand), "CredentialProcess")),
                    };
                    if (region is not null)
                    {
                        keys.Add(Kv("region", region));
                    }

                    changes.Add(Set(configPath, configSection, keys));
                    changes.Add(Remove(credentialsPath, name, staleCredentials));
                    break;
                }

                default:
                    throw new ArgumentException($"Unknown mode '{request.Mode}'.", nameof(request.Mode));
            }

            // Validate every key and value now (line breaks, whitespace), not halfway through Apply.
            foreach (var change in changes)
            {
                if (change.Kind == ProfileChangeKind.SetSection)
                {
                    AwsIniEditor.SetSection(null, change.SectionName!, change.Keys);
                }
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
        /// Checks every file of the plan before anything is written (see <see cref="SafeFileWriter.CheckWritable"/>), so a
        /// profile whose config file cannot be written does not leave a new token file or credentials section behind.
        /// <paramref name="probe"/> false skips the probe file (for -WhatIf, which must not touch the disk).
        /// </summary>
        public void CheckWritable(bool probe = true)
        {
            var writer = new SafeFileWriter();

            // Sections first: a config path the user chose is what to report, not the token file derived from it.
            foreach (var change in Changes.OrderBy(c => c.Kind == ProfileChangeKind.SetSection ? 0 : c.Kind == ProfileChangeKind.WriteTokenFile ? 1 : 2))
            {
                Describe(change, out string description, out string hint);
                writer.CheckWritable(change.Path, description, hint, probe && (change.Kind != ProfileChangeKind.RemoveSection || File.Exists(change.Path)));
            }
        }

        private void Describe(ProfileFileChange change, out string description, out string hint)
        {
            bool isConfig = SamePath(change.Path, ConfigPath);
            description = change.Kind == ProfileChangeKind.WriteTokenFile ? "web identity token file" : isConfig ? "AWS config file" : "AWS credentials file";
            hint = change.Kind == ProfileChangeKind.WriteTokenFile ? TokenHint : isConfig ? ConfigHint : CredentialsHint;
        }

        /// <summary>Makes the changes with a <see cref="SafeFileWriter"/> for the current platform.</summary>
        public void Apply() => Apply(new SafeFileWriter());

        /// <summary>
        /// Makes the changes in order (token file first), each an atomic locked read-modify-write.
        /// First checks every target (<see cref="CheckWritable"/>, without a probe file), so a path that can never be
        /// a file (a folder there, a file where a folder should be) fails before anything is written: no
        /// token file is left behind for a profile that was not written.
        /// Throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>) on failure;
        /// changes made before a later failure (disk full, permissions) stay.
        /// </summary>
        public void Apply(SafeFileWriter writer)
        {
            if (writer is null)
            {
                throw new ArgumentNullException(nameof(writer));
            }

            // A path that can never be a file fails here, before the first write (no token file left behind).
            CheckWritable(probe: false);

            foreach (var change in Changes)
            {
                Describe(change, out string description, out string hint);
                switch (change.Kind)
                {
                    case ProfileChangeKind.WriteTokenFile:
                        writer.Update(change.Path, _ => change.Content!, description, hint);
                        break;
                    case ProfileChangeKind.SetSection:
                        writer.Update(change.Path, text => AwsIniEditor.SetSection(text, change.SectionName!, change.Keys), description, hint);
                        break;
                    case ProfileChangeKind.RemoveSection:
                        if (File.Exists(change.Path))
                        {
                            writer.Update(
                                change.Path,
                                text =>
                                {
                                    // RemoveSection returns the same instance when the section is absent: nothing to write then.
                                    string? removed = text is null ? null : AwsIniEditor.RemoveSection(text, change.SectionName!);
                                    return ReferenceEquals(removed, text) ? null : removed;
                                },
                                description,
                                hint);
                        }

                        break;
                }
            }
        }

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

        private static ProfileFileChange Set(string path, string section, IReadOnlyList<KeyValuePair<string, string>> keys) =>
            new ProfileFileChange(ProfileChangeKind.SetSection, path, section, keys, null, string.Empty);

        private static ProfileFileChange Remove(string path, string section, string reason) =>
            new ProfileFileChange(ProfileChangeKind.RemoveSection, path, section, Array.Empty<KeyValuePair<string, string>>(), null, reason);

        private static KeyValuePair<string, string> Kv(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static void AddDuration(List<KeyValuePair<string, string>> keys, int? duration)
        {
            if (duration is null)
            {
                return;
            }

            if (duration.Value <= 0)
            {
                throw new ArgumentException("The duration must be a positive number of seconds.", nameof(AwsProfileRequest.DurationSeconds));
            }

            keys.Add(Kv("duration_seconds", duration.Value.ToString(CultureInfo.InvariantCulture)));
        }

        private static string Required(string? value, string name, string mode)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"{name} is required in {mode} mode.", name);
            }

            return value!;
        }

        private static string FullPath(string path, string name)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new ArgumentException($"{name} is required.", name);
            }

            if (IdToken.LooksLikeJwtOrJwtPath(path))
            {
                throw new ArgumentException($"{name} holds what looks like an ID token, so it is not shown. Pass a file path in -{name}, " +
                    "and the token with -WebIdentityToken, -TokenVariable or -TokenFile.", name);
            }

            try
            {
                return Path.GetFullPath(ExpandHome(path));
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException || ex is System.Security.SecurityException)
            {
                throw new ArgumentException($"{name} '{path}' is not a valid path: {ex.Message}", name, ex);
            }
        }

        private static bool SamePath(string a, string b) =>
            string.Equals(a, b, System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);

        private static string FromEnvironment(string variable, string fileName)
        {
            string? fromEnv = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(fromEnv))
            {
                return Path.GetFullPath(ExpandHome(fromEnv!));
            }

            return Path.Combine(Home(), ".aws", fileName);
        }

        private static string ExpandHome(string path)
        {
            if (path == "~")
            {
                return Home();
            }

            if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            {
                return Path.Combine(Home(), path.Substring(2));
            }

            return path;
        }

        private static string Home()
        {
            // As botocore's os.path.expanduser: USERPROFILE on Windows, HOME elsewhere.
            string? home = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                ? null
                : Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            return home!;
        }

        private static string Printable(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
    }
}
