using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Creates files and folders that only the current user can access, from the first moment they
    /// exist (no window in which another user could open them): mode 0600/0700 on Unix, an ACL with a
    /// single FullControl entry for the current user and no inherited entries on Windows.
    /// </summary>
    public interface IFilePermissions
    {
        /// <summary>Creates <paramref name="path"/> (it must not exist) owner-only and opens it for writing.</summary>
        FileStream CreatePrivateFile(string path);

        /// <summary>Creates the single folder <paramref name="path"/> (its parent exists) owner-only.</summary>
        void CreatePrivateDirectory(string path);
    }

    /// <summary>The <see cref="IFilePermissions"/> of the running platform.</summary>
    public static class FilePermissions
    {
        public static IFilePermissions ForCurrentPlatform()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return new WindowsFilePermissions();
            }
#if NET8_0_OR_GREATER
            return new UnixFilePermissions();
#else
            // net472 runs only on Windows PowerShell 5.1 (Windows); Mono is not supported.
            throw new PlatformNotSupportedException("GitlabSts on .NET Framework supports Windows only.");
#endif
        }
    }

#if NET8_0_OR_GREATER
    /// <summary>Unix: files 0600, folders 0700 (set at creation, so the umask can only narrow them, then set exactly).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public sealed class UnixFilePermissions : IFilePermissions
    {
        public const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        public const UnixFileMode DirectoryMode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        public FileStream CreatePrivateFile(string path)
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = FileMode600,
            };
            var stream = new FileStream(path, options);
            try
            {
                File.SetUnixFileMode(stream.SafeFileHandle, FileMode600);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            return stream;
        }

        public void CreatePrivateDirectory(string path)
        {
            Directory.CreateDirectory(path, DirectoryMode700);
            File.SetUnixFileMode(path, DirectoryMode700);
        }
    }
#endif

    /// <summary>
    /// Windows: an ACL that grants FullControl to the current user only, with inheritance from the
    /// parent folder disabled (set at creation time).
    /// </summary>
#if NET8_0_OR_GREATER
    [System.Runtime.Versioning.SupportedOSPlatform("windows")]
#endif
    public sealed class WindowsFilePermissions : IFilePermissions
    {
        public FileStream CreatePrivateFile(string path)
        {
            FileSecurity security = PrivateFileSecurity(CurrentUser);
#if NET8_0_OR_GREATER
            return FileSystemAclExtensions.Create(new FileInfo(path), FileMode.CreateNew, FileSystemRights.Write | FileSystemRights.Read, FileShare.None, 4096, FileOptions.None, security);
#else
            return new FileStream(path, FileMode.CreateNew, FileSystemRights.Write | FileSystemRights.Read, FileShare.None, 4096, FileOptions.None, security);
#endif
        }

        public void CreatePrivateDirectory(string path)
        {
            DirectorySecurity security = PrivateDirectorySecurity(CurrentUser);
#if NET8_0_OR_GREATER
            FileSystemAclExtensions.CreateDirectory(security, path);
#else
            Directory.CreateDirectory(path, security);
#endif
        }

        /// <summary>The ACL a new file gets: <paramref name="owner"/> owns it and has FullControl; no other entry, nothing inherited.</summary>
        internal static FileSecurity PrivateFileSecurity(SecurityIdentifier owner)
        {
            var security = new FileSecurity();
            security.SetOwner(owner);
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            security.AddAccessRule(new FileSystemAccessRule(owner, FileSystemRights.FullControl, AccessControlType.Allow));
            return security;
        }

        /// <summary>The ACL a new folder gets: as a file's, with the FullControl entry inherited by what is created inside.</summary>
        internal static DirectorySecurity PrivateDirectorySecurity(SecurityIdentifier owner)
        {
            var security = new DirectorySecurity();
            security.SetOwner(owner);
            security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
            security.AddAccessRule(new FileSystemAccessRule(
                owner,
                FileSystemRights.FullControl,
                InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
                PropagationFlags.None,
                AccessControlType.Allow));
            return security;
        }

        private static SecurityIdentifier CurrentUser
        {
            get
            {
                using var identity = WindowsIdentity.GetCurrent();
                return identity.User ?? throw new InvalidOperationException("The current Windows identity has no user SID.");
            }
        }
    }
}
