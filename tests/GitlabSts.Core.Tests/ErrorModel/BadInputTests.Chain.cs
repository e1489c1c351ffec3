using System.Collections.Generic;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.ErrorModel
{
    public partial class BadInputTests
    {
        // ---------------- ExchangeRequest.Resolve: -ChainRoleArn, -ChainRoleSessionName, -ChainDurationSeconds, -AllowedAccountId ----------------

        private static IEnumerable<BadInput> ChainRows()
        {
            foreach (string? arn in new[] { null, "", " ", "garbage", "arn:aws:iam::1:role/x", "arn:aws:iam::444455556666:user/x", "arn:aws-cn:iam::444455556666:role/x", "arn:aws:iam::444455556666:role/a b", ":::::" })
            {
                yield return Resolving($"chain hop '{arn ?? "<null>"}'", ErrorIds.InvalidRoleArn, s => s.ChainRoleArns = new[] { "arn:aws:iam::444455556666:role/ok", arn! });
            }

            yield return Resolving("chain hop is a token", ErrorIds.InvalidRoleArn, s => s.ChainRoleArns = new[] { TestTokens.Mint() });
            foreach (string name in new[] { "", "a", new string('x', 65), "bad name", "a\0b" })
            {
                yield return Resolving($"chain session name '{name}'", ErrorIds.InvalidSessionName, s => { s.ChainRoleArns = new[] { "arn:aws:iam::444455556666:role/ok" }; s.ChainRoleSessionName = name; });
            }

            foreach (int d in new[] { 0, 899, 3601, 7200, 43200, int.MinValue, int.MaxValue })
            {
                yield return Resolving($"chain duration {d}", ErrorIds.InvalidDuration, s => { s.ChainRoleArns = new[] { "arn:aws:iam::444455556666:role/ok" }; s.ChainDurationSeconds = d; });
            }

            foreach (string? id in new[] { null, "", "1", "12345678901", "1234567890123", "x23456789012", "444455556666 777788889999", TestTokens.Mint() })
            {
                yield return Resolving($"allowed account '{(id != null && id.Length > 30 ? "<token>" : id ?? "<null>")}'", ErrorIds.AccountNotAllowed, s => s.AllowedAccountIds = new[] { id! });
            }

            yield return Resolving("allowed account 'abc' in GITLABSTS_ALLOWED_ACCOUNT_IDS", ErrorIds.AccountNotAllowed, s => { }, (AccountGuard.Variable, "abc"));
        }
    }
}
