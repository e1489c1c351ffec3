using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;
using Xunit;

using GitlabSts.Core.Tests.Tokens;

namespace GitlabSts.Core.Tests.Sts
{
    public class ExchangeRequestTests
    {
        internal const string Role = "arn:aws:iam::123456789012:role/gitlab-deployer";
        private static readonly Regex SessionNameRule = new Regex(@"^[A-Za-z0-9_+=,.@-]{2,64}$");
        private static readonly DateTimeOffset Now = TestTokens.Now;

        internal static ExchangeSettings Settings(string? role = Role, string? token = null) => new ExchangeSettings
        {
            RoleArn = role,
            Token = new TokenSource(TokenSourceKind.Text, token ?? TestTokens.Mint()),
        };

        private static ExchangeRequest Resolve(ExchangeSettings s, IEnvironmentReader? env = null, CapturingLog? log = null) =>
            ExchangeRequest.Resolve(s, env ?? Env.Of(), log ?? new CapturingLog(), Now);

        private static GitlabStsException Fails(ExchangeSettings s, IEnvironmentReader? env = null) =>
            Assert.Throws<GitlabStsException>(() => Resolve(s, env));

        // ---------------- session name ----------------

        [Fact]
        public void Session_name_in_a_job_is_GitLabRunner_project_pipeline_job()
        {
            var env = Env.Of(("CI_PROJECT_ID", "987654"), ("CI_PIPELINE_ID", "1500000001"), ("CI_JOB_ID", "9000000001"));
            Assert.Equal("GitLabRunner-987654-1500000001-9000000001", ExchangeRequest.ResolveSessionName(null, env, Now));
            Assert.Equal("GitLabRunner-987654-1500000001-9000000001", Resolve(Settings(), env).RoleSessionName);
        }

        [Fact]
        public void Session_name_outside_a_job_is_GitlabSts_user_unixtime()
        {
            var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
            string name = ExchangeRequest.ResolveSessionName(null, Env.Of(("CI_PROJECT_ID", "1")), now);

            Assert.Matches(SessionNameRule, name);
            string user = Regex.Replace(Environment.UserName, "[^A-Za-z0-9_+=,.@-]", "-");
            string full = $"GitlabSts-{user}-{now.ToUnixTimeSeconds()}";
            Assert.Equal(full.Length <= 64 ? full : full.Substring(0, 64), name);
            Assert.StartsWith("GitlabSts-", name);
        }

        public static IEnumerable<object[]> JobIdCases => new[]
        {
            new object[] { "20", "574", "302", "GitLabRunner-20-574-302" },
            new object[] { "12 34", "5/6", "7:8", "GitLabRunner-12-34-5-6-7-8" },
            new object[] { "prøject", "pipe line", "jöb", "GitLabRunner-pr-ject-pipe-line-j-b" },
            new object[] { new string('1', 40), new string('2', 40), "3", "GitLabRunner-" + new string('1', 40) + "-" + new string('2', 10) },
            new object[] { "1", "2", new string('9', 100), ("GitLabRunner-1-2-" + new string('9', 100)).Substring(0, 64) },
            new object[] { "a#b", "c$d", "e%f", "GitLabRunner-a-b-c-d-e-f" },
            new object[] { "a+b", "c=d", "e,f.g@h_i", "GitLabRunner-a+b-c=d-e,f.g@h_i" },
        };

        [Theory]
        [MemberData(nameof(JobIdCases))]
        public void Default_session_name_is_sanitised(string project, string pipeline, string job, string expected)
        {
            var env = Env.Of(("CI_PROJECT_ID", project), ("CI_PIPELINE_ID", pipeline), ("CI_JOB_ID", job));
            string name = ExchangeRequest.ResolveSessionName(null, env, Now);
            Assert.Equal(expected, name);
            Assert.Matches(SessionNameRule, name);
        }

        [Theory]
        [InlineData("", "--")]
        [InlineData("a", "a-")]
        [InlineData("ü", "--")]
        [InlineData("ab", "ab")]
        [InlineData("a b\tc\nd", "a-b-c-d")]
        [InlineData("日本語テキスト", "-------")]
        [InlineData("😀x", "--x")]
        public void SanitiseSessionName_always_gives_a_valid_name(string input, string expected)
        {
            string name = ExchangeRequest.SanitiseSessionName(input);
            Assert.Equal(expected, name);
            Assert.Matches(SessionNameRule, name);
        }

        [Fact]
        public void SanitiseSessionName_truncates_to_64()
        {
            string name = ExchangeRequest.SanitiseSessionName(new string('x', 65) + "/" + new string('y', 100));
            Assert.Equal(new string('x', 64), name);
        }

        [Theory]
        [InlineData("a")]
        [InlineData("")]
        [InlineData("with space")]
        [InlineData("a/b")]
        [InlineData("ünïcode")]
        [InlineData("tab\there")]
        [InlineData("colon:here")]
        [InlineData("0123456789012345678901234567890123456789012345678901234567890123X")]
        public void Explicit_invalid_session_name_is_an_error(string name)
        {
            var s = Settings();
            s.RoleSessionName = name;
            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidSessionName, e.ErrorId);
            Assert.Equal("RoleSessionName", e.Target);
            Assert.Contains($"-RoleSessionName '{name}' is not valid", e.Message);
            Assert.Contains("2 to 64", e.Message);
        }

        [Theory]
        [InlineData("ab")]
        [InlineData("my-session")]
        [InlineData("a_b+c=d,e.f@g-h")]
        [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
        public void Explicit_valid_session_name_is_kept_verbatim(string name)
        {
            var s = Settings();
            s.RoleSessionName = name;
            var env = Env.Of(("CI_JOB_ID", "1"), ("CI_PROJECT_ID", "2"), ("CI_PIPELINE_ID", "3"));
            Assert.Equal(name, Resolve(s, env).RoleSessionName);
        }

        // ---------------- role ARN ----------------

        [Theory]
        [InlineData("arn:aws:iam::123456789012:role/gitlab-deployer", "aws", "123456789012", "gitlab-deployer", "/")]
        [InlineData("arn:aws-cn:iam::210987654321:role/cn-deployer", "aws-cn", "210987654321", "cn-deployer", "/")]
        [InlineData("arn:aws-us-gov:iam::000000000000:role/gov", "aws-us-gov", "000000000000", "gov", "/")]
        [InlineData("arn:aws:iam::123456789012:role/ci/gitlab/deployer", "aws", "123456789012", "deployer", "/ci/gitlab/")]
        [InlineData("arn:aws-us-gov:iam::123456789012:role/service-role/a+b=c,d.e@f_g-h", "aws-us-gov", "123456789012", "a+b=c,d.e@f_g-h", "/service-role/")]
        [InlineData("  arn:aws:iam::123456789012:role/x  ", "aws", "123456789012", "x", "/")]
        public void Valid_role_arns(string arn, string partition, string account, string name, string path)
        {
            RoleArn r = RoleArn.Parse(arn);
            Assert.Equal(arn.Trim(), r.Value);
            Assert.Equal(arn.Trim(), r.ToString());
            Assert.Equal(partition, r.Partition);
            Assert.Equal(account, r.AccountId);
            Assert.Equal(name, r.RoleName);
            Assert.Equal(path, r.Path);
        }

        [Fact]
        public void Role_name_of_64_chars_is_valid_65_is_not()
        {
            Assert.Equal(new string('r', 64), RoleArn.Parse("arn:aws:iam::123456789012:role/" + new string('r', 64)).RoleName);
            var e = Assert.Throws<GitlabStsException>(() => RoleArn.Parse("arn:aws:iam::123456789012:role/" + new string('r', 65)));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
        }

        [Theory]
        [InlineData(null, "No role ARN was given")]
        [InlineData("", "No role ARN was given")]
        [InlineData("   ", "No role ARN was given")]
        [InlineData("gitlab-deployer", "is not an ARN")]
        [InlineData("arn:AWS:iam::123456789012:role/x", "is not an ARN")]
        [InlineData("arn:aws:s3:::my-bucket", "for the service 's3'")]
        [InlineData("arn:aws:sts::123456789012:assumed-role/x/y", "for the service 'sts'")]
        [InlineData("arn:aws-xx:iam::123456789012:role/x", "partition 'aws-xx'; expected one of aws, aws-cn, aws-us-gov")]
        [InlineData("arn:aws-iso:iam::123456789012:role/x", "partition 'aws-iso'")]
        [InlineData("arn:azure:iam::123456789012:role/x", "partition 'azure'")]
        [InlineData("arn:aws:iam::12345678901:role/x", "account id '12345678901'; an AWS account id is exactly 12 digits")]
        [InlineData("arn:aws:iam::1234567890123:role/x", "account id '1234567890123'")]
        [InlineData("arn:aws:iam::12345678901a:role/x", "account id '12345678901a'")]
        [InlineData("arn:aws:iam:::role/x", "account id ''")]
        [InlineData("arn:aws:iam::123456789012:user/bob", "names a user, not a role")]
        [InlineData("arn:aws:iam::123456789012:group/devs", "names a group, not a role")]
        [InlineData("arn:aws:iam::123456789012:oidc-provider/gitlab.com", "names an oidc-provider, not a role")]
        [InlineData("arn:aws:iam::123456789012:policy/x", "names a policy, not a role")]
        [InlineData("arn:aws:iam:us-east-1:123456789012:role/x", "has a region")]
        [InlineData("arn:aws:iam::123456789012:role", "role name or path")]
        [InlineData("arn:aws:iam::123456789012:role/", "role name or path")]
        [InlineData("arn:aws:iam::123456789012:role/has space", "role name or path")]
        [InlineData("arn:aws:iam::123456789012:role/path/", "role name or path")]
        [InlineData("arn:aws:iam::123456789012:role/bad*name", "role name or path")]
        public void Invalid_role_arns(string? arn, string says)
        {
            var e = Assert.Throws<GitlabStsException>(() => RoleArn.Parse(arn));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.True(e.Message.Contains(says, StringComparison.Ordinal), $"message lacks '{says}': {e.Message}");
        }

        [Fact]
        public void Role_arn_over_2048_chars_is_invalid_and_its_target_is_shortened()
        {
            string arn = "arn:aws:iam::123456789012:role/" + string.Concat(Enumerable.Repeat("p/", 1010)) + "name";
            Assert.True(arn.Length > 2048);
            var e = Assert.Throws<GitlabStsException>(() => RoleArn.Parse(arn));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Contains($"is {arn.Length} characters long; IAM allows at most 2048", e.Message);
            Assert.True(e.Target!.Length <= 81);
        }

        [Theory]
        [InlineData(null, "arn:aws:iam::111111111111:role/a", "arn:aws:iam::222222222222:role/b", "arn:aws:iam::111111111111:role/a")]
        [InlineData(null, null, "arn:aws:iam::222222222222:role/b", "arn:aws:iam::222222222222:role/b")]
        [InlineData("arn:aws:iam::333333333333:role/c", "arn:aws:iam::111111111111:role/a", "arn:aws:iam::222222222222:role/b", "arn:aws:iam::333333333333:role/c")]
        [InlineData(null, "", "arn:aws:iam::222222222222:role/b", "arn:aws:iam::222222222222:role/b")]
        public void Role_arn_defaults_to_ROLE_ARN_then_AWS_ROLE_ARN(string? explicitArn, string? roleArn, string? awsRoleArn, string expected)
        {
            var vars = new Dictionary<string, string>();
            if (roleArn != null) vars["ROLE_ARN"] = roleArn;
            if (awsRoleArn != null) vars["AWS_ROLE_ARN"] = awsRoleArn;
            Assert.Equal(expected, Resolve(Settings(explicitArn), new DictionaryEnvironment(vars)).RoleArn.Value);
        }

        [Fact]
        public void No_role_arn_anywhere_is_InvalidRoleArn()
        {
            var e = Fails(Settings(null));
            Assert.Equal(ErrorIds.InvalidRoleArn, e.ErrorId);
            Assert.Contains("ROLE_ARN", e.Message);
            Assert.Contains("AWS_ROLE_ARN", e.Message);
        }

        // ---------------- region ----------------

        public static IEnumerable<object?[]> RegionCases => new[]
        {
            // role partition, -Region, AWS_REGION, AWS_DEFAULT_REGION, expected region, explicit
            new object?[] { "aws", "eu-west-1", "eu-central-1", "us-west-2", "eu-west-1", true },
            new object?[] { "aws", null, "eu-central-1", "us-west-2", "eu-central-1", true },
            new object?[] { "aws", null, null, "us-west-2", "us-west-2", true },
            new object?[] { "aws", "  ", "", "us-west-2", "us-west-2", true },
            new object?[] { "aws", " ap-southeast-2 ", null, null, "ap-southeast-2", true },
            new object?[] { "aws-cn", "cn-northwest-1", null, null, "cn-northwest-1", true },
            new object?[] { "aws-cn", null, "cn-north-1", null, "cn-north-1", true },
            new object?[] { "aws-us-gov", null, null, "us-gov-east-1", "us-gov-east-1", true },
            new object?[] { "aws", null, null, null, "us-east-1", false },
        };

        [Theory]
        [MemberData(nameof(RegionCases))]
        public void Region_comes_from_Region_then_AWS_REGION_then_AWS_DEFAULT_REGION(string partition, string? region, string? awsRegion, string? awsDefault, string expected, bool isExplicit)
        {
            var vars = new Dictionary<string, string>();
            if (awsRegion != null) vars["AWS_REGION"] = awsRegion;
            if (awsDefault != null) vars["AWS_DEFAULT_REGION"] = awsDefault;
            var s = Settings($"arn:{partition}:iam::123456789012:role/r");
            s.Region = region;
            var log = new CapturingLog();

            ExchangeRequest r = Resolve(s, new DictionaryEnvironment(vars), log);

            Assert.Equal(expected, r.Region);
            Assert.Equal(isExplicit, r.RegionIsExplicit);
            bool loggedDefault = log.Verbose.Any(m => m.Contains("No region was given") && m.Contains("us-east-1"));
            Assert.Equal(!isExplicit, loggedDefault);
        }

        [Theory]
        [InlineData("aws-cn", "cn-north-1, cn-northwest-1")]
        [InlineData("aws-us-gov", "us-gov-west-1, us-gov-east-1")]
        public void No_region_for_a_non_aws_partition_is_InvalidRegion(string partition, string lists)
        {
            var e = Fails(Settings($"arn:{partition}:iam::123456789012:role/r"));
            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
            Assert.Equal("Region", e.Target);
            Assert.Contains($"'{partition}' partition, which has no default region", e.Message);
            Assert.Contains(lists, e.Message);
        }

        [Theory]
        [InlineData("useast1", null, "-Region")]
        [InlineData("us_east_1", null, "-Region")]
        [InlineData("US-EAST-1", null, "-Region")]
        [InlineData("us-east", null, "-Region")]
        [InlineData("eu-central-100", null, "-Region")]
        [InlineData("https://sts.amazonaws.com", null, "-Region")]
        [InlineData(null, "us-east-1a", "AWS_REGION")]
        public void Region_syntax_errors(string? region, string? envRegion, string source)
        {
            var s = Settings();
            s.Region = region;
            var env = envRegion == null ? Env.Of() : Env.Of(("AWS_REGION", envRegion));
            var e = Fails(s, env);
            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
            Assert.Equal(source, e.Target);
            Assert.Contains($"(from {source}) is not a region name", e.Message);
        }

        [Theory]
        [InlineData("aws", "cn-north-1", "'aws-cn' partition", "us-east-1")]
        [InlineData("aws", "us-gov-west-1", "'aws-us-gov' partition", "us-east-1")]
        [InlineData("aws-us-gov", "us-east-1", "'aws' partition", "us-gov-west-1")]
        [InlineData("aws-cn", "eu-west-1", "'aws' partition", "cn-north-1")]
        [InlineData("aws-cn", "us-gov-east-1", "'aws-us-gov' partition", "cn-north-1")]
        public void Region_partition_must_match_the_role(string rolePartition, string region, string says, string suggestion)
        {
            var s = Settings($"arn:{rolePartition}:iam::123456789012:role/r");
            s.Region = region;
            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidRegion, e.ErrorId);
            Assert.Contains($"The region '{region}' (from -Region) is in the {says}", e.Message);
            Assert.Contains($"is in '{rolePartition}'", e.Message);
            Assert.Contains($"for example {suggestion}", e.Message);
        }

        // ---------------- endpoint ----------------

        public static IEnumerable<object?[]> EndpointCases => new[]
        {
            new object?[] { "http://127.0.0.1:5000", "http://10.0.0.1/", "http://10.0.0.2/", "http://127.0.0.1:5000/" },
            new object?[] { null, "http://10.0.0.1/", "http://10.0.0.2/", "http://10.0.0.1/" },
            new object?[] { null, null, "http://10.0.0.2/", "http://10.0.0.2/" },
            new object?[] { " ", "", "https://sts.example.com", "https://sts.example.com/" },
            new object?[] { null, null, null, null },
        };

        [Theory]
        [MemberData(nameof(EndpointCases))]
        public void Endpoint_comes_from_EndpointUrl_then_AWS_ENDPOINT_URL_STS_then_AWS_ENDPOINT_URL(string? url, string? stsVar, string? genericVar, string? expected)
        {
            var vars = new Dictionary<string, string>();
            if (stsVar != null) vars["AWS_ENDPOINT_URL_STS"] = stsVar;
            if (genericVar != null) vars["AWS_ENDPOINT_URL"] = genericVar;
            var s = Settings();
            s.EndpointUrl = url;

            ExchangeRequest r = Resolve(s, new DictionaryEnvironment(vars));

            Assert.Equal(expected, r.Endpoint?.ToString());
            Assert.Equal(expected ?? "https://sts.us-east-1.amazonaws.com", r.EndpointDescription);
        }

        [Theory]
        [InlineData("aws-cn", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn")]
        [InlineData("aws-us-gov", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com")]
        [InlineData("aws", "eu-central-1", "https://sts.eu-central-1.amazonaws.com")]
        public void Default_endpoint_is_the_regional_endpoint_of_the_partition(string partition, string region, string endpoint)
        {
            var s = Settings($"arn:{partition}:iam::123456789012:role/r");
            s.Region = region;
            ExchangeRequest r = Resolve(s);
            Assert.Null(r.Endpoint);
            Assert.Equal(endpoint, r.EndpointDescription);
        }

        [Theory]
        [InlineData("not a url", "-EndpointUrl")]
        [InlineData("localhost:5000", "-EndpointUrl")]
        [InlineData("ftp://sts.example.com", "-EndpointUrl")]
        [InlineData("/relative/path", "-EndpointUrl")]
        [InlineData("file:///etc/passwd", "-EndpointUrl")]
        [InlineData("sts.amazonaws.com", "AWS_ENDPOINT_URL_STS")]
        [InlineData("127.0.0.1:5000", "AWS_ENDPOINT_URL")]
        public void Non_url_endpoint_is_rejected(string url, string source)
        {
            var s = Settings();
            IEnvironmentReader env = Env.Of();
            if (source == "-EndpointUrl") s.EndpointUrl = url; else env = Env.Of((source, url));
            var e = Fails(s, env);
            Assert.Equal(ErrorIds.InvalidEndpoint, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal(source, e.Target);
            Assert.Contains($"'{url}' (from {source}) is not an http(s) URL", e.Message);
        }

        [Fact]
        public void Endpoint_with_credentials_is_rejected_without_echoing_them()
        {
            var s = Settings();
            s.EndpointUrl = "https://admin:hunter2secret@sts.example.com";
            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidEndpoint, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("user information", e.Message);
            Assert.DoesNotContain("hunter2secret", e.Message);
        }

        // ---------------- duration ----------------

        [Theory]
        [InlineData(899, false)]
        [InlineData(900, true)]
        [InlineData(3600, true)]
        [InlineData(43200, true)]
        [InlineData(43201, false)]
        [InlineData(0, false)]
        [InlineData(-1, false)]
        [InlineData(int.MaxValue, false)]
        public void Duration_bounds(int seconds, bool ok)
        {
            var s = Settings();
            s.DurationSeconds = seconds;
            if (ok)
            {
                Assert.Equal(seconds, Resolve(s).DurationSeconds);
                return;
            }

            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidDuration, e.ErrorId);
            Assert.Equal("DurationSeconds", e.Target);
            Assert.Contains($"-DurationSeconds is {seconds}; STS accepts 900 to 43200", e.Message);
        }

        [Fact]
        public void Duration_defaults_to_3600()
        {
            Assert.Equal(3600, Resolve(Settings()).DurationSeconds);
        }

        // ---------------- policy ----------------

        private const string GoodPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";

        private static string PolicyOfLength(int length)
        {
            string head = "{\"Version\":\"2012-10-17\",\"Sid\":\"";
            return head + new string('x', length - head.Length - 2) + "\"}";
        }

        [Theory]
        [InlineData("{", "is not a JSON policy document")]
        [InlineData("[]", "is not a JSON policy document")]
        [InlineData("[" + GoodPolicy + "]", "is not a JSON policy document")]
        [InlineData("\"Allow\"", "is not a JSON policy document")]
        [InlineData("", "is not a JSON policy document")]
        [InlineData("{'Version':'2012-10-17'}", "is not a JSON policy document")]
        [InlineData(GoodPolicy + "}", "is not a JSON policy document")]
        public void Invalid_policy_json(string policy, string says)
        {
            var s = Settings();
            s.Policy = policy;
            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Equal("Policy", e.Target);
            Assert.Contains(says, e.Message);
        }

        [Theory]
        [InlineData(2048, true)]
        [InlineData(2049, false)]
        [InlineData(10000, false)]
        public void Policy_length_limit(int length, bool ok)
        {
            var s = Settings();
            s.Policy = PolicyOfLength(length);
            Assert.Equal(length, s.Policy.Length);
            if (ok)
            {
                Assert.Equal(s.Policy, Resolve(s).Policy);
                return;
            }

            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Contains($"-Policy is {length} characters long; a session policy may have at most 2048", e.Message);
        }

        [Fact]
        public void Valid_policy_and_no_policy()
        {
            var s = Settings();
            Assert.Null(Resolve(s).Policy);
            s.Policy = GoodPolicy;
            Assert.Equal(GoodPolicy, Resolve(s).Policy);
        }

        private static string[] PolicyArns(int n) =>
            Enumerable.Range(1, n).Select(i => $"arn:aws:iam::123456789012:policy/p{i}").ToArray();

        public static IEnumerable<object?[]> BadPolicyArnCases => new[]
        {
            new object?[] { "11 ARNs", PolicyArns(11), "-PolicyArn has 11 ARNs; STS accepts at most 10" },
            new object?[] { "short account", new[] { "arn:aws:iam::12345:policy/p" }, "is not a managed policy ARN" },
            new object?[] { "bare name", new[] { "ReadOnlyAccess" }, "'ReadOnlyAccess' is not a managed policy ARN" },
            new object?[] { "s3 ARN", new[] { "arn:aws:s3:::bucket" }, "is not a managed policy ARN" },
            new object?[] { "a role ARN", new[] { "arn:aws:iam::123456789012:role/r" }, "is not a managed policy ARN" },
            new object?[] { "no name", new[] { "arn:aws:iam::aws:policy/" }, "is not a managed policy ARN" },
            new object?[] { "null element", new string?[] { null }, "is not a managed policy ARN" },
            new object?[] { "partition mismatch", new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess" }, "is in the partition 'aws-cn', but the role is in 'aws'" },
            new object?[] { "unknown partition", new[] { "arn:aws-xx:iam::aws:policy/ReadOnlyAccess" }, "is in the partition 'aws-xx'" },
        };

        [Theory]
        [MemberData(nameof(BadPolicyArnCases))]
        public void Invalid_policy_arns(string name, string?[] arns, string says)
        {
            _ = name;
            var s = Settings();
            s.PolicyArns = arns!;
            var e = Fails(s);
            Assert.Equal(ErrorIds.InvalidPolicy, e.ErrorId);
            Assert.Equal("PolicyArn", e.Target);
            Assert.True(e.Message.Contains(says, StringComparison.Ordinal), $"message lacks '{says}': {e.Message}");
        }

        [Fact]
        public void Valid_policy_arns()
        {
            var s = Settings();
            s.PolicyArns = PolicyArns(9).Append("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM").ToArray();
            Assert.Equal(s.PolicyArns, Resolve(s).PolicyArns);

            var cn = Settings("arn:aws-cn:iam::123456789012:role/r");
            cn.Region = "cn-north-1";
            cn.PolicyArns = new[] { "arn:aws-cn:iam::aws:policy/ReadOnlyAccess" };
            Assert.Single(Resolve(cn).PolicyArns);

            s.PolicyArns = Array.Empty<string>();
            Assert.Empty(Resolve(s).PolicyArns);
        }

        // ---------------- the whole request ----------------

        [Fact]
        public void A_complete_request_carries_every_checked_value()
        {
            string token = TestTokens.Mint();
            var s = new ExchangeSettings
            {
                Token = new TokenSource(TokenSourceKind.Text, token),
                Audience = "https://gitlab.com",
                DurationSeconds = 900,
                Region = "eu-central-1",
                EndpointUrl = "http://127.0.0.1:5000",
                Policy = GoodPolicy,
                PolicyArns = new[] { "arn:aws:iam::aws:policy/ReadOnlyAccess" },
                MaxAttempts = 3,
                RoleSessionName = "custom",
            };
            var env = Env.Of(("ROLE_ARN", Role));

            ExchangeRequest r = Resolve(s, env);

            Assert.Equal(Role, r.RoleArn.Value);
            Assert.Equal(token, r.Token.Raw);
            Assert.Equal("custom", r.RoleSessionName);
            Assert.Equal(900, r.DurationSeconds);
            Assert.Equal("eu-central-1", r.Region);
            Assert.True(r.RegionIsExplicit);
            Assert.Equal("http://127.0.0.1:5000/", r.Endpoint!.ToString());
            Assert.Equal(GoodPolicy, r.Policy);
            Assert.Equal(3, r.MaxAttempts);
        }

        [Fact]
        public void Expired_or_not_yet_valid_token_fails_the_request()
        {
            long t = Now.ToUnixTimeSeconds();
            var expired = Settings(token: TestTokens.Mint(TestTokens.GitlabCom, c => c["exp"] = t - 1));
            Assert.Equal(ErrorIds.TokenExpired, Fails(expired).ErrorId);

            var early = Settings(token: TestTokens.Mint(TestTokens.GitlabCom, c => c["nbf"] = t + 301));
            Assert.Equal(ErrorIds.InvalidIdentityToken, Fails(early).ErrorId);

            var skewed = Settings(token: TestTokens.Mint(TestTokens.GitlabCom, c => c["nbf"] = t + 299));
            Resolve(skewed);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(-1)]
        public void MaxAttempts_below_one_is_refused(int attempts)
        {
            var s = Settings();
            s.MaxAttempts = attempts;
            Assert.Throws<ArgumentOutOfRangeException>(() => Resolve(s));
        }
    }
}
