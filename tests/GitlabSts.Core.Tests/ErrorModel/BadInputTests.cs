using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;
using Amazon.SecurityToken;
using GitlabSts.Core.Policy;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.ErrorModel
{
    /// <summary>
    /// The core's one error model: for bad input, a public core API either returns (a diagnosis reports it) or throws
    /// <see cref="GitlabStsException"/> with a contract id, never anything else (an ArgumentException, a JsonException,
    /// a FormatException, a NullReferenceException...).
    /// To add rows: write a method returning <see cref="BadInput"/>s for the entry point and list it in <see cref="AllRows"/>.
    /// </summary>
    public partial class BadInputTests
    {
        private const string Role = "arn:aws:iam::123456789012:role/gitlab-deployer";

        /// <summary>One bad input for one entry point: a name, the id it must fail with (null: it may also return), and the call.</summary>
        public sealed class BadInput
        {
            public BadInput(string name, string? errorId, Action call, string? knownDefect = null)
            {
                Name = Printable(name);
                ErrorId = errorId;
                Call = call;
                KnownDefect = knownDefect;
            }

            public string Name { get; }

            /// <summary>
            /// A defect found by this table in code this row's author does not own, reported to its owner: the row checks
            /// that it still fails, so the note goes when the fix comes.
            /// </summary>
            public string? KnownDefect { get; }

            /// <summary>The id the call must throw; null when returning normally (a reported failure) is also right.</summary>
            public string? ErrorId { get; }

            public Action Call { get; }
        }

        private static readonly Lazy<Dictionary<string, BadInput>> Rows = new Lazy<Dictionary<string, BadInput>>(() =>
        {
            var rows = new Dictionary<string, BadInput>(StringComparer.Ordinal);
            foreach (BadInput row in AllRows().SelectMany(r => r))
            {
                rows.Add(row.Name, row);   // a duplicate name fails here, loudly
            }

            return rows;
        });

        /// <summary>Every table of rows; another entry point's table is one more line here.</summary>
        private static IEnumerable<IEnumerable<BadInput>> AllRows() => new[]
        {
            ExchangeRequestRows(),
            IdTokenRows(),
            TokenDiscoveryRows(),
            TrustPolicyRows(),
            DiagnosisRows(),
            RoleTesterRows(),
            WhatIfRows(),
            IamRows(),
            StsFailureRows(),
            ChainRows(),
        };

        public static IEnumerable<object[]> Names => Rows.Value.Keys.Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(Names))]
        public void Bad_input_throws_only_GitlabStsException(string name)
        {
            BadInput row = Rows.Value[name];

            if (row.KnownDefect != null)
            {
                Assert.False(Meets(row, out _), $"{name}: now meets the error model; remove its KnownDefect note ({row.KnownDefect}).");
                return;
            }

            Assert.True(Meets(row, out string why), why);
        }

        /// <summary>True when the row's call returns (if allowed) or throws GitlabStsException with the row's id and a message for people.</summary>
        private static bool Meets(BadInput row, out string why)
        {
            string name = row.Name;
            Exception? thrown = Record.Exception(row.Call);

            if (thrown == null)
            {
                why = $"{name}: returned normally; expected {row.ErrorId}.";
                return row.ErrorId == null;
            }

            if (!(thrown is GitlabStsException e))
            {
                why = $"{name}: threw {thrown.GetType().FullName}: {thrown.Message}";
                return false;
            }

            why = $"{name}: threw {e.ErrorId} ({e.Kind}): {e.Message}";
            return (row.ErrorId == null || row.ErrorId == e.ErrorId) &&
                   e.ErrorId.StartsWith("GitlabSts.", StringComparison.Ordinal) &&
                   !string.IsNullOrWhiteSpace(e.Message) &&
                   e.Message.IndexOf("(Parameter '", StringComparison.Ordinal) < 0;   // .NET's ArgumentException suffix is not for people
        }

        private static string Printable(string s) =>
            string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:x4}" : c.ToString()));

        [Fact]
        public void The_table_covers_every_entry_point()
        {
            Assert.True(Rows.Value.Count >= 80, $"only {Rows.Value.Count} rows");
            foreach (string prefix in new[] { "Resolve ", "IdToken.Parse ", "TokenDiscovery ", "TrustPolicyEvaluator ", "TrustPolicySource ", "BuildContext ", "OidcDiagnosis ", "RoleTester ", "StsFailure ", "StsMessages ", "IamReader.Read " })
            {
                Assert.Contains(Rows.Value.Keys, k => k.StartsWith(prefix, StringComparison.Ordinal));
            }
        }

        /// <summary>
        /// Not bad input but misuse by a caller in code: null for a non-nullable argument, and MaxAttempts below 1 (the
        /// cmdlet's binder refuses it first). These stay .NET's argument exceptions; they never reach a user.
        /// </summary>
        [Fact]
        public void Programming_errors_are_argument_exceptions()
        {
            Assert.Throws<ArgumentNullException>(() => TrustPolicyEvaluator.Evaluate(null!, OidcConditionKeys.BuildContext("{\"iss\":\"https://gitlab.com\"}", "aws", "123456789012")));
            Assert.Throws<ArgumentNullException>(() => OidcDiagnosis.Run(null!));
            Assert.Throws<ArgumentOutOfRangeException>(() => Resolve(s => s.MaxAttempts = 0));
        }

        // ---------------- helpers ----------------

        private static ExchangeSettings Settings(string? token = null) => new ExchangeSettings
        {
            RoleArn = Role,
            Token = new TokenSource(TokenSourceKind.Text, token ?? TestTokens.Mint()),
        };

        private static ExchangeRequest Resolve(Action<ExchangeSettings> edit, params (string Name, string Value)[] env)
        {
            ExchangeSettings s = Settings();
            edit(s);
            return ExchangeRequest.Resolve(s, Env.Of(env), NullLog.Instance, TestTokens.Now);
        }

        private static BadInput Row(string name, string? id, Action call, string? knownDefect = null) => new BadInput(name, id, call, knownDefect);

        /// <summary>Runs <paramref name="use"/> on a temporary file holding <paramref name="text"/>, then deletes it.</summary>
        private static void WithTempFile(string text, Action<string> use)
        {
            string path = Path.Combine(Path.GetTempPath(), "gitlabsts-badinput-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, text);
            try
            {
                use(path);
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static BadInput Resolving(string name, string id, Action<ExchangeSettings> edit, params (string Name, string Value)[] env) =>
            Row("Resolve " + name, id, () => Resolve(edit, env));

        private static string B64(string s) => TestTokens.B64(s);

        private static string Jwt(string header, string payload) => $"{B64(header)}.{B64(payload)}.{B64("sig")}";

        private static readonly string Missing = Path.Combine(Path.GetTempPath(), "gitlabsts-no-such-dir-" + Guid.NewGuid().ToString("N"), "x");

        // ---------------- ExchangeRequest.Resolve ----------------

        private static IEnumerable<BadInput> ExchangeRequestRows()
        {
            foreach (string arn in new[] { "", " ", "not-an-arn", "arn:aws:iam::12345:role/x", "arn:aws:iam::123456789012:user/x", "arn:aws:iam::123456789012:role/",
                "arn:nope:iam::123456789012:role/x", "arn:aws:iam::123456789012:role/a b", "arn:aws:iam::123456789012:role/\u00e9", "::::::" })
            {
                yield return Resolving($"role ARN '{arn}'", ErrorIds.InvalidRoleArn, s => s.RoleArn = arn);
            }

            yield return Resolving("role ARN missing everywhere", ErrorIds.InvalidRoleArn, s => s.RoleArn = null);
            yield return Resolving("role ARN bad in ROLE_ARN", ErrorIds.InvalidRoleArn, s => s.RoleArn = null, ("ROLE_ARN", "garbage"));

            foreach (string name in new[] { "", "a", new string('x', 65), "bad name", "t\u00e4st", "a/b", "a\tb", "a\0b" })
            {
                yield return Resolving($"session name '{name}'", ErrorIds.InvalidSessionName, s => s.RoleSessionName = name);
            }

            foreach (int d in new[] { 0, -1, 899, 43201, int.MaxValue, int.MinValue })
            {
                yield return Resolving($"duration {d}", ErrorIds.InvalidDuration, s => s.DurationSeconds = d);
            }

            foreach (string region in new[] { "xx", "EU-CENTRAL-1", "eu_central_1", "eu-central", "cn-north-1", "us-gov-west-1", "https://sts.amazonaws.com", "\u00e9u-west-1" })
            {
                yield return Resolving($"region '{region}'", ErrorIds.InvalidRegion, s => s.Region = region);
            }

            yield return Resolving("region 'frankfurt' in AWS_REGION", ErrorIds.InvalidRegion, s => { }, ("AWS_REGION", "frankfurt"));
            yield return Resolving("region none for aws-us-gov", ErrorIds.InvalidRegion, s => s.RoleArn = "arn:aws-us-gov:iam::123456789012:role/x");

            foreach (string url in new[] { "not a url", "ftp://sts.example.com", "http://", "https://user:pw@sts.example.com", "http://[::1", "file:///etc/passwd", "/relative", "localhost:5000", "https://\0" })
            {
                yield return Resolving($"endpoint '{url}'", ErrorIds.InvalidEndpoint, s => s.EndpointUrl = url);
            }

            yield return Resolving("endpoint 'x y' in AWS_ENDPOINT_URL_STS", ErrorIds.InvalidEndpoint, s => { }, ("AWS_ENDPOINT_URL_STS", "x y"));
            yield return Resolving("endpoint 'sts' in AWS_ENDPOINT_URL", ErrorIds.InvalidEndpoint, s => { }, ("AWS_ENDPOINT_URL", "sts"));

            foreach (string policy in new[] { "", "not json", "[]", "\"text\"", "null", "42", "{", "{\"a\":}", "{}}", new string('[', 100) + new string(']', 100), "{" + new string(' ', 2100) + "}", "{\"a\":\"\uD800\"}" })
            {
                string shown = policy.Length > 20 ? policy.Substring(0, 10) + "...(" + policy.Length + ")" : policy;
                yield return Resolving($"policy '{shown}'", ErrorIds.InvalidPolicy, s => s.Policy = policy);
            }

            yield return Resolving("policy ARNs 11", ErrorIds.InvalidPolicy, s => s.PolicyArns = Enumerable.Range(0, 11).Select(i => $"arn:aws:iam::aws:policy/P{i}").ToArray());
            foreach (string? arn in new[] { null, "", "x", "arn:aws:iam::aws:role/x", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123:policy/x", "arn:aws:iam::aws:policy/a b" })
            {
                yield return Resolving($"policy ARN '{arn ?? "<null>"}'", ErrorIds.InvalidPolicy, s => s.PolicyArns = new[] { arn! });
            }

            yield return Resolving("audience is a token", ErrorIds.InvalidIdentityToken, s => s.Audience = TestTokens.Mint());
            yield return Resolving("audience does not match", ErrorIds.InvalidIdentityToken, s => s.Audience = "https://other.example.com");
            yield return Resolving("token expired", ErrorIds.TokenExpired, s => s.Token = new TokenSource(TokenSourceKind.Text,
                TestTokens.Mint(edit: c => { c["exp"] = TestTokens.Now.AddHours(-2).ToUnixTimeSeconds(); c["iat"] = TestTokens.Now.AddHours(-3).ToUnixTimeSeconds(); c["nbf"] = TestTokens.Now.AddHours(-3).ToUnixTimeSeconds(); })));
            yield return Resolving("token text garbage", ErrorIds.MalformedToken, s => s.Token = new TokenSource(TokenSourceKind.Text, "garbage"));
        }

        // ---------------- IdToken.Parse ----------------

        private static IEnumerable<BadInput> IdTokenRows()
        {
            string good = TestTokens.Mint();
            string[] parts = good.Split('.');
            var bad = new Dictionary<string, string?>
            {
                ["null"] = null,
                ["empty"] = "",
                ["blanks"] = "   ",
                ["one part"] = "abc",
                ["two parts"] = "abc.def",
                ["four parts"] = good + ".x",
                ["empty parts"] = "..",
                ["not base64url"] = "@@@.###.$$$",
                ["header not JSON"] = Jwt("not json", "{}"),
                ["payload not JSON"] = $"{parts[0]}.{B64("not json")}.{parts[2]}",
                ["payload an array"] = $"{parts[0]}.{B64("[1,2]")}.{parts[2]}",
                ["payload a string"] = $"{parts[0]}.{B64("\"x\"")}.{parts[2]}",
                ["payload truncated"] = $"{parts[0]}.{parts[1].Substring(0, parts[1].Length / 2)}.{parts[2]}",
                ["payload invalid UTF-8"] = $"{parts[0]}.{TestTokens.B64(new byte[] { 0x7b, 0xff, 0xfe, 0x7d })}.{parts[2]}",
                ["header an array"] = Jwt("[]", "{\"iss\":\"https://gitlab.com\"}"),
                ["alg none"] = Jwt("{\"alg\":\"none\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":9999999999}"),
                ["exp a string"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":\"tomorrow\"}"),
                ["exp huge"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":1e300}"),
                ["exp negative huge"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":-99999999999999}"),
                ["nbf before 1970"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":\"a\",\"exp\":9999999999,\"nbf\":-1e20}"),
                ["iss a number"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":5,\"sub\":\"s\",\"aud\":\"a\",\"exp\":9999999999}"),
                ["aud an object"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":{},\"exp\":9999999999}"),
                ["aud array of numbers"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"https://gitlab.com\",\"sub\":\"s\",\"aud\":[1,null],\"exp\":9999999999}"),
                ["no claims"] = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{}"),
                ["deep nesting"] = Jwt("{\"alg\":\"RS256\"}", "{\"a\":" + new string('[', 200) + new string(']', 200) + "}"),
                ["line break inside"] = parts[0] + ".\n" + parts[1] + "." + parts[2],
            };
            foreach (KeyValuePair<string, string?> b in bad)
            {
                string? text = b.Value;
                yield return Row("IdToken.Parse " + b.Key, ErrorIds.MalformedToken, () => IdToken.Parse(text, "the test"));
            }
        }

        // ---------------- TokenDiscovery ----------------

        private static IEnumerable<BadInput> TokenDiscoveryRows()
        {
            BadInput Discover(string name, string? id, TokenSource source, string? audience = null, params (string, string)[] env) =>
                Row("TokenDiscovery " + name, id, () => TokenDiscovery.Resolve(source, audience, Env.Of(env), NullLog.Instance));

            yield return Discover("nothing to discover", ErrorIds.TokenNotFound, TokenSource.Discover);
            yield return Discover("variable unset", null, new TokenSource(TokenSourceKind.Variable, "GITLABSTS_UNSET_VAR"));
            yield return Discover("variable name empty", null, new TokenSource(TokenSourceKind.Variable, ""));
            yield return Discover("variable name null", null, new TokenSource(TokenSourceKind.Variable, null));
            yield return Discover("variable name with '='", null, new TokenSource(TokenSourceKind.Variable, "A=B"));
            yield return Discover("variable holds garbage", ErrorIds.MalformedToken, new TokenSource(TokenSourceKind.Variable, "T"), null, ("T", "garbage"));
            yield return Discover("file missing", null, new TokenSource(TokenSourceKind.File, Missing));
            yield return Discover("file is a directory", ErrorIds.TokenNotFound, new TokenSource(TokenSourceKind.File, Path.GetTempPath()));
            yield return Discover("file path empty", null, new TokenSource(TokenSourceKind.File, ""));
            yield return Discover("file path null", null, new TokenSource(TokenSourceKind.File, null));
            yield return Discover("file path with NUL", ErrorIds.TokenNotFound, new TokenSource(TokenSourceKind.File, "a\0b"));
            yield return Discover("file path with bad characters", null, new TokenSource(TokenSourceKind.File, "x:\\<>|?*\"y"));
            yield return Discover("file path too long", null, new TokenSource(TokenSourceKind.File, Path.Combine(Path.GetTempPath(), new string('a', 5000))));
            yield return Discover("text null", null, new TokenSource(TokenSourceKind.Text, null));
            yield return Discover("text garbage", ErrorIds.MalformedToken, new TokenSource(TokenSourceKind.Text, "x.y.z"));
            yield return Discover("GITLAB_OIDC_TOKEN garbage", ErrorIds.MalformedToken, TokenSource.Discover, null, ("GITLAB_OIDC_TOKEN", "garbage"));
            yield return Discover("ambiguous", ErrorIds.AmbiguousToken, TokenSource.Discover, null,
                ("CI_SERVER_URL", "https://gitlab.com"), ("A_TOKEN", TestTokens.With("https://gitlab.com", "a1")), ("B_TOKEN", TestTokens.With("https://gitlab.com", "a2")));
            yield return Discover("CI_SERVER_URL garbage", null, TokenSource.Discover, null, ("CI_SERVER_URL", "::::"), ("A_TOKEN", "x.y.z"));
        }

        // ---------------- TrustPolicyEvaluator, TrustPolicySource, OidcConditionKeys.BuildContext ----------------

        private const string GitlabClaims = "{\"iss\":\"https://gitlab.com\",\"sub\":\"project_path:acme/app:ref_type:branch:ref:main\",\"aud\":\"https://gitlab.com\",\"project_id\":\"42\"}";

        private static readonly string[] BadPolicies =
        {
            "", "not json", "[]", "null", "{}", "{\"Statement\":5}", "{\"Statement\":\"x\"}", "{\"Statement\":[1,\"x\",null]}", "{", "{\"Statement\":[{}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":5,\"Action\":5}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":[1,{}]},\"Action\":[null],\"Condition\":5}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"StringEquals\":5}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"StringEquals\":{\"gitlab.com:sub\":{}}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"NumericLessThan\":{\"gitlab.com:project_id\":\"abc\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"NumericEquals\":{\"gitlab.com:project_id\":\"1e999\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"not a date\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"999.1.1.1/99\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"BinaryEquals\":{\"gitlab.com:sub\":\"!!notbase64\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"ArnLike\":{\"gitlab.com:sub\":\"arn:::\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"NoSuchOperator\":{\"gitlab.com:sub\":\"x\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"ForAnyValue:\":{\"gitlab.com:sub\":\"x\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"StringLike\":{\"gitlab.com:sub\":\"[\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"Null\":{\"gitlab.com:sub\":\"maybe\"}}}]}",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\",\"Condition\":{\"Bool\":{\"gitlab.com:sub\":5}}}]}",
            "{\"Statement\":[{\"Sid\":\"\uD800\"}]}",
        };

        private static IEnumerable<BadInput> TrustPolicyRows()
        {
            for (int i = 0; i < BadPolicies.Length; i++)
            {
                string policy = BadPolicies[i];
                yield return Row($"TrustPolicyEvaluator policy #{i}", null,
                    () => TrustPolicyEvaluator.Evaluate(policy, OidcConditionKeys.BuildContext(GitlabClaims, "aws", "123456789012")));
            }

            yield return Row("TrustPolicyEvaluator not JSON is InvalidPolicy", ErrorIds.InvalidPolicy,
                () => TrustPolicyEvaluator.Evaluate("not json", OidcConditionKeys.BuildContext(GitlabClaims, "aws", "123456789012")));

            foreach (string claims in new[] { "", "not json", "{", "[]", "{}", "{\"iss\":[]}", "{\"iss\":null}", "{\"iss\":{}}", "{\"iss\":\"\uD800\"}" })
            {
                yield return Row($"BuildContext claims '{claims}'", ErrorIds.MalformedToken, () => OidcConditionKeys.BuildContext(claims, "aws", "123456789012"));
            }

            Func<string, string> asIs = p => p;
            yield return Row("TrustPolicySource missing file", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read(Missing, asIs));
            yield return Row("TrustPolicySource directory", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read(Path.GetTempPath(), asIs));
            yield return Row("TrustPolicySource path with NUL", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read("a\0b", asIs));
            yield return Row("TrustPolicySource path too long", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read(Path.Combine(Path.GetTempPath(), new string('a', 5000)), asIs));
            yield return Row("TrustPolicySource a token as the path", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read(TestTokens.Mint(), asIs));
            yield return Row("TrustPolicySource empty", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read("", asIs));
            yield return Row("TrustPolicySource whitespace", ErrorIds.InvalidPolicy, () => TrustPolicySource.Read(" \t\r\n ", asIs));

            // -ConditionContext (RequestContext.SetConditionContext / ConditionContextFrom): InvalidPolicy, as the contract has no id of its own.
            foreach (string key in new[] { "", "SourceIp", "aws:", ":SourceIp", "gitlab.com:sub", "gitlab.example.com:project_path", "accounts.google.com:aud" })
            {
                yield return Row($"TrustPolicyEvaluator condition context key '{key}'", ErrorIds.InvalidPolicy, () =>
                    OidcConditionKeys.BuildContext(GitlabClaims, "aws", "123456789012").SetConditionContext(
                        new[] { new KeyValuePair<string, IReadOnlyList<string>?>(key, new[] { "x" }) }));
            }
            foreach (object? value in new object?[] { new System.Collections.Hashtable { ["a"] = "b" }, new object[] { "ok", new object[] { "nested" } } })
            {
                yield return Row($"TrustPolicyEvaluator condition context value {value?.GetType().Name}", ErrorIds.InvalidPolicy, () =>
                    RequestContext.ConditionContextFrom(new System.Collections.Hashtable { ["aws:SourceIp"] = value }));
            }
            yield return Row("TrustPolicyEvaluator condition context blank key", ErrorIds.InvalidPolicy, () =>
                RequestContext.ConditionContextFrom(new System.Collections.Hashtable { [" "] = "x" }));
            yield return Row("TrustPolicySource file over 64 KiB", ErrorIds.InvalidPolicy,
                () => WithTempFile(new string(' ', TrustPolicySource.MaxFileBytes) + "{}", p => TrustPolicySource.Read(p, asIs)));
        }

        // ---------------- OidcDiagnosis ----------------

        private static IEnumerable<BadInput> DiagnosisRows()
        {
            string[] claims = { "", "not json", "[]", "null", "{}", "{\"iss\":5}", "{\"iss\":\"\"}", "{\"iss\":\"::::\"}", "{\"iss\":\"https://gitlab.com\",\"exp\":\"x\"}",
                "{\"iss\":\"https://gitlab.com\",\"aud\":{}}", "{\"iss\":\"https://gitlab.com\",\"exp\":1e300,\"nbf\":-1e300}", "{\"iss\":\"https://gitlab.com\",\"sub\":[1,2]}" };
            for (int i = 0; i < claims.Length; i++)
            {
                string c = claims[i];
                yield return Row($"OidcDiagnosis claims #{i}", null, () => OidcDiagnosis.Run(new DiagnosisInput { ClaimsJson = c, RoleArn = Role, TrustPolicyJson = "{\"Statement\":[]}" }));
            }

            for (int i = 0; i < BadPolicies.Length; i++)
            {
                string p = BadPolicies[i];
                yield return Row($"OidcDiagnosis policy #{i}", null, () => OidcDiagnosis.Run(new DiagnosisInput { ClaimsJson = GitlabClaims, RoleArn = Role, TrustPolicyJson = p, ClientIds = new[] { "x" } }));
            }

            foreach (string role in new[] { "", "garbage", "arn:aws", "arn:aws:iam::1:role/x", ":::::" })
            {
                yield return Row($"OidcDiagnosis role '{role}'", null, () => OidcDiagnosis.Run(new DiagnosisInput { ClaimsJson = GitlabClaims, RoleArn = role, TrustPolicyJson = "{\"Statement\":[]}" }));
            }

            yield return Row("OidcDiagnosis client ids with null", null, () => OidcDiagnosis.Run(new DiagnosisInput { ClaimsJson = GitlabClaims, RoleArn = Role, ClientIds = new string[] { null!, "" } }));
        }

        // ---------------- RoleTester ----------------

        private static IEnumerable<BadInput> RoleTesterRows()
        {
            BadInput Test(string name, string? id, Action<ExchangeSettings> edit, string? policy = null) => Row("RoleTester " + name, id, () =>
            {
                ExchangeSettings s = Settings();
                edit(s);
                RoleTester.Run(s, new RoleTestOptions { Offline = true, TrustPolicyJson = policy }, Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None);
            });

            yield return Test("bad role ARN", ErrorIds.InvalidRoleArn, s => s.RoleArn = "garbage");
            yield return Test("bad duration", ErrorIds.InvalidDuration, s => s.DurationSeconds = 1);
            yield return Test("bad endpoint", ErrorIds.InvalidEndpoint, s => s.EndpointUrl = "garbage");
            yield return Test("garbage token", null, s => s.Token = new TokenSource(TokenSourceKind.Text, "garbage"));
            yield return Test("token with bad claims", null, s => s.Token = new TokenSource(TokenSourceKind.Text, Jwt("{\"alg\":\"RS256\"}", "{\"iss\":5}")));
            yield return Test("no token", ErrorIds.TokenNotFound, s => s.Token = TokenSource.Discover);
            yield return Row("RoleTester condition context on a provider key", ErrorIds.InvalidPolicy, () =>
                RoleTester.Run(Settings(), new RoleTestOptions { Offline = true, ConditionContext = new[] { new KeyValuePair<string, IReadOnlyList<string>?>("gitlab.com:sub", new[] { "x" }) } },
                    Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None));
            yield return Row("RoleTester condition context key without prefix", ErrorIds.InvalidPolicy, () =>
                RoleTester.Run(Settings("garbage"), new RoleTestOptions { Offline = true, ConditionContext = new[] { new KeyValuePair<string, IReadOnlyList<string>?>("SourceIp", null) } },
                    Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None));
            yield return Test("audience mismatch is reported", null, s => s.Audience = "not-the-token-aud");
            foreach (string issuer in new[] { "ftp://gitlab.com", "https://u:p@gitlab.com", "https://", "not an issuer", TestTokens.Mint() })
            {
                yield return Row($"RoleTester -Issuer '{(issuer.Length > 30 ? "<token>" : issuer)}'", ErrorIds.InvalidClaim, () =>
                    RoleTester.Run(Settings(), new RoleTestOptions { Offline = true, Issuer = issuer }, Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None));
            }

            yield return Row("RoleTester a token in -ClientId", ErrorIds.InvalidIdentityToken, () =>
                RoleTester.Run(Settings(), new RoleTestOptions { Offline = true, ClientIds = new[] { TestTokens.Mint() } }, Env.Of(), NullLog.Instance, TestTokens.Now, CancellationToken.None));
            for (int i = 0; i < BadPolicies.Length; i++)
            {
                string p = BadPolicies[i];
                yield return Test($"policy #{i}", null, s => { }, p);
            }
        }

        // ---------------- StsFailure and StsMessages ----------------

        private static IEnumerable<BadInput> StsFailureRows()
        {
            Exception[] odd =
            {
                new Exception(),
                new AggregateException(),
                new AggregateException(new Exception("a"), new Exception("b")),
                new InvalidOperationException(null, new NullReferenceException()),
                new AmazonSecurityTokenServiceException((string)null!),
                new AmazonSecurityTokenServiceException("m", ErrorType.Unknown, "", "req", (HttpStatusCode)0),
                new AmazonSecurityTokenServiceException("m", ErrorType.Unknown, "Weird", "req", (HttpStatusCode)999),
                new AmazonUnmarshallingException(null, null, null, null, (HttpStatusCode)0),
            };
            for (int i = 0; i < odd.Length; i++)
            {
                Exception e = odd[i];
                yield return Row($"StsFailure classify #{i} ({e.GetType().Name})", null, () => StsFailure.Classify(e));
                yield return Row($"StsMessages message #{i} ({e.GetType().Name})", null, () =>
                {
                    GitlabStsException ex = StsMessages.ToException(StsFailure.Classify(e), StsFakes.Request(), 1);
                    Assert.StartsWith("GitlabSts.", ex.ErrorId);
                });
            }

            foreach ((string? code, int status) in new[] { ("", 0), ((string?)null, -1), ("x", int.MaxValue), ("AccessDenied", -5), ("InvalidIdentityToken", 0) })
            {
                yield return Row($"StsFailure service error '{code}' {status}", null, () => StsFailure.FromServiceError(code!, null, status));
            }
        }
    }
}
