using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>A fresh temp folder, deleted (after undoing chattr +i) on dispose.</summary>
    internal sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gitlabsts-profiles-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (Exception)
            {
                // Best effort.
            }
        }
    }

    /// <summary>A fact that runs on Linux/macOS only.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "Unix only.";
            }
#if NETFRAMEWORK
            else
            {
                Skip = "Unix only, and the net472 build is Windows only (its file permissions are the Windows ACL branch; Unix modes are net8-only).";
            }
#endif
        }
    }

    /// <summary>A fact that runs on Windows only.</summary>
    public sealed class WindowsFactAttribute : FactAttribute
    {
        public WindowsFactAttribute()
        {
            if (!OperatingSystem.IsWindows())
            {
                Skip = "Windows only.";
            }
        }
    }

    /// <summary>Records the calls and creates plain files and folders (no permission change).</summary>
    internal sealed class RecordingFilePermissions : IFilePermissions
    {
        public List<string> Files { get; } = new List<string>();

        public List<string> Directories { get; } = new List<string>();

        /// <summary>Returns the exception to throw for a path, or null to create it.</summary>
        public Func<string, Exception> FailFileCreation { get; set; }

        public FileStream CreatePrivateFile(string path)
        {
            lock (Files)
            {
                Files.Add(path);
            }

            if (FailFileCreation?.Invoke(path) is Exception failure)
            {
                throw failure;
            }

            return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }

        public void CreatePrivateDirectory(string path)
        {
            lock (Directories)
            {
                Directories.Add(path);
            }

            Directory.CreateDirectory(path);
        }
    }

    internal static class Shell
    {
        /// <summary>Runs a program; returns its exit code (-1 when it cannot start).</summary>
        public static int Run(string file, params string[] args)
        {
            try
            {
                var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
#if NETFRAMEWORK
                psi.Arguments = string.Join(" ", args.Select(a => "\"" + a + "\""));
#else
                foreach (string a in args)
                {
                    psi.ArgumentList.Add(a);
                }
#endif

                using var p = Process.Start(psi);
                p.WaitForExit();
                return p.ExitCode;
            }
            catch (Exception)
            {
                return -1;
            }
        }
    }
}
