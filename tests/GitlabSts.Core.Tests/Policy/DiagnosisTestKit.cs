using System;
using System.Linq;
using System.Text.Json.Nodes;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    internal static class DiagnosisTestKit
    {
        /// <summary>A minute after the gitlab.com fixture's iat (1764150000).</summary>
        internal static readonly DateTimeOffset FixtureNow = DateTimeOffset.FromUnixTimeSeconds(1764150060);

        internal static string PolicyFor(string federated, string condition) => J(
            "{'Version':'2012-10-17','Statement':[{'Effect':'Allow','Principal':{'Federated':'" + federated
            + "'},'Action':'sts:AssumeRoleWithWebIdentity'" + (condition == null ? "" : ",'Condition':" + condition) + "}]}");

        /// <summary>The trust policy of the original design: aud = https://gitlab.com, sub like project_path:acme/*.</summary>
        internal static string DesignPolicy => PolicyFor(GitlabComProvider,
            "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}");

        internal static DiagnosisResult Run(string policy, string claims = null, string[] clientIds = null,
            string role = RoleArn, DateTimeOffset? now = null) =>
            OidcDiagnosis.Run(new DiagnosisInput
            {
                ClaimsJson = claims ?? GitlabComClaims,
                TrustPolicyJson = policy,
                ClientIds = clientIds,
                RoleArn = role,
                Now = now ?? FixtureNow,
            });

        internal static DiagnosisCheck Check(DiagnosisResult r, string name) =>
            r.Checks.SingleOrDefault(c => c.Name == name) ?? throw new Xunit.Sdk.XunitException(
                $"no check {name}; have: {string.Join(", ", r.Checks.Select(c => c.Name))}");

        /// <summary>The gitlab.com claims with some claims replaced (null value: removed).</summary>
        internal static string ClaimsWith(params (string name, object value)[] changes)
        {
            JsonObject o = JsonNode.Parse(GitlabComClaims)!.AsObject();
            foreach ((string name, object value) in changes)
            {
                if (value == null) o.Remove(name);
                else o[name] = JsonValue.Create(value);
            }
            return o.ToJsonString();
        }

        internal static void AssertNoFail(DiagnosisResult r) =>
            Assert.True(r.Success, string.Join("\n", r.Checks.Where(c => c.Result == CheckResult.Fail).Select(c => c.ToString())));
    }
}
