using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;

namespace GitlabSts.Commands
{
    /// <summary>How Set-GitlabAwsProfile gives the AWS CLIs and SDKs their credentials.</summary>
    public enum ProfileMode
    {
        /// <summary>role_arn + web_identity_token_file: the SDKs assume the role themselves, and again on expiry.</summary>
        WebIdentity,

        /// <summary>Static temporary keys in the credentials file.</summary>
        Credential,

        /// <summary>A credential_process entry that runs Get-GitlabWebIdentityCredential.</summary>
        CredentialProcess,
    }

    /// <summary>Writes an AWS profile for the job's role, changing nothing else in the AWS config and credentials files.</summary>
    [Cmdlet(VerbsCommon.Set, "GitlabAwsProfile", DefaultParameterSetName = DiscoverSet, SupportsShouldProcess = true)]
    [OutputType(typeof(AwsProfileInfo))]
    public sealed class SetGitlabAwsProfileCommand : GitlabStsExchangeCmdlet
    {
        private const string CredentialSet = "Credential";

        [Parameter]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string ProfileName { get; set; } = ProfilePlan.DefaultProfileName;

        [Parameter]
        public ProfileMode Mode { get; set; } = ProfileMode.WebIdentity;

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = CredentialSet)]
        public WebIdentityCredential? Credential { get; set; }

        [Parameter]
        public string? TokenFilePath { get; set; }

        [Parameter]
        public string? ConfigPath { get; set; }

        [Parameter]
        public string? CredentialsPath { get; set; }

        [Parameter]
        public SwitchParameter SetEnvironment { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            Invoke(() =>
            {
                ProfilePlan plan = CreatePlan(out string? region);
                WriteVerbose(plan.Describe());

                // Ask for every change first, so -WhatIf lists them all; write only when all are confirmed.
                bool confirmed = true;
                foreach (ProfileFileChange change in plan.Changes)
                {
                    confirmed &= ShouldProcess(change.Describe(), change.Action);
                }

                if (!confirmed)
                {
                    return;
                }

                plan.Apply();

                if (SetEnvironment)
                {
                    foreach (KeyValuePair<string, string> pair in AwsEnvironment.ForProfile(plan.ProfileName, region))
                    {
                        Environment.SetEnvironmentVariable(pair.Key, pair.Value);
                    }

                    if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")))
                    {
                        WriteWarning("AWS_ACCESS_KEY_ID is set in this process; AWS CLIs and SDKs use it before AWS_PROFILE. " +
                                     "Remove AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to use the profile.");
                    }
                }

                if (PassThru)
                {
                    WriteObject(new AwsProfileInfo
                    {
                        ProfileName = plan.ProfileName,
                        Mode = plan.Mode.ToString(),
                        ConfigPath = plan.ConfigPath,
                        CredentialsPath = plan.CredentialsPath,
                        TokenFilePath = plan.TokenFilePath,
                        RoleArn = plan.RoleArn,
                        Region = plan.Region,
                    });
                }
            });
        }

        private ProfilePlan CreatePlan(out string? region)
        {
            ProfileMode mode = Credential != null ? ProfileMode.Credential : Mode;
            ExchangeRequest? pendingExchange = null;
            var request = new AwsProfileRequest
            {
                Mode = (AwsProfileMode)(int)mode,
                ProfileName = ProfileName,
                ConfigPath = ConfigPath != null ? ResolveUserPath(ConfigPath) : ProfilePlan.DefaultConfigPath(),
                CredentialsPath = CredentialsPath != null ? ResolveUserPath(CredentialsPath) : ProfilePlan.DefaultCredentialsPath(),
                TokenFilePath = TokenFilePath != null ? ResolveUserPath(TokenFilePath) : null,
            };

            if (Credential != null)
            {
                RejectSessionPolicyThatWouldBeDropped(mode);
                region = ExchangeRequest.CheckedRegion(Region, ProcessEnvironment.Instance, Core.Sts.RoleArn.Parse(Credential.RoleArn));
                request.RoleArn = Credential.RoleArn;
                request.AccessKeyId = Credential.AccessKeyId;
                request.SecretAccessKey = Credential.SecretAccessKey;
                request.SessionToken = Credential.SessionToken;
            }
            else
            {
                // Every local rule of the exchange applies to a profile too (role ARN, token, session name, duration, region).
                ExchangeRequest exchange = ExchangeRequest.Resolve(SettingsFromParameters(), ProcessEnvironment.Instance, Log, DateTimeOffset.UtcNow);
                RejectSessionPolicyThatWouldBeDropped(mode);   // after Resolve, so a malformed policy gets its own message
                region = exchange.RegionIsExplicit ? exchange.Region : null;
                request.RoleArn = exchange.RoleArn.Value;
                request.RoleSessionName = exchange.RoleSessionName;
                request.DurationSeconds = exchange.DurationSeconds;
                switch (mode)
                {
                    case ProfileMode.WebIdentity:
                        request.WebIdentityToken = exchange.Token.Raw;
                        break;
                    case ProfileMode.CredentialProcess:
                        request.CredentialProcessCommand = CredentialProcessLine(exchange, region);
                        break;
                    case ProfileMode.Credential when IsWhatIf():
                        // -WhatIf changes nothing anywhere: describe the keys STS would return instead of asking for them.
                        request.AccessKeyId = "<from STS>";
                        request.SecretAccessKey = "<from STS>";
                        request.SessionToken = "<from STS>";
                        break;
                    case ProfileMode.Credential:
                        // Placeholders until the exchange: the profile name and every path are checked first, so a
                        // profile that cannot be written costs no STS request (and no credentials are minted for nothing).
                        pendingExchange = exchange;
                        request.AccessKeyId = "pending";
                        request.SecretAccessKey = "pending";
                        request.SessionToken = "pending";
                        break;
                }
            }

            request.Region = region;
            ProfilePlan plan = BuildPlan(request);

            // Every file is checked before the first is written: a config file that cannot be written must not leave a
            // new token file (or credentials section) behind. -WhatIf only looks (no probe file).
            plan.CheckWritable(probe: !IsWhatIf());

            if (pendingExchange != null)
            {
                ExchangeResult result = new StsExchanger().Exchange(pendingExchange, Log, CancelToken);
                request.AccessKeyId = result.AccessKeyId;
                request.SecretAccessKey = result.SecretAccessKey;
                request.SessionToken = result.SessionToken;
                plan = BuildPlan(request);
            }

            return plan;
        }

        private static ProfilePlan BuildPlan(AwsProfileRequest request)
        {
            try
            {
                return ProfilePlan.Create(request);
            }
            catch (ArgumentException e)
            {
                // ArgumentException.Message ends with " (Parameter 'X')": not for people.
                string message = e.ParamName != null ? e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty) : e.Message;
                throw new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument, message, e.ParamName ?? "ProfileName");
            }
        }

        private bool IsWhatIf() =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
                ? LanguagePrimitives.IsTrue(whatIf)
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        /// <summary>
        /// A session policy narrows the credentials of one exchange. Only -Mode Credential exchanges here; a WebIdentity or
        /// CredentialProcess profile has no setting for one, and piped credentials are already issued: silently dropping it
        /// would leave the profile with the role's full permissions.
        /// </summary>
        private void RejectSessionPolicyThatWouldBeDropped(ProfileMode mode)
        {
            if ((Policy == null && PolicyArn == null) || (mode == ProfileMode.Credential && Credential == null))
            {
                return;
            }

            string parameter = Policy != null ? "Policy" : "PolicyArn";
            string why = Credential != null
                ? "cannot narrow credentials that were already issued. Pass it to Get-GitlabWebIdentityCredential, or use -Mode Credential without -Credential."
                : $"applies to one exchange, but a -Mode {mode} profile makes its own exchanges later and cannot carry a session policy: its credentials would have the role's full permissions. " +
                  "Use -Mode Credential to write credentials exchanged now under the session policy, or narrow the role's own permissions.";
            throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument, $"-{parameter} {why}", parameter);
        }

        private string CredentialProcessLine(ExchangeRequest exchange, string? region)
        {
            var arguments = new List<KeyValuePair<string, string?>>
            {
                new KeyValuePair<string, string?>("RoleArn", exchange.RoleArn.Value),
                new KeyValuePair<string, string?>("RoleSessionName", RoleSessionName),
                new KeyValuePair<string, string?>("DurationSeconds", exchange.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new KeyValuePair<string, string?>("Region", region),
                new KeyValuePair<string, string?>("EndpointUrl", EndpointUrl),
                new KeyValuePair<string, string?>("Audience", Audience),
            };
            switch (ParameterSetName)
            {
                case VariableSet:
                    arguments.Add(new KeyValuePair<string, string?>("TokenVariable", TokenVariable));
                    break;
                case FileSet:
                    arguments.Add(new KeyValuePair<string, string?>("TokenFile", ResolveUserPath(TokenFile)));
                    break;
                case TokenSet:
                    throw new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument,
                        "-Mode CredentialProcess runs later, in another process, and cannot take a token typed now: " +
                        "use -TokenVariable or -TokenFile (or no token parameter, to discover it when it runs).", "WebIdentityToken");
            }

            try
            {
                return CredentialProcessCommand.Build(PowerShellHost(), ModuleManifestPath(), arguments);
            }
            catch (ArgumentException e)
            {
                throw new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument, e.Message, "Mode");
            }
        }

        /// <summary>
        /// This module's manifest: the nearest GitlabSts.psd1 above this assembly (bin/&lt;framework&gt;[/&lt;rid&gt;]/GitlabSts.dll),
        /// else the module name.
        /// </summary>
        private static string ModuleManifestPath()
        {
            for (string? dir = Path.GetDirectoryName(typeof(SetGitlabAwsProfileCommand).Assembly.Location); dir != null; dir = Path.GetDirectoryName(dir))
            {
                string manifest = Path.Combine(dir, "GitlabSts.psd1");
                if (File.Exists(manifest))
                {
                    return manifest;
                }
            }

            return "GitlabSts";
        }

        /// <summary>The PowerShell running now: pwsh or powershell.exe, or 'dotnet' + pwsh.dll for the dotnet tool.</summary>
        private static IReadOnlyList<string> PowerShellHost()
        {
            string process = System.Diagnostics.Process.GetCurrentProcess().MainModule?.FileName ?? "pwsh";
            string name = Path.GetFileNameWithoutExtension(process);
            if (string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase))
            {
                string? entry = Assembly.GetEntryAssembly()?.Location;
                if (!string.IsNullOrEmpty(entry))
                {
                    return new[] { process, entry! };
                }
            }

            return new[] { process };
        }
    }
}
