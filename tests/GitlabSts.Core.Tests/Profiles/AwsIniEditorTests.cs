using System;
using System.Collections.Generic;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class AwsIniEditorTests
    {
        private static KeyValuePair<string, string>[] Keys(params string[] kv)
        {
            var result = new KeyValuePair<string, string>[kv.Length / 2];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1]);
            }

            return result;
        }

        [Fact]
        public void Replaces_the_body_in_place_and_keeps_the_comments_that_belong_to_the_next_section()
        {
            string text = "[profile oidc]\nrole_arn = old\n# inside\nregion = x\n\n# about prod\n[profile prod]\nregion = y\n";
            string result = AwsIniEditor.SetSection(text, "profile oidc", Keys("role_arn", "new"));
            Assert.Equal("[profile oidc]\nrole_arn = new\n\n# about prod\n[profile prod]\nregion = y\n", result);
        }

        [Fact]
        public void Replaces_nested_blocks_of_the_target_and_keeps_those_of_other_sections()
        {
            string text = "[default]\ns3 =\n  a = 1\n[profile oidc]\ns3 =\n  b = 2\n    c = 3\nregion = x\n[profile z]\ns3 =\n  d = 4\n";
            string result = AwsIniEditor.SetSection(text, "profile oidc", Keys("region", "eu-west-1"));
            Assert.Equal("[default]\ns3 =\n  a = 1\n[profile oidc]\nregion = eu-west-1\n[profile z]\ns3 =\n  d = 4\n", result);
        }

        [Fact]
        public void Fills_an_empty_section_and_a_header_on_the_last_line_without_newline()
        {
            Assert.Equal("[a]\nk = v\n[b]\n", AwsIniEditor.SetSection("[a]\n[b]\n", "a", Keys("k", "v")));
            Assert.Equal("[x]\r\n[a]\r\nk = v\r\n", AwsIniEditor.SetSection("[x]\r\n[a]", "a", Keys("k", "v")));
        }

        [Theory]
        [InlineData("", "[a]\nk = v\n")]
        [InlineData("\uFEFF", "\uFEFF[a]\nk = v\n")]
        [InlineData("\n", "\n[a]\nk = v\n")]
        [InlineData("[b]\nx = 1", "[b]\nx = 1\n\n[a]\nk = v\n")]
        [InlineData("[b]\nx = 1\n", "[b]\nx = 1\n\n[a]\nk = v\n")]
        [InlineData("[b]\nx = 1\n\n", "[b]\nx = 1\n\n[a]\nk = v\n")]
        [InlineData("[b]\r\nx = 1", "[b]\r\nx = 1\r\n\r\n[a]\r\nk = v\r\n")]
        [InlineData("# only a comment", "# only a comment\n\n[a]\nk = v\n")]
        public void Appends_an_absent_section_after_one_blank_line(string text, string expected)
        {
            Assert.Equal(expected, AwsIniEditor.SetSection(text, "a", Keys("k", "v")));
            Assert.Equal(expected, AwsIniEditor.SetSection(expected, "a", Keys("k", "v")));
        }

        [Theory]
        [InlineData("", "\n")]
        [InlineData("no newline", "\n")]
        [InlineData("a\nb\n", "\n")]
        [InlineData("a\r\nb\r\n", "\r\n")]
        [InlineData("a\r\nb\r\nc\n", "\r\n")]
        [InlineData("a\nb\nc\r\n", "\n")]
        [InlineData("a\r\nb\n", "\r\n")]
        [InlineData("a\nb\r\n", "\n")]
        public void Detects_the_dominant_line_ending(string text, string expected)
        {
            Assert.Equal(expected, AwsIniEditor.DetectNewLine(text));
        }

        [Fact]
        public void Keeps_the_bom_when_the_target_is_the_first_section()
        {
            string text = "\uFEFF[a]\r\nk = old\r\n[b]\r\n";
            Assert.Equal("\uFEFF[a]\r\nk = new\r\n[b]\r\n", AwsIniEditor.SetSection(text, "a", Keys("k", "new")));
            Assert.Equal("\uFEFF[b]\r\n", AwsIniEditor.RemoveSection(text, "a").Text);
        }

        [Fact]
        public void Duplicates_of_the_target_are_merged_into_the_first_and_other_duplicates_are_left_alone()
        {
            string text = "[oidc]\nk = 1\n\n[dev]\nx = 1\n\n# second copy\n[oidc]\nstale = yes\n\n[dev]\ny = 2\n";
            string result = AwsIniEditor.SetSection(text, "oidc", Keys("k", "2"));
            Assert.Equal("[oidc]\nk = 2\n\n[dev]\nx = 1\n\n# second copy\n\n[dev]\ny = 2\n", result);
            Assert.Equal(result, AwsIniEditor.SetSection(result, "oidc", Keys("k", "2")));
        }

        [Fact]
        public void Removes_every_occurrence_and_keeps_the_rest()
        {
            string text = "[a]\nk = 1\n[oidc]\nx = 1\n\n[b]\n[oidc]\ny = 2";
            Assert.Equal("[a]\nk = 1\n\n[b]\n", AwsIniEditor.RemoveSection(text, "oidc").Text);
        }

        [Theory]
        [InlineData("[profile oidc]", "profile oidc")]
        [InlineData("[profile  oidc ]", "profile oidc")]
        [InlineData("[profile\toidc]", "profile oidc")]
        [InlineData("  [default]  ; comment", "default")]
        [InlineData("[default] # c [x]", "default] # c [x")]
        [InlineData("\uFEFF[default]", "default")]
        [InlineData("[ profile oidc]", " profile oidc")]
        [InlineData("role_arn = [x]", null)]
        [InlineData("# [default]", null)]
        [InlineData("[unclosed", null)]
        public void Parses_header_names_like_botocore(string line, string expected)
        {
            Assert.Equal(expected, AwsIniEditor.ParseHeaderName(line));
        }

        [Fact]
        public void Matches_headers_with_extra_inner_whitespace_but_not_with_a_leading_blank()
        {
            Assert.Equal("[profile  oidc ]\nk = v\n", AwsIniEditor.SetSection("[profile  oidc ]\nk = old\n", "profile oidc", Keys("k", "v")));
            Assert.Equal("[ profile oidc]\nk = old\n\n[profile oidc]\nk = v\n", AwsIniEditor.SetSection("[ profile oidc]\nk = old\n", "profile oidc", Keys("k", "v")));
        }

        [Fact]
        public void Names_are_case_sensitive()
        {
            Assert.Equal("[OIDC]\nk = 1\n\n[oidc]\nk = 2\n", AwsIniEditor.SetSection("[OIDC]\nk = 1\n", "oidc", Keys("k", "2")));
        }

        [Fact]
        public void Writes_key_space_equals_space_value_in_the_given_order()
        {
            var result = AwsIniEditor.SetSection(null, "x", Keys("z", "1", "a", "2", "empty", string.Empty, "eq", "a=b c"));
            Assert.Equal("[x]\nz = 1\na = 2\nempty =\neq = a=b c\n", result);
        }

        [Theory]
        [InlineData("line\nbreak")]
        [InlineData("carriage\rreturn")]
        [InlineData("nul\0")]
        [InlineData(" leading")]
        [InlineData("trailing ")]
        public void Rejects_values_that_the_format_cannot_hold(string value)
        {
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.SetSection(null, "x", Keys("k", value)));
        }

        [Theory]
        [InlineData("")]
        [InlineData("a=b")]
        [InlineData(" k")]
        [InlineData("#k")]
        [InlineData(";k")]
        [InlineData("[k]")]
        [InlineData("k\n")]
        public void Rejects_invalid_keys(string key)
        {
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.SetSection(null, "x", Keys(key, "v")));
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("a]b")]
        [InlineData("a[b")]
        [InlineData("a\nb")]
        public void Rejects_invalid_section_names(string name)
        {
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.SetSection(null, name, Keys("k", "v")));
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.RemoveSection(string.Empty, name).Text);
        }

        [Fact]
        public void Lists_profiles_for_tab_completion()
        {
            string config = "[default]\n[profile dev]\n[sso-session corp]\n[services local]\n[plugins]\n[profile  prod ]\n[ profile ignored]\n[profile default]\n[profile dev]\n";
            string credentials = "[default]\n[ci]\n[dev]\n[profile weird]\n";
            Assert.Equal(new[] { "default", "dev", "prod", "ci" }, AwsIniEditor.ListProfiles(config, credentials));
            Assert.Empty(AwsIniEditor.ListProfiles(null, null));
            Assert.Empty(AwsIniEditor.ListProfiles(string.Empty, "\uFEFF"));
            Assert.Equal(new[] { "a" }, AwsIniEditor.ListProfiles(null, "\uFEFF[a]\r\nk=v"));
        }

        [Fact]
        public void GetSection_reads_keys_and_skips_nested_lines()
        {
            var section = AwsIniEditor.GetSection("[a]\nk=v\ns3 =\n  x = 1\n# c\nj = w = z\n[b]\n", "a");
            Assert.Equal(Keys("k", "v", "s3", string.Empty, "j", "w = z"), section);
            Assert.Null(AwsIniEditor.GetSection("[b]\n", "a"));
        }

        [Fact]
        public void RemoveSection_says_whether_it_removed_and_keeps_the_text_otherwise()
        {
            string text = "[a]\nk = 1\n[b]\n";
            SectionRemoval absent = AwsIniEditor.RemoveSection(text, "c");
            Assert.False(absent.Removed);
            Assert.Equal(text, absent.Text);
            SectionRemoval removed = AwsIniEditor.RemoveSection(text, "a");
            Assert.True(removed.Removed);
            Assert.Equal("[b]\n", removed.Text);
            Assert.False(AwsIniEditor.RemoveSection(null, "a").Removed);
            Assert.Equal(string.Empty, AwsIniEditor.RemoveSection(null, "a").Text);
        }

        [Fact]
        public void CheckSection_refuses_what_SetSection_refuses_with_ProfileWriteFailed()
        {
            AwsIniEditor.CheckSection("profile oidc", Keys("k", "v"));
            foreach (System.Action bad in new System.Action[]
            {
                () => AwsIniEditor.CheckSection("a]b", Keys("k", "v")),
                () => AwsIniEditor.CheckSection(null!, Keys("k", "v")),
                () => AwsIniEditor.CheckSection("a", null!),
                () => AwsIniEditor.CheckSection("a", Keys("k=", "v")),
                () => AwsIniEditor.CheckSection("a", Keys("k", "two\nlines")),
                () => AwsIniEditor.CheckSection("a", Keys("k", " padded")),
                () => AwsIniEditor.SetSection(null, "a", null!),
                () => AwsIniEditor.HasSection("", ""),
            })
            {
                var e = Assert.Throws<GitlabStsException>(bad);
                Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
                Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            }

            Assert.Equal("The value of 'k' contains a line break; the AWS config format cannot hold one.",
                Assert.Throws<GitlabStsException>(() => AwsIniEditor.CheckSection("a", Keys("k", "x\ny"))).Message);
        }
    }
}
