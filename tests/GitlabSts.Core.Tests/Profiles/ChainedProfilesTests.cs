using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>
    /// Set-GitlabAwsProfile -ChainRoleArn (issue 12, profile side): the extra profiles' names, sections and markers, the sweep
    /// of an earlier chain's profiles on a re-run, byte preservation, one atomic update of the config file, -WhatIf, and the
    /// account guard in every mode. STS is a fake; tests that write go through the platform writer (not under Mono).
    /// </summary>
    public class ChainedProfilesTests
    {
        private const string FirstRole = "arn:aws:iam::123456789012:role/gitlab-ci";
        private const string HubRole = "arn:aws:iam::222233334444:role/hub";
        private const string DeployRole = "arn:aws:iam::444455556666:role/deployer";
        private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
        private const string SessionToken = "IQoJb3JpZ2luX2VjSESSIONTOKENSECRET==";

        private readonly string token = TestTokens.Mint();
        private readonly List<ExchangeRequest> exchanges = new List<ExchangeRequest>();
        private string assumedAccount = "444455556666";

        private ProfileSetup Setup(IDictionary<string, string>? env = null) =>
            new ProfileSetup(new DictionaryEnvironment(new Dictionary<string, string>(env ?? new Dictionary<string, string>()) { ["GITLAB_OIDC_TOKEN"] = token }), NullLog.Instance, (request, cancel) =>
            {
                exchanges.Add(request);
                return new ExchangeResult(request, "ASIAFROMSTSEXAMPLE01", Secret, SessionToken, DateTime.UtcNow.AddHours(1))
                {
                    AssumedRoleArn = $"arn:aws:sts::{assumedAccount}:assumed-role/{request.FinalRoleArn.RoleName}/gitlab-ci-42",
                };
            });

        private static ProfileSetupRequest Request(TempDir dir, ProfileMode mode, params string[] chain) => new ProfileSetupRequest
        {
            Mode = mode,
            ConfigPath = dir.File("config"),
            CredentialsPath = dir.File("credentials"),
            Exchange = new ExchangeSettings
            {
                RoleArn = FirstRole,
                Token = mode == ProfileMode.CredentialProcess ? new TokenSource(TokenSourceKind.Variable, "GITLAB_OIDC_TOKEN") : new TokenSource(TokenSourceKind.Text, TestTokens.Mint()),
                Region = "eu-west-1",
                RoleSessionName = "gitlab-ci-42",
                ChainRoleArns = chain.Length == 0 ? null : chain,
                ChainDurationSeconds = 900,
            },
            Host = () => new CredentialProcessHost(new[] { "/opt/microsoft/powershell/7/pwsh" }, "/opt/GitlabSts/GitlabSts.psd1", windows: false),
        };

        private static string ExpectedTwoHopConfig(TempDir dir) => string.Join("\n",
            "[profile oidc]",
            "role_arn = " + DeployRole,
            "source_profile = oidc-hop1",
            "role_session_name = gitlab-ci-42",
            "duration_seconds = 900",
            "region = eu-west-1",
            string.Empty,
            "[profile oidc-hop0]",
            "; GitlabSts chain: hop 0 (web identity), source_profile of oidc-hop1; managed by Set-GitlabAwsProfile for profile oidc",
            "role_arn = " + FirstRole,
            "web_identity_token_file = " + Path.Combine(dir.Path, "gitlabsts", "oidc.token"),
            "role_session_name = gitlab-ci-42",
            "duration_seconds = 3600",
            "region = eu-west-1",
            string.Empty,
            "[profile oidc-hop1]",
            "; GitlabSts chain: hop 1, source_profile of oidc; managed by Set-GitlabAwsProfile for profile oidc",
            "role_arn = " + HubRole,
            "source_profile = oidc-hop0",
            "role_session_name = gitlab-ci-42",
            "duration_seconds = 900",
            "region = eu-west-1",
            string.Empty);

        private void Write(ProfileSetupRequest request) => Setup().Prepare(request).Apply();

        // ---- names and markers (pure) ----

        [Theory]
        [InlineData("oidc", 0, "oidc-hop0")]
        [InlineData("default", 1, "default-hop1")]
        [InlineData("team:deploy@prod", 2, "team:deploy@prod-hop2")]
        public void Extra_profile_names_are_the_profile_name_and_the_hop_and_valid_for_every_reader(string owner, int hop, string expected)
        {
            string name = ChainedProfiles.ExtraProfileName(owner, hop);
            Assert.Equal(expected, name);
            Assert.Null(ProfileNames.Problem(name));
            Assert.Equal("profile " + expected, ProfileNames.ConfigSection(name));   // never [default], even for default's chain
        }

        [Theory]
        [InlineData("oidc")]
        [InlineData("a:b")]
        [InlineData("x,y(z)")]
        public void A_marker_names_its_owner_whatever_the_profile_name_holds(string owner)
        {
            string marker = ChainedProfiles.Marker(owner, 1, owner + "-hop2");
            Assert.StartsWith(ChainedProfiles.MarkerPrefix, marker);
            Assert.Equal(owner, ChainedProfiles.MarkerOwner("; " + marker));
            Assert.Equal(owner, ChainedProfiles.MarkerOwner(marker));
            Assert.Null(ChainedProfiles.MarkerOwner("; credential_process runs: Import-Module x"));
            Assert.Null(ChainedProfiles.MarkerOwner("; GitlabSts chain"));
        }

        // ---- planning ----

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void WhatIf_names_every_profile_and_writes_nothing()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole);
            request.WhatIf = true;
            PreparedProfile profile = Setup().Prepare(request);

            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
            Assert.Empty(exchanges);
            Assert.Equal(new[] { "oidc-hop0", "oidc-hop1" }, profile.Plan.SourceProfiles);
            Assert.Equal(DeployRole, profile.Plan.RoleArn);
            ProfileFileChange config = profile.Plan.Changes.Single(c => c.Path == dir.File("config"));
            Assert.Equal("Set [profile oidc], [profile oidc-hop0], [profile oidc-hop1]", config.Action);
            string describe = profile.Plan.Describe();
            foreach (string section in new[] { "[profile oidc]", "[profile oidc-hop0]", "[profile oidc-hop1]" })
            {
                Assert.Contains("Set " + section, describe);
            }

            Assert.Contains("source_profile = oidc-hop1", describe);
            Assert.DoesNotContain(token, describe);
            Assert.Equal(1, profile.Plan.Changes.Count(c => c.Path == dir.File("config")));   // one update of the config file
            Assert.Throws<InvalidOperationException>(() => profile.Apply());
        }

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void The_config_file_gets_every_section_in_one_transform()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            ProfileFileChange config = profile.Plan.Changes.Single(c => c.Kind == ProfileChangeKind.SetSection);

            string text = config.Chain!.Apply(AwsIniEditor.MergeSection(null, config.SectionName!, config.Keys, config.RemoveKeys));

            Assert.Equal(ExpectedTwoHopConfig(dir), text);
        }

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void Without_a_chain_the_plan_is_as_before_and_names_no_source_profile()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.WebIdentity));
            Assert.Empty(profile.Plan.SourceProfiles);
            Assert.Equal(FirstRole, profile.Plan.RoleArn);
            Assert.Equal("Set [profile oidc]", profile.Plan.Changes.Single(c => c.Kind == ProfileChangeKind.SetSection).Action);
        }

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void The_chain_session_name_and_duration_go_to_the_chained_hops_only()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity, DeployRole);
            request.Exchange.ChainRoleSessionName = "deploy-42";
            request.Exchange.ChainDurationSeconds = 1800;
            ProfilePlan plan = Setup().Prepare(request).Plan;
            ProfileFileChange main = plan.Changes.Single(c => c.Kind == ProfileChangeKind.SetSection);
            ProfileFileChange hop0 = main.Chain!.Sections.Single();

            Assert.Equal(new[] { "role_arn=" + DeployRole, "source_profile=oidc-hop0", "role_session_name=deploy-42", "duration_seconds=1800", "region=eu-west-1" },
                main.Keys.Select(k => k.Key + "=" + k.Value));
            Assert.Equal("profile oidc-hop0", hop0.SectionName);
            Assert.Contains(new KeyValuePair<string, string>("role_session_name", "gitlab-ci-42"), hop0.Keys);
            Assert.Contains(new KeyValuePair<string, string>("duration_seconds", "3600"), hop0.Keys);
            Assert.Contains(hop0.Keys, k => k.Key == "web_identity_token_file");
            Assert.Contains("source_profile of oidc;", hop0.Keys.First().Value);
        }

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void CredentialProcess_runs_the_whole_chain_with_the_allowed_accounts()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.CredentialProcess, HubRole, DeployRole);
            request.Exchange.AllowedAccountIds = new[] { "444455556666" };
            ProfilePlan plan = Setup().Prepare(request).Plan;

            string line = plan.Changes.Single(c => c.Kind == ProfileChangeKind.SetSection).Keys.Single(k => k.Key == "credential_process").Value;
            string script = CredentialProcessCommand.Decode(line.Split(' ').Last());
            Assert.Contains($" -RoleArn '{FirstRole}'", script);
            Assert.Contains($" -ChainRoleArn '{HubRole}','{DeployRole}' -ChainDurationSeconds '900' -AllowedAccountId '444455556666'", script);
            Assert.Empty(plan.SourceProfiles);
            Assert.Empty(exchanges);
        }

        [NotOnMonoFact]   // Prepare checks the files with the platform writer
        public void CredentialProcess_carries_allowed_accounts_from_the_variable_too()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.CredentialProcess);
            ProfilePlan plan = Setup(new Dictionary<string, string> { [AccountGuard.Variable] = "123456789012, 111122223333" }).Prepare(request).Plan;
            string line = plan.Changes.Single(c => c.Kind == ProfileChangeKind.SetSection).Keys.Single(k => k.Key == "credential_process").Value;
            Assert.Contains(" -AllowedAccountId '123456789012,111122223333'", CredentialProcessCommand.Decode(line.Split(' ').Last()));
            Assert.DoesNotContain("ChainRoleArn", CredentialProcessCommand.Decode(line.Split(' ').Last()));
        }

        [Fact]
        public void Piped_credentials_with_chain_parameters_are_a_conflict()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential, DeployRole);
            request.Exchange.Token = null!;
            request.Exchange.RoleArn = null;
            request.Credential = new IssuedCredentials { RoleArn = DeployRole, AccessKeyId = "ASIAPIPED", SecretAccessKey = Secret, SessionToken = SessionToken };
            request.GivenParameters = new[] { "Credential", "ChainRoleArn" };

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.ParameterConflict, e.ErrorId);
            Assert.Contains("-ChainRoleArn " + DeployRole, e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        // ---- the account guard: nothing written in any mode ----

        [Theory]
        [InlineData(ProfileMode.WebIdentity)]
        [InlineData(ProfileMode.CredentialProcess)]
        [InlineData(ProfileMode.Credential)]
        public void A_last_role_outside_the_allowed_accounts_writes_nothing_and_sends_nothing(ProfileMode mode)
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, mode, HubRole, DeployRole);
            request.Exchange.AllowedAccountIds = new[] { "222233334444" };   // the hub, not the deployer

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));

            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Equal(ErrorKind.SecurityError, e.Kind);
            Assert.Contains("444455556666", e.Message);
            Assert.Contains("-AllowedAccountId", e.Message);
            Assert.Empty(exchanges);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [Fact]
        public void The_allowed_accounts_variable_guards_a_profile_without_a_chain()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<GitlabStsException>(() =>
                Setup(new Dictionary<string, string> { [AccountGuard.Variable] = "444455556666" }).Prepare(Request(dir, ProfileMode.WebIdentity)));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Contains(AccountGuard.Variable, e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [NotOnMonoFact]
        public void Credential_mode_checks_the_account_STS_returned_and_writes_nothing_on_a_mismatch()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("config"), "[profile other]\nregion = us-east-1\n");
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential, HubRole, DeployRole);
            request.Exchange.AllowedAccountIds = new[] { "444455556666" };
            assumedAccount = "999988887777";   // an exchange that ended elsewhere

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));

            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Contains("999988887777", e.Message);
            Assert.Single(exchanges);
            Assert.False(File.Exists(dir.File("credentials")));
            Assert.Equal("[profile other]\nregion = us-east-1\n", File.ReadAllText(dir.File("config")));
            Assert.DoesNotContain(Secret, e.Message);
        }

        [Fact]
        public void Piped_credentials_of_another_account_are_refused()
        {
            using var dir = new TempDir();
            var request = new ProfileSetupRequest
            {
                ConfigPath = dir.File("config"),
                CredentialsPath = dir.File("credentials"),
                Exchange = new ExchangeSettings { AllowedAccountIds = new[] { "444455556666" } },
                Credential = new IssuedCredentials { RoleArn = FirstRole, AccountId = "123456789012", AccessKeyId = "ASIAPIPED", SecretAccessKey = Secret, SessionToken = SessionToken },
            };
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.AccountNotAllowed, e.ErrorId);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        // ---- writing ----

        [NotOnMonoFact]
        public void A_chained_profile_is_written_as_planned_and_a_rerun_changes_no_byte()
        {
            using var dir = new TempDir();
            ProfileSetupRequest request = Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole);
            Write(request);
            Assert.Equal(ExpectedTwoHopConfig(dir), File.ReadAllText(dir.File("config")));
            Assert.Equal(request.Exchange.Token.Value, File.ReadAllText(Path.Combine(dir.Path, "gitlabsts", "oidc.token")));

            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            Assert.Equal(ExpectedTwoHopConfig(dir), File.ReadAllText(dir.File("config")));
        }

        [NotOnMonoFact]
        public void A_shorter_chain_removes_the_extra_profile_it_no_longer_needs()
        {
            using var dir = new TempDir();
            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            Write(Request(dir, ProfileMode.WebIdentity, DeployRole));

            string text = File.ReadAllText(dir.File("config"));
            Assert.False(AwsIniEditor.HasSection(text, "profile oidc-hop1"));
            Assert.Equal("oidc-hop0", Value(text, "profile oidc", "source_profile"));
            Assert.Contains("source_profile of oidc;", text);   // hop 0's marker now names the profile itself
            Assert.Equal(new[] { "profile oidc-hop0" }, ChainedProfiles.OwnedSections(text, "oidc"));
        }

        [NotOnMonoFact]
        public void A_longer_chain_adds_the_hop_and_points_the_profile_at_it()
        {
            using var dir = new TempDir();
            Write(Request(dir, ProfileMode.WebIdentity, DeployRole));
            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            Assert.Equal(ExpectedTwoHopConfig(dir), File.ReadAllText(dir.File("config")));
        }

        [NotOnMonoTheory]
        [InlineData(ProfileMode.WebIdentity)]
        [InlineData(ProfileMode.Credential)]
        [InlineData(ProfileMode.CredentialProcess)]
        public void A_run_without_a_chain_in_any_mode_leaves_no_extra_profile_and_every_other_byte(ProfileMode mode)
        {
            using var dir = new TempDir();
            const string Before = "# my settings\r\n[profile dev]\r\nregion = us-west-2\r\n; keep me\r\n\r\n[profile oidc]\r\noutput = json\r\n";
            File.WriteAllText(dir.File("config"), Before);
            using (var reference = new TempDir())
            {
                // What the same run writes into the same file when no chain was ever written.
                File.WriteAllText(reference.File("config"), Before);
                Write(Request(reference, mode));
                string expected = File.ReadAllText(reference.File("config")).Replace(reference.Path, dir.Path);

                Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
                Assert.Equal(new[] { "profile oidc-hop0", "profile oidc-hop1" }, ChainedProfiles.OwnedSections(File.ReadAllText(dir.File("config")), "oidc"));
                Write(Request(dir, mode));
                string actual = File.ReadAllText(dir.File("config"));

                // Byte for byte outside [profile oidc]; in it the same keys (a merge sets keys in place, so their order may differ).
                Assert.Equal(AwsIniEditor.RemoveSection(expected, "profile oidc").Text, AwsIniEditor.RemoveSection(actual, "profile oidc").Text);
                Assert.Equal(AwsIniEditor.GetSection(expected, "profile oidc")!.OrderBy(k => k.Key), AwsIniEditor.GetSection(actual, "profile oidc")!.OrderBy(k => k.Key));
            }

            string text = File.ReadAllText(dir.File("config"));
            Assert.StartsWith("# my settings\r\n[profile dev]\r\nregion = us-west-2\r\n; keep me\r\n\r\n[profile oidc]\r\noutput = json\r\n", text);
            Assert.DoesNotContain("source_profile", text);
            Assert.DoesNotContain("\n[profile oidc-hop", text);
        }

        [NotOnMonoFact]
        public void Keys_the_user_added_to_an_extra_profile_stay_when_it_goes()
        {
            using var dir = new TempDir();
            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            string config = File.ReadAllText(dir.File("config"));
            File.WriteAllText(dir.File("config"), AwsIniEditor.MergeSection(config, "profile oidc-hop1", new[] { new KeyValuePair<string, string>("output", "json") }));

            Write(Request(dir, ProfileMode.WebIdentity, DeployRole));

            string text = File.ReadAllText(dir.File("config"));
            Assert.Equal(new[] { new KeyValuePair<string, string>("output", "json") }, AwsIniEditor.GetSection(text, "profile oidc-hop1"));
            Assert.DoesNotContain("hop 1, source_profile", text);   // no longer ours: the marker went with our keys
            Assert.Equal(new[] { "profile oidc-hop0" }, ChainedProfiles.OwnedSections(text, "oidc"));
        }

        [NotOnMonoFact]
        public void Extra_profiles_of_another_profile_are_left_alone()
        {
            using var dir = new TempDir();
            ProfileSetupRequest other = Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole);
            other.ProfileName = "prod";
            Write(other);
            string prod = File.ReadAllText(dir.File("config"));

            Write(Request(dir, ProfileMode.WebIdentity, DeployRole));
            Write(Request(dir, ProfileMode.WebIdentity));

            string text = File.ReadAllText(dir.File("config"));
            Assert.StartsWith(prod, text);
            Assert.Equal(new[] { "profile prod-hop0", "profile prod-hop1" }, ChainedProfiles.OwnedSections(text, "prod"));
            Assert.Empty(ChainedProfiles.OwnedSections(text, "oidc"));
        }

        [NotOnMonoFact]
        public void A_profile_of_the_user_under_an_extra_profile_name_is_refused_before_anything_is_written()
        {
            using var dir = new TempDir();
            const string Before = "[profile oidc-hop0]\nregion = us-east-1\n";
            File.WriteAllText(dir.File("config"), Before);

            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(Request(dir, ProfileMode.WebIdentity, DeployRole)));

            Assert.Equal(ErrorIds.InvalidProfileName, e.ErrorId);
            Assert.Contains("[profile oidc-hop0]", e.Message);
            Assert.Equal(Before, File.ReadAllText(dir.File("config")));
            Assert.False(Directory.Exists(Path.Combine(dir.Path, "gitlabsts")));
        }

        [NotOnMonoFact]
        public void A_failure_inside_the_update_leaves_none_of_the_sections()
        {
            using var dir = new TempDir();
            const string Before = "[profile dev]\nregion = us-west-2\n";
            File.WriteAllText(dir.File("config"), Before);
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));

            // Between the check and the write, someone adds a profile of their own where hop 1 goes.
            string raced = Before + "\n[profile oidc-hop1]\nregion = us-east-1\n";
            File.WriteAllText(dir.File("config"), raced);
            var e = Assert.Throws<GitlabStsException>(() => profile.Apply());

            Assert.Equal(ErrorIds.InvalidProfileName, e.ErrorId);
            Assert.Equal(raced, File.ReadAllText(dir.File("config")));   // neither [profile oidc] nor [profile oidc-hop0]
        }

        [NotOnMonoFact]
        public void WhatIf_names_the_extra_profiles_an_earlier_chain_left()
        {
            using var dir = new TempDir();
            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            string before = File.ReadAllText(dir.File("config"));
            ProfileSetupRequest request = Request(dir, ProfileMode.Credential);
            request.WhatIf = true;

            PreparedProfile profile = Setup().Prepare(request);

            Assert.Contains("remove the extra profiles of an earlier chain of 'oidc': [profile oidc-hop0], [profile oidc-hop1]", profile.Plan.Describe());
            Assert.Equal(before, File.ReadAllText(dir.File("config")));
            Assert.Empty(exchanges);
        }

        [NotOnMonoFact]
        public void Credential_mode_with_a_chain_writes_the_last_hops_keys_and_sweeps_the_extra_profiles()
        {
            using var dir = new TempDir();
            Write(Request(dir, ProfileMode.WebIdentity, HubRole, DeployRole));
            PreparedProfile profile = Setup().Prepare(Request(dir, ProfileMode.Credential, HubRole, DeployRole));
            profile.Apply();

            ExchangeRequest sent = Assert.Single(exchanges);
            Assert.Equal(new[] { HubRole, DeployRole }, sent.ChainRoleArns.Select(r => r.Value));
            Assert.Equal(DeployRole, profile.Plan.RoleArn);
            Assert.Empty(profile.Plan.SourceProfiles);
            Assert.Equal("ASIAFROMSTSEXAMPLE01", Value(File.ReadAllText(dir.File("credentials")), "oidc", "aws_access_key_id"));
            string config = File.ReadAllText(dir.File("config"));
            Assert.Equal(new[] { new KeyValuePair<string, string>("region", "eu-west-1") }, AwsIniEditor.GetSection(config, "profile oidc"));
            Assert.Empty(ChainedProfiles.OwnedSections(config, "oidc"));
            Assert.DoesNotContain("oidc-hop", config);
        }

        private static string? Value(string text, string section, string key) =>
            AwsIniEditor.GetSection(text, section)?.FirstOrDefault(k => k.Key == key).Value;
    }
}
