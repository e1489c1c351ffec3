using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GitlabSts.Core.Tokens;
using Xunit;

using GitlabSts.Core.Tests.Sts;

namespace GitlabSts.Core.Tests.Tokens
{
    public sealed class TokenDiscoveryTests : IDisposable
    {
        private const string Server = "https://gitlab.com";

        private readonly string _dir = TestPaths.CreateTempSubdirectory("gitlabsts-discovery-");

        // Distinct tokens, all from gitlab.com unless said otherwise.
        private static readonly string Preferred = TestTokens.With(Server, "preferred");
        private static readonly string Aws = TestTokens.With(Server, "sts.amazonaws.com");
        private static readonly string Vault = TestTokens.With(Server, "https://vault.example.com");
        private static readonly string Vault2 = TestTokens.With(Server + "/", "https://vault.example.com");
        private static readonly string Legacy = TestTokens.With(Server, "https://gitlab.com");
        private static readonly string Explicit = TestTokens.With(Server, "explicit");
        private static readonly string Foreign = TestTokens.With("https://token.actions.githubusercontent.com", "sts.amazonaws.com");

        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public void A_token_file_that_never_ends_is_read_boundedly_and_reported_too_long()
        {
            if (!File.Exists("/dev/zero"))
            {
                return; // not on this platform
            }

            var e = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.File, "/dev/zero"), null, new DictionaryEnvironment()));
            Assert.Equal(ErrorIds.MalformedToken, e.ErrorId);
            Assert.Contains("is larger than an ID token can be (more than 21024 bytes", e.Message);
            Assert.DoesNotContain("characters", e.Message);
        }

        [Fact]
        public void A_huge_token_file_is_reported_in_bytes_without_being_read()
        {
            string path = Path.Combine(_dir, "huge");
            using (var f = new FileStream(path, FileMode.Create))
            {
                f.SetLength(100L * 1024 * 1024); // sparse: 100 MB that take no disk
            }

            var e = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.File, path), null, Env.Of()));
            Assert.Equal(ErrorIds.MalformedToken, e.ErrorId);
            Assert.Contains($"The token file '{path}' is larger than an ID token can be (104857600 bytes; a token is at most 20000 bytes)", e.Message);
        }

        [Fact]
        public void A_folder_as_token_file_says_so_not_access_denied()
        {
            string folder = Directory.CreateDirectory(Path.Combine(_dir, "a-folder")).FullName;
            var e = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.File, folder), null, Env.Of()));
            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal($"The token file '{folder}' is a folder, not a file. Pass the path of the file in it that holds the ID token.", e.Message);
            Assert.DoesNotContain("denied", e.Message, StringComparison.OrdinalIgnoreCase);
        }

        private static IdToken Resolve(TokenSource source, string? audience, IEnvironmentReader env, CapturingLog? log = null) =>
            TokenDiscovery.Resolve(source, audience, env, log ?? new CapturingLog());

        private string WriteFile(string name, string content)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllText(path, content);
            return path;
        }

        /// <summary>An environment where every discovery step would find something.</summary>
        private static DictionaryEnvironment Crowded() => Env.Of(
            ("CI_SERVER_URL", Server),
            ("GITLAB_OIDC_TOKEN", Preferred),
            ("AWS_ID_TOKEN", Aws),
            ("CI_JOB_JWT_V2", Legacy),
            ("MY_EXPLICIT", Explicit));

        [Theory]
        [InlineData(TokenSourceKind.Text, "-WebIdentityToken")]
        [InlineData(TokenSourceKind.Variable, "environment variable MY_EXPLICIT")]
        [InlineData(TokenSourceKind.File, "file '")]
        public void Explicit_source_beats_discovery(TokenSourceKind kind, string origin)
        {
            string value = kind switch
            {
                TokenSourceKind.Text => Explicit,
                TokenSourceKind.Variable => "MY_EXPLICIT",
                _ => WriteFile("token", Explicit + "\n"),
            };
            var log = new CapturingLog();

            IdToken t = Resolve(new TokenSource(kind, value), null, Crowded(), log);

            Assert.Equal(Explicit, t.Raw);
            Assert.StartsWith(origin, t.Origin);
            Assert.Empty(log.Warnings);
            Assert.Contains(log.Verbose, m => m.StartsWith("Using the ID token from " + origin, StringComparison.Ordinal));
        }

        [Fact]
        public void GITLAB_OIDC_TOKEN_comes_first()
        {
            var log = new CapturingLog();
            IdToken t = Resolve(TokenSource.Discover, null, Crowded(), log);
            Assert.Equal(Preferred, t.Raw);
            Assert.Equal("environment variable GITLAB_OIDC_TOKEN", t.Origin);
            Assert.Empty(log.Warnings);
        }

        [Fact]
        public void GITLAB_OIDC_TOKEN_is_used_even_outside_a_job()
        {
            IdToken t = Resolve(TokenSource.Discover, null, Env.Of(("GITLAB_OIDC_TOKEN", Foreign)));
            Assert.Equal(Foreign, t.Raw);
        }

        [Theory]
        [InlineData("https://gitlab.com", "https://gitlab.com")]
        [InlineData("https://gitlab.com/", "https://gitlab.com")]
        [InlineData("https://gitlab.com", "https://gitlab.com/")]
        [InlineData("https://gitlab.com/", "https://gitlab.com/")]
        [InlineData("https://GitLab.com", "https://gitlab.com")]
        public void A_single_variable_from_this_issuer_is_found(string serverUrl, string iss)
        {
            string token = TestTokens.With(iss, "sts.amazonaws.com");
            var env = Env.Of(("CI_SERVER_URL", serverUrl), ("SOME_NAME_I_CHOSE", token), ("CI_JOB_JWT_V2", Legacy), ("PATH", "/usr/bin"));
            var log = new CapturingLog();

            IdToken t = Resolve(TokenSource.Discover, null, env, log);

            Assert.Equal(token, t.Raw);
            Assert.Equal("environment variable SOME_NAME_I_CHOSE", t.Origin);
            Assert.Empty(log.Warnings);
        }

        [Theory]
        [InlineData("sts.amazonaws.com", "AWS_ID_TOKEN")]
        [InlineData("https://vault.example.com", "VAULT_ID_TOKEN")]
        public void Several_variables_are_picked_by_audience(string audience, string expectedVariable)
        {
            var env = Env.Of(("CI_SERVER_URL", Server), ("VAULT_ID_TOKEN", Vault), ("AWS_ID_TOKEN", Aws), ("CI_JOB_JWT_V2", Legacy));
            IdToken t = Resolve(TokenSource.Discover, audience, env);
            Assert.Equal("environment variable " + expectedVariable, t.Origin);
            Assert.Contains(audience, t.Audience);
        }

        public static IEnumerable<object?[]> AmbiguousCases => new[]
        {
            new object?[] { "no -Audience", null, "Pass -Audience" },
            new object?[] { "-Audience matches none", "sts.amazonaws.com.cn", "None or several of them have aud 'sts.amazonaws.com.cn'" },
            new object?[] { "-Audience matches two", "https://vault.example.com", "None or several of them have aud 'https://vault.example.com'" },
        };

        [Theory]
        [MemberData(nameof(AmbiguousCases))]
        public void Several_variables_without_a_unique_audience_match_are_ambiguous(string name, string? audience, string says)
        {
            _ = name;
            var env = Env.Of(("CI_SERVER_URL", Server), ("VAULT_A", Vault), ("VAULT_B", Vault2), ("AWS_ID_TOKEN", Aws), ("CI_JOB_JWT_V2", Legacy));
            var log = new CapturingLog();

            var e = Assert.Throws<GitlabStsException>(() => Resolve(TokenSource.Discover, audience, env, log));

            Assert.Equal(ErrorIds.AmbiguousToken, e.ErrorId);
            Assert.Contains("AWS_ID_TOKEN (aud 'sts.amazonaws.com')", e.Message);
            Assert.Contains("VAULT_A (aud 'https://vault.example.com')", e.Message);
            Assert.Contains("VAULT_B", e.Message);
            Assert.DoesNotContain("CI_JOB_JWT_V2", e.Message);
            Assert.Contains(says, e.Message);
            Assert.Contains("-TokenVariable", e.Message);
            foreach (string token in new[] { Vault, Vault2, Aws, Legacy })
            {
                TestTokens.AssertNoSecret(e.Message, token);
            }

            Assert.Empty(log.Warnings);
        }

        [Fact]
        public void Variables_from_another_issuer_junk_and_broken_JWTs_are_ignored()
        {
            string brokenButJwtLooking = TestTokens.Mint(TestTokens.GitlabCom, c => c.Remove("sub"));
            var env = Env.Of(
                ("CI_SERVER_URL", Server),
                ("GITHUB_TOKEN", Foreign),
                ("SELF_MANAGED", TestTokens.Mint(TestTokens.SelfManaged)),
                ("BROKEN", brokenButJwtLooking),
                ("NOT_A_JWT", "eyJ this is not a token"),
                ("HOME", "/root"));

            var e = Assert.Throws<GitlabStsException>(() => Resolve(TokenSource.Discover, null, env));
            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            TestTokens.AssertNoSecret(e.Message, Foreign);
            TestTokens.AssertNoSecret(e.Message, brokenButJwtLooking);

            // Add the legacy variable and that one is used instead.
            var withLegacy = Env.Of(("CI_SERVER_URL", Server), ("GITHUB_TOKEN", Foreign), ("CI_JOB_JWT_V2", Legacy));
            Assert.Equal(Legacy, Resolve(TokenSource.Discover, null, withLegacy).Raw);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void CI_JOB_JWT_V2_is_last_and_warned_about(bool inJob)
        {
            var env = inJob
                ? Env.Of(("CI_SERVER_URL", Server), ("CI_JOB_JWT_V2", Legacy), ("OTHER", Foreign))
                : Env.Of(("CI_JOB_JWT_V2", Legacy));
            var log = new CapturingLog();

            IdToken t = Resolve(TokenSource.Discover, null, env, log);

            Assert.Equal(Legacy, t.Raw);
            Assert.Equal("environment variable CI_JOB_JWT_V2", t.Origin);
            string warning = Assert.Single(log.Warnings);
            Assert.Contains("CI_JOB_JWT_V2", warning);
            Assert.Contains("15.9", warning);
            Assert.Contains("17.0", warning);
            Assert.Contains("id_tokens:", warning);
            Assert.Contains("GITLAB_OIDC_TOKEN:", warning);
            TestTokens.AssertNoSecret(warning, Legacy);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Nothing_found_names_what_was_tried_and_shows_the_yaml(bool inJob)
        {
            var env = inJob ? Env.Of(("CI_SERVER_URL", "https://gitlab.example.com"), ("GH", Foreign)) : Env.Of(("HOME", "/root"));

            var e = Assert.Throws<GitlabStsException>(() => Resolve(TokenSource.Discover, null, env));

            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, e.Kind);
            Assert.Contains("$GITLAB_OIDC_TOKEN", e.Message);
            Assert.Contains("$CI_JOB_JWT_V2", e.Message);
            Assert.Contains(inJob ? "variables holding a JWT with iss 'https://gitlab.example.com'" : "$CI_SERVER_URL is not set", e.Message);
            Assert.Contains(TokenDiscovery.IdTokensYaml, e.Message);
            Assert.Contains("id_tokens:\n    GITLAB_OIDC_TOKEN:\n      aud: sts.amazonaws.com", e.Message);
            Assert.Contains("-WebIdentityToken, -TokenVariable or -TokenFile", e.Message);
            Assert.True(e.Message.IndexOf("$GITLAB_OIDC_TOKEN", StringComparison.Ordinal) < e.Message.IndexOf("$CI_JOB_JWT_V2", StringComparison.Ordinal));
            TestTokens.AssertNoSecret(e.Message, Foreign);
        }

        [Theory]
        [InlineData(TokenSourceKind.Text)]
        [InlineData(TokenSourceKind.Variable)]
        [InlineData(TokenSourceKind.File)]
        [InlineData(TokenSourceKind.Discover)]
        public void A_token_whose_aud_differs_from_Audience_fails(TokenSourceKind kind)
        {
            string value = kind switch
            {
                TokenSourceKind.Text => Aws,
                TokenSourceKind.Variable => "AWS_ID_TOKEN",
                TokenSourceKind.File => WriteFile("aws", Aws),
                _ => "",
            };
            var env = Env.Of(("CI_SERVER_URL", Server), ("AWS_ID_TOKEN", Aws));
            var source = kind == TokenSourceKind.Discover ? TokenSource.Discover : new TokenSource(kind, value);

            var e = Assert.Throws<GitlabStsException>(() => Resolve(source, "https://vault.example.com", env));

            Assert.Equal(ErrorIds.InvalidIdentityToken, e.ErrorId);
            Assert.Contains("has aud 'sts.amazonaws.com', not the requested -Audience 'https://vault.example.com'", e.Message);
            TestTokens.AssertNoSecret(e.Message, Aws);

            // The same token with the matching audience passes.
            Assert.Equal(Aws, Resolve(source, "sts.amazonaws.com", env).Raw);
        }

        public static IEnumerable<object[]> FileProblems => new[]
        {
            new object[] { "missing", ErrorIds.TokenNotFound, "does not exist" },
            new object[] { "missing folder", ErrorIds.TokenNotFound, "does not exist" },
            new object[] { "a directory", ErrorIds.TokenNotFound, "is a folder, not a file" },
            new object[] { "empty", ErrorIds.MalformedToken, "is empty" },
            new object[] { "only a newline", ErrorIds.MalformedToken, "is empty" },
            new object[] { "not a token", ErrorIds.MalformedToken, "has 1 part(s)" },
        };

        [Theory]
        [MemberData(nameof(FileProblems))]
        public void Token_file_problems(string what, string errorId, string says)
        {
            string path = what switch
            {
                "missing" => Path.Combine(_dir, "nope"),
                "missing folder" => Path.Combine(_dir, "no", "such", "token"),
                "a directory" => Directory.CreateDirectory(Path.Combine(_dir, "dir")).FullName,
                "empty" => WriteFile("empty", ""),
                "only a newline" => WriteFile("nl", "\n"),
                _ => WriteFile("text", "hello world"),
            };

            var e = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.File, path), null, Env.Of()));

            Assert.Equal(errorId, e.ErrorId);
            Assert.Contains(says, e.Message);
            Assert.Contains(path, e.Message);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("  ")]
        public void Empty_variable_or_file_name_is_TokenNotFound(string? name)
        {
            var e1 = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.Variable, name), null, Crowded()));
            Assert.Equal(ErrorIds.TokenNotFound, e1.ErrorId);
            Assert.Contains("-TokenVariable is empty", e1.Message);
            var e2 = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(TokenSourceKind.File, name), null, Crowded()));
            Assert.Equal(ErrorIds.TokenNotFound, e2.ErrorId);
            Assert.Contains("-TokenFile is empty", e2.Message);
        }

        [Fact]
        public void Unset_token_variable_names_it_and_shows_yaml_with_that_name()
        {
            var e = Assert.Throws<GitlabStsException>(() =>
                Resolve(new TokenSource(TokenSourceKind.Variable, "AWS_TOKEN"), null, Env.Of(("AWS_TOKEN", ""), ("GITLAB_OIDC_TOKEN", Preferred))));
            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            Assert.Contains("'AWS_TOKEN' is not set or is empty", e.Message);
            Assert.Contains("id_tokens:\n    AWS_TOKEN:\n      aud: sts.amazonaws.com", e.Message);
        }

        [Theory]
        [InlineData(TokenSourceKind.Variable, "-TokenVariable holds what looks like an ID token")]
        [InlineData(TokenSourceKind.File, "-TokenFile holds what looks like an ID token")]
        public void Token_passed_where_a_name_or_path_belongs_is_never_echoed(TokenSourceKind kind, string says)
        {
            // -TokenVariable $env:GITLAB_OIDC_TOKEN (the value, not the name) is an easy mistake.
            var e = Assert.Throws<GitlabStsException>(() => Resolve(new TokenSource(kind, Aws), null, Env.Of(("CI_SERVER_URL", Server))));
            Assert.Equal(ErrorIds.TokenNotFound, e.ErrorId);
            Assert.Contains(says, e.Message);
            Assert.Contains("-WebIdentityToken", e.Message);
            TestTokens.AssertNoSecret(e.Message, Aws);
            TestTokens.AssertNoSecret(e.Target, Aws);
        }

        [Fact]
        public void A_malformed_GITLAB_OIDC_TOKEN_is_an_error_not_skipped()
        {
            var env = Env.Of(("CI_SERVER_URL", Server), ("GITLAB_OIDC_TOKEN", "not-a-token"), ("AWS_ID_TOKEN", Aws));
            var e = Assert.Throws<GitlabStsException>(() => Resolve(TokenSource.Discover, null, env));
            Assert.Equal(ErrorIds.MalformedToken, e.ErrorId);
            Assert.Contains("environment variable GITLAB_OIDC_TOKEN", e.Message);
        }
    }
}
