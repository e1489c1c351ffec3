using System;
using System.Collections.Generic;

namespace GitlabSts.Core.Profiles
{
    /// <summary>How a profile gives the AWS CLIs and SDKs their credentials (Set-GitlabAwsProfile -Mode).</summary>
    public enum ProfileMode
    {
        /// <summary>role_arn + web_identity_token_file in the config file: the SDKs assume the role themselves, and again on expiry.</summary>
        WebIdentity,

        /// <summary>Static temporary keys in the credentials file.</summary>
        Credential,

        /// <summary>A credential_process entry in the config file that runs Get-GitlabWebIdentityCredential.</summary>
        CredentialProcess,
    }

    /// <summary>
    /// The modes by name, for the cmdlet: its -Mode is a string checked here (the cmdlet assembly cannot expose a core
    /// type as a parameter type: the core loads only after the module is imported), so adding a mode touches only the core.
    /// </summary>
    public static class ProfileModes
    {
        /// <summary>The mode names, in declaration order (for completion and messages).</summary>
        public static IReadOnlyList<string> Names { get; } = Enum.GetNames(typeof(ProfileMode));

        /// <summary>Why <paramref name="name"/> is not a mode, or null when it is one (case-insensitive).</summary>
        public static string? Problem(string? name) =>
            TryParse(name, out _) ? null : $"'{name}' is not a profile mode. Use one of: {string.Join(", ", Names)}.";

        /// <summary>The mode named <paramref name="name"/> (case-insensitive); throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>) otherwise.</summary>
        public static ProfileMode Parse(string? name) =>
            TryParse(name, out ProfileMode mode) ? mode : throw ProfileErrors.Invalid(Problem(name)!, "Mode");

        private static bool TryParse(string? name, out ProfileMode mode) =>
            Enum.TryParse(name?.Trim(), ignoreCase: true, out mode) && Enum.IsDefined(typeof(ProfileMode), mode);
    }
}
