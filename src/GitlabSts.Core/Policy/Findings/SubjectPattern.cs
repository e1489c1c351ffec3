using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// What one <c>:sub</c> value or pattern of a trust policy admits, read against GitLab's four sub formats
    /// (<c>project_path:P:ref_type:T:ref:R</c> by default; <c>project_path,ref,ref_type</c>, <c>project_path,ref</c> and
    /// <c>project_path,ref_type</c> by the project's <c>ci_id_token_sub_claim_components</c> setting). Project paths and
    /// git refs never contain <c>:</c>, so a literal <c>:</c> separates components; under StringLike <c>*</c> and <c>?</c>
    /// match <c>/</c> and <c>:</c> too.
    /// </summary>
    internal sealed class SubjectPattern
    {
        internal const string Prefix = "project_path:";

        /// <summary>The project setting that chooses the sub format.</summary>
        internal const string FormatSetting = "ci_id_token_sub_claim_components";

        private static readonly Regex RefTypeValue = new Regex("ref_type:([^:*?]*)(?=:|$)", RegexOptions.CultureInvariant);

        private SubjectPattern(string value, bool like, bool ignoreCase)
        {
            Value = value;
            Like = like && (value.IndexOf('*') >= 0 || value.IndexOf('?') >= 0);
            IgnoreCase = ignoreCase;
            Segments = value.Split(':');
            Analyse();
        }

        /// <summary>The value as written in the policy.</summary>
        internal string Value { get; }

        /// <summary>A StringLike pattern with a wildcard (under StringEquals <c>*</c> is a literal character).</summary>
        internal bool Like { get; }

        internal bool IgnoreCase { get; }

        private string[] Segments { get; }

        /// <summary>Why GitLab never emits a matching subject; null when it may.</summary>
        internal string? Impossible { get; private set; }

        /// <summary>The non-default format the value is written in (e.g. <c>project_path,ref</c>); null for the default or unknown.</summary>
        internal string? NonDefaultFormat { get; private set; }

        /// <summary>The pattern admits a project of any group of the instance (<c>*</c>, <c>project_path:*…</c>).</summary>
        internal bool AdmitsEveryProject { get; private set; }

        /// <summary>What a wildcard lets in beyond one project, ref type and ref (RefScope), e.g. <c>every ref type</c>.</summary>
        internal IReadOnlyList<string> Loose { get; private set; } = Array.Empty<string>();

        /// <summary>The value may admit a branch (it does not pin <c>ref_type:tag</c>).</summary>
        internal bool AdmitsBranches { get; private set; } = true;

        /// <summary>The project path when the value names one without a wildcard; null otherwise.</summary>
        internal string? ProjectPath { get; private set; }

        internal static SubjectPattern Of(string value, string op)
        {
            string b = BaseOperator(op);
            return new SubjectPattern(value, b.StartsWith("StringLike", StringComparison.OrdinalIgnoreCase),
                b.IndexOf("IgnoreCase", StringComparison.OrdinalIgnoreCase) >= 0);
        }

        /// <summary><c>ForAnyValue:StringLikeIfExists</c> → <c>StringLike</c>.</summary>
        internal static string BaseOperator(string op)
        {
            int colon = op.IndexOf(':');
            string b = colon >= 0 ? op.Substring(colon + 1) : op;
            return b.EndsWith("IfExists", StringComparison.OrdinalIgnoreCase) ? b.Substring(0, b.Length - "IfExists".Length) : b;
        }

        /// <summary>StringEquals, StringEqualsIgnoreCase, StringLike (any set/IfExists form): values that admit.</summary>
        internal static bool IsPositiveString(string op)
        {
            string b = BaseOperator(op);
            return b.Equals("StringEquals", StringComparison.OrdinalIgnoreCase) || b.Equals("StringEqualsIgnoreCase", StringComparison.OrdinalIgnoreCase)
                || b.Equals("StringLike", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike (any set/IfExists form): values that exclude.</summary>
        internal static bool IsNegatedString(string op)
        {
            string b = BaseOperator(op);
            return b.Equals("StringNotEquals", StringComparison.OrdinalIgnoreCase) || b.Equals("StringNotEqualsIgnoreCase", StringComparison.OrdinalIgnoreCase)
                || b.Equals("StringNotLike", StringComparison.OrdinalIgnoreCase);
        }

        private StringComparison Cmp => IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        private static bool HasWild(string s) => s.IndexOf('*') >= 0 || s.IndexOf('?') >= 0;

        /// <summary>The format named by the keys at positions 0, 2, 4 (<c>project_path,ref_type,ref</c> is the default).</summary>
        private string? Format()
        {
            if (Segments.Length % 2 != 0 || Segments.Length < 4) return null;
            var keys = new List<string>();
            for (int i = 0; i < Segments.Length; i += 2)
            {
                if (HasWild(Segments[i])) return null;
                keys.Add(Segments[i]);
            }
            string f = string.Join(",", keys);
            foreach (string known in new[] { "project_path,ref_type,ref", "project_path,ref,ref_type", "project_path,ref", "project_path,ref_type" })
            {
                if (string.Equals(f, known, Cmp)) return known;
            }
            return null;
        }

        private void Analyse()
        {
            // A subject always starts with project_path: (the literal prefix before the first wildcard must agree with it).
            int firstWild = Like ? Value.IndexOfAny(new[] { '*', '?' }) : -1;
            string literal = firstWild >= 0 ? Value.Substring(0, firstWild) : Value;
            bool prefixOk = literal.Length >= Prefix.Length
                ? literal.StartsWith(Prefix, Cmp)
                : Prefix.StartsWith(literal, Cmp) && firstWild >= 0;
            if (!prefixOk)
            {
                Impossible = $"it does not start with {Prefix} (every GitLab subject does, in all four sub formats)";
                return;
            }
            if (Like && Value[firstWild] == '*' && literal.Length <= Prefix.Length)
            {
                AdmitsEveryProject = true;
            }

            // ref_type is only ever branch or tag.
            foreach (Match m in RefTypeValue.Matches(Value))
            {
                string t = m.Groups[1].Value;
                if (!new[] { "branch", "tag", "ref", "ref_type" }.Any(x => string.Equals(x, t, Cmp)))
                {
                    Impossible = $"ref_type \"{t}\" is never emitted: GitLab's ref_type is branch or tag";
                    return;
                }
            }

            string? format = Format();
            if (!Like)
            {
                // A literal value: exactly one of the four formats, a path with a group, a ref.
                if (format == null)
                {
                    Impossible = "it is not in any of GitLab's four sub formats (default project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>)";
                    return;
                }
                if (Value.Split(':').Where((s, i) => i % 2 == 1).Any(s => s.Length == 0))
                {
                    Impossible = "a component is empty";
                    return;
                }
            }
            string seg = format != null ? Segments[1] : "";
            if (format != null && !(Like && HasWild(seg)) && (seg.IndexOf('/') <= 0 || seg.EndsWith("/", StringComparison.Ordinal)))
            {
                Impossible = $"the project path \"{seg}\" has no group (GitLab paths are <group>[/<subgroup>…]/<project>)";
                return;
            }
            if (format != null && format != "project_path,ref_type,ref") NonDefaultFormat = format;
            if (Segments.Length >= 3 && !(Like && HasWild(Segments[1]))) ProjectPath = Segments[1];

            string? type = format == null ? null : Component(format, "ref_type");
            AdmitsBranches = type == null || (Like && HasWild(type) ? Glob(type).IsMatch("branch") : string.Equals(type, "branch", Cmp));
            if (Like && !AdmitsEveryProject) Loose = FindLoose(format);
        }

        private string? Component(string format, string name)
        {
            string[] keys = format.Split(',');
            int i = Array.IndexOf(keys, name);
            return i < 0 ? null : Segments[2 * i + 1];
        }

        private IReadOnlyList<string> FindLoose(string? format)
        {
            var loose = new List<string>();
            string path = Segments.Length > 1 ? Segments[1] : "";
            bool pathLast = Segments.Length == 2;
            int star = path.IndexOf('*');
            if (star >= 0)
            {
                string before = path.Substring(0, star);
                loose.Add(before.EndsWith("/", StringComparison.Ordinal)
                    ? $"every project and subgroup of {before.TrimEnd('/')}"
                    : $"every project path matching {path} (\"*\" matches \"/\": subgroups too)");
                if (pathLast) loose.Add("every ref type and every ref");
                return loose;
            }
            if (Segments.Length == 3 && Segments[2].Trim('*').Length == 0)
            {
                loose.Add("every ref type and every ref");
                return loose;
            }
            if (format == null) return loose;
            string? type = Component(format, "ref_type"), reference = Component(format, "ref");
            bool typeLast = format.EndsWith("ref_type", StringComparison.Ordinal);
            if (type != null && HasWild(type) && Glob(type).IsMatch("branch") && Glob(type).IsMatch("tag"))
            {
                loose.Add("every ref type (a tag named like an admitted branch gets in)");
                if (typeLast && type.EndsWith("*", StringComparison.Ordinal) && reference == null) loose.Add("every ref");
            }
            if (reference != null && reference.Length > 0 && reference.Trim('*').Length == 0)
            {
                string what = type == null ? "ref" : !HasWild(type) && type.Equals("tag", Cmp) ? "tag" : !HasWild(type) && type.Equals("branch", Cmp) ? "branch" : "ref";
                loose.Add($"every {what} (any developer's {what} of the project)");
            }
            return loose;
        }

        /// <summary>A StringLike glob as a regular expression (case per the operator).</summary>
        internal Regex Glob(string pattern)
        {
            string rx = "^" + string.Concat(pattern.Select(c => c == '*' ? ".*" : c == '?' ? "." : Regex.Escape(c.ToString()))) + "$";
            return new Regex(rx, RegexOptions.Singleline | RegexOptions.CultureInvariant | (IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
        }

        /// <summary>Whether the value admits <paramref name="subject"/> (StringLike or equality, case per the operator).</summary>
        internal bool Admits(string? subject) =>
            subject != null && (Like ? Glob(Value).IsMatch(subject) : string.Equals(Value, subject, Cmp));

        /// <summary>
        /// The value narrowed to one project, ref type and ref (default format): the token's own when the value admits them,
        /// else the value's literal parts, else placeholders.
        /// </summary>
        internal string Narrowed(SubjectParts token)
        {
            string seg = Segments.Length > 1 ? Segments[1] : "*";
            string path;
            if (!Like || !HasWild(seg)) path = seg;
            else if (token.ProjectPath != null && Glob(seg).IsMatch(token.ProjectPath)) path = token.ProjectPath;
            else
            {
                string before = seg.Substring(0, seg.IndexOfAny(new[] { '*', '?' }));
                path = before.EndsWith("/", StringComparison.Ordinal) ? before + "<project>" : "<group>/<project>";
            }
            string? f = Format();
            string? t = f == null ? null : Component(f, "ref_type"), r = f == null ? null : Component(f, "ref");
            string type = t != null && !(Like && HasWild(t)) ? t : token.RefType != null && (t == null || Glob(t).IsMatch(token.RefType)) ? token.RefType : "branch";
            string reference = r != null && !(Like && HasWild(r)) ? r : token.Ref != null && (r == null || Glob(r).IsMatch(token.Ref)) ? token.Ref : "main";
            return $"{Prefix}{path}:ref_type:{type}:ref:{reference}";
        }
    }

    /// <summary>The token's (or what-if's) project path, ref type and ref: what a narrowed value is built from.</summary>
    internal sealed class SubjectParts
    {
        internal string? ProjectPath { get; set; }
        internal string? RefType { get; set; }
        internal string? Ref { get; set; }
        internal string? ProjectId { get; set; }
        internal string? NamespaceId { get; set; }
        internal string? NamespacePath { get; set; }
        internal string? Subject { get; set; }

        /// <summary>The default-format subject, with placeholders for what is unknown.</summary>
        internal string DefaultSubject =>
            $"{SubjectPattern.Prefix}{ProjectPath ?? "<group>/<project>"}:ref_type:{RefType ?? "branch"}:ref:{Ref ?? "main"}";
    }
}
