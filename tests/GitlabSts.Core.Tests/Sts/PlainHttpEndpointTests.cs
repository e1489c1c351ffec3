using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    /// <summary>An STS endpoint over plain http to a host outside the loopback range is said out loud (ICoreLog.Warning).</summary>
    public class PlainHttpEndpointTests
    {
        private static CapturingLog Resolve(string? url, string source)
        {
            var s = ExchangeRequestTests.Settings();
            IEnvironmentReader env = Env.Of();
            if (source == "-EndpointUrl") s.EndpointUrl = url; else env = Env.Of((source, url!));
            var log = new CapturingLog();
            ExchangeRequest.Resolve(s, env, log, TestTokens.Now);
            return log;
        }

        [Theory]
        [InlineData("http://sts.example.invalid", "-EndpointUrl")]
        [InlineData("http://10.0.0.1:4566/", "AWS_ENDPOINT_URL_STS")]
        [InlineData("HTTP://STS.EXAMPLE.COM/path?x=1", "AWS_ENDPOINT_URL")]
        [InlineData("http://127.example.com", "-EndpointUrl")]
        [InlineData("http://[2001:db8::1]:8080", "-EndpointUrl")]
        [InlineData("http://0.0.0.0:5000", "-EndpointUrl")]
        public void Plain_http_off_loopback_warns_naming_the_source(string url, string source)
        {
            CapturingLog log = Resolve(url, source);

            string warning = Assert.Single(log.Warnings);
            Assert.Contains($"(from {source})", warning);
            Assert.Contains("plain http", warning);
            Assert.Contains("the ID token", warning);
            Assert.Contains("unencrypted", warning);
            Assert.DoesNotContain("?x=1", warning);
        }

        [Theory]
        [InlineData("https://sts.example.invalid")]
        [InlineData("https://10.0.0.1:4566")]
        [InlineData("http://127.0.0.1:5000")]
        [InlineData("http://127.1.2.3")]
        [InlineData("http://localhost:4566")]
        [InlineData("http://LOCALHOST")]
        [InlineData("http://[::1]:5000")]
        public void Https_or_loopback_does_not_warn(string url)
        {
            foreach (string source in new[] { "-EndpointUrl", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL" })
            {
                Assert.Empty(Resolve(url, source).Warnings);
            }
        }

        [Fact]
        public void No_endpoint_does_not_warn()
        {
            Assert.Empty(Resolve(null, "-EndpointUrl").Warnings);
        }

        [Fact]
        public void Every_call_warns_again_and_Test_GitlabOidcRole_Offline_too()
        {
            var settings = ExchangeRequestTests.Settings();
            settings.EndpointUrl = "http://sts.example.invalid";
            var log = new CapturingLog();

            for (int i = 0; i < 2; i++)
            {
                RoleTester.Run(settings, new RoleTestOptions { Offline = true }, Env.Of(), log, TestTokens.Now, CancellationToken.None);
            }

            Assert.Equal(2, log.Warnings.Count(w => w.Contains("plain http")));
        }
    }
}
