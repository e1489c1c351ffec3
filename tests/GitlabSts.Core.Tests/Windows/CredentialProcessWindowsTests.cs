using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Windows
{
    /// <summary>
    /// The credential_process line written for Windows hosts, split by the AWS CLI's own parser: botocore's
    /// compat_shell_split(line, "win32") (what ProcessProvider runs on Windows) must give back exactly the program,
    /// its arguments, and the encoded PowerShell command we meant (every value back exactly), for pwsh.exe and
    /// powershell.exe under C:\Program Files\…, with spaces and single quotes in the paths and hostile values.
    /// </summary>
    public class CredentialProcessWindowsTests
    {
        private const string Pwsh7 = @"C:\Program Files\PowerShell\7\pwsh.exe";
        private const string WindowsPowerShell = @"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
        private const string Dotnet = @"C:\Program Files\dotnet\dotnet.exe";
        private const string PwshDll = @"C:\Users\Jane Doe\.dotnet\tools\.store\powershell\7.6.0\powershell\7.6.0\tools\net10.0\any\pwsh.dll";

        private const string ProgramFilesManifest = @"C:\Program Files\WindowsPowerShell\Modules\GitlabSts\0.2.0\GitlabSts.psd1";
        private const string QuotedUserManifest = @"C:\Users\Jane O'Brien\Documents\WindowsPowerShell\Modules\GitlabSts\GitlabSts.psd1";

        public static IEnumerable<object[]> Lines()
        {
            yield return new object[] { "pwsh7", new[] { Pwsh7 }, ProgramFilesManifest };
            yield return new object[] { "powershell51", new[] { WindowsPowerShell }, ProgramFilesManifest };
            yield return new object[] { "powershell51-quote-in-path", new[] { WindowsPowerShell }, QuotedUserManifest };
            yield return new object[] { "dotnet-pwsh.dll", new[] { Dotnet, PwshDll }, QuotedUserManifest };
        }

        private static readonly KeyValuePair<string, string?>[] Arguments =
        {
            new KeyValuePair<string, string?>("RoleArn", "arn:aws:iam::123456789012:role/gitlab ci"),
            new KeyValuePair<string, string?>("TokenFile", @"C:\GitLab-Runner\builds\it's here\id token.jwt"),
            new KeyValuePair<string, string?>("RoleSessionName", "gitlab-ci-42"),
            new KeyValuePair<string, string?>("Region", null),
            new KeyValuePair<string, string?>("DurationSeconds", "3600"),
        };

        [Theory]
        [MemberData(nameof(Lines))]
        public void Botocore_win32_split_gives_back_exactly_the_intended_arguments(string label, string[] host, string manifest)
        {
            string line = CredentialProcessCommand.Build(host, manifest, Arguments, windows: true);

            string command =
                "Import-Module '" + manifest.Replace("'", "''") + "'; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess" +
                " -RoleArn 'arn:aws:iam::123456789012:role/gitlab ci'" +
                @" -TokenFile 'C:\GitLab-Runner\builds\it''s here\id token.jwt'" +
                " -RoleSessionName 'gitlab-ci-42' -DurationSeconds '3600'";
            var expected = host.Concat(new[] { "-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand", CredentialProcessCommand.Encode(command) }).ToArray();

            string[] split = BotocoreSplit(line);
            Console.WriteLine($"credential_process ({label}): {line}");
            Console.WriteLine($"  compat_shell_split(line, 'win32') = {JsonSerializer.Serialize(split)}");
            Assert.Equal(expected, split);
            Assert.Equal(command, CredentialProcessCommand.Decode(split.Last()));
        }

        [Theory]
        [MemberData(nameof(HostileValues))]
        public void Botocore_win32_split_gives_back_the_paths_and_every_hostile_value_exactly(string value)
        {
            string[] host = { Dotnet, @"C:\Users\o'brien\Program Files (x86)\pwsh.dll" };
            var arguments = new[] { "RoleArn", "TokenFile", "Audience", "TokenVariable" }.Select(k => new KeyValuePair<string, string?>(k, value)).ToArray();
            CredentialProcessLine line = CredentialProcessCommand.Create(new CredentialProcessHost(host, value, windows: true), arguments);

            string[] split = BotocoreSplit(line.Line);
            Assert.Equal(host.Concat(CredentialProcessCommand.FixedArguments).Concat(new[] { CredentialProcessCommand.Encode(line.Script) }), split);
            var values = Profiles.CredentialProcessCommandTests.ParseScript(CredentialProcessCommand.Decode(split.Last()), out string manifest);
            Assert.Equal(value, manifest);
            Assert.All(arguments, a => Assert.Equal(value, values[a.Key]));
        }

        public static IEnumerable<object[]> HostileValues() => Profiles.CredentialProcessCommandTests.Hostile();

        /// <summary>Runs botocore.compat.compat_shell_split(line, platform) (ProcessProvider's split: "win32" on Windows, shlex elsewhere) with the machine's python3 and botocore.</summary>
        internal static string[] BotocoreSplit(string line, string platform = "win32")
        {
            string script = Path.Combine(Path.GetTempPath(), "gitlabsts-split-" + Guid.NewGuid().ToString("N") + ".py");
            File.WriteAllText(script,
                "import json, sys\nfrom botocore.compat import compat_shell_split\n" +
                "line = json.loads(sys.stdin.read())\nprint(json.dumps(compat_shell_split(line, sys.argv[1])))\n");
            try
            {
                var psi = new ProcessStartInfo("python3", "\"" + script + "\" " + platform)
                {
                    UseShellExecute = false,
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    StandardOutputEncoding = Encoding.UTF8,
                };
                using var process = Process.Start(psi)!;
                var stdin = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false));
                stdin.Write(JsonSerializer.Serialize(line));
                stdin.Close();
                string output = process.StandardOutput.ReadToEnd();
                string error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, "python3 with botocore failed (botocore is a test peer): " + error);
                return JsonSerializer.Deserialize<string[]>(output)!;
            }
            finally
            {
                File.Delete(script);
            }
        }
    }
}
