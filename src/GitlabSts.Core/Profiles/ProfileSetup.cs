using System;
using System.Collections.Generic;
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
                region = ExchangeRequest.CheckedRegion(settings.Region, env, Sts.RoleArn.Parse(issued.RoleArn));
                profile.RoleArn = issued.RoleArn;
                SetKeys(profile, issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken);
            }
            else
            {
                ExchangeRequest checkedExchange = ExchangeRequest.Resolve(settings, env, log, clock());
                RejectSessionPolicyThatWouldBeDropped(settings, mode, piped: false);   // after Resolve, so a malformed policy gets its own message
                region = checkedExchange.RegionIsExplicit ? checkedExchange.Region : null;
                profile.RoleArn = checkedExchange.RoleArn.Value;
                profile.RoleSessionName = checkedExchange.RoleSessionName;
                profile.DurationSeconds = checkedExchange.DurationSeconds;
                switch (mode)
                {
                    case ProfileMode.WebIdentity:
                        profile.WebIdentityToken = checkedExchange.Token.Raw;
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
                        exchangeAfterCheck = request.WhatIf ? null : checkedExchange;
                        break;
                }
            }

            profile.Region = region;
            ProfilePlan plan = ProfilePlan.Create(profile, env);

            // Every file is checked before the first is written: a config file that cannot be written must not leave a
            // new token file (or credentials section) behind. -WhatIf only looks (no probe file).
            plan.CheckWritable(probe: !request.WhatIf);

            if (exchangeAfterCheck != null)
            {
                ExchangeResult result = exchange(exchangeAfterCheck, cancel);
                SetKeys(profile, result.AccessKeyId, result.SecretAccessKey, result.SessionToken);
                plan = ProfilePlan.Create(profile, env);
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
