using System;
using System.IO;
using System.Text;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tests.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>-TrustPolicy as a file: read up to 64 KiB (with its byte order mark), refused beyond, never read whole.</summary>
    public sealed class TrustPolicySourceTests : IDisposable
    {
        private const string Policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "gitlabsts-tps-" + Guid.NewGuid().ToString("N"));

        public TrustPolicySourceTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        private string Write(byte[] bytes)
        {
            string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllBytes(path, bytes);
            return path;
        }

        private static byte[] Padded(int size) => Encoding.UTF8.GetBytes(new string(' ', size - Policy.Length) + Policy);

        [Fact]
        public void A_file_of_exactly_64_KiB_is_read()
        {
            string path = Write(Padded(TrustPolicySource.MaxFileBytes));

            Assert.Equal(65536, TrustPolicySource.MaxFileBytes);
            Assert.EndsWith(Policy, TrustPolicySource.Read(path, p => p));
        }

        [Theory]
        [InlineData(65537)]
        [InlineData(10 * 1024 * 1024)]
        public void A_larger_file_is_InvalidPolicy_with_its_size_in_bytes(int size)
        {
            string path = Write(Padded(size));

            var e = Assert.Throws<GitlabStsException>(() => TrustPolicySource.Read(path, p => p));

            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Equal("TrustPolicy", e.Target);
            Assert.Contains($"is {size} bytes", e.Message);
            Assert.Contains("at most 65536 bytes", e.Message);
            Assert.Contains(path, e.Message);
        }

        [UnixFact]
        public void A_file_that_never_ends_is_refused_after_64_KiB()
        {
            // File.ReadAllText would never return here.
            var e = Assert.Throws<GitlabStsException>(() => TrustPolicySource.Read("/dev/zero", p => p));

            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains("more than 65536 bytes", e.Message);
        }

        [Theory]
        [InlineData("utf-8 bom")]
        [InlineData("utf-16le bom")]
        [InlineData("utf-16be bom")]
        [InlineData("utf-8")]
        public void The_text_is_decoded_by_its_byte_order_mark_else_as_UTF8(string encoding)
        {
            string text = "{\"Sid\":\"caf\u00e9\"}";
            Encoding enc = encoding == "utf-16le bom" ? new UnicodeEncoding(false, true)
                : encoding == "utf-16be bom" ? new UnicodeEncoding(true, true)
                : new UTF8Encoding(encoding == "utf-8 bom");
            byte[] preamble = enc.GetPreamble();
            byte[] body = enc.GetBytes(text);
            byte[] bytes = new byte[preamble.Length + body.Length];
            preamble.CopyTo(bytes, 0);
            body.CopyTo(bytes, preamble.Length);

            Assert.Equal(text, TrustPolicySource.Read(Write(bytes), p => p));
        }

        [Fact]
        public void Json_text_is_taken_as_is_whatever_its_length()
        {
            string big = "{" + new string(' ', 100000) + "}";

            Assert.Same(big, TrustPolicySource.Read(big, p => throw new InvalidOperationException("not a path")));
        }
    }
}
