using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class ProfileNamesTests
    {
        [Theory]
        [InlineData("default", "default")]
        [InlineData("oidc", "profile oidc")]
        [InlineData("Default", "profile Default")]
        public void The_config_section_of_a_profile(string name, string section) => Assert.Equal(section, ProfileNames.ConfigSection(name));

        [Theory]
        [InlineData("oidc")]
        [InlineData("team/prod:ci")]
        [InlineData("a_b-c@d+e.f%g:h/i")]
        [InlineData("Default")]
        [InlineData("default")]
        [InlineData("dEFAULT")]
        public void A_usable_name_passes(string name)
        {
            Assert.Null(ProfileNames.Problem(name));
            ProfileNames.Check(name);
        }

        [Theory]
        [InlineData("", "must not be empty")]
        [InlineData(null, "must not be empty")]
        [InlineData("DEFAULT", "apply a [DEFAULT] section's keys to every profile")]
        [InlineData(" oidc", "leading or trailing whitespace")]
        [InlineData("oidc ", "leading or trailing whitespace")]
        [InlineData("oidc\t", "leading or trailing whitespace")]
        [InlineData("two words", "'two words' is not usable: it contains whitespace")]
        [InlineData("no\u00a0break", "contains whitespace")]
        [InlineData("line\nbreak", "'line\\nbreak' is not usable: a line break")]
        [InlineData("cr\rx", "a line break")]
        [InlineData("nul\0x", "'nul\\u0000x' is not usable: it contains a control character")]
        [InlineData("bell\u0007", "control character")]
        [InlineData("br[ack", "brackets")]
        [InlineData("ack]et", "brackets")]
        [InlineData("quo\"te", "shell quoting ('\"')")]
        [InlineData("it's", "shell quoting (''')")]
        [InlineData("back\\slash", "shell quoting ('\\')")]
        [InlineData("a#b", "'#' starts a comment")]
        [InlineData("#ab", "'#' starts a comment")]
        [InlineData("a;b", "';' starts a comment")]
        [InlineData("a=b", "'=' separates a key")]
        [InlineData("ünïcode", "JavaScript v3 reads a [profile NAME] header only when NAME has ASCII letters")]
        [InlineData("a$b", "would not find a profile with '$'")]
        [InlineData("p`{touch,x}", "would not find a profile with '`'")]
        [InlineData("a,b", "with ','")]
        [InlineData("a!b", "with '!'")]
        [InlineData("(d)", "with '('")]
        [InlineData("a*b", "with '*'")]
        [InlineData("a&b|c", "with '&'")]
        [InlineData("a~b", "with '~'")]
        [InlineData("a?b", "with '?'")]
        [InlineData("<a>", "with '<'")]
        [InlineData("a\u2019b", "with '\u2019'")]
        public void An_unusable_name_is_InvalidProfileName_saying_why(string? name, string why)
        {
            Assert.Contains(why, ProfileNames.Problem(name));
            var e = Assert.Throws<GitlabStsException>(() => ProfileNames.Check(name));
            Assert.Equal(ErrorIds.InvalidProfileName, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("ProfileName", e.Target);
            Assert.Equal(ProfileNames.Problem(name), e.Message);
            Assert.Contains("Pass -ProfileName", e.Message);
        }

        [Fact]
        public void A_token_as_a_name_is_not_shown()
        {
            const string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6Z3JvdXAvcHJvamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA";
            string problem = ProfileNames.Problem(token)!;
            Assert.Contains("looks like an ID token", problem);
            Assert.DoesNotContain("eyJ", problem);
        }
    }
}
