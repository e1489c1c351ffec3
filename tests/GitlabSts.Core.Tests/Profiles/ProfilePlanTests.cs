// Platform-specific calls are guarded by [UnixFact]/[WindowsFact] or OperatingSystem checks.
#pragma warning disable CA1416

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amazon.Runtime.CredentialManagement;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class ProfilePlanTests
    {
        private const string Token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6Z3JvdXAvcHJvamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA";
        private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
        private const string SessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET==";
        private const string RoleArn = "arn:aws:iam::123456789012:role/gitlab-ci";

        private static AwsProfileRequest WebIdentity(TempDir dir, string name = "oidc") => new AwsProfileRequest
        {
            Mode = ProfileMode.WebIdentity,
            ProfileName = name,
            ConfigPath = dir.File("config"),
            CredentialsPath = dir.File("credentials"),
            RoleArn = RoleArn,
            WebIdentityToken = Token,
            RoleSessionName = "gitlab-ci-42",
            DurationSeconds = 3600,
            Region = "eu-west-1",
        };

        private static AwsProfileRequest Credential(TempDir dir, string region = "eu-west-1") => new AwsProfileRequest
        {
            Mode = ProfileMode.Credential,
            ConfigPath = dir.File("config"),
            CredentialsPath = dir.File("credentials"),
            AccessKeyId = "ASIAEXAMPLEEXAMPLE01",
            SecretAccessKey = Secret,
            SessionToken = SessionToken,
            Region = region,
        };

        private static AwsProfileRequest CredentialProcess(TempDir dir) => new AwsProfileRequest
        {
            Mode = ProfileMode.CredentialProcess,
            ConfigPath = dir.File("config"),
            CredentialsPath = dir.File("credentials"),
            CredentialProcessCommand = "\"/opt/microsoft/powershell/7/pwsh\" -NoProfile -Command \"Import-Module '/opt/GitlabSts/GitlabSts.psd1'; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess\"",
            Region = "us-east-2",
        };

        private static string[] KeyNames(ProfileFileChange change) => change.Keys.Select(k => k.Key).ToArray();

        [Fact]
        public void WebIdentity_writes_the_token_then_the_config_section_in_contract_order_and_drops_stale_static_keys()
        {
            using var dir = new TempDir();
            var plan = ProfilePlan.Create(WebIdentity(dir));

            string tokenPath = Path.Combine(dir.Path, "gitlabsts", "oidc.token");
            Assert.Equal(tokenPath, plan.TokenFilePath);
            Assert.Equal("profile oidc", plan.ConfigSectionName);
            Assert.Equal(3, plan.Changes.Count);
            Assert.Equal(ProfileChangeKind.WriteTokenFile, plan.Changes[0].Kind);
            Assert.Equal(tokenPath, plan.Changes[0].Path);
            Assert.Equal(ProfileChangeKind.SetSection, plan.Changes[1].Kind);
            Assert.Equal(dir.File("config"), plan.Changes[1].Path);
            Assert.Equal("profile oidc", plan.Changes[1].SectionName);
            Assert.Equal(new[] { "role_arn", "web_identity_token_file", "role_session_name", "duration_seconds", "region" }, KeyNames(plan.Changes[1]));
            Assert.Equal(new[] { RoleArn, tokenPath, "gitlab-ci-42", "3600", "eu-west-1" }, plan.Changes[1].Keys.Select(k => k.Value));
            Assert.Equal(ProfileChangeKind.RemoveKeys, plan.Changes[2].Kind);
            Assert.Equal(dir.File("credentials"), plan.Changes[2].Path);
            Assert.Equal("oidc", plan.Changes[2].SectionName);
        }

        [Fact]
        public void WebIdentity_omits_optional_keys_and_uses_default_for_the_default_profile()
        {
            using var dir = new TempDir();
            var request = WebIdentity(dir, "default");
            request.RoleSessionName = null;
            request.DurationSeconds = null;
            request.Region = null;
            request.TokenFilePath = dir.File("my token");
            var plan = ProfilePlan.Create(request);

            Assert.Equal("default", plan.Changes[1].SectionName);
            Assert.Equal(new[] { "role_arn", "web_identity_token_file" }, KeyNames(plan.Changes[1]));
            Assert.Equal(dir.File("my token"), plan.TokenFilePath);
            Assert.Equal("default", plan.Changes[2].SectionName);
        }

        [Fact]
        public void Credential_writes_the_static_keys_and_the_region_in_the_config()
        {
            using var dir = new TempDir();
            var plan = ProfilePlan.Create(Credential(dir));

            Assert.Null(plan.TokenFilePath);
            Assert.Equal(2, plan.Changes.Count);
            Assert.Equal(ProfileChangeKind.SetSection, plan.Changes[0].Kind);
            Assert.Equal(dir.File("credentials"), plan.Changes[0].Path);
            Assert.Equal("oidc", plan.Changes[0].SectionName);
            Assert.Equal(new[] { "aws_access_key_id", "aws_secret_access_key", "aws_session_token" }, KeyNames(plan.Changes[0]));
            Assert.Equal(ProfileChangeKind.SetSection, plan.Changes[1].Kind);
            Assert.Equal("profile oidc", plan.Changes[1].SectionName);
            Assert.Equal(new[] { new KeyValuePair<string, string>("region", "eu-west-1") }, plan.Changes[1].Keys);
        }

        [Fact]
        public void Credential_without_a_region_removes_a_stale_config_section()
        {
            using var dir = new TempDir();
            var plan = ProfilePlan.Create(Credential(dir, region: null));
            Assert.Equal(ProfileChangeKind.RemoveKeys, plan.Changes[1].Kind);
            Assert.Equal(dir.File("config"), plan.Changes[1].Path);
            Assert.Equal("profile oidc", plan.Changes[1].SectionName);
        }

        [Fact]
        public void CredentialProcess_writes_the_command_and_region_and_drops_stale_static_keys()
        {
            using var dir = new TempDir();
            var request = CredentialProcess(dir);
            var plan = ProfilePlan.Create(request);
            Assert.Equal(2, plan.Changes.Count);
            Assert.Equal("profile oidc", plan.Changes[0].SectionName);
            Assert.Equal(new[] { "credential_process", "region" }, KeyNames(plan.Changes[0]));
            Assert.Equal(request.CredentialProcessCommand, plan.Changes[0].Keys[0].Value);
            Assert.Equal(ProfileChangeKind.RemoveKeys, plan.Changes[1].Kind);
            Assert.Equal("oidc", plan.Changes[1].SectionName);
        }

        [Fact]
        public void Describe_lists_every_change_without_any_secret()
        {
            using var dir = new TempDir();
            foreach (var request in new[] { WebIdentity(dir), Credential(dir), CredentialProcess(dir) })
            {
                var plan = ProfilePlan.Create(request);
                string text = plan.Describe();
                Assert.DoesNotContain(Token, text);
                Assert.DoesNotContain(Secret, text);
                Assert.DoesNotContain(SessionToken, text);
                Assert.DoesNotContain("c2lnbmF0dXJl", text); // no fragment of the token either
                foreach (var change in plan.Changes)
                {
                    Assert.Contains(change.Path, text);
                    Assert.DoesNotContain(Secret, change.Action + change.Describe() + change);
                }

                Assert.Contains(request.Mode.ToString(), text);
            }

            string web = ProfilePlan.Create(WebIdentity(dir)).Describe();
            Assert.Contains("<redacted>", web);
            Assert.Contains(RoleArn, web);
            Assert.Contains("web_identity_token_file = " + Path.Combine(dir.Path, "gitlabsts", "oidc.token"), web);
            Assert.Contains("Remove aws_access_key_id, aws_secret_access_key, aws_session_token, aws_security_token from [oidc] in '" + dir.File("credentials") + "' if present", web);
            Assert.Contains("and remove, if present: credential_process, source_profile (", web);
            string cred = ProfilePlan.Create(Credential(dir)).Describe();
            Assert.Contains("aws_secret_access_key = <redacted>", cred);
            Assert.Contains("aws_session_token = <redacted>", cred);
            Assert.Contains("aws_access_key_id = ASIAEXAMPLEEXAMPLE01", cred);
        }

        [Fact]
        public void Create_reads_and_writes_nothing()
        {
            using var dir = new TempDir();
            foreach (var request in new[] { WebIdentity(dir), Credential(dir), CredentialProcess(dir) })
            {
                ProfilePlan.Create(request).Describe();
            }

            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [Theory]
        [InlineData("")]
        [InlineData(" oidc")]
        [InlineData("oidc ")]
        [InlineData("my profile")]
        [InlineData("a]b")]
        [InlineData("a[b")]
        [InlineData("a\nb")]
        [InlineData("tab\t")]
        [InlineData("quo\"te")]
        [InlineData("it's")]
        [InlineData("ünïcode")]
        public void Rejects_profile_names_that_readers_would_not_see(string name)
        {
            using var dir = new TempDir();
            Assert.NotNull(ProfileNames.Problem(name));
            var ex = Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(WebIdentity(dir, name)));
            Assert.Equal("ProfileName", ex.Target);
        }

        [Theory]
        [InlineData("oidc")]
        [InlineData("default")]
        [InlineData("team/prod:ci")]
        [InlineData("a%b@c+d.e")]
        [InlineData("con")]
        public void Accepts_other_profile_names_and_gives_each_a_portable_token_file_name(string name)
        {
            using var dir = new TempDir();
            Assert.Null(ProfileNames.Problem(name));
            var plan = ProfilePlan.Create(WebIdentity(dir, name));
            string file = Path.GetFileName(plan.TokenFilePath);
            Assert.Matches("^[A-Za-z0-9._-]+\\.token$", file);
            Assert.Equal(Path.Combine(dir.Path, "gitlabsts"), Path.GetDirectoryName(plan.TokenFilePath));
        }

        [Fact]
        public void Sanitized_token_file_names_do_not_collide()
        {
            Assert.Equal("oidc", TokenFileNaming.SafeFileName("oidc"));
            Assert.NotEqual(TokenFileNaming.SafeFileName("a/b"), TokenFileNaming.SafeFileName("a:b"));
            Assert.NotEqual(TokenFileNaming.SafeFileName("a/b"), TokenFileNaming.SafeFileName("a_b"));
            Assert.StartsWith("con-", TokenFileNaming.SafeFileName("con"));
            Assert.StartsWith("LPT1-", TokenFileNaming.SafeFileName("LPT1"));
            Assert.StartsWith("..-", TokenFileNaming.SafeFileName(".."));
        }

        [Fact]
        public void Rejects_missing_or_unwritable_inputs_before_writing_anything()
        {
            using var dir = new TempDir();
            var r = WebIdentity(dir);
            r.RoleArn = null;
            Assert.Equal("RoleArn", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r)).Target);

            r = WebIdentity(dir);
            r.WebIdentityToken = Token + "\n";
            Assert.Equal("WebIdentityToken", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r)).Target);

            r = WebIdentity(dir);
            r.DurationSeconds = 0;
            Assert.Equal("DurationSeconds", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r)).Target);

            r = WebIdentity(dir);
            r.TokenFilePath = r.ConfigPath;
            Assert.Equal("TokenFilePath", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r)).Target);

            r = WebIdentity(dir);
            r.RoleSessionName = "two\nlines";
            Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r));

            r = WebIdentity(dir);
            r.ConfigPath = " ";
            Assert.Equal("ConfigPath", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(r)).Target);

            var c = Credential(dir);
            c.SecretAccessKey = null;
            Assert.Equal("SecretAccessKey", Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(c)).Target);

            var p = CredentialProcess(dir);
            p.CredentialProcessCommand = "pwsh\r\n-c x";
            Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(p));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [NotOnMonoFact]
        public void Apply_writes_the_profile_keeps_everything_else_and_is_idempotent()
        {
            using var dir = new TempDir();
            string config = "# mine\r\n[default]\r\nregion = us-east-1\r\ns3 =\r\n  addressing_style = path\r\n";
            string credentials = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = x\n";
            File.WriteAllText(dir.File("config"), config);
            File.WriteAllText(dir.File("credentials"), credentials);
            var plan = ProfilePlan.Create(WebIdentity(dir));

            plan.Apply();
            byte[] configOnce = File.ReadAllBytes(dir.File("config"));
            plan.Apply();

            Assert.Equal(configOnce, File.ReadAllBytes(dir.File("config")));
            string tokenPath = Path.Combine(dir.Path, "gitlabsts", "oidc.token");
            Assert.Equal(Token, File.ReadAllText(tokenPath)); // exactly the token: no newline
            Assert.Equal(
                config + "\r\n[profile oidc]\r\nrole_arn = " + RoleArn + "\r\nweb_identity_token_file = " + tokenPath + "\r\nrole_session_name = gitlab-ci-42\r\nduration_seconds = 3600\r\nregion = eu-west-1\r\n",
                File.ReadAllText(dir.File("config")));
            Assert.Equal(credentials, File.ReadAllText(dir.File("credentials")));
#if NET8_0_OR_GREATER // on net472 (Windows only) the files are created through the ACL branch
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenPath));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(tokenPath)));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("config")));
            }
#endif
        }

        [NotOnMonoFact]
        public void Apply_does_not_create_a_credentials_file_just_to_remove_a_section()
        {
            using var dir = new TempDir();
            ProfilePlan.Create(WebIdentity(dir)).Apply();
            ProfilePlan.Create(CredentialProcess(dir)).Apply();
            Assert.False(File.Exists(dir.File("credentials")));
            Assert.False(File.Exists(dir.File(".credentials.gitlabsts.lock")));
        }

        [NotOnMonoFact]
        public void A_rerun_keeps_the_keys_and_comments_it_does_not_manage_in_place()
        {
            using var dir = new TempDir();
            ProfilePlan.Create(WebIdentity(dir)).Apply();
            string first = File.ReadAllText(dir.File("config"));
            string hand = first.Replace("[profile oidc]\n", "[profile oidc]\noutput = json\n; notes: deploys prod\ns3 =\n    addressing_style = path\n") + "cli_pager =\n";
            File.WriteAllText(dir.File("config"), hand);

            ProfilePlan.Create(WebIdentity(dir)).Apply();
            Assert.Equal(hand, File.ReadAllText(dir.File("config")));

            // -> CredentialProcess: the web identity keys go, the hand-written lines stay where they were.
            ProfilePlan.Create(CredentialProcess(dir)).Apply();
            string after = File.ReadAllText(dir.File("config"));
            Assert.StartsWith("[profile oidc]\noutput = json\n; notes: deploys prod\ns3 =\n    addressing_style = path\n", after, StringComparison.Ordinal);
            Assert.Contains("cli_pager =\n", after);
            Assert.DoesNotContain("role_arn", after);
            Assert.DoesNotContain("web_identity_token_file", after);
            Assert.Contains("credential_process = ", after);
        }

        [NotOnMonoFact]
        public void Switching_modes_leaves_no_stale_keys_of_the_profile_behind()
        {
            using var dir = new TempDir();
            string otherCredentials = "# personal\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = x\n";
            File.WriteAllText(dir.File("credentials"), otherCredentials);

            // Credential: static keys in credentials, region in config.
            ProfilePlan.Create(Credential(dir)).Apply();
            string creds = File.ReadAllText(dir.File("credentials"));
            Assert.StartsWith(otherCredentials, creds, StringComparison.Ordinal);
            Assert.Contains("[oidc]\naws_access_key_id = ASIAEXAMPLEEXAMPLE01\n", creds);
            Assert.Equal("[profile oidc]\nregion = eu-west-1\n", File.ReadAllText(dir.File("config")));

            // -> WebIdentity: the static keys go, the other credentials stay byte for byte.
            ProfilePlan.Create(WebIdentity(dir)).Apply();
            Assert.Equal(otherCredentials + "\n", File.ReadAllText(dir.File("credentials")));
            Assert.Contains("web_identity_token_file", File.ReadAllText(dir.File("config")));

            // -> Credential without a region: the web identity keys go; the region, which no mode conflicts with, stays.
            ProfilePlan.Create(Credential(dir, region: null)).Apply();
            Assert.Equal("[profile oidc]\nregion = eu-west-1\n", File.ReadAllText(dir.File("config")));
            Assert.True(AwsIniEditor.HasSection(File.ReadAllText(dir.File("credentials")), "oidc"));

            // -> CredentialProcess: static keys go again; the region stays where it was, credential_process is added after it.
            ProfilePlan.Create(CredentialProcess(dir)).Apply();
            Assert.False(AwsIniEditor.HasSection(File.ReadAllText(dir.File("credentials")), "oidc"));
            Assert.Equal(new[] { "region", "credential_process" }, AwsIniEditor.GetSection(File.ReadAllText(dir.File("config")), "profile oidc").Select(k => k.Key));
        }

        [NotOnMonoFact]
        public void Apply_failures_map_to_ProfileWriteFailed_naming_the_parameter_to_change()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("config")); // a folder where the config file should be
            var ex = Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(CredentialProcess(dir)).Apply());
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Contains(dir.File("config"), ex.Message);
            Assert.Contains("AWS config file", ex.Message);
            Assert.Contains("-ConfigPath or AWS_CONFIG_FILE", ex.Message);
        }

        [NotOnMonoFact]
        public void A_target_that_can_never_be_a_file_fails_before_the_token_file_is_written()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("config")); // a folder where the config file should be
            var ex = Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(WebIdentity(dir)).Apply());
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Contains("-ConfigPath or AWS_CONFIG_FILE", ex.Message);
            Assert.Equal(new[] { "config" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));

            // A regular file where a folder of the credentials path should be.
            using var dir2 = new TempDir();
            File.WriteAllText(dir2.File("file"), "x");
            var request = Credential(dir2);
            request.CredentialsPath = Path.Combine(dir2.File("file"), "sub", "credentials");
            ex = Assert.Throws<GitlabStsException>(() => ProfilePlan.Create(request).Apply());
            Assert.Contains("'" + dir2.File("file") + "' is a file, not a folder", ex.Message);
            Assert.Contains("-CredentialsPath or AWS_SHARED_CREDENTIALS_FILE", ex.Message);
            Assert.Equal(new[] { "file" }, Directory.GetFileSystemEntries(dir2.Path).Select(Path.GetFileName));
        }

        [NotOnMonoFact]
        public void The_AWS_SDK_for_dotnet_reads_each_mode_back()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("config"), "[default]\r\nregion = us-east-1\r\n");

            ProfilePlan.Create(WebIdentity(dir)).Apply();
            Assert.True(new SharedCredentialsFile(dir.File("credentials")).TryGetProfile("oidc", out var web));
            Assert.Equal(RoleArn, web.Options.RoleArn);
            Assert.Equal(Path.Combine(dir.Path, "gitlabsts", "oidc.token"), web.Options.WebIdentityTokenFile);
            Assert.Equal("gitlab-ci-42", web.Options.RoleSessionName);
            Assert.Equal("eu-west-1", web.Region?.SystemName);

            ProfilePlan.Create(Credential(dir)).Apply();
            Assert.True(new SharedCredentialsFile(dir.File("credentials")).TryGetProfile("oidc", out var cred));
            Assert.Equal("ASIAEXAMPLEEXAMPLE01", cred.Options.AccessKey);
            Assert.Equal(Secret, cred.Options.SecretKey);
            Assert.Equal(SessionToken, cred.Options.Token);
            Assert.Null(cred.Options.WebIdentityTokenFile);

            var process = CredentialProcess(dir);
            ProfilePlan.Create(process).Apply();
            Assert.True(new SharedCredentialsFile(dir.File("credentials")).TryGetProfile("oidc", out var proc));
            Assert.Equal(process.CredentialProcessCommand, proc.Options.CredentialProcess);
            Assert.Null(proc.Options.AccessKey);
        }
    }
}
