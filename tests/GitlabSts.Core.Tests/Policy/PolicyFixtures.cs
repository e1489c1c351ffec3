using System;
using System.IO;
using GitlabSts.Core.Policy;

namespace GitlabSts.Core.Tests.Policy
{
    internal static class PolicyFixtures
    {
        internal const string GitlabComProvider = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
        internal const string GitlabComSub = "project_path:acme/infra:ref_type:branch:ref:main";
        internal const string RoleArn = "arn:aws:iam::123456789012:role/ci/deploy";

        internal static string Claims(string file) =>
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", file));

        internal static string GitlabComClaims => Claims("gitlab-com-id-token-claims.json");
        internal static string SelfManagedClaims => Claims("gitlab-id-token-claims.json");

        /// <summary>The gitlab.com fixture's request context, plus a multi-valued and an empty-set test key.</summary>
        internal static RequestContext GitlabComContext()
        {
            RequestContext ctx = OidcConditionKeys.BuildContext(GitlabComClaims, "aws", "123456789012");
            ctx.Set("test:multi", "alpha", "beta");
            ctx.Set("test:empty");
            return ctx;
        }

        /// <summary>Single quotes stand for double quotes, to keep JSON readable in tables.</summary>
        internal static string J(string s) => s.Replace('\'', '"');

        /// <summary>One Allow statement for the gitlab.com provider with the given Condition block.</summary>
        internal static string AllowWithCondition(string condition) => J(
            "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Federated':'" + GitlabComProvider
            + "'},'Action':'sts:AssumeRoleWithWebIdentity','Condition':" + condition + "}]}");
    }
}
