// A small editor for the AWS shared config and credentials files that changes one section and keeps
// every other byte.
//
// Why our own editor instead of the AWS SDK for .NET (the stack rule is "never hand-write the AWS
// profile format where the SDK already does it"): checked on 2026-11-26 with AWSSDK.Core 4.x
// (AWSSDK.SecurityToken 4.0.101.10), SharedCredentialsFile.RegisterProfile on real-shaped files:
//   * it writes a web-identity profile (role_arn, web_identity_token_file, ...) into the CREDENTIALS
//     file as [oidc], never into the config file as [profile oidc] as the contract requires;
//   * keys come out in alphabetical order as key=value (region first), not in the contract order;
//   * in a CRLF file the lines it writes end in LF (a file with mixed line endings results), and it
//     appends LF to the previous last line that had no trailing newline;
//   * it drops the UTF-8 BOM of a credentials file it rewrites;
//   * with a duplicated [dev] section it rewrites the first one and leaves the second (stale keys
//     stay in effect for readers that merge duplicates);
//   * it rewrites the file in place: no temp file + rename, no inter-process lock, no 0600 mode.
// It did keep comments, blank lines, other sections and nested `s3 =` blocks. Since the issue demands
// byte-for-byte preservation (line endings and BOM included), the atomic/locked write and the config
// file placement, the SDK's writer cannot be used; this editor only touches the lines of the named
// section. Reading profiles (for tests and verification) still goes through the SDKs and CLIs.
//
// Format notes (botocore's configparser and the SDKs agree on these):
//   * a section header is a line whose trimmed text starts with '[' and contains ']'; the name is the
//     text between the first '[' and the last ']' with whitespace runs collapsed and trailing whitespace
//     dropped ("[profile\t x ]" is "profile x", as botocore's shlex split sees it); a name with
//     leading whitespace ("[ profile x]") matches no target, as botocore ignores such a section;
//   * '#' and ';' start a comment line; an indented line continues the previous key (nested `s3 =`
//     blocks); anything else is a `key = value` line;
//   * names are case-sensitive.
//   * a UTF-8 BOM: botocore 1.43 cannot parse such a file at all ("Unable to parse config file"), the
//     .NET SDK can. The BOM is kept anyway (byte preservation; we never add one to a new file);
//   * duplicate sections: botocore 1.43 (AWS CLI v1 and v2, boto3) refuses to parse a file that holds
//     the same section twice (configparser DuplicateSectionError, "Unable to parse config file"), the
//     .NET SDK's writer rewrites the first one. Duplicates of OTHER sections are left byte-identical (not ours to
//     fix). Duplicates of the section we write are all ours: the first occurrence gets the new body,
//     the later occurrences (header and keys) are removed, so that afterwards every reader sees
//     exactly the keys we wrote and no stale key survives in a later copy.

using System;
using System.Collections.Generic;
using System.Text;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Edits the text of an AWS config or credentials file: replaces, appends or removes one section,
    /// leaving every other character (comments, blank lines, other sections, key order, indentation,
    /// line endings, a leading BOM character U+FEFF, a missing final newline) exactly as it was.
    /// All methods are pure string functions.
    /// </summary>
    public static class AwsIniEditor
    {
        /// <summary>The BOM as it appears in text decoded without stripping it.</summary>
        public const char ByteOrderMark = '\uFEFF';

        /// <summary>A pseudo key: a pair with this key is written as a comment line <c>; value</c> (e.g. what credential_process runs).</summary>
        public const string CommentKey = ";";

        /// <summary>
        /// Returns <paramref name="text"/> with the section <paramref name="sectionName"/> (the text
        /// between the brackets, e.g. <c>profile oidc</c>, <c>default</c>, <c>oidc</c>) set to exactly
        /// <paramref name="keyValues"/>, written as <c>key = value</c> in the given order.
        /// An existing section keeps its header line and its position; its keys, and comment or blank
        /// lines between them, are replaced; comment and blank lines after its last key (they
        /// usually belong to the next section) stay. Later duplicates of the section are removed.
        /// An absent section is appended at the end, after one blank line (and after a newline when the
        /// text lacked a final one). New lines use the text's dominant line ending (LF when none).
        /// Idempotent. <paramref name="text"/> null or empty means a missing or empty file.
        /// </summary>
        /// <exception cref="GitlabStsException">An invalid section name, key or value (e.g. a newline in a value): see <see cref="CheckSection"/>.</exception>
        public static string SetSection(string? text, string sectionName, IEnumerable<KeyValuePair<string, string>> keyValues)
        {
            string name = ValidateSectionName(sectionName);
            List<KeyValuePair<string, string>> pairs = ValidatePairs(keyValues);
            text ??= string.Empty;
            var lines = Parse(text);
            string eol = DetectNewLine(text);
            var sections = FindSections(lines, name);
            var sb = new StringBuilder(text.Length + 256);

            if (sections.Count == 0)
            {
                sb.Append(text);
                bool onlyBom = text.Length == 0 || (text.Length == 1 && text[0] == ByteOrderMark);
                if (!onlyBom)
                {
                    var last = lines[lines.Count - 1];
                    if (last.EolLength == 0)
                    {
                        sb.Append(eol);
                    }

                    if (last.Kind != LineKind.Blank)
                    {
                        sb.Append(eol);
                    }
                }

                sb.Append('[').Append(name).Append(']').Append(eol);
                AppendKeys(sb, pairs, eol);
                return sb.ToString();
            }

            int pos = 0;
            for (int i = 0; i < sections.Count; i++)
            {
                var s = sections[i];
                var header = lines[s.HeaderIndex];
                if (i == 0)
                {
                    // Everything up to and including the header line stays.
                    int headerEnd = header.Start + header.ContentLength + header.EolLength;
                    sb.Append(text, pos, headerEnd - pos);
                    if (header.EolLength == 0 && pairs.Count > 0)
                    {
                        sb.Append(eol);
                    }

                    AppendKeys(sb, pairs, eol);
                }
                else
                {
                    // A later duplicate: drop its header and keys.
                    sb.Append(text, pos, header.Start - pos);
                }

                pos = s.ContentEnd < lines.Count ? lines[s.ContentEnd].Start : text.Length;
            }

            sb.Append(text, pos, text.Length - pos);
            return sb.ToString();
        }

        /// <summary>
        /// Returns <paramref name="text"/> with the section <paramref name="sectionName"/> merged, the way <c>aws configure set</c>
        /// edits a profile: each key of <paramref name="keyValues"/> replaces the value of that key in place (keys compare
        /// case-insensitively, as botocore's configparser reads them; a nested block under it goes too), keys the section lacks
        /// are added after its last key, keys in <paramref name="removeKeys"/> (that are not written) are removed with their
        /// nested blocks, and every other line of the section (other keys, nested <c>s3 =</c> blocks, comments, blank lines)
        /// stays where it is, byte for byte. A later duplicate of a key we write is removed; later duplicates of the section are
        /// removed as by <see cref="SetSection"/>. An absent section is appended as by <see cref="SetSection"/>. Idempotent.
        /// </summary>
        public static string MergeSection(string? text, string sectionName, IEnumerable<KeyValuePair<string, string>> keyValues, IEnumerable<string>? removeKeys = null) =>
            EditSection(text, sectionName, ValidatePairs(keyValues), removeKeys, appendIfAbsent: true, dropIfNoKeys: false);

        /// <summary>
        /// Returns <paramref name="text"/> with the keys <paramref name="removeKeys"/> (case-insensitive, with their nested blocks)
        /// removed from the section <paramref name="sectionName"/>; a section left without any key goes as a whole (as by
        /// <see cref="RemoveSection"/>). Every other line stays. An absent section or key changes nothing. Idempotent.
        /// </summary>
        public static string RemoveKeys(string? text, string sectionName, IEnumerable<string> removeKeys) =>
            EditSection(text, sectionName, new List<KeyValuePair<string, string>>(), removeKeys ?? throw Invalid("No keys to remove were given.", nameof(removeKeys)), appendIfAbsent: false, dropIfNoKeys: true);

        /// <summary>The keys (as written, trimmed) of the first occurrence of the section that are in <paramref name="keys"/> (case-insensitive); empty when the section is absent.</summary>
        public static IReadOnlyList<string> PresentKeys(string? text, string sectionName, IEnumerable<string> keys)
        {
            var wanted = new HashSet<string>(keys ?? Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            var section = GetSection(text, sectionName);
            var result = new List<string>();
            if (section is null)
            {
                return result;
            }

            foreach (var kv in section)
            {
                if (wanted.Contains(kv.Key) && !result.Exists(k => string.Equals(k, kv.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    result.Add(kv.Key);
                }
            }

            return result;
        }

        private static string EditSection(string? text, string sectionName, List<KeyValuePair<string, string>> pairs, IEnumerable<string>? removeKeys, bool appendIfAbsent, bool dropIfNoKeys)
        {
            string name = ValidateSectionName(sectionName);
            text ??= string.Empty;
            var lines = Parse(text);
            var sections = FindSections(lines, name);
            if (sections.Count == 0)
            {
                return appendIfAbsent ? SetSection(text, name, pairs) : text;
            }

            // Our comment line (CommentKey) belongs to the key after it: written right above that key, and an earlier copy
            // of it (the same text up to its first ':') is replaced rather than stacked by a re-run.
            var commentFor = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var ownComments = new List<string>();
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int p = 0; p < pairs.Count; p++)
            {
                if (pairs[p].Key == CommentKey)
                {
                    if (p + 1 < pairs.Count)
                    {
                        commentFor[pairs[p + 1].Key] = pairs[p].Value;
                    }

                    int colon = pairs[p].Value.IndexOf(':');
                    ownComments.Add(colon > 0 ? pairs[p].Value.Substring(0, colon + 1) : pairs[p].Value);
                    continue;
                }

                values[pairs[p].Key] = pairs[p].Value;
            }

            var remove = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string key in removeKeys ?? Array.Empty<string>())
            {
                if (!string.IsNullOrEmpty(key) && !values.ContainsKey(key))
                {
                    remove.Add(key.Trim());
                }
            }

            string eol = DetectNewLine(text);
            var written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var body = new StringBuilder();
            bool keptKey = false;
            var first = sections[0];
            var header = lines[first.HeaderIndex];
            bool skipping = false;   // dropping the nested block of a removed or replaced key
            bool lastHadEol = header.EolLength > 0;
            for (int i = first.HeaderIndex + 1; i < first.ContentEnd; i++)
            {
                var line = lines[i];
                if (line.Kind == LineKind.Continuation && skipping)
                {
                    continue;
                }

                skipping = false;
                if (line.Kind == LineKind.Comment && IsOwnComment(Content(text, line), ownComments))
                {
                    continue;
                }

                if (line.Kind == LineKind.Key)
                {
                    string key = KeyOf(Content(text, line));
                    if (values.TryGetValue(key, out string? value))
                    {
                        skipping = true;
                        if (written.Add(key))
                        {
                            AppendLineBreakIfMissing(body, ref lastHadEol, eol);
                            AppendComment(body, commentFor, key, eol);
                            AppendKey(body, KeyName(pairs, key), value, line.EolLength > 0 ? text.Substring(line.Start + line.ContentLength, line.EolLength) : string.Empty);
                            lastHadEol = line.EolLength > 0;
                            keptKey = true;
                        }

                        continue;
                    }

                    if (remove.Contains(key))
                    {
                        skipping = true;
                        continue;
                    }

                    keptKey = true;
                }

                AppendLineBreakIfMissing(body, ref lastHadEol, eol);
                body.Append(text, line.Start, line.ContentLength + line.EolLength);
                lastHadEol = line.EolLength > 0;
            }

            foreach (var kv in pairs)
            {
                if (kv.Key != CommentKey && written.Add(kv.Key))
                {
                    AppendLineBreakIfMissing(body, ref lastHadEol, eol);
                    AppendComment(body, commentFor, kv.Key, eol);
                    AppendKey(body, kv.Key, kv.Value, eol);
                    lastHadEol = true;
                    keptKey = true;
                }
            }

            if (dropIfNoKeys && !keptKey)
            {
                return RemoveSection(text, name).Text;
            }

            var sb = new StringBuilder(text.Length + 256);
            int headerEnd = header.Start + header.ContentLength + header.EolLength;
            sb.Append(text, 0, headerEnd);
            int pos = first.ContentEnd < lines.Count ? lines[first.ContentEnd].Start : text.Length;
            sb.Append(body);   // starts with a line ending when the header had none
            if (!lastHadEol && pos < text.Length)
            {
                sb.Append(eol);
            }

            for (int i = 1; i < sections.Count; i++)
            {
                var s = sections[i];
                sb.Append(text, pos, lines[s.HeaderIndex].Start - pos);
                pos = s.ContentEnd < lines.Count ? lines[s.ContentEnd].Start : text.Length;
            }

            sb.Append(text, pos, text.Length - pos);
            return sb.ToString();
        }

        private static void AppendLineBreakIfMissing(StringBuilder body, ref bool lastHadEol, string eol)
        {
            if (!lastHadEol)
            {
                body.Append(eol);
                lastHadEol = true;
            }
        }

        private static void AppendComment(StringBuilder sb, Dictionary<string, string> commentFor, string key, string eol)
        {
            if (commentFor.TryGetValue(key, out string? comment))
            {
                sb.Append(CommentKey).Append(' ').Append(comment).Append(eol);
            }
        }

        /// <summary>True for a comment line this module wrote (it starts with one of <paramref name="ownPrefixes"/> after the ';').</summary>
        private static bool IsOwnComment(string content, List<string> ownPrefixes)
        {
            string trimmed = content.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] != ';')
            {
                return false;
            }

            string body = trimmed.Substring(1).TrimStart();
            return ownPrefixes.Exists(prefix => body.StartsWith(prefix, StringComparison.Ordinal));
        }

        private static void AppendKey(StringBuilder sb, string key, string value, string lineEnd)
        {
            sb.Append(key).Append(" =");
            if (value.Length > 0)
            {
                sb.Append(' ').Append(value);
            }

            sb.Append(lineEnd);
        }

        /// <summary>The key as we write it (our spelling), for a key found in any casing.</summary>
        private static string KeyName(List<KeyValuePair<string, string>> pairs, string key) =>
            pairs.Find(kv => string.Equals(kv.Key, key, StringComparison.OrdinalIgnoreCase)).Key ?? key;

        private static string KeyOf(string content)
        {
            int eq = content.IndexOf('=');
            return (eq < 0 ? content : content.Substring(0, eq)).Trim();
        }

        /// <summary>
        /// <paramref name="text"/> without the section <paramref name="sectionName"/> (every occurrence: header and key
        /// lines; comment and blank lines after its last key stay), and whether there was one to remove (when not, the
        /// text is unchanged). Idempotent.
        /// </summary>
        public static SectionRemoval RemoveSection(string? text, string sectionName)
        {
            string name = ValidateSectionName(sectionName);
            text ??= string.Empty;
            var lines = Parse(text);
            var sections = FindSections(lines, name);
            if (sections.Count == 0)
            {
                return new SectionRemoval(text, removed: false);
            }

            var sb = new StringBuilder(text.Length);
            int pos = 0;
            foreach (var s in sections)
            {
                var header = lines[s.HeaderIndex];
                int start = header.Start;
                if (s.HeaderIndex == 0 && text.Length > 0 && text[0] == ByteOrderMark)
                {
                    start = 1; // keep the BOM
                }

                sb.Append(text, pos, start - pos);
                pos = s.ContentEnd < lines.Count ? lines[s.ContentEnd].Start : text.Length;
            }

            sb.Append(text, pos, text.Length - pos);
            return new SectionRemoval(sb.ToString(), removed: true);
        }

        /// <summary>True when <paramref name="text"/> holds the section <paramref name="sectionName"/>.</summary>
        public static bool HasSection(string? text, string sectionName)
        {
            string name = ValidateSectionName(sectionName);
            return FindSections(Parse(text ?? string.Empty), name).Count > 0;
        }

        /// <summary>
        /// The key/value pairs of the first occurrence of a section (nested-block lines are skipped;
        /// a key that opens a nested block has an empty value), or null when the section is absent.
        /// For tests and diagnostics; the SDKs remain the authority on how a profile is read.
        /// </summary>
        public static IReadOnlyList<KeyValuePair<string, string>>? GetSection(string? text, string sectionName)
        {
            string name = ValidateSectionName(sectionName);
            text ??= string.Empty;
            var lines = Parse(text);
            var sections = FindSections(lines, name);
            if (sections.Count == 0)
            {
                return null;
            }

            var result = new List<KeyValuePair<string, string>>();
            for (int i = sections[0].HeaderIndex + 1; i < sections[0].ContentEnd; i++)
            {
                if (lines[i].Kind != LineKind.Key)
                {
                    continue;
                }

                string content = Content(text, lines[i]);
                int eq = content.IndexOf('=');
                if (eq < 0)
                {
                    result.Add(new KeyValuePair<string, string>(content.Trim(), string.Empty));
                }
                else
                {
                    result.Add(new KeyValuePair<string, string>(content.Substring(0, eq).Trim(), content.Substring(eq + 1).Trim()));
                }
            }

            return result;
        }

        /// <summary>
        /// Profile names for tab completion, in order of first appearance, without duplicates:
        /// config <c>[default]</c> and <c>[profile default]</c> give <c>default</c>, <c>[profile x]</c>
        /// gives <c>x</c>; every credentials section <c>[x]</c> gives <c>x</c>. Config sections that
        /// are not profiles (<c>[sso-session x]</c>, <c>[services x]</c>, others) and names with
        /// whitespace (which botocore ignores) are skipped.
        /// </summary>
        public static IReadOnlyList<string> ListProfiles(string? configText, string? credentialsText)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<string>();
            void Add(string n)
            {
                if (n.Length > 0 && n.IndexOf(' ') < 0 && seen.Add(n))
                {
                    result.Add(n);
                }
            }

            foreach (var header in HeaderNames(configText))
            {
                if (header == "default")
                {
                    Add(header);
                }
                else if (header.StartsWith("profile ", StringComparison.Ordinal))
                {
                    Add(header.Substring("profile ".Length));
                }
            }

            foreach (var header in HeaderNames(credentialsText))
            {
                Add(header);
            }

            return result;
        }

        /// <summary>
        /// The line ending new lines should use: the one that ends most lines of <paramref name="text"/>
        /// (CRLF or LF; a tie goes to the first one seen), LF when the text has no line ending.
        /// </summary>
        public static string DetectNewLine(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return "\n";
            }

            int crlf = 0, lf = 0;
            string? first = null;
            for (int i = 0; i < text!.Length; i++)
            {
                if (text[i] == '\n')
                {
                    if (i > 0 && text[i - 1] == '\r')
                    {
                        crlf++;
                        first ??= "\r\n";
                    }
                    else
                    {
                        lf++;
                        first ??= "\n";
                    }
                }
            }

            if (crlf > lf)
            {
                return "\r\n";
            }

            if (lf > crlf)
            {
                return "\n";
            }

            return first ?? "\n";
        }

        /// <summary>The normalized name of a section header line (<c>[profile  x ]</c> gives <c>profile x</c>), or null when the line is not a header.</summary>
        public static string? ParseHeaderName(string line)
        {
            if (line is null)
            {
                return null;
            }

            string t = line.Trim();
            if (t.Length > 0 && t[0] == ByteOrderMark)
            {
                t = t.Substring(1).Trim();
            }

            if (t.Length == 0 || t[0] != '[')
            {
                return null;
            }

            int close = t.LastIndexOf(']');
            if (close < 0)
            {
                return null;
            }

            string inner = t.Substring(1, close - 1);
            string normalized = NormalizeName(inner);

            // botocore does not recognize "[ profile x]" or "[ default]" (a leading blank), but does
            // recognize "[profile  x ]" (it splits on whitespace). Keep a leading blank so that such a
            // header never matches a (trimmed) target name, as for botocore.
            return inner.Length > 0 && (inner[0] == ' ' || inner[0] == '\t') && normalized.Length > 0 ? " " + normalized : normalized;
        }

        // ---- parsing ----------------------------------------------------------------------------

        internal enum LineKind
        {
            Blank,
            Comment,
            Header,
            Key,
            Continuation,
        }

        internal struct Line
        {
            public int Start;
            public int ContentLength;
            public int EolLength;
            public LineKind Kind;
            public string? HeaderName;
        }

        internal struct Section
        {
            /// <summary>Index of the header line.</summary>
            public int HeaderIndex;

            /// <summary>Index of the first line after the last key/continuation line of the section (HeaderIndex + 1 when it has none).</summary>
            public int ContentEnd;
        }

        internal static List<Line> Parse(string text)
        {
            var lines = new List<Line>();
            int i = 0;
            while (i < text.Length)
            {
                int nl = text.IndexOf('\n', i);
                int contentEnd, next, eolLen;
                if (nl < 0)
                {
                    contentEnd = text.Length;
                    next = text.Length;
                    eolLen = 0;
                }
                else if (nl > i && text[nl - 1] == '\r')
                {
                    contentEnd = nl - 1;
                    next = nl + 1;
                    eolLen = 2;
                }
                else
                {
                    contentEnd = nl;
                    next = nl + 1;
                    eolLen = 1;
                }

                var line = new Line { Start = i, ContentLength = contentEnd - i, EolLength = eolLen };
                string content = text.Substring(i, contentEnd - i);
                if (i == 0 && content.Length > 0 && content[0] == ByteOrderMark)
                {
                    content = content.Substring(1);
                }

                Classify(ref line, content);
                lines.Add(line);
                i = next;
            }

            if (lines.Count == 0)
            {
                lines.Add(new Line { Start = 0, ContentLength = 0, EolLength = 0, Kind = LineKind.Blank });
            }

            return lines;
        }

        private static void Classify(ref Line line, string content)
        {
            string trimmed = content.Trim();
            if (trimmed.Length == 0)
            {
                line.Kind = LineKind.Blank;
            }
            else if (trimmed[0] == '#' || trimmed[0] == ';')
            {
                line.Kind = LineKind.Comment;
            }
            else if (trimmed[0] == '[' && trimmed.IndexOf(']') > 0)
            {
                line.Kind = LineKind.Header;
                line.HeaderName = ParseHeaderName(trimmed);
            }
            else if (content[0] == ' ' || content[0] == '\t')
            {
                line.Kind = LineKind.Continuation;
            }
            else
            {
                line.Kind = LineKind.Key;
            }
        }

        internal static List<Section> FindSections(List<Line> lines, string name)
        {
            var result = new List<Section>();
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].Kind != LineKind.Header || !string.Equals(lines[i].HeaderName, name, StringComparison.Ordinal))
                {
                    continue;
                }

                int end = i + 1;
                int j = i + 1;
                for (; j < lines.Count && lines[j].Kind != LineKind.Header; j++)
                {
                    if (lines[j].Kind == LineKind.Key || lines[j].Kind == LineKind.Continuation)
                    {
                        end = j + 1;
                    }
                }

                result.Add(new Section { HeaderIndex = i, ContentEnd = end });
                i = j - 1;
            }

            return result;
        }

        private static IEnumerable<string> HeaderNames(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                yield break;
            }

            foreach (var line in Parse(text!))
            {
                if (line.Kind == LineKind.Header && line.HeaderName is not null)
                {
                    yield return line.HeaderName;
                }
            }
        }

        private static string Content(string text, Line line)
        {
            string content = text.Substring(line.Start, line.ContentLength);
            return line.Start == 0 && content.Length > 0 && content[0] == ByteOrderMark ? content.Substring(1) : content;
        }

        private static void AppendKeys(StringBuilder sb, List<KeyValuePair<string, string>> pairs, string eol)
        {
            foreach (var kv in pairs)
            {
                if (kv.Key == CommentKey)
                {
                    sb.Append(CommentKey).Append(' ').Append(kv.Value).Append(eol);
                    continue;
                }

                sb.Append(kv.Key).Append(" =");
                if (kv.Value.Length > 0)
                {
                    sb.Append(' ').Append(kv.Value);
                }

                sb.Append(eol);
            }
        }

        private static string NormalizeName(string name)
        {
            var sb = new StringBuilder(name.Length);
            bool space = false;
            foreach (char c in name.Trim())
            {
                if (c == ' ' || c == '\t')
                {
                    space = true;
                    continue;
                }

                if (space)
                {
                    sb.Append(' ');
                    space = false;
                }

                sb.Append(c);
            }

            return sb.ToString();
        }

        // ---- validation -------------------------------------------------------------------------

        /// <summary>
        /// Checks, without editing anything, that <see cref="SetSection"/> can write this section: throws
        /// <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>, <see cref="ErrorKind.InvalidArgument"/>)
        /// for an empty section name or one with brackets or a line break, a key with '=', brackets, surrounding whitespace or
        /// a leading comment character, and a null value or one with a line break or surrounding whitespace.
        /// </summary>
        public static void CheckSection(string sectionName, IEnumerable<KeyValuePair<string, string>> keyValues)
        {
            ValidateSectionName(sectionName);
            ValidatePairs(keyValues);
        }

        private static string ValidateSectionName(string sectionName)
        {
            string normalized = NormalizeName(sectionName ?? string.Empty);
            if (normalized.Length == 0 || normalized.IndexOfAny(new[] { '[', ']', '\r', '\n', '\0' }) >= 0)
            {
                throw Invalid($"'{sectionName}' is not a valid section name: it must not be empty or contain '[', ']' or a line break.", nameof(sectionName));
            }

            return normalized;
        }

        private static List<KeyValuePair<string, string>> ValidatePairs(IEnumerable<KeyValuePair<string, string>> keyValues)
        {
            if (keyValues is null)
            {
                throw Invalid("No keys were given for the section.", nameof(keyValues));
            }

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var kv in keyValues)
            {
                if (kv.Key != CommentKey)
                {
                    ValidateKey(kv.Key);
                }

                ValidateValue(kv.Key, kv.Value);
                pairs.Add(kv);
            }

            return pairs;
        }

        private static void ValidateKey(string key)
        {
            if (string.IsNullOrEmpty(key) || key.Trim().Length != key.Length || key.IndexOfAny(new[] { '=', '[', ']', '\r', '\n', '\0' }) >= 0 || key[0] == '#' || key[0] == ';')
            {
                throw Invalid($"'{key}' is not a valid key: it must be non-empty, without surrounding whitespace, '=', brackets, line breaks, or a leading '#' or ';'.", "keyValues");
            }
        }

        private static void ValidateValue(string key, string value)
        {
            if (value is null)
            {
                throw Invalid($"The value of '{key}' is null.", "keyValues");
            }

            if (value.IndexOfAny(new[] { '\r', '\n', '\0' }) >= 0)
            {
                throw Invalid($"The value of '{key}' contains a line break; the AWS config format cannot hold one.", "keyValues");
            }

            if (value.Trim().Length != value.Length)
            {
                throw Invalid($"The value of '{key}' has leading or trailing whitespace, which AWS readers would strip.", "keyValues");
            }
        }

        private static GitlabStsException Invalid(string message, string parameter) => ProfileErrors.Invalid(message, parameter);
    }

    /// <summary>The result of <see cref="AwsIniEditor.RemoveSection"/>: the new text, and whether a section was removed.</summary>
    public readonly struct SectionRemoval
    {
        public SectionRemoval(string text, bool removed)
        {
            Text = text;
            Removed = removed;
        }

        /// <summary>The text without the section (the input text when there was none).</summary>
        public string Text { get; }

        /// <summary>True when the section was there and is now gone.</summary>
        public bool Removed { get; }
    }
}
