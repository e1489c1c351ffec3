using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>
    /// The editor on a corpus of real-world-shaped config and credentials files. Expected results come
    /// from an independent line-based oracle in this file (not from the editor's parser).
    /// </summary>
    public class CorpusTests
    {
        private static readonly string CorpusDir = Path.Combine(AppContext.BaseDirectory, "Profiles", "Corpus");

        private static readonly KeyValuePair<string, string>[] WebIdentityKeys =
        {
            new("role_arn", "arn:aws:iam::123456789012:role/gitlab-ci"),
            new("web_identity_token_file", "/home/ci/.aws/gitlabsts/oidc.token"),
            new("role_session_name", "gitlab-ci-1234"),
            new("duration_seconds", "3600"),
            new("region", "eu-west-1"),
        };

        private static readonly KeyValuePair<string, string>[] StaticKeys =
        {
            new("aws_access_key_id", "ASIAEXAMPLEEXAMPLE01"),
            new("aws_secret_access_key", "secret/with+chars="),
            new("aws_session_token", "IQoJb3JpZ2luX2VjEXAMPLE=="),
        };

        public static IEnumerable<object[]> Files() =>
            Directory.GetFiles(CorpusDir)
                .Select(Path.GetFileName)
                .Where(f => f.EndsWith(".config", StringComparison.Ordinal) || f.EndsWith(".credentials", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new object[] { f });

        /// <summary>Every section header that occurs once, by (our oracle's) name.</summary>
        public static IEnumerable<object[]> UniqueSections()
        {
            foreach (object[] row in Files())
            {
                string file = (string)row[0];
                var names = OracleHeaders(Read(file)).Select(h => h.Name).Where(n => n is not null).ToList();
                foreach (string name in names.Distinct().Where(n => names.Count(x => x == n) == 1))
                {
                    yield return new object[] { file, name };
                }
            }
        }

        [Fact]
        public void The_corpus_has_at_least_20_files_covering_the_required_shapes()
        {
            var files = Files().Select(r => (string)r[0]).ToList();
            Assert.True(files.Count >= 20, $"only {files.Count} corpus files");
            var texts = files.ToDictionary(f => f, Read);
            Assert.Contains(texts, kv => kv.Value.Length == 0);
            Assert.Contains(texts, kv => kv.Value.StartsWith("\uFEFF", StringComparison.Ordinal));
            Assert.Contains(texts, kv => kv.Value.Contains("\r\n"));
            Assert.Contains(texts, kv => kv.Value.Length > 0 && !kv.Value.EndsWith("\n", StringComparison.Ordinal));
            Assert.Contains(texts, kv => kv.Value.Contains("\n#") || kv.Value.StartsWith("#", StringComparison.Ordinal));
            Assert.Contains(texts, kv => kv.Value.Contains("\n;"));
            Assert.Contains(texts, kv => kv.Value.Contains("[sso-session "));
            Assert.Contains(texts, kv => kv.Value.Contains("[services "));
            Assert.Contains(texts, kv => kv.Value.Contains("s3 =\n    "));
            Assert.Contains(texts, kv => kv.Value.Contains("\t"));
            Assert.Contains(texts, kv => kv.Key.EndsWith(".credentials", StringComparison.Ordinal));

            // Byte-exact: git must not have normalized the line endings of the CRLF files.
            Assert.Contains("\r\n[profile oidc]\r\n", Read("06-crlf-with-oidc.config"));
            Assert.DoesNotContain("\n", Read("06-crlf-with-oidc.config").Replace("\r\n", string.Empty));
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void Appending_an_absent_section_keeps_the_file_as_an_exact_prefix(string file)
        {
            string text = Read(file);
            string name = file.EndsWith(".config", StringComparison.Ordinal) ? "profile gitlabsts-new" : "gitlabsts-new";
            var keys = file.EndsWith(".config", StringComparison.Ordinal) ? WebIdentityKeys : StaticKeys;

            string result = AwsIniEditor.SetSection(text, name, keys);

            string eol = OracleEol(text);
            string separator = string.Empty;
            bool onlyBom = text.Length == 0 || text == "\uFEFF";
            if (!onlyBom)
            {
                if (!text.EndsWith("\n", StringComparison.Ordinal))
                {
                    separator += eol;
                }

                var lines = OracleLines(text);
                if (lines[lines.Count - 1].Trim().Length != 0)
                {
                    separator += eol;
                }
            }

            Assert.Equal(text + separator + "[" + name + "]" + eol + Format(keys, eol), result);
            Assert.Equal(result, AwsIniEditor.SetSection(result, name, keys));
        }

        [Theory]
        [MemberData(nameof(UniqueSections))]
        public void Replacing_a_section_keeps_every_byte_before_and_after_it(string file, string section)
        {
            string text = Read(file);
            var keys = file.EndsWith(".config", StringComparison.Ordinal) ? WebIdentityKeys : StaticKeys;
            var (prefixEnd, headerHasEol, suffixStart) = OracleSpan(text, section);
            string eol = OracleEol(text);

            string result = AwsIniEditor.SetSection(text, section, keys);

            string expected = text.Substring(0, prefixEnd) + (headerHasEol ? string.Empty : eol) + Format(keys, eol) + text.Substring(suffixStart);
            Assert.Equal(expected, result);
            Assert.StartsWith(text.Substring(0, prefixEnd), result, StringComparison.Ordinal);
            Assert.EndsWith(text.Substring(suffixStart), result, StringComparison.Ordinal);

            // Idempotent, and a different body then the same body again gives the same bytes.
            Assert.Equal(result, AwsIniEditor.SetSection(result, section, keys));
            string other = AwsIniEditor.SetSection(result, section, new[] { new KeyValuePair<string, string>("region", "us-east-1") });
            Assert.Equal(result, AwsIniEditor.SetSection(other, section, keys));
        }

        [NotOnMonoTheory]
        [MemberData(nameof(Files))]
        public void Writing_the_oidc_profile_through_the_safe_writer_preserves_the_bytes_outside_it(string file)
        {
            byte[] original = File.ReadAllBytes(Path.Combine(CorpusDir, file));
            bool isConfig = file.EndsWith(".config", StringComparison.Ordinal);
            string section = isConfig ? "profile oidc" : "oidc";
            var keys = isConfig ? WebIdentityKeys : StaticKeys;
            using var dir = new TempDir();
            string path = dir.File(isConfig ? "config" : "credentials");
            File.WriteAllBytes(path, original);
            var writer = new SafeFileWriter(new RecordingFilePermissions());

            Assert.True(writer.Update(path, t => AwsIniEditor.SetSection(t, section, keys)));
            byte[] once = File.ReadAllBytes(path);
            Assert.True(writer.Update(path, t => AwsIniEditor.SetSection(t, section, keys)));
            byte[] twice = File.ReadAllBytes(path);

            Assert.Equal(once, twice);
            string text = Encoding.UTF8.GetString(original); // keeps a BOM as U+FEFF
            var headers = OracleHeaders(text).Where(h => h.Name == section).ToList();
            int prefixChars, suffixChars;
            if (headers.Count == 0)
            {
                prefixChars = text.Length;
                suffixChars = text.Length;
            }
            else
            {
                var span = OracleSpan(text, section, allowDuplicates: true);
                prefixChars = span.PrefixEnd;
                suffixChars = span.SuffixStart;
            }

            int prefixBytes = Encoding.UTF8.GetByteCount(text.Substring(0, prefixChars));
            int suffixBytes = original.Length - Encoding.UTF8.GetByteCount(text.Substring(0, suffixChars));
            Assert.Equal(original.Take(prefixBytes).ToArray(), once.Take(prefixBytes).ToArray());
            Assert.Equal(original.Skip(original.Length - suffixBytes).ToArray(), once.Skip(once.Length - suffixBytes).ToArray());
            Assert.Equal(original.Length > 2 && original[0] == 0xEF && original[1] == 0xBB && original[2] == 0xBF, once.Length > 2 && once[0] == 0xEF && once[1] == 0xBB && once[2] == 0xBF);
            Assert.Single(OracleHeaders(Encoding.UTF8.GetString(once)), h => h.Name == section);
            Assert.Equal(keys, AwsIniEditor.GetSection(Encoding.UTF8.GetString(once), section));
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void Removing_a_missing_section_changes_nothing_and_removing_twice_is_idempotent(string file)
        {
            string text = Read(file);
            SectionRemoval absent = AwsIniEditor.RemoveSection(text, "absent-section");
            Assert.False(absent.Removed);
            Assert.Equal(text, absent.Text);
            foreach (string name in OracleHeaders(text).Select(h => h.Name).Where(n => n is not null).Distinct())
            {
                SectionRemoval first = AwsIniEditor.RemoveSection(text, name);
                Assert.True(first.Removed);
                string once = first.Text;
                Assert.False(AwsIniEditor.HasSection(once, name));
                SectionRemoval second = AwsIniEditor.RemoveSection(once, name);
                Assert.False(second.Removed);
                Assert.Equal(once, second.Text);
                Assert.Equal(text.StartsWith("\uFEFF", StringComparison.Ordinal), once.StartsWith("\uFEFF", StringComparison.Ordinal));
            }
        }

        [Fact]
        public void A_missing_file_gets_just_the_section()
        {
            Assert.Equal("[profile oidc]\n" + Format(WebIdentityKeys, "\n"), AwsIniEditor.SetSection(null, "profile oidc", WebIdentityKeys));
        }

        // ---- the oracle --------------------------------------------------------------------------

        private static string Read(string file) => Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(CorpusDir, file)));

        private static string Format(IEnumerable<KeyValuePair<string, string>> keys, string eol) =>
            string.Concat(keys.Select(kv => kv.Key + " = " + kv.Value + eol));

        private static string OracleEol(string text)
        {
            int crlf = Regex.Matches(text, "\r\n").Count;
            int lf = Regex.Matches(text, "\n").Count - crlf;
            return crlf > lf ? "\r\n" : "\n";
        }

        /// <summary>Lines with their line endings.</summary>
        private static List<string> OracleLines(string text) =>
            Regex.Matches(text, "[^\n]*\n|[^\n]+$").Cast<Match>().Select(m => m.Value).ToList();

        private static List<(int Index, string Name)> OracleHeaders(string text)
        {
            var result = new List<(int, string)>();
            var lines = OracleLines(text);
            for (int i = 0; i < lines.Count; i++)
            {
                var m = Regex.Match(lines[i], @"^\uFEFF?[ \t]*\[([^\r\n]*)\]");
                if (m.Success)
                {
                    string inner = m.Groups[1].Value;
                    string name = inner.StartsWith(" ", StringComparison.Ordinal) || inner.StartsWith("\t", StringComparison.Ordinal)
                        ? null
                        : Regex.Replace(inner, @"[ \t]+", " ").TrimEnd();
                    result.Add((i, name));
                }
            }

            return result;
        }

        /// <summary>
        /// Where the section's new body goes: the prefix ends after the (first) header line, the
        /// suffix starts after the last key or indented line before the next header (comments and
        /// blank lines there stay). With duplicates, the suffix starts after the last duplicate's keys.
        /// </summary>
        private static (int PrefixEnd, bool HeaderHasEol, int SuffixStart) OracleSpan(string text, string section, bool allowDuplicates = false)
        {
            var lines = OracleLines(text);
            var starts = new List<int>();
            int pos = 0;
            foreach (string l in lines)
            {
                starts.Add(pos);
                pos += l.Length;
            }

            starts.Add(pos);
            var headers = OracleHeaders(text);
            var mine = headers.Where(h => h.Name == section).ToList();
            Assert.True(allowDuplicates ? mine.Count >= 1 : mine.Count == 1, $"{section} occurs {mine.Count} times");
            int h0 = mine[0].Index;
            int hLast = mine[mine.Count - 1].Index;
            int next = headers.Select(h => h.Index).Where(i => i > hLast).DefaultIfEmpty(lines.Count).First();
            int contentEnd = hLast + 1;
            for (int j = hLast + 1; j < next; j++)
            {
                string trimmed = lines[j].Trim();
                if (trimmed.Length > 0 && trimmed[0] != '#' && trimmed[0] != ';')
                {
                    contentEnd = j + 1;
                }
            }

            return (starts[h0 + 1], lines[h0].EndsWith("\n", StringComparison.Ordinal), starts[contentEnd]);
        }
    }
}
