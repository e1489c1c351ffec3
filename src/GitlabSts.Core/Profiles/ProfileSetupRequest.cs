using System;
using System.Collections.Generic;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Profiles
{
    /// <summary>Credentials issued before (Set-GitlabAwsProfile -Credential): written as they are, no exchange.</summary>
    public sealed class IssuedCredentials
    {
        public string RoleArn { get; set; } = string.Empty;

        public string AccessKeyId { get; set; } = string.Empty;

        /// <summary>Secret.</summary>
        public string SecretAccessKey { get; set; } = string.Empty;

        /// <summary>Secret.</summary>
        public string SessionToken { get; set; } = string.Empty;

        /// <summary>The account of the credentials (the credential's own AccountId), or null: the account of <see cref="RoleArn"/>.</summary>
        public string? AccountId { get; set; }

        /// <summary>The region the credentials were issued in (the credential's own Region), or null: the profile's region when -Region is not given.</summary>
        public string? Region { get; set; }
    }

    /// <summary>What Set-GitlabAwsProfile was asked for, as bound from its parameters (paths resolved); nothing checked yet.</summary>
    public sealed class ProfileSetupRequest
    {
        /// <summary>The mode asked for; issued <see cref="Credential"/> means <see cref="ProfileMode.Credential"/>.</summary>
        public ProfileMode Mode { get; set; } = ProfileMode.WebIdentity;

        public string ProfileName { get; set; } = ProfileNames.Default;

        /// <summary>The config file; null for <see cref="AwsFileLocations.ConfigPath"/>.</summary>
        public string? ConfigPath { get; set; }

        /// <summary>The credentials file; null for <see cref="AwsFileLocations.CredentialsPath"/>.</summary>
        public string? CredentialsPath { get; set; }

        /// <summary>WebIdentity: the token file; null for <see cref="TokenFileNaming.DefaultPath"/>.</summary>
        public string? TokenFilePath { get; set; }

        /// <summary>The exchange parameters (role, token source, session, duration, region, endpoint, session policy).</summary>
        public ExchangeSettings Exchange { get; set; } = new ExchangeSettings();

        /// <summary>Credentials issued before (piped); null to exchange (or, per mode, let the profile exchange later).</summary>
        public IssuedCredentials? Credential { get; set; }

        /// <summary>CredentialProcess: the PowerShell and module the line runs; asked only in that mode.</summary>
        public Func<CredentialProcessHost>? Host { get; set; }

        /// <summary>
        /// The parameters the caller gave (names without '-', case-insensitive; the cmdlet passes its bound parameters),
        /// so that a piped <see cref="Credential"/> can be refused with a parameter it makes meaningless
        /// (see <see cref="ProfileSetup.CredentialConflicts"/>). Null: judge by the values (a non-default value counts as given).
        /// </summary>
        public ICollection<string>? GivenParameters { get; set; }

        /// <summary>-WhatIf: describe the profile without asking STS for anything and without touching the disk.</summary>
        public bool WhatIf { get; set; }
    }
}
