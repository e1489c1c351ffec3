using System;
using System.Collections.Generic;
using System.IO;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>
    /// No silent overrides (contract 0.2): piped (already issued) credentials with a parameter they make meaningless are
    /// GitlabSts.ParameterConflict naming both, before anything is written or exchanged; the credential's Region is used.
    /// </summary>
    public class ProfileSetupConflictTests
    {
        private const string RoleArn = "arn:aws:iam::123456789012:role/gitlab-ci";
        private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

        private int exchanges;

        private ProfileSetup Setup(IDictionary<string, string>? env = null) =>
            new ProfileSetup(new DictionaryEnvironment(env ?? new Dictionary<string, string>()), NullLog.Instance, (r, c) =>
            {
                exchanges++;
                throw new InvalidOperationException("no exchange for piped credentials");
            });

        private static ProfileSetupRequest Piped(TempDir dir, Action<ProfileSetupRequest>? edit, params string[] given)
        {
            var request = new ProfileSetupRequest
            {
                ConfigPath = dir.File("config"),
                CredentialsPath = dir.File("credentials"),
                Exchange = new ExchangeSettings(),
                Credential = new IssuedCredentials { RoleArn = RoleArn, AccessKeyId = "ASIAPIPEDEXAMPLE0001", SecretAccessKey = Secret, SessionToken = "tok", Region = "eu-north-1" },
                GivenParameters = new List<string>(given) { "Credential" },
            };
            edit?.Invoke(request);
            return request;
        }

        public static IEnumerable<object[]> Conflicts()
        {
            var table = new (string Given, Action<ProfileSetupRequest> Edit, string Named, string Target)[]
            {
                ("Mode", r => r.Mode = ProfileMode.WebIdentity, "-Mode WebIdentity", "Mode"),
                ("Mode", r => r.Mode = ProfileMode.CredentialProcess, "-Mode CredentialProcess", "Mode"),
                ("RoleArn", r => r.Exchange.RoleArn = "arn:aws:iam::123456789012:role/other", "-RoleArn arn:aws:iam::123456789012:role/other", "RoleArn"),
                ("DurationSeconds", r => r.Exchange.DurationSeconds = 900, "-DurationSeconds 900", "DurationSeconds"),
                ("DurationSeconds", r => r.Exchange.DurationSeconds = ExchangeRequest.DefaultDurationSeconds, "-DurationSeconds 3600", "DurationSeconds"),
                ("RoleSessionName", r => r.Exchange.RoleSessionName = "mine", "-RoleSessionName mine", "RoleSessionName"),
                ("EndpointUrl", r => r.Exchange.EndpointUrl = "http://127.0.0.1:5000", "-EndpointUrl http://127.0.0.1:5000", "EndpointUrl"),
                ("Audience", r => r.Exchange.Audience = "sts.amazonaws.com", "-Audience sts.amazonaws.com", "Audience"),
                ("WebIdentityToken", r => r.Exchange.Token = new TokenSource(TokenSourceKind.Text, "eyJhbGciOiJub25lIn0.e30.c2ln"), "-WebIdentityToken", "WebIdentityToken"),
                ("TokenVariable", r => r.Exchange.Token = new TokenSource(TokenSourceKind.Variable, "MY_TOKEN"), "-TokenVariable MY_TOKEN", "TokenVariable"),
                ("TokenFile", r => r.Exchange.Token = new TokenSource(TokenSourceKind.File, "/tmp/x.jwt"), "-TokenFile /tmp/x.jwt", "TokenFile"),
                ("TokenFilePath", r => r.TokenFilePath = "/tmp/oidc.token", "-TokenFilePath /tmp/oidc.token", "TokenFilePath"),
            };
            foreach (var (given, edit, named, target) in table)
            {
                yield return new object[] { given, edit, named, target };
            }
        }

        [Theory]
        [MemberData(nameof(Conflicts))]
        public void A_piped_credential_with_a_parameter_it_makes_meaningless_is_ParameterConflict_naming_both_and_nothing_is_written(
            string given, Action<ProfileSetupRequest> edit, string named, string target)
        {
            using var dir = new TempDir();
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(Piped(dir, edit, given)));
            Assert.Equal(ErrorIds.ParameterConflict, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal(target, e.Target);
            Assert.Contains("-Credential", e.Message);
            Assert.Contains(named, e.Message);
            Assert.DoesNotContain(Secret, e.Message);
            Assert.DoesNotContain("eyJ", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
            Assert.Equal(0, exchanges);
        }

        [Fact]
        public void Several_conflicts_are_named_together()
        {
            using var dir = new TempDir();
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(Piped(dir, r => { r.Mode = ProfileMode.WebIdentity; r.Exchange.RoleSessionName = "s"; r.TokenFilePath = "/t"; }, "Mode", "RoleSessionName", "TokenFilePath")));
            Assert.Contains("-Mode WebIdentity, -RoleSessionName s, -TokenFilePath /t", e.Message);
            Assert.Equal("Mode", e.Target);
        }

        [NotOnMonoTheory]
        [InlineData("RoleArn")]                  // bound from the piped object's own RoleArn property (ValueFromPipelineByPropertyName)
        [InlineData("Mode")]                     // -Mode Credential says what piping means anyway
        [InlineData("Region")]
        [InlineData("ProfileName")]
        public void What_agrees_with_the_piped_credential_is_no_conflict(string given)
        {
            using var dir = new TempDir();
            var request = Piped(dir, r =>
            {
                r.Exchange.RoleArn = RoleArn;
                r.Mode = ProfileMode.Credential;
                r.Exchange.Region = given == "Region" ? "eu-west-1" : null;
                r.ProfileName = "piped";
            }, given);
            PreparedProfile profile = Setup().Prepare(request);
            Assert.Equal(ProfileMode.Credential, profile.Plan.Mode);
            Assert.Equal(given == "Region" ? "eu-west-1" : "eu-north-1", profile.Region);
            Assert.Empty(ProfileSetup.CredentialConflicts(request, request.Credential!));
        }

        [NotOnMonoFact]
        public void Defaults_that_were_not_given_are_no_conflict()
        {
            using var dir = new TempDir();
            // What the cmdlet passes for `$c | Set-GitlabAwsProfile`: Mode WebIdentity and DurationSeconds 3600 are its defaults, not given.
            var request = Piped(dir, r => r.Mode = ProfileMode.WebIdentity, "RoleArn");
            request.Exchange.RoleArn = RoleArn;
            Assert.Empty(ProfileSetup.CredentialConflicts(request, request.Credential!));
            Assert.Equal(ProfileMode.Credential, Setup().Prepare(request).Plan.Mode);
        }

        [Fact]
        public void Without_a_list_of_given_parameters_a_value_other_than_the_default_counts()
        {
            using var dir = new TempDir();
            var request = Piped(dir, null);
            request.GivenParameters = null;
            Assert.Empty(ProfileSetup.CredentialConflicts(request, request.Credential!));
            request.Exchange.DurationSeconds = 900;
            request.Mode = ProfileMode.CredentialProcess;
            Assert.Equal(new[] { "-Mode CredentialProcess", "-DurationSeconds 900" }, ProfileSetup.CredentialConflicts(request, request.Credential!));
        }

        [NotOnMonoFact]
        public void The_credentials_own_region_is_written_when_no_Region_is_given_and_beats_the_environment()
        {
            using var dir = new TempDir();
            PreparedProfile profile = Setup(new Dictionary<string, string> { ["AWS_REGION"] = "ap-south-1" }).Prepare(Piped(dir, null));
            profile.Apply();
            Assert.Equal("eu-north-1", profile.Region);
            Assert.Equal(new[] { new KeyValuePair<string, string>("region", "eu-north-1") }, AwsIniEditor.GetSection(File.ReadAllText(dir.File("config")), "profile oidc"));

            var noRegion = Piped(dir, null);
            noRegion.Credential!.Region = null;
            Assert.Equal("ap-south-1", Setup(new Dictionary<string, string> { ["AWS_REGION"] = "ap-south-1" }).Prepare(noRegion).Region);
        }

        [Fact]
        public void A_credentials_region_of_another_partition_is_refused()
        {
            using var dir = new TempDir();
            var request = Piped(dir, null);
            request.Credential!.Region = "cn-north-1";
            var e = Assert.Throws<GitlabStsException>(() => Setup().Prepare(request));
            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
        }
    }
}
