using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace GitlabSts.Core.Tests
{
    /// <summary>
    /// Every environment variable the core reads goes through <see cref="IEnvironmentReader"/>, so tests can give any
    /// environment and no default hides in a static: only <c>src/GitlabSts.Core/Environment.cs</c> (ProcessEnvironment)
    /// may call System.Environment.GetEnvironmentVariable(s).
    /// </summary>
    public class EnvironmentAccessTests
    {
        private const string Allowed = "Environment.cs";

        // A call or method group of GetEnvironmentVariable or GetEnvironmentVariables, however qualified
        // (System.Environment., Environment., global::System.Environment., or a using static).
        private static readonly Regex DirectRead = new Regex(@"\bGetEnvironmentVariables?\b", RegexOptions.CultureInvariant);

        internal static string RepoRoot()
        {
            for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "GitlabSts.sln")))
                {
                    return dir;
                }
            }

            throw new InvalidOperationException("GitlabSts.sln not found above " + AppContext.BaseDirectory);
        }

        /// <summary>"file:line: text" for every line of code (comments stripped) that reads the environment directly.</summary>
        internal static IReadOnlyList<string> DirectReads(string sourceRoot)
        {
            var hits = new List<string>();
            foreach (string file in Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories))
            {
                string relative = TestPaths.RelativeTo(sourceRoot, file).Replace('\\', '/');
                if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative == Allowed)
                {
                    continue;
                }

                string[] lines = File.ReadAllLines(file);
                bool inBlockComment = false;
                for (int i = 0; i < lines.Length; i++)
                {
                    string code = StripComments(lines[i], ref inBlockComment);
                    if (DirectRead.IsMatch(code))
                    {
                        hits.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                    }
                }
            }

            return hits;
        }

        [Fact]
        public void No_core_type_reads_the_process_environment_outside_ProcessEnvironment()
        {
            string core = Path.Combine(RepoRoot(), "src", "GitlabSts.Core");
            Assert.True(File.Exists(Path.Combine(core, Allowed)));
            IReadOnlyList<string> hits = DirectReads(core);
            Assert.True(hits.Count == 0, "Read environment variables through IEnvironmentReader (ProcessEnvironment.Instance at the edge), not directly:\n" + string.Join("\n", hits));
        }

        [Fact]
        public void The_scan_finds_a_direct_read_however_it_is_written()
        {
            using var dir = new Profiles.TempDir();
            File.WriteAllText(Path.Combine(dir.Path, Allowed), "class P { string? A() => System.Environment.GetEnvironmentVariable(\"X\"); }\n");
            File.WriteAllText(Path.Combine(dir.Path, "Clean.cs"), "// Environment.GetEnvironmentVariable is not used here\nclass C { /* GetEnvironmentVariables() */ string? A(IEnvironmentReader e) => e.Get(\"X\"); }\n");
            Directory.CreateDirectory(Path.Combine(dir.Path, "Sub"));
            File.WriteAllText(Path.Combine(dir.Path, "Sub", "Bad.cs"), "class B\n{\n    string? A() => Environment.GetEnvironmentVariable(\"HOME\");\n    object C() => System.Environment.GetEnvironmentVariables();\n}\n");

            Assert.Equal(
                new[] { "Sub/Bad.cs:3: string? A() => Environment.GetEnvironmentVariable(\"HOME\");", "Sub/Bad.cs:4: object C() => System.Environment.GetEnvironmentVariables();" },
                DirectReads(dir.Path));
        }

        private static string StripComments(string line, ref bool inBlockComment)
        {
            var code = new System.Text.StringBuilder();
            for (int i = 0; i < line.Length; i++)
            {
                if (inBlockComment)
                {
                    if (line[i] == '*' && i + 1 < line.Length && line[i + 1] == '/')
                    {
                        inBlockComment = false;
                        i++;
                    }

                    continue;
                }

                if (line[i] == '/' && i + 1 < line.Length && line[i + 1] == '/')
                {
                    break;
                }

                if (line[i] == '/' && i + 1 < line.Length && line[i + 1] == '*')
                {
                    inBlockComment = true;
                    i++;
                    continue;
                }

                code.Append(line[i]);
            }

            return code.ToString();
        }
    }
}
