using System;
using Xunit;

namespace GitlabSts.Core.Tests
{
    /// <summary>
    /// The net472 test leg runs under Mono on Linux (build.ps1 -Task Test): the closest this machine gets to Windows
    /// PowerShell 5.1's runtime. These helpers say which tests cannot mean anything there, and why.
    /// </summary>
    public static class MonoRuntime
    {
        public static readonly bool IsRunning = Type.GetType("Mono.Runtime") != null;

        /// <summary>
        /// Why a test that writes files through SafeFileWriter is skipped under Mono: the net472 core is the Windows
        /// PowerShell 5.1 build, whose writer replaces files with kernel32's MoveFileEx (P/Invoke) and creates them with
        /// Windows ACLs (FilePermissions.ForCurrentPlatform refuses other platforms). Neither exists on Linux, by design;
        /// the ACL rules are tested through their seam (Windows/*), the writer's logic on net10.0.
        /// </summary>
        public const string PlatformWriterReason =
            "Mono on Linux: the net472 writer replaces files with kernel32 MoveFileEx and creates them with Windows ACLs (Windows only by design).";

        /// <summary>
        /// Why a lock-conflict test is skipped under Mono: Mono on Linux emulates Windows share modes and reports a held
        /// lock as a sharing violation (HResult 0x80070020), which FileLock reads as such only on Windows; .NET on Unix
        /// reports EWOULDBLOCK, and .NET Framework on Windows the same sharing violation, both tested where they run.
        /// </summary>
        public const string ShareModeReason =
            "Mono on Linux: a held lock is a Windows sharing violation (HResult 0x80070020) on a non-Windows OS, a mix neither .NET on Unix nor Windows produces.";
    }

    /// <summary>A fact that is skipped, with its reason, when the tests run under Mono; runs everywhere else.</summary>
    public sealed class NotOnMonoFactAttribute : FactAttribute
    {
        public NotOnMonoFactAttribute(string reason = MonoRuntime.PlatformWriterReason)
        {
            if (MonoRuntime.IsRunning)
            {
                Skip = reason;
            }
        }
    }

    /// <summary>A theory that is skipped, with its reason, when the tests run under Mono; runs everywhere else.</summary>
    public sealed class NotOnMonoTheoryAttribute : TheoryAttribute
    {
        public NotOnMonoTheoryAttribute(string reason = MonoRuntime.PlatformWriterReason)
        {
            if (MonoRuntime.IsRunning)
            {
                Skip = reason;
            }
        }
    }
}
