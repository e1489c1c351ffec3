using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// Every IAM condition operator family (String, Numeric, Date, Bool, Binary, IP address, ARN, Null) with its
    /// IfExists, negated and ForAnyValue:/ForAllValues: forms, under the IAM "Condition operators" and
    /// "single-valued vs multivalued context keys" rules: one Allow statement whose Condition is the only variable
    /// part, against the gitlab.com fixture plus the keys of <see cref="Context"/>. Expected: the statement's
    /// applicability (and the decision: True → Allow, False → ImplicitDeny, Indeterminate → Indeterminate).
    /// </summary>
    public class OperatorFamilyTests
    {
        internal static readonly DateTimeOffset Now = new DateTimeOffset(2026, 12, 4, 14, 30, 0, TimeSpan.Zero);

        /// <summary>
        /// gitlab.com fixture (project_id 987654, ref_protected "true", no environment) plus: the STS keys (now, eu-west-1,
        /// session gitlab-42, https), supplied aws:SourceIp 203.0.113.7, aws:SourceArn, aws:SourceVpc supplied absent,
        /// and test keys: ip6, arns (two), bin ("hello" in base64), dates (2026-01-01, 2027-01-01), nums (1, 5), multi, empty.
        /// Anything else outside gitlab.com (aws:PrincipalTag/team, aws:SourceVpce, aws:PrincipalArn...) is unknown.
        /// </summary>
        internal static RequestContext Context()
        {
            RequestContext ctx = GitlabComContext()
                .SetStsRequestKeys(Now, "eu-west-1", "gitlab-42", new Uri("https://sts.eu-west-1.amazonaws.com"))
                .SetConditionContext(new Dictionary<string, IReadOnlyList<string>?>
                {
                    ["aws:SourceIp"] = new[] { "203.0.113.7" },
                    ["aws:SourceArn"] = new[] { "arn:aws:iam::123456789012:role/ci/deploy" },
                    ["aws:SourceVpc"] = null,
                    ["test:ip6"] = new[] { "2001:db8:1234:5678::1" },
                    ["test:arns"] = new[] { "arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-b/key:with:colons" },
                    ["test:bin"] = new[] { "aGVsbG8=" },
                    ["test:dates"] = new[] { "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z" },
                    ["test:nums"] = new[] { "1", "5" },
                });
            return ctx;
        }

        private static string C(string op, string key, string values) => "{'" + op + "':{'" + key + "':" + values + "}}";

        private const TriState T = TriState.True, F = TriState.False, I = TriState.Indeterminate;

        public static TheoryData<string, string, TriState> Cases => new TheoryData<string, string, TriState>
        {
            // ---- Numeric (gitlab.com:project_id = 987654)
            { "NumericLessThan below", C("NumericLessThan", "gitlab.com:project_id", "'1000000'"), T },
            { "NumericLessThan equal is false", C("NumericLessThan", "gitlab.com:project_id", "'987654'"), F },
            { "NumericLessThanEquals equal", C("NumericLessThanEquals", "gitlab.com:project_id", "'987654'"), T },
            { "NumericLessThanEquals above", C("NumericLessThanEquals", "gitlab.com:project_id", "'987653'"), F },
            { "NumericGreaterThan", C("NumericGreaterThan", "gitlab.com:project_id", "'987653'"), T },
            { "NumericGreaterThan equal is false", C("NumericGreaterThan", "gitlab.com:project_id", "'987654'"), F },
            { "NumericGreaterThanEquals", C("NumericGreaterThanEquals", "gitlab.com:project_id", "'987654'"), T },
            { "NumericEquals decimal form", C("NumericEquals", "gitlab.com:project_id", "'987654.0'"), T },
            { "NumericEquals OR values", C("NumericEquals", "gitlab.com:project_id", "['1','987654']"), T },
            { "NumericNotEquals same", C("NumericNotEquals", "gitlab.com:project_id", "'987654'"), F },
            { "NumericNotEquals absent key", C("NumericNotEquals", "gitlab.com:environment", "'1'"), T },
            { "NumericLessThan absent key", C("NumericLessThan", "gitlab.com:environment", "'1'"), F },
            { "NumericLessThanIfExists absent key", C("NumericLessThanIfExists", "gitlab.com:environment", "'1'"), T },
            { "NumericLessThanIfExists present mismatch", C("NumericLessThanIfExists", "gitlab.com:project_id", "'1'"), F },
            { "NumericEquals request value not a number", C("NumericEquals", "gitlab.com:sub", "'1'"), F },
            { "NumericGreaterThan aws:EpochTime", C("NumericGreaterThan", "aws:EpochTime", "'1700000000'"), T },
            { "ForAllValues:NumericLessThan all below", C("ForAllValues:NumericLessThan", "test:nums", "'10'"), T },
            { "ForAllValues:NumericLessThan one above", C("ForAllValues:NumericLessThan", "test:nums", "'3'"), F },
            { "ForAnyValue:NumericGreaterThan one above", C("ForAnyValue:NumericGreaterThan", "test:nums", "'3'"), T },
            { "ForAnyValue:NumericGreaterThan none above", C("ForAnyValue:NumericGreaterThan", "test:nums", "'10'"), F },
            { "ForAllValues:NumericNotEquals disjoint", C("ForAllValues:NumericNotEquals", "test:nums", "['2','3']"), T },
            { "ForAnyValue:NumericEquals empty set", C("ForAnyValue:NumericEquals", "test:empty", "'1'"), F },
            { "ForAllValues:NumericEquals absent key", C("ForAllValues:NumericEquals", "test:none", "'1'"), T },
            { "NumericEquals not a number (invalid)", C("NumericEquals", "gitlab.com:project_id", "'abc'"), F },
            { "NumericEquals policy variable (invalid)", C("NumericEquals", "gitlab.com:project_id", "'${aws:EpochTime}'"), F },

            // ---- Date (aws:CurrentTime = 2026-12-04T14:30:00Z, aws:EpochTime = 1796394600)
            { "DateGreaterThan past", C("DateGreaterThan", "aws:CurrentTime", "'2026-01-01T00:00:00Z'"), T },
            { "DateGreaterThan future", C("DateGreaterThan", "aws:CurrentTime", "'2027-01-01T00:00:00Z'"), F },
            { "DateGreaterThan same instant is false", C("DateGreaterThan", "aws:CurrentTime", "'2026-12-04T14:30:00Z'"), F },
            { "DateGreaterThanEquals same instant", C("DateGreaterThanEquals", "aws:CurrentTime", "'2026-12-04T14:30:00Z'"), T },
            { "DateLessThan date only", C("DateLessThan", "aws:CurrentTime", "'2027-01-01'"), T },
            { "DateLessThan past", C("DateLessThan", "aws:CurrentTime", "'2026-12-04T14:29:59Z'"), F },
            { "DateLessThanEquals same instant", C("DateLessThanEquals", "aws:CurrentTime", "'2026-12-04T14:30:00Z'"), T },
            { "DateEquals same instant", C("DateEquals", "aws:CurrentTime", "'2026-12-04T14:30:00Z'"), T },
            { "DateEquals other offset same instant", C("DateEquals", "aws:CurrentTime", "'2026-12-04T15:30:00+01:00'"), T },
            { "DateEquals no zone is UTC", C("DateEquals", "aws:CurrentTime", "'2026-12-04T14:30:00'"), T },
            { "DateNotEquals same instant", C("DateNotEquals", "aws:CurrentTime", "'2026-12-04T14:30:00Z'"), F },
            { "DateNotEquals other", C("DateNotEquals", "aws:CurrentTime", "'2020-01-01'"), T },
            { "DateGreaterThan fraction", C("DateGreaterThan", "aws:CurrentTime", "'2026-12-04T14:29:59.5Z'"), T },
            { "DateGreaterThan epoch policy value", C("DateGreaterThan", "aws:CurrentTime", "'1796394599'"), T },
            { "DateEquals epoch policy value", C("DateEquals", "aws:CurrentTime", "'1796394600'"), T },
            { "DateLessThan on aws:EpochTime with ISO", C("DateLessThan", "aws:EpochTime", "'2027-01-01T00:00:00Z'"), T },
            { "DateGreaterThan absent key", C("DateGreaterThan", "gitlab.com:environment", "'2020-01-01'"), F },
            { "DateNotEquals absent key", C("DateNotEquals", "gitlab.com:environment", "'2020-01-01'"), T },
            { "DateGreaterThanIfExists absent key", C("DateGreaterThanIfExists", "gitlab.com:environment", "'2030-01-01'"), T },
            { "DateLessThanIfExists present mismatch", C("DateLessThanIfExists", "aws:CurrentTime", "'2020-01-01'"), F },
            { "DateLessThan request value not a date", C("DateLessThan", "gitlab.com:sub", "'2030-01-01'"), F },
            { "ForAllValues:DateLessThan all before", C("ForAllValues:DateLessThan", "test:dates", "'2028-01-01'"), T },
            { "ForAllValues:DateLessThan one after", C("ForAllValues:DateLessThan", "test:dates", "'2026-06-01'"), F },
            { "ForAnyValue:DateLessThan one before", C("ForAnyValue:DateLessThan", "test:dates", "'2026-06-01'"), T },
            { "ForAnyValue:DateGreaterThan none after", C("ForAnyValue:DateGreaterThan", "test:dates", "'2028-01-01'"), F },
            { "DateGreaterThan not a date (invalid)", C("DateGreaterThan", "aws:CurrentTime", "'yesterday'"), F },
            { "DateNotEquals not a date (invalid, not true)", C("DateNotEquals", "aws:CurrentTime", "'2026-13-01'"), F },
            { "DateGreaterThan policy variable (invalid)", C("DateGreaterThan", "aws:CurrentTime", "'${aws:TokenIssueTime}'"), F },
            { "DateGreaterThan unknown key", C("DateGreaterThan", "aws:TokenIssueTime", "'2020-01-01'"), I },

            // ---- Bool
            { "Bool aws:SecureTransport true", C("Bool", "aws:SecureTransport", "'true'"), T },
            { "Bool aws:SecureTransport false", C("Bool", "aws:SecureTransport", "'false'"), F },
            { "Bool case-insensitive value", C("Bool", "aws:SecureTransport", "'TRUE'"), T },
            { "Bool JSON boolean", C("Bool", "gitlab.com:ref_protected", "true"), T },
            { "Bool absent key with false", C("Bool", "gitlab.com:environment", "'false'"), F },
            { "BoolIfExists absent key", C("BoolIfExists", "gitlab.com:environment", "'true'"), T },
            { "BoolIfExists present mismatch", C("BoolIfExists", "aws:SecureTransport", "'false'"), F },
            { "Bool request value not a boolean", C("Bool", "gitlab.com:sub", "'true'"), F },
            { "Bool not a boolean (invalid)", C("Bool", "aws:SecureTransport", "'yes'"), F },
            { "Bool unknown key", C("Bool", "aws:MultiFactorAuthPresent", "'true'"), I },

            // ---- Binary (test:bin = base64("hello"))
            { "BinaryEquals same bytes", C("BinaryEquals", "test:bin", "'aGVsbG8='"), T },
            { "BinaryEquals other bytes", C("BinaryEquals", "test:bin", "'aGVsbG8h'"), F },
            { "BinaryEquals OR values", C("BinaryEquals", "test:bin", "['eA==','aGVsbG8=']"), T },
            { "BinaryEquals absent key", C("BinaryEquals", "test:none", "'aGVsbG8='"), F },
            { "BinaryEqualsIfExists absent key", C("BinaryEqualsIfExists", "test:none", "'aGVsbG8='"), T },
            { "ForAnyValue:BinaryEquals", C("ForAnyValue:BinaryEquals", "test:bin", "'aGVsbG8='"), T },
            { "BinaryEquals not base64 (invalid)", C("BinaryEquals", "test:bin", "'hello!'"), F },
            { "BinaryEquals unknown key", C("BinaryEquals", "test:unknown", "'aGVsbG8='"), I },

            // ---- IP address (aws:SourceIp = 203.0.113.7, test:ip6 = 2001:db8:1234:5678::1)
            { "IpAddress in CIDR", C("IpAddress", "aws:SourceIp", "'203.0.113.0/24'"), T },
            { "IpAddress outside CIDR", C("IpAddress", "aws:SourceIp", "'198.51.100.0/24'"), F },
            { "IpAddress plain address is /32", C("IpAddress", "aws:SourceIp", "'203.0.113.7'"), T },
            { "IpAddress plain other address", C("IpAddress", "aws:SourceIp", "'203.0.113.8'"), F },
            { "IpAddress /31 boundary", C("IpAddress", "aws:SourceIp", "'203.0.113.6/31'"), T },
            { "IpAddress /0", C("IpAddress", "aws:SourceIp", "'0.0.0.0/0'"), T },
            { "IpAddress host bits ignored", C("IpAddress", "aws:SourceIp", "'203.0.113.200/24'"), T },
            { "IpAddress OR ranges", C("IpAddress", "aws:SourceIp", "['198.51.100.0/24','203.0.113.0/28']"), T },
            { "NotIpAddress outside", C("NotIpAddress", "aws:SourceIp", "'198.51.100.0/24'"), T },
            { "NotIpAddress inside", C("NotIpAddress", "aws:SourceIp", "'203.0.113.0/24'"), F },
            { "NotIpAddress inside one of several", C("NotIpAddress", "aws:SourceIp", "['198.51.100.0/24','203.0.113.0/24']"), F },
            { "IpAddress IPv6 prefix", C("IpAddress", "test:ip6", "'2001:DB8:1234:5678::/64'"), T },
            { "IpAddress IPv6 other prefix", C("IpAddress", "test:ip6", "'2001:db8:1234:5679::/64'"), F },
            { "IpAddress IPv6 plain is /128", C("IpAddress", "test:ip6", "'2001:db8:1234:5678:0:0:0:1'"), T },
            { "IpAddress IPv4 range vs IPv6 address", C("IpAddress", "test:ip6", "'0.0.0.0/0'"), F },
            { "IpAddress absent key", C("IpAddress", "gitlab.com:environment", "'0.0.0.0/0'"), F },
            { "NotIpAddress absent key", C("NotIpAddress", "gitlab.com:environment", "'0.0.0.0/0'"), T },
            { "IpAddressIfExists absent key", C("IpAddressIfExists", "gitlab.com:environment", "'10.0.0.0/8'"), T },
            { "NotIpAddressIfExists present inside", C("NotIpAddressIfExists", "aws:SourceIp", "'203.0.113.0/24'"), F },
            { "IpAddress request value not an address", C("IpAddress", "gitlab.com:sub", "'0.0.0.0/0'"), F },
            { "ForAnyValue:IpAddress", C("ForAnyValue:IpAddress", "aws:SourceIp", "'203.0.113.0/24'"), T },
            { "ForAllValues:NotIpAddress", C("ForAllValues:NotIpAddress", "aws:SourceIp", "'10.0.0.0/8'"), T },
            { "IpAddress prefix too long (invalid)", C("IpAddress", "aws:SourceIp", "'203.0.113.0/33'"), F },
            { "IpAddress three octets (invalid)", C("IpAddress", "aws:SourceIp", "'203.0.113'"), F },
            { "IpAddress octet over 255 (invalid)", C("IpAddress", "aws:SourceIp", "'203.0.113.256'"), F },
            { "NotIpAddress bad CIDR (invalid, not true)", C("NotIpAddress", "aws:SourceIp", "'not-an-ip'"), F },
            { "IpAddress IPv6 prefix too long (invalid)", C("IpAddress", "test:ip6", "'2001:db8::/129'"), F },
            { "IpAddress unknown key", C("IpAddress", "aws:VpcSourceIp", "'10.0.0.0/8'"), I },

            // ---- ARN (aws:SourceArn = arn:aws:iam::123456789012:role/ci/deploy)
            { "ArnEquals exact", C("ArnEquals", "aws:SourceArn", "'arn:aws:iam::123456789012:role/ci/deploy'"), T },
            { "ArnEquals other", C("ArnEquals", "aws:SourceArn", "'arn:aws:iam::123456789012:role/ci/other'"), F },
            { "ArnEquals takes wildcards too", C("ArnEquals", "aws:SourceArn", "'arn:aws:iam::123456789012:role/*'"), T },
            { "ArnLike resource prefix", C("ArnLike", "aws:SourceArn", "'arn:aws:iam::123456789012:role/ci/*'"), T },
            { "ArnLike any account", C("ArnLike", "aws:SourceArn", "'arn:aws:iam::*:role/ci/deploy'"), T },
            { "ArnLike * in one component only", C("ArnLike", "aws:SourceArn", "'arn:aws:*:role/ci/deploy'"), F },
            { "ArnLike ? one character", C("ArnLike", "aws:SourceArn", "'arn:aws:iam::12345678901?:role/ci/deploy'"), T },
            { "ArnLike case-sensitive", C("ArnLike", "aws:SourceArn", "'arn:aws:IAM::123456789012:role/ci/deploy'"), F },
            { "ArnLike other partition", C("ArnLike", "aws:SourceArn", "'arn:aws-cn:iam::*:*'"), F },
            { "ArnLike every component wild", C("ArnLike", "aws:SourceArn", "'arn:*:*:*:*:*'"), T },
            { "ArnLike bare * is not an ARN", C("ArnLike", "aws:SourceArn", "'*'"), F },
            { "ArnNotEquals other", C("ArnNotEquals", "aws:SourceArn", "'arn:aws:iam::123456789012:role/x'"), T },
            { "ArnNotLike matching", C("ArnNotLike", "aws:SourceArn", "'arn:aws:iam::*:role/*'"), F },
            { "ArnNotLike absent key", C("ArnNotLike", "gitlab.com:environment", "'arn:aws:iam::*:*'"), T },
            { "ArnLike absent key", C("ArnLike", "gitlab.com:environment", "'arn:*:*:*:*:*'"), F },
            { "ArnLikeIfExists absent key", C("ArnLikeIfExists", "gitlab.com:environment", "'arn:aws:iam::1:*'"), T },
            { "ArnLikeIfExists present mismatch", C("ArnLikeIfExists", "aws:SourceArn", "'arn:aws:s3:::*'"), F },
            { "ForAllValues:ArnLike resource keeps colons", C("ForAllValues:ArnLike", "test:arns", "'arn:aws:s3:::bucket-*'"), T },
            { "ForAllValues:ArnLike one outside", C("ForAllValues:ArnLike", "test:arns", "'arn:aws:s3:::bucket-a'"), F },
            { "ForAnyValue:ArnEquals one equal", C("ForAnyValue:ArnEquals", "test:arns", "'arn:aws:s3:::bucket-a'"), T },
            { "ForAllValues:ArnNotLike disjoint", C("ForAllValues:ArnNotLike", "test:arns", "'arn:aws:s3:::other*'"), T },
            { "ForAnyValue:ArnNotLike every value matches", C("ForAnyValue:ArnNotLike", "test:arns", "'arn:aws:s3:::*'"), F },
            { "ArnLike request value not an ARN", C("ArnLike", "gitlab.com:sub", "'*:*:*:*:*:*'"), F },
            { "ArnLike unknown key", C("ArnLike", "aws:PrincipalArn", "'arn:aws:iam::*:*'"), I },

            // ---- String / Null on supplied, absent and unknown keys
            { "StringEquals supplied key", C("StringEquals", "aws:SourceIp", "'203.0.113.7'"), T },
            { "StringEquals supplied-absent key", C("StringEquals", "aws:SourceVpc", "'vpc-1'"), F },
            { "StringNotEquals supplied-absent key", C("StringNotEquals", "aws:SourceVpc", "'vpc-1'"), T },
            { "Null true on supplied-absent key", C("Null", "aws:SourceVpc", "'true'"), T },
            { "Null false on supplied key", C("Null", "aws:SourceIp", "'false'"), T },
            { "Null not a boolean (invalid)", C("Null", "aws:SourceIp", "'maybe'"), F },
            { "Null on unknown key", C("Null", "aws:SourceVpce", "'true'"), I },
            { "StringEquals unknown key", C("StringEquals", "aws:PrincipalTag/team", "'ops'"), I },
            { "StringNotEquals unknown key", C("StringNotEquals", "aws:SourceVpce", "'vpce-1'"), I },
            { "StringEqualsIfExists unknown key", C("StringEqualsIfExists", "aws:PrincipalTag/team", "'ops'"), I },
            { "ForAllValues unknown key", C("ForAllValues:StringEquals", "aws:TagKeys", "'a'"), I },
            { "ForAnyValue IfExists unknown key", C("ForAnyValue:StringLikeIfExists", "aws:TagKeys", "'a*'"), I },
            { "StringNotEquals multi-valued none equal", C("StringNotEquals", "test:multi", "'gamma'"), T },
            { "another issuer's key is absent, not unknown", C("StringEquals", "gitlab.example.com:sub", "'x'"), F },
            { "another issuer's key negated", C("StringNotLike", "token.actions.githubusercontent.com:sub", "'x'"), T },

            // ---- keys STS sets, given their value
            { "aws:RequestedRegion", C("StringEquals", "aws:RequestedRegion", "'eu-west-1'"), T },
            { "aws:RequestedRegion other", C("StringEquals", "aws:RequestedRegion", "['us-east-1','us-west-2']"), F },
            { "sts:RoleSessionName like", C("StringLike", "sts:RoleSessionName", "'gitlab-*'"), T },
            { "sts:RoleSessionName other", C("StringEquals", "sts:RoleSessionName", "'admin'"), F },
            { "aws:CurrentTime window", "{'DateGreaterThan':{'aws:CurrentTime':'2026-12-01T00:00:00Z'},'DateLessThan':{'aws:CurrentTime':'2026-12-31T00:00:00Z'}}", T },

            // ---- AND across keys: a definite false wins over an unknown key, an unknown key over true
            { "false and unknown is false", "{'StringEquals':{'gitlab.com:sub':'x','aws:PrincipalTag/team':'ops'}}", F },
            { "true and unknown is indeterminate", "{'StringLike':{'gitlab.com:sub':'project_path:acme/*'},'NotIpAddress':{'aws:VpcSourceIp':'10.0.0.0/8'}}", I },
            { "invalid value and unknown is false", "{'IpAddress':{'aws:VpcSourceIp':'10.0.0.0/99'},'Bool':{'aws:MultiFactorAuthPresent':'true'}}", F },

            // ---- operators IAM does not have stay unknown (the policy is invalid)
            { "DateAfter is not an operator", C("DateAfter", "aws:CurrentTime", "'2020-01-01'"), F },
            { "BinaryNotEquals is not an operator", C("BinaryNotEquals", "test:bin", "'eA=='"), F },
            { "IpAddressEquals is not an operator", C("IpAddressEquals", "aws:SourceIp", "'203.0.113.7'"), F },
            { "ForAnyValue:Null is not an operator", C("ForAnyValue:Null", "aws:SourceIp", "'false'"), F },
            { "BoolIfExistsIfExists is not an operator", C("BoolIfExistsIfExists", "aws:SecureTransport", "'true'"), F },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Statement_applicability_follows_IAM(string name, string condition, TriState expected)
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(AllowWithCondition(J(condition)), Context().SetAbsent("test:none"));

            StatementResult s = Assert.Single(e.Statements);
            Assert.True(s.PrincipalMatched && s.ActionMatched, name);
            Assert.True(expected == s.Applicability, $"{name}: expected {expected}, got {s.Applicability}: "
                + string.Join("; ", s.Conditions.Select(c => c.Detail)));
            Assert.Equal(expected == TriState.True, s.Applies);
            PolicyDecision decision = expected == T ? PolicyDecision.Allow : expected == F ? PolicyDecision.ImplicitDeny : PolicyDecision.Indeterminate;
            Assert.Equal(decision, e.Decision);
            Assert.Equal(expected == I, e.UnknownKeys.Count > 0);
        }

        public static TheoryData<string, bool, bool> InvalidCases => new TheoryData<string, bool, bool>
        {
            // condition, InvalidValue, UnknownOperator
            { C("DateGreaterThan", "aws:CurrentTime", "'yesterday'"), true, false },
            { C("DateLessThan", "aws:CurrentTime", "['2026-01-01','soon']"), true, false },
            { C("NumericLessThan", "gitlab.com:project_id", "'ten'"), true, false },
            { C("IpAddress", "aws:SourceIp", "'203.0.113.0/33'"), true, false },
            { C("NotIpAddress", "aws:SourceIp", "'203.0.113.0/-1'"), true, false },
            { C("IpAddress", "aws:SourceIp", "'1.2.3.4/24/8'"), true, false },
            { C("BinaryEquals", "test:bin", "'***'"), true, false },
            { C("Bool", "aws:SecureTransport", "'1'"), true, false },
            { C("Null", "aws:SourceIp", "'yes'"), true, false },
            { C("DateGreaterThan", "aws:TokenIssueTime", "'nope'"), true, false },
            { C("Bool", "aws:SecureTransport", "'${aws:SecureTransport}'"), false, false },
            { C("ArnLike", "aws:SourceArn", "'*'"), false, false },
            { C("IpAddress", "aws:SourceIp", "'2001:db8::/32'"), false, false },
            { C("DateEquals", "aws:CurrentTime", "'1796394600'"), false, false },
            { C("DateAfter", "aws:CurrentTime", "'2020-01-01'"), false, true },
            { C("NullIfExists", "aws:SourceIp", "'true'"), false, true },
        };

        [Theory]
        [MemberData(nameof(InvalidCases))]
        public void A_value_of_the_wrong_type_makes_the_policy_invalid_and_the_condition_false(string condition, bool invalidValue, bool unknownOperator)
        {
            ConditionVerdict c = Assert.Single(Assert.Single(TrustPolicyEvaluator.Evaluate(AllowWithCondition(J(condition)), Context()).Statements).Conditions);

            Assert.Equal(invalidValue, c.InvalidValue);
            Assert.Equal(unknownOperator, c.UnknownOperator);
            Assert.Equal(invalidValue || unknownOperator, c.IsInvalid);
            if (c.IsInvalid)
            {
                Assert.Equal(TriState.False, c.Result);
                Assert.False(c.Matched);
            }
            if (invalidValue) Assert.Contains("invalid condition data type", c.Detail);
        }

        [Fact]
        public void Invalid_value_detail_names_the_bad_value_and_the_expected_type()
        {
            ConditionVerdict c = TrustPolicyEvaluator.Evaluate(AllowWithCondition(J(C("DateGreaterThan", "aws:CurrentTime", "['2026-01-01','soon']"))), Context())
                .Statements[0].Conditions[0];

            Assert.Equal("DateGreaterThan aws:CurrentTime [\"2026-01-01\", \"soon\"]: a Date operator takes ISO 8601 dates/times or epoch seconds "
                + "(no policy variables), not \"soon\"; IAM reports an invalid condition data type: the condition is false", c.Detail);
        }

        [Fact]
        public void Unknown_key_detail_says_what_to_supply()
        {
            ConditionVerdict c = TrustPolicyEvaluator.Evaluate(AllowWithCondition(J(C("NotIpAddress", "aws:VpcSourceIp", "'10.0.0.0/8'"))), Context())
                .Statements[0].Conditions[0];

            Assert.True(c.Indeterminate);
            Assert.False(c.Matched);
            Assert.Null(c.ContextValues);
            Assert.Equal("NotIpAddress aws:VpcSourceIp \"10.0.0.0/8\": aws:VpcSourceIp is known only to AWS at request time and was not supplied "
                + "→ indeterminate (supply its value as condition context, or test live)", c.Detail);
        }
    }
}
