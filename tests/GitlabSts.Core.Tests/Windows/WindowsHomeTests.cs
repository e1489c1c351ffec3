using System;
using System.Collections.Generic;
using System.IO;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Windows
{
    /// <summary>
    /// Where the AWS files are on Windows, by botocore's rules (Python's ntpath.expanduser: USERPROFILE, then
    /// HOMEDRIVE + HOMEPATH; HOME is not used), tested on Linux through the platform input of AwsFileLocations.
    /// </summary>
    public class WindowsHomeTests
    {
        private static DictionaryEnvironment Env(params (string Name, string Value)[] vars)
        {
            var d = new Dictionary<string, string>();
            foreach (var (name, value) in vars)
            {
                d[name] = value;
            }

            return new DictionaryEnvironment(d);
        }

        private static AwsFileLocations Windows(params (string Name, string Value)[] vars) => new AwsFileLocations(Env(vars), windows: true);

        [Fact]
        public void Userprofile_is_the_home_and_home_is_ignored()
        {
            var env = Env(("USERPROFILE", @"C:\Users\o'brien"), ("HOME", "/home/x"), ("HOMEDRIVE", "D:"), ("HOMEPATH", @"\Other"));
            Assert.Equal(@"C:\Users\o'brien", AwsFileLocations.Home(env, windows: true));
            var locations = new AwsFileLocations(env, windows: true);
            Assert.Equal(@"C:\Users\o'brien\.aws\config", locations.ConfigPath());
            Assert.Equal(@"C:\Users\o'brien\.aws\credentials", locations.CredentialsPath());
        }

        [Fact]
        public void Without_userprofile_homedrive_and_homepath_make_the_home()
        {
            var locations = Windows(("HOMEDRIVE", "D:"), ("HOMEPATH", @"\Users\runner"), ("HOME", "/home/x"));
            Assert.Equal(@"D:\Users\runner\.aws\config", locations.ConfigPath());
            Assert.Equal(@"\Users\runner", AwsFileLocations.Home(Env(("HOMEPATH", @"\Users\runner")), windows: true));
        }

        [Fact]
        public void A_drive_path_in_aws_config_file_is_kept_as_given()
        {
            var locations = Windows(("USERPROFILE", @"C:\Users\me"), ("AWS_CONFIG_FILE", @"C:\ci\job 42\aws\config"), ("AWS_SHARED_CREDENTIALS_FILE", @"\\server\share\creds"));
            Assert.Equal(@"C:\ci\job 42\aws\config", locations.ConfigPath());
            Assert.Equal(@"\\server\share\creds", locations.CredentialsPath());
        }

        [Fact]
        public void A_tilde_expands_to_userprofile()
        {
            var locations = Windows(("USERPROFILE", @"C:\Users\me"), ("AWS_CONFIG_FILE", @"~\.aws\job-config"));
            Assert.Equal(@"C:\Users\me\.aws\job-config", locations.ConfigPath());
            Assert.Equal(@"C:\Users\me\token.jwt", locations.FullPath(@"~\token.jwt", "TokenFilePath"));
            Assert.Equal(@"C:\Users\me", locations.FullPath("~", "TokenFilePath"));
        }

        [Fact]
        public void The_unix_rules_are_unchanged_home_and_never_userprofile()
        {
            var env = Env(("HOME", "/home/runner"), ("USERPROFILE", @"C:\Users\me"));
            Assert.Equal("/home/runner", AwsFileLocations.Home(env, windows: false));
            if (!OperatingSystem.IsWindows())
            {
                var locations = new AwsFileLocations(env);
                Assert.Equal("/home/runner/.aws/config", locations.ConfigPath());
                Assert.Equal(Path.Combine("/home/runner", "x"), locations.FullPath("~/x", "ConfigPath"));
            }
        }

        [Fact]
        public void Without_any_variable_the_process_profile_folder_is_the_home()
        {
            Assert.Equal(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), AwsFileLocations.Home(Env(), windows: true));
            Assert.Equal(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), AwsFileLocations.Home(Env(), windows: false));
        }
    }
}
