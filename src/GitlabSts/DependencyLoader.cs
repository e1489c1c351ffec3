using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
#if NET8_0_OR_GREATER
using System.Runtime.Loader;
#endif

namespace GitlabSts
{
    /// <summary>
    /// Loads GitlabSts.Core and its dependencies (AWSSDK, IdentityModel) from the "dependencies" folder beside
    /// this assembly, apart from whatever versions other modules loaded: into a private AssemblyLoadContext on
    /// PowerShell 7, and through an AssemblyResolve handler that answers only for that folder on Windows PowerShell.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        internal static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

        public void OnImport() => DependencyLoader.Register();

        public void OnRemove(PSModuleInfo module) => DependencyLoader.Unregister();
    }

    internal static class DependencyLoader
    {
        private const string CoreAssembly = "GitlabSts.Core";
        private static readonly object Gate = new object();
        private static bool _registered;

        internal static void Register()
        {
            lock (Gate)
            {
                if (_registered)
                {
                    return;
                }

#if NET8_0_OR_GREATER
                AssemblyLoadContext.Default.Resolving += ResolveIntoPrivateContext;
#else
                AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencyFolder;
#endif
                _registered = true;
            }
        }

        internal static void Unregister()
        {
            lock (Gate)
            {
#if NET8_0_OR_GREATER
                AssemblyLoadContext.Default.Resolving -= ResolveIntoPrivateContext;
#else
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencyFolder;
#endif
                _registered = false;
            }
        }

        /// <summary>
        /// True for a plain assembly file name: not empty, no path separator, drive or stream colon, no "..",
        /// not rooted. The resolvers answer only for such names, so a requested name can never point outside
        /// the dependencies folder (an AssemblyName such as "../x" or "/tmp/x" is valid to .NET).
        /// </summary>
        internal static bool IsSimpleName(string? name)
        {
            return !string.IsNullOrWhiteSpace(name)
                && name!.IndexOfAny(new[] { '/', '\\', ':', '\0' }) < 0
                && name.IndexOf("..", StringComparison.Ordinal) < 0
                && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0
                && !Path.IsPathRooted(name);
        }

        /// <summary>The file of a simple assembly name in the dependencies folder; null for any other name.</summary>
        internal static string? DependencyPath(string? name)
        {
            return IsSimpleName(name) ? Path.Combine(ModuleInitializer.DependencyFolder, name + ".dll") : null;
        }

#if NET8_0_OR_GREATER
        private static Assembly? ResolveIntoPrivateContext(AssemblyLoadContext context, AssemblyName name)
        {
            // Only our core is resolved for the default context; everything it needs is resolved inside the private one.
            return name.Name == CoreAssembly ? GitlabStsLoadContext.Instance.LoadFromAssemblyName(name) : null;
        }
#else
        private static Assembly? ResolveFromDependencyFolder(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name);
            string? path = DependencyPath(name.Name);
            if (path is null || !File.Exists(path))
            {
                return null;
            }

            foreach (Assembly loaded in AppDomain.CurrentDomain.GetAssemblies())
            {
                if (!loaded.IsDynamic && string.Equals(loaded.Location, path, StringComparison.OrdinalIgnoreCase))
                {
                    return loaded;
                }
            }

            return Assembly.LoadFrom(path);
        }
#endif
    }

#if NET8_0_OR_GREATER
    /// <summary>The private load context: assemblies found in the dependencies folder load here; the rest (the framework) falls back to the default context.</summary>
    internal sealed class GitlabStsLoadContext : AssemblyLoadContext
    {
        internal static readonly GitlabStsLoadContext Instance = new GitlabStsLoadContext();

        private GitlabStsLoadContext()
            : base("GitlabSts", isCollectible: false)
        {
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string? path = DependencyLoader.DependencyPath(assemblyName.Name);
            return path is not null && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
#endif
}
