using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Tokens
{
    /// <summary>The what-if claims builder: the claims a GitLab job of a project and ref carries, and every input GitLab would never produce refused.</summary>
    public class ProjectClaimsTests
    {
        private static TokenClaims Build(string path = "acme/infra", string gitRef = "main", string? refType = null, string? issuer = null,
            string? audience = null, IDictionary? claim = null, string[]? components = null, IEnvironmentReader? env = null) =>
            ProjectClaims.Build(new ProjectClaimsRequest
            {
                ProjectPath = path, Ref = gitRef, RefType = refType, Issuer = issuer, Audience = audience, Claim = claim, SubClaimComponents = components,
            }, env ?? Env.Of());

        private static GitlabStsException Refused(Func<object> call, string id = ErrorIds.InvalidClaim)
        {
            GitlabStsException e = Assert.Throws<GitlabStsException>(() => call());
            Assert.Equal(id, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            return e;
        }

        [Fact]
        public void Builds_the_claims_of_a_job_on_a_branch_with_the_defaults()
        {
            TokenClaims c = Build("acme/platform/infra", "main");

            Assert.Equal("https://gitlab.com", c.Issuer);
            Assert.Equal(new[] { "sts.amazonaws.com" }, c.Audience);
            Assert.Equal("project_path:acme/platform/infra:ref_type:branch:ref:main", c.Subject);
            Assert.Equal("acme/platform/infra", c.First("project_path"));
            Assert.Equal("main", c.First("ref"));
            Assert.Equal("branch", c.First("ref_type"));
            Assert.Equal("acme/platform", c.First("namespace_path"));
            Assert.Equal(new[] { "iss", "aud", "sub", "project_path", "ref", "ref_type", "namespace_path" }.OrderBy(k => k), c.All.Keys.OrderBy(k => k));
            Assert.Null(c.ExpiresAt);
        }

        [Fact]
        public void Issuer_defaults_to_CI_SERVER_URL_then_gitlab_com_and_an_explicit_one_wins()
        {
            Assert.Equal("https://gitlab.example.com", Build(env: Env.Of(("CI_SERVER_URL", "https://gitlab.example.com"))).Issuer);
            Assert.Equal("https://gitlab.com", Build(env: Env.Of(("CI_SERVER_URL", "  "))).Issuer);
            Assert.Equal("https://git.corp", Build(issuer: "https://git.corp", env: Env.Of(("CI_SERVER_URL", "https://gitlab.example.com"))).Issuer);
        }

        [Theory]
        [InlineData("tag", "tag", "project_path:acme/infra:ref_type:tag:ref:v1.2.0")]
        [InlineData("Tag", "tag", "project_path:acme/infra:ref_type:tag:ref:v1.2.0")]
        [InlineData("BRANCH", "branch", "project_path:acme/infra:ref_type:branch:ref:v1.2.0")]
        [InlineData("", "branch", "project_path:acme/infra:ref_type:branch:ref:v1.2.0")]
        [InlineData(null, "branch", "project_path:acme/infra:ref_type:branch:ref:v1.2.0")]
        public void RefType_is_branch_or_tag_in_any_case_and_empty_means_branch(string? given, string refType, string sub)
        {
            TokenClaims c = Build(gitRef: "v1.2.0", refType: given);
            Assert.Equal(refType, c.First("ref_type"));
            Assert.Equal(sub, c.Subject);
        }

        [Theory]
        [InlineData(null, "project_path:acme/infra:ref_type:branch:ref:main")]
        [InlineData("project_path,ref_type,ref", "project_path:acme/infra:ref_type:branch:ref:main")]
        [InlineData("project_path,ref,ref_type", "project_path:acme/infra:ref:main:ref_type:branch")]
        [InlineData("project_path,ref", "project_path:acme/infra:ref:main")]
        [InlineData("project_path,ref_type", "project_path:acme/infra:ref_type:branch")]
        [InlineData(" project_path , ref ", "project_path:acme/infra:ref:main")]
        public void The_subject_follows_the_projects_sub_claim_components(string? components, string sub)
        {
            string[]? asArray = components?.Split(',');
            Assert.Equal(sub, Build(components: asArray).Subject);
            if (components != null)
            {
                Assert.Equal(sub, Build(components: new[] { components }).Subject);   // one CSV cell with commas
            }
        }

        [Theory]
        [InlineData("ref,project_path")]
        [InlineData("project_path")]
        [InlineData("project_path,ref_type,ref,ref")]
        [InlineData("project_path,ref_path")]
        [InlineData("Project_Path,ref")]
        [InlineData("")]
        public void Any_other_sub_claim_components_are_refused_listing_the_four(string components)
        {
            GitlabStsException e = Refused(() => Build(components: components.Split(',')));
            Assert.Contains("project_path,ref_type,ref; project_path,ref,ref_type; project_path,ref; project_path,ref_type", e.Message);
            Assert.Equal("SubClaimComponents", e.Target);
        }

        [Fact]
        public void Claim_adds_claims_and_overrides_built_ones()
        {
            TokenClaims c = Build(claim: new Hashtable
            {
                ["ref_protected"] = "true",
                ["namespace_id"] = "42",
                ["groups"] = new object[] { "a", "b" },
                ["namespace_path"] = "acme-renamed",
                ["aud"] = new[] { "sts.amazonaws.com", "https://gitlab.com" },
            });
            Assert.Equal("true", c.First("ref_protected"));
            Assert.Equal("42", c.First("namespace_id"));
            Assert.Equal(new[] { "a", "b" }, c.Values("groups"));
            Assert.Equal("acme-renamed", c.First("namespace_path"));
            Assert.Equal(new[] { "sts.amazonaws.com", "https://gitlab.com" }, c.Audience);
        }

        [Fact]
        public void A_sub_claim_replaces_the_built_subject_and_a_built_claim_name_matches_in_any_case()
        {
            Assert.Equal("project_path:acme/infra:custom", Build(claim: new Hashtable { ["sub"] = "project_path:acme/infra:custom" }).Subject);
            TokenClaims c = Build(claim: new Hashtable { ["SUB"] = "project_path:x/y:ref:main" });
            Assert.Equal("project_path:x/y:ref:main", c.Subject);
            Assert.False(c.All.ContainsKey("SUB"));
        }

        [Fact]
        public void Unwrap_sees_through_host_wrappers()
        {
            var wrapped = new Hashtable { [new Box("ref_protected")] = new Box("true") };
            TokenClaims c = ProjectClaims.Build(new ProjectClaimsRequest
            {
                ProjectPath = "acme/infra", Ref = "main", Claim = wrapped, Unwrap = o => o is Box b ? b.Value : o,
            }, Env.Of());
            Assert.Equal("true", c.First("ref_protected"));
        }

        private sealed class Box
        {
            public Box(object value) => Value = value;

            public object Value { get; }
        }

        [Theory]
        [InlineData(null, "is empty")]
        [InlineData("", "is empty")]
        [InlineData("   ", "is empty")]
        [InlineData("infra", "has no group")]
        [InlineData("/acme/infra", "Pass -ProjectPath 'acme/infra'")]
        [InlineData("acme/infra/", "Pass -ProjectPath 'acme/infra'")]
        [InlineData("acme//infra", "empty segment")]
        [InlineData("https://gitlab.com/acme/infra", "Pass -ProjectPath 'acme/infra'")]
        [InlineData("acme/in fra", "U+0020")]
        [InlineData("acme/in\tfra", "U+0009")]
        [InlineData("acme/infra\n", "U+000A")]
        [InlineData("acme/-infra", "starts with '-'")]
        [InlineData("acme/infra.git", "ends in '.git'")]
        [InlineData("acme/feed.atom", "ends in '.atom'")]
        [InlineData("acme/./infra", "is not a name")]
        [InlineData("acme/../infra", "is not a name")]
        [InlineData("acme/infrä", "'ä'")]
        [InlineData("acme/in:fra", "':'")]
        [InlineData("acme/in*", "'*'")]
        [InlineData("acme\\infra", "has no group")]
        public void A_project_path_GitLab_would_not_allow_is_InvalidClaim_saying_what_to_change(string? path, string says)
        {
            GitlabStsException e = Refused(() => Build(path: path!));
            Assert.Contains(says, e.Message);
            Assert.Equal("ProjectPath", e.Target);
            Assert.DoesNotContain("\n", e.Message);
            Assert.DoesNotContain("\t", e.Message);
        }

        [Fact]
        public void Path_depth_and_segment_length_follow_GitLabs_limits()
        {
            string deepest = string.Join("/", Enumerable.Range(0, ProjectClaims.MaxPathSegments).Select(i => "g" + i));
            Assert.Equal(deepest, Build(path: deepest).First("project_path"));
            Assert.Contains("levels of groups", Refused(() => Build(path: deepest + "/one-more")).Message);
            Assert.Contains("characters long", Refused(() => Build(path: "acme/" + new string('a', 256))).Message);
            Assert.Equal("acme/" + new string('a', 255), Build(path: "acme/" + new string('a', 255)).First("project_path"));
        }

        [Theory]
        [InlineData("acme/infra")]
        [InlineData("Acme.Corp/infra_2-x")]
        [InlineData("_group/.hidden-ish")]
        [InlineData("a/b/c/d/e")]
        [InlineData("user.name/project.gitlab")]
        public void Paths_GitLab_allows_are_kept_as_given(string path) => Assert.Equal(path, Build(path: path).First("project_path"));

        [Theory]
        [InlineData("", "is empty")]
        [InlineData(null, "is empty")]
        [InlineData("feature x", "has a space")]
        [InlineData("main\n", "control character U+000A")]
        [InlineData("ma\u0001in", "control character U+0001")]
        [InlineData("ma\u007Fin", "control character U+007F")]
        [InlineData("a~1", "'~'")]
        [InlineData("a^1", "'^'")]
        [InlineData("a:b", "':'")]
        [InlineData("a?", "'?'")]
        [InlineData("a*", "'*'")]
        [InlineData("a[1]", "'['")]
        [InlineData("a\\b", "'\\'")]
        [InlineData("a..b", "'..'")]
        [InlineData("a@{1}", "'@{'")]
        [InlineData("@", "'@' alone")]
        [InlineData("HEAD", "HEAD")]
        [InlineData("-rc", "starts with '-'")]
        [InlineData("/main", "starts or ends with '/'")]
        [InlineData("main/", "starts or ends with '/'")]
        [InlineData("a//b", "'//'")]
        [InlineData("main.", "ends with '.'")]
        [InlineData("feature/.x", "starts with '.'")]
        [InlineData(".x", "starts with '.'")]
        [InlineData("x.lock", "ends with '.lock'")]
        [InlineData("a.lock/b", "ends with '.lock'")]
        [InlineData("refs/heads/main", "Pass -Ref 'main'.")]
        [InlineData("refs/tags/v1", "Pass -Ref 'v1' -RefType tag.")]
        public void A_ref_Git_would_not_allow_is_InvalidClaim_naming_the_rule(string? gitRef, string says)
        {
            GitlabStsException e = Refused(() => Build(gitRef: gitRef!));
            Assert.Contains(says, e.Message);
            Assert.Equal("Ref", e.Target);
            Assert.DoesNotContain("\n", e.Message);
        }

        [Theory]
        [InlineData("main")]
        [InlineData("feature/JIRA-12_x.y")]
        [InlineData("v1.2.0")]
        [InlineData("release@2026")]
        [InlineData("ünïcode")]
        [InlineData("a.b/c-d")]
        public void Refs_Git_allows_are_kept_as_given(string gitRef) => Assert.Equal(gitRef, Build(gitRef: gitRef).First("ref"));

        [Theory]
        [InlineData("mr", "ref_type branch")]
        [InlineData("merge_request", "ref_type branch")]
        [InlineData("branches", "Pass branch or tag")]
        [InlineData(" ", "Pass branch or tag")]
        public void A_RefType_other_than_branch_or_tag_is_InvalidClaim(string refType, string says)
        {
            GitlabStsException e = Refused(() => Build(refType: refType));
            Assert.Contains(says, e.Message);
            Assert.Equal("RefType", e.Target);
        }

        public static IEnumerable<object[]> BadClaims => new[]
        {
            new object[] { new Hashtable { ["namespace_id"] = 42 }, "'namespace_id' is a Int32" },
            new object[] { new Hashtable { ["ref_protected"] = true }, "not a string" },
            new object[] { new Hashtable { ["x"] = null }, "is $null" },
            new object[] { new Hashtable { ["x"] = new Hashtable() }, "is a hashtable" },
            new object[] { new Hashtable { ["x"] = new object[] { "a", 1 } }, "has the item a Int32" },
            new object[] { new Hashtable { ["x"] = new object?[] { "a", null } }, "has the item $null" },
            new object[] { new Hashtable { [""] = "v" }, "empty key" },
            new object[] { new Hashtable { ["  "] = "v" }, "empty key" },
            new object[] { new Hashtable { ["ref protected"] = "true" }, "white space" },
            new object[] { new Hashtable { [7] = "v" }, "not a string" },
            new object[] { new Hashtable { ["project_path"] = "a/b" }, "-ProjectPath" },
            new object[] { new Hashtable { ["Ref"] = "dev" }, "-Ref" },
            new object[] { new Hashtable { ["ref_type"] = "tag" }, "-RefType" },
            new object[] { new Hashtable { ["sub"] = new[] { "a", "b" } }, "exactly one sub" },
            new object[] { new Hashtable { ["iss"] = new string[0] }, "exactly one iss" },
            new object[] { new Dictionary<string, string> { ["sub"] = "a", ["Sub"] = "b" }, "twice" },
        };

        [Theory]
        [MemberData(nameof(BadClaims))]
        public void A_Claim_that_is_not_names_to_strings_is_InvalidClaim(IDictionary claim, string says)
        {
            GitlabStsException e = Refused(() => Build(claim: claim));
            Assert.Contains(says, e.Message);
            Assert.Equal("Claim", e.Target);
        }

        [Fact]
        public void A_Claim_overriding_an_explicit_parameter_is_a_ParameterConflict_naming_both()
        {
            Assert.Contains("-Issuer", Refused(() => Build(issuer: "https://a.example", claim: new Hashtable { ["iss"] = "https://b.example" }), ErrorIds.ParameterConflict).Message);
            Assert.Contains("-Audience", Refused(() => Build(audience: "a", claim: new Hashtable { ["aud"] = "b" }), ErrorIds.ParameterConflict).Message);
            Assert.Contains("-SubClaimComponents", Refused(() => Build(components: new[] { "project_path", "ref" }, claim: new Hashtable { ["sub"] = "x" }), ErrorIds.ParameterConflict).Message);
            // Without the explicit parameter, -Claim overrides the default.
            Assert.Equal("https://b.example", Build(claim: new Hashtable { ["iss"] = "https://b.example" }).Issuer);
        }

        [Fact]
        public void An_empty_Issuer_or_Audience_is_InvalidClaim()
        {
            Assert.Equal("Issuer", Refused(() => Build(issuer: " ")).Target);
            Assert.Equal("Audience", Refused(() => Build(audience: "")).Target);
        }

        [Fact]
        public void An_empty_array_claim_leaves_the_claim_without_values()
        {
            TokenClaims c = Build(claim: new Hashtable { ["namespace_path"] = new string[0] });
            Assert.Empty(c.Values("namespace_path"));
        }

        [Fact]
        public void A_token_in_a_what_if_input_is_refused_without_being_shown()
        {
            string token = TestTokens.Mint();
            foreach (Func<object> call in new Func<object>[]
            {
                () => Build(path: token),
                () => Build(gitRef: token),
                () => Build(claim: new Hashtable { ["sub"] = token }),
                () => Build(claim: new Hashtable { ["x"] = new[] { "a", token } }),
                () => Build(issuer: token),
            })
            {
                GitlabStsException e = Refused(call);
                Assert.DoesNotContain(token, e.Message);
                Assert.Contains("looks like an ID token", e.Message);
            }
        }

        [Fact]
        public void Subject_builds_each_of_the_four_formats()
        {
            Assert.Equal(
                new[]
                {
                    "project_path:g/p:ref_type:tag:ref:v1",
                    "project_path:g/p:ref:v1:ref_type:tag",
                    "project_path:g/p:ref:v1",
                    "project_path:g/p:ref_type:tag",
                },
                ProjectClaims.SubClaimOrders.Select(o => ProjectClaims.Subject("g/p", "tag", "v1", o)));
        }
    }
}
