using System;
using System.Collections.Generic;
using System.IO;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// The writer's link rule: a symbolic link anywhere on the path of a file we write is followed only when it is
    /// owned by the current user (or root) and sits in a folder that only its owner (the current user or root) can
    /// change (no group or other write bit, so not a sticky <c>/tmp</c>). <see cref="Resolve"/> walks the path one
    /// entry at a time (without following anything itself), checks each link it meets, and returns the real path:
    /// the path with no link left in any part that exists.
    /// </summary>
    internal static class LinkGuard
    {
        /// <summary>The most links followed on one path (as the kernel's ELOOP limit).</summary>
        public const int MaxLinks = 40;

        /// <summary>
        /// The real path of the full path <paramref name="fullPath"/>; <paramref name="refuse"/> turns the reason a link
        /// is refused into the exception to throw. A missing part ends the walk: the rest is kept as given (folders the
        /// writer creates).
        /// </summary>
        public static string Resolve(string fullPath, IFileInspector fs, Func<string, Exception> refuse)
        {
            string root = Path.GetPathRoot(fullPath) ?? "/";
            string current = root;
            var parts = new List<string>(Split(fullPath, root));
            int links = 0;
            for (int i = 0; i < parts.Count; i++)
            {
                string next = Path.Combine(current, parts[i]);
                FileStat? entry = fs.LStat(next);
                if (entry is null)
                {
                    return Join(current, parts, i);
                }

                if (!entry.Value.IsLink)
                {
                    current = next;
                    if (!entry.Value.IsDirectory)
                    {
                        // A file where a folder should be (or the target itself): the writer reports it.
                        return Join(current, parts, i + 1);
                    }

                    continue;
                }

                if (++links > MaxLinks)
                {
                    throw refuse($"more than {MaxLinks} symbolic links are on its path (a loop?). Pass the real path of the file");
                }

                Check(next, entry.Value, current, fs, refuse);
                string resolved = Path.GetFullPath(Path.Combine(current, fs.ReadLink(next)));
                string newRoot = Path.GetPathRoot(resolved) ?? "/";
                var rest = parts.GetRange(i + 1, parts.Count - i - 1);
                parts = new List<string>(Split(resolved, newRoot));
                parts.AddRange(rest);
                current = newRoot;
                i = -1;
            }

            return current;
        }

        /// <summary>Refuses the link <paramref name="link"/> (in the real folder <paramref name="folder"/>) unless it is safe to follow.</summary>
        private static void Check(string link, FileStat entry, string folder, IFileInspector fs, Func<string, Exception> refuse)
        {
            uint me = fs.EffectiveUserId;
            if (entry.OwnerId != me && entry.OwnerId != 0)
            {
                throw refuse($"'{link}' is a symbolic link owned by {Owner(entry.OwnerId, fs)}, not by you or root, so it is not followed and nothing was written. " +
                    "Remove the link or pass the real path of the file");
            }

            FileStat? parent = fs.LStat(folder);
            if (parent is null)
            {
                throw refuse($"its folder '{folder}' changed while it was checked. Retry");
            }

            if (parent.Value.OwnerId != me && parent.Value.OwnerId != 0)
            {
                throw refuse($"'{link}' (a symbolic link owned by {Owner(entry.OwnerId, fs)}) sits in '{folder}', a folder owned by {Owner(parent.Value.OwnerId, fs)}, " +
                    "who could change the link, so it is not followed and nothing was written. Pass the real path of the file");
            }

            if (parent.Value.WritableByOthers)
            {
                throw refuse($"'{link}' (a symbolic link owned by {Owner(entry.OwnerId, fs)}) sits in '{folder}', a folder other users can write " +
                    $"(mode {Convert.ToString(parent.Value.Mode, 8)}), so it is not followed and nothing was written. Pass the real path of the file, or move the link to a folder only you can change");
            }
        }

        internal static string Owner(uint uid, IFileInspector fs)
        {
            if (uid == uint.MaxValue)
            {
                return "a user this platform cannot name";
            }

            string? name = fs.UserName(uid);
            return name is null ? $"uid {uid}" : $"{name} (uid {uid})";
        }

        private static string[] Split(string path, string root) =>
            path.Substring(root.Length).Split(new[] { Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar }, StringSplitOptions.RemoveEmptyEntries);

        private static string Join(string current, List<string> parts, int from)
        {
            string result = current;
            for (int i = from; i < parts.Count; i++)
            {
                result = Path.Combine(result, parts[i]);
            }

            return result;
        }
    }
}
