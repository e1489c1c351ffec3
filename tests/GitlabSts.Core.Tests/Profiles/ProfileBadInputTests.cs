using System;
using System.Collections.Generic;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>Every public profile entry point answers bad input with a GitlabStsException (an id, a kind, a message), never an ArgumentException.</summary>
    public class ProfileBadInputTests
    {
        private static KeyValuePair<string, string>[] Kv(string k, string v) => new[] { new KeyValuePair<string, string>(k, v) };

        private static AwsProfileRequest Valid(Action<AwsProfileRequest> edit)
        {
            var r = new AwsProfileRequest
            {
                Mode = ProfileMode.Credential,
                ConfigPath = "/tmp/gitlabsts-bad-input/config",
                CredentialsPath = "/tmp/gitlabsts-bad-input/credentials",
                AccessKeyId = "ASIAEXAMPLEEXAMPLE01",
                SecretAccessKey = "secret",
            };
            edit(r);
            return r;
        }

        public static IEnumerable<object[]> BadInputs()
        {
            var table = new (string Case, Action Call)[]
            {
                ("ProfilePlan.Create(null)", () => ProfilePlan.Create(null!)),
                ("ProfilePlan.Create: unknown mode", () => ProfilePlan.Create(Valid(r => r.Mode = (ProfileMode)42))),
                ("ProfilePlan.Create: no secret key", () => ProfilePlan.Create(Valid(r => r.SecretAccessKey = null))),
                ("ProfilePlan.Create: bad profile name", () => ProfilePlan.Create(Valid(r => r.ProfileName = "a b"))),
                ("ProfilePlan.Create: blank config path", () => ProfilePlan.Create(Valid(r => r.ConfigPath = ""))),
                ("ProfilePlan.Create: NUL in a path", () => ProfilePlan.Create(Valid(r => r.CredentialsPath = "a\0b"))),
                ("ProfilePlan.Create: line break in a key value", () => ProfilePlan.Create(Valid(r => r.AccessKeyId = "A\nB"))),
                ("ProfilePlan.Create: zero duration", () => ProfilePlan.Create(Valid(r => { r.Mode = ProfileMode.WebIdentity; r.RoleArn = "arn:aws:iam::123456789012:role/r"; r.WebIdentityToken = "t"; r.DurationSeconds = 0; }))),
                ("AwsIniEditor.SetSection: null keys", () => AwsIniEditor.SetSection(null, "a", null!)),
                ("AwsIniEditor.SetSection: bad section", () => AwsIniEditor.SetSection(null, "[x]", Kv("k", "v"))),
                ("AwsIniEditor.SetSection: null value", () => AwsIniEditor.SetSection(null, "a", Kv("k", null!))),
                ("AwsIniEditor.RemoveSection: null section", () => AwsIniEditor.RemoveSection("", null!)),
                ("AwsIniEditor.HasSection: empty section", () => AwsIniEditor.HasSection("", " ")),
                ("AwsIniEditor.GetSection: line break in section", () => AwsIniEditor.GetSection("", "a\nb")),
                ("AwsIniEditor.CheckSection: bad key", () => AwsIniEditor.CheckSection("a", Kv("#k", "v"))),
                ("CredentialProcessCommand.Build: no host", () => CredentialProcessCommand.Build(Array.Empty<string>(), "/m", Array.Empty<KeyValuePair<string, string?>>())),
                ("CredentialProcessCommand.Build: null manifest", () => CredentialProcessCommand.Build(new[] { "/pwsh" }, null!, Array.Empty<KeyValuePair<string, string?>>())),
                ("CredentialProcessCommand.Create: unquotable Unix host path", () => CredentialProcessCommand.Create(new CredentialProcessHost(new[] { "/opt/$(x)/pwsh" }, "/m", false), Array.Empty<KeyValuePair<string, string?>>())),
                ("CredentialProcessCommand.Create: unquotable Windows host path", () => CredentialProcessCommand.Create(new CredentialProcessHost(new[] { @"C:\%PATH%\pwsh.exe" }, "/m", true), Array.Empty<KeyValuePair<string, string?>>())),
                ("CredentialProcessCommand.Create: line break in a value", () => CredentialProcessCommand.Create(new CredentialProcessHost(new[] { "/pwsh" }, "/m", false), new[] { new KeyValuePair<string, string?>("Audience", "a\nb") })),
                ("CredentialProcessCommand.Create(null host)", () => CredentialProcessCommand.Create(null!, null!)),
                ("ProfileNames.Check(null)", () => ProfileNames.Check(null)),
                ("ProfileNames.Check: DEFAULT", () => ProfileNames.Check("DEFAULT")),
                ("ProfileNames.Check: leading space", () => ProfileNames.Check(" oidc")),
                ("ProfileNames.Check: '#'", () => ProfileNames.Check("a#b")),
                ("ProfilePlan.Create: DEFAULT", () => ProfilePlan.Create(Valid(r => r.ProfileName = "DEFAULT"))),
                ("AwsIniEditor.MergeSection: null keys", () => AwsIniEditor.MergeSection(null, "a", null!)),
                ("AwsIniEditor.MergeSection: line break in a value", () => AwsIniEditor.MergeSection(null, "a", Kv("k", "v\nw"))),
                ("AwsIniEditor.RemoveKeys: null keys", () => AwsIniEditor.RemoveKeys("", "a", null!)),
                ("AwsIniEditor.RemoveKeys: bad section", () => AwsIniEditor.RemoveKeys("", "[a]", new[] { "k" })),
                ("ProfileSetup.Prepare: piped credential with -Mode WebIdentity", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange"))
                    .Prepare(new ProfileSetupRequest { Mode = ProfileMode.WebIdentity, GivenParameters = new[] { "Mode" }, Credential = new IssuedCredentials { RoleArn = "arn:aws:iam::123456789012:role/r", AccessKeyId = "A", SecretAccessKey = "s" }, ConfigPath = "/tmp/x/config", CredentialsPath = "/tmp/x/credentials" })),
                ("ProfileSetup.Prepare: piped credential with -TokenFile", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange"))
                    .Prepare(new ProfileSetupRequest { Mode = ProfileMode.Credential, Exchange = new ExchangeSettings { Token = new GitlabSts.Core.Tokens.TokenSource(GitlabSts.Core.Tokens.TokenSourceKind.File, "/tmp/x.jwt") }, Credential = new IssuedCredentials { RoleArn = "arn:aws:iam::123456789012:role/r", AccessKeyId = "A", SecretAccessKey = "s" }, ConfigPath = "/tmp/x/config", CredentialsPath = "/tmp/x/credentials" })),
                ("ProfileModes.Parse: unknown", () => ProfileModes.Parse("Static")),
                ("AwsFileLocations.FullPath: blank", () => new AwsFileLocations(new DictionaryEnvironment()).FullPath(" ", "ConfigPath")),
                ("ProfileSetup.Prepare(null)", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange")).Prepare(null!)),
                ("ProfileSetup.Prepare: bad profile name", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange"))
                    .Prepare(new ProfileSetupRequest { ProfileName = "", Credential = new IssuedCredentials { RoleArn = "arn:aws:iam::123456789012:role/r", AccessKeyId = "A", SecretAccessKey = "s" }, ConfigPath = "/tmp/x/config", CredentialsPath = "/tmp/x/credentials" })),
                ("ProfileSetup.Prepare: piped credential with a bad role", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange"))
                    .Prepare(new ProfileSetupRequest { Credential = new IssuedCredentials { RoleArn = "not-an-arn" } })),
                ("ProfileSetup.Prepare: no role", () => new ProfileSetup(new DictionaryEnvironment(), NullLog.Instance, (r, c) => throw new InvalidOperationException("no exchange"))
                    .Prepare(new ProfileSetupRequest())),
            };
            foreach (var (name, call) in table)
            {
                yield return new object[] { name, call };
            }
        }

        [Theory]
        [MemberData(nameof(BadInputs))]
        public void Bad_input_is_a_GitlabStsException_with_a_message(string name, Action call)
        {
            Exception e = Record.Exception(call);
            Assert.NotNull(e);
            var gitlab = Assert.IsType<GitlabStsException>(e);
            Assert.StartsWith("GitlabSts.", gitlab.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, gitlab.Kind);
            Assert.False(string.IsNullOrWhiteSpace(gitlab.Message), name);
            Assert.DoesNotContain("(Parameter '", gitlab.Message);
        }
    }
}
