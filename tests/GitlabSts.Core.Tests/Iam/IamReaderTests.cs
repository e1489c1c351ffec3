using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Iam
{
    /// <summary>-FromIam's reader: IAM's XML answers (URL-encoded policy, client ids, errors), the provider ARN, the endpoint.</summary>
    public class IamReaderTests
    {
        internal const string Role = "arn:aws:iam::123456789012:role/deployer";

        internal const string Policy =
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:oidc-provider/gitlab.com\"},"
            + "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"gitlab.com:aud\":\"https://gitlab.com\"},"
            + "\"StringLike\":{\"gitlab.com:sub\":\"project_path:acme/infra:ref_type:branch:ref:main\"}}}]}";

        /// <summary>GetRole's answer as IAM (and moto) send it: the policy percent-encoded inside the XML.</summary>
        internal static string GetRoleXml(string policyJson, string arn = Role) =>
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role>"
            + "<Path>/</Path><AssumeRolePolicyDocument>" + Uri.EscapeDataString(policyJson) + "</AssumeRolePolicyDocument>"
            + "<MaxSessionDuration>3600</MaxSessionDuration><RoleId>AROAEXAMPLE</RoleId><RoleLastUsed/>"
            + "<RoleName>" + arn.Substring(arn.LastIndexOf('/') + 1) + "</RoleName><Arn>" + arn + "</Arn><CreateDate>2026-12-04T10:00:00Z</CreateDate>"
            + "</Role></GetRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>";

        internal static string ProviderXml(string url, params string[] clientIds) =>
            "<GetOpenIDConnectProviderResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetOpenIDConnectProviderResult>"
            + "<ThumbprintList><member>0000000000000000000000000000000000000000</member></ThumbprintList><CreateDate>2026-12-04T10:00:00Z</CreateDate>"
            + "<ClientIDList>" + string.Concat(clientIds.Select(c => "<member>" + c + "</member>")) + "</ClientIDList>"
            + "<Url>" + url + "</Url><Tags/></GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>";

        internal static string ErrorXml(string code, string message, string type = "Sender") =>
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>" + type + "</Type><Code>" + code + "</Code>"
            + "<Message>" + message + "</Message></Error><RequestId>r-2</RequestId></ErrorResponse>";

        /// <summary>A scripted IAM: answers per Action, records every request.</summary>
        internal sealed class FakeIam : IIamQuery
        {
            private readonly Dictionary<string, Func<IReadOnlyList<KeyValuePair<string, string>>, IamAnswer>> _answers =
                new Dictionary<string, Func<IReadOnlyList<KeyValuePair<string, string>>, IamAnswer>>();

            public List<(string Action, IReadOnlyList<KeyValuePair<string, string>> Parameters)> Calls { get; } =
                new List<(string, IReadOnlyList<KeyValuePair<string, string>>)>();

            public Exception? Throw { get; set; }

            public FakeIam On(string action, int status, string body)
            {
                _answers[action] = _ => new IamAnswer(status, body);
                return this;
            }

            public IamAnswer Send(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancel)
            {
                Calls.Add((action, parameters));
                if (Throw != null) throw Throw;
                return _answers.TryGetValue(action, out var answer) ? answer(parameters) : new IamAnswer(500, "");
            }

            public static FakeIam Admitting(string policy = Policy, params string[] clientIds) => new FakeIam()
                .On("GetRole", 200, GetRoleXml(policy))
                .On("GetOpenIDConnectProvider", 200, ProviderXml("gitlab.com", clientIds.Length > 0 ? clientIds : new[] { "https://gitlab.com" }));
        }

        [Fact]
        public void GetRole_answer_gives_the_trust_policy_URL_decoded()
        {
            string tricky = Policy.Replace("main", "feature/a+b %20 ü");

            Assert.True(IamReader.TryParseRole(GetRoleXml(tricky), out string? policy, out string? arn));

            Assert.Equal(tricky, policy);
            Assert.Equal(Role, arn);
            Assert.Contains("%7B", GetRoleXml(tricky)); // the fixture really is encoded, as IAM sends it
        }

        [Fact]
        public void A_policy_document_that_is_already_JSON_is_kept_as_it_is()
        {
            Assert.Equal("{\"a\":\"100%25\"}", IamReader.DecodePolicy("{\"a\":\"100%25\"}"));
            Assert.Equal("{\"a\":\"100%\"}", IamReader.DecodePolicy("%7B%22a%22%3A%22100%25%22%7D"));
        }

        [Fact]
        public void GetOpenIDConnectProvider_answer_gives_the_client_ids_and_the_url_without_scheme()
        {
            Assert.True(IamReader.TryParseProvider(ProviderXml("gitlab.example.com/gitlab", "sts.amazonaws.com", "https://gitlab.example.com"),
                out IReadOnlyList<string> ids, out string? url));

            Assert.Equal(new[] { "sts.amazonaws.com", "https://gitlab.example.com" }, ids);
            Assert.Equal("gitlab.example.com/gitlab", url);
        }

        [Theory]
        [InlineData(404, "NoSuchEntity", IamReadStatus.NotFound)]
        [InlineData(403, "AccessDenied", IamReadStatus.AccessDenied)]
        [InlineData(400, "Throttling", IamReadStatus.Failed)]
        [InlineData(400, "InvalidInput", IamReadStatus.Failed)]
        public void IAM_error_answers_map_to_a_status_with_IAMs_code_and_message(int status, string code, IamReadStatus expected)
        {
            var (s, c, m) = IamReader.Error(new IamAnswer(status, ErrorXml(code, "The thing said " + code)));

            Assert.Equal(expected, s);
            Assert.Equal(code, c);
            Assert.Equal("The thing said " + code, m);
        }

        [Theory]
        [InlineData(502, "<html><body>Bad Gateway</body></html>")]
        [InlineData(200, "not xml at all")]
        [InlineData(500, "")]
        public void An_answer_that_is_no_IAM_error_is_a_failed_read_naming_the_HTTP_status(int status, string body)
        {
            var (s, c, m) = IamReader.Error(new IamAnswer(status, body));

            Assert.Equal(IamReadStatus.Failed, s);
            Assert.Equal($"HTTP {status}", c);
            Assert.Contains($"HTTP {status}", m);
        }

        [Theory]
        [InlineData("arn:aws:iam::123456789012:role/deployer", "https://gitlab.com", "arn:aws:iam::123456789012:oidc-provider/gitlab.com")]
        [InlineData("arn:aws:iam::123456789012:role/ci/deployer", "https://gitlab.com/", "arn:aws:iam::123456789012:oidc-provider/gitlab.com")]
        [InlineData("arn:aws:iam::111122223333:role/deployer", "https://git.example.com/gitlab", "arn:aws:iam::111122223333:oidc-provider/git.example.com/gitlab")]
        [InlineData("arn:aws-cn:iam::123456789012:role/deployer", "https://gitlab.example.cn", "arn:aws-cn:iam::123456789012:oidc-provider/gitlab.example.cn")]
        [InlineData("arn:aws-us-gov:iam::123456789012:role/deployer", "https://gitlab.example.com", "arn:aws-us-gov:iam::123456789012:oidc-provider/gitlab.example.com")]
        public void The_provider_ARN_is_the_issuers_host_and_path_in_the_roles_account_and_partition(string role, string issuer, string expected)
        {
            Assert.Equal(expected, IamReader.ProviderArnFor(RoleArn.Parse(role), issuer));
        }

        [Fact]
        public void Read_asks_GetRole_by_name_and_GetOpenIDConnectProvider_by_ARN()
        {
            var iam = FakeIam.Admitting(Policy, "https://gitlab.com", "sts.amazonaws.com");

            IamReadResult r = IamReader.Read(RoleArn.Parse("arn:aws:iam::123456789012:role/ci/deployer"), "https://gitlab.com", iam
                .On("GetRole", 200, GetRoleXml(Policy, "arn:aws:iam::123456789012:role/ci/deployer")), CancellationToken.None);

            Assert.Equal(new[] { "GetRole", "GetOpenIDConnectProvider" }, iam.Calls.Select(c => c.Action));
            Assert.Equal(new[] { new KeyValuePair<string, string>("RoleName", "deployer") }, iam.Calls[0].Parameters);
            Assert.Equal(new[] { new KeyValuePair<string, string>("OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/gitlab.com") }, iam.Calls[1].Parameters);
            Assert.Equal(IamReadStatus.Read, r.Role.Status);
            Assert.Equal(Policy, r.Role.TrustPolicyJson);
            Assert.Equal(IamReadStatus.Read, r.Provider.Status);
            Assert.Equal(new[] { "https://gitlab.com", "sts.amazonaws.com" }, r.Provider.ClientIds);
            Assert.Equal("gitlab.com", r.Provider.Url);
            Assert.True(r.IsFor("arn:aws:iam::123456789012:role/ci/deployer", "https://gitlab.com/"));
            Assert.False(r.IsFor("arn:aws:iam::123456789012:role/ci/deployer", "https://gitlab.example.com"));
            Assert.False(r.IsFor(Role, "https://gitlab.com"));
        }

        [Fact]
        public void A_missing_role_and_a_missing_provider_are_NotFound_results_not_exceptions()
        {
            var iam = new FakeIam()
                .On("GetRole", 404, ErrorXml("NoSuchEntity", "The role with name deployer cannot be found."))
                .On("GetOpenIDConnectProvider", 404, ErrorXml("NoSuchEntity", "OpenIDConnect Provider not found"));

            IamReadResult r = IamReader.Read(RoleArn.Parse(Role), "https://gitlab.com", iam, CancellationToken.None);

            Assert.Equal(IamReadStatus.NotFound, r.Role.Status);
            Assert.Null(r.Role.TrustPolicyJson);
            Assert.Equal("NoSuchEntity", r.Role.ErrorCode);
            Assert.Equal(IamReadStatus.NotFound, r.Provider.Status);
            Assert.Null(r.Provider.ClientIds);
        }

        [Fact]
        public void A_role_of_the_same_name_in_the_callers_other_account_is_not_taken_for_the_role()
        {
            var iam = FakeIam.Admitting().On("GetRole", 200, GetRoleXml(Policy, "arn:aws:iam::999988887777:role/deployer"));

            IamReadResult r = IamReader.Read(RoleArn.Parse(Role), "https://gitlab.com", iam, CancellationToken.None);

            Assert.Equal(IamReadStatus.Failed, r.Role.Status);
            Assert.Equal(IamReader.RoleMismatchCode, r.Role.ErrorCode);
            Assert.Null(r.Role.TrustPolicyJson);
            Assert.Contains("credentials are for account 999988887777, the role is in account 123456789012", r.Role.Message);
        }

        [Fact]
        public void No_credentials_fails_both_reads_with_one_attempt()
        {
            var iam = new FakeIam { Throw = new IamTransportException(IamReader.NoCredentialsCode, "No AWS credentials to read IAM with.") };

            IamReadResult r = IamReader.Read(RoleArn.Parse(Role), "https://gitlab.com", iam, CancellationToken.None);

            Assert.Single(iam.Calls);
            Assert.Equal(IamReadStatus.Failed, r.Role.Status);
            Assert.Equal(IamReadStatus.Failed, r.Provider.Status);
            Assert.Equal(IamReader.NoCredentialsCode, r.Provider.ErrorCode);
        }

        [Fact]
        public void Without_an_issuer_the_provider_is_not_asked_for()
        {
            var iam = FakeIam.Admitting();

            IamReadResult r = IamReader.Read(RoleArn.Parse(Role), "", iam, CancellationToken.None);

            Assert.Equal(new[] { "GetRole" }, iam.Calls.Select(c => c.Action));
            Assert.Equal(IamReadStatus.Read, r.Role.Status);
            Assert.Equal(IamReader.NoIssuerCode, r.Provider.ErrorCode);
        }

        [Fact]
        public void No_answer_from_IAM_is_a_failed_read()
        {
            var iam = new FakeIam { Throw = new IamTransportException("NetworkError", "IAM did not answer.") };

            IamReadResult r = IamReader.Read(RoleArn.Parse(Role), "https://gitlab.com", iam, CancellationToken.None);

            Assert.Equal(2, iam.Calls.Count);
            Assert.Equal("NetworkError", r.Role.ErrorCode);
            Assert.Equal("NetworkError", r.Provider.ErrorCode);
        }

        [Fact]
        public void The_form_body_carries_Action_Version_and_the_parameters_RFC3986_encoded()
        {
            string body = IamHttpQuery.FormBody("GetOpenIDConnectProvider",
                new[] { new KeyValuePair<string, string>("OpenIDConnectProviderArn", "arn:aws:iam::123456789012:oidc-provider/git.example.com/a b") });

            Assert.Equal("Action=GetOpenIDConnectProvider&Version=2010-05-08&OpenIDConnectProviderArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Aoidc-provider%2Fgit.example.com%2Fa%20b", body);
        }

        [Theory]
        [InlineData("aws", "https://iam.amazonaws.com/", "us-east-1")]
        [InlineData("aws-cn", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1")]
        [InlineData("aws-us-gov", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1")]
        public void Without_a_variable_IAM_is_the_partitions_global_endpoint(string partition, string url, string region)
        {
            IamEndpoint e = IamEndpoint.Resolve(partition, Env.Of());

            Assert.Equal(url, e.Url.ToString());
            Assert.Equal(region, e.SigningRegion);
        }

        [Fact]
        public void AWS_ENDPOINT_URL_IAM_wins_over_AWS_ENDPOINT_URL()
        {
            Assert.Equal("http://127.0.0.1:5001/", IamEndpoint.Resolve("aws", Env.Of(("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5001"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:5002"))).Url.ToString());
            Assert.Equal("http://127.0.0.1:5002/", IamEndpoint.Resolve("aws", Env.Of(("AWS_ENDPOINT_URL", "http://127.0.0.1:5002"))).Url.ToString());
            Assert.Equal("$AWS_ENDPOINT_URL", IamEndpoint.Resolve("aws", Env.Of(("AWS_ENDPOINT_URL", "http://127.0.0.1:5002"))).Source);
        }

        [Theory]
        [InlineData("not a url")]
        [InlineData("ftp://iam.example.com")]
        [InlineData("/relative")]
        [InlineData("https://admin:pa55word@iam.example.com")]
        public void A_malformed_endpoint_variable_is_InvalidEndpoint_before_any_request(string value)
        {
            var e = Assert.Throws<GitlabStsException>(() => IamReader.Read(Role, "https://gitlab.com", null, Env.Of(("AWS_ENDPOINT_URL_IAM", value)), new CapturingLog(), CancellationToken.None));

            Assert.Equal(ErrorIds.InvalidEndpoint, e.ErrorId);
            Assert.Contains("AWS_ENDPOINT_URL_IAM", e.Message);
            Assert.DoesNotContain("pa55word", e.Message);
        }
    }
}
