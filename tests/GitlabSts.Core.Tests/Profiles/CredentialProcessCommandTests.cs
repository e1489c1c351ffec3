using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using GitlabSts.Core.Profiles;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tests.Sts;
using GitlabSts.Core.Tests.Tokens;
using GitlabSts.Core.Tests.Windows;
using GitlabSts.Core.Tokens;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>
    /// The credential_process builder: program paths double-quoted (refused when a target platform cannot quote them),
    /// everything else inside -EncodedCommand, every value back exactly, control characters refused with UnsafeValue.
    /// </summary>
    public class CredentialProcessCommandTests
    {
        private const string Fixed = " -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand ";

        private static readonly CredentialProcessHost Host = new CredentialProcessHost(new[] { "/usr/bin/dotnet", "/opt/pwsh dir/pwsh.dll" }, "/opt/Gitlab Sts/GitlabSts.psd1", windows: false);

        private static KeyValuePair<string, string?> Arg(string k, string? v) => new KeyValuePair<string, string?>(k, v);

        /// <summary>Values that end quotes or start commands somewhere: sh, cmd.exe, PowerShell (U+2018-U+201B close '…').</summary>
        public static readonly string[] HostileValues =
        {
            "arn:aws:iam::123456789012:role/$(touch${IFS}/tmp/x)/x",
            "arn:aws:iam::123456789012:role/`touch /tmp/x`/x",
            "%PATH%!PATH!^&|;<>()",
            "a'b''c",
            "q\u2018a\u2019b\u201Ac\u201Bd'",
            "\u2019; touch /tmp/x; \u2019",
            "'; Remove-Item -Recurse / ; '",
            "\"; touch /tmp/x; \"",
            "C:\\Users\\o'brien\\Program Files\\id token.jwt",
            "/home/o'brien/My Modules/t",
            "$env:HOME ${HOME} $(1+1) @(1) #comment",
            "trailing\\",
            "ünïcödé ☃ 𝄞",
        };

        public static IEnumerable<object[]> Hostile() => HostileValues.Select(v => new object[] { v });

        /// <summary>The values of a script the builder wrote: PowerShell's single-quoted strings (a doubled quote character is one).</summary>
        internal static Dictionary<string, string> ParseScript(string script, out string manifest)
        {
            const string head = "Import-Module '";
            Assert.StartsWith(head, script);
            int i = head.Length;
            manifest = ReadQuoted(script, ref i);
            const string cmdlet = "; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess";
            Assert.Equal(cmdlet, script.Substring(i, cmdlet.Length));
            i += cmdlet.Length;
            var values = new Dictionary<string, string>();
            while (i < script.Length)
            {
                Assert.Equal(" -", script.Substring(i, 2));
                int space = script.IndexOf(' ', i + 2);
                string name = script.Substring(i + 2, space - i - 2);
                Assert.Equal('\'', script[space + 1]);
                i = space + 2;
                values.Add(name, ReadQuoted(script, ref i));
            }

            return values;
        }

        private static string ReadQuoted(string s, ref int i)
        {
            var sb = new StringBuilder();
            while (true)
            {
                char c = s[i++];
                if (CredentialProcessCommand.IsSingleQuote(c))
                {
                    if (i < s.Length && CredentialProcessCommand.IsSingleQuote(s[i]))
                    {
                        sb.Append(s[i++]);
                        continue;
                    }

                    return sb.ToString();
                }

                sb.Append(c);
            }
        }

        private static string ScriptOf(string line)
        {
            Match m = Regex.Match(line, "^(\"[^\"]+\" )+-NoProfile -NonInteractive -OutputFormat Text -EncodedCommand ([A-Za-z0-9+/=]+)$");
            Assert.True(m.Success, "not the expected shape: " + line);
            return CredentialProcessCommand.Decode(m.Groups[2].Value);
        }

        [Fact]
        public void Build_quotes_the_program_paths_and_encodes_the_rest()
        {
            string line = CredentialProcessCommand.Build(Host.Command, Host.ModuleManifest, new[] { Arg("RoleArn", "arn:x"), Arg("Region", null), Arg("TokenFile", "/o'brien/t") }, windows: false);
            string script = "Import-Module '/opt/Gitlab Sts/GitlabSts.psd1'; Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess -RoleArn 'arn:x' -TokenFile '/o''brien/t'";
            Assert.Equal("\"/usr/bin/dotnet\" \"/opt/pwsh dir/pwsh.dll\"" + Fixed + Convert.ToBase64String(Encoding.Unicode.GetBytes(script)), line);
            Assert.Equal(script, ScriptOf(line));
        }

        [Theory]
        [MemberData(nameof(Hostile))]
        public void Every_value_comes_back_exactly_and_the_line_holds_only_quoted_paths_and_base64(string value)
        {
            foreach (bool windows in new[] { false, true })
            {
                var host = new CredentialProcessHost(windows ? new[] { @"C:\Program Files\PowerShell\7\pwsh.exe" } : new[] { "/usr/bin/pwsh" }, value, windows);
                var arguments = new[]
                {
                    "TokenFile", "ConfigPath", "RoleArn", "RoleSessionName", "Region", "EndpointUrl", "Audience", "TokenVariable",
                }.Select(name => Arg(name, value)).ToArray();
                CredentialProcessLine line = CredentialProcessCommand.Create(host, arguments);

                Assert.Equal(line.Script, ScriptOf(line.Line));
                Dictionary<string, string> values = ParseScript(line.Script, out string manifest);
                Assert.Equal(value, manifest);
                Assert.Equal(arguments.Select(a => a.Key), values.Keys);
                Assert.All(values.Values, v => Assert.Equal(value, v));
                Assert.Equal("credential_process runs: " + line.Script, line.Comment);
            }
        }

        public static IEnumerable<object[]> QuotingTable() => new[]
        {
            // platform, host paths, expected start of the line (null: refused)
            new object[] { false, new[] { "/usr/bin/pwsh" }, "\"/usr/bin/pwsh\"" },
            new object[] { false, new[] { "/home/o'brien/My Modules/pwsh" }, "\"/home/o'brien/My Modules/pwsh\"" },
            new object[] { false, new[] { "/usr/bin/dotnet", "/home/o'brien/.dotnet/tools/pwsh.dll" }, "\"/usr/bin/dotnet\" \"/home/o'brien/.dotnet/tools/pwsh.dll\"" },
            new object[] { false, new[] { "/opt/100%!&|;<>()/pwsh" }, "\"/opt/100%!&|;<>()/pwsh\"" },
            new object[] { false, new[] { "/opt/$(x)/pwsh" }, null! },
            new object[] { false, new[] { "/opt/`x`/pwsh" }, null! },
            new object[] { false, new[] { "/opt/a\\b/pwsh" }, null! },
            new object[] { false, new[] { "/opt/a\"b/pwsh" }, null! },
            new object[] { false, new[] { "/opt/a\nb/pwsh" }, null! },
            new object[] { false, new[] { "/usr/bin/dotnet", "/opt/$x/pwsh.dll" }, null! },
            new object[] { true, new[] { @"C:\Program Files\PowerShell\7\pwsh.exe" }, "\"C:\\Program Files\\PowerShell\\7\\pwsh.exe\"" },
            new object[] { true, new[] { @"C:\Users\o'brien\pwsh\pwsh.exe" }, "\"C:\\Users\\o'brien\\pwsh\\pwsh.exe\"" },
            new object[] { true, new[] { @"C:\Program Files (x86)\PowerShell\pwsh.exe" }, "\"C:\\Program Files (x86)\\PowerShell\\pwsh.exe\"" },
            new object[] { true, new[] { @"C:\$x\`y\pwsh.exe" }, "\"C:\\$x\\`y\\pwsh.exe\"" },
            new object[] { true, new[] { @"C:\%PATH%\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a!b\pwsh.exe" }, null! },
            new object[] { true, new[] { "C:\\a\"b\\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a^b\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a&b\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a|b\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a<b\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\a>b\pwsh.exe" }, null! },
            new object[] { true, new[] { @"C:\pwsh\" }, null! },
            new object[] { true, new[] { "C:\\a\tb\\pwsh.exe" }, null! },
        };

        [Theory]
        [MemberData(nameof(QuotingTable))]
        public void Program_paths_are_double_quoted_or_refused_for_the_target_platform(bool windows, string[] hostPaths, string? expected)
        {
            var host = new CredentialProcessHost(hostPaths, "/m/GitlabSts.psd1", windows);
            if (expected != null)
            {
                string line = CredentialProcessCommand.Create(host, new[] { Arg("RoleArn", "arn:aws:iam::123456789012:role/r") }).Line;
                Assert.StartsWith(expected + Fixed, line);
                return;
            }

            var e = Assert.Throws<GitlabStsException>(() => CredentialProcessCommand.Create(host, new[] { Arg("RoleArn", "arn:aws:iam::123456789012:role/r") }));
            Assert.Equal(ErrorIds.UnsafeValue, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal("PowerShellHost", e.Target);
            Assert.Contains(windows ? "Windows" : "Unix", e.Message);
        }

        [Theory]
        [InlineData("RoleArn", "arn:aws:iam::123456789012:role/a\nb")]
        [InlineData("TokenFile", "/tmp/a\rb")]
        [InlineData("Audience", "a\0b")]
        [InlineData("TokenVariable", "A\u0085B")]
        [InlineData("EndpointUrl", "http://x/\u2028")]
        [InlineData("ModuleManifest", "/m/\x1b[31m/GitlabSts.psd1")]
        public void A_control_character_in_a_value_is_refused_naming_the_parameter_not_the_value(string parameter, string value)
        {
            string secretish = value.Replace("\n", string.Empty);
            var host = parameter == "ModuleManifest"
                ? new CredentialProcessHost(new[] { "/usr/bin/pwsh" }, value, windows: false)
                : Host;
            var e = Assert.Throws<GitlabStsException>(() => CredentialProcessCommand.Create(host, new[] { Arg(parameter, value) }));
            Assert.Equal(ErrorIds.UnsafeValue, e.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Equal(parameter, e.Target);
            Assert.Contains("-" + parameter, e.Message);
            Assert.DoesNotContain(value, e.Message);
        }

        [Fact]
        public void Empty_host_or_manifest_is_refused_with_UnsafeValue()
        {
            void Refused(Action build, string message)
            {
                var e = Assert.Throws<GitlabStsException>(build);
                Assert.Equal(ErrorIds.UnsafeValue, e.ErrorId);
                Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
                Assert.Contains(message, e.Message);
            }

            Refused(() => CredentialProcessCommand.Build(Array.Empty<string>(), "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "The PowerShell host command is empty");
            Refused(() => CredentialProcessCommand.Build(null!, "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "The PowerShell host command is empty");
            Refused(() => CredentialProcessCommand.Build(new[] { "/pwsh" }, "", Array.Empty<KeyValuePair<string, string?>>()), "The module manifest path is empty");
            Refused(() => CredentialProcessCommand.Build(new[] { "/pwsh", "" }, "/m.psd1", Array.Empty<KeyValuePair<string, string?>>()), "The PowerShell host path is empty");
        }

        [Fact]
        public void A_Windows_line_longer_than_cmd_exe_runs_is_refused()
        {
            var host = new CredentialProcessHost(new[] { @"C:\pwsh.exe" }, @"C:\m.psd1", windows: true);
            var e = Assert.Throws<GitlabStsException>(() => CredentialProcessCommand.Create(host, new[] { Arg("TokenFile", @"C:\" + new string('t', 3100)) }));
            Assert.Equal(ErrorIds.UnsafeValue, e.ErrorId);
            Assert.Contains("8191", e.Message);
            Assert.NotNull(CredentialProcessCommand.Create(new CredentialProcessHost(new[] { "/usr/bin/pwsh" }, host.ModuleManifest, windows: false), new[] { Arg("TokenFile", @"C:\" + new string('t', 3100)) }));
        }

        [Theory]
        [MemberData(nameof(Hostile))]
        public void Botocore_posix_split_gives_back_the_paths_and_the_encoded_script(string value)
        {
            string[] hostPaths = { "/usr/bin/dotnet", "/home/o'brien/My Modules/pwsh.dll" };
            CredentialProcessLine line = CredentialProcessCommand.Create(new CredentialProcessHost(hostPaths, "/m.psd1", windows: false), new[] { Arg("Audience", value) });
            string[] split = CredentialProcessWindowsTests.BotocoreSplit(line.Line, "linux");
            Assert.Equal(hostPaths.Concat(CredentialProcessCommand.FixedArguments).Concat(new[] { CredentialProcessCommand.Encode(line.Script) }), split);
            Assert.Equal(value, ParseScript(CredentialProcessCommand.Decode(split.Last()), out _)["Audience"]);
        }

        [Fact]
        public void The_comment_is_written_above_the_key_and_a_rerun_replaces_it()
        {
            var keys = new[] { new KeyValuePair<string, string>(AwsIniEditor.CommentKey, "credential_process runs: x 'y'"), new KeyValuePair<string, string>("credential_process", "\"/p\" -x") };
            string once = AwsIniEditor.SetSection("[default]\nregion = x\n", "profile p", keys);
            Assert.Equal("[default]\nregion = x\n\n[profile p]\n; credential_process runs: x 'y'\ncredential_process = \"/p\" -x\n", once);
            Assert.Equal(once, AwsIniEditor.SetSection(once, "profile p", keys));
            Assert.Equal(new[] { "credential_process" }, AwsIniEditor.GetSection(once, "profile p")!.Select(k => k.Key));
            Assert.Throws<GitlabStsException>(() => AwsIniEditor.SetSection(null, "p", new[] { new KeyValuePair<string, string>(AwsIniEditor.CommentKey, "a\nb") }));
        }

        private static ExchangeRequest Exchange(TokenSource source) => ExchangeRequest.Resolve(
            new ExchangeSettings { RoleArn = "arn:aws:iam::123456789012:role/r", Token = new TokenSource(TokenSourceKind.Text, TestTokens.Mint()), DurationSeconds = 1800 },
            new DictionaryEnvironment(), NullLog.Instance, DateTimeOffset.UtcNow);

        [Theory]
        [InlineData(TokenSourceKind.Variable, "MY_TOKEN", " -TokenVariable 'MY_TOKEN'")]
        [InlineData(TokenSourceKind.File, "/run/token", " -TokenFile '/run/token'")]
        [InlineData(TokenSourceKind.Discover, null, "-Region 'eu-west-1'")]
        public void ForExchange_repeats_the_checked_exchange_with_the_callers_token_source(TokenSourceKind kind, string? value, string tail)
        {
            var settings = new ExchangeSettings { Token = new TokenSource(kind, value), RoleSessionName = null, EndpointUrl = null, Audience = null };
            CredentialProcessLine line = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), "eu-west-1");
            Assert.Equal(line.Script, ScriptOf(line.Line));
            Assert.Contains("-RoleArn 'arn:aws:iam::123456789012:role/r' -DurationSeconds '1800' -Region 'eu-west-1'", line.Script);
            Assert.DoesNotContain("-RoleSessionName", line.Script); // the session name is chosen when it runs, unless given
            Assert.EndsWith(tail, line.Script);
        }

        [Fact]
        public void ForExchange_passes_the_callers_session_name_endpoint_and_audience()
        {
            var settings = new ExchangeSettings { Token = TokenSource.Discover, RoleSessionName = "ci-1", EndpointUrl = "http://127.0.0.1:5000", Audience = "sts.amazonaws.com" };
            string script = CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), null).Script;
            Assert.Contains("-RoleSessionName 'ci-1'", script);
            Assert.Contains("-EndpointUrl 'http://127.0.0.1:5000'", script);
            Assert.Contains("-Audience 'sts.amazonaws.com'", script);
            Assert.DoesNotContain("-Region", script);
        }

        [Fact]
        public void ForExchange_refuses_a_token_typed_now_without_showing_it()
        {
            string token = TestTokens.Mint();
            var settings = new ExchangeSettings { Token = new TokenSource(TokenSourceKind.Text, token) };
            var e = Assert.Throws<GitlabStsException>(() => CredentialProcessCommand.ForExchange(Host, settings, Exchange(settings.Token), null));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal("WebIdentityToken", e.Target);
            TestTokens.AssertNoSecret(e.Message, token);
        }
    }
}
