using System;
using System.Collections.Generic;
using GitlabSts.Core.Sts;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    public class StsClientTimeoutTests
    {
        [Theory]
        [InlineData(null, 10)]
        [InlineData("2.5", 2.5)]
        [InlineData("300", 300)]
        [InlineData("301", 10)]
        [InlineData("0", 10)]
        [InlineData("-1", 10)]
        [InlineData("soon", 10)]
        public void The_timeout_comes_from_the_given_environment(string? value, double seconds)
        {
            var env = new Dictionary<string, string>();
            if (value != null)
            {
                env[StsClientFactory.TimeoutVariable] = value;
            }

            Assert.Equal(TimeSpan.FromSeconds(seconds), StsClientFactory.RequestTimeoutFrom(new DictionaryEnvironment(env)));
        }
    }
}
