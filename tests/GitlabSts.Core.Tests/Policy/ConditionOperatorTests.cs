using System.Linq;
using GitlabSts.Core.Policy;
using Xunit;
using static GitlabSts.Core.Tests.Policy.PolicyFixtures;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// One Allow statement whose only variable part is its Condition block, evaluated against the gitlab.com
    /// fixture (sub = project_path:acme/infra:ref_type:branch:ref:main). Expected: does the statement apply?
    /// Rules from the IAM docs (condition operators, IfExists, Null, set operators, missing keys).
    /// </summary>
    public class ConditionOperatorTests
    {
        private const string Sub = "'gitlab.com:sub'";

        public static TheoryData<string, string, bool> Cases => new TheoryData<string, string, bool>
        {
            // StringEquals: exact, case-sensitive values, case-insensitive keys, OR across values
            { "StringEquals exact sub", "{'StringEquals':{" + Sub + ":'project_path:acme/infra:ref_type:branch:ref:main'}}", true },
            { "StringEquals other sub", "{'StringEquals':{" + Sub + ":'project_path:acme/infra:ref_type:branch:ref:dev'}}", false },
            { "StringEquals value case differs", "{'StringEquals':{" + Sub + ":'project_path:ACME/infra:ref_type:branch:ref:main'}}", false },
            { "StringEquals key case differs", "{'StringEquals':{'GitLab.COM:SUB':'project_path:acme/infra:ref_type:branch:ref:main'}}", true },
            { "StringEquals OR values one matches", "{'StringEquals':{" + Sub + ":['x','project_path:acme/infra:ref_type:branch:ref:main']}}", true },
            { "StringEquals OR values none match", "{'StringEquals':{" + Sub + ":['x','y']}}", false },
            { "StringEquals wildcard is literal", "{'StringEquals':{" + Sub + ":'project_path:acme/*'}}", false },
            { "StringEquals missing key", "{'StringEquals':{'gitlab.com:environment':'prod'}}", false },
            { "StringEquals aud", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'}}", true },
            { "StringEquals aud trailing slash", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com/'}}", false },
            // StringNotEquals
            { "StringNotEquals other value", "{'StringNotEquals':{" + Sub + ":'x'}}", true },
            { "StringNotEquals same value", "{'StringNotEquals':{" + Sub + ":'project_path:acme/infra:ref_type:branch:ref:main'}}", false },
            { "StringNotEquals missing key is true", "{'StringNotEquals':{'gitlab.com:environment':'prod'}}", true },
            { "StringNotEquals one of values equal", "{'StringNotEquals':{" + Sub + ":['x','project_path:acme/infra:ref_type:branch:ref:main']}}", false },
            { "StringNotEquals case differs is true", "{'StringNotEquals':{'gitlab.com:user_login':'DEPLOYER'}}", true },
            // IgnoreCase
            { "StringEqualsIgnoreCase upper", "{'StringEqualsIgnoreCase':{'gitlab.com:user_login':'DEPLOYER'}}", true },
            { "StringEqualsIgnoreCase other", "{'StringEqualsIgnoreCase':{'gitlab.com:user_login':'admin'}}", false },
            { "StringEqualsIgnoreCase missing", "{'StringEqualsIgnoreCase':{'gitlab.com:environment':'prod'}}", false },
            { "StringNotEqualsIgnoreCase same ignoring case", "{'StringNotEqualsIgnoreCase':{'gitlab.com:user_login':'Deployer'}}", false },
            { "StringNotEqualsIgnoreCase other", "{'StringNotEqualsIgnoreCase':{'gitlab.com:user_login':'admin'}}", true },
            { "StringNotEqualsIgnoreCase missing", "{'StringNotEqualsIgnoreCase':{'gitlab.com:environment':'prod'}}", true },
            // StringLike: * and ?, case-sensitive
            { "StringLike prefix *", "{'StringLike':{" + Sub + ":'project_path:acme/*'}}", true },
            { "StringLike other group", "{'StringLike':{" + Sub + ":'project_path:other/*'}}", false },
            { "StringLike case-sensitive", "{'StringLike':{" + Sub + ":'project_path:ACME/*'}}", false },
            { "StringLike ? one char", "{'StringLike':{" + Sub + ":'project_path:acme/infr?:ref_type:branch:ref:main'}}", true },
            { "StringLike ? needs exactly one char", "{'StringLike':{" + Sub + ":'project_path:acme/infra?:ref_type:branch:ref:main'}}", false },
            { "StringLike * matches empty", "{'StringLike':{" + Sub + ":'project_path:acme/infra*:ref_type:branch:ref:main'}}", true },
            { "StringLike leading *", "{'StringLike':{" + Sub + ":'*:ref:main'}}", true },
            { "StringLike several *", "{'StringLike':{" + Sub + ":'project_path:*:ref_type:*:ref:ma*'}}", true },
            { "StringLike no wildcard exact", "{'StringLike':{" + Sub + ":'project_path:acme/infra:ref_type:branch:ref:main'}}", true },
            { "StringLike no wildcard prefix only", "{'StringLike':{" + Sub + ":'project_path:acme/infra'}}", false },
            { "StringLike escaped ${*} is literal", "{'StringLike':{" + Sub + ":'project_path:acme/${*}'}}", false },
            { "StringLike OR values", "{'StringLike':{" + Sub + ":['project_path:other/*','project_path:acme/*:ref:main']}}", true },
            { "StringLike missing key", "{'StringLike':{'gitlab.com:environment':'*'}}", false },
            // StringNotLike
            { "StringNotLike other group", "{'StringNotLike':{" + Sub + ":'project_path:other/*'}}", true },
            { "StringNotLike own group", "{'StringNotLike':{" + Sub + ":'project_path:acme/*'}}", false },
            { "StringNotLike missing key is true", "{'StringNotLike':{'gitlab.com:environment':'prod*'}}", true },
            // IfExists
            { "StringEqualsIfExists missing", "{'StringEqualsIfExists':{'gitlab.com:environment':'prod'}}", true },
            { "StringEqualsIfExists present mismatch", "{'StringEqualsIfExists':{" + Sub + ":'x'}}", false },
            { "StringEqualsIfExists present match", "{'StringEqualsIfExists':{" + Sub + ":'project_path:acme/infra:ref_type:branch:ref:main'}}", true },
            { "StringLikeIfExists missing", "{'StringLikeIfExists':{'gitlab.com:environment':'prod*'}}", true },
            { "StringLikeIfExists present mismatch", "{'StringLikeIfExists':{" + Sub + ":'project_path:other/*'}}", false },
            { "StringNotLikeIfExists present matching", "{'StringNotLikeIfExists':{" + Sub + ":'project_path:acme/*'}}", false },
            // Null
            { "Null true on absent key", "{'Null':{'gitlab.com:environment':'true'}}", true },
            { "Null true on present key", "{'Null':{" + Sub + ":'true'}}", false },
            { "Null false on present key", "{'Null':{" + Sub + ":'false'}}", true },
            { "Null false on absent key", "{'Null':{'gitlab.com:environment':'false'}}", false },
            { "Null with JSON boolean", "{'Null':{'gitlab.com:environment':true}}", true },
            // AND across keys and operators
            { "AND two keys both match", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'," + Sub + ":'project_path:acme/infra:ref_type:branch:ref:main'}}", true },
            { "AND two keys one fails", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'," + Sub + ":'x'}}", false },
            { "AND two operators both match", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{" + Sub + ":'project_path:acme/*'}}", true },
            { "AND two operators one fails", "{'StringEquals':{'gitlab.com:aud':'https://gitlab.com'},'StringLike':{" + Sub + ":'project_path:other/*'}}", false },
            // Numeric and Bool on gitlab.com keys
            { "NumericEquals project_id", "{'NumericEquals':{'gitlab.com:project_id':'987654'}}", true },
            { "NumericEquals JSON number", "{'NumericEquals':{'gitlab.com:project_id':987654}}", true },
            { "NumericLessThan project_id", "{'NumericLessThan':{'gitlab.com:project_id':'1000'}}", false },
            { "NumericGreaterThanEquals project_id", "{'NumericGreaterThanEquals':{'gitlab.com:project_id':'987654'}}", true },
            { "NumericNotEquals project_id", "{'NumericNotEquals':{'gitlab.com:project_id':'1'}}", true },
            { "Bool ref_protected true", "{'Bool':{'gitlab.com:ref_protected':'true'}}", true },
            { "Bool ref_protected false", "{'Bool':{'gitlab.com:ref_protected':'false'}}", false },
            // ForAnyValue / ForAllValues (test:multi = [alpha, beta], test:empty = [], test:none marked absent:
            // a non-provider key that is neither set nor marked absent would be unknown, see UnknownKeyTests)
            { "ForAnyValue one matches", "{'ForAnyValue:StringEquals':{'test:multi':'beta'}}", true },
            { "ForAnyValue none matches", "{'ForAnyValue:StringEquals':{'test:multi':'gamma'}}", false },
            { "ForAnyValue empty set is false", "{'ForAnyValue:StringEquals':{'test:empty':'x'}}", false },
            { "ForAnyValue missing key is false", "{'ForAnyValue:StringEquals':{'test:none':'x'}}", false },
            { "ForAnyValue IfExists missing key", "{'ForAnyValue:StringEqualsIfExists':{'test:none':'x'}}", true },
            { "ForAnyValue StringLike", "{'ForAnyValue:StringLike':{'test:multi':'al*'}}", true },
            { "ForAllValues subset of policy values", "{'ForAllValues:StringEquals':{'test:multi':['alpha','beta','gamma']}}", true },
            { "ForAllValues one value outside", "{'ForAllValues:StringEquals':{'test:multi':'alpha'}}", false },
            { "ForAllValues empty set is true", "{'ForAllValues:StringEquals':{'test:empty':'x'}}", true },
            { "ForAllValues missing key is true", "{'ForAllValues:StringEquals':{'test:none':'x'}}", true },
            { "ForAllValues StringNotEquals disjoint", "{'ForAllValues:StringNotEquals':{'test:multi':'gamma'}}", true },
            { "ForAllValues StringNotEquals overlap", "{'ForAllValues:StringNotEquals':{'test:multi':'alpha'}}", false },
            { "ForAllValues StringLike all match", "{'ForAllValues:StringLike':{'test:multi':['al*','be*']}}", true },
            // a single-valued operator on a multi-valued key
            { "StringEquals on multi-valued key any", "{'StringEquals':{'test:multi':'alpha'}}", true },
            { "StringNotEquals on multi-valued key", "{'StringNotEquals':{'test:multi':'alpha'}}", false },
            // keys AWS does not expose and policy variables
            { "unexposed claim key never matches", "{'StringEquals':{'gitlab.com:project_path':'acme/infra'}}", false },
            { "unexposed claim key negated is true", "{'StringNotEquals':{'gitlab.com:project_path':'acme/infra'}}", true },
            { "policy variable unresolved", "{'StringEquals':{" + Sub + ":'${aws:username}'}}", false },
            // unknown operators
            { "unknown operator", "{'StringEqual':{" + Sub + ":'x'}}", false },
            { "Null takes no IfExists", "{'NullIfExists':{'gitlab.com:environment':'true'}}", false },
        };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Statement_applies_as_IAM_documents(string name, string condition, bool expected)
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(AllowWithCondition(condition), GitlabComContext().SetAbsent("test:none"));

            StatementResult s = Assert.Single(e.Statements);
            Assert.True(s.PrincipalMatched, name);
            Assert.True(s.ActionMatched, name);
            Assert.Equal(expected, s.ConditionsMatched);
            Assert.Equal(expected ? PolicyDecision.Allow : PolicyDecision.ImplicitDeny, e.Decision);
        }

        [Theory]
        [InlineData("{'StringEquals':{'gitlab.com:project_path':'acme/infra'}}", true, false, false, false)]
        [InlineData("{'StringEquals':{'gitlab.example.com:project_path':'x'}}", false, false, false, false)]
        [InlineData("{'StringEquals':{'gitlab.com:sub':'project_path:acme/*'}}", false, true, false, false)]
        [InlineData("{'StringNotEquals':{'gitlab.com:sub':'project_path:?cme/*'}}", false, true, false, false)]
        [InlineData("{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}", false, false, false, false)]
        [InlineData("{'StringEquals':{'gitlab.com:sub':'${aws:username}'}}", false, false, true, false)]
        [InlineData("{'StringLike':{'gitlab.com:sub':'${*}x${$}'}}", false, false, false, false)]
        [InlineData("{'StringLke':{'gitlab.com:sub':'x'}}", false, false, false, true)]
        public void Condition_flags(string condition, bool notExposed, bool wildcardUnderEquals, bool variable, bool unknownOp)
        {
            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(AllowWithCondition(J(condition)), GitlabComContext());

            ConditionVerdict c = Assert.Single(Assert.Single(e.Statements).Conditions);
            Assert.Equal(notExposed, c.KeyNotExposed);
            Assert.Equal(wildcardUnderEquals, c.WildcardUnderEquals);
            Assert.Equal(variable, c.UnresolvedVariables.Count > 0);
            Assert.Equal(unknownOp, c.UnknownOperator);
        }

        [Fact]
        public void Detail_says_what_was_expected_and_what_the_token_has()
        {
            RequestContext ctx = new RequestContext(GitlabComProvider) { IssuerKey = "gitlab.com" }
                .Set("gitlab.com:sub", "project_path:other/app:ref_type:branch:ref:main");

            PolicyEvaluation e = TrustPolicyEvaluator.Evaluate(AllowWithCondition(J("{'StringLike':{'gitlab.com:sub':'project_path:acme/*'}}")), ctx);

            Assert.Equal("StringLike gitlab.com:sub \"project_path:acme/*\" did not match \"project_path:other/app:ref_type:branch:ref:main\"",
                e.Statements[0].Conditions[0].Detail);
        }

        [Fact]
        public void Unexposed_key_detail_names_the_exposed_keys()
        {
            RequestContext ctx = OidcConditionKeys.BuildContext(SelfManagedClaims, "aws", "123456789012");
            string policy = J("{'Statement':{'Effect':'Allow','Principal':{'Federated':'" + ctx.FederatedPrincipal
                + "'},'Action':'sts:AssumeRoleWithWebIdentity','Condition':{'StringEquals':{'gitlab.example.com:project_path':'my-group/my-project'}}}}");

            ConditionVerdict c = TrustPolicyEvaluator.Evaluate(policy, ctx).Statements[0].Conditions.Single();

            Assert.False(c.Matched);
            Assert.True(c.KeyNotExposed);
            Assert.Null(c.ContextValues);
            Assert.Contains("AWS does not expose gitlab.example.com:project_path", c.Detail);
            Assert.Contains("only gitlab.example.com:aud, gitlab.example.com:sub)", c.Detail);
        }
    }
}
