// Platform-specific calls are guarded by [UnixFact]/[WindowsFact] or OperatingSystem checks.
#pragma warning disable CA1416

using System;
using System.IO;
using System.Linq;
using System.Security.AccessControl;
using System.Security.Principal;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class FilePermissionsTests
    {
        [Fact]
        public void The_platform_implementation_matches_the_os()
        {
#if NETFRAMEWORK
            // net472 is the Windows PowerShell 5.1 build: Windows ACLs there, and a clear refusal anywhere else (Mono).
            if (!OperatingSystem.IsWindows())
            {
                Assert.Throws<PlatformNotSupportedException>(() => FilePermissions.ForCurrentPlatform());
                return;
            }
#endif
            var perms = FilePermissions.ForCurrentPlatform();
            if (OperatingSystem.IsWindows())
            {
                Assert.IsType<WindowsFilePermissions>(perms);
            }
#if NET8_0_OR_GREATER
            else
            {
                Assert.IsType<UnixFilePermissions>(perms);
            }
#endif
        }

        [UnixFact]
        public void Unix_creates_files_0600_even_with_a_permissive_umask_default()
        {
#if NET8_0_OR_GREATER // UnixFilePermissions is net8-only (UnixFact skips this on net472)
            using var dir = new TempDir();
            string path = dir.File("f");
            using (var s = new UnixFilePermissions().CreatePrivateFile(path))
            {
                s.WriteByte(1);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
#endif
        }

        [UnixFact]
        public void Unix_refuses_to_create_over_an_existing_file()
        {
#if NET8_0_OR_GREATER // UnixFilePermissions is net8-only (UnixFact skips this on net472)
            using var dir = new TempDir();
            string path = dir.File("f");
            File.WriteAllText(path, "x");
            Assert.Throws<IOException>(() => new UnixFilePermissions().CreatePrivateFile(path));
            Assert.Equal("x", File.ReadAllText(path));
#endif
        }

        [UnixFact]
        public void Unix_creates_folders_0700()
        {
#if NET8_0_OR_GREATER // UnixFilePermissions is net8-only (UnixFact skips this on net472)
            using var dir = new TempDir();
            string path = dir.File("d");
            new UnixFilePermissions().CreatePrivateDirectory(path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
#endif
        }

        [NotOnMonoFact]
        public void The_writer_creates_every_file_and_folder_through_the_interface()
        {
            using var dir = new TempDir();
            var perms = new RecordingFilePermissions();
            var writer = new SafeFileWriter(perms);
            writer.Update(Path.Combine(dir.Path, "x", "token"), _ => "t");
            writer.Update(Path.Combine(dir.Path, "x", "token"), _ => "u");

            Assert.Equal(new[] { Path.Combine(dir.Path, "x") }, perms.Directories);
            // The lock file once (it stays), then one temp file per write.
            Assert.Equal(3, perms.Files.Count);
            Assert.Equal(Path.Combine(dir.Path, "x", ".token.gitlabsts.lock"), perms.Files[0]);
            Assert.All(perms.Files, f => Assert.Equal(Path.Combine(dir.Path, "x"), Path.GetDirectoryName(f)));
        }

        [WindowsFact]
        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
        public void Windows_files_and_folders_grant_only_the_current_user_without_inheritance()
        {
            using var dir = new TempDir();
            var perms = new WindowsFilePermissions();
            string folder = dir.File("d");
            perms.CreatePrivateDirectory(folder);
            string file = Path.Combine(folder, "f");
            using (var s = perms.CreatePrivateFile(file))
            {
                s.WriteByte(1);
            }

            var me = WindowsIdentity.GetCurrent().User;
            foreach (FileSystemSecurity security in new FileSystemSecurity[] { new FileInfo(file).GetAccessControl(), new DirectoryInfo(folder).GetAccessControl() })
            {
                Assert.True(security.AreAccessRulesProtected);
                var rules = security.GetAccessRules(true, true, typeof(SecurityIdentifier)).Cast<FileSystemAccessRule>().ToList();
                Assert.Single(rules);
                Assert.Equal(me, rules[0].IdentityReference);
                Assert.Equal(AccessControlType.Allow, rules[0].AccessControlType);
                Assert.True(rules[0].FileSystemRights.HasFlag(FileSystemRights.FullControl));
            }
        }
    }
}
