using System;
using System.Collections.Generic;
using System.Linq;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// -AllowedAccountId / GITLABSTS_ALLOWED_ACCOUNT_IDS: the accounts whose credentials may be handed out. The list is
    /// checked locally with the rest of the request (12-digit ids, before any request); the final credentials' account
    /// (from the assumed-role ARN STS returned) must be in it, else <see cref="ErrorIds.AccountNotAllowed"/> and the
    /// caller outputs, sets and writes nothing.
    /// </summary>
    public static class AccountGuard
    {
        /// <summary>The environment variable that holds the default list, comma-separated.</summary>
        public const string Variable = "GITLABSTS_ALLOWED_ACCOUNT_IDS";

        /// <summary>
        /// The allowed accounts: <paramref name="explicitIds"/> when given, else the variable's comma-separated ids (blank
        /// entries ignored); empty when neither is set (no guard). Each must be exactly 12 digits.
        /// </summary>
        public static IReadOnlyList<string> Resolve(string[]? explicitIds, IEnvironmentReader env)
        {
            string source;
            IEnumerable<string?> raw;
            if (explicitIds != null && explicitIds.Length > 0)
            {
                source = "-AllowedAccountId";
                // PowerShell binds "a,b" as one string: accept commas in a value as the variable does.
                raw = explicitIds.SelectMany(v => v == null ? new string?[] { null } : v.Split(','));
            }
            else
            {
                string? text = env.Get(Variable);
                if (string.IsNullOrWhiteSpace(text))
                {
                    return Array.Empty<string>();
                }

                source = Variable;
                raw = text!.Split(',').Where(v => v.Trim().Length > 0);
            }

            var ids = new List<string>();
            foreach (string? value in raw)
            {
                ExchangeRequest.RejectTokenIn("AllowedAccountId", ErrorIds.AccountNotAllowed, value);
                string id = (value ?? string.Empty).Trim();
                if (!IsAccountId(id))
                {
                    throw new GitlabStsException(ErrorIds.AccountNotAllowed, ErrorKind.InvalidArgument,
                        $"{source} holds '{Shorten(id)}', which is not an AWS account id: an account id is exactly 12 digits " +
                        "(for example 111122223333). Separate several ids with commas.", "AllowedAccountId");
                }

                if (!ids.Contains(id))
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>
        /// The local half of the guard, before any request: the final role's ARN names its account (the last -ChainRoleArn,
        /// else -RoleArn); one outside the allowed accounts is refused with no request made.
        /// </summary>
        public static void CheckTarget(ExchangeRequest request)
        {
            if (request.AllowedAccountIds.Count == 0 || request.AllowedAccountIds.Contains(request.FinalRoleArn.AccountId, StringComparer.Ordinal))
            {
                return;
            }

            throw NotAllowed(request, request.FinalRoleArn.AccountId,
                $"The role {request.FinalRoleArn} is in account {request.FinalRoleArn.AccountId}", "No request was sent.");
        }

        /// <summary>
        /// The guard on the final credentials: their account, from the assumed-role ARN STS returned (else the role ARN's),
        /// must be allowed; else <see cref="ErrorIds.AccountNotAllowed"/> (SecurityError), and the caller outputs, sets and
        /// writes nothing.
        /// </summary>
        public static void Check(ExchangeRequest request, ExchangeResult credentials)
        {
            if (request.AllowedAccountIds.Count == 0 || request.AllowedAccountIds.Contains(credentials.AccountId, StringComparer.Ordinal))
            {
                return;
            }

            string from = credentials.AssumedRoleArn != null ? $"(STS returned {credentials.AssumedRoleArn})" : $"(the role {credentials.Role})";
            throw NotAllowed(request, credentials.AccountId,
                $"The credentials STS returned belong to account {credentials.AccountId} {from}",
                "They were discarded: nothing was output, set in the environment or written.");
        }

        /// <summary>
        /// The guard for credentials issued elsewhere (Set-GitlabAwsProfile -Credential): their account (AccountId, else the
        /// role ARN's) must be in <paramref name="allowed"/>; else <see cref="ErrorIds.AccountNotAllowed"/> and nothing is written.
        /// </summary>
        public static void CheckIssued(IReadOnlyList<string> allowed, string? accountId, string? roleArn, bool fromParameter)
        {
            if (allowed.Count == 0)
            {
                return;
            }

            string? account = IsAccountId(accountId) ? accountId : RoleArn.TryParse(roleArn)?.AccountId;
            if (account is null || !allowed.Contains(account, StringComparer.Ordinal))
            {
                throw new GitlabStsException(ErrorIds.AccountNotAllowed, ErrorKind.SecurityError,
                    $"the piped credentials of {roleArn} belongs to account {account ?? "(unknown)"}, which is not in the allowed accounts " +
                    $"({string.Join(", ", allowed)}, from {(fromParameter ? "-AllowedAccountId" : Variable)}): no profile was written. " +
                    "Check -RoleArn and -ChainRoleArn (the last role decides the account), or add the account to the allowed list.",
                    "AllowedAccountId");
            }
        }

        /// <summary>The allowed accounts and where they came from, for messages.</summary>
        public static string Describe(ExchangeRequest request) => string.Join(", ", request.AllowedAccountIds);

        private static GitlabStsException NotAllowed(ExchangeRequest request, string account, string what, string consequence) =>
            new GitlabStsException(ErrorIds.AccountNotAllowed, ErrorKind.SecurityError,
                $"{what}, which is not an allowed account ({Describe(request)}, from -AllowedAccountId or {Variable}). {consequence} " +
                "Check -RoleArn and -ChainRoleArn (a copy-pasted ARN of another account?), or add the account to the allowed list.",
                account);

        /// <summary>True for exactly 12 ASCII digits.</summary>
        public static bool IsAccountId(string? text) => text != null && text.Length == 12 && text.All(c => c >= '0' && c <= '9');

        private static string Shorten(string s) => s.Length > 40 ? s.Substring(0, 40) + "…" : s;
    }
}
