using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.RoleTest
{
    /// <summary>
    /// -FromIam inside RoleTester: the invocation rules, the read (or the caller's earlier read for the same role and
    /// issuer, so a matrix reads IAM once per role), and the IamRole/IamProvider checks. Only this path touches
    /// GitlabSts.Core.Iam, so an exchange never loads it.
    /// </summary>
    internal static class IamStage
    {
        /// <summary>-FromIam with -TrustPolicy (InvalidPolicy) or with -ClientId (ParameterConflict): one source each.</summary>
        internal static void Validate(RoleTestOptions options)
        {
            if (!Active(options))
            {
                return;
            }

            if (options.TrustPolicyJson != null)
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    "-FromIam and -TrustPolicy both give the role's trust policy: pass one of them (-FromIam reads it with IAM GetRole).");
            }

            if (options.ClientIds != null)
            {
                throw new GitlabStsException(ErrorIds.ParameterConflict, ErrorKind.InvalidArgument,
                    "-FromIam and -ClientId both give the OIDC provider's client ids: pass one of them (-FromIam reads them with IAM GetOpenIDConnectProvider).");
            }

            if (options.ProfileName != null)
            {
                ExchangeRequest.RejectTokenIn("ProfileName", ErrorIds.InvalidProfileName, options.ProfileName);
                if (options.ProfileName.Trim().Length == 0)
                {
                    throw new GitlabStsException(ErrorIds.InvalidProfileName, ErrorKind.InvalidArgument,
                        "-ProfileName is empty: name the AWS profile whose credentials read IAM, or leave it out for the default credentials.");
                }
            }
        }

        internal static bool Active(RoleTestOptions options) => options.FromIam || options.IamRead != null;

        /// <summary>The IAM read for this role and issuer: the caller's (when it is for them), else a new one; null without -FromIam.</summary>
        internal static IamReadResult? Read(RoleTestOptions options, RoleArn role, string? issuer, IEnvironmentReader env, ICoreLog log, CancellationToken cancel)
        {
            if (!Active(options))
            {
                return null;
            }

            string iss = issuer ?? string.Empty;
            if (options.IamRead != null && options.IamRead.IsFor(role.Value, iss))
            {
                log.Verbose($"Reusing the IAM read of {role.Value} (one read per role).");
                return options.IamRead;
            }

            return options.ReadIam != null
                ? options.ReadIam(role.Value, iss, cancel)
                : IamReader.Read(role.Value, iss, options.ProfileName, env, log, cancel);
        }

        /// <summary>IamRole and IamProvider first, then the diagnosis' checks, with ClientId pointing at IamProvider when it was not read.</summary>
        internal static IEnumerable<DiagnosisCheck> Checks(IamReadResult? read, IReadOnlyList<string> audience, IReadOnlyList<DiagnosisCheck> diagnosis)
        {
            if (read == null)
            {
                return diagnosis;
            }

            IEnumerable<DiagnosisCheck> rest = diagnosis.Select(c =>
                c.Name == "ClientId" && c.Result == CheckResult.Skip && read.Provider.Status != IamReadStatus.Read ? IamChecks.ClientIdNotRead(audience)
                : c.Name == OidcDiagnosis.TrustPolicyCheck && c.Code == CheckCodes.NoTrustPolicy && read.Role.Status != IamReadStatus.Read ? IamChecks.TrustPolicyNotRead(c)
                : c);
            return IamChecks.For(read, audience).Concat(rest);
        }
    }
}
