// The ACL types are Windows-only on .NET (PlatformNotSupportedException elsewhere); these tests run on Windows and
// under Mono (the net472 leg), whose managed ACL implementation builds the same security descriptors in memory.
#pragma warning disable CA1416

using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Windows
{
    /// <summary>A fact for code that needs the ACL types: Windows, or Mono.</summary>
    public sealed class AclFactAttribute : FactAttribute
    {
        public AclFactAttribute()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && !MonoRuntime.IsRunning)
            {
                Skip = ".NET's ACL types are Windows only (PlatformNotSupportedException on Linux); these run under Mono in the net472 leg and on Windows.";
            }
        }
    }

    /// <summary>
    /// The owner-only ACL that WindowsFilePermissions applies at creation (FileSecurity/DirectorySecurity handed to
    /// FileStream / Directory.CreateDirectory), checked through its seam: exactly the rules requested.
    /// </summary>
    public class WindowsAclTests
    {
        private static readonly SecurityIdentifier User = new SecurityIdentifier("S-1-5-21-1004336348-1177238915-682003330-1001");

        private static void AssertOwnerOnly(FileSystemSecurity security, InheritanceFlags inheritance)
        {
            Assert.Equal(User, security.GetOwner(typeof(SecurityIdentifier)));
            Assert.True(security.AreAccessRulesProtected, "inheritance from the parent folder must be off");
            var rules = security.GetAccessRules(includeExplicit: true, includeInherited: true, typeof(SecurityIdentifier)).Cast<FileSystemAccessRule>().ToList();
            var rule = Assert.Single(rules); // no other principal, no deny entry
            Assert.Equal(User, rule.IdentityReference);
            Assert.Equal(AccessControlType.Allow, rule.AccessControlType);
            Assert.Equal(FileSystemRights.FullControl, rule.FileSystemRights & FileSystemRights.FullControl);
            Assert.False(rule.IsInherited);
            Assert.Equal(inheritance, rule.InheritanceFlags);
            Assert.Equal(PropagationFlags.None, rule.PropagationFlags);
        }

        [AclFact]
        public void A_new_file_is_owned_by_the_user_with_full_control_only_and_no_inheritance()
        {
            AssertOwnerOnly(WindowsFilePermissions.PrivateFileSecurity(User), InheritanceFlags.None);
        }

        [AclFact]
        public void A_new_folder_is_owned_by_the_user_with_full_control_only_inherited_by_its_contents()
        {
            AssertOwnerOnly(WindowsFilePermissions.PrivateDirectorySecurity(User), InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit);
        }

        [AclFact]
        public void The_descriptor_has_no_access_entry_but_the_users()
        {
            // SDDL: protected DACL (P), one allow entry with FullControl (FA) for the user's SID, nothing else.
            string sddl = WindowsFilePermissions.PrivateFileSecurity(User).GetSecurityDescriptorSddlForm(AccessControlSections.Access);
            Assert.Equal("D:P(A;;FA;;;" + User.Value + ")", sddl);
        }
    }
}
