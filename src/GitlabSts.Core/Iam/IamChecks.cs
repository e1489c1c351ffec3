using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Iam
{
    /// <summary>The IamRole and IamProvider checks of -FromIam: what was read, or exactly why not and the fix.</summary>
    public static class IamChecks
    {
        public const string IamRole = "IamRole";
        public const string IamProvider = "IamProvider";

        /// <param name="audience">The aud the job's token carries (for the create-provider step); the first is used.</param>
        public static IReadOnlyList<DiagnosisCheck> For(IamReadResult read, IReadOnlyList<string> audience) =>
            new[] { Role(read), Provider(read, audience) };

        public static DiagnosisCheck Role(IamReadResult read)
        {
            IamRoleRead role = read.Role;
            RoleArn? arn = RoleArn.TryParse(read.RoleArn);
            string account = arn?.AccountId ?? "?";
            switch (role.Status)
            {
                case IamReadStatus.Read:
                    return new DiagnosisCheck(IamRole, CheckResult.Pass,
                        $"Read the trust policy of {read.RoleArn} from IAM (GetRole, {role.TrustPolicyJson?.Length ?? 0} characters).");
                case IamReadStatus.NotFound:
                    return new DiagnosisCheck(IamRole, CheckResult.Fail,
                        $"IAM has no role {Text.Q(arn?.RoleName ?? read.RoleArn)} in account {account} (GetRole: NoSuchEntity).",
                        CheckCodes.IamRoleNotFound,
                        $"Check the role name in {read.RoleArn}, and that the AWS credentials (-ProfileName or the default chain) are for account {account}.");
                case IamReadStatus.AccessDenied:
                    return new DiagnosisCheck(IamRole, CheckResult.Fail,
                        $"IAM refused to read the role {read.RoleArn}: {role.ErrorCode} ({role.Message}).",
                        CheckCodes.IamAccessDenied,
                        $"Allow the caller iam:GetRole on {read.RoleArn} (or use -ProfileName with a profile that has it), or pass the trust policy with -TrustPolicy instead of -FromIam.");
                default:
                    return new DiagnosisCheck(IamRole, CheckResult.Fail,
                        $"The role {read.RoleArn} could not be read from IAM: {role.ErrorCode}: {role.Message}",
                        CheckCodes.IamReadFailed, FailedHint(role.ErrorCode, account));
            }
        }

        public static DiagnosisCheck Provider(IamReadResult read, IReadOnlyList<string> audience)
        {
            IamProviderRead provider = read.Provider;
            RoleArn? arn = RoleArn.TryParse(read.RoleArn);
            string account = arn?.AccountId ?? "?";
            string key = OidcConditionKeys.IssuerKey(read.Issuer);
            switch (provider.Status)
            {
                case IamReadStatus.Read:
                    return new DiagnosisCheck(IamProvider, CheckResult.Pass,
                        $"Read the OIDC provider {provider.Arn} from IAM (Url {provider.Url ?? "(none)"}, client ids [{Text.List(provider.ClientIds ?? Array.Empty<string>())}]).");
                case IamReadStatus.NotFound:
                    string aud = audience.FirstOrDefault() ?? "sts.amazonaws.com";
                    return new DiagnosisCheck(IamProvider, CheckResult.Fail,
                        $"Account {account} has no IAM OIDC provider for the issuer {read.Issuer} ({provider.Arn}: NoSuchEntity); STS refuses every token of this issuer for the role.",
                        CheckCodes.IamProviderNotFound, CreateProviderStep(key, aud, arn?.Partition ?? "aws"));
                case IamReadStatus.AccessDenied:
                    return new DiagnosisCheck(IamProvider, CheckResult.Fail,
                        $"IAM refused to read the OIDC provider {provider.Arn}: {provider.ErrorCode} ({provider.Message}).",
                        CheckCodes.IamAccessDenied,
                        $"Allow the caller iam:GetOpenIDConnectProvider on {provider.Arn} (or use -ProfileName with a profile that has it), or pass the provider's audiences with -ClientId instead of -FromIam.");
                default:
                    return new DiagnosisCheck(IamProvider, CheckResult.Fail,
                        $"The OIDC provider {provider.Arn} could not be read from IAM: {provider.ErrorCode}: {provider.Message}",
                        CheckCodes.IamReadFailed, FailedHint(provider.ErrorCode, account));
            }
        }

        /// <summary>The step that creates the missing provider, with the issuer's URL and the job's audience.</summary>
        public static string CreateProviderStep(string issuerKey, string audience, string partition) =>
            $"Create it in the role's account: aws iam create-open-id-connect-provider --url https://{issuerKey} --client-id-list {audience} "
            + $"(older AWS CLI versions also want --thumbprint-list), or in the IAM console ({IamEndpoint.ConsoleOf(partition)}), Identity providers, "
            + $"Add provider, OpenID Connect, provider URL https://{issuerKey}, audience {audience}.";

        /// <summary>The ClientId check when -FromIam could not read the provider: skipped, pointing at IamProvider.</summary>
        public static DiagnosisCheck ClientIdNotRead(IReadOnlyList<string> aud) =>
            new DiagnosisCheck("ClientId", CheckResult.Skip,
                $"The provider's client ids were not read from IAM (see IamProvider); the token's aud is {Text.List(aud)}.");

        /// <summary>-Offline's NoTrustPolicy when -FromIam could not read the role: the same verdict, pointing at IamRole.</summary>
        public static DiagnosisCheck TrustPolicyNotRead(DiagnosisCheck noTrustPolicy) =>
            new DiagnosisCheck(noTrustPolicy.Name, noTrustPolicy.Result,
                "The trust policy could not be read from IAM (see IamRole): offline, nothing can tell whether this token may assume the role.",
                noTrustPolicy.Code, "Fix what IamRole names, or pass the role's trust policy with -TrustPolicy instead of -FromIam.");

        private static string FailedHint(string? code, string account) => code switch
        {
            IamReader.NoCredentialsCode =>
                $"Give -FromIam AWS credentials for account {account}: -ProfileName <profile>, AWS_PROFILE, or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables.",
            IamReader.RoleMismatchCode =>
                $"Use AWS credentials for the role's account {account} (-ProfileName), or the role's ARN exactly as IAM shows it.",
            _ => "Check the IAM endpoint (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL) and the network, or pass the trust policy with -TrustPolicy and the audiences with -ClientId.",
        };
    }
}
