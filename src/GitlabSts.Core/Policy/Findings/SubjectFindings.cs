using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The findings about who a trust policy lets in (issue 11): SubjectScope, ImpossibleSubject,
    /// ForAllValuesOnSingleValuedKey, RefScope, NegatedSubject, PathReuse, UnprotectedRef. Each is one check, Pass when
    /// nothing was found, else Warn with the finding's name as its code; they never change the verdict. Every Warn says
    /// whether the issuer is shared (gitlab.com) or self-managed, and its hint shows the corrected condition.
    /// </summary>
    internal static class SubjectFindings
    {
        /// <summary>The names of the findings, in the order they are reported.</summary>
        internal static readonly IReadOnlyList<string> Names = new[]
        {
            CheckCodes.SubjectScope, CheckCodes.ImpossibleSubject, CheckCodes.ForAllValuesOnSingleValuedKey, CheckCodes.RefScope,
            CheckCodes.NegatedSubject, CheckCodes.PathReuse, CheckCodes.UnprotectedRef,
        };

        internal static IEnumerable<DiagnosisCheck> Run(PolicyEvaluation eval, RequestContext ctx, TokenClaims claims)
        {
            var f = new Scope(eval, ctx, claims);
            yield return f.SubjectScope();
            yield return f.ImpossibleSubject();
            yield return f.ForAllValues();
            yield return f.RefScope();
            yield return f.NegatedSubject();
            yield return f.PathReuse();
            yield return f.UnprotectedRef();
        }

        /// <summary>
        /// For each Allow statement for this provider, the <c>:sub</c> values and patterns it admits; <c>*</c> for a
        /// statement with no positive condition on <c>:sub</c> (none at all, or only negated operators).
        /// </summary>
        internal static IReadOnlyList<string> AdmittedSubjects(PolicyEvaluation eval, RequestContext ctx)
        {
            var f = new Scope(eval, ctx, null);
            var list = new List<string>();
            foreach (StatementResult s in f.Allows)
            {
                List<ConditionVerdict> positive = f.SubConditions(s).Where(c => SubjectPattern.IsPositiveString(c.Operator)).ToList();
                IEnumerable<string> values = positive.Count == 0 ? new[] { "*" } : positive.SelectMany(c => c.PolicyValues);
                foreach (string v in values)
                {
                    if (!list.Contains(v, StringComparer.Ordinal)) list.Add(v);
                }
            }
            return list;
        }

        /// <summary>"gitlab.com is a shared instance …" or "gitlab.example.com is self-managed …".</summary>
        internal static string IssuerNote(string issuerKey) => IsShared(issuerKey)
            ? $"{issuerKey} is a shared instance: any GitLab user can create a project there"
            : $"{issuerKey} is self-managed: only its own users can create projects there";

        /// <summary>gitlab.com: the shared instance whose project paths anyone can register.</summary>
        internal static bool IsShared(string issuerKey) =>
            string.Equals(issuerKey, OidcConditionKeys.GitlabComIssuerKey, StringComparison.OrdinalIgnoreCase);

        private sealed class Scope
        {
            private readonly RequestContext _ctx;
            private readonly string _issuer;
            private readonly SubjectParts _token;

            internal Scope(PolicyEvaluation eval, RequestContext ctx, TokenClaims? claims)
            {
                _ctx = ctx;
                _issuer = ctx.IssuerKey ?? "";
                Key = _issuer + ":sub";
                Eval = eval;
                _token = new SubjectParts
                {
                    ProjectPath = claims?.First("project_path"),
                    RefType = claims?.First("ref_type"),
                    Ref = claims?.First("ref"),
                    ProjectId = claims?.First("project_id"),
                    NamespaceId = claims?.First("namespace_id"),
                    NamespacePath = claims?.First("namespace_path"),
                    Subject = claims?.Subject,
                };
                Allows = eval.Statements.Where(s => s.IsAllow && s.Error == null && s.ActionMatched && ForThisProvider(s)).ToList();
            }

            internal string Key { get; }
            internal PolicyEvaluation Eval { get; }

            /// <summary>Allow statements for this provider: the principal matches, or a Federated principal names this issuer.</summary>
            internal IReadOnlyList<StatementResult> Allows { get; }

            private string Note => IssuerNote(_issuer);

            private bool ForThisProvider(StatementResult s) => s.PrincipalMatched || s.FederatedPrincipals.Any(p =>
            {
                int i = p.IndexOf(":oidc-provider/", StringComparison.Ordinal);
                if (i < 0) return false;
                string host = OidcConditionKeys.IssuerKey(p.Substring(i + ":oidc-provider/".Length));
                return string.Equals(host, _issuer, StringComparison.OrdinalIgnoreCase);
            });

            internal IEnumerable<ConditionVerdict> SubConditions(StatementResult s) =>
                s.Conditions.Where(c => string.Equals(c.Key, Key, StringComparison.OrdinalIgnoreCase));

            private bool HasKey(StatementResult s, string claim) =>
                s.Conditions.Any(c => string.Equals(c.Key, _issuer + ":" + claim, StringComparison.OrdinalIgnoreCase) && !c.IsInvalid);

            /// <summary>The positive sub values of a statement, each read as a pattern.</summary>
            private List<(ConditionVerdict c, SubjectPattern p)> Positive(StatementResult s) =>
                SubConditions(s).Where(c => SubjectPattern.IsPositiveString(c.Operator))
                    .SelectMany(c => c.PolicyValues.Select(v => (c, SubjectPattern.Of(v, c.Operator)))).ToList();

            /// <summary>A never-present foreign-issuer key under a positive operator makes the statement never apply.</summary>
            private bool NeverApplies(StatementResult s) =>
                s.Conditions.Any(c => c.Result == TriState.False && PolicyChecks.RenamedIssuerKey(s, c, _ctx) != null);

            private string Corrected(string value) => $"\"StringEquals\": {{\"{Key}\": \"{value}\"}}";

            private string TokenSubject => _token.Subject != null && SubjectPattern.Of(_token.Subject, "StringEquals").Impossible == null
                ? _token.Subject : _token.DefaultSubject;

            private DiagnosisCheck Pass(string name, string detail) => new DiagnosisCheck(name, CheckResult.Pass, detail);

            private DiagnosisCheck Warn(string name, string detail, string hint) =>
                new DiagnosisCheck(name, CheckResult.Warn, detail + $" ({Note}.)", name, hint);

            internal DiagnosisCheck SubjectScope()
            {
                var open = new List<(StatementResult s, string why)>();
                foreach (StatementResult s in Allows.Where(s => !NeverApplies(s)))
                {
                    var positive = Positive(s);
                    (ConditionVerdict c, SubjectPattern p) every = positive.FirstOrDefault(x => x.p.AdmitsEveryProject);
                    if (positive.Count == 0)
                    {
                        open.Add((s, SubConditions(s).Any() ? $"limits {Key} only through {Ops(SubConditions(s))}" : $"has no condition on {Key}"));
                    }
                    else if (every.p != null)
                    {
                        open.Add((s, $"admits {every.c.Operator} {Key} \"{every.p.Value}\", a project of every group"));
                    }
                }
                if (open.Count == 0) return Pass(CheckCodes.SubjectScope, $"Every Allow statement for this provider restricts {Key} to named projects.");
                return Warn(CheckCodes.SubjectScope,
                    string.Join("; ", open.Select(x => $"{x.s.Label} {x.why}")) + $": any project on {_issuer} can assume this role.",
                    $"Scope {Key} to the project and ref, e.g. {Corrected(TokenSubject)}.");
            }

            internal DiagnosisCheck ImpossibleSubject()
            {
                var impossible = new List<string>();
                var formats = new List<string>();
                string? firstFormat = null;
                foreach (StatementResult s in Eval.Statements.Where(s => s.Error == null && s.ActionMatched && ForThisProvider(s)))
                {
                    foreach ((ConditionVerdict c, SubjectPattern p) in Positive(s))
                    {
                        if (p.Impossible != null)
                        {
                            impossible.Add($"{s.Label}{(s.IsDeny ? " (Deny)" : "")}: {c.Operator} {Key} \"{p.Value}\" can never match: {p.Impossible}");
                        }
                        else if (p.NonDefaultFormat != null)
                        {
                            firstFormat ??= p.NonDefaultFormat;
                            formats.Add($"{s.Label}: \"{p.Value}\" is in the {p.NonDefaultFormat} sub format, which matches only jobs of a project whose "
                                + $"{SubjectPattern.FormatSetting} setting is [{p.NonDefaultFormat}]");
                        }
                    }
                }
                string formatNote = formats.Count == 0 ? "" : " " + string.Join("; ", formats) + ".";
                if (impossible.Count == 0)
                {
                    return Pass(CheckCodes.ImpossibleSubject, $"Every {Key} value can match a subject GitLab emits.{formatNote}");
                }
                return Warn(CheckCodes.ImpossibleSubject,
                    string.Join("; ", impossible) + $". GitLab's sub is project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref> "
                    + $"(or project_path,ref,ref_type / project_path,ref / project_path,ref_type by the project's {SubjectPattern.FormatSetting} setting).{formatNote}",
                    $"Write the subject GitLab emits, e.g. {Corrected(TokenSubject)}.");
            }

            internal DiagnosisCheck ForAllValues()
            {
                var hits = Eval.Statements.Where(s => s.Error == null && ForThisProvider(s))
                    .SelectMany(s => s.Conditions.Where(c => c.Operator.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase)
                        && (string.Equals(c.Key, Key, StringComparison.OrdinalIgnoreCase) || string.Equals(c.Key, _issuer + ":aud", StringComparison.OrdinalIgnoreCase)))
                        .Select(c => (s, c))).ToList();
                if (hits.Count == 0) return Pass(CheckCodes.ForAllValuesOnSingleValuedKey, $"No ForAllValues: operator on {Key} or {_issuer}:aud.");
                (StatementResult s0, ConditionVerdict c0) = hits[0];
                string plain = c0.Operator.Substring("ForAllValues:".Length);
                return Warn(CheckCodes.ForAllValuesOnSingleValuedKey,
                    string.Join("; ", hits.Select(x => $"{x.s.Label}: {x.c.Operator} on {x.c.Key}"))
                    + ": ForAllValues: is true when the key is absent (no value fails it); sub and aud are single-valued keys, so the set operator only loosens the condition.",
                    $"Use the operator without ForAllValues:, e.g. \"{plain}\": {{\"{c0.Key}\": {ConditionEvaluator.Show(c0.PolicyValues)}}}.");
            }

            internal DiagnosisCheck RefScope()
            {
                var loose = new List<(StatementResult s, SubjectPattern p)>();
                foreach (StatementResult s in Allows)
                {
                    loose.AddRange(Positive(s).Where(x => x.p.Impossible == null && x.p.Loose.Count > 0).Select(x => (s, x.p)));
                }
                if (loose.Count == 0) return Pass(CheckCodes.RefScope, $"No {Key} wildcard admits every ref, ref type or subgroup.");
                SubjectPattern first = loose[0].p;
                return Warn(CheckCodes.RefScope,
                    string.Join("; ", loose.Select(x => $"{x.s.Label}: \"{x.p.Value}\" admits {string.Join(", ", x.p.Loose)}"))
                    + " (under StringLike \"*\" and \"?\" match \"/\" and \":\" too; one loose value in a list is enough).",
                    $"Narrow the value to what should get in, e.g. {Corrected(first.Narrowed(_token))}.");
            }

            internal DiagnosisCheck NegatedSubject()
            {
                var negated = Allows.Where(s => SubConditions(s).Any() && SubConditions(s).All(c => SubjectPattern.IsNegatedString(c.Operator))).ToList();
                if (negated.Count == 0) return Pass(CheckCodes.NegatedSubject, $"No Allow statement limits {Key} only through a negated operator.");
                return Warn(CheckCodes.NegatedSubject,
                    string.Join("; ", negated.Select(s => $"{s.Label} limits {Key} only through {Ops(SubConditions(s))}"))
                    + ": it admits every subject but the ones named (a scanner that counts this as scoping is wrong).",
                    $"Name what may get in instead, e.g. {Corrected(TokenSubject)}.");
            }

            internal DiagnosisCheck PathReuse()
            {
                bool shared = IsShared(_issuer);
                var byPath = Allows.Where(s => Positive(s).Any(x => x.p.Impossible == null && !x.p.AdmitsEveryProject)
                    && !HasKey(s, "project_id") && !HasKey(s, "namespace_id")).ToList();
                if (!shared)
                {
                    return Pass(CheckCodes.PathReuse, $"{Note}: a deleted project's path can be taken only by its users (AWS exposes no project_id key for {_issuer}).");
                }
                if (byPath.Count == 0) return Pass(CheckCodes.PathReuse, $"Every Allow statement that scopes {Key} also pins {_issuer}:project_id or namespace_id.");
                SubjectPattern p = Positive(byPath[0]).First(x => x.p.Impossible == null && !x.p.AdmitsEveryProject).p;
                bool project = p.ProjectPath != null;
                bool known = project
                    ? _token.ProjectId != null && string.Equals(p.ProjectPath, _token.ProjectPath, StringComparison.Ordinal)
                    : _token.NamespaceId != null && p.Admits(_token.Subject);
                string claim = project ? "project_id" : "namespace_id";
                string id = known ? (project ? _token.ProjectId! : _token.NamespaceId!) : $"<{claim}>";
                string whose = known ? $" ({(project ? _token.ProjectPath : _token.NamespacePath ?? "the namespace")}'s id, from the token's {claim} claim)" : "";
                return Warn(CheckCodes.PathReuse,
                    string.Join("; ", byPath.Select(s => $"{s.Label} admits {Key} by project path alone ({string.Join(", ", Positive(s).Where(x => x.p.Impossible == null).Select(x => "\"" + x.p.Value + "\""))})"))
                    + $" with no {_issuer}:project_id or {_issuer}:namespace_id pin: if the project or group is deleted or renamed, someone else can register the path and its jobs get in.",
                    $"Add \"StringEquals\": {{\"{_issuer}:{claim}\": \"{id}\"}} to the statement{whose}.");
            }

            internal DiagnosisCheck UnprotectedRef()
            {
                bool exposed = OidcConditionKeys.IsExposed(_issuer, "ref_protected");
                var admitting = Allows.Where(s => !NeverApplies(s) && !HasKey(s, "ref_protected")).Where(s =>
                {
                    var positive = Positive(s);
                    if (positive.Count == 0) return true;
                    var branches = positive.Where(x => x.p.Impossible == null && x.p.AdmitsBranches).ToList();
                    // Self-managed: ref_protected is no condition key there; only a wildcard over branch names is worth a warning.
                    return exposed ? branches.Count > 0 : branches.Any(x => x.p.Loose.Count > 0 || x.p.AdmitsEveryProject);
                }).ToList();
                if (admitting.Count == 0)
                {
                    return Pass(CheckCodes.UnprotectedRef, exposed
                        ? $"Every Allow statement that admits branches requires {_issuer}:ref_protected."
                        : $"No Allow statement admits every branch; AWS exposes no ref_protected key for {_issuer}, so keep the branches named in {Key} protected in GitLab.");
                }
                string what = string.Join(", ", admitting.Select(s => s.Label)) + (admitting.Count == 1 ? " admits" : " admit");
                return exposed
                    ? Warn(CheckCodes.UnprotectedRef,
                        $"{what} branches with no {_issuer}:ref_protected condition: any developer's unprotected branch of an admitted project gets in (info).",
                        $"Add \"StringEquals\": {{\"{_issuer}:ref_protected\": \"true\"}} to the statement.")
                    : Warn(CheckCodes.UnprotectedRef,
                        $"{what} every branch of a project, and AWS exposes no ref_protected key for {_issuer}: any developer's branch gets in (info).",
                        $"Name the protected branches in {Key}, e.g. {Corrected(TokenSubject)}, and protect them in GitLab.");
            }

            private static string Ops(IEnumerable<ConditionVerdict> conditions) =>
                string.Join(", ", conditions.Select(c => $"{c.Operator} {ConditionEvaluator.Show(c.PolicyValues)}"));
        }
    }
}
