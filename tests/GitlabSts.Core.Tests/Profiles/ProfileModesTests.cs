using System;
using System.Linq;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class ProfileModesTests
    {
        [Fact]
        public void The_names_are_the_enum_in_order()
        {
            Assert.Equal(new[] { "WebIdentity", "Credential", "CredentialProcess" }, ProfileModes.Names);
            Assert.Equal(Enum.GetNames(typeof(ProfileMode)), ProfileModes.Names.ToArray());
        }

        [Theory]
        [InlineData("WebIdentity", ProfileMode.WebIdentity)]
        [InlineData("credential", ProfileMode.Credential)]
        [InlineData("CREDENTIALPROCESS", ProfileMode.CredentialProcess)]
        public void A_name_parses_ignoring_case(string name, ProfileMode mode)
        {
            Assert.Equal(mode, ProfileModes.Parse(name));
            Assert.Null(ProfileModes.Problem(name));
        }

        [Theory]
        [InlineData("Static")]
        [InlineData("")]
        [InlineData(null)]
        [InlineData("7")]
        public void Anything_else_is_ProfileWriteFailed_listing_the_modes(string? name)
        {
            var e = Assert.Throws<GitlabStsException>(() => ProfileModes.Parse(name));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("Mode", e.Target);
            Assert.EndsWith("Use one of: WebIdentity, Credential, CredentialProcess.", e.Message);
        }
    }
}
