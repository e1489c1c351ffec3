using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GitlabSts.Core.Policy
{
    /// <summary>Evaluates one condition (operator, key, values) under IAM's rules.</summary>
    internal static class ConditionEvaluator
    {
        private enum Kind
        {
            StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike,
            NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan,
            NumericGreaterThanEquals, Bool, Null,
        }

        private enum SetOp { None, ForAnyValue, ForAllValues }

        internal static ConditionVerdict Evaluate(string op, string key, IReadOnlyList<string> policyValues, RequestContext ctx)
        {
            var v = new ConditionVerdict { Operator = op, Key = key, PolicyValues = policyValues };
            bool present = ctx.TryGet(key, out IReadOnlyList<string> ctxValues);
            v.ContextValues = present ? ctxValues : null;
            v.KeyNotExposed = !present && ctx.IsUnexposedIssuerKey(key);

            if (!TryParseOperator(op, out Kind kind, out SetOp set, out bool ifExists))
            {
                v.UnknownOperator = true;
                v.Matched = false;
                v.Detail = $"unknown or unsupported condition operator \"{op}\" (key {key}): the condition is false";
                return v;
            }

            List<Value> values = policyValues.Select(Value.Parse).ToList();
            v.UnresolvedVariables = values.SelectMany(x => x.Variables).Distinct(StringComparer.Ordinal).ToArray();
            v.WildcardUnderEquals = IsEqualsFamily(kind) && values.Any(x => x.HasWildcard);
            bool negated = kind == Kind.StringNotEquals || kind == Kind.StringNotEqualsIgnoreCase
                || kind == Kind.StringNotLike || kind == Kind.NumericNotEquals;
            bool empty = !present || ctxValues.Count == 0;
            string head = $"{op} {key} {Show(policyValues)}";
            string has = present ? Show(ctxValues) : "(absent)";

            if (kind == Kind.Null)
            {
                var bad = policyValues.Where(x => !IsBool(x)).ToList();
                if (bad.Count > 0)
                {
                    v.Detail = $"{head}: Null takes \"true\" or \"false\", not {Show(bad)}: the condition is false";
                    return Finish(v, false, ctx);
                }
                bool m = policyValues.Any(x => string.Equals(x, "true", StringComparison.OrdinalIgnoreCase) ? empty : !empty);
                v.Detail = $"{head}: key is {(empty ? "absent" : "present " + has)} → {(m ? "true" : "false")}";
                return Finish(v, m, ctx);
            }

            Func<string, bool> per = c => negated ? !values.Any(p => Compare(kind, c, p)) : values.Any(p => Compare(kind, c, p));
            bool matched;
            string detail;
            if (set == SetOp.ForAllValues)
            {
                if (empty)
                {
                    matched = true;
                    detail = $"{head}: key {(present ? "is an empty set" : "is absent")} → ForAllValues is true";
                }
                else
                {
                    string? miss = ctxValues.FirstOrDefault(c => !per(c));
                    matched = miss == null;
                    detail = matched ? $"{head} matched every value of {has}" : $"{head} did not match \"{miss}\" of {has}";
                }
            }
            else if (set == SetOp.ForAnyValue)
            {
                if (empty)
                {
                    matched = ifExists;
                    detail = $"{head}: key {(present ? "is an empty set" : "is absent")} → {(ifExists ? "IfExists: true" : "ForAnyValue is false")}";
                }
                else
                {
                    matched = ctxValues.Any(per);
                    detail = matched ? $"{head} matched a value of {has}" : $"{head} matched no value of {has}";
                }
            }
            else if (!present)
            {
                matched = ifExists || negated;
                detail = $"{head}: key is absent → " + (ifExists ? "IfExists: true" : negated ? "negated operator: true" : "false");
            }
            else if (negated)
            {
                matched = ctxValues.All(per);
                detail = matched ? $"{head} is true: {has} matches none of them" : $"{head} is false: {has} matches one of them";
            }
            else
            {
                matched = ctxValues.Any(per);
                detail = matched ? $"{head} matched {has}" : $"{head} did not match {has}";
            }
            v.Detail = detail;
            return Finish(v, matched, ctx);
        }

        private static ConditionVerdict Finish(ConditionVerdict v, bool matched, RequestContext ctx)
        {
            v.Matched = matched;
            var notes = new List<string>();
            if (v.KeyNotExposed)
            {
                notes.Add($"AWS does not expose {v.Key} as a condition key for issuer {ctx.IssuerKey} (only "
                    + string.Join(", ", OidcConditionKeys.ExposedClaims(ctx.IssuerKey!).Select(c => ctx.IssuerKey + ":" + c))
                    + "), so it is never present");
            }
            if (v.WildcardUnderEquals)
            {
                notes.Add($"\"*\"/\"?\" are literal characters under {v.Operator}; use StringLike for wildcards");
            }
            if (v.UnresolvedVariables.Count > 0)
            {
                notes.Add("policy variable " + string.Join(", ", v.UnresolvedVariables.Select(x => "${" + x + "}"))
                    + " left unresolved and compared literally");
            }
            if (notes.Count > 0) v.Detail += " (" + string.Join("; ", notes) + ")";
            return v;
        }

        private static bool TryParseOperator(string op, out Kind kind, out SetOp set, out bool ifExists)
        {
            string rest = op;
            set = SetOp.None;
            ifExists = false;
            kind = Kind.Null;
            const string any = "ForAnyValue:", all = "ForAllValues:", ie = "IfExists";
            if (rest.StartsWith(any, StringComparison.OrdinalIgnoreCase)) { set = SetOp.ForAnyValue; rest = rest.Substring(any.Length); }
            else if (rest.StartsWith(all, StringComparison.OrdinalIgnoreCase)) { set = SetOp.ForAllValues; rest = rest.Substring(all.Length); }
            if (rest.Length > ie.Length && rest.EndsWith(ie, StringComparison.OrdinalIgnoreCase))
            {
                ifExists = true;
                rest = rest.Substring(0, rest.Length - ie.Length);
            }
            if (rest.Length == 0 || !char.IsLetter(rest[0]) || !Enum.TryParse(rest, true, out kind)
                || !Enum.IsDefined(typeof(Kind), kind))
            {
                return false;
            }
            // Null takes neither IfExists nor a set operator.
            return kind != Kind.Null || (!ifExists && set == SetOp.None);
        }

        private static bool IsEqualsFamily(Kind k) => k == Kind.StringEquals || k == Kind.StringNotEquals
            || k == Kind.StringEqualsIgnoreCase || k == Kind.StringNotEqualsIgnoreCase;

        private static bool IsBool(string s) =>
            string.Equals(s, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(s, "false", StringComparison.OrdinalIgnoreCase);

        /// <summary>Positive comparison of one request value with one policy value.</summary>
        private static bool Compare(Kind kind, string c, Value p)
        {
            switch (kind)
            {
                case Kind.StringEquals:
                case Kind.StringNotEquals:
                    return string.Equals(c, p.Text, StringComparison.Ordinal);
                case Kind.StringEqualsIgnoreCase:
                case Kind.StringNotEqualsIgnoreCase:
                    return string.Equals(c, p.Text, StringComparison.OrdinalIgnoreCase);
                case Kind.StringLike:
                case Kind.StringNotLike:
                    return Wildcard.Match(c, p.Text, p.IsWild, ignoreCase: false);
                case Kind.Bool:
                    return IsBool(c) && string.Equals(c, p.Text, StringComparison.OrdinalIgnoreCase);
                default:
                    if (!decimal.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal a)
                        || !decimal.TryParse(p.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal b))
                    {
                        return false;
                    }
                    switch (kind)
                    {
                        case Kind.NumericEquals: case Kind.NumericNotEquals: return a == b;
                        case Kind.NumericLessThan: return a < b;
                        case Kind.NumericLessThanEquals: return a <= b;
                        case Kind.NumericGreaterThan: return a > b;
                        default: return a >= b;
                    }
            }
        }

        internal static string Show(IReadOnlyList<string> values) =>
            values.Count == 1 ? Quote(values[0]) : "[" + string.Join(", ", values.Select(Quote)) + "]";

        private static string Quote(string s) => "\"" + s + "\"";

        /// <summary>A policy value with <c>${*}</c>, <c>${?}</c>, <c>${$}</c> escapes applied and other variables kept.</summary>
        private sealed class Value
        {
            internal string Text = "";
            internal bool[] IsWild = Array.Empty<bool>();
            internal bool HasWildcard;
            internal List<string> Variables = new List<string>();

            internal static Value Parse(string raw)
            {
                var v = new Value();
                var sb = new StringBuilder();
                var wild = new List<bool>();
                for (int i = 0; i < raw.Length; i++)
                {
                    int close;
                    if (raw[i] == '$' && i + 1 < raw.Length && raw[i + 1] == '{' && (close = raw.IndexOf('}', i + 2)) > 0)
                    {
                        string name = raw.Substring(i + 2, close - i - 2);
                        if (name == "*" || name == "?" || name == "$")
                        {
                            sb.Append(name);
                            wild.Add(false);
                        }
                        else
                        {
                            v.Variables.Add(name);
                            sb.Append(raw, i, close - i + 1);
                            wild.AddRange(Enumerable.Repeat(false, close - i + 1));
                        }
                        i = close;
                        continue;
                    }
                    bool w = raw[i] == '*' || raw[i] == '?';
                    v.HasWildcard |= w;
                    sb.Append(raw[i]);
                    wild.Add(w);
                }
                v.Text = sb.ToString();
                v.IsWild = wild.ToArray();
                return v;
            }
        }
    }
}
