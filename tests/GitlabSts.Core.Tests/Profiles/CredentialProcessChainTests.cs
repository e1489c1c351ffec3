using System;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>The credential_process line of a chained exchange runs the whole chain and keeps the account guard.</summary>
    public class CredentialProcessChainTests
    {
        private static readonly CredentialProcessHost Host = new CredentialProcessHost(new[] { "/usr/bin/pwsh" }, "/opt/GitlabSts/GitlabSts.psd1", windows: false);

        private static ExchangeRequest Exchange(ExchangeSettings s, params (string, string)[] env)
        {
            var checkedSettings = new ExchangeSettings
            {
                RoleArn = "arn:aws:iam::123456789012:role/hub",
                Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()),
                ChainRoleArns = s.ChainRoleArns,
                ChainRoleSessionName = s.ChainRoleSessionName,
                ChainDurationSeconds = s.ChainDurationSeconds,
                AllowedAccountIds = s.AllowedAccountIds,
            };
            return ExchangeRequest.Resolve(checkedSettings, Env.Of(env), NullLog.Instance, DateTimeOffset.UtcNow);
        }

        [Fact]
        public void The_line_carries_every_hop_as_one_array_the_chain_session_duration_and_the_allowed_accounts()
        {
            var settings = new ExchangeSettings
            {
                Token = new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN"),
                ChainRoleArns = new[] { "arn:aws:iam::444455556666:role/deployer", "arn:aws:iam::777788889999:role/o'path/app,x" },
                ChainRoleSessionName = "deploy",
                ChainDurationSeconds = 1800,
                AllowedAccountIds = new[] { "777788889999" },
            };
            string script = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings), null).Script;
            Assert.Contains(" -ChainRoleArn 'arn:aws:iam::444455556666:role/deployer','arn:aws:iam::777788889999:role/o''path/app,x'", script);
            Assert.Contains(" -ChainRoleSessionName 'deploy'", script);
            Assert.Contains(" -ChainDurationSeconds '1800'", script);
            Assert.Contains(" -AllowedAccountId '777788889999'", script);
            Assert.EndsWith(" -TokenVariable 'GITLAB_OIDC_TOKEN'", script);
        }

        [Fact]
        public void The_allowed_accounts_from_the_variable_are_frozen_into_the_line()
        {
            var settings = new ExchangeSettings { Token = TokenSource.Discover };
            string script = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings, (AccountGuard.Variable, "123456789012, 111122223333")), null).Script;
            Assert.Contains(" -AllowedAccountId '123456789012,111122223333'", script);
        }

        [Fact]
        public void Without_chain_options_the_line_has_none()
        {
            var settings = new ExchangeSettings { Token = TokenSource.Discover };
            string script = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings), null).Script;
            Assert.DoesNotContain("-Chain", script);
            Assert.DoesNotContain("-AllowedAccountId", script);
        }
    }
}
