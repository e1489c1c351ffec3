using System;
using System.Collections.Generic;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Profiles;
using GitlabSts.Core.Tokens;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>A token pasted into another parameter (or its environment default) is refused without being echoed.</summary>
    public sealed class TokenInWrongParameterTests
    {
        private static readonly string Token = TestTokens.Mint();

        public static IEnumerable<object[]> Cases() => new[]
        {
            new object[] { "RoleArn", ErrorIds.InvalidRoleArn, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => s.RoleArn = Token) },
            new object[] { "RoleArn", ErrorIds.InvalidRoleArn, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => { s.RoleArn = null; e["ROLE_ARN"] = Token; }) },
            new object[] { "RoleSessionName", ErrorIds.InvalidSessionName, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => s.RoleSessionName = Token) },
            new object[] { "Region", ErrorIds.InvalidRegion, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => s.Region = Token) },
            new object[] { "Region", ErrorIds.InvalidRegion, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => e["AWS_DEFAULT_REGION"] = Token) },
            new object[] { "EndpointUrl", ErrorIds.InvalidEndpoint, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => e["AWS_ENDPOINT_URL_STS"] = Token) },
            new object[] { "EndpointUrl", ErrorIds.InvalidEndpoint, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => { s.EndpointUrl = " "; e["AWS_ENDPOINT_URL"] = Token; }) },
            new object[] { "Audience", ErrorIds.InvalidIdentityToken, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => s.Audience = Token) },
            new object[] { "PolicyArn", ErrorIds.InvalidPolicy, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => s.PolicyArns = new[] { Token }) },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Is_refused_with_the_parameters_id_and_never_echoed(string parameter, string errorId, Action<ExchangeSettings, Dictionary<string, string>> misplace)
        {
            var settings = new ExchangeSettings
            {
                RoleArn = "arn:aws:iam::123456789012:role/gitlab-deployer",
                Token = new TokenSource(TokenSourceKind.Text, Token),
            };
            var env = new Dictionary<string, string>();
            misplace(settings, env);

            var e = Assert.Throws<GitlabStsException>(() => ExchangeRequest.Resolve(settings, new DictionaryEnvironment(env), NullLog.Instance, DateTimeOffset.UtcNow));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(parameter, e.Target);
            Assert.Contains($"-{parameter}", e.Message);
            TestTokens.AssertNoSecret(e.Message, Token);
            TestTokens.AssertNoSecret(e.Target, Token);
        }
        [Theory]
        [InlineData("/builds/acme/app/{0}", true)]
        [InlineData("C:\\builds\\app\\{0}", true)]
        [InlineData("{0}", true)]
        [InlineData("/builds/acme/app/token.jwt", false)]
        [InlineData("/builds/{0}/token.jwt", false)]
        public void A_path_whose_file_name_is_a_token_looks_like_one(string pattern, bool expected)
        {
            Assert.Equal(expected, IdToken.LooksLikeJwtOrJwtPath(string.Format(pattern, Token)));
        }

        [Fact]
        public void A_region_from_the_environment_is_checked_for_a_token_as_the_exchange_checks_it()
        {
            var role = RoleArn.Parse("arn:aws:iam::123456789012:role/gitlab-deployer");
            var env = new DictionaryEnvironment(new Dictionary<string, string> { ["AWS_REGION"] = Token });

            var e = Assert.Throws<GitlabStsException>(() => ExchangeRequest.CheckedRegion(null, env, role));

            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
            TestTokens.AssertNoSecret(e.Message, Token);
            Assert.Equal("eu-west-1", ExchangeRequest.CheckedRegion(" eu-west-1 ", env, role));
            Assert.Null(ExchangeRequest.CheckedRegion(null, new DictionaryEnvironment(new Dictionary<string, string>()), role));
        }

        [Fact]
        public void A_token_as_the_token_file_path_is_refused_also_once_resolved()
        {
            var e = Assert.Throws<GitlabStsException>(() =>
                TokenDiscovery.Resolve(new TokenSource(TokenSourceKind.File, "/builds/acme/app/" + Token), null, new DictionaryEnvironment(new Dictionary<string, string>()), NullLog.Instance));

            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            TestTokens.AssertNoSecret(e.Message, Token);
            TestTokens.AssertNoSecret(e.Target, Token);
        }

        [Theory]
        [InlineData("ProfileName")]
        [InlineData("ConfigPath")]
        [InlineData("CredentialsPath")]
        [InlineData("TokenFilePath")]
        public void A_token_as_a_profile_name_or_path_is_refused_before_any_text_shows_it(string parameter)
        {
            using var dir = new TempDir();
            var request = new AwsProfileRequest
            {
                Mode = ProfileMode.WebIdentity,
                ProfileName = parameter == "ProfileName" ? Token : "oidc",
                ConfigPath = parameter == "ConfigPath" ? dir.File(Token) : dir.File("config"),
                CredentialsPath = parameter == "CredentialsPath" ? dir.File(Token) : dir.File("credentials"),
                TokenFilePath = parameter == "TokenFilePath" ? dir.File(Token) : null,
                RoleArn = "arn:aws:iam::123456789012:role/gitlab-deployer",
                WebIdentityToken = Token,
            };

            var e = Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(request));

            Assert.Equal(parameter, e.Target);
            TestTokens.AssertNoSecret(e.Message, Token);
            Assert.Empty(System.IO.Directory.GetFileSystemEntries(dir.Path));
        }
    }
}
