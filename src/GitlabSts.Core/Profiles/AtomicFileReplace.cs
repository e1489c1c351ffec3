using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// Replaces a file's content atomically: a new owner-only temp file in the same folder, flushed to disk, renamed over
    /// the target (readers see the old or the new file, never a torn one). A failed write removes its temp file.
    /// </summary>
    internal static class AtomicFileReplace
    {
        /// <param name="beforeReplace">Called after the temp file is written and before the rename (the writer's last identity check); its exception removes the temp file.</param>
        public static void Write(string dir, string name, string target, byte[] bytes, IFilePermissions permissions, Action? beforeReplace = null)
        {
            string temp = Path.Combine(dir, StaleTempCleaner.NewTempName(name));
            try
            {
                using (FileStream stream = permissions.CreatePrivateFile(temp))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                beforeReplace?.Invoke();

                // On Windows a reader that opened the target without FILE_SHARE_DELETE (another tool
                // reading the config at this moment) makes the rename fail briefly: retry for ~2 s.
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        ReplaceFile(temp, target);
                        break;
                    }
                    catch (IOException ex) when (attempt < 20 && FileLock.IsLockConflict(ex))
                    {
                        Thread.Sleep(100);
                    }
                }
            }
            catch
            {
                if (File.Exists(temp))
                {
                    // Best effort: the next write removes it (StaleTempCleaner).
                    StaleTempCleaner.DeleteTemp(temp);
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
                    throw new System.UnauthorizedAccessException(inner?.Message ?? "Access is denied.", inner);
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
    }
}
