using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GitlabSts.Core.Policy.Operators;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// Evaluates one condition (operator, key, values) under IAM's rules ("Condition operators"; "single-valued vs
    /// multivalued context keys"): an absent key makes a condition false, except the negated operators (true), IfExists
    /// (true) and Null; a multi-valued key without a set operator matches when any value does (negated: when none does);
    /// ForAnyValue: is false for an absent key or an empty set (true with IfExists), ForAllValues: is true for them; a
    /// policy value not of the operator's type makes the condition false and the policy invalid; a key only AWS knows,
    /// not supplied, makes it <see cref="TriState.Indeterminate"/>.
    /// </summary>
    internal static class ConditionEvaluator
    {
        private enum Kind
        {
            StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike,
            NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals, NumericGreaterThan,
            NumericGreaterThanEquals,
            DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals,
            Bool, BinaryEquals, IpAddress, NotIpAddress, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Null,
        }

        private enum Family { String, Numeric, Date, Bool, Binary, Ip, Arn, Null }

        private enum SetOp { None, ForAnyValue, ForAllValues }

        private static Family FamilyOf(Kind k)
        {
            string n = k.ToString();
            if (n.StartsWith("String", StringComparison.Ordinal)) return Family.String;
            if (n.StartsWith("Numeric", StringComparison.Ordinal)) return Family.Numeric;
            if (n.StartsWith("Date", StringComparison.Ordinal)) return Family.Date;
            if (n.StartsWith("Arn", StringComparison.Ordinal)) return Family.Arn;
            switch (k)
            {
                case Kind.Bool: return Family.Bool;
                case Kind.BinaryEquals: return Family.Binary;
                case Kind.IpAddress: case Kind.NotIpAddress: return Family.Ip;
                default: return Family.Null;
            }
        }

        /// <summary>The negated operators: true when the key is absent, and true for a value matching none of the policy values.</summary>
        private static bool IsNegated(Kind k) => k == Kind.StringNotEquals || k == Kind.StringNotEqualsIgnoreCase
            || k == Kind.StringNotLike || k == Kind.NumericNotEquals || k == Kind.DateNotEquals || k == Kind.NotIpAddress
            || k == Kind.ArnNotEquals || k == Kind.ArnNotLike;

        internal static ConditionVerdict Evaluate(string op, string key, IReadOnlyList<string> policyValues, RequestContext ctx)
        {
            var v = new ConditionVerdict { Operator = op, Key = key, PolicyValues = policyValues };
            KeyState state = ctx.Lookup(key, out IReadOnlyList<string> ctxValues);
            bool present = state == KeyState.Present;
            v.ContextValues = present ? ctxValues : null;
            v.KeyNotExposed = !present && ctx.IsUnexposedIssuerKey(key);

            if (!TryParseOperator(op, out Kind kind, out SetOp set, out bool ifExists))
            {
                v.UnknownOperator = true;
                v.Matched = false;
                v.Detail = $"unknown or unsupported condition operator \"{op}\" (key {key}): the condition is false";
                return v;
            }

            Family family = FamilyOf(kind);
            List<Value> values = policyValues.Select(Value.Parse).ToList();
            v.UnresolvedVariables = values.SelectMany(x => x.Variables).Distinct(StringComparer.Ordinal).ToArray();
            v.WildcardUnderEquals = IsEqualsFamily(kind) && values.Any(x => x.HasWildcard);
            bool negated = IsNegated(kind);
            bool empty = !present || ctxValues.Count == 0;
            string head = $"{op} {key} {Show(policyValues)}";
            string has = present ? Show(ctxValues) : "(absent)";

            string? invalid = InvalidValues(family, policyValues, values);
            if (invalid != null)
            {
                v.InvalidValue = true;
                v.Detail = $"{head}: {invalid}; IAM reports an invalid condition data type: the condition is false";
                return Finish(v, TriState.False, ctx);
            }

            if (state == KeyState.Unknown)
            {
                v.Detail = $"{head}: {key} is known only to AWS at request time and was not supplied → indeterminate "
                    + "(supply its value as condition context, or test live)";
                return Finish(v, TriState.Indeterminate, ctx);
            }

            if (kind == Kind.Null)
            {
                bool m = policyValues.Any(x => string.Equals(x, "true", StringComparison.OrdinalIgnoreCase) ? empty : !empty);
                v.Detail = $"{head}: key is {(empty ? "absent" : "present " + has)} → {(m ? "true" : "false")}";
                return Finish(v, m ? TriState.True : TriState.False, ctx);
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
            if (family == Family.Arn && present && ctxValues.Any(c => !ConditionValues.IsArn(c)))
            {
                detail += " (a request value that is not an ARN matches no ARN pattern)";
            }
            else if (family == Family.Arn && values.Any(p => !ConditionValues.IsArnPattern(p.Text)))
            {
                detail += " (a policy value without the six ARN components matches nothing)";
            }
            v.Detail = detail;
            return Finish(v, matched ? TriState.True : TriState.False, ctx);
        }

        /// <summary>Why the policy values are not of the operator's type (null when they are).</summary>
        private static string? InvalidValues(Family family, IReadOnlyList<string> raw, List<Value> values)
        {
            List<string> bad;
            string what;
            switch (family)
            {
                case Family.Null:
                    bad = raw.Where(x => !IsBool(x)).ToList();
                    what = "Null takes \"true\" or \"false\"";
                    break;
                case Family.Bool:
                    bad = values.Where(x => x.Variables.Count == 0 && !IsBool(x.Text)).Select(x => x.Raw).ToList();
                    what = "Bool takes \"true\" or \"false\"";
                    break;
                case Family.Numeric:
                    bad = raw.Where(x => !TryNumber(x, out _)).ToList();
                    what = "a Numeric operator takes numbers (no policy variables)";
                    break;
                case Family.Date:
                    bad = raw.Where(x => !ConditionValues.TryParseDate(x, out _)).ToList();
                    what = "a Date operator takes ISO 8601 dates/times or epoch seconds (no policy variables)";
                    break;
                case Family.Ip:
                    bad = raw.Where(x => !ConditionValues.TryParseCidr(x, out _)).ToList();
                    what = "an IP address operator takes IPv4/IPv6 addresses or CIDR ranges";
                    break;
                case Family.Binary:
                    bad = raw.Where(x => !ConditionValues.TryParseBase64(x, out _)).ToList();
                    what = "BinaryEquals takes base64-encoded values";
                    break;
                default:
                    return null;
            }
            return bad.Count == 0 ? null : $"{what}, not {Show(bad)}";
        }

        private static bool TryNumber(string s, out decimal d) =>
            decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out d);

        private static ConditionVerdict Finish(ConditionVerdict v, TriState result, RequestContext ctx)
        {
            v.Result = result;
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

        /// <summary>
        /// Positive comparison of one request value with one policy value (the negated operators negate it per value).
        /// A request value that is not of the operator's type (not a number, date, address, base64, ARN) matches nothing.
        /// </summary>
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
                case Kind.BinaryEquals:
                    return ConditionValues.TryParseBase64(c, out byte[] got) && ConditionValues.TryParseBase64(p.Text, out byte[] want)
                        && got.SequenceEqual(want);
                case Kind.IpAddress:
                case Kind.NotIpAddress:
                    return ConditionValues.TryParseAddress(c, out byte[] address) && ConditionValues.TryParseCidr(p.Text, out ConditionValues.Cidr range)
                        && range.Contains(address);
                case Kind.ArnEquals:
                case Kind.ArnLike:
                case Kind.ArnNotEquals:
                case Kind.ArnNotLike:
                    return ConditionValues.ArnMatch(c, p.Text, p.IsWild);
                case Kind.DateEquals:
                case Kind.DateNotEquals:
                case Kind.DateLessThan:
                case Kind.DateLessThanEquals:
                case Kind.DateGreaterThan:
                case Kind.DateGreaterThanEquals:
                    if (!ConditionValues.TryParseDate(c, out DateTimeOffset da) || !ConditionValues.TryParseDate(p.Text, out DateTimeOffset db))
                    {
                        return false;
                    }
                    return Order(kind, da.CompareTo(db));
                default:
                    if (!TryNumber(c, out decimal a) || !TryNumber(p.Text, out decimal b)) return false;
                    return Order(kind, a.CompareTo(b));
            }
        }

        /// <summary>Equals/NotEquals (positive: equal), LessThan, LessThanEquals, GreaterThan, GreaterThanEquals.</summary>
        private static bool Order(Kind kind, int cmp)
        {
            string n = kind.ToString();
            if (n.EndsWith("LessThan", StringComparison.Ordinal)) return cmp < 0;
            if (n.EndsWith("LessThanEquals", StringComparison.Ordinal)) return cmp <= 0;
            if (n.EndsWith("GreaterThan", StringComparison.Ordinal)) return cmp > 0;
            if (n.EndsWith("GreaterThanEquals", StringComparison.Ordinal)) return cmp >= 0;
            return cmp == 0;
        }

        internal static string Show(IReadOnlyList<string> values) =>
            values.Count == 1 ? Quote(values[0]) : "[" + string.Join(", ", values.Select(Quote)) + "]";

        private static string Quote(string s) => "\"" + s + "\"";

        /// <summary>A policy value with <c>${*}</c>, <c>${?}</c>, <c>${$}</c> escapes applied and other variables kept.</summary>
        private sealed class Value
        {
            internal string Raw = "";
            internal string Text = "";
            internal bool[] IsWild = Array.Empty<bool>();
            internal bool HasWildcard;
            internal List<string> Variables = new List<string>();

            internal static Value Parse(string raw)
            {
                var v = new Value { Raw = raw };
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
