using System;
using System.Collections;
using System.Management.Automation;
using GitlabSts.Core;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

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

        /// <summary>Values of condition keys only AWS knows (aws:SourceIp = '203.0.113.5'); $null marks a key absent.</summary>
        [Parameter]
        public Hashtable? ConditionContext { get; set; }
        /// <summary>An issuer you trust: -VerifySignature fetches keys only from it, CI_SERVER_URL or the trust policy's provider.</summary>
        [Parameter]
        public string? Issuer { get; set; }

        /// <summary>Read the role's trust policy (GetRole) and the issuer's OIDC provider (GetOpenIDConnectProvider) from IAM.</summary>
        [Parameter]
        public SwitchParameter FromIam { get; set; }

        /// <summary>The AWS profile whose credentials -FromIam reads IAM with; default: the SDK's default credential chain.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string? ProfileName { get; set; }

        private const string ProjectSet = "Project";

        /// <summary>What-if: the project a job would run in, group[/subgroup...]/project.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string ProjectPath { get; set; } = string.Empty;

        /// <summary>What-if: the branch or tag name.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Ref { get; set; } = string.Empty;

        /// <summary>What-if: branch (default) or tag.</summary>
        [Parameter(ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
        public string? RefType { get; set; }

        /// <summary>What-if: more claims or overrides; a sub key replaces the built subject.</summary>
        [Parameter(ParameterSetName = ProjectSet, ValueFromPipelineByPropertyName = true)]
        public Hashtable? Claim { get; set; }

        /// <summary>What-if: the project's ci_id_token_sub_claim_components.</summary>
        [Parameter(ParameterSetName = ProjectSet)]
        public string[]? SubClaimComponents { get; set; }

        private readonly WhatIfMatrix _matrix = new WhatIfMatrix();

        protected override void ProcessRecord()
        {
            Invoke(() =>
            {
                var options = new RoleTestOptions
                {
                    TrustPolicyJson = TrustPolicySource.Read(TrustPolicy, ResolveUserPath),
                    ClientIds = ClientId,
                    Offline = Offline,
                    VerifySignature = VerifySignature,
                    ConditionContext = ConditionContext == null ? null
                        : RequestContext.ConditionContextFrom(ConditionContext, o => o is PSObject p ? p.BaseObject : o),
                    Issuer = Issuer,
                    FromIam = FromIam,
                    ProfileName = ProfileName,
                };
                if (ParameterSetName == ProjectSet)
                {
                    _matrix.Run(this, Log, SettingsFromParameters(), options, new ProjectClaimsRequest
                    {
                        ProjectPath = ProjectPath, Ref = Ref, RefType = RefType, Issuer = Issuer, Claim = Claim, SubClaimComponents = SubClaimComponents,
                        Unwrap = o => o is PSObject p ? p.BaseObject : o,
                    }, Quiet, CancelToken);
                    return;
                }

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

        protected override void EndProcessing() => _matrix.Complete(this);
    }
}
