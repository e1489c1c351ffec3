using System;
using System.Collections.Generic;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class CredentialProcessCommandTests
    {
        private static readonly CredentialProcessHost Host = new CredentialProcessHost(new[] { "/usr/bin/dotnet", "/opt/pwsh dir/pwsh.dll" }, "/opt/Gitlab Sts/GitlabSts.psd1");

        private static KeyValuePair<string, string?> Arg(string k, string? v) => new KeyValuePair<string, string?>(k, v);

        [Fact]
        public void Build_quotes_every_program_path_and_single_quotes_values()
        {
            string line = CredentialProcessCommand.Build(Host.Command, Host.ModuleManifest, new[] { Arg("RoleArn", "arn:x"), Arg("Region", null), Arg("TokenFile", "/o'brien/t") });
            Assert.Equal(
                "\"/usr/bin/dotnet\" \"/opt/pwsh dir/pwsh.dll\" -NoProfile -NonInteractive -Command \"Import-Module '/opt/Gitlab Sts/GitlabSts.psd1'; " +
                "Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess -RoleArn 'arn:x' -TokenFile '/o''brien/t'\"",
                line);
        }

        [Fact]
        public void Bad_input_is_ProfileWriteFailed_not_an_ArgumentException()
        {
            void Refused(Action build, string message)
            {
                var e = Assert.Throws<GitlabStsException>(build);
                Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
                Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
                Assert.Equal("Mode", e.Target);
                Assert.Contains(message, e.Message);
            }

            Refused(() => CredentialProcessCommand.Build(Array.Empty<string>(), "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "The PowerShell host command is empty.");
            Refused(() => CredentialProcessCommand.Build(null!, "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "The PowerShell host command is empty.");
            Refused(() => CredentialProcessCommand.Build(new[] { "/a\"b/pwsh" }, "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "contains a double quote or a line break");
            Refused(() => CredentialProcessCommand.Build(new[] { "/pwsh" }, "/m\n.psd1", Array.Empty<KeyValuePair<string, string?>>()), "contains a double quote or a line break");
            Refused(() => CredentialProcessCommand.Build(new[] { "/pwsh" }, "/m.psd1", new[] { Arg("Audience", "a\"b") }), "The value of -Audience contains a double quote");
        }

        private static ExchangeRequest Exchange(TokenSource source) => ExchangeRequest.Resolve(
            new ExchangeSettings { RoleArn = "arn:aws:iam::123456789012:role/r", Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()), DurationSeconds = 1800 },
            new DictionaryEnvironment(), NullLog.Instance, DateTimeOffset.UtcNow);

        [Theory]
        [InlineData(TokenSourceKind.Variable, "MY_TOKEN", " -TokenVariable 'MY_TOKEN'")]
        [InlineData(TokenSourceKind.File, "/run/token", " -TokenFile '/run/token'")]
        [InlineData(TokenSourceKind.Discover, null, "-Region 'eu-west-1'\"")]
        public void ForExchange_repeats_the_checked_exchange_with_the_callers_token_source(TokenSourceKind kind, string? value, string tail)
        {
            var settings = new ExchangeSettings { Token = new TokenSource(kind, value), RoleSessionName = null, EndpointUrl = null, Audience = null };
            string line = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), "eu-west-1");
            Assert.Contains("-RoleArn 'arn:aws:iam::123456789012:role/r' -DurationSeconds '1800' -Region 'eu-west-1'", line);
            Assert.DoesNotContain("-RoleSessionName", line); // the session name is chosen when it runs, unless given
            Assert.EndsWith(tail + (kind == TokenSourceKind.Discover ? string.Empty : "\""), line);
        }

        [Fact]
        public void ForExchange_passes_the_callers_session_name_endpoint_and_audience()
        {
            var settings = new ExchangeSettings { Token = TokenSource.Discover, RoleSessionName = "ci-1", EndpointUrl = "http://127.0.0.1:5000", Audience = "sts.amazonaws.com" };
            string line = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), null);
            Assert.Contains("-RoleSessionName 'ci-1'", line);
            Assert.Contains("-EndpointUrl 'http://127.0.0.1:5000'", line);
            Assert.Contains("-Audience 'sts.amazonaws.com'", line);
            Assert.DoesNotContain("-Region", line);
        }

        [Fact]
        public void ForExchange_refuses_a_token_typed_now_without_showing_it()
        {
            string token = TestTokens.Mint();
            var settings = new ExchangeSettings { Token = new TokenSource(TokenSourceKind.Text, token) };
            var e = Assert.Throws<GitlabStsException>(() => CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), null));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal("WebIdentityToken", e.Target);
            TestTokens.AssertNoSecret(e.Message, token);
        }
    }
}
