using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Tokens
{
    /// <summary>What an admin's what-if names (Test-GitlabOidcRole -ProjectPath ...), as bound; nothing checked yet.</summary>
    public sealed class ProjectClaimsRequest
    {
        /// <summary>-ProjectPath: <c>group[/subgroup...]/project</c> as GitLab shows it.</summary>
        public string? ProjectPath { get; set; }

        /// <summary>-Ref: the branch or tag name.</summary>
        public string? Ref { get; set; }

        /// <summary>-RefType: <c>branch</c> (default; also for null or empty) or <c>tag</c>, in any case.</summary>
        public string? RefType { get; set; }

        /// <summary>-Issuer; null: <c>$env:CI_SERVER_URL</c>, else <c>https://gitlab.com</c>.</summary>
        public string? Issuer { get; set; }

        /// <summary>-Audience; null: <c>sts.amazonaws.com</c>.</summary>
        public string? Audience { get; set; }

        /// <summary>-Claim: claim name -> a string or strings; a <c>sub</c> key replaces the built subject.</summary>
        public IDictionary? Claim { get; set; }

        /// <summary>-SubClaimComponents; null: <c>project_path,ref_type,ref</c>.</summary>
        public IReadOnlyList<string>? SubClaimComponents { get; set; }

        /// <summary>Turns a host wrapper in -Claim (PowerShell's PSObject) into its value; null: none.</summary>
        public Func<object?, object?>? Unwrap { get; set; }
    }

    /// <summary>
    /// The claims a GitLab CI job of a project and ref would carry in its ID token, for an admin's what-if (no token):
    /// <c>iss</c>, <c>aud</c>, <c>sub</c> (in the project's sub format), <c>project_path</c>, <c>ref</c>, <c>ref_type</c>,
    /// <c>namespace_path</c>, plus -Claim. Every input GitLab would never produce is refused with
    /// <see cref="ErrorIds.InvalidClaim"/> saying what to change; two inputs that would silently override each other are
    /// <see cref="ErrorIds.ParameterConflict"/>.
    /// </summary>
    public static class ProjectClaims
    {
        public const string DefaultIssuer = "https://gitlab.com";
        public const string DefaultAudience = "sts.amazonaws.com";
        public const string Branch = "branch", Tag = "tag";

        /// <summary>GitLab's default <c>ci_id_token_sub_claim_components</c>.</summary>
        public static readonly IReadOnlyList<string> DefaultSubClaimComponents = new[] { "project_path", "ref_type", "ref" };

        /// <summary>The four orders GitLab accepts for <c>ci_id_token_sub_claim_components</c>.</summary>
        public static readonly IReadOnlyList<IReadOnlyList<string>> SubClaimOrders = new IReadOnlyList<string>[]
        {
            DefaultSubClaimComponents,
            new[] { "project_path", "ref", "ref_type" },
            new[] { "project_path", "ref" },
            new[] { "project_path", "ref_type" },
        };

        /// <summary>The claims the builder sets itself; -Claim may not name the three that have their own parameter.</summary>
        private static readonly string[] Built = { "iss", "aud", "sub", "project_path", "ref", "ref_type", "namespace_path" };

        /// <summary>GitLab allows 20 levels of groups above a project.</summary>
        public const int MaxPathSegments = 21;

        /// <summary>GitLab's limit for one path segment.</summary>
        public const int MaxSegmentLength = 255;

        /// <summary>
        /// The job's claims for <paramref name="request"/>. Throws <see cref="GitlabStsException"/>: InvalidClaim for a
        /// malformed input, ParameterConflict for a -Claim that overrides an explicit parameter.
        /// </summary>
        public static TokenClaims Build(ProjectClaimsRequest request, IEnvironmentReader env)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            if (env == null) throw new ArgumentNullException(nameof(env));
            string path = CheckProjectPath(request.ProjectPath);
            string refType = CheckRefType(request.RefType);
            string gitRef = CheckRef(request.Ref, refType);
            IReadOnlyList<string>? explicitComponents = request.SubClaimComponents;
            IReadOnlyList<string> components = CheckSubClaimComponents(explicitComponents);
            string issuer = CheckIssuer(request.Issuer, env);
            string audience = CheckAudience(request.Audience);
            IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> extra = ClaimsFrom(request.Claim, request.Unwrap);

            var claims = new List<KeyValuePair<string, IReadOnlyList<string>>>
            {
                Pair("iss", issuer),
                Pair("aud", audience),
                Pair("sub", Subject(path, refType, gitRef, components)),
                Pair("project_path", path),
                Pair("ref", gitRef),
                Pair("ref_type", refType),
                Pair("namespace_path", path.Substring(0, path.LastIndexOf('/'))),
            };
            foreach (KeyValuePair<string, IReadOnlyList<string>> claim in extra)
            {
                switch (claim.Key)
                {
                    case "project_path":
                    case "ref":
                    case "ref_type":
                        string parameter = claim.Key == "project_path" ? "ProjectPath" : claim.Key == "ref" ? "Ref" : "RefType";
                        throw Invalid($"-Claim sets '{claim.Key}', which -{parameter} sets (and the subject is built from it). Pass it with -{parameter} instead.", "Claim");
                    case "iss" when request.Issuer != null:
                        throw Conflict("-Claim sets 'iss' and -Issuer is given: one would silently override the other. Pass the issuer with -Issuer only.");
                    case "aud" when request.Audience != null:
                        throw Conflict("-Claim sets 'aud' and -Audience is given: one would silently override the other. Pass -Audience alone, or -Claim @{ aud = ... } for several audiences.");
                    case "sub" when explicitComponents != null:
                        throw Conflict("-Claim sets 'sub', which replaces the built subject, and -SubClaimComponents is given, which only shapes the built subject. Pass one of them.");
                    case "iss":
                    case "sub":
                        if (claim.Value.Count != 1)
                        {
                            throw Invalid($"-Claim '{claim.Key}' has {claim.Value.Count} values; a GitLab ID token has exactly one {claim.Key}. Pass a single string.", "Claim");
                        }

                        break;
                }

                claims.Add(claim);
            }

            return TokenClaims.FromClaims(claims);
        }

        /// <summary>The <c>sub</c> GitLab builds: each component as <c>name:value</c>, joined by <c>:</c>, in the project's order.</summary>
        public static string Subject(string projectPath, string refType, string gitRef, IReadOnlyList<string>? components = null)
        {
            var parts = new List<string>();
            foreach (string component in components ?? DefaultSubClaimComponents)
            {
                string value = component switch
                {
                    "project_path" => projectPath,
                    "ref_type" => refType,
                    "ref" => gitRef,
                    _ => throw new ArgumentException($"Unknown sub claim component '{component}'.", nameof(components)),
                };
                parts.Add(component + ":" + value);
            }

            return string.Join(":", parts);
        }

        /// <summary>A project path GitLab would allow (<c>group[/subgroup...]/project</c>), unchanged; else InvalidClaim.</summary>
        public static string CheckProjectPath(string? path)
        {
            ExchangeRequest.RejectTokenIn("ProjectPath", ErrorIds.InvalidClaim, path);
            const string Example = "Pass the path as GitLab shows it, group[/subgroup...]/project, e.g. -ProjectPath acme/infra.";
            if (string.IsNullOrWhiteSpace(path))
            {
                throw Invalid($"-ProjectPath is empty. {Example}", "ProjectPath");
            }

            string p = path!;
            if (p.IndexOf("://", StringComparison.Ordinal) > 0)
            {
                int slash = p.IndexOf('/', p.IndexOf("://", StringComparison.Ordinal) + 3);
                string suggestion = slash > 0 ? p.Substring(slash + 1).TrimEnd('/') : "group/project";
                throw Invalid($"-ProjectPath {Show(p)} is a URL; the project_path claim is the path only. Pass -ProjectPath {Show(suggestion)}.", "ProjectPath");
            }

            if (p.StartsWith("/", StringComparison.Ordinal) || p.EndsWith("/", StringComparison.Ordinal))
            {
                throw Invalid($"-ProjectPath {Show(p)} starts or ends with '/'; GitLab's project_path has neither. Pass -ProjectPath {Show(p.Trim('/'))}.", "ProjectPath");
            }

            string[] segments = p.Split('/');
            if (segments.Length < 2)
            {
                throw Invalid($"-ProjectPath {Show(p)} has no group: every GitLab project lives in a group or a user's namespace. {Example}", "ProjectPath");
            }

            if (segments.Length > MaxPathSegments)
            {
                throw Invalid($"-ProjectPath {Show(p)} has {segments.Length - 1} levels of groups; GitLab allows at most {MaxPathSegments - 1}. {Example}", "ProjectPath");
            }

            foreach (string segment in segments)
            {
                string? why = SegmentProblem(segment);
                if (why != null)
                {
                    throw Invalid($"-ProjectPath {Show(p)}: {why}. GitLab paths use letters, digits, '_', '-' and '.', " +
                        "start with a letter, digit, '_' or '.', and do not end in '.git' or '.atom'. " + Example, "ProjectPath");
                }
            }

            return p;
        }

        private static string? SegmentProblem(string segment)
        {
            if (segment.Length == 0) return "it has an empty segment ('//')";
            if (segment == "." || segment == "..") return $"the segment '{segment}' is not a name";
            if (segment.Length > MaxSegmentLength) return $"a segment is {segment.Length} characters long; GitLab allows {MaxSegmentLength}";
            foreach (char c in segment)
            {
                if (!(c < 128 && (char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.')))
                {
                    return $"the segment {Show(segment)} has the character {ShowChar(c)}, which GitLab does not allow in a path";
                }
            }

            if (segment[0] == '-') return $"the segment {Show(segment)} starts with '-'";
            if (segment.EndsWith(".git", StringComparison.OrdinalIgnoreCase) || segment.EndsWith(".atom", StringComparison.OrdinalIgnoreCase))
            {
                return $"the segment {Show(segment)} ends in '{segment.Substring(segment.LastIndexOf('.'))}'";
            }

            return null;
        }

        /// <summary><c>branch</c> for null or empty, else <c>branch</c> or <c>tag</c> (any case, returned lower case); else InvalidClaim.</summary>
        public static string CheckRefType(string? refType)
        {
            if (string.IsNullOrEmpty(refType)) return Branch;
            if (string.Equals(refType, Branch, StringComparison.OrdinalIgnoreCase)) return Branch;
            if (string.Equals(refType, Tag, StringComparison.OrdinalIgnoreCase)) return Tag;
            string hint = string.Equals(refType!.Trim(), "mr", StringComparison.OrdinalIgnoreCase) || refType.IndexOf("merge", StringComparison.OrdinalIgnoreCase) >= 0
                ? " A merge request pipeline's token has ref_type branch (its ref is the source branch)."
                : string.Empty;
            throw Invalid($"-RefType {Show(refType)} is not a ref type GitLab emits. Pass branch or tag.{hint}", "RefType");
        }

        /// <summary>
        /// A branch or tag name Git (git check-ref-format --branch) and GitLab would allow, unchanged; else InvalidClaim
        /// naming the rule. <paramref name="refType"/> only shapes the message.
        /// </summary>
        public static string CheckRef(string? gitRef, string refType = Branch)
        {
            ExchangeRequest.RejectTokenIn("Ref", ErrorIds.InvalidClaim, gitRef);
            string kind = refType == Tag ? "tag" : "branch";
            if (string.IsNullOrEmpty(gitRef))
            {
                throw Invalid($"-Ref is empty. Pass the {kind} name as GitLab shows it, e.g. -Ref main.", "Ref");
            }

            string r = gitRef!;
            foreach (string prefix in new[] { "refs/heads/", "refs/tags/", "refs/remotes/" })
            {
                if (r.StartsWith(prefix, StringComparison.Ordinal) && r.Length > prefix.Length)
                {
                    throw Invalid($"-Ref {Show(r)} is a full ref; the ref claim is the short name. Pass -Ref {Show(r.Substring(prefix.Length))}" +
                        (prefix == "refs/tags/" ? " -RefType tag." : "."), "Ref");
                }
            }

            string? why = RefProblem(r);
            if (why != null)
            {
                throw Invalid($"-Ref {Show(r)} is not a {kind} name Git allows: {why}. Pass the {kind} name exactly as GitLab shows it.", "Ref");
            }

            return r;
        }

        private static string? RefProblem(string r)
        {
            foreach (char c in r)
            {
                if (c == ' ') return "it has a space";
                if (char.IsControl(c)) return $"it has the control character {ShowChar(c)}";
                if ("~^:?*[\\".IndexOf(c) >= 0) return $"it has {ShowChar(c)}";
            }

            if (HasLoneSurrogate(r)) return "it has a character that is not valid UTF-16 (a lone surrogate)";
            if (r == "@") return "'@' alone is not a name";
            if (r == "HEAD") return "HEAD names the current commit, not a branch";
            if (r.StartsWith("-", StringComparison.Ordinal)) return "it starts with '-'";
            if (r.IndexOf("..", StringComparison.Ordinal) >= 0) return "it has '..'";
            if (r.IndexOf("@{", StringComparison.Ordinal) >= 0) return "it has '@{'";
            if (r.StartsWith("/", StringComparison.Ordinal) || r.EndsWith("/", StringComparison.Ordinal)) return "it starts or ends with '/'";
            if (r.IndexOf("//", StringComparison.Ordinal) >= 0) return "it has '//'";
            if (r.EndsWith(".", StringComparison.Ordinal)) return "it ends with '.'";
            foreach (string component in r.Split('/'))
            {
                if (component.StartsWith(".", StringComparison.Ordinal)) return $"the part {Show(component)} starts with '.'";
                if (component.EndsWith(".lock", StringComparison.Ordinal)) return $"the part {Show(component)} ends with '.lock'";
            }

            return null;
        }

        /// <summary>
        /// One of the four orders GitLab accepts (null: the default), as names; a single string with commas is split
        /// (a CSV cell); else InvalidClaim listing the four.
        /// </summary>
        public static IReadOnlyList<string> CheckSubClaimComponents(IReadOnlyList<string>? components)
        {
            if (components == null) return DefaultSubClaimComponents;
            string[] names = components.Where(c => c != null)
                .SelectMany(c => c.Split(','))
                .Select(c => c.Trim())
                .Where(c => c.Length > 0)
                .ToArray();
            foreach (IReadOnlyList<string> order in SubClaimOrders)
            {
                if (order.SequenceEqual(names, StringComparer.Ordinal)) return order;
            }

            string given = names.Length == 0 ? "nothing" : string.Join(",", names);
            throw Invalid($"-SubClaimComponents {Show(given)} is not an order GitLab accepts for ci_id_token_sub_claim_components. Pass one of: " +
                string.Join("; ", SubClaimOrders.Select(o => string.Join(",", o))) + " (project_path first, each once).", "SubClaimComponents");
        }

        private static string CheckIssuer(string? issuer, IEnvironmentReader env)
        {
            if (issuer == null)
            {
                string? server = env.Get("CI_SERVER_URL");
                return string.IsNullOrWhiteSpace(server) ? DefaultIssuer : server!.Trim();
            }

            ExchangeRequest.RejectTokenIn("Issuer", ErrorIds.InvalidClaim, issuer);
            if (issuer.Trim().Length == 0)
            {
                throw Invalid("-Issuer is empty. Pass the GitLab instance's URL (its CI_SERVER_URL), e.g. -Issuer https://gitlab.example.com, or leave it out for " +
                    DefaultIssuer + ".", "Issuer");
            }

            return issuer;
        }

        private static string CheckAudience(string? audience)
        {
            if (audience == null) return DefaultAudience;
            if (audience.Trim().Length == 0)
            {
                throw Invalid($"-Audience is empty. Pass the aud the job's id_tokens: requests, or leave it out for {DefaultAudience}.", "Audience");
            }

            return audience;
        }

        /// <summary>
        /// -Claim as claims: each key a claim name (not blank, no white space or control character; a built claim's name
        /// in any case means that claim), each value a string or a list of strings. <paramref name="unwrap"/> turns a host
        /// wrapper (PowerShell's PSObject) into its value.
        /// </summary>
        public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ClaimsFrom(IDictionary? claim, Func<object?, object?>? unwrap = null)
        {
            var list = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            if (claim == null) return list;
            Func<object?, object?> un = unwrap ?? (o => o);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (DictionaryEntry entry in claim)
            {
                if (!(un(entry.Key) is string key))
                {
                    throw Invalid($"-Claim has the key {Show(Convert.ToString(un(entry.Key), CultureInfo.InvariantCulture) ?? "$null")}, which is not a string. " +
                        "Name each claim as a string, e.g. -Claim @{ 'namespace_id' = '42' }.", "Claim");
                }

                if (key.Trim().Length == 0)
                {
                    throw Invalid("-Claim has an empty key. Name each claim, e.g. -Claim @{ ref_protected = 'true' }.", "Claim");
                }

                if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || HasLoneSurrogate(key))
                {
                    throw Invalid($"-Claim key {Show(key)} has white space, a control character or a lone surrogate; GitLab's claim names have none (ref_protected, namespace_id, ...).", "Claim");
                }

                string name = Built.FirstOrDefault(b => string.Equals(b, key, StringComparison.OrdinalIgnoreCase)) ?? key;
                if (!seen.Add(name))
                {
                    throw Invalid($"-Claim names '{name}' twice (claim names of GitLab's own claims are matched in any case). Pass it once.", "Claim");
                }

                list.Add(new KeyValuePair<string, IReadOnlyList<string>>(name, Values(name, un(entry.Value), un)));
            }

            return list;
        }

        private static IReadOnlyList<string> Values(string name, object? value, Func<object?, object?> un)
        {
            string Must() => $"Pass a string or an array of strings, e.g. -Claim @{{ {name} = '42' }} (quote numbers and booleans as GitLab's token does for this claim).";
            switch (value)
            {
                case null:
                    throw Invalid($"-Claim '{name}' is $null. {Must()} To test a job without the claim, leave it out.", "Claim");
                case string s:
                    return new[] { CheckedValue(name, s) };
                case IDictionary _:
                    throw Invalid($"-Claim '{name}' is a hashtable. {Must()}", "Claim");
                case IEnumerable many:
                    var strings = new List<string>();
                    foreach (object? item in many)
                    {
                        if (!(un(item) is string s))
                        {
                            throw Invalid($"-Claim '{name}' has the item {Describe(un(item))}, which is not a string. {Must()}", "Claim");
                        }

                        strings.Add(CheckedValue(name, s));
                    }

                    return strings;
                default:
                    throw Invalid($"-Claim '{name}' is {Describe(value)}, not a string. {Must()}", "Claim");
            }
        }

        /// <summary>True when <paramref name="s"/> has a surrogate without its pair: no UTF-8 text (a token, a ref) can hold it.</summary>
        internal static bool HasLoneSurrogate(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
                else if (char.IsSurrogate(s[i])) return true;
            }

            return false;
        }

        private static string CheckedValue(string name, string s)
        {
            ExchangeRequest.RejectTokenIn("Claim", ErrorIds.InvalidClaim, s);
            if (HasLoneSurrogate(s))
            {
                throw Invalid($"-Claim '{name}' has a character that is not valid UTF-16 (a lone surrogate); a token's claims are UTF-8 text. Pass a valid string.", "Claim");
            }

            return s;
        }

        private static string Describe(object? value) => value == null ? "$null" : $"a {value.GetType().Name} ({Show(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty)})";

        private static KeyValuePair<string, IReadOnlyList<string>> Pair(string name, string value) =>
            new KeyValuePair<string, IReadOnlyList<string>>(name, new[] { value });

        /// <summary>A value in single quotes, control characters as \uXXXX, cut at 120 characters: safe to show in one line.</summary>
        internal static string Show(string value)
        {
            var b = new StringBuilder("'");
            string shown = value.Length > 120 ? value.Substring(0, 120) : value;
            for (int i = 0; i < shown.Length; i++)
            {
                char c = shown[i];
                bool pairedSurrogate = char.IsHighSurrogate(c) ? i + 1 < shown.Length && char.IsLowSurrogate(shown[i + 1])
                    : char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(shown[i - 1]);
                if (char.IsControl(c) || (char.IsSurrogate(c) && !pairedSurrogate)) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else b.Append(c);
            }

            return b.Append(value.Length > 120 ? "...'" : "'").ToString();
        }

        private static string ShowChar(char c) => char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c)
            ? $"U+{(int)c:X4}"
            : $"'{c}'";

        private static GitlabStsException Invalid(string message, string parameter) =>
            new GitlabStsException(ErrorIds.InvalidClaim, ErrorKind.InvalidArgument, message, parameter);

        private static GitlabStsException Conflict(string message) =>
            new GitlabStsException(ErrorIds.ParameterConflict, ErrorKind.InvalidArgument, message, "Claim");
    }
}
