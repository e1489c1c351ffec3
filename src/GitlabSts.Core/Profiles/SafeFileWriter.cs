using System;
using System.IO;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Read-modify-write of a small text file, safe against crashes and concurrent writers:
    /// <list type="number">
    /// <item>a symbolic link on the path is followed only when it is the current user's (or root's) and sits in a folder
    /// no other user can change (<see cref="LinkGuard"/>); the real path found is written (the link stays a link), and
    /// just before the rename the path is resolved again and the file compared (device and inode) with the one read
    /// under the lock, so the file replaced is the one checked (Unix on .NET 8; Windows keeps following links as before,
    /// and Windows PowerShell 5.1 refuses them);</item>
    /// <item>a file its owner made read-only (no owner write bit; the ReadOnly attribute on Windows) is not replaced;</item>
    /// <item>missing folders are created owner-only (0700 / owner-only ACL);</item>
    /// <item>the file's inter-process lock is taken (<see cref="FileLock"/>, waiting up to <see cref="LockTimeout"/>);</item>
    /// <item>under the lock: leftover temp files of killed writers are deleted (<see cref="StaleTempCleaner"/>), the
    /// current text is read (null when the file is missing; <see cref="TextFileEncoding"/> keeps a BOM and non-UTF-8
    /// bytes), transformed, and written with an atomic replace (<see cref="AtomicFileReplace"/>, owner-only 0600).</item>
    /// </list>
    /// Failures of the file system become <see cref="FileWriteException"/> with a message naming the path, the step
    /// that failed and what to change; the caller maps it to its own error id.
    /// </summary>
    internal sealed class SafeFileWriter
    {
        private readonly IFilePermissions permissions;

        /// <summary>Owners and identities for the link rules; null where links are handled as before (Windows).</summary>
        private readonly IFileInspector? inspector;

        public SafeFileWriter()
            : this(FilePermissions.ForCurrentPlatform())
        {
        }

        public SafeFileWriter(IFilePermissions permissions, TimeSpan? lockTimeout = null)
            : this(permissions, lockTimeout, DefaultInspector())
        {
        }

        /// <summary>A writer with its own <see cref="IFileInspector"/> (tests: one that swaps a link mid-write).</summary>
        internal SafeFileWriter(IFilePermissions permissions, TimeSpan? lockTimeout, IFileInspector? inspector)
        {
            this.permissions = permissions ?? throw new ArgumentNullException(nameof(permissions));
            LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
            this.inspector = inspector;
        }

        /// <summary>The platform's inspector: Unix on .NET 8; null on Windows (both builds).</summary>
        internal static IFileInspector? DefaultInspector()
        {
#if NET8_0_OR_GREATER
            if (!OperatingSystem.IsWindows())
            {
                return UnixFileInspector.Instance;
            }
#endif
            return null;
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
        /// <exception cref="FileWriteException">The file cannot be written; nothing of it changed.</exception>
        public bool Update(string path, Func<string?, string?> transform, string description = "file", string? pathHint = null)
        {
            if (transform is null)
            {
                throw new ArgumentNullException(nameof(transform));
            }

            var messages = new Messages(description, pathHint);
            string full = FullPath(path, messages);
            string target = Target(full, messages);
            string dir = ParentFolder(target, messages);
            string name = Path.GetFileName(target);
            Step(target, messages, "create its folder", () => EnsureDirectory(dir));

            // The folders now exist: the path must still lead to the same real file, through a real folder.
            FileStat? folder = null;
            if (inspector is not null)
            {
                CheckSameTarget(full, target, messages);
                folder = Step(target, messages, "check its folder", () => inspector.LStat(dir));
                if (folder is not { IsLink: false, IsDirectory: true })
                {
                    throw messages.Changed(target);
                }
            }

            string lockPath = FileLock.PathFor(dir, name);
            using (Step(target, messages, "take the write lock on it", () => TakeLock(lockPath, target, messages)))
            {
                Step(target, messages, "write it", () => StaleTempCleaner.Clean(dir, name));
                FileStat? checkedFile = CheckReplaceable(target, messages, out string? readOnly);
                bool latin1 = false;
                string? current = Step(target, messages, "read it", () => Read(target, checkedFile, messages, out latin1));

                string? next = transform(current);
                if (next is null)
                {
                    return false;
                }

                if (readOnly is not null)
                {
                    // Only a change is refused: a read-only file that needs none (a section already absent) is fine.
                    throw messages.Fail(target, readOnly);
                }

                byte[] output = TextFileEncoding.Encode(next, latin1)
                    ?? throw messages.Fail(target, "the file is not valid UTF-8 and the new content has characters it cannot hold. Convert the file to UTF-8 and retry.");
                Step(target, messages, "write it", () => AtomicFileReplace.Write(dir, name, target, output, permissions, () =>
                {
                    // Just before the rename: the path leads to the same real file, in the same folder, that was read.
                    if (inspector is not null)
                    {
                        CheckSameTarget(full, target, messages);
                        if (inspector.LStat(dir) is not FileStat now || !now.SameFile(folder!.Value) || !SameOrBothMissing(inspector.LStat(target), checkedFile))
                        {
                            throw messages.Changed(target);
                        }
                    }
                }));
                return true;
            }
        }

        /// <summary>
        /// Checks, without changing anything, that <see cref="Update"/> could write <paramref name="path"/>: it is not a
        /// folder, no part of its folder path is a regular file, and (unless <paramref name="probe"/> is false) the
        /// nearest existing folder accepts a new file (a probe temp file is created and deleted at once; this is what
        /// stops root too, e.g. on a read-only mount or an immutable folder). Lets a caller that writes several files
        /// fail before the first one, instead of leaving the first changed when the second cannot be written.
        /// </summary>
        /// <exception cref="FileWriteException">Like <see cref="Update"/>.</exception>
        public void CheckWritable(string path, string description = "file", string? pathHint = null, bool probe = true, bool replaces = true)
        {
            var messages = new Messages(description, pathHint);
            string target = Target(FullPath(path, messages), messages);
            string dir = ParentFolder(target, messages);
            CheckReplaceable(target, messages, out string? readOnly);
            if (readOnly is not null && replaces)
            {
                throw messages.Fail(target, readOnly);
            }

            string? existing = Step(target, messages, "write it", () => NearestExistingFolder(dir, target, messages));
            if (existing is null || !probe)
            {
                return;
            }

            string probePath = Path.Combine(existing, existing == dir
                ? StaleTempCleaner.NewTempName(Path.GetFileName(target))
                : ".gitlabsts-probe-" + Guid.NewGuid().ToString("N") + StaleTempCleaner.TempSuffix);
            Step(target, messages, existing == dir ? "create a file in its folder" : $"create its folder in '{existing}'", () =>
            {
                using (new FileStream(probePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }
            });
        }

        private static string FullPath(string path, Messages messages)
        {
            if (string.IsNullOrEmpty(path))
            {
                throw new FileWriteException(path ?? string.Empty, ErrorKind.InvalidArgument, $"Cannot write the {messages.Description}: no path was given. Choose a file path{messages.Hint}.");
            }

            return Step(path, messages, "write it", () => Path.GetFullPath(path));
        }

        /// <summary>The real path to write (links checked and followed); not a folder.</summary>
        private string Target(string fullPath, Messages messages)
        {
            string target = Step(fullPath, messages, "write it", () => ResolveTarget(fullPath, messages));
            if (Step(target, messages, "write it", () => Directory.Exists(target)))
            {
                throw messages.Fail(target, "a folder exists at that path. Remove or rename the folder, or choose another path" + messages.Hint + ".");
            }

            return target;
        }

        /// <summary>Resolves <paramref name="fullPath"/> again: it must still lead to <paramref name="target"/>.</summary>
        private void CheckSameTarget(string fullPath, string target, Messages messages)
        {
            string again = Step(target, messages, "check it", () => ResolveTarget(fullPath, messages));
            if (!string.Equals(again, target, StringComparison.Ordinal))
            {
                throw messages.Changed(target, $" (it now leads to '{again}')");
            }
        }

        /// <summary>
        /// Under the lock: refuses a path that became a link or a folder, and returns what is there now (null when missing,
        /// or without an inspector), which the read and the rename compare with. <paramref name="readOnly"/> is the reason
        /// to refuse a change when the user made the file read-only, else null.
        /// </summary>
        private FileStat? CheckReplaceable(string target, Messages messages, out string? readOnly)
        {
            readOnly = null;
            if (inspector is null)
            {
                if (Step(target, messages, "check it", () => File.Exists(target) && (File.GetAttributes(target) & FileAttributes.ReadOnly) != 0))
                {
                    readOnly = "the file is read-only, so it is not replaced and nothing was written. " +
                        $"Clear its read-only attribute (attrib -R \"{target}\", or Set-ItemProperty -Path <path> -Name IsReadOnly -Value $false) to let it be changed, or choose another path{messages.Hint}.";
                }

                return null;
            }

            FileStat? now = Step(target, messages, "check it", () => inspector.LStat(target));
            if (now is FileStat entry)
            {
                if (entry.IsLink || entry.IsDirectory)
                {
                    throw messages.Changed(target);
                }

                if (entry.ReadOnlyForOwner)
                {
                    readOnly = $"the file is read-only (mode {Convert.ToString(entry.Mode, 8).PadLeft(4, '0')}), so it is not replaced and nothing was written " +
                        $"(as 'aws configure set' fails). Give its owner write permission (chmod u+w '{target}') to let it be changed, or choose another path{messages.Hint}.";
                }
            }

            return now;
        }

        /// <summary>Reads the file, proving (device and inode of the open handle) that it is the one checked.</summary>
        private string? Read(string target, FileStat? checkedFile, Messages messages, out bool latin1)
        {
            latin1 = false;
            if (inspector is null)
            {
                return File.Exists(target) ? TextFileEncoding.Decode(File.ReadAllBytes(target), out latin1) : null;
            }

            if (checkedFile is null)
            {
                if (inspector.LStat(target) is not null)
                {
                    throw messages.Changed(target);
                }

                return null;
            }

            using var stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (!inspector.FStat(stream.SafeFileHandle).SameFile(checkedFile.Value))
            {
                throw messages.Changed(target);
            }

            var bytes = new byte[stream.Length];
            int read = 0;
            while (read < bytes.Length)
            {
                int n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0)
                {
                    Array.Resize(ref bytes, read);
                    break;
                }

                read += n;
            }

            return TextFileEncoding.Decode(bytes, out latin1);
        }

        private static bool SameOrBothMissing(FileStat? a, FileStat? b) =>
            a is null ? b is null : b is not null && a.Value.SameFile(b.Value);

        private static string ParentFolder(string target, Messages messages) =>
            Step(target, messages, "write it", () => Path.GetDirectoryName(target))
            ?? throw messages.Fail(target, "it has no parent folder. Choose a file path" + messages.Hint + ".");

        private static string? NearestExistingFolder(string dir, string target, Messages messages)
        {
            string? existing = dir;
            while (existing is not null && !Directory.Exists(existing))
            {
                if (File.Exists(existing))
                {
                    throw messages.Fail(target, $"'{existing}' is a file, not a folder, so no folder can be created below it. Choose another path{messages.Hint}.");
                }

                existing = Path.GetDirectoryName(existing);
            }

            return existing;
        }

        private FileStream TakeLock(string lockPath, string target, Messages messages)
        {
            // The lock file is ours and never a link: a link there was planted, and is neither followed nor opened.
            if (inspector?.LStat(lockPath) is FileStat { IsLink: true } planted)
            {
                throw messages.Fail(target, $"its lock file '{lockPath}' is a symbolic link (owned by {LinkGuard.Owner(planted.OwnerId, inspector)}), which GitlabSts never creates, " +
                    "so it is not followed and nothing was written. Remove the link and retry.");
            }

            FileStream stream;
            try
            {
                stream = FileLock.Acquire(lockPath, permissions, LockTimeout);
            }
            catch (TimeoutException ex)
            {
                throw messages.Fail(target, $"another process held the lock '{lockPath}' for more than {LockTimeout.TotalSeconds:0.#} s. Wait for the other GitlabSts or AWS profile writer to finish and retry (the lock is released automatically when its holder exits; the lock file itself may stay).", ex);
            }

            if (inspector is not null)
            {
                try
                {
                    // The lock held is the lock file in the real folder, not a file a link swapped in meanwhile.
                    if (inspector.LStat(lockPath) is not FileStat entry || entry.IsLink || !inspector.FStat(stream.SafeFileHandle).SameFile(entry))
                    {
                        throw messages.Fail(target, $"its lock file '{lockPath}' was replaced (by a symbolic link?) while it was opened, so nothing was written. Remove it and retry.");
                    }
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            }

            return stream;
        }

        /// <summary>Runs one step of a write; a file-system failure becomes a <see cref="FileWriteException"/> saying it could not <paramref name="doing"/>.</summary>
        private static T Step<T>(string target, Messages messages, string doing, Func<T> step)
        {
            try
            {
                return step();
            }
            catch (Exception ex) when (IsFileSystemFailure(ex))
            {
                throw messages.FileSystemFailure(ex, target, doing);
            }
        }

        private static void Step(string target, Messages messages, string doing, Action step) =>
            Step(target, messages, doing, () =>
            {
                step();
                return true;
            });

        private static bool IsFileSystemFailure(Exception ex) =>
            ex is UnauthorizedAccessException || ex is IOException || ex is NotSupportedException || ex is System.Security.SecurityException || ex is ArgumentException;

        private string ResolveTarget(string fullPath, Messages messages)
        {
            if (inspector is not null)
            {
                return LinkGuard.Resolve(fullPath, inspector, why => messages.Fail(fullPath, why + messages.Hint + "."));
            }

#if NET8_0_OR_GREATER
            // Windows: links are followed as in 0.1 (creating one needs a privilege; no shared sticky folders).
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
                throw messages.Fail(fullPath, "it is a symbolic link or junction, which Windows PowerShell 5.1 cannot follow safely; it is left unchanged. Pass the link's target path" + messages.Hint + ", or use PowerShell 7.");
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

        /// <summary>The wording of one file's failures: what the file is and how the user picks another path.</summary>
        private sealed class Messages
        {
            public Messages(string description, string? pathHint)
            {
                Description = description;
                Hint = string.IsNullOrEmpty(pathHint) ? string.Empty : " with " + pathHint;
            }

            public string Description { get; }

            /// <summary>" with -ConfigPath or AWS_CONFIG_FILE", or empty.</summary>
            public string Hint { get; }

            /// <summary>The path changed between the check and the write (a link swapped, the file replaced).</summary>
            public FileWriteException Changed(string target, string detail = "") =>
                Fail(target, $"the file or a link on its path changed while it was being written{detail}, so it was not replaced and nothing was written. " +
                    "Check that no other program is changing it or the links to it, and retry.");

            public FileWriteException Fail(string target, string what, Exception? inner = null) =>
                new FileWriteException(target, ErrorKind.WriteError, $"Cannot write the {Description} '{target}': {what}", inner);

            /// <summary>What failed while trying to do <paramref name="doing"/>, and what to change.</summary>
            public FileWriteException FileSystemFailure(Exception ex, string target, string doing) =>
                ex is UnauthorizedAccessException
                    ? Fail(target, $"permission denied trying to {doing} ({ex.Message}). Make the file and its folder '{SafeDir(target)}' writable by the current user, or choose another path{Hint}.", ex)
                    : Fail(target, $"could not {doing} ({ex.Message}). Check that '{SafeDir(target)}' is a folder on a writable file system with free space, or choose another path{Hint}.", ex);

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
        }
    }
}
