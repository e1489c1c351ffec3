using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GitlabSts.Core.Profiles
{
    /// <summary>What <see cref="IFileInspector"/> says of one directory entry (a link itself is described, not its target).</summary>
    internal readonly struct FileStat
    {
        public FileStat(bool isLink, bool isDirectory, uint ownerId, uint mode, ulong device, ulong inode)
        {
            IsLink = isLink;
            IsDirectory = isDirectory;
            OwnerId = ownerId;
            Mode = mode;
            Device = device;
            Inode = inode;
        }

        public bool IsLink { get; }

        public bool IsDirectory { get; }

        /// <summary>The owner's user id; <see cref="IFileInspector.UnknownOwner"/> when the platform cannot say.</summary>
        public uint OwnerId { get; }

        /// <summary>The permission bits (07777).</summary>
        public uint Mode { get; }

        public ulong Device { get; }

        public ulong Inode { get; }

        /// <summary>True when both describe the same file (device and inode).</summary>
        public bool SameFile(FileStat other) => Device == other.Device && Inode == other.Inode && IsLink == other.IsLink;

        /// <summary>Group or others may write it (g+w or o+w; a sticky /tmp counts too).</summary>
        public bool WritableByOthers => (Mode & 0x12) != 0; // 0020 | 0002

        /// <summary>The owner has no write permission (chmod 0444): the user made it read-only.</summary>
        public bool ReadOnlyForOwner => (Mode & 0x80) == 0; // 0200
    }

    /// <summary>
    /// The few facts about files that the writer's link rules need and .NET does not expose (owner, device and inode,
    /// without following a link). Tests wrap it to swap a link between the check and the write.
    /// </summary>
    internal interface IFileInspector
    {
        /// <summary>The effective user id of this process.</summary>
        uint EffectiveUserId { get; }

        /// <summary>The entry at <paramref name="path"/> without following a final link; null when nothing is there.</summary>
        FileStat? LStat(string path);

        /// <summary>The file an open handle refers to.</summary>
        FileStat FStat(SafeFileHandle handle);

        /// <summary>The text of the link at <paramref name="path"/> (relative or absolute, as stored).</summary>
        string ReadLink(string path);

        /// <summary>A user's name for messages ("nobody"), or null.</summary>
        string? UserName(uint uid);
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// Linux: <c>statx(2)</c> and <c>geteuid(2)</c> from the C library (statx's struct has one layout on every
    /// architecture). Elsewhere on Unix (macOS): .NET's own APIs, which cannot tell a link's owner, so every link is
    /// treated as owned by someone else and refused.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    internal sealed class UnixFileInspector : IFileInspector
    {
        public const uint UnknownOwner = uint.MaxValue;

        private const int AtFdCwd = -100;
        private const int AtSymlinkNoFollow = 0x100;
        private const int AtEmptyPath = 0x1000;
        private const uint StatxBasicStats = 0x7ff;
        private const uint TypeMask = 0xF000;
        private const uint TypeLink = 0xA000;
        private const uint TypeDirectory = 0x4000;

        private static readonly Lazy<UnixFileInspector> Shared = new Lazy<UnixFileInspector>(() => new UnixFileInspector());

        private readonly StatxFn? statx;
        private readonly uint euid = UnknownOwner;

        private UnixFileInspector()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return;
            }

            foreach (string name in new[] { "libc.so.6", "libc", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1" })
            {
                if (NativeLibrary.TryLoad(name, out IntPtr lib) &&
                    NativeLibrary.TryGetExport(lib, "statx", out IntPtr statxPtr) &&
                    NativeLibrary.TryGetExport(lib, "geteuid", out IntPtr geteuidPtr))
                {
                    statx = Marshal.GetDelegateForFunctionPointer<StatxFn>(statxPtr);
                    euid = Marshal.GetDelegateForFunctionPointer<GetEuidFn>(geteuidPtr)();
                    return;
                }
            }
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
        private delegate int StatxFn(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate uint GetEuidFn();

        public static UnixFileInspector Instance => Shared.Value;

        /// <summary>True when owners and identities are known (Linux with statx).</summary>
        public bool Exact => statx is not null;

        public uint EffectiveUserId => euid;

        public FileStat? LStat(string path)
        {
            if (statx is null)
            {
                return Portable(path);
            }

            var buffer = new byte[256];
            if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == 2 || errno == 20)
                {
                    return null; // ENOENT, ENOTDIR
                }

                throw new IOException($"Cannot inspect '{path}' (errno {errno}).", errno);
            }

            return FromStatx(buffer);
        }

        public FileStat FStat(SafeFileHandle handle)
        {
            if (statx is null)
            {
                return new FileStat(false, false, UnknownOwner, 0x1ff, 0, 0);
            }

            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var buffer = new byte[256];
                if (statx((int)handle.DangerousGetHandle(), string.Empty, AtEmptyPath, StatxBasicStats, buffer) != 0)
                {
                    int errno = Marshal.GetLastWin32Error();
                    throw new IOException($"Cannot inspect an open file (errno {errno}).", errno);
                }

                return FromStatx(buffer);
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        public string ReadLink(string path) =>
            new FileInfo(path).LinkTarget ?? throw new IOException($"'{path}' is no longer a symbolic link.");

        public string? UserName(uint uid)
        {
            try
            {
                foreach (string line in File.ReadLines("/etc/passwd"))
                {
                    string[] fields = line.Split(':');
                    if (fields.Length > 2 && uint.TryParse(fields[2], out uint id) && id == uid)
                    {
                        return fields[0];
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }

            return null;
        }

        private static FileStat FromStatx(byte[] b)
        {
            uint uid = BitConverter.ToUInt32(b, 20);
            uint mode = BitConverter.ToUInt16(b, 28);
            ulong ino = BitConverter.ToUInt64(b, 32);
            ulong dev = ((ulong)BitConverter.ToUInt32(b, 136) << 32) | BitConverter.ToUInt32(b, 140);
            uint type = mode & TypeMask;
            return new FileStat(type == TypeLink, type == TypeDirectory, uid, mode & 0xFFF, dev, ino);
        }

        private static FileStat? Portable(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null)
            {
                return null;
            }

            bool dir = (info.Attributes & FileAttributes.Directory) != 0;
            uint mode = (uint)(dir ? new DirectoryInfo(path).UnixFileMode : info.UnixFileMode);
            return new FileStat(info.LinkTarget is not null, dir && info.LinkTarget is null, UnknownOwner, mode, 0, 0);
        }
    }
#endif
}
