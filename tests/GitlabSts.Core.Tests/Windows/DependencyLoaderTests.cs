#if NETFRAMEWORK
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

// The few System.Management.Automation types DependencyLoader.cs names (Mono has no PowerShell); only the loader's
// own logic runs here.
namespace System.Management.Automation
{
    public interface IModuleAssemblyInitializer
    {
        void OnImport();
    }

    public interface IModuleAssemblyCleanup
    {
        void OnRemove(PSModuleInfo psModuleInfo);
    }

    public sealed class PSModuleInfo
    {
    }
}

namespace GitlabSts.Core.Tests.Windows
{
    /// <summary>
    /// The Windows PowerShell 5.1 loader (src/GitlabSts/DependencyLoader.cs, AssemblyResolve) on net472 under Mono, with
    /// the shipped out/GitlabSts/bin/net472 layout: the loader is compiled into a copy of this assembly placed where
    /// GitlabSts.dll ships, beside a copy of bin/net472/dependencies, and run in its own AppDomain whose base folder has
    /// nothing else, so every dependency must come through the handler.
    /// </summary>
    public class DependencyLoaderTests
    {
        public sealed class Probe : MarshalByRefObject
        {
            public string[] Run()
            {
                var log = new List<string>();
                GitlabSts.DependencyLoader.Register();
                GitlabSts.DependencyLoader.Register(); // twice: one handler
                AppDomain.CurrentDomain.AssemblyLoad += (_, e) => log.Add("load " + e.LoadedAssembly.GetName().Name + " " + e.LoadedAssembly.Location);

                // The core and, through it, its dependencies: the STS client and System.Text.Json.
                Assembly core = Assembly.Load("GitlabSts.Core");
                log.Add("core " + core.Location);
                Type exchanger = core.GetType("GitlabSts.Core.Sts.StsExchanger", throwOnError: true);
                log.Add("exchanger " + exchanger.FullName);
                Assembly json = Assembly.Load("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");
                log.Add("json " + json.Location);
                Assembly json2 = Assembly.Load("System.Text.Json, Version=8.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51");
                log.Add("json-same " + ReferenceEquals(json, json2));

                // A name we do not ship: the handler does not answer.
                try
                {
                    Assembly.Load("Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed");
                    log.Add("unknown loaded");
                }
                catch (FileNotFoundException)
                {
                    log.Add("unknown not found");
                }

                log.Add("awscore " + Assembly.Load("AWSSDK.Core").Location);
                GitlabSts.DependencyLoader.Unregister();
                try
                {
                    Assembly.Load("AWSSDK.SecurityToken");
                    log.Add("after-unregister loaded");
                }
                catch (FileNotFoundException)
                {
                    log.Add("after-unregister not found");
                }

                log.Add("loaded " + string.Join(",", AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Contains("dependencies")).Select(a => a.GetName().Name).OrderBy(n => n)));
                return log.ToArray();
            }
        }

        [Fact]
        public void The_51_loader_answers_from_the_shipped_dependencies_folder_once_per_name_and_never_for_unknown_names()
        {
            string shipped = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "out", "GitlabSts", "bin", "net472", "dependencies"));
            Assert.True(Directory.Exists(shipped), $"{shipped} is missing: build.ps1 -Task Build lays it out.");
            string root = TestPaths.CreateTempSubdirectory("gitlabsts-loader-");
            try
            {
                string dependencies = Path.Combine(root, "dependencies");
                Directory.CreateDirectory(dependencies);
                foreach (string dll in Directory.GetFiles(shipped, "*.dll"))
                {
                    File.Copy(dll, Path.Combine(dependencies, Path.GetFileName(dll)));
                }

                File.Copy(typeof(Probe).Assembly.Location, Path.Combine(root, Path.GetFileName(typeof(Probe).Assembly.Location)));
                File.Copy(typeof(FactAttribute).Assembly.Location, Path.Combine(root, Path.GetFileName(typeof(FactAttribute).Assembly.Location)));
                File.Copy(typeof(Xunit.Assert).Assembly.Location, Path.Combine(root, Path.GetFileName(typeof(Xunit.Assert).Assembly.Location)));
                File.Copy(typeof(Xunit.Abstractions.ITestOutputHelper).Assembly.Location, Path.Combine(root, Path.GetFileName(typeof(Xunit.Abstractions.ITestOutputHelper).Assembly.Location)));

                var setup = new AppDomainSetup { ApplicationBase = root, DisallowApplicationBaseProbing = false };
                AppDomain domain = AppDomain.CreateDomain("gitlabsts-loader", null, setup);
                string[] log;
                try
                {
                    var probe = (Probe)domain.CreateInstanceFromAndUnwrap(Path.Combine(root, Path.GetFileName(typeof(Probe).Assembly.Location)), typeof(Probe).FullName);
                    log = probe.Run();
                }
                finally
                {
                    AppDomain.Unload(domain);
                }

                Console.WriteLine(string.Join(Environment.NewLine, log));
                Assert.Contains("core " + Path.Combine(dependencies, "GitlabSts.Core.dll"), log);
                Assert.Contains("exchanger GitlabSts.Core.Sts.StsExchanger", log);
                Assert.Contains("json " + Path.Combine(dependencies, "System.Text.Json.dll"), log);
                Assert.Contains("json-same True", log);
                Assert.Contains("unknown not found", log);
                Assert.Contains("awscore " + Path.Combine(dependencies, "AWSSDK.Core.dll"), log);
                Assert.Contains("after-unregister not found", log); // AWSSDK.SecurityToken ships too, but nobody answers any more
                // Each shipped dependency loaded at most once, and only from our folder.
                var loads = log.Where(l => l.StartsWith("load ", StringComparison.Ordinal)).ToList();
                Assert.Equal(loads.Count, loads.Distinct().Count());
                Assert.All(loads.Where(l => l.Contains(root)), l => Assert.Contains(dependencies, l));
            }
            finally
            {
                try { Directory.Delete(root, recursive: true); } catch (IOException) { }
            }
        }
    }
}
#endif
