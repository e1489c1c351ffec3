using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Tests.ErrorModel
{
    /// <summary>The what-if's entry points (Test-GitlabOidcRole -ProjectPath): ProjectClaims.Build and WhatIfRun.Run.</summary>
    public partial class BadInputTests
    {
        private const string WhatIfPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:oidc-provider/gitlab.com\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}";

        private static IEnumerable<BadInput> WhatIfRows()
        {
            BadInput Test(string name, string? id, Action<ProjectClaimsRequest> edit, Action<ExchangeSettings>? settings = null, RoleTestOptions? options = null) =>
                Row("WhatIfRun " + name, id, () =>
                {
                    var project = new ProjectClaimsRequest { ProjectPath = "acme/infra", Ref = "main" };
                    edit(project);
                    var s = new ExchangeSettings { RoleArn = Role };
                    settings?.Invoke(s);
                    WhatIfRun.Run(s, options ?? new RoleTestOptions { TrustPolicyJson = WhatIfPolicy }, project, Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None);
                });

            yield return Test("null path", ErrorIds.InvalidClaim, p => p.ProjectPath = null);
            yield return Test("path without group", ErrorIds.InvalidClaim, p => p.ProjectPath = "infra");
            yield return Test("path with a space", ErrorIds.InvalidClaim, p => p.ProjectPath = "acme/in fra");
            yield return Test("path URL", ErrorIds.InvalidClaim, p => p.ProjectPath = "https://gitlab.com/acme/infra");
            yield return Test("path of 5000 slashes", ErrorIds.InvalidClaim, p => p.ProjectPath = new string('/', 5000));
            yield return Test("path with a lone surrogate", ErrorIds.InvalidClaim, p => p.ProjectPath = "acme/\uD800x");
            yield return Test("null ref", ErrorIds.InvalidClaim, p => p.Ref = null);
            yield return Test("ref with NUL", ErrorIds.InvalidClaim, p => p.Ref = "ma\0in");
            yield return Test("ref ..", ErrorIds.InvalidClaim, p => p.Ref = "..");
            yield return Test("ref type mr", ErrorIds.InvalidClaim, p => p.RefType = "mr");
            yield return Test("claim int", ErrorIds.InvalidClaim, p => p.Claim = new Hashtable { ["namespace_id"] = 42 });
            yield return Test("claim null key value", ErrorIds.InvalidClaim, p => p.Claim = new Hashtable { ["x"] = null });
            yield return Test("claim nested", ErrorIds.InvalidClaim, p => p.Claim = new Hashtable { ["x"] = new object[] { new[] { "a" } } });
            yield return Test("claim blank key", ErrorIds.InvalidClaim, p => p.Claim = new Hashtable { [" "] = "v" });
            yield return Test("claim sub array", ErrorIds.InvalidClaim, p => p.Claim = new Hashtable { ["sub"] = new[] { "a", "b" } });
            yield return Test("components unknown", ErrorIds.InvalidClaim, p => p.SubClaimComponents = new[] { "ref", "project_path" });
            yield return Test("components with null", ErrorIds.InvalidClaim, p => p.SubClaimComponents = new string[] { null! });
            yield return Test("sub and components", ErrorIds.ParameterConflict, p =>
            {
                p.Claim = new Hashtable { ["sub"] = "x" };
                p.SubClaimComponents = new[] { "project_path", "ref" };
            });
            yield return Test("empty issuer", ErrorIds.InvalidClaim, p => p.Issuer = "");
            yield return Test("no trust policy", ErrorIds.InvalidPolicy, _ => { }, options: new RoleTestOptions());
            yield return Test("verify signature", ErrorIds.ParameterConflict, _ => { }, options: new RoleTestOptions { TrustPolicyJson = WhatIfPolicy, VerifySignature = true });
            yield return Test("unparsable trust policy", null, _ => { }, options: new RoleTestOptions { TrustPolicyJson = "{" });
            yield return Test("bad role ARN", ErrorIds.InvalidRoleArn, _ => { }, s => s.RoleArn = "garbage");
            yield return Test("no role ARN", ErrorIds.InvalidRoleArn, _ => { }, s => s.RoleArn = null);
            yield return Test("token in audience", ErrorIds.InvalidIdentityToken, _ => { }, s => s.Audience = TestTokens.Mint());
            yield return Test("empty audience", ErrorIds.InvalidClaim, _ => { }, s => s.Audience = " ");
            yield return Test("bad endpoint", ErrorIds.InvalidEndpoint, _ => { }, s => s.EndpointUrl = "garbage");
            // -FromIam misuses: refused before any IAM read (the read would throw something that is not a GitlabStsException).
            RoleTestOptions Iam(Action<RoleTestOptions> edit)
            {
                var o = new RoleTestOptions { FromIam = true, ReadIam = (_, _, _) => throw new InvalidOperationException("IAM was read") };
                edit(o);
                return o;
            }

            yield return Test("FromIam and TrustPolicy", ErrorIds.InvalidPolicy, _ => { }, options: Iam(o => o.TrustPolicyJson = WhatIfPolicy));
            yield return Test("FromIam and ClientId", ErrorIds.ParameterConflict, _ => { }, options: Iam(o => o.ClientIds = new[] { "sts.amazonaws.com" }));
            yield return Test("FromIam blank profile", ErrorIds.InvalidProfileName, _ => { }, options: Iam(o => o.ProfileName = ""));
            yield return Test("FromIam token as profile", ErrorIds.InvalidProfileName, _ => { }, options: Iam(o => o.ProfileName = TestTokens.Mint()));
            yield return Test("FromIam bad path", ErrorIds.InvalidClaim, p => p.ProjectPath = "nogroup", options: Iam(_ => { }));
            yield return Test("FromIam bad role", ErrorIds.InvalidRoleArn, _ => { }, s => s.RoleArn = "arn:aws:iam::12:role/x", Iam(_ => { }));
            yield return Test("FromIam verify signature", ErrorIds.ParameterConflict, _ => { }, options: Iam(o => o.VerifySignature = true));
            yield return Row("ProjectClaims blank components", ErrorIds.InvalidClaim, () => ProjectClaims.CheckSubClaimComponents(new[] { "", " , " }));
            yield return Row("ProjectClaims ref with a lone surrogate", ErrorIds.InvalidClaim, () => ProjectClaims.CheckRef("ma\uDC00in"));
            yield return Row("ProjectClaims claim value a lone surrogate", ErrorIds.InvalidClaim, () => ProjectClaims.ClaimsFrom(new Hashtable { ["x"] = "\uD800" }));
        }
    }
}
