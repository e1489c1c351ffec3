using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.RoleTest
{
    /// <summary>
    /// Test-GitlabOidcRole's part of -ChainRoleArn and -AllowedAccountId: one live check per hop ("Chain 1", "Chain 2", ...),
    /// each sts:AssumeRole with the previous hop's credentials followed by GetCallerIdentity with the new ones; and the
    /// account guard as the "AllowedAccount" check, reported (Fail), never thrown.
    /// </summary>
    public static class ChainStage
    {
        public const string AllowedAccountCheck = "AllowedAccount";

        /// <summary>The check code of an account outside the allowed list.</summary>
        public const string AccountNotAllowedCode = "AccountNotAllowed";

        /// <summary>The name of hop <paramref name="hop"/>'s check (1-based: the first -ChainRoleArn).</summary>
        public static string CheckName(int hop) => $"Chain {hop}";

        /// <summary>
        /// Runs every hop live after a successful exchange (<paramref name="credentials"/>: the web-identity role's), adding
        /// a check per hop; the first failing hop is a Fail and the hops after it are skipped. The result's AssumedRoleArn,
        /// Account and UserId become the last successful hop's caller identity.
        /// </summary>
        public static void RunLive(ExchangeRequest request, ExchangeResult credentials, RoleTestResult result, List<DiagnosisCheck> checks,
            RoleChainer chainer, Func<ExchangeResult, CancellationToken, CallerIdentity> callerIdentity, ICoreLog log, CancellationToken cancel)
        {
            ExchangeResult current = credentials;
            for (int hop = 1; hop <= request.ChainRoleArns.Count; hop++)
            {
                RoleArn role = request.ChainRoleArns[hop - 1];
                RoleArn from = current.Role;
                ExchangeResult next;
                try
                {
                    next = chainer.AssumeHop(request, hop, current, log, cancel);
                }
                catch (GitlabStsException e)
                {
                    string? hint = e.ErrorId == ErrorIds.AccessDenied
                        ? $"Add to the trust policy of {role}: {ChainMessages.TrustStatement(from, RoleChainer.SourceCarriesTags(request))}; and allow sts:AssumeRole on {role} in the permissions of {from.RoleName}."
                        : null;
                    checks.Add(new DiagnosisCheck(CheckName(hop), CheckResult.Fail, e.Message, e.StsErrorCode ?? e.ErrorId, hint));
                    SkipFrom(request, checks, hop + 1, $"Skipped: {CheckName(hop)} failed.");
                    return;
                }

                CallerIdentity identity;
                try
                {
                    identity = callerIdentity(next, cancel);
                }
                catch (GitlabStsException e)
                {
                    checks.Add(new DiagnosisCheck(CheckName(hop), CheckResult.Fail,
                        $"sts:AssumeRole into {role} returned credentials, but GetCallerIdentity with them failed: {e.Message}", e.StsErrorCode ?? e.ErrorId, null));
                    SkipFrom(request, checks, hop + 1, $"Skipped: {CheckName(hop)} failed.");
                    return;
                }

                checks.Add(new DiagnosisCheck(CheckName(hop), CheckResult.Pass,
                    $"sts:AssumeRole into {role} with the credentials of {from}: GetCallerIdentity {identity.Arn} (account {identity.Account}); " +
                    $"expire {next.Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}; {next.Attempts} attempt(s)."));
                result.AssumedRoleArn = identity.Arn;
                result.Account = identity.Account;
                result.UserId = identity.UserId;
                current = next;
            }
        }

        /// <summary>
        /// After the live part (or offline): a Skip for every hop that has no check yet, then, with allowed accounts, the
        /// AllowedAccount check: on the last hop's caller identity when every hop ran live, else on the final role ARN's account.
        /// </summary>
        public static void Finish(ExchangeRequest request, RoleTestResult result, List<DiagnosisCheck> checks, bool offline)
        {
            if (request.HasChain)
            {
                string why = offline ? "Skipped: -Offline makes no network connection."
                    : checks.Any(c => (c.Name == RoleTester.ExchangeCheck || c.Name == RoleTester.CallerIdentityCheck) && c.Result != CheckResult.Pass)
                        ? "Skipped: the web-identity exchange did not succeed, so there are no credentials to chain from."
                        : "Skipped.";
                SkipFrom(request, checks, 1, why);
            }

            if (request.AllowedAccountIds.Count == 0)
            {
                return;
            }

            bool provenLive = !offline && result.Account != null &&
                              (!request.HasChain || checks.Any(c => c.Name == CheckName(request.ChainRoleArns.Count) && c.Result == CheckResult.Pass));
            string account = provenLive ? result.Account! : request.FinalRoleArn.AccountId;
            string source = provenLive
                ? $"the final credentials' account (GetCallerIdentity: {result.AssumedRoleArn})"
                : $"the final role {request.FinalRoleArn}'s account (from its ARN; not proven live)";
            string allowed = AccountGuard.Describe(request);
            checks.Add(request.AllowedAccountIds.Contains(account, StringComparer.Ordinal)
                ? new DiagnosisCheck(AllowedAccountCheck, CheckResult.Pass, $"Account {account}, {source}, is allowed ({allowed}).")
                : new DiagnosisCheck(AllowedAccountCheck, CheckResult.Fail,
                    $"Account {account}, {source}, is not an allowed account ({allowed}, from -AllowedAccountId or {AccountGuard.Variable}): " +
                    "the exchange cmdlets refuse these credentials (GitlabSts.AccountNotAllowed) and output, set and write nothing.",
                    AccountNotAllowedCode,
                    "Check -RoleArn and -ChainRoleArn (a copy-pasted ARN of another account?), or add the account to -AllowedAccountId / GITLABSTS_ALLOWED_ACCOUNT_IDS."));
        }

        private static void SkipFrom(ExchangeRequest request, List<DiagnosisCheck> checks, int firstHop, string why)
        {
            for (int hop = firstHop; hop <= request.ChainRoleArns.Count; hop++)
            {
                if (!checks.Any(c => c.Name == CheckName(hop)))
                {
                    checks.Add(new DiagnosisCheck(CheckName(hop), CheckResult.Skip, $"{why} Would assume {request.ChainRoleArns[hop - 1]}."));
                }
            }
        }
    }
}
