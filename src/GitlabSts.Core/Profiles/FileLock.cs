using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// The inter-process lock of one file: <c>.&lt;name&gt;.gitlabsts.lock</c> next to it, opened with
    /// <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a sharing lock on Windows; both are released by
    /// the OS when the holder dies), retried with exponential backoff (10 ms doubling to 250 ms, with jitter) up to a
    /// timeout. The lock file is left in place: deleting it would let two writers lock two different inodes.
    /// Note: setting DOTNET_SYSTEM_IO_DISABLEFILELOCKING disables .NET's flock on Unix and thus this lock.
    /// </summary>
    internal static class FileLock
    {
        internal const string LockSuffix = ".gitlabsts.lock";

        /// <summary>The lock file of the file <paramref name="fileName"/> in <paramref name="dir"/>.</summary>
        public static string PathFor(string dir, string fileName) => Path.Combine(dir, "." + fileName + LockSuffix);

        /// <summary>
        /// Takes the lock <paramref name="lockPath"/> (creating it owner-only), waiting up to <paramref name="timeout"/>;
        /// dispose the stream to release it. Throws <see cref="TimeoutException"/> when another holder keeps it longer.
        /// </summary>
        public static FileStream Acquire(string lockPath, IFilePermissions permissions, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            int delayMs = 10;
            var random = new Random(Guid.NewGuid().GetHashCode());
            while (true)
            {
                try
                {
                    if (!File.Exists(lockPath))
                    {
                        try
                        {
                            // A lock file we create is owner-only like every file we write (0600 / owner-only ACL);
                            // the stream opened with FileShare.None is the lock itself.
                            return permissions.CreatePrivateFile(lockPath);
                        }
                        catch (IOException) when (File.Exists(lockPath))
                        {
                            // Created (and perhaps locked) by another writer meanwhile: open it below.
                        }
                    }

                    return new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (FileNotFoundException)
                {
                    // Removed by someone between the check and the open: create it on the next round.
                }
                catch (IOException ex) when (IsLockConflict(ex))
                {
                    if (watch.Elapsed >= timeout)
                    {
                        throw new TimeoutException($"The lock '{lockPath}' stayed held for more than {timeout.TotalSeconds:0.#} s.", ex);
                    }

                    Thread.Sleep(delayMs + random.Next(delayMs));
                    delayMs = Math.Min(delayMs * 2, 250);
                }
            }
        }

        /// <summary>Takes the lock of a file at once, or returns null when it is held or does not exist.</summary>
        public static FileStream? TryAcquireExisting(string lockPath)
        {
            try
            {
                return new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>True when <paramref name="ex"/> says another process holds the file (a sharing violation or a failed flock).</summary>
        internal static bool IsLockConflict(IOException ex)
        {
            if (ex is FileNotFoundException || ex is DirectoryNotFoundException || ex is PathTooLongException)
            {
                return false;
            }

            int code = ex.HResult;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                int win32 = code & 0xFFFF;
                return win32 == 32 || win32 == 33; // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            }

            // .NET on Unix reports a failed flock(LOCK_NB) as IOException with HResult = errno
            // EWOULDBLOCK (11 on Linux, 35 on macOS/BSD).
            return code == 11 || code == 35;
        }
    }
}
