using System.IO;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// How <see cref="SafeFileWriter"/> reads and writes text so that every byte it does not change stays: strict UTF-8
    /// (a BOM stays in the text as the character U+FEFF), or Latin-1 for bytes that are not valid UTF-8 (which then
    /// round-trip byte for byte).
    /// </summary>
    public static class TextFileEncoding
    {
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

        /// <summary>The text of <paramref name="path"/> decoded as <see cref="SafeFileWriter"/> reads it, or null when it does not exist.</summary>
        public static string? ReadFile(string path) => File.Exists(path) ? Decode(File.ReadAllBytes(path), out _) : null;

        /// <summary>Strict UTF-8 (a BOM stays as U+FEFF), or Latin-1 (<paramref name="latin1"/> true) when the bytes are not valid UTF-8.</summary>
        public static string Decode(byte[] bytes, out bool latin1)
        {
            try
            {
                latin1 = false;
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                latin1 = true;
                return Latin1.GetString(bytes);
            }
        }

        /// <summary>
        /// The bytes of <paramref name="text"/> in the encoding it was read with (UTF-8 without an added BOM, or Latin-1),
        /// or null when <paramref name="latin1"/> is true and the text has a character Latin-1 cannot hold.
        /// </summary>
        public static byte[]? Encode(string text, bool latin1)
        {
            if (!latin1)
            {
                return new UTF8Encoding(false).GetBytes(text);
            }

            foreach (char c in text)
            {
                if (c > '\u00FF')
                {
                    return null;
                }
            }

            return Latin1.GetBytes(text);
        }
    }
}
