using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// -AllowedAccountId for piped credentials (Set-GitlabAwsProfile -Credential): credentials of an account outside the list
    /// are never written. The exchanged modes use <see cref="AccountGuard.CheckTarget"/> (the final role, before any request)
    /// and <see cref="AccountGuard.Check"/> (the account STS returned).
    /// </summary>
    internal static class ProfileAccountGuard
    {
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
