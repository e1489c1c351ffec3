using System.Collections.Generic;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>A re-run keeps what it does not manage (contract 0.2): MergeSection and RemoveKeys, byte-exact elsewhere.</summary>
    public class AwsIniEditorMergeTests
    {
        private static KeyValuePair<string, string> Kv(string k, string v) => new KeyValuePair<string, string>(k, v);

        private const string Before = "# top\n[default]\nregion = us-east-1\n\n";
        private const string After = "\n# next section's comment\n[profile prod]\nregion = ap-southeast-2\n";

        private static readonly string[] ConfigManaged = { "role_arn", "web_identity_token_file", "role_session_name", "duration_seconds", "credential_process" };

        [Fact]
        public void Unmanaged_keys_comments_and_nested_blocks_stay_in_place_and_our_keys_are_set_where_they_were()
        {
            string section =
                "[profile oidc]\n" +
                "output = json\n" +
                "role_arn = arn:aws:iam::111111111111:role/old\n" +
                "; notes: the deploy role\n" +
                "cli_pager =\n" +
                "s3 =\n" +
                "    max_concurrent_requests = 20\n" +
                "    addressing_style = path\n" +
                "web_identity_token_file = /old/token\n" +
                "region = us-east-1\n";
            string text = Before + section + After;
            string merged = AwsIniEditor.MergeSection(text, "profile oidc",
                new[] { Kv("role_arn", "arn:aws:iam::123456789012:role/new"), Kv("web_identity_token_file", "/new/token"), Kv("role_session_name", "ci"), Kv("region", "eu-west-1") },
                ConfigManaged);

            Assert.Equal(Before +
                "[profile oidc]\n" +
                "output = json\n" +
                "role_arn = arn:aws:iam::123456789012:role/new\n" +
                "; notes: the deploy role\n" +
                "cli_pager =\n" +
                "s3 =\n" +
                "    max_concurrent_requests = 20\n" +
                "    addressing_style = path\n" +
                "web_identity_token_file = /new/token\n" +
                "region = eu-west-1\n" +
                "role_session_name = ci\n" +
                After, merged);
            Assert.Equal(merged, AwsIniEditor.MergeSection(merged, "profile oidc",
                new[] { Kv("role_arn", "arn:aws:iam::123456789012:role/new"), Kv("web_identity_token_file", "/new/token"), Kv("role_session_name", "ci"), Kv("region", "eu-west-1") },
                ConfigManaged));
        }

        [Fact]
        public void Switching_WebIdentity_to_CredentialProcess_removes_the_web_identity_keys_and_nothing_else()
        {
            string before = Before.Replace("\n", "\r\n"), after = After.Replace("\n", "\r\n");
            string text = before + "[profile oidc]\r\nrole_arn = r\r\noutput = text\r\nweb_identity_token_file = /t\r\n# mine\r\nrole_session_name = s\r\nduration_seconds = 3600\r\nregion = eu-west-1\r\n" + after;
            string merged = AwsIniEditor.MergeSection(text, "profile oidc", new[] { Kv("credential_process", "pwsh -c x"), Kv("region", "eu-west-1") }, ConfigManaged);
            Assert.Equal(before + "[profile oidc]\r\noutput = text\r\n# mine\r\nregion = eu-west-1\r\ncredential_process = pwsh -c x\r\n" + after, merged);
        }

        [Fact]
        public void Switching_CredentialProcess_to_WebIdentity_removes_credential_process()
        {
            string text = "[profile oidc]\ncli_pager =\ncredential_process = pwsh -c x\n";
            string merged = AwsIniEditor.MergeSection(text, "profile oidc", new[] { Kv("role_arn", "r"), Kv("web_identity_token_file", "/t") }, ConfigManaged);
            Assert.Equal("[profile oidc]\ncli_pager =\nrole_arn = r\nweb_identity_token_file = /t\n", merged);
        }

        [Fact]
        public void Keys_compare_case_insensitively_as_configparser_reads_them_and_a_later_duplicate_goes()
        {
            string text = "[profile oidc]\nRole_Arn = old\noutput = json\nrole_arn = older\n";
            Assert.Equal("[profile oidc]\nrole_arn = new\noutput = json\n", AwsIniEditor.MergeSection(text, "profile oidc", new[] { Kv("role_arn", "new") }));
        }

        [Fact]
        public void A_managed_key_with_a_nested_block_goes_with_its_block()
        {
            string text = "[profile oidc]\ncredential_process =\n  junk = 1\noutput = json\n";
            Assert.Equal("[profile oidc]\noutput = json\nrole_arn = r\n", AwsIniEditor.MergeSection(text, "profile oidc", new[] { Kv("role_arn", "r") }, ConfigManaged));
        }

        [Fact]
        public void A_file_without_a_final_newline_and_a_header_at_the_end_get_one_line_ending()
        {
            Assert.Equal("[profile oidc]\noutput = json\nrole_arn = r\n", AwsIniEditor.MergeSection("[profile oidc]\noutput = json", "profile oidc", new[] { Kv("role_arn", "r") }));
            Assert.Equal("[profile oidc]\nrole_arn = r", AwsIniEditor.MergeSection("[profile oidc]\nrole_arn = old", "profile oidc", new[] { Kv("role_arn", "r") }));
            Assert.Equal("x = 1\n[profile oidc]\nrole_arn = r\n", AwsIniEditor.MergeSection("x = 1\n[profile oidc]", "profile oidc", new[] { Kv("role_arn", "r") }));
        }

        [Fact]
        public void An_absent_section_is_appended_as_SetSection_does_and_a_later_duplicate_section_goes()
        {
            var keys = new[] { Kv("role_arn", "r") };
            Assert.Equal(AwsIniEditor.SetSection(Before, "profile oidc", keys), AwsIniEditor.MergeSection(Before, "profile oidc", keys));
            Assert.Equal("[profile oidc]\noutput = json\nrole_arn = r\n[x]\na = 1\n",
                AwsIniEditor.MergeSection("[profile oidc]\noutput = json\n[x]\na = 1\n[profile oidc]\nrole_arn = stale\n", "profile oidc", keys));
        }

        [Fact]
        public void RemoveKeys_removes_only_those_keys_and_the_section_when_no_key_is_left()
        {
            var creds = new[] { "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token" };
            string text = "# creds\n[default]\naws_access_key_id = D\n\n[oidc]\naws_access_key_id = A\n; why\naws_secret_access_key = S\nregion = eu-west-1\n\n[z]\nk = v\n";
            Assert.Equal("# creds\n[default]\naws_access_key_id = D\n\n[oidc]\n; why\nregion = eu-west-1\n\n[z]\nk = v\n", AwsIniEditor.RemoveKeys(text, "oidc", creds));

            string onlyOurs = "# creds\n[oidc]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n\n[z]\nk = v\n";
            Assert.Equal("# creds\n\n[z]\nk = v\n", AwsIniEditor.RemoveKeys(onlyOurs, "oidc", creds));
            Assert.Equal(AwsIniEditor.RemoveSection(onlyOurs, "oidc").Text, AwsIniEditor.RemoveKeys(onlyOurs, "oidc", creds));

            string none = "[oidc]\nregion = x\n";
            Assert.Same(none, AwsIniEditor.RemoveKeys(none, "absent", creds));
            Assert.Equal(none, AwsIniEditor.RemoveKeys(none, "oidc", creds));
        }

        [Fact]
        public void PresentKeys_lists_the_keys_of_the_section_among_those_asked()
        {
            Assert.Equal(new[] { "role_arn", "credential_process" }, AwsIniEditor.PresentKeys("[profile oidc]\nrole_arn = r\noutput = json\ncredential_process = c\n", "profile oidc", ConfigManaged));
            Assert.Empty(AwsIniEditor.PresentKeys("", "profile oidc", ConfigManaged));
        }

        [Fact]
        public void A_bad_key_or_value_is_refused_as_by_SetSection()
        {
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.MergeSection("", "profile oidc", new[] { Kv("a\nb", "v") }));
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.MergeSection("", "profile oidc", new[] { Kv("k", "v\n") }));
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.RemoveKeys("", "profile oidc", null!));
        }

        [Fact]
        public void Our_comment_line_goes_above_its_key_and_a_rerun_replaces_it_instead_of_stacking()
        {
            string text = "[profile p]\noutput = json\n; my own note\n";
            KeyValuePair<string, string>[] first = { Kv(AwsIniEditor.CommentKey, "credential_process runs: A"), Kv("credential_process", "x") };
            KeyValuePair<string, string>[] second = { Kv(AwsIniEditor.CommentKey, "credential_process runs: B"), Kv("credential_process", "y") };

            string once = AwsIniEditor.MergeSection(text, "profile p", first);
            string twice = AwsIniEditor.MergeSection(once, "profile p", second);

            Assert.Equal("[profile p]\noutput = json\n; credential_process runs: A\ncredential_process = x\n; my own note\n", once);
            Assert.Equal("[profile p]\noutput = json\n; credential_process runs: B\ncredential_process = y\n; my own note\n", twice);
        }
    }
}
