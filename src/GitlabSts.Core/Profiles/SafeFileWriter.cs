using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Read-modify-write of a small text file, safe against crashes and concurrent writers:
    /// <list type="number">
    /// <item>a symbolic link is resolved to its final target, which is written (the link stays a link);</item>
    /// <item>missing folders are created owner-only (0700 / owner-only ACL);</item>
    /// <item>an inter-process lock is taken: the file <c>.&lt;name&gt;.gitlabsts.lock</c> next to the
    /// target, opened with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a sharing
    /// lock on Windows; both are released by the OS when the holder dies). It is retried with
    /// exponential backoff (10 ms doubling to 250 ms, with jitter) for up to <see cref="LockTimeout"/>
    /// (30 s by default). The lock file is left in place: deleting it would let two writers lock two
    /// different inodes;</item>
    /// <item>under the lock: stale temp files of earlier killed writers (<c>.&lt;name&gt;.gitlabsts-*.tmp</c>)
    /// are deleted (those of other files in the folder too, when their lock is free), the current text
    /// is read (null when the file is missing), transformed, written to a new owner-only temp file in
    /// the same folder (0600), flushed to disk, and renamed over the target
    /// (an atomic replace: readers see the old or the new file, never a torn one);</item>
    /// <item>encoding is preserved: UTF-8 with its BOM kept as the character U+FEFF in the text passed
    /// to the transform; a file that is not valid UTF-8 round-trips byte for byte as Latin-1.</item>
    /// </list>
    /// Failures become <see cref="GitlabStsException"/> with <see cref="ErrorIds.ProfileWriteFailed"/>,
    /// <see cref="ErrorKind.WriteError"/> and a message naming the path and what to change.
    /// Note: setting DOTNET_SYSTEM_IO_DISABLEFILELOCKING disables .NET's flock on Unix and thus this lock.
    /// </summary>
    public sealed class SafeFileWriter
    {
        internal const string TempMarker = ".gitlabsts-";
        internal const string TempSuffix = ".tmp";
        internal const string LockSuffix = ".gitlabsts.lock";

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

        private readonly IFilePermissions permissions;

        public SafeFileWriter()
            : this(FilePermissions.ForCurrentPlatform())
        {
        }

        public SafeFileWriter(IFilePermissions permissions, TimeSpan? lockTimeout = null)
        {
            this.permissions = permissions ?? throw new ArgumentNullException(nameof(permissions));
            LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
        }

        /// <summary>How long to wait for another writer's lock before failing.</summary>
        public TimeSpan LockTimeout { get; }

        /// <summary>
        /// Locks <paramref name="path"/>, reads its text (null when missing), calls
        /// <paramref name="transform"/>, and atomically writes the result (owner-only) unless the
        /// transform returns null, which leaves the file untouched. Returns true when it wrote.
        /// </summary>
        /// <param name="path">The file; a symbolic link is followed to its final target.</param>
        /// <param name="transform">Pure function of the current text; its exceptions propagate unchanged.</param>
        /// <param name="description">What the file is, for messages ("AWS config file").</param>
        /// <param name="pathHint">How the user chooses another path, for messages ("-ConfigPath or AWS_CONFIG_FILE").</param>
        public bool Update(string path, Func<string?, string?> transform, string description = "file", string? pathHint = null)
        {
            if (string.IsNullOrEmpty(path))
            {
                throw new ArgumentException("A path is required.", nameof(path));
            }

            if (transform is null)
            {
                throw new ArgumentNullException(nameof(transform));
            }

            string target = path;
            string stage = "write it";
            try
            {
                target = ResolveTarget(Path.GetFullPath(path), description, pathHint);
                if (Directory.Exists(target))
                {
                    throw FolderAtPath(description, target, pathHint);
                }

                string dir = Path.GetDirectoryName(target) ?? throw Fail(description, target, "it has no parent folder. Choose a file path" + Hint(pathHint) + ".", null);
                string name = Path.GetFileName(target);
                stage = "create its folder";
                EnsureDirectory(dir);

                stage = "take the write lock on it";
                using (AcquireLock(Path.Combine(dir, "." + name + LockSuffix), description, target))
                {
                    stage = "write it";
                    DeleteStaleTemps(dir, name);

                    stage = "read it";
                    string? current = null;
                    bool latin1 = false;
                    if (File.Exists(target))
                    {
                        current = Decode(File.ReadAllBytes(target), out latin1);
                    }

                    stage = "write it";
                    string? next;
                    try
                    {
                        next = transform(current);
                    }
                    catch (Exception ex)
                    {
                        throw new TransformFailedException(ex);
                    }

                    if (next is null)
                    {
                        return false;
                    }

                    byte[] output;
                    if (latin1)
                    {
                        foreach (char c in next)
                        {
                            if (c > '\u00FF')
                            {
                                throw Fail(description, target, "the file is not valid UTF-8 and the new content has characters it cannot hold. Convert the file to UTF-8 and retry.", null);
                            }
                        }

                        output = Latin1.GetBytes(next);
                    }
                    else
                    {
                        output = new UTF8Encoding(false).GetBytes(next);
                    }

                    WriteAtomically(dir, name, target, output);
                    return true;
                }
            }
            catch (TransformFailedException ex)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
                throw;
            }
            catch (GitlabStsException)
            {
                throw;
            }
            catch (Exception ex) when (IsFileSystemFailure(ex))
            {
                throw FileSystemFailure(ex, description, target, stage, pathHint);
            }
        }

        private static bool IsFileSystemFailure(Exception ex) =>
            ex is UnauthorizedAccessException || ex is IOException || ex is NotSupportedException || ex is System.Security.SecurityException || ex is ArgumentException;

        /// <summary>What failed while trying to <paramref name="stage"/>, and what to change.</summary>
        private static GitlabStsException FileSystemFailure(Exception ex, string description, string target, string stage, string? pathHint) =>
            ex is UnauthorizedAccessException
                ? Fail(description, target, $"permission denied trying to {stage} ({ex.Message}). Make the file and its folder '{SafeDir(target)}' writable by the current user, or choose another path{Hint(pathHint)}.", ex)
                : Fail(description, target, $"could not {stage} ({ex.Message}). Check that '{SafeDir(target)}' is a folder on a writable file system with free space, or choose another path{Hint(pathHint)}.", ex);

        /// <summary>
        /// Checks, without changing anything, that <see cref="Update"/> could write <paramref name="path"/>: it is not a
        /// folder, no part of its folder path is a regular file, and (unless <paramref name="probe"/> is false) the
        /// nearest existing folder accepts a new file (a probe temp file is created and deleted at once; this is what
        /// stops root too, e.g. on a read-only mount or an immutable folder). Lets a caller that writes several files
        /// fail before the first one, instead of leaving the first changed when the second cannot be written.
        /// Throws <see cref="GitlabStsException"/> (<see cref="ErrorIds.ProfileWriteFailed"/>) like Update.
        /// </summary>
        public void CheckWritable(string path, string description = "file", string? pathHint = null, bool probe = true)
        {
            string target = path;
            string stage = "write it";
            try
            {
                target = ResolveTarget(Path.GetFullPath(path), description, pathHint);
                if (Directory.Exists(target))
                {
                    throw FolderAtPath(description, target, pathHint);
                }

                string dir = Path.GetDirectoryName(target) ?? throw Fail(description, target, "it has no parent folder. Choose a file path" + Hint(pathHint) + ".", null);
                string? existing = dir;
                while (existing is not null && !Directory.Exists(existing))
                {
                    if (File.Exists(existing))
                    {
                        throw Fail(description, target, $"'{existing}' is a file, not a folder, so no folder can be created below it. Choose another path{Hint(pathHint)}.", null);
                    }

                    existing = Path.GetDirectoryName(existing);
                }

                if (existing is null || !probe)
                {
                    return;
                }

                stage = existing == dir ? "create a file in its folder" : $"create its folder in '{existing}'";
                string probePath = Path.Combine(existing, existing == dir
                    ? "." + Path.GetFileName(target) + TempMarker + Guid.NewGuid().ToString("N") + TempSuffix
                    : ".gitlabsts-probe-" + Guid.NewGuid().ToString("N") + TempSuffix);
                using (new FileStream(probePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            }
            catch (GitlabStsException)
            {
                throw;
            }
            catch (Exception ex) when (IsFileSystemFailure(ex))
            {
                throw FileSystemFailure(ex, description, target, stage, pathHint);
            }
        }

        /// <summary>The text of <paramref name="path"/> decoded like <see cref="Update"/> does, or null when it does not exist.</summary>
        public static string? ReadText(string path)
        {
            if (!File.Exists(path))
            {
                return null;
            }

            return Decode(File.ReadAllBytes(path), out _);
        }

        /// <summary>Strict UTF-8 (a BOM stays as U+FEFF), or Latin-1 (<paramref name="latin1"/> true) when the bytes are not valid UTF-8.</summary>
        private static string Decode(byte[] bytes, out bool latin1)
        {
            try
            {
                latin1 = false;
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                latin1 = true;
                return Latin1.GetString(bytes);
            }
        }

        internal static bool IsOurTempFile(string fileName, string targetName) =>
            fileName.StartsWith("." + targetName + TempMarker, StringComparison.Ordinal) &&
            fileName.EndsWith(TempSuffix, StringComparison.Ordinal);

        private static string ResolveTarget(string fullPath, string description, string? pathHint)
        {
#if NET8_0_OR_GREATER
            var info = new FileInfo(fullPath);
            if (info.LinkTarget is null)
            {
                return fullPath;
            }

            FileSystemInfo? final = info.ResolveLinkTarget(returnFinalTarget: true);
            return final is null ? fullPath : Path.GetFullPath(final.FullName);
#else
            if (File.Exists(fullPath) && (File.GetAttributes(fullPath) & FileAttributes.ReparsePoint) != 0)
            {
                throw Fail(description, fullPath, "it is a symbolic link or junction, which Windows PowerShell 5.1 cannot follow safely; it is left unchanged. Pass the link's target path" + Hint(pathHint) + ", or use PowerShell 7.", null);
            }

            return fullPath;
#endif
        }

        private void EnsureDirectory(string dir)
        {
            if (Directory.Exists(dir))
            {
                return;
            }

            var missing = new System.Collections.Generic.Stack<string>();
            string? d = dir;
            while (d is not null && !Directory.Exists(d))
            {
                missing.Push(d);
                d = Path.GetDirectoryName(d);
            }

            while (missing.Count > 0)
            {
                string m = missing.Pop();
                try
                {
                    permissions.CreatePrivateDirectory(m);
                }
                catch (IOException) when (Directory.Exists(m))
                {
                    // Created concurrently by another writer.
                }
            }
        }

        private FileStream AcquireLock(string lockPath, string description, string target)
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
                    if (watch.Elapsed >= LockTimeout)
                    {
                        throw Fail(description, target, $"another process held the lock '{lockPath}' for more than {LockTimeout.TotalSeconds:0.#} s. Wait for the other GitlabSts or AWS profile writer to finish and retry (the lock is released automatically when its holder exits; the lock file itself may stay).", ex);
                    }

                    Thread.Sleep(delayMs + random.Next(delayMs));
                    delayMs = Math.Min(delayMs * 2, 250);
                }
            }
        }

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

        private static void DeleteStaleTemps(string dir, string name)
        {
            // The folder is listed once; the temp files of other targets are grouped by target.
            var others = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (string file in Directory.GetFiles(dir, "*" + TempMarker + "*" + TempSuffix))
            {
                string fileName = Path.GetFileName(file);
                if (IsOurTempFile(fileName, name))
                {
                    // Only called with the lock held: no other GitlabSts writer of this target is between
                    // creating and renaming its temp file, so every match is a leftover of a killed writer.
                    DeleteTemp(file);
                    continue;
                }

                string? other = TempFileTarget(fileName);
                if (other is not null && other != name)
                {
                    if (!others.TryGetValue(other, out List<string>? files))
                    {
                        files = new List<string>();
                        others.Add(other, files);
                    }

                    files.Add(file);
                }
            }

            // Leftovers of other targets in the folder (another profile's token file, which may hold a
            // token): stale when that target's lock file exists and is free. Taken without waiting, so
            // a writer busy with it (its lock held) keeps its temp file and no two writers wait on each other.
            // A file listed before its target's lock is taken is still stale once we hold that lock: a writer
            // creates and renames its temp file while holding the lock.
            foreach (KeyValuePair<string, List<string>> group in others)
            {
                FileStream? otherLock = null;
                try
                {
                    otherLock = new FileStream(Path.Combine(dir, "." + group.Key + LockSuffix), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    // Held by a running writer, or no lock file (not a temp file we made): leave it.
                }

                using (otherLock)
                {
                    if (otherLock is not null)
                    {
                        foreach (string file in group.Value)
                        {
                            DeleteTemp(file);
                        }
                    }
                }
            }
        }

        /// <summary>The target file name of one of our temp files (<c>.&lt;name&gt;.gitlabsts-*.tmp</c>), or null.</summary>
        internal static string? TempFileTarget(string fileName)
        {
            int marker = fileName.LastIndexOf(TempMarker, StringComparison.Ordinal);
            if (marker < 2 || fileName[0] != '.' || !fileName.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                return null;
            }

            return fileName.Substring(1, marker - 1);
        }

        private static void DeleteTemp(string file)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Best effort; the next write retries.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private void WriteAtomically(string dir, string name, string target, byte[] bytes)
        {
            string temp = Path.Combine(dir, "." + name + TempMarker + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                using (FileStream stream = permissions.CreatePrivateFile(temp))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                // On Windows a reader that opened the target without FILE_SHARE_DELETE (another tool
                // reading the config at this moment) makes the rename fail briefly: retry for ~2 s.
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        ReplaceFile(temp, target);
                        break;
                    }
                    catch (IOException ex) when (attempt < 20 && IsLockConflict(ex))
                    {
                        Thread.Sleep(100);
                    }
                }
            }
            catch
            {
                try
                {
                    if (File.Exists(temp))
                    {
                        File.Delete(temp);
                    }
                }
                catch (Exception)
                {
                    // Best effort: the next write removes it (DeleteStaleTemps).
                }

                throw;
            }
        }

        private static void ReplaceFile(string source, string target)
        {
#if NET8_0_OR_GREATER
            // rename(2) on Unix; MoveFileEx(MOVEFILE_REPLACE_EXISTING) on Windows, which keeps the
            // temp file's owner-only ACL (File.Replace would keep the replaced file's ACL instead).
            File.Move(source, target, overwrite: true);
#else
            if (!MoveFileEx(source, target, MoveFileReplaceExisting | MoveFileWriteThrough))
            {
                int error = Marshal.GetLastWin32Error();
                var inner = Marshal.GetExceptionForHR(unchecked((int)0x80070000 | error));
                if (error == 5)
                {
                    throw new UnauthorizedAccessException(inner?.Message ?? "Access is denied.", inner);
                }

                throw new IOException(inner?.Message ?? $"MoveFileEx failed with error {error}.", unchecked((int)0x80070000 | error));
            }
#endif
        }

#if !NET8_0_OR_GREATER
        private const int MoveFileReplaceExisting = 0x1;
        private const int MoveFileWriteThrough = 0x8;

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool MoveFileEx(string lpExistingFileName, string lpNewFileName, int dwFlags);
#endif

        private static GitlabStsException FolderAtPath(string description, string target, string? pathHint) =>
            Fail(description, target, "a folder exists at that path. Remove or rename the folder, or choose another path" + Hint(pathHint) + ".", null);

        private static GitlabStsException Fail(string description, string target, string what, Exception? inner) =>
            new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.WriteError, $"Cannot write the {description} '{target}': {what}", target, inner);

        private static string Hint(string? pathHint) => string.IsNullOrEmpty(pathHint) ? string.Empty : " with " + pathHint;

        private static string SafeDir(string target)
        {
            try
            {
                return Path.GetDirectoryName(target) ?? target;
            }
            catch (ArgumentException)
            {
                return target;
            }
        }

        private sealed class TransformFailedException : Exception
        {
            public TransformFailedException(Exception inner)
                : base(inner.Message, inner)
            {
            }
        }
    }
}
