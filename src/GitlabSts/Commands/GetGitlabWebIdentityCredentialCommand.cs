using System;
using System.Collections.Generic;
using System.Management.Automation;
using GitlabSts.Core;
using GitlabSts.Core.Sts;

namespace GitlabSts.Commands
{
    /// <summary>Exchanges the job's GitLab ID token for temporary AWS credentials (STS AssumeRoleWithWebIdentity).</summary>
    [Cmdlet(VerbsCommon.Get, "GitlabWebIdentityCredential", DefaultParameterSetName = DiscoverSet)]
    [OutputType(typeof(WebIdentityCredential), typeof(string))]
    public sealed class GetGitlabWebIdentityCredentialCommand : GitlabStsExchangeCmdlet
    {
        /// <summary>Sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION (and the region) in this process.</summary>
        [Parameter]
        public SwitchParameter SetEnvironment { get; set; }

        [Parameter]
        [ValidateRange(1, 20)]
        public int MaxAttempts { get; set; } = 5;

        [Parameter]
        public CredentialOutputFormat OutputFormat { get; set; } = CredentialOutputFormat.Object;

        /// <summary>
        /// As a credential_process, stdout must carry the JSON line alone; PowerShell's console host writes warnings
        /// to stdout, so they go to stderr instead (where AWS tools show a credential_process's diagnostics).
        /// </summary>
        internal override ICoreLog CreateLog() =>
            OutputFormat == CredentialOutputFormat.CredentialProcess && Console.IsOutputRedirected ? new StderrWarningLog(this) : base.CreateLog();

        /// <summary>
        /// As a credential_process, any failure must make the process exit non-zero, whatever the command line around
        /// the cmdlet looks like: every error terminates.
        /// </summary>
        protected override bool EveryErrorTerminates => OutputFormat == CredentialOutputFormat.CredentialProcess;

        /// <summary>
        /// A credential_process's stderr is shown by AWS tools as the error text: PowerShell 7.2+ would colour the error
        /// with ANSI escapes ($PSStyle), so when stderr is redirected the rendering is switched to plain text first.
        /// </summary>
        protected override void OnTerminatingError(ErrorRecord record)
        {
            if (OutputFormat == CredentialOutputFormat.CredentialProcess && Console.IsErrorRedirected)
            {
                PlainTextRendering.Apply(SessionState);
            }
        }

        protected override void ProcessRecord()
        {
            Invoke(() =>
            {
                ExchangeRequest request = ExchangeRequest.Resolve(SettingsFromParameters(MaxAttempts), ProcessEnvironment.Instance, Log, DateTimeOffset.UtcNow);
                // The chain and the account guard run inside: a refused account throws before anything is set or written.
                ExchangeResult result = new RoleChainer().Exchange(request, Log, CancelToken);
                WriteVerbose($"Assumed {result.AssumedRoleArn ?? result.Role.Value} in {result.Attempts} attempt(s); " +
                             $"the credentials ({result.AccessKeyId}) expire at {result.Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}.");

                if (SetEnvironment)
                {
                    foreach (KeyValuePair<string, string> pair in AwsEnvironment.ForCredentials(result))
                    {
                        Environment.SetEnvironmentVariable(pair.Key, pair.Value);
                    }

                    WriteVerbose("Set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION" +
                                 (request.RegionIsExplicit ? $", AWS_REGION and AWS_DEFAULT_REGION ({request.Region})" : string.Empty) + " in this process.");
                }

                if (OutputFormat == CredentialOutputFormat.CredentialProcess)
                {
                    WriteObject(CredentialProcessOutput.Format(result));
                }
                else if (!SetEnvironment)
                {
                    WriteObject(WebIdentityCredential.From(result));
                }
            });
        }
    
        /// <summary>PowerShell 7.2+'s $PSStyle.OutputRendering set to PlainText: errors rendered without ANSI escapes (nothing to do on older hosts).</summary>
        private static class PlainTextRendering
        {
            public static void Apply(SessionState state)
            {
                try
                {
                    object? style = state.PSVariable.GetValue("PSStyle");
                    PSPropertyInfo? rendering = style == null ? null : PSObject.AsPSObject(style).Properties["OutputRendering"];
                    if (rendering != null)
                    {
                        rendering.Value = "PlainText";
                    }
                }
                catch (Exception e) when (e is PSInvalidCastException || e is SetValueException || e is ExtendedTypeSystemException)
                {
                    // A host without that setting renders as it always did.
                }
            }
        }

        private sealed class StderrWarningLog : CmdletLog
        {
            public StderrWarningLog(Cmdlet cmdlet)
                : base(cmdlet)
            {
            }

            public override void Warning(string message) => Console.Error.WriteLine("WARNING: " + message);
        }
    }
}
