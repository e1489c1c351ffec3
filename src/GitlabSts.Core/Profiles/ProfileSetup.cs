using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Set-GitlabAwsProfile's work, without PowerShell: <see cref="Prepare"/> checks the request, decides what each mode
    /// writes and whether to exchange now, and returns the plan to confirm; <see cref="PreparedProfile.Apply"/> writes it.
    /// <list type="bullet">
    /// <item>WebIdentity writes the ID token and a config section; the SDKs exchange later. No STS request.</item>
    /// <item>CredentialProcess writes a config section whose command exchanges later. No STS request.</item>
    /// <item>Credential writes keys: piped ones as they are, else keys exchanged now, but only once every file of the
    /// profile is known to be writable (a profile that cannot be written costs no STS request), and never under -WhatIf
    /// (which describes the keys STS would return).</item>
    /// </list>
    /// Every local rule of the exchange (role ARN, token, session name, duration, region, endpoint, session policy)
    /// applies to a profile too. Errors are <see cref="GitlabStsException"/>s.
    /// </summary>
    public sealed class ProfileSetup
    {
        /// <summary>What -WhatIf shows in place of the keys STS would return.</summary>
        public const string FromSts = "<from STS>";

        private readonly IEnvironmentReader env;
        private readonly ICoreLog log;
        private readonly Func<ExchangeRequest, CancellationToken, ExchangeResult> exchange;
        private readonly Func<DateTimeOffset> clock;

        /// <param name="env">The environment (defaults: role, token, region, endpoint, file locations).</param>
        /// <param name="log">Verbose and warning messages.</param>
        /// <param name="exchange">Runs the STS exchange (an <see cref="StsExchanger"/> in production, a fake in tests).</param>
        /// <param name="clock">The current time, for the token's times (default: the system clock).</param>
        public ProfileSetup(IEnvironmentReader env, ICoreLog log, Func<ExchangeRequest, CancellationToken, ExchangeResult> exchange, Func<DateTimeOffset>? clock = null)
        {
            this.env = env ?? throw new ArgumentNullException(nameof(env));
            this.log = log ?? throw new ArgumentNullException(nameof(log));
            this.exchange = exchange ?? throw new ArgumentNullException(nameof(exchange));
            this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>
        /// Checks the request and computes the profile's changes (exchanging first in Credential mode without issued
        /// credentials, unless -WhatIf). Writes nothing; every file is checked first (with a probe file unless -WhatIf).
        /// </summary>
        public PreparedProfile Prepare(ProfileSetupRequest request, CancellationToken cancel = default)
        {
            if (request is null)
            {
                throw ProfileErrors.Invalid("No profile request was given.", nameof(request));
            }

            ExchangeSettings settings = request.Exchange ?? new ExchangeSettings();
            ProfileMode mode = request.Credential != null ? ProfileMode.Credential : request.Mode;
            var locations = new AwsFileLocations(env);
            var profile = new AwsProfileRequest
            {
                Mode = mode,
                ProfileName = request.ProfileName,
                ConfigPath = request.ConfigPath ?? locations.ConfigPath(),
                CredentialsPath = request.CredentialsPath ?? locations.CredentialsPath(),
                TokenFilePath = request.TokenFilePath,
            };

            ExchangeRequest? exchangeAfterCheck = null;
            string? region;
            if (request.Credential is IssuedCredentials issued)
            {
                RejectSessionPolicyThatWouldBeDropped(settings, mode, piped: true);
                RejectCredentialConflicts(request, settings, issued);
                AccountGuard.CheckIssued(AccountGuard.Resolve(settings.AllowedAccountIds, env), issued.AccountId, issued.RoleArn, settings.AllowedAccountIds != null);
                region = ExchangeRequest.CheckedRegion(string.IsNullOrEmpty(settings.Region) ? issued.Region : settings.Region, env, Sts.RoleArn.Parse(issued.RoleArn));
                profile.RoleArn = issued.RoleArn;
                SetKeys(profile, issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken);
            }
            else
            {
                ExchangeRequest checkedExchange = ExchangeRequest.Resolve(settings, env, log, clock());
                RejectSessionPolicyThatWouldBeDropped(settings, mode, piped: false);   // after Resolve, so a malformed policy gets its own message
                AccountGuard.CheckTarget(checkedExchange);   // every mode: a final role outside -AllowedAccountId writes nothing
                region = checkedExchange.RegionIsExplicit ? checkedExchange.Region : null;
                profile.RoleArn = checkedExchange.RoleArn.Value;
                profile.RoleSessionName = checkedExchange.RoleSessionName;
                profile.DurationSeconds = checkedExchange.DurationSeconds;
                switch (mode)
                {
                    case ProfileMode.WebIdentity:
                        profile.WebIdentityToken = checkedExchange.Token.Raw;
                        if (checkedExchange.HasChain)
                        {
                            // The SDKs chain by themselves: extra profiles for the hops (see ChainedProfiles).
                            profile.ChainRoleArns = checkedExchange.ChainRoleArns.Select(r => r.Value).ToList();
                            profile.ChainRoleSessionName = checkedExchange.ChainRoleSessionName;
                            profile.ChainDurationSeconds = checkedExchange.ChainDurationSeconds;
                        }

                        break;
                    case ProfileMode.CredentialProcess:
                        CredentialProcessHost host = request.Host?.Invoke()
                            ?? throw ProfileErrors.Invalid("-Mode CredentialProcess needs the PowerShell host and module path to run.", "Mode");
                        CredentialProcessLine line = CredentialProcessCommand.ForExchange(host, settings, checkedExchange, region);
                        profile.CredentialProcessCommand = line.Line;
                        profile.CredentialProcessComment = line.Comment;
                        break;
                    case ProfileMode.Credential:
                        // Placeholders until the exchange (-WhatIf: instead of it): the profile name and every path are
                        // checked first, so a profile that cannot be written costs no STS request.
                        SetKeys(profile, FromSts, FromSts, FromSts);
                        profile.RoleArn = checkedExchange.FinalRoleArn.Value;   // the exchange runs the chain: the last hop's keys are written
                        exchangeAfterCheck = request.WhatIf ? null : checkedExchange;
                        break;
                }
            }

            profile.Region = region;
            ProfilePlan plan = ProfilePlan.Create(profile, env);
            plan.InspectConfig(ReadIfPresent(plan.ConfigPath));

            // Every file is checked before the first is written: a config file that cannot be written must not leave a
            // new token file (or credentials section) behind. -WhatIf only looks (no probe file).
            plan.CheckWritable(probe: !request.WhatIf);

            if (exchangeAfterCheck != null)
            {
                ExchangeResult result = exchange(exchangeAfterCheck, cancel);

                // Again on the account STS returned (the exchange checks it too): keys of another account are never written.
                AccountGuard.Check(exchangeAfterCheck, result);
                SetKeys(profile, result.AccessKeyId, result.SecretAccessKey, result.SessionToken);
                plan = ProfilePlan.Create(profile, env);
                plan.InspectConfig(ReadIfPresent(plan.ConfigPath));
            }

            return new PreparedProfile(plan, region, request.WhatIf, KeysInEnvironmentWarning());
        }

        /// <summary>
        /// A session policy narrows the credentials of one exchange. Only -Mode Credential exchanges here; a WebIdentity or
        /// CredentialProcess profile has no setting for one, and piped credentials are already issued: silently dropping it
        /// would leave the profile with the role's full permissions.
        /// </summary>
        private static void RejectSessionPolicyThatWouldBeDropped(ExchangeSettings settings, ProfileMode mode, bool piped)
        {
            bool hasPolicy = settings.Policy != null || settings.PolicyArns != null;
            if (!hasPolicy || (mode == ProfileMode.Credential && !piped))
            {
                return;
            }

            string parameter = settings.Policy != null ? "Policy" : "PolicyArn";
            string why = piped
                ? "cannot narrow credentials that were already issued. Pass it to Get-GitlabWebIdentityCredential, or use -Mode Credential without -Credential."
                : $"applies to one exchange, but a -Mode {mode} profile makes its own exchanges later and cannot carry a session policy: its credentials would have the role's full permissions. " +
                  "Use -Mode Credential to write credentials exchanged now under the session policy, or narrow the role's own permissions.";
            throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument, $"-{parameter} {why}", parameter);
        }

        /// <summary>
        /// The parameters that piped (already issued) credentials make meaningless, as "-Name value" texts for the message,
        /// empty when none: -Mode other than Credential (the credentials are written as they are), -RoleArn other than the
        /// credential's own (a -RoleArn equal to it, as bound from the piped object's RoleArn property, is no conflict),
        /// -DurationSeconds, -RoleSessionName, -EndpointUrl, -Audience (the exchange is over), a token parameter
        /// (-WebIdentityToken, -TokenVariable, -TokenFile: no token is used) and -TokenFilePath (no token file is written).
        /// A parameter counts when it is in <see cref="ProfileSetupRequest.GivenParameters"/>, or, without that list,
        /// when its value is not the default.
        /// </summary>
        public static IReadOnlyList<string> CredentialConflicts(ProfileSetupRequest request, IssuedCredentials issued)
        {
            if (request is null || issued is null)
            {
                return Array.Empty<string>();
            }

            ExchangeSettings settings = request.Exchange ?? new ExchangeSettings();
            var given = request.GivenParameters is null ? null : new HashSet<string>(request.GivenParameters, StringComparer.OrdinalIgnoreCase);
            bool Given(string name, bool hasValue) => given is null ? hasValue : given.Contains(name);
            var conflicts = new List<string>();
            if (Given("Mode", request.Mode != ProfileMode.WebIdentity) && request.Mode != ProfileMode.Credential)
            {
                conflicts.Add("-Mode " + request.Mode);
            }

            if (Given("RoleArn", settings.RoleArn != null) && settings.RoleArn != null && !string.Equals(settings.RoleArn.Trim(), issued.RoleArn, StringComparison.Ordinal))
            {
                conflicts.Add("-RoleArn " + settings.RoleArn);
            }

            if (Given("DurationSeconds", settings.DurationSeconds != ExchangeRequest.DefaultDurationSeconds))
            {
                conflicts.Add("-DurationSeconds " + settings.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (Given("RoleSessionName", settings.RoleSessionName != null))
            {
                conflicts.Add("-RoleSessionName " + settings.RoleSessionName);
            }

            if (Given("ChainRoleArn", settings.ChainRoleArns is { Length: > 0 }))
            {
                conflicts.Add("-ChainRoleArn " + string.Join(",", settings.ChainRoleArns ?? Array.Empty<string>()));
            }

            if (Given("ChainRoleSessionName", settings.ChainRoleSessionName != null))
            {
                conflicts.Add("-ChainRoleSessionName " + settings.ChainRoleSessionName);
            }

            if (Given("ChainDurationSeconds", settings.ChainDurationSeconds != RoleChain.DefaultDurationSeconds))
            {
                conflicts.Add("-ChainDurationSeconds " + settings.ChainDurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (Given("EndpointUrl", settings.EndpointUrl != null))
            {
                conflicts.Add("-EndpointUrl " + settings.EndpointUrl);
            }

            if (Given("Audience", settings.Audience != null))
            {
                conflicts.Add("-Audience " + settings.Audience);
            }

            switch (settings.Token?.Kind)
            {
                case Tokens.TokenSourceKind.Text:
                    conflicts.Add("-WebIdentityToken");   // the token itself is never shown
                    break;
                case Tokens.TokenSourceKind.Variable:
                    conflicts.Add("-TokenVariable " + settings.Token.Value);
                    break;
                case Tokens.TokenSourceKind.File:
                    conflicts.Add("-TokenFile " + settings.Token.Value);
                    break;
            }

            if (Given("TokenFilePath", request.TokenFilePath != null))
            {
                conflicts.Add("-TokenFilePath " + request.TokenFilePath);
            }

            return conflicts;
        }

        /// <summary>
        /// Piped credentials are written as they are: a parameter they make meaningless would be silently ignored (0.1 did:
        /// <c>$c | Set-GitlabAwsProfile -Mode WebIdentity</c> wrote Credential mode). Refused with
        /// <see cref="ErrorIds.ParameterConflict"/> naming both, before anything is written.
        /// </summary>
        private static void RejectCredentialConflicts(ProfileSetupRequest request, ExchangeSettings settings, IssuedCredentials issued)
        {
            IReadOnlyList<string> conflicts = CredentialConflicts(request, issued);
            if (conflicts.Count == 0)
            {
                return;
            }

            string first = conflicts[0];
            string parameter = first.Substring(1).Split(' ')[0];
            string list = string.Join(", ", conflicts);
            throw new GitlabStsException(ErrorIds.ParameterConflict, ErrorKind.InvalidArgument,
                $"-Credential (credentials already issued, piped or given) cannot be combined with {list}: piped credentials are written as they are " +
                $"(-Mode Credential), so {(conflicts.Count == 1 ? "it" : "these")} would be silently ignored. Drop {list}, or do not pass -Credential " +
                "to let Set-GitlabAwsProfile write the profile from the token itself (-Mode WebIdentity, CredentialProcess or Credential).",
                parameter);
        }

        /// <summary>
        /// The config file's text as it is now, for the chain's look at it (a section of the user's in the way, extra profiles
        /// of an earlier run); null when missing or unreadable (the write then reports what is wrong). Never writes.
        /// </summary>
        private static string? ReadIfPresent(string path)
        {
            try
            {
                return System.IO.File.Exists(path) ? System.IO.File.ReadAllText(path) : null;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException || e is System.Security.SecurityException)
            {
                return null;
            }
        }

        /// <summary>Keys in the environment beat AWS_PROFILE in every AWS CLI and SDK: said when -SetEnvironment sets it.</summary>
        private string? KeysInEnvironmentWarning() =>
            env.Get("AWS_ACCESS_KEY_ID") != null
                ? "AWS_ACCESS_KEY_ID is set in this process; AWS CLIs and SDKs use it before AWS_PROFILE. " +
                  "Remove AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to use the profile."
                : null;

        private static void SetKeys(AwsProfileRequest profile, string accessKeyId, string secretAccessKey, string sessionToken)
        {
            profile.AccessKeyId = accessKeyId;
            profile.SecretAccessKey = secretAccessKey;
            profile.SessionToken = sessionToken;
        }
    }

    /// <summary>A checked profile, ready to confirm (<see cref="Plan"/>'s changes) and write (<see cref="Apply"/>).</summary>
    public sealed class PreparedProfile
    {
        internal PreparedProfile(ProfilePlan plan, string? region, bool whatIf, string? environmentWarning)
        {
            Plan = plan;
            Region = region;
            IsWhatIf = whatIf;
            EnvironmentWarning = environmentWarning;
        }

        /// <summary>The changes (<see cref="ProfilePlan.Changes"/>, each to confirm) and their description.</summary>
        public ProfilePlan Plan { get; }

        /// <summary>The region given or from the environment; null when unknown.</summary>
        public string? Region { get; }

        /// <summary>True when prepared for -WhatIf: describes, cannot be applied.</summary>
        public bool IsWhatIf { get; }

        /// <summary>The variables -SetEnvironment sets: AWS_PROFILE, and the region variables when the region is known.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables => AwsEnvironment.ForProfile(Plan.ProfileName, Region);

        /// <summary>What to warn about after -SetEnvironment (keys in the environment win over AWS_PROFILE), or null.</summary>
        public string? EnvironmentWarning { get; }

        /// <summary>Writes the profile (see <see cref="ProfilePlan.Apply()"/>).</summary>
        public void Apply()
        {
            if (IsWhatIf)
            {
                throw new InvalidOperationException("A profile prepared for -WhatIf describes the changes and cannot be written.");
            }

            Plan.Apply();
        }
    }
}
