#if NETFRAMEWORK
// Polyfills that let the shared test sources compile for net472 unchanged (behaviour on net10.0 is untouched:
// this file is empty there).
namespace System.Runtime.Versioning
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true, Inherited = false)]
    internal sealed class SupportedOSPlatformAttribute : Attribute
    {
        public SupportedOSPlatformAttribute(string platformName) => PlatformName = platformName;

        public string PlatformName { get; }
    }
}
#endif

namespace GitlabSts.Core.Tests
{
    internal static class TestPaths
    {
        /// <summary>Directory.CreateTempSubdirectory (.NET 7+) on every target: a new, empty, uniquely named folder.</summary>
        public static string CreateTempSubdirectory(string prefix)
        {
#if NETFRAMEWORK
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + System.IO.Path.GetRandomFileName());
            System.IO.Directory.CreateDirectory(path);
            return path;
#else
            return System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
#endif
        }

        /// <summary>Path.GetRelativePath (.NET Core 2.0+) for a file below <paramref name="root"/>.</summary>
        public static string RelativeTo(string root, string path)
        {
#if NETFRAMEWORK
            string prefix = root.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar;
            return path.StartsWith(prefix, System.StringComparison.Ordinal) ? path.Substring(prefix.Length) : path;
#else
            return System.IO.Path.GetRelativePath(root, path);
#endif
        }
    }

#if NETFRAMEWORK
    /// <summary>System.OperatingSystem.IsWindows (.NET 5+) for the tests' platform checks; found before System's by name lookup.</summary>
    internal static class OperatingSystem
    {
        public static bool IsWindows() => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);

        public static bool IsLinux() => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux);
    }
#endif
}
