using System.Collections.Generic;

namespace GitlabSts.Core.Profiles
{
    /// <summary>What to write for one profile: the inputs of <see cref="ProfilePlan.Create(AwsProfileRequest, IEnvironmentReader)"/>.</summary>
    public sealed class AwsProfileRequest
    {
        public ProfileMode Mode { get; set; } = ProfileMode.WebIdentity;

        /// <summary>Profile name; <c>default</c> is the <c>[default]</c> profile.</summary>
        public string ProfileName { get; set; } = ProfileNames.Default;

        /// <summary>The shared config file (see <see cref="AwsFileLocations.ConfigPath"/>).</summary>
        public string ConfigPath { get; set; } = string.Empty;

        /// <summary>The shared credentials file (see <see cref="AwsFileLocations.CredentialsPath"/>).</summary>
        public string CredentialsPath { get; set; } = string.Empty;

        /// <summary>WebIdentity: required.</summary>
        public string? RoleArn { get; set; }

        /// <summary>WebIdentity: the ID token (JWT) to write to the token file. Secret.</summary>
        public string? WebIdentityToken { get; set; }

        /// <summary>WebIdentity: where to write the token; default <see cref="TokenFileNaming.DefaultPath"/>.</summary>
        public string? TokenFilePath { get; set; }

        /// <summary>WebIdentity: optional role_session_name.</summary>
        public string? RoleSessionName { get; set; }

        /// <summary>WebIdentity: optional duration_seconds.</summary>
        public int? DurationSeconds { get; set; }

        /// <summary>
        /// WebIdentity: the roles assumed after <see cref="RoleArn"/>, in order (null or empty: no chain). The profile gets the
        /// last one with source_profile; extra profiles hold the others (see <see cref="ChainedProfiles"/>).
        /// </summary>
        public IReadOnlyList<string>? ChainRoleArns { get; set; }

        /// <summary>WebIdentity with a chain: role_session_name of the chained hops.</summary>
        public string? ChainRoleSessionName { get; set; }

        /// <summary>WebIdentity with a chain: duration_seconds of the chained hops.</summary>
        public int? ChainDurationSeconds { get; set; }

        /// <summary>Optional region, written to the config section in every mode.</summary>
        public string? Region { get; set; }

        /// <summary>Credential: required.</summary>
        public string? AccessKeyId { get; set; }

        /// <summary>Credential: required. Secret.</summary>
        public string? SecretAccessKey { get; set; }

        /// <summary>Credential: the session token of temporary keys. Secret.</summary>
        public string? SessionToken { get; set; }

        /// <summary>CredentialProcess: the full command line (see <see cref="Profiles.CredentialProcessCommand"/>).</summary>
        public string? CredentialProcessCommand { get; set; }

        /// <summary>CredentialProcess: what the line runs, in words, written as a comment line above it (optional).</summary>
        public string? CredentialProcessComment { get; set; }
    }
}
