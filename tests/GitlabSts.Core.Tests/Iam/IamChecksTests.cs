using System;
using System.Linq;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Policy;
using Xunit;

namespace GitlabSts.Core.Tests.Iam
{
    /// <summary>IamRole and IamProvider: what was read, or why not, and the fix.</summary>
    public class IamChecksTests
    {
        private const string Role = IamReaderTests.Role;
        private const string ProviderArn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";

        private static IamReadResult Result(IamRoleRead role, IamProviderRead provider, string issuer = "https://gitlab.com") =>
            new IamReadResult(Role, issuer, role, provider);

        private static IamRoleRead RoleRead => new IamRoleRead(IamReadStatus.Read, IamReaderTests.Policy, null, null);

        private static IamProviderRead ProviderRead => new IamProviderRead(ProviderArn, IamReadStatus.Read, new[] { "sts.amazonaws.com" }, "gitlab.com", null, null);

        [Fact]
        public void Read_role_and_provider_pass_saying_what_was_read()
        {
            var checks = IamChecks.For(Result(RoleRead, ProviderRead), new[] { "sts.amazonaws.com" });

            Assert.Equal(new[] { "IamRole", "IamProvider" }, checks.Select(c => c.Name));
            Assert.All(checks, c => Assert.Equal(CheckResult.Pass, c.Result));
            Assert.Contains(Role, checks[0].Detail);
            Assert.Contains("GetRole", checks[0].Detail);
            Assert.Contains(ProviderArn, checks[1].Detail);
            Assert.Contains("client ids [\"sts.amazonaws.com\"]", checks[1].Detail);
            Assert.Contains("Url gitlab.com", checks[1].Detail);
        }

        [Fact]
        public void A_missing_role_fails_naming_the_role_and_the_account_to_check()
        {
            DiagnosisCheck c = IamChecks.Role(Result(new IamRoleRead(IamReadStatus.NotFound, null, "NoSuchEntity", "The role with name deployer cannot be found."), ProviderRead));

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal(CheckCodes.IamRoleNotFound, c.Code);
            Assert.Contains("no role \"deployer\" in account 123456789012", c.Detail);
            Assert.Contains("account 123456789012", c.Hint);
        }

        [Fact]
        public void A_missing_provider_fails_with_the_exact_create_step_for_the_issuer_and_audience()
        {
            var read = Result(RoleRead, new IamProviderRead("arn:aws:iam::123456789012:oidc-provider/git.example.com/gitlab", IamReadStatus.NotFound, null, null, "NoSuchEntity", "not found"),
                "https://git.example.com/gitlab");

            DiagnosisCheck c = IamChecks.Provider(read, new[] { "https://git.example.com/gitlab" });

            Assert.Equal(CheckResult.Fail, c.Result);
            Assert.Equal(CheckCodes.IamProviderNotFound, c.Code);
            Assert.Contains("Account 123456789012 has no IAM OIDC provider for the issuer https://git.example.com/gitlab", c.Detail);
            Assert.Contains("aws iam create-open-id-connect-provider --url https://git.example.com/gitlab --client-id-list https://git.example.com/gitlab", c.Hint);
            Assert.Contains("console.aws.amazon.com/iam", c.Hint);
        }

        [Fact]
        public void Access_denied_names_the_IAM_action_needed()
        {
            var read = Result(new IamRoleRead(IamReadStatus.AccessDenied, null, "AccessDenied", "User admin is not authorized"),
                new IamProviderRead(ProviderArn, IamReadStatus.AccessDenied, null, null, "AccessDenied", "User admin is not authorized"));

            DiagnosisCheck role = IamChecks.Role(read);
            DiagnosisCheck provider = IamChecks.Provider(read, new[] { "sts.amazonaws.com" });

            Assert.Equal(CheckCodes.IamAccessDenied, role.Code);
            Assert.Contains("iam:GetRole on " + Role, role.Hint);
            Assert.Contains("AccessDenied (User admin is not authorized)", role.Detail);
            Assert.Equal(CheckCodes.IamAccessDenied, provider.Code);
            Assert.Contains("iam:GetOpenIDConnectProvider on " + ProviderArn, provider.Hint);
        }

        [Fact]
        public void No_credentials_fails_saying_how_to_give_them()
        {
            var read = Result(new IamRoleRead(IamReadStatus.Failed, null, IamReader.NoCredentialsCode, "The AWS profile 'nope' was not found."),
                new IamProviderRead(ProviderArn, IamReadStatus.Failed, null, null, IamReader.NoCredentialsCode, "The AWS profile 'nope' was not found."));

            DiagnosisCheck c = IamChecks.Role(read);

            Assert.Equal(CheckCodes.IamReadFailed, c.Code);
            Assert.Contains("profile 'nope' was not found", c.Detail);
            Assert.Contains("-ProfileName", c.Hint);
        }

        [Fact]
        public void The_create_step_uses_the_partitions_console()
        {
            Assert.Contains("console.amazonaws.cn", IamChecks.CreateProviderStep("gitlab.example.cn", "sts.amazonaws.com", "aws-cn"));
        }
    }
}
