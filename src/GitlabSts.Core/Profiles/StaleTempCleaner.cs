using System;
using System.Collections.Generic;
using System.IO;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// The temp files of <see cref="AtomicFileReplace"/> (<c>.&lt;name&gt;.gitlabsts-*.tmp</c>) and their removal when a
    /// writer was killed between creating and renaming one.
    /// </summary>
    internal static class StaleTempCleaner
    {
        internal const string TempMarker = ".gitlabsts-";
        internal const string TempSuffix = ".tmp";

        /// <summary>A new temp file name for the target file <paramref name="targetName"/>.</summary>
        public static string NewTempName(string targetName) => "." + targetName + TempMarker + Guid.NewGuid().ToString("N") + TempSuffix;

        internal static bool IsOurTempFile(string fileName, string targetName) =>
            fileName.StartsWith("." + targetName + TempMarker, StringComparison.Ordinal) &&
            fileName.EndsWith(TempSuffix, StringComparison.Ordinal);

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

        /// <summary>
        /// Deletes the leftover temp files in <paramref name="dir"/>: all of <paramref name="name"/>'s (call only with its
        /// lock held), and those of other targets whose lock is free.
        /// </summary>
        public static void Clean(string dir, string name)
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
                // Held by a running writer, or no lock file (not a temp file we made): left alone.
                using FileStream? otherLock = FileLock.TryAcquireExisting(FileLock.PathFor(dir, group.Key));
                if (otherLock is not null)
                {
                    foreach (string file in group.Value)
                    {
                        DeleteTemp(file);
                    }
                }
            }
        }

        /// <summary>Deletes a temp file, best effort (the next write retries).</summary>
        public static void DeleteTemp(string file)
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
