using System.IO;
using System.Text;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class TextFileEncodingTests
    {
        [Fact]
        public void Utf8_decodes_keeping_the_bom_as_a_character()
        {
            byte[] bytes = Encoding.UTF8.GetPreamble();
            bytes = Concat(bytes, Encoding.UTF8.GetBytes("[a]\nk = \u00e9\n"));
            Assert.Equal("\uFEFF[a]\nk = \u00e9\n", TextFileEncoding.Decode(bytes, out bool latin1));
            Assert.False(latin1);
            Assert.Equal(bytes, TextFileEncoding.Encode("\uFEFF[a]\nk = \u00e9\n", latin1));
        }

        [Fact]
        public void Bytes_that_are_not_utf8_round_trip_as_latin1()
        {
            byte[] bytes = { (byte)'k', (byte)'=', 0xE9, 0xFF, 0x80, (byte)'\n' };
            string text = TextFileEncoding.Decode(bytes, out bool latin1);
            Assert.True(latin1);
            Assert.Equal(bytes, TextFileEncoding.Encode(text, latin1));
        }

        [Fact]
        public void Latin1_cannot_take_characters_above_U_00FF()
        {
            Assert.Null(TextFileEncoding.Encode("k = \u65e5", latin1: true));
            Assert.Equal(Encoding.UTF8.GetBytes("k = \u65e5"), TextFileEncoding.Encode("k = \u65e5", latin1: false));
        }

        [Fact]
        public void A_new_utf8_file_gets_no_bom()
        {
            Assert.Equal(new byte[] { (byte)'a' }, TextFileEncoding.Encode("a", latin1: false));
        }

        [Fact]
        public void ReadFile_decodes_like_the_writer_and_is_null_for_a_missing_file()
        {
            using var dir = new TempDir();
            Assert.Null(TextFileEncoding.ReadFile(dir.File("missing")));
            File.WriteAllBytes(dir.File("f"), new byte[] { 0xEF, 0xBB, 0xBF, (byte)'x' });
            Assert.Equal("\uFEFFx", TextFileEncoding.ReadFile(dir.File("f")));
        }

        private static byte[] Concat(byte[] a, byte[] b)
        {
            var r = new byte[a.Length + b.Length];
            a.CopyTo(r, 0);
            b.CopyTo(r, a.Length);
            return r;
        }
    }
}
