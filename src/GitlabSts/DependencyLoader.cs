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
            string path = Path.Combine(ModuleInitializer.DependencyFolder, name.Name + ".dll");
            if (!File.Exists(path))
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
            string path = Path.Combine(ModuleInitializer.DependencyFolder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
#endif
}
