using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// -AllowedAccountId for Set-GitlabAwsProfile: a profile whose credentials would belong to an account outside the list is
    /// never written, in any mode. The final role's ARN names its account, so the check runs before anything is written and
    /// before any request (WebIdentity and CredentialProcess profiles exchange later, in the SDKs or the command, which carries
    /// the list); Credential mode checks again on the account STS returned.
    /// </summary>
    internal static class ProfileAccountGuard
    {
        /// <summary>Throws <see cref="ErrorIds.AccountNotAllowed"/> when <paramref name="finalRole"/>'s account is not in <paramref name="allowed"/> (empty: no guard).</summary>
        public static void CheckRole(IReadOnlyList<string> allowed, RoleArn finalRole, bool fromParameter)
        {
            if (allowed.Count > 0 && !allowed.Contains(finalRole.AccountId))
            {
                throw NotAllowed(finalRole.AccountId, $"the role {finalRole}", allowed, fromParameter);
            }
        }

        /// <summary>Throws <see cref="ErrorIds.AccountNotAllowed"/> when the exchanged credentials' account is not in <paramref name="allowed"/>.</summary>
        public static void CheckResult(IReadOnlyList<string> allowed, ExchangeResult result, bool fromParameter)
        {
            string account = result.AccountId;
            if (allowed.Count > 0 && !allowed.Contains(account))
            {
                throw NotAllowed(account, $"the credentials STS returned ({result.AssumedRoleArn ?? result.Request.FinalRoleArn.Value})", allowed, fromParameter);
            }
        }

        /// <summary>Throws <see cref="ErrorIds.AccountNotAllowed"/> when piped credentials belong to an account not in <paramref name="allowed"/>.</summary>
        public static void CheckIssued(IReadOnlyList<string> allowed, IssuedCredentials issued, bool fromParameter)
        {
            if (allowed.Count == 0)
            {
                return;
            }

            string? account = AccountGuard.IsAccountId(issued.AccountId) ? issued.AccountId : RoleArn.TryParse(issued.RoleArn)?.AccountId;
            if (account is null || !allowed.Contains(account))
            {
                throw NotAllowed(account ?? "(unknown)", $"the piped credentials of {issued.RoleArn}", allowed, fromParameter);
            }
        }

        private static GitlabStsException NotAllowed(string account, string what, IReadOnlyList<string> allowed, bool fromParameter) =>
            new GitlabStsException(ErrorIds.AccountNotAllowed, ErrorKind.SecurityError,
                $"{what} belongs to account {account}, which is not in the allowed accounts ({string.Join(", ", allowed)}, from " +
                $"{(fromParameter ? "-AllowedAccountId" : AccountGuard.Variable)}): no profile was written. " +
                "Check -RoleArn and -ChainRoleArn (the last role decides the account), or add the account to the allowed list.",
                "AllowedAccountId");
    }
}
