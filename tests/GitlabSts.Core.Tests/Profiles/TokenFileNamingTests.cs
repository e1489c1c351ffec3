using System.IO;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class TokenFileNamingTests
    {
        [Fact]
        public void The_default_token_file_sits_in_a_gitlabsts_folder_beside_the_config()
        {
            using var dir = new TempDir();
            Assert.Equal(Path.Combine(dir.Path, "gitlabsts", "oidc.token"), TokenFileNaming.DefaultPath(dir.File("config"), "oidc"));
        }

        [Theory]
        [InlineData("oidc", "oidc")]
        [InlineData("a.b_c-d", "a.b_c-d")]
        public void A_portable_name_is_kept(string name, string expected) => Assert.Equal(expected, TokenFileNaming.SafeFileName(name));

        [Theory]
        [InlineData("a/b", "a_b-")]
        [InlineData("con", "con-")]
        [InlineData("COM1.x", "COM1.x-")]
        [InlineData("trailing.", "trailing.-")]
        [InlineData("...", "...-")]
        public void Other_names_are_sanitized_and_get_a_hash(string name, string prefix)
        {
            string safe = TokenFileNaming.SafeFileName(name);
            Assert.StartsWith(prefix, safe);
            Assert.Matches("-[0-9a-f]{8}$", safe);
            Assert.Equal(safe, TokenFileNaming.SafeFileName(name)); // stable
        }

        [Fact]
        public void Names_that_sanitize_alike_do_not_collide()
        {
            Assert.NotEqual(TokenFileNaming.SafeFileName("a/b"), TokenFileNaming.SafeFileName("a:b"));
            Assert.NotEqual(TokenFileNaming.SafeFileName("a/b"), TokenFileNaming.SafeFileName("a_b"));
        }
    }
}
