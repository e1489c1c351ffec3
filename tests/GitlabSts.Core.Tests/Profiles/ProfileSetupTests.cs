using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>Set-GitlabAwsProfile's orchestration in the core: per mode, -WhatIf, unwritable files, piped credentials; STS is a fake.</summary>
    public class ProfileSetupTests
    {
        private const string RoleArn = "arn:aws:iam::123456789012:role/gitlab-ci";
        private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
        private const string SessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET==";

        private readonly string token = TestTokens.Mint();

        private readonly List<ExchangeRequest> exchanges = new List<ExchangeRequest>();

        /// <summary>A setup whose environment holds the token in GITLAB_OIDC_TOKEN, plus <paramref name="env"/>.</summary>
        private ProfileSetup Setup(IDictionary<string, string>? env = null) =>
            new ProfileSetup(new DictionaryEnvironment(new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["GITLAB_OIDC_TOKEN"] = token }), NullLog.Instance, (request, cancel) =>
            {
                exchanges.Add(request);
                return new ExchangeResult(request, "ASIAFROMSTSEXAMPLE01", Secret, SessionToken, DateTime.UtcNow.AddHours(1));
            });

        private ProfileSetupRequest Request(TempDir dir, ProfileMode mode, TokenSource? source = null) => new ProfileSetupRequest
        {
            Mode = mode,
            ConfigPath = dir.File("config"),
            CredentialsPath = dir.File("credentials"),
            Exchange = new ExchangeSettings
            {
                RoleArn = RoleArn,
                Token = source ?? new TokenSource(TokenSourceKind.Text, token),
                Region = "eu-west-1",
                RoleSessionName = "gitlab-ci-42",
            },
            Host = () => new CredentialProcessHost(new[] { "/opt/microsoft/powershell/7/pwsh" }, "/opt/GitlabSts/GitlabSts.psd1"),
        };

        private static IReadOnlyList<KeyValuePair<string, string>> Section(string path, string name) =>
            AwsIniEditor.GetSection(File.ReadAllText(path), name) ?? Array.Empty<KeyValuePair<string, string>>();

        [NotOnMonoFact]
        public void WebIdentity_writes_the_token_and_config_without_any_STS_request()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.WebIdentity));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

            profile.Apply();

            Assert.Empty(exchanges);
            Assert.Equal(ProfileMode.WebIdentity, profile.Plan.Mode);
            Assert.Equal(token, File.ReadAllText(profile.Plan.TokenFilePath!));
            Assert.Equal(
                new[] { "role_arn", "web_identity_token_file", "role_session_name", "duration_seconds", "region" },
                Section(dir.File("config"), "profile oidc").Select(k => k.Key));
            Assert.Equal("eu-west-1", profile.Region);
        }

        [NotOnMonoFact]
        public void CredentialProcess_writes_a_command_that_repeats_the_exchange_later_without_any_STS_request()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.CredentialProcess, new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN")));
            profile.Apply();

            Assert.Empty(exchanges);
            string command = Section(dir.File("config"), "profile oidc").Single(k => k.Key == "credential_process").Value;
            string prefix = "\"/opt/microsoft/powershell/7/pwsh\" -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand ";
            Assert.StartsWith(prefix, command);
            string script = CredentialProcessCommand.Decode(command.Substring(prefix.Length));
            Assert.StartsWith("Import-Module '/opt/GitlabSts/GitlabSts.psd1';", script);
            Assert.Contains("-RoleArn '" + RoleArn + "'", script);
            Assert.Contains("-RoleSessionName 'gitlab-ci-42'", script);
            Assert.Contains("-DurationSeconds '3600'", script);
            Assert.Contains("-Region 'eu-west-1'", script);
            Assert.Contains("-TokenVariable 'GITLAB_OIDC_TOKEN'", script);

            // What it runs, in words, on a comment line above the key; a re-run replaces that line, never adds one.
            Assert.Contains("[profile oidc]\n; credential_process runs: " + script + "\ncredential_process = ", File.ReadAllText(dir.File("config")));
            Setup().Prepare(Request(dir, ProfileMode.CredentialProcess, new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN"))).Apply();
            Assert.Single(File.ReadAllLines(dir.File("config")), l => l.StartsWith("; credential_process runs:", StringComparison.Ordinal));
            TestTokens.AssertNoSecret(File.ReadAllText(dir.File("config")), token);
        }

        [Fact]
        public void CredentialProcess_refuses_a_token_typed_now_before_anything_is_written()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(Request(dir, ProfileMode.CredentialProcess)));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("WebIdentityToken", e.Target);
            Assert.Contains("-TokenVariable", e.Message);
            TestTokens.AssertNoSecret(e.Message, token);
            Assert.Empty(exchanges);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [NotOnMonoFact]
        public void Credential_exchanges_once_and_writes_the_keys_STS_returned()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.Credential));

            Assert.Single(exchanges);
            Assert.Equal(RoleArn, exchanges[0].RoleArn.Value);
            Assert.Equal("gitlab-ci-42", exchanges[0].RoleSessionName);
            Assert.DoesNotContain(Secret, profile.Plan.Describe());
            profile.Apply();

            var keys = Section(dir.File("credentials"), "oidc");
            Assert.Equal(new[] { "ASIAFROMSTSEXAMPLE01", Secret, SessionToken }, keys.Select(k => k.Value));
            Assert.Equal(new[] { new KeyValuePair<string, string>("region", "eu-west-1") }, Section(dir.File("config"), "profile oidc"));
        }

        [NotOnMonoTheory]
        [InlineData(ProfileMode.WebIdentity)]
        [InlineData(ProfileMode.Credential)]
        [InlineData(ProfileMode.CredentialProcess)]
        public void WhatIf_describes_every_change_without_an_STS_request_or_touching_the_disk(ProfileMode mode)
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, mode, mode == ProfileMode.CredentialProcess ? new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN") : null);
            request.WhatIf = true;
            request.ConfigPath = Path.Combine(dir.Path, "new", "config"); // a folder a write would create
            PreparedProfile profile = Setup().Prepare(request);

            Assert.Empty(exchanges);
            Assert.True(profile.IsWhatIf);
            Assert.Contains(Path.Combine(dir.Path, "new", "config"), profile.Plan.Describe());
            TestTokens.AssertNoSecret(profile.Plan.Describe(), token);
            Assert.Throws<InvalidOperationException>(() => profile.Apply());
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
            if (mode == ProfileMode.Credential)
            {
                Assert.All(profile.Plan.Changes[0].Keys, k => Assert.Equal(ProfileSetup.FromSts, k.Value));
            }
        }

        [NotOnMonoTheory]
        [InlineData(ProfileMode.WebIdentity)]
        [InlineData(ProfileMode.Credential)]
        [InlineData(ProfileMode.CredentialProcess)]
        public void A_profile_that_cannot_be_written_costs_no_STS_request_and_writes_nothing(ProfileMode mode)
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("file"), "x");
            ProfileSetupRequest request = Request(dir, mode, mode == ProfileMode.CredentialProcess ? new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN") : null);
            request.ConfigPath = Path.Combine(dir.File("file"), "sub", "config"); // under a regular file: nobody can write it

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));

            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.WriteError, e.Kind);
            Assert.Contains("-ConfigPath or AWS_CONFIG_FILE", e.Message);
            Assert.Empty(exchanges);
            Assert.Equal(new[] { "file" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
        }

        [Fact]
        public void An_invalid_profile_name_costs_no_STS_request()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential);
            request.ProfileName = "two words";
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.InvalidProfileName, e.ErrorId);
            Assert.Equal("ProfileName", e.Target);
            Assert.Empty(exchanges);
        }

        [NotOnMonoFact]
        public void Piped_credentials_are_written_as_issued_without_an_exchange_and_take_the_region_given()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity);
            request.Exchange = new ExchangeSettings { Region = "eu-central-1" };
            request.Credential = new IssuedCredentials { RoleArn = RoleArn, AccessKeyId = "ASIAPIPEDEXAMPLE0001", SecretAccessKey = Secret, SessionToken = SessionToken };

            PreparedProfile profile = Setup().Prepare(request);
            profile.Apply();

            Assert.Empty(exchanges);
            Assert.Equal(ProfileMode.Credential, profile.Plan.Mode);
            Assert.Equal(RoleArn, profile.Plan.RoleArn);
            Assert.Equal("eu-central-1", profile.Region);
            Assert.Equal(new[] { "ASIAPIPEDEXAMPLE0001", Secret, SessionToken }, Section(dir.File("credentials"), "oidc").Select(k => k.Value));
        }

        [NotOnMonoFact]
        public void Piped_credentials_take_the_region_from_the_environment_and_refuse_one_of_another_partition()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential);
            request.Exchange = new ExchangeSettings();
            request.Credential = new IssuedCredentials { RoleArn = RoleArn, AccessKeyId = "ASIAPIPEDEXAMPLE0001", SecretAccessKey = Secret, SessionToken = SessionToken };

            Assert.Equal("ap-south-1", Setup(new Dictionary<string, string> { ["AWS_REGION"] = "ap-south-1" }).Prepare(request).Region);
            var e = Assert.Throws<GitlabStsException>(() => Setup(new Dictionary<string, string> { ["AWS_REGION"] = "cn-north-1" }).Prepare(request));
            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
        }

        [Theory]
        [InlineData(ProfileMode.WebIdentity, false, "Policy")]
        [InlineData(ProfileMode.CredentialProcess, false, "PolicyArn")]
        [InlineData(ProfileMode.Credential, true, "PolicyArn")]
        public void A_session_policy_the_profile_cannot_carry_is_refused_without_an_STS_request(ProfileMode mode, bool piped, string parameter)
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, mode, mode == ProfileMode.CredentialProcess ? new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN") : null);
            if (parameter == "Policy")
            {
                request.Exchange.Policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
            }
            else
            {
                request.Exchange.PolicyArns = new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" };
            }

            if (piped)
            {
                request.Credential = new IssuedCredentials { RoleArn = RoleArn, AccessKeyId = "ASIAPIPEDEXAMPLE0001", SecretAccessKey = Secret, SessionToken = SessionToken };
            }

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.StartsWith("-" + parameter + " ", e.Message);
            Assert.Contains("-Mode Credential", e.Message);
            Assert.Empty(exchanges);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [NotOnMonoFact]
        public void A_session_policy_with_Credential_mode_goes_to_the_one_exchange()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential);
            request.Exchange.PolicyArns = new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" };
            Setup().Prepare(request);
            Assert.Equal(new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" }, Assert.Single(exchanges).PolicyArns);
        }

        [Fact]
        public void A_malformed_session_policy_gets_the_exchange_message_before_the_mode_refuses_it()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity);
            request.Exchange.Policy = "not json";
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains("is not a JSON policy document", e.Message);
        }

        [NotOnMonoFact]
        public void Default_paths_come_from_the_given_environment()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity);
            request.ConfigPath = null;
            request.CredentialsPath = null;
            var env = new Dictionary<string, string>
            {
                ["AWS_CONFIG_FILE"] = "~/aws/config",
                ["AWS_SHARED_CREDENTIALS_FILE"] = dir.File("creds"),
                ["HOME"] = dir.Path,
            };

            ProfilePlan plan = Setup(env).Prepare(request).Plan;

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(Path.Combine(dir.Path, "aws", "config"), plan.ConfigPath);
            }

            Assert.Equal(dir.File("creds"), plan.CredentialsPath);
        }

        [NotOnMonoFact]
        public void SetEnvironment_gets_AWS_PROFILE_and_the_region_and_a_warning_when_keys_in_the_environment_win()
        {
            using var dir = new TempDir();
            PreparedProfile quiet = Setup().Prepare(Request(dir, ProfileMode.WebIdentity));
            Assert.Null(quiet.EnvironmentWarning);
            Assert.Equal(
                new[] { "AWS_PROFILE=oidc", "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1" },
                quiet.EnvironmentVariables.Select(v => v.Key + "=" + v.Value));

            PreparedProfile warned = Setup(new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLE" }).Prepare(Request(dir, ProfileMode.WebIdentity));
            Assert.Contains("AWS_ACCESS_KEY_ID is set in this process", warned.EnvironmentWarning);
        }

        [NotOnMonoFact]
        public void The_exchange_gets_the_cancellation_token()
        {
            using var dir = new TempDir();
            using var cancel = new CancellationTokenSource();
            CancellationToken seen = default;
            var setup = new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (request, ct) =>
            {
                seen = ct;
                throw new OperationCanceledException(ct);
            });
            cancel.Cancel();
            Assert.Throws<OperationCanceledException>(() => setup.Prepare(Request(dir, ProfileMode.Credential), cancel.Token));
            Assert.Equal(cancel.Token, seen);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }
}
