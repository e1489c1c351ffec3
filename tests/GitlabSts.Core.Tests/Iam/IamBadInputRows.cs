using System;
using System.Collections.Generic;
using System.Threading;
using GitlabSts.Core.Iam;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.ErrorModel
{
    /// <summary>-FromIam's bad input: each row fails with its id before any IAM request (a read would throw a non-GitlabSts exception).</summary>
    public partial class BadInputTests
    {
        private static IEnumerable<BadInput> IamRows()
        {
            Func<string, string, CancellationToken, IamReadResult> noRead = (r, i, c) => throw new InvalidOperationException("IAM was read");
            BadInput FromIam(string name, string id, Action<RoleTestOptions> edit, params (string, string)[] env) => Row("RoleTester -FromIam " + name, id, () =>
            {
                var options = new RoleTestOptions { Offline = true, FromIam = true, ReadIam = noRead };
                edit(options);
                RoleTester.Run(Settings(), options, Env.Of(env), NullLog.Instance, TestTokens.Now, CancellationToken.None);
            });
            var preRead = new IamReadResult(Role, "https://gitlab.com", new IamRoleRead(IamReadStatus.Read, "{}", null, null),
                new IamProviderRead("arn:aws:iam::123456789012:oidc-provider/gitlab.com", IamReadStatus.Read, new[] { "x" }, "gitlab.com", null, null));

            yield return FromIam("with -TrustPolicy", ErrorIds.InvalidPolicy, o => o.TrustPolicyJson = "{\"Statement\":[]}");
            yield return FromIam("with -ClientId", ErrorIds.ParameterConflict, o => o.ClientIds = new[] { "sts.amazonaws.com" });
            yield return FromIam("a token as -ProfileName", ErrorIds.InvalidProfileName, o => o.ProfileName = TestTokens.Mint());
            yield return FromIam("blank -ProfileName", ErrorIds.InvalidProfileName, o => o.ProfileName = " ");
            yield return FromIam("an earlier read with -TrustPolicy", ErrorIds.InvalidPolicy, o => { o.FromIam = false; o.IamRead = preRead; o.TrustPolicyJson = "{}"; });
            yield return FromIam("malformed AWS_ENDPOINT_URL_IAM", ErrorIds.InvalidEndpoint, o => o.ReadIam = null, ("AWS_ENDPOINT_URL_IAM", "not a url"));
            yield return FromIam("ftp AWS_ENDPOINT_URL", ErrorIds.InvalidEndpoint, o => o.ReadIam = null, ("AWS_ENDPOINT_URL", "ftp://iam.example.com"));
            foreach (string role in new[] { "garbage", "arn:aws:sts::123456789012:assumed-role/x/y", "arn:aws:iam::12345:role/x", "" })
            {
                yield return Row($"IamReader.Read role '{role}'", ErrorIds.InvalidRoleArn, () =>
                    IamReader.Read(role, "https://gitlab.com", null, Env.Of(("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9")), NullLog.Instance, CancellationToken.None));
            }

            yield return Row("IamReader.Read malformed AWS_ENDPOINT_URL_IAM", ErrorIds.InvalidEndpoint, () =>
                IamReader.Read(Role, "https://gitlab.com", null, Env.Of(("AWS_ENDPOINT_URL_IAM", "http//nocolon")), NullLog.Instance, CancellationToken.None));
        }
    }
}
