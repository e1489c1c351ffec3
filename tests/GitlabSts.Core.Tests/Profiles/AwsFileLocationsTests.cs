using System;
using System.Collections.Generic;
using System.IO;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class AwsFileLocationsTests
    {
        private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6Z3JvdXAvcHJvamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA";

        private static AwsFileLocations With(params (string Name, string Value)[] vars)
        {
            var env = new Dictionary<string, string>();
            foreach (var (name, value) in vars)
            {
                env[name] = value;
            }

            return new AwsFileLocations(new DictionaryEnvironment(env));
        }

        [Fact]
        public void The_variables_win_and_are_made_full_paths()
        {
            using var dir = new TempDir();
            var locations = With(("AWS_CONFIG_FILE", dir.File("c")), ("AWS_SHARED_CREDENTIALS_FILE", dir.File("k")));
            Assert.Equal(dir.File("c"), locations.ConfigPath());
            Assert.Equal(dir.File("k"), locations.CredentialsPath());
        }

        [Fact]
        public void Without_the_variables_the_files_are_under_home_dot_aws()
        {
            using var dir = new TempDir();
            var locations = With(("HOME", dir.Path));
            string home = OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : dir.Path;
            Assert.Equal(Path.Combine(home, ".aws", "config"), locations.ConfigPath());
            Assert.Equal(Path.Combine(home, ".aws", "credentials"), locations.CredentialsPath());
        }

        [Fact]
        public void A_tilde_is_the_home_of_the_given_environment_not_of_the_process()
        {
            if (OperatingSystem.IsWindows())
            {
                return; // USERPROFILE via the shell folder, as botocore
            }

            using var dir = new TempDir();
            var locations = With(("HOME", dir.Path), ("AWS_CONFIG_FILE", "~/x/config"));
            Assert.Equal(Path.Combine(dir.Path, "x", "config"), locations.ConfigPath());
            Assert.Equal(dir.Path, locations.FullPath("~", "ConfigPath"));
            Assert.Equal(Path.Combine(dir.Path, "creds"), locations.FullPath("~/creds", "CredentialsPath"));
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData(null)]
        public void A_blank_path_is_ProfileWriteFailed_naming_the_parameter(string? path)
        {
            var e = Assert.Throws<GitlabStsException>(() => With().FullPath(path, "CredentialsPath"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("CredentialsPath", e.Target);
            Assert.Equal("CredentialsPath is required.", e.Message);
        }

        [Fact]
        public void A_token_as_a_path_is_refused_without_showing_it()
        {
            var e = Assert.Throws<GitlabStsException>(() => With().FullPath("/tmp/" + Token, "ConfigPath"));
            Assert.Equal("ConfigPath", e.Target);
            Assert.DoesNotContain("c2lnbmF0dXJl", e.Message);
            Assert.Contains("looks like an ID token", e.Message);
        }

        [Fact]
        public void An_invalid_path_is_ProfileWriteFailed_with_the_reason()
        {
            var e = Assert.Throws<GitlabStsException>(() => With().FullPath("bad\0path", "TokenFilePath"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal("TokenFilePath", e.Target);
            Assert.StartsWith("TokenFilePath 'bad", e.Message);
            Assert.Contains("is not a valid path", e.Message);
        }

        [Fact]
        public void SamePath_follows_the_platform_case_rule()
        {
            Assert.True(AwsFileLocations.SamePath("/a/b", "/a/b"));
            Assert.Equal(!OperatingSystem.IsLinux(), AwsFileLocations.SamePath("/a/B", "/a/b"));
        }
    }
}
