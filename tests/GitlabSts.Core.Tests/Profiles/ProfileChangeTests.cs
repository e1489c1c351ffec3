using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class ProfileChangeTests
    {
        private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

        private static KeyValuePair<string, string> Kv(string k, string v) => new KeyValuePair<string, string>(k, v);

        [Fact]
        public void A_token_file_change_never_shows_the_token()
        {
            var change = ProfileFileChange.TokenFile("/x/oidc.token", "eyJ.secret.token");
            Assert.Equal(ProfileChangeKind.WriteTokenFile, change.Kind);
            Assert.Equal("Write web identity token file", change.Action);
            Assert.Equal("Write the web identity token (<redacted>) to '/x/oidc.token' (owner-only).", change.Describe());
            Assert.DoesNotContain("secret", change.ToString());
            Assert.Equal("eyJ.secret.token", change.Content);
        }

        [Fact]
        public void A_set_change_lists_its_keys_with_secrets_redacted()
        {
            var change = ProfileFileChange.Set("/x/credentials", "oidc", new[] { Kv("aws_access_key_id", "ASIA1"), Kv("aws_secret_access_key", Secret), Kv("aws_session_token", "tok"), Kv("AWS_SECURITY_TOKEN", "tok2") });
            Assert.Equal("Set [oidc]", change.Action);
            string text = change.Describe();
            Assert.StartsWith("Set [oidc] in '/x/credentials' (owner-only):", text);
            Assert.Contains("aws_access_key_id = ASIA1", text);
            Assert.Contains("aws_secret_access_key = <redacted>", text);
            Assert.Contains("aws_session_token = <redacted>", text);
            Assert.Contains("AWS_SECURITY_TOKEN = <redacted>", text);
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain("tok2", text);
        }

        [Fact]
        public void A_remove_change_says_why()
        {
            var change = ProfileFileChange.Remove("/x/config", "profile oidc", new[] { "role_arn", "credential_process" }, "stale keys.");
            Assert.Equal("Remove role_arn, credential_process from [profile oidc] if present", change.Action);
            Assert.Equal("Remove role_arn, credential_process from [profile oidc] in '/x/config' if present (the section too if no key is left): stale keys.", change.Describe());
            Assert.Empty(change.Keys);
            Assert.Equal(ProfileChangeKind.RemoveKeys, change.Kind);
        }

        [Fact]
        public void A_set_change_says_which_keys_it_removes_and_that_the_others_stay()
        {
            var change = ProfileFileChange.Set("/x/config", "profile oidc", new[] { new KeyValuePair<string, string>("credential_process", "cmd"), new KeyValuePair<string, string>("region", "eu-west-1") },
                new[] { "role_arn", "credential_process", "web_identity_token_file" }, "another mode's keys.");
            Assert.Equal(new[] { "role_arn", "web_identity_token_file" }, change.RemoveKeys);   // never a key it writes
            string text = change.Describe();
            Assert.Contains("and remove, if present: role_arn, web_identity_token_file (another mode's keys.)", text);
            Assert.Contains("Other keys and comments in the section stay.", text);
        }

        [Theory]
        [InlineData("aws_secret_access_key", true)]
        [InlineData("Aws_Session_Token", true)]
        [InlineData("aws_security_token", true)]
        [InlineData("aws_access_key_id", false)]
        [InlineData("role_arn", false)]
        public void Secret_keys(string key, bool secret) => Assert.Equal(secret, ProfileFileChange.IsSecretKey(key));
    }
}
