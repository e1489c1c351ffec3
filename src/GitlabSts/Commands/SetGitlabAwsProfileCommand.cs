using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Linq;
using System.Management.Automation.Language;
using System.Reflection;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;

namespace GitlabSts.Commands
{
    /// <summary>Writes an AWS profile for the job's role, changing nothing else in the AWS config and credentials files.</summary>
    [Cmdlet(VerbsCommon.Set, "GitlabAwsProfile", DefaultParameterSetName = DiscoverSet, SupportsShouldProcess = true)]
    [OutputType(typeof(AwsProfileInfo))]
    public sealed class SetGitlabAwsProfileCommand : GitlabStsExchangeCmdlet
    {
        private const string CredentialSet = "Credential";

        [Parameter]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string ProfileName { get; set; } = ProfileNames.Default;

        /// <summary>A <see cref="ProfileMode"/> name, checked by the core (see <see cref="ProfileModes"/>).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModeCompleter))]
        [ValidateMode]
        public string Mode { get; set; } = nameof(ProfileMode.WebIdentity);

        /// <summary>
        /// Credentials issued before, usually piped. Mandatory only in its own set; also bindable (from the pipeline too) in the
        /// token sets, so that <c>$c | Set-GitlabAwsProfile -TokenFile x</c> reaches the core's ParameterConflict instead of
        /// silently dropping the piped credential.
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = CredentialSet)]
        [Parameter(ValueFromPipeline = true, ParameterSetName = TokenSet)]
        [Parameter(ValueFromPipeline = true, ParameterSetName = VariableSet)]
        [Parameter(ValueFromPipeline = true, ParameterSetName = FileSet)]
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
                var setup = new ProfileSetup(ProcessEnvironment.Instance, Log, (request, cancel) => new RoleChainer().Exchange(request, Log, cancel));
                PreparedProfile profile = setup.Prepare(SetupRequest(), CancelToken);
                ProfilePlan plan = profile.Plan;
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

                profile.Apply();

                if (SetEnvironment)
                {
                    foreach (KeyValuePair<string, string> pair in profile.EnvironmentVariables)
                    {
                        Environment.SetEnvironmentVariable(pair.Key, pair.Value);
                    }

                    if (profile.EnvironmentWarning is string warning)
                    {
                        WriteWarning(warning);
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
                        SourceProfiles = plan.SourceProfiles.ToArray(),
                    });
                }
            });
        }

        private ProfileSetupRequest SetupRequest() => new ProfileSetupRequest
        {
            Mode = ProfileModes.Parse(Mode),
            ProfileName = ProfileName,
            ConfigPath = ConfigPath != null ? ResolveUserPath(ConfigPath) : null,
            CredentialsPath = CredentialsPath != null ? ResolveUserPath(CredentialsPath) : null,
            TokenFilePath = TokenFilePath != null ? ResolveUserPath(TokenFilePath) : null,
            Exchange = SettingsFromParameters(),
            Credential = Credential == null ? null : new IssuedCredentials
            {
                RoleArn = Credential.RoleArn,
                AccessKeyId = Credential.AccessKeyId,
                SecretAccessKey = Credential.SecretAccessKey,
                SessionToken = Credential.SessionToken,
                Region = Credential.Region,
                AccountId = Credential.AccountId,
            },
            GivenParameters = MyInvocation.BoundParameters.Keys.ToList(),
            Host = () => new CredentialProcessHost(PowerShellHost(), ModuleManifestPath()),
            WhatIf = IsWhatIf(),
        };

        private bool IsWhatIf() =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
                ? LanguagePrimitives.IsTrue(whatIf)
                : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

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

        /// <summary>Refuses a -Mode that is not a mode at bind time, with the core's message.</summary>
        [AttributeUsage(AttributeTargets.Property)]
        internal sealed class ValidateModeAttribute : ValidateArgumentsAttribute
        {
            protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
            {
                if (ProfileModes.Problem(arguments as string ?? arguments?.ToString()) is string problem)
                {
                    throw new ValidationMetadataException(problem);
                }
            }
        }

        /// <summary>Completes -Mode with the core's mode names.</summary>
        internal sealed class ModeCompleter : IArgumentCompleter
        {
            public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
                CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
            {
                string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
                return ProfileModes.Names
                    .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
            }
        }
    }
}
