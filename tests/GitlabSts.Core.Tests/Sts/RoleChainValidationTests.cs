using System;
using System.Linq;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>The local rules of -ChainRoleArn, -ChainRoleSessionName, -ChainDurationSeconds and -AllowedAccountId (ExchangeRequest.Resolve).</summary>
    public class RoleChainValidationTests
    {
        private const string Hub = ExchangeRequestTests.Role;
        private const string Spoke = "arn:aws:iam::444455556666:role/deployer";
        private const string Spoke2 = "arn:aws:iam::777788889999:role/path/to/deployer2";

        private static ExchangeRequest Resolve(Action<ExchangeSettings> edit, params (string Name, string Value)[] env)
        {
            ExchangeSettings s = ExchangeRequestTests.Settings();
            edit(s);
            return ExchangeRequest.Resolve(s, Env.Of(env), NullLog.Instance, TestTokens.Now);
        }

        private static GitlabStsException Fails(Action<ExchangeSettings> edit, params (string Name, string Value)[] env) =>
            Assert.Throws<GitlabStsException>(() => Resolve(edit, env));

        [Fact]
        public void Without_chain_options_there_is_no_chain_and_no_guard()
        {
            ExchangeRequest r = Resolve(_ => { });
            Assert.False(r.HasChain);
            Assert.Empty(r.ChainRoleArns);
            Assert.Empty(r.AllowedAccountIds);
            Assert.Equal(3600, r.ChainDurationSeconds);
            Assert.Equal(r.RoleSessionName, r.ChainRoleSessionName);
            Assert.Same(r.RoleArn, r.FinalRoleArn);
        }

        [Fact]
        public void Hops_are_parsed_in_order_and_the_last_is_the_final_role()
        {
            ExchangeRequest r = Resolve(s => s.ChainRoleArns = new[] { Spoke, " " + Spoke2 + " " });
            Assert.True(r.HasChain);
            Assert.Equal(new[] { Spoke, Spoke2 }, r.ChainRoleArns.Select(a => a.Value));
            Assert.Equal(Spoke2, r.FinalRoleArn.Value);
            Assert.Equal("777788889999", r.FinalRoleArn.AccountId);
        }

        [Fact]
        public void Chain_session_name_defaults_to_the_first_hops_and_an_explicit_one_is_kept()
        {
            ExchangeRequest byDefault = Resolve(s => { s.RoleSessionName = "first-session"; s.ChainRoleArns = new[] { Spoke }; });
            Assert.Equal("first-session", byDefault.ChainRoleSessionName);

            ExchangeRequest given = Resolve(s => { s.ChainRoleArns = new[] { Spoke }; s.ChainRoleSessionName = "deploy@prod"; });
            Assert.Equal("deploy@prod", given.ChainRoleSessionName);
        }

        [Theory]
        [InlineData(900)]
        [InlineData(1800)]
        [InlineData(3600)]
        public void Chain_duration_within_the_one_hour_cap_is_accepted(int seconds)
        {
            Assert.Equal(seconds, Resolve(s => { s.ChainRoleArns = new[] { Spoke }; s.ChainDurationSeconds = seconds; }).ChainDurationSeconds);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(899)]
        [InlineData(3601)]
        [InlineData(7200)]
        [InlineData(43200)]
        [InlineData(-1)]
        public void Chain_duration_outside_900_to_3600_is_InvalidDuration_naming_the_cap(int seconds)
        {
            GitlabStsException e = Fails(s => { s.ChainRoleArns = new[] { Spoke }; s.ChainDurationSeconds = seconds; });
            Assert.Equal(ErrorIds.InvalidDuration, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("-ChainDurationSeconds", e.Message);
            Assert.Contains("one hour", e.Message);
            Assert.Equal(0, e.Attempts);
        }

        [Fact]
        public void The_web_identity_duration_keeps_its_own_12_hour_range_with_a_chain()
        {
            Assert.Equal(43200, Resolve(s => { s.ChainRoleArns = new[] { Spoke }; s.DurationSeconds = 43200; }).DurationSeconds);
        }

        [Theory]
        [InlineData("not-an-arn", "hop 2")]
        [InlineData("arn:aws:iam::4444:role/x", "12 digits")]
        [InlineData("arn:aws:iam::444455556666:user/x", "not a role")]
        [InlineData("", "hop 2 is empty")]
        [InlineData("   ", "hop 2 is empty")]
        [InlineData("arn:aws-cn:iam::444455556666:role/x", "partition")]
        [InlineData("arn:aws-us-gov:iam::444455556666:role/x", "partition")]
        public void A_bad_second_hop_is_InvalidRoleArn_naming_the_hop(string bad, string says)
        {
            GitlabStsException e = Fails(s => s.ChainRoleArns = new[] { Spoke, bad });
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Contains("-ChainRoleArn hop 2", e.Message);
            Assert.Contains(says, e.Message);
            Assert.Equal("ChainRoleArn", e.Target);
        }

        [Fact]
        public void A_null_hop_is_InvalidRoleArn()
        {
            Assert.Equal(ErrorIds.InvalidRoleArn, Fails(s => s.ChainRoleArns = new string[] { null! }).ErrorId);
        }

        [Fact]
        public void A_chain_in_another_partition_than_the_first_role_is_refused_even_when_consistent_itself()
        {
            GitlabStsException e = Fails(s =>
            {
                s.RoleArn = "arn:aws-cn:iam::123456789012:role/hub";
                s.Region = "cn-north-1";
                s.ChainRoleArns = new[] { "arn:aws:iam::444455556666:role/x" };
            });
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Contains("'aws' partition", e.Message);
            Assert.Contains("'aws-cn'", e.Message);
        }

        [Theory]
        [InlineData("a")]
        [InlineData("")]
        [InlineData("bad name")]
        [InlineData("t\u00e4st")]
        [InlineData("a/b")]
        public void A_bad_chain_session_name_is_InvalidSessionName_naming_the_parameter(string name)
        {
            GitlabStsException e = Fails(s => { s.ChainRoleArns = new[] { Spoke }; s.ChainRoleSessionName = name; });
            Assert.Equal(ErrorIds.InvalidSessionName, e.ErrorId);
            Assert.Contains("-ChainRoleSessionName", e.Message);
        }

        [Fact]
        public void A_65_character_chain_session_name_is_refused()
        {
            Assert.Equal(ErrorIds.InvalidSessionName, Fails(s => s.ChainRoleSessionName = new string('x', 65)).ErrorId);
        }

        [Fact]
        public void A_token_in_ChainRoleArn_or_ChainRoleSessionName_or_AllowedAccountId_is_refused_without_showing_it()
        {
            string token = TestTokens.Mint();
            foreach ((Action<ExchangeSettings> edit, string id, string parameter) in new (Action<ExchangeSettings>, string, string)[]
            {
                (s => s.ChainRoleArns = new[] { Spoke, token }, ErrorIds.InvalidRoleArn, "-ChainRoleArn"),
                (s => s.ChainRoleSessionName = token, ErrorIds.InvalidSessionName, "-ChainRoleSessionName"),
                (s => s.AllowedAccountIds = new[] { token }, ErrorIds.AccountNotAllowed, "-AllowedAccountId"),
            })
            {
                GitlabStsException e = Fails(edit);
                Assert.Equal(id, e.ErrorId);
                Assert.Contains(parameter, e.Message);
                Assert.DoesNotContain(token, e.Message);
                Assert.DoesNotContain(token.Split('.')[1], e.Message);
            }
        }

        // ---------------- -AllowedAccountId ----------------

        [Fact]
        public void Allowed_accounts_come_from_the_parameter_before_the_variable()
        {
            ExchangeRequest r = Resolve(s => s.AllowedAccountIds = new[] { "444455556666", " 777788889999 " }, (AccountGuard.Variable, "111122223333"));
            Assert.Equal(new[] { "444455556666", "777788889999" }, r.AllowedAccountIds);
        }

        [Fact]
        public void Allowed_accounts_default_to_the_comma_separated_variable_blank_entries_ignored()
        {
            ExchangeRequest r = Resolve(_ => { }, (AccountGuard.Variable, " 111122223333, ,444455556666,111122223333 "));
            Assert.Equal(new[] { "111122223333", "444455556666" }, r.AllowedAccountIds);
        }

        [Fact]
        public void A_comma_separated_parameter_value_is_split_like_the_variable()
        {
            Assert.Equal(new[] { "111122223333", "444455556666" }, Resolve(s => s.AllowedAccountIds = new[] { "111122223333,444455556666" }).AllowedAccountIds);
        }

        [Fact]
        public void A_blank_variable_is_no_guard()
        {
            Assert.Empty(Resolve(_ => { }, (AccountGuard.Variable, "  ")).AllowedAccountIds);
        }

        [Theory]
        [InlineData("12345")]
        [InlineData("1234567890123")]
        [InlineData("12345678901a")]
        [InlineData("")]
        [InlineData("arn:aws:iam::123456789012:root")]
        [InlineData("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662")]
        public void A_malformed_account_id_in_the_parameter_is_refused_before_any_request(string id)
        {
            GitlabStsException e = Fails(s => s.AllowedAccountIds = new[] { "444455556666", id });
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("-AllowedAccountId", e.Message);
            Assert.Contains("12 digits", e.Message);
        }

        [Fact]
        public void A_malformed_account_id_in_the_variable_names_the_variable()
        {
            GitlabStsException e = Fails(_ => { }, (AccountGuard.Variable, "444455556666;777788889999"));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Contains(AccountGuard.Variable, e.Message);
        }
    }
}
