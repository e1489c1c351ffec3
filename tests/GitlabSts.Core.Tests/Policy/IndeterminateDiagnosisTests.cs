using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// The tri-state evaluator wired into the diagnosis (issue 16.2): a valid policy with operators beyond String* is not
    /// InvalidTrustPolicy; a decision that hinges on a key only AWS knows is ErrorCode Indeterminate with a Warn naming the
    /// key; -ConditionContext decides it; the STS keys whose value is known locally get it; no policy offline is NoTrustPolicy.
    /// </summary>
    public class IndeterminateDiagnosisTests
    {
        private const string Fed = "{'Federated':'" + GitlabComProvider + "'}";
        private const string SubOk = "'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{'gitlab.com:sub':'project_path:acme/*'}";

        /// <summary>AWS's data-perimeter Deny: refuse any request from outside the corporate range.</summary>
        private const string PerimeterDeny = "{'Sid':'DataPerimeter','Effect':'Deny','Principal':'*','Action':'sts:AssumeRoleWithWebIdentity',"
            + "'Condition':{'NotIpAddress':{'aws:SourceIp':['203.0.113.0/24']}}}";

        private static string Allow(string conditions) =>
            "{'Sid':'GitlabDeploy','Effect':'Allow','Principal':" + Fed + ",'Action':'sts:AssumeRoleWithWebIdentity','Condition':{" + conditions + "}}";

        private static string Policy(params string[] statements) => J("{'Version':'2012-10-17','Statement':[" + string.Join(",", statements) + "]}");

        internal static readonly string AllowPlusPerimeterDeny = Policy(Allow(SubOk), PerimeterDeny);

        private static DiagnosisResult Diagnose(string policy, IDictionary<string, string[]> context = null, string region = null,
            string session = null, string endpoint = null, bool offline = false) =>
            OidcDiagnosis.Run(new DiagnosisInput
            {
                ClaimsJson = GitlabComClaims,
                TrustPolicyJson = policy,
                RoleArn = RoleArn,
                Now = FixtureNow,
                Region = region,
                RoleSessionName = session,
                StsEndpoint = endpoint == null ? null : new Uri(endpoint),
                RequireTrustPolicy = offline,
                ConditionContext = context?.Select(kv => new KeyValuePair<string, IReadOnlyList<string>>(kv.Key, kv.Value)).ToList(),
            });

        private static string Checklist(DiagnosisResult r) => string.Join("\n", r.Checks.Select(c => c.ToString()));

        [Fact]
        public void Allow_plus_data_perimeter_deny_is_indeterminate_naming_aws_SourceIp_not_an_invalid_policy()
        {
            DiagnosisResult r = Diagnose(AllowPlusPerimeterDeny);

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.Indeterminate, r.FailureCode);
            Assert.DoesNotContain(r.Checks, c => c.Code == CheckCodes.InvalidTrustPolicy);
            Assert.DoesNotContain("unknown or unsupported", Checklist(r));
            Assert.StartsWith("Decision: Indeterminate:", r.Message);
            Assert.Contains("\"aws:SourceIp\"", r.Message);
            Assert.Contains("-ConditionContext", r.Message);
            Assert.Contains("test live", r.Message);
            Assert.Contains("-ConditionContext @{ 'aws:SourceIp' = '<value>' }", r.Hint);

            DiagnosisCheck deny = Check(r, "Statement 2 (DataPerimeter)");
            Assert.Equal(CheckResult.Warn, deny.Result);
            Assert.StartsWith("Deny statement may apply: it hinges on \"aws:SourceIp\"", deny.Detail);
            Assert.Contains("UNKNOWN: NotIpAddress aws:SourceIp", deny.Detail);
            Assert.Contains("-ConditionContext", deny.Hint);
            Assert.Equal(CheckResult.Pass, Check(r, "Statement 1 (GitlabDeploy)").Result);
            Assert.Equal(CheckResult.Fail, Check(r, PolicyChecks.Decision).Result);
            Assert.Single(r.Checks, c => c.Result == CheckResult.Fail);
        }

        [Theory]
        [InlineData("203.0.113.5", true, null)]                        // inside the range: the Deny does not apply
        [InlineData("198.51.100.7", false, CheckCodes.ExplicitDeny)]   // outside: the Deny applies
        public void Condition_context_decides_the_data_perimeter_deny(string sourceIp, bool allowed, string code)
        {
            DiagnosisResult r = Diagnose(AllowPlusPerimeterDeny, new Dictionary<string, string[]> { ["aws:SourceIp"] = new[] { sourceIp } });

            Assert.Equal(allowed, r.Success);
            Assert.Equal(code, r.FailureCode);
            DiagnosisCheck deny = Check(r, "Statement 2 (DataPerimeter)");
            Assert.Equal(allowed ? CheckResult.Pass : CheckResult.Fail, deny.Result);
            Assert.Contains(sourceIp, deny.Detail);
            Assert.Equal(allowed ? CheckResult.Pass : CheckResult.Fail, Check(r, PolicyChecks.Decision).Result);
            Assert.Contains("aws:SourceIp=", Check(r, OidcDiagnosis.TrustPolicyCheck).Detail);
        }

        [Fact]
        public void A_key_supplied_absent_decides_too()
        {
            // The Allow needs aws:PrincipalTag/team = ops; supplied as absent ($null) it cannot apply.
            string policy = Policy(Allow(SubOk + ",'StringEqualsIfExists':{'aws:PrincipalTag/team':'ops'}"));
            Assert.Equal(CheckCodes.Indeterminate, Diagnose(policy).FailureCode);

            DiagnosisResult r = OidcDiagnosis.Run(new DiagnosisInput
            {
                ClaimsJson = GitlabComClaims, TrustPolicyJson = policy, RoleArn = RoleArn, Now = FixtureNow,
                ConditionContext = new[] { new KeyValuePair<string, IReadOnlyList<string>>("aws:PrincipalTag/team", null) },
            });
            AssertNoFail(r);   // ...IfExists on an absent key is true
        }

        public static TheoryData<string, string, string, string, string, bool> KnownStsKeys => new TheoryData<string, string, string, string, string, bool>
        {
            // condition, region, session name, endpoint, expected failure code (null: allowed), decided without any -ConditionContext
            { "'StringEquals':{'aws:RequestedRegion':'eu-west-1'}", "eu-west-1", null, null, null, true },
            { "'StringEquals':{'aws:RequestedRegion':'eu-west-1'}", "us-east-1", null, null, CheckCodes.TrustPolicyDenied, true },
            { "'StringEquals':{'aws:RequestedRegion':'eu-west-1'}", null, null, null, CheckCodes.Indeterminate, false },
            { "'StringLike':{'sts:RoleSessionName':'gitlab-*'}", null, "gitlab-42-main", null, null, true },
            { "'StringLike':{'sts:RoleSessionName':'gitlab-*'}", null, "laptop-bob", null, CheckCodes.TrustPolicyDenied, true },
            { "'Bool':{'aws:SecureTransport':'true'}", null, null, "https://sts.eu-west-1.amazonaws.com", null, true },
            { "'Bool':{'aws:SecureTransport':'true'}", null, null, "http://localhost:5000", CheckCodes.TrustPolicyDenied, true },
            { "'DateLessThan':{'aws:CurrentTime':'2099-01-01T00:00:00Z'}", null, null, null, null, true },
            { "'DateGreaterThan':{'aws:CurrentTime':'2099-01-01T00:00:00Z'}", null, null, null, CheckCodes.TrustPolicyDenied, true },
            { "'NumericLessThan':{'aws:EpochTime':'4070908800'}", null, null, null, null, true },
        };

        [Theory]
        [MemberData(nameof(KnownStsKeys))]
        public void Keys_STS_sets_get_their_locally_known_value(string condition, string region, string session, string endpoint, string code, bool decided)
        {
            DiagnosisResult r = Diagnose(Policy(Allow(SubOk + "," + condition)), region: region, session: session, endpoint: endpoint);

            Assert.Equal(code, r.FailureCode);
            Assert.Equal(code == null, r.Success);
            Assert.Equal(decided, Check(r, "Statement 1 (GitlabDeploy)").Result != CheckResult.Warn);
        }

        [Fact]
        public void The_request_line_shows_the_sts_keys()
        {
            DiagnosisResult r = Diagnose(Policy(Allow(SubOk)), region: "eu-west-1", session: "gitlab-42-main", endpoint: "https://sts.eu-west-1.amazonaws.com");
            string request = Check(r, OidcDiagnosis.TrustPolicyCheck).Detail;
            Assert.Contains("aws:RequestedRegion=\"eu-west-1\"", request);
            Assert.Contains("sts:RoleSessionName=\"gitlab-42-main\"", request);
            Assert.Contains("aws:SecureTransport=\"true\"", request);
            Assert.Contains("aws:CurrentTime=\"2025-11-26T09:41:00Z\"", request);
        }

        [Theory]
        [InlineData("'DateGreaterThan':{'aws:CurrentTime':'not a date'}", "invalid condition data type")]
        [InlineData("'IpAddress':{'aws:SourceIp':'300.1.2.3/8'}", "invalid condition data type")]
        [InlineData("'StringEqualz':{'gitlab.com:sub':'x'}", "unknown or unsupported condition operator")]
        public void A_malformed_value_or_an_unknown_operator_is_an_invalid_policy(string condition, string detail)
        {
            DiagnosisResult r = Diagnose(Policy(Allow(SubOk + "," + condition)));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.InvalidTrustPolicy, r.FailureCode);
            DiagnosisCheck s = Check(r, "Statement 1 (GitlabDeploy)");
            Assert.Equal(CheckResult.Fail, s.Result);
            Assert.Contains(detail, s.Detail);
        }

        [Fact]
        public void Offline_without_a_policy_is_NoTrustPolicy_and_live_it_is_a_skip()
        {
            DiagnosisResult offline = Diagnose(null, offline: true);
            Assert.False(offline.Success);
            Assert.Equal(CheckCodes.NoTrustPolicy, offline.FailureCode);
            DiagnosisCheck tp = Check(offline, OidcDiagnosis.TrustPolicyCheck);
            Assert.Equal(CheckResult.Fail, tp.Result);
            Assert.Contains("-TrustPolicy", tp.Hint);
            Assert.Contains("without -Offline", tp.Hint);
            Assert.False(string.IsNullOrEmpty(offline.SuggestedTrustPolicy));

            DiagnosisResult live = Diagnose(null);
            AssertNoFail(live);
            Assert.Equal(CheckResult.Skip, Check(live, OidcDiagnosis.TrustPolicyCheck).Result);
        }

        [Fact]
        public void A_provider_key_in_the_condition_context_is_InvalidPolicy_even_without_a_policy()
        {
            var e = Assert.Throws<GitlabStsException>(() => Diagnose(null, new Dictionary<string, string[]> { ["gitlab.com:sub"] = new[] { "x" } }));
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        }

        [Fact]
        public void Condition_context_from_a_hashtable_converts_scalars_lists_and_null()
        {
            var table = new System.Collections.Hashtable
            {
                ["aws:SourceIp"] = "203.0.113.5",
                ["aws:PrincipalTag/teams"] = new object[] { "ops", "dev" },
                ["aws:MultiFactorAuthAge"] = 300,
                ["aws:MultiFactorAuthPresent"] = true,
                ["aws:TokenIssueTime"] = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
                ["aws:SourceVpc"] = null,
            };
            var list = RequestContext.ConditionContextFrom(table).ToDictionary(kv => kv.Key, kv => kv.Value);

            Assert.Equal(new[] { "203.0.113.5" }, list["aws:SourceIp"]);
            Assert.Equal(new[] { "ops", "dev" }, list["aws:PrincipalTag/teams"]);
            Assert.Equal(new[] { "300" }, list["aws:MultiFactorAuthAge"]);
            Assert.Equal(new[] { "true" }, list["aws:MultiFactorAuthPresent"]);
            Assert.Equal(new[] { "2026-01-02T01:04:05Z" }, list["aws:TokenIssueTime"]);
            Assert.Null(list["aws:SourceVpc"]);

            RequestContext ctx = GitlabComContext().SetConditionContext(RequestContext.ConditionContextFrom(table));
            Assert.Equal(KeyState.Absent, ctx.Lookup("aws:SourceVpc", out _));
            Assert.Equal(KeyState.Present, ctx.Lookup("aws:SourceIp", out _));
        }
    }
}
