using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.DiagnosisTestKit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy.Verdict
{
    /// <summary>
    /// Issue 11: the diagnosis's verdict is IAM's alone. 2,400 random trust policies (1-3 statements, Allow/Deny, every
    /// operator family with IfExists, negated, Null, ForAnyValue:/ForAllValues:, keys present, absent and only known to AWS,
    /// Action wildcards and NotAction) against the gitlab.com fixture token: <c>Success</c> must equal "some Allow applies
    /// and no Deny applies", computed from the statement evaluations, and every condition's verdict must agree with the
    /// small reference evaluator below (written from the IAM documentation, not from ConditionEvaluator).
    /// Reproducible: the seed of a failing policy is in the failure message (one seed per policy: BaseSeed + i).
    /// </summary>
    public class VerdictPropertyTests
    {
        private const int BaseSeed = 20261204;
        private const int Policies = 2400;
        private const string OtherProvider = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";

        // The request: the fixture's claims (gitlab.com exposes sub, aud, project_id, ref_protected...), the STS time keys
        // (FixtureNow), and a -ConditionContext for keys only AWS knows; sts:ExternalId and aws:PrincipalTag/team stay unknown.
        private static readonly string Now = FixtureNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        private static readonly string Epoch = FixtureNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        private static readonly Dictionary<string, string[]> Present = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["gitlab.com:sub"] = new[] { GitlabComSub },
            ["gitlab.com:aud"] = new[] { "https://gitlab.com" },
            ["gitlab.com:project_id"] = new[] { "987654" },
            ["gitlab.com:ref_protected"] = new[] { "true" },
            ["aws:EpochTime"] = new[] { Epoch },
            ["aws:CurrentTime"] = new[] { Now },
            ["aws:SourceIp"] = new[] { "203.0.113.5" },
            ["aws:SourceArn"] = new[] { "arn:aws:iam::123456789012:role/ci/deploy" },
            ["aws:TagKeys"] = new[] { "team", "env" },
        };

        private static readonly string[] AbsentKeys = { "gitlab.com:ref", "gitlab.com:environment", "aws:PrincipalTag/absent" };
        private static readonly string[] UnknownKeys = { "sts:ExternalId", "aws:PrincipalTag/team" };

        private static readonly IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>> ConditionContext = new[]
        {
            new KeyValuePair<string, IReadOnlyList<string>?>("aws:SourceIp", Present["aws:SourceIp"]),
            new KeyValuePair<string, IReadOnlyList<string>?>("aws:SourceArn", Present["aws:SourceArn"]),
            new KeyValuePair<string, IReadOnlyList<string>?>("aws:TagKeys", Present["aws:TagKeys"]),
            new KeyValuePair<string, IReadOnlyList<string>?>("aws:PrincipalTag/absent", null),
        };

        private enum Fam { String, Numeric, Date, Bool, Null, Arn, Ip }

        private static readonly (string Op, Fam Family)[] Operators =
        {
            ("StringEquals", Fam.String), ("StringNotEquals", Fam.String), ("StringEqualsIgnoreCase", Fam.String),
            ("StringNotEqualsIgnoreCase", Fam.String), ("StringLike", Fam.String), ("StringNotLike", Fam.String),
            ("NumericEquals", Fam.Numeric), ("NumericNotEquals", Fam.Numeric), ("NumericLessThan", Fam.Numeric),
            ("NumericLessThanEquals", Fam.Numeric), ("NumericGreaterThan", Fam.Numeric), ("NumericGreaterThanEquals", Fam.Numeric),
            ("DateEquals", Fam.Date), ("DateNotEquals", Fam.Date), ("DateLessThan", Fam.Date), ("DateLessThanEquals", Fam.Date),
            ("DateGreaterThan", Fam.Date), ("DateGreaterThanEquals", Fam.Date),
            ("Bool", Fam.Bool), ("Null", Fam.Null),
            ("ArnEquals", Fam.Arn), ("ArnLike", Fam.Arn), ("ArnNotEquals", Fam.Arn), ("ArnNotLike", Fam.Arn),
            ("IpAddress", Fam.Ip), ("NotIpAddress", Fam.Ip),
        };

        private static readonly Dictionary<Fam, string[]> KeysOf = new Dictionary<Fam, string[]>
        {
            [Fam.String] = new[] { "gitlab.com:sub", "gitlab.com:aud", "gitlab.com:project_id", "gitlab.com:ref_protected", "aws:TagKeys" },
            [Fam.Numeric] = new[] { "gitlab.com:project_id", "aws:EpochTime" },
            [Fam.Date] = new[] { "aws:CurrentTime" },
            [Fam.Bool] = new[] { "gitlab.com:ref_protected", "aws:SecureTransport" },
            [Fam.Null] = new[] { "gitlab.com:sub", "gitlab.com:project_id", "aws:TagKeys" },
            [Fam.Arn] = new[] { "aws:SourceArn" },
            [Fam.Ip] = new[] { "aws:SourceIp" },
        };

        private static readonly Dictionary<Fam, string[]> ValuesOf = new Dictionary<Fam, string[]>
        {
            [Fam.String] = new[]
            {
                GitlabComSub, GitlabComSub.ToUpperInvariant(), "project_path:acme/*", "project_path:other/*", "project_path:acme/infra:ref_type:?ranch:ref:main",
                "https://gitlab.com", "HTTPS://GITLAB.COM", "https://gitlab.*", "sts.amazonaws.com", "*", "987654", "98765?", "true", "false",
                "team", "env", "t*", "other",
            },
            [Fam.Numeric] = new[] { "987654", "987653", "987655", "5", "1000000", Epoch, "1764150059", "1764150061", "-1", "987654.0" },
            [Fam.Date] = new[] { Now, "2025-01-01T00:00:00Z", "2030-01-01T00:00:00Z", Epoch, "1764150061", "2025-11-26" },
            [Fam.Bool] = new[] { "true", "false", "TRUE" },
            [Fam.Null] = new[] { "true", "false" },
            [Fam.Arn] = new[]
            {
                "arn:aws:iam::123456789012:role/ci/deploy", "arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:role/ci/deploy",
                "arn:aws:iam::999999999999:role/*", "arn:aws:iam::123456789012:role/ci/???loy", "arn:aws:sts::123456789012:*",
            },
            [Fam.Ip] = new[] { "203.0.113.0/24", "203.0.113.5", "203.0.113.5/32", "10.0.0.0/8", "198.51.100.0/24" },
        };

        private sealed class Cond
        {
            internal string Op = "";
            internal Fam Family;
            internal string Key = "";
            internal string[] Values = Array.Empty<string>();
        }

        private sealed class Stmt
        {
            internal bool Allow;
            internal JsonNode Principal = JsonValue.Create("*")!;
            internal bool PrincipalMatches;
            internal string ActionElement = "Action";
            internal JsonNode Action = JsonValue.Create("*")!;
            internal bool ActionMatches;
            internal List<Cond> Conditions = new List<Cond>();
        }

        [Fact]
        public void Success_is_some_Allow_applies_and_no_Deny_applies_for_2400_random_policies()
        {
            var counts = new Dictionary<string, int>();
            for (int i = 0; i < Policies; i++)
            {
                int seed = BaseSeed + i;
                var rnd = new Random(seed);
                List<Stmt> statements = Enumerable.Range(0, rnd.Next(1, 4)).Select(_ => Statement(rnd)).ToList();
                string json = Json(statements);
                string where = $"seed {seed} (BaseSeed {BaseSeed} + {i}), policy {json}";

                DiagnosisResult r = Diagnose(json);
                PolicyEvaluation eval = TrustPolicyEvaluator.Evaluate(json, Context());

                // 1. Each statement and condition agrees with the reference evaluator.
                Assert.True(eval.Statements.Count == statements.Count, where);
                for (int s = 0; s < statements.Count; s++)
                {
                    StatementResult got = eval.Statements[s];
                    Stmt want = statements[s];
                    Assert.True(want.PrincipalMatches == got.PrincipalMatched, $"{where}: Statement {s + 1} principal: {got.PrincipalDetail}");
                    Assert.True(want.ActionMatches == got.ActionMatched, $"{where}: Statement {s + 1} action: {got.ActionDetail}");
                    Assert.True(want.Conditions.Count == got.Conditions.Count, $"{where}: Statement {s + 1} condition count");
                    for (int c = 0; c < want.Conditions.Count; c++)
                    {
                        TriState expected = Reference(want.Conditions[c]);
                        Assert.True(expected == got.Conditions[c].Result,
                            $"{where}: Statement {s + 1}: reference says {expected} for {got.Conditions[c].Detail}");
                    }
                    Assert.True(ReferenceApplies(want) == got.Applicability, $"{where}: Statement {s + 1} applicability");
                }

                // 2. The verdict: Success == some Allow applies and no Deny applies (an indeterminate Deny keeps it undecided).
                bool allowApplies = eval.Statements.Any(x => x.IsAllow && x.Applicability == TriState.True);
                bool denyMayApply = eval.Statements.Any(x => x.IsDeny && x.Applicability != TriState.False);
                bool expectedSuccess = allowApplies && !denyMayApply;
                string fails = string.Join("\n", r.Checks.Where(x => x.Result == CheckResult.Fail).Select(x => x.ToString()));
                Assert.True(expectedSuccess == r.Success, $"{where}: expected Success {expectedSuccess}; failing checks:\n{fails}");

                // 3. The failure code names IAM's decision when an Allow applies or may (the others only explain).
                bool denyApplies = eval.Statements.Any(x => x.IsDeny && x.Applies);
                bool allowMay = eval.Statements.Any(x => x.IsAllow && x.Applicability == TriState.Indeterminate);
                string kind;
                if (expectedSuccess) kind = "Allow";
                else if (denyApplies) kind = "ExplicitDeny";
                else if (!allowApplies && !allowMay) kind = "ImplicitDeny";
                else kind = "Indeterminate";
                counts[kind] = counts.TryGetValue(kind, out int n) ? n + 1 : 1;
                if (kind == "Indeterminate") Assert.True(r.FailureCode == CheckCodes.Indeterminate, $"{where}: {r.FailureCode}: {fails}");
                if (kind == "ExplicitDeny" && allowApplies) Assert.True(r.FailureCode == CheckCodes.ExplicitDeny, $"{where}: {r.FailureCode}: {fails}");
                if (kind == "ExplicitDeny" || kind == "ImplicitDeny")
                {
                    Assert.True(new[] { CheckCodes.ExplicitDeny, CheckCodes.TrustPolicyDenied, CheckCodes.AudienceConditionMismatch, CheckCodes.IssuerMismatch }
                        .Contains(r.FailureCode), $"{where}: {r.FailureCode}: {fails}");
                }

                // 4. A statement that does not apply never fails while another Allow applies: it is marked as not needed.
                if (allowApplies)
                {
                    foreach (StatementResult x in eval.Statements.Where(x => x.IsAllow && !x.Applies))
                    {
                        DiagnosisCheck check = Check(r, x.Label);
                        Assert.True(check.Result != CheckResult.Fail && check.Detail.Contains("not needed"), $"{where}: {check}");
                    }
                }
            }

            // Every decision is well represented (the generator is not degenerate).
            foreach (string kind in new[] { "Allow", "ExplicitDeny", "ImplicitDeny", "Indeterminate" })
            {
                Assert.True(counts.TryGetValue(kind, out int n) && n >= Policies / 20,
                    $"{kind}: {(counts.TryGetValue(kind, out int m) ? m : 0)} of {Policies}: " + string.Join(", ", counts.Select(kv => kv.Key + "=" + kv.Value)));
            }
        }

        private static DiagnosisResult Diagnose(string policy) => OidcDiagnosis.Run(new DiagnosisInput
        {
            ClaimsJson = GitlabComClaims,
            TrustPolicyJson = policy,
            RoleArn = RoleArn,
            Now = FixtureNow,
            ConditionContext = ConditionContext,
        });

        private static RequestContext Context() =>
            OidcConditionKeys.BuildContext(GitlabComClaims, "aws", "123456789012").SetStsRequestKeys(FixtureNow).SetConditionContext(ConditionContext);

        private static T Pick<T>(Random rnd, IReadOnlyList<T> items) => items[rnd.Next(items.Count)];

        private static Stmt Statement(Random rnd)
        {
            var s = new Stmt { Allow = rnd.Next(100) < 65 };
            switch (rnd.Next(10))
            {
                case 0: s.Principal = JsonValue.Create("*")!; s.PrincipalMatches = true; break;
                case 1: s.Principal = new JsonObject { ["Federated"] = OtherProvider }; s.PrincipalMatches = false; break;
                case 2: s.Principal = new JsonObject { ["Federated"] = new JsonArray(OtherProvider, GitlabComProvider) }; s.PrincipalMatches = true; break;
                default: s.Principal = new JsonObject { ["Federated"] = GitlabComProvider }; s.PrincipalMatches = true; break;
            }
            // Actions: IAM matches them case-insensitively with * and ? wildcards; NotAction matches every other action.
            (string element, string[] values, bool matches)[] actions =
            {
                ("Action", new[] { "sts:AssumeRoleWithWebIdentity" }, true),
                ("Action", new[] { "sts:*" }, true),
                ("Action", new[] { "sts:AssumeRoleWith*" }, true),
                ("Action", new[] { "sts:assumerolewithwebidentity" }, true),
                ("Action", new[] { "sts:AssumeRole", "sts:TagSession" }, false),
                ("Action", new[] { "sts:TagSession", "sts:AssumeRoleWithWebIdentity" }, true),
                ("Action", new[] { "sts:AssumeRoleWithSAML" }, false),
                ("Action", new[] { "*" }, true),
                ("NotAction", new[] { "sts:AssumeRole" }, true),
                ("NotAction", new[] { "sts:*" }, false),
            };
            (string element, string[] values, bool matches) a = rnd.Next(10) < 5 ? actions[0] : Pick(rnd, actions);
            s.ActionElement = a.element;
            s.Action = a.values.Length == 1 && rnd.Next(2) == 0 ? JsonValue.Create(a.values[0])! : new JsonArray(a.values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
            s.ActionMatches = a.matches;

            int conditions = rnd.Next(0, 4);
            for (int i = 0; i < conditions; i++)
            {
                Cond c = Condition(rnd);
                if (s.Conditions.Any(x => x.Op == c.Op && string.Equals(x.Key, c.Key, StringComparison.OrdinalIgnoreCase))) continue;
                s.Conditions.Add(c);
            }
            // The evaluator reports conditions grouped by operator (JSON order): keep the same order here.
            s.Conditions = s.Conditions.GroupBy(x => x.Op).SelectMany(g => g).ToList();
            return s;
        }

        private static Cond Condition(Random rnd)
        {
            (string op, Fam family) = Pick(rnd, Operators);
            string prefix = "", suffix = "";
            if (family != Fam.Null)
            {
                int m = rnd.Next(10);
                if (m < 2) prefix = "ForAnyValue:";
                else if (m < 4) prefix = "ForAllValues:";
                if (rnd.Next(4) == 0) suffix = "IfExists";
            }
            int k = rnd.Next(10);
            string key = k < 6 ? Pick(rnd, KeysOf[family]) : k < 8 ? Pick(rnd, AbsentKeys) : Pick(rnd, UnknownKeys);
            string[] values = Enumerable.Range(0, rnd.Next(1, 3)).Select(_ => Pick(rnd, ValuesOf[family])).Distinct().ToArray();
            return new Cond { Op = prefix + op + suffix, Family = family, Key = key, Values = values };
        }

        private static string Json(List<Stmt> statements)
        {
            var array = new JsonArray();
            foreach (Stmt s in statements)
            {
                var o = new JsonObject
                {
                    ["Effect"] = s.Allow ? "Allow" : "Deny",
                    ["Principal"] = s.Principal.DeepClone(),
                    [s.ActionElement] = s.Action.DeepClone(),
                };
                if (s.Conditions.Count > 0)
                {
                    var block = new JsonObject();
                    foreach (Cond c in s.Conditions)
                    {
                        if (!(block[c.Op] is JsonObject keys)) block[c.Op] = keys = new JsonObject();
                        keys[c.Key] = c.Values.Length == 1 && c.Values[0].Length % 2 == 0
                            ? JsonValue.Create(c.Values[0])
                            : new JsonArray(c.Values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
                    }
                    o["Condition"] = block;
                }
                array.Add(o);
            }
            return new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = array }.ToJsonString();
        }

        // ---- The reference evaluator, from the IAM documentation ("IAM JSON policy elements: Condition operators",
        // "Single-valued vs. multivalued context keys", "...IfExists condition operators", "Condition operator to check existence
        // of condition keys"). ----

        private static TriState ReferenceApplies(Stmt s)
        {
            if (!s.PrincipalMatches || !s.ActionMatches) return TriState.False;
            TriState r = TriState.True;
            foreach (Cond c in s.Conditions)
            {
                TriState x = Reference(c);
                if (x == TriState.False) return TriState.False;
                if (x == TriState.Indeterminate) r = TriState.Indeterminate;
            }
            return r;
        }

        private static TriState Reference(Cond c)
        {
            if (UnknownKeys.Contains(c.Key, StringComparer.OrdinalIgnoreCase) || string.Equals(c.Key, "aws:SecureTransport", StringComparison.OrdinalIgnoreCase))
            {
                return TriState.Indeterminate; // only AWS knows the key at request time
            }
            Present.TryGetValue(c.Key, out string[]? have);
            string op = c.Op;
            bool anyValue = op.StartsWith("ForAnyValue:", StringComparison.Ordinal), allValues = op.StartsWith("ForAllValues:", StringComparison.Ordinal);
            if (anyValue || allValues) op = op.Substring(op.IndexOf(':') + 1);
            bool ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
            if (ifExists) op = op.Substring(0, op.Length - "IfExists".Length);
            bool negated = op.Contains("Not");

            if (c.Family == Fam.Null) return T(c.Values.Any(v => v == "true" ? have == null : have != null));
            if (have == null)
            {
                // Absent key: ForAllValues is true (no value fails), ForAnyValue false; IfExists true; a negated operator true.
                if (allValues) return TriState.True;
                if (anyValue) return T(ifExists);
                return T(ifExists || negated);
            }
            Func<string, bool> matchesOne = v => c.Values.Any(p => Positive(op, c.Family, v, p));
            Func<string, bool> per = v => negated ? !matchesOne(v) : matchesOne(v);
            if (allValues) return T(have.All(per));
            if (anyValue) return T(have.Any(per));
            return T(negated ? have.All(per) : have.Any(per));
        }

        private static TriState T(bool b) => b ? TriState.True : TriState.False;

        private static bool Positive(string op, Fam family, string v, string p)
        {
            switch (family)
            {
                case Fam.String:
                    if (op.Contains("Like")) return Glob(p).IsMatch(v);
                    return string.Equals(v, p, op.Contains("IgnoreCase") ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
                case Fam.Bool:
                    return (v == "true" || v == "false") && string.Equals(v, p, StringComparison.OrdinalIgnoreCase);
                case Fam.Numeric:
                    if (!decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal a)) return false;
                    return Order(op, a.CompareTo(decimal.Parse(p, NumberStyles.Float, CultureInfo.InvariantCulture)));
                case Fam.Date:
                    return Order(op, Date(v).CompareTo(Date(p)));
                case Fam.Arn:
                    string[] have = v.Split(new[] { ':' }, 6), want = p.Split(new[] { ':' }, 6);
                    return have.Length == 6 && want.Length == 6 && Enumerable.Range(0, 6).All(i => Glob(want[i]).IsMatch(have[i]));
                case Fam.Ip:
                    string[] cidr = p.Split('/');
                    int bits = cidr.Length == 2 ? int.Parse(cidr[1], CultureInfo.InvariantCulture) : 32;
                    uint mask = bits == 0 ? 0 : uint.MaxValue << (32 - bits);
                    return (Ip(v) & mask) == (Ip(cidr[0]) & mask);
                default:
                    throw new InvalidOperationException(family.ToString());
            }
        }

        private static bool Order(string op, int cmp)
        {
            if (op.EndsWith("LessThan", StringComparison.Ordinal)) return cmp < 0;
            if (op.EndsWith("LessThanEquals", StringComparison.Ordinal)) return cmp <= 0;
            if (op.EndsWith("GreaterThan", StringComparison.Ordinal)) return cmp > 0;
            if (op.EndsWith("GreaterThanEquals", StringComparison.Ordinal)) return cmp >= 0;
            return cmp == 0; // Equals, NotEquals (negated by the caller)
        }

        private static DateTimeOffset Date(string s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        private static uint Ip(string s) => s.Split('.').Aggregate(0u, (acc, part) => (acc << 8) | uint.Parse(part, CultureInfo.InvariantCulture));

        private static Regex Glob(string pattern)
        {
            var sb = new StringBuilder("^");
            foreach (char ch in pattern) sb.Append(ch == '*' ? ".*" : ch == '?' ? "." : Regex.Escape(ch.ToString()));
            return new Regex(sb.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
        }
    }
}
