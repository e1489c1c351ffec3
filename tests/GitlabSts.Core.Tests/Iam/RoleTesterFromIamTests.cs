using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Iam
{
    /// <summary>RoleTester with -FromIam: the trust policy and client ids read from IAM feed the same diagnosis as -TrustPolicy.</summary>
    public class RoleTesterFromIamTests
    {
        private const string Role = IamReaderTests.Role;

        private static RoleTestResult Run(IamReaderTests.FakeIam iam, RoleTestOptions? options = null, string? token = null, List<string>? reads = null)
        {
            options ??= new RoleTestOptions();
            options.FromIam = true;
            options.Offline = true;
            options.ReadIam ??= (role, issuer, cancel) =>
            {
                reads?.Add(role + "|" + issuer);
                return IamReader.Read(RoleArn.Parse(role), issuer, iam, cancel);
            };
            var settings = new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, token ?? TestTokens.Mint()) };
            return RoleTester.Run(settings, options, Env.Of(), new CapturingLog(), TestTokens.Now, CancellationToken.None);
        }

        private static DiagnosisCheck Check(RoleTestResult r, string name) => Assert.Single(r.Checks, c => c.Name == name);

        [Fact]
        public void The_policy_and_client_ids_from_IAM_admit_the_matching_job()
        {
            RoleTestResult r = Run(IamReaderTests.FakeIam.Admitting());

            Assert.True(r.Success, r.Message);
            Assert.Equal(CheckResult.Pass, Check(r, "IamRole").Result);
            Assert.Equal(CheckResult.Pass, Check(r, "IamProvider").Result);
            Assert.Equal(CheckResult.Pass, Check(r, "ClientId").Result);
            Assert.Equal(CheckResult.Pass, Check(r, PolicyChecks.Decision).Result);
            Assert.NotNull(r.IamRead);
            Assert.Equal(new[] { "TokenShape", "IamRole", "IamProvider" }, r.Checks.Take(3).Select(c => c.Name));
        }

        [Fact]
        public void The_policy_from_IAM_refuses_another_branch()
        {
            RoleTestResult r = Run(IamReaderTests.FakeIam.Admitting(), token: TestTokens.Mint(edit: c =>
            {
                c["ref"] = "dev";
                c["sub"] = "project_path:acme/infra:ref_type:branch:ref:dev";
            }));

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.TrustPolicyDenied, r.ErrorCode);
        }

        [Fact]
        public void An_audience_not_among_the_providers_client_ids_fails_ClientId()
        {
            RoleTestResult r = Run(IamReaderTests.FakeIam.Admitting(IamReaderTests.Policy, "sts.amazonaws.com"));

            DiagnosisCheck c = Check(r, "ClientId");
            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal(CheckCodes.AudienceNotAllowed, c.Code);
            Assert.False(r.Success);
        }

        [Fact]
        public void A_missing_role_is_the_first_failure_and_the_trust_policy_check_points_at_it()
        {
            var iam = IamReaderTests.FakeIam.Admitting().On("GetRole", 404, IamReaderTests.ErrorXml("NoSuchEntity", "The role with name deployer cannot be found."));

            RoleTestResult r = Run(iam);

            Assert.False(r.Success);
            Assert.Equal(CheckCodes.IamRoleNotFound, r.ErrorCode);
            Assert.Contains("see IamRole", Check(r, OidcDiagnosis.TrustPolicyCheck).Detail);
        }

        [Fact]
        public void A_missing_provider_fails_IamProvider_and_ClientId_points_at_it()
        {
            var iam = IamReaderTests.FakeIam.Admitting().On("GetOpenIDConnectProvider", 404, IamReaderTests.ErrorXml("NoSuchEntity", "not found"));

            RoleTestResult r = Run(iam);

            Assert.Equal(CheckCodes.IamProviderNotFound, r.ErrorCode);
            Assert.Contains("create-open-id-connect-provider --url https://gitlab.com --client-id-list https://gitlab.com", r.Hint);
            DiagnosisCheck clientId = Check(r, "ClientId");
            Assert.Equal(CheckResult.Skip, clientId.Result);
            Assert.Contains("see IamProvider", clientId.Detail);
        }

        [Fact]
        public void An_earlier_read_for_the_same_role_and_issuer_is_reused_without_reading_again()
        {
            var reads = new List<string>();
            RoleTestResult first = Run(IamReaderTests.FakeIam.Admitting(), reads: reads);

            RoleTestResult second = Run(IamReaderTests.FakeIam.Admitting(), new RoleTestOptions { IamRead = first.IamRead }, reads: reads);

            Assert.Single(reads);
            Assert.Same(first.IamRead, second.IamRead);
            Assert.True(second.Success);
        }

        [Fact]
        public void An_earlier_read_for_another_issuer_is_not_reused()
        {
            var reads = new List<string>();
            var other = new IamReadResult(Role, "https://gitlab.example.com",
                new IamRoleRead(IamReadStatus.Read, "{}", null, null),
                new IamProviderRead("arn:aws:iam::123456789012:oidc-provider/gitlab.example.com", IamReadStatus.Read, new[] { "x" }, "gitlab.example.com", null, null));

            RoleTestResult r = Run(IamReaderTests.FakeIam.Admitting(), new RoleTestOptions { IamRead = other }, reads: reads);

            Assert.Equal(new[] { Role + "|https://gitlab.com" }, reads);
            Assert.True(r.Success);
        }

        [Fact]
        public void FromIam_with_TrustPolicy_is_InvalidPolicy_naming_both_before_any_read()
        {
            var reads = new List<string>();
            var e = Assert.Throws<GitlabStsException>(() => Run(IamReaderTests.FakeIam.Admitting(), new RoleTestOptions { TrustPolicyJson = IamReaderTests.Policy }, reads: reads));

            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains("-FromIam", e.Message);
            Assert.Contains("-TrustPolicy", e.Message);
            Assert.Empty(reads);
        }

        [Fact]
        public void FromIam_with_ClientId_is_ParameterConflict_naming_both()
        {
            var e = Assert.Throws<GitlabStsException>(() => Run(IamReaderTests.FakeIam.Admitting(), new RoleTestOptions { ClientIds = new[] { "sts.amazonaws.com" } }));

            Assert.Equal(ErrorIds.ParameterConflict, e.ErrorId);
            Assert.Contains("-ClientId", e.Message);
        }

        [Fact]
        public void A_token_given_as_ProfileName_is_refused_without_being_shown()
        {
            string token = TestTokens.Mint();
            var e = Assert.Throws<GitlabStsException>(() => Run(IamReaderTests.FakeIam.Admitting(), new RoleTestOptions { ProfileName = token }));

            Assert.DoesNotContain(token, e.Message);
            Assert.Contains("ProfileName", e.Message);
        }

        [Fact]
        public void Without_FromIam_nothing_is_read()
        {
            var reads = new List<string>();
            var options = new RoleTestOptions { Offline = true, ReadIam = (a, b, c) => { reads.Add(a); throw new InvalidOperationException(); } };
            var settings = new ExchangeSettings { RoleArn = Role, Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()) };

            RoleTestResult r = RoleTester.Run(settings, options, Env.Of(), new CapturingLog(), TestTokens.Now, CancellationToken.None);

            Assert.Empty(reads);
            Assert.Null(r.IamRead);
            Assert.DoesNotContain(r.Checks, c => c.Name == "IamRole");
        }
    }
}
