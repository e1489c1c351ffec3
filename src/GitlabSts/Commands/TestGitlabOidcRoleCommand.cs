using System;
using System.IO;
using System.Management.Automation;
using GitlabSts.Core;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;

namespace GitlabSts.Commands
{
    /// <summary>Proves a role can be assumed with the job's ID token and, when it cannot, says which claim or condition fails.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "GitlabOidcRole", DefaultParameterSetName = DiscoverSet)]
    [OutputType(typeof(OidcRoleTestResult), typeof(bool))]
    public sealed class TestGitlabOidcRoleCommand : GitlabStsExchangeCmdlet
    {
        /// <summary>The role's trust policy: JSON text or the path of a JSON file.</summary>
        [Parameter]
        public string? TrustPolicy { get; set; }

        [Parameter]
        public string[]? ClientId { get; set; }

        [Parameter]
        public SwitchParameter Offline { get; set; }

        [Parameter]
        public SwitchParameter VerifySignature { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            Invoke(() =>
            {
                var options = new RoleTestOptions
                {
                    TrustPolicyJson = ReadTrustPolicy(),
                    ClientIds = ClientId,
                    Offline = Offline,
                    VerifySignature = VerifySignature,
                };
                RoleTestResult result = RoleTester.Run(SettingsFromParameters(), options, ProcessEnvironment.Instance, Log, DateTimeOffset.UtcNow, CancelToken);
                if (Quiet)
                {
                    WriteObject(result.Success);
                }
                else
                {
                    WriteObject(OidcRoleTestResult.From(result));
                }
            });
        }

        private string? ReadTrustPolicy()
        {
            if (string.IsNullOrWhiteSpace(TrustPolicy))
            {
                return null;
            }

            string text = TrustPolicy!.TrimStart();
            if (text.StartsWith("{", StringComparison.Ordinal))
            {
                return TrustPolicy;
            }

            string path = ResolveUserPath(TrustPolicy!);
            ExchangeRequest.RejectTokenIn("TrustPolicy", ErrorIds.InvalidPolicy, path, isPath: true);
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.ObjectNotFound,
                    $"-TrustPolicy is neither JSON nor a readable file: '{path}' ({e.Message}). Pass the trust policy JSON, or the path of a file " +
                    "holding it (aws iam get-role --role-name <name> --query Role.AssumeRolePolicyDocument).", "TrustPolicy", e);
            }
        }
    }
}
