using System;
using System.Collections.Generic;
using GitlabSts.Core;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Core
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
            new object[] { "EndpointUrl", ErrorIds.InvalidRegion, (Action<ExchangeSettings, Dictionary<string, string>>)((s, e) => e["AWS_ENDPOINT_URL_STS"] = Token) },
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
    }
}
