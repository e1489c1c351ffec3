// Platform-specific calls are guarded by [UnixFact]/[WindowsFact] or OperatingSystem checks.
#pragma warning disable CA1416

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class SafeFileWriterTests
    {
        /// <summary>The writer's own failure, as the profile layer maps it (GitlabSts.ProfileWriteFailed).</summary>
        private static GitlabStsException ThrowsProfileWriteFailed(Func<object> write) =>
            ProfileErrors.WriteFailed(Assert.Throws<FileWriteException>(write));

        private static SafeFileWriter Writer(TimeSpan? timeout = null) => new SafeFileWriter(FilePermissions.ForCurrentPlatform(), timeout);

        [NotOnMonoFact]
        public void Creates_a_missing_file_and_its_missing_folders_with_private_permissions()
        {
            using var dir = new TempDir();
            string path = Path.Combine(dir.Path, "a", "b", "config");
            var perms = new RecordingFilePermissions();
            string seen = "unset";

            Assert.True(new SafeFileWriter(perms).Update(path, t => { seen = t; return "[default]\n"; }));

            Assert.Null(seen);
            Assert.Equal("[default]\n", File.ReadAllText(path));
            Assert.Equal(new[] { Path.Combine(dir.Path, "a"), Path.Combine(dir.Path, "a", "b") }, perms.Directories);
            // The lock file and the temp file are both created owner-only, through the interface.
            Assert.Equal(2, perms.Files.Count);
            Assert.Equal(Path.Combine(dir.Path, "a", "b", ".config.gitlabsts.lock"), perms.Files[0]);
            Assert.StartsWith(Path.Combine(dir.Path, "a", "b", ".config.gitlabsts-"), perms.Files[1], StringComparison.Ordinal);
            Assert.EndsWith(".tmp", perms.Files[1], StringComparison.Ordinal);
        }

        [NotOnMonoFact]
        public void Replaces_atomically_through_a_new_temp_file_and_leaves_no_temp_behind()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllText(path, "old");
            var perms = new RecordingFilePermissions();
            var writer = new SafeFileWriter(perms);

            // A reader holding the old file keeps seeing the old content: the target was replaced
            // by a rename, not rewritten in place.
            using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                writer.Update(path, t => t + " new");
                using var sr = new StreamReader(reader);
                Assert.Equal("old", sr.ReadToEnd());
            }

            Assert.Equal("old new", File.ReadAllText(path));
            Assert.Equal(2, perms.Files.Count);
            Assert.Equal(dir.File(".config.gitlabsts.lock"), perms.Files[0]);
            Assert.False(File.Exists(perms.Files[1]));
            Assert.Equal(new[] { ".config.gitlabsts.lock", "config" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderBy(x => x, StringComparer.Ordinal));
        }

        [NotOnMonoFact]
        public void A_null_transform_result_leaves_the_file_untouched()
        {
            using var dir = new TempDir();
            string path = dir.File("credentials");
            Assert.False(Writer().Update(path, _ => null));
            Assert.False(File.Exists(path));

            File.WriteAllText(path, "x");
            var before = File.GetLastWriteTimeUtc(path);
            Assert.False(Writer().Update(path, _ => null));
            Assert.Equal("x", File.ReadAllText(path));
            Assert.Equal(before, File.GetLastWriteTimeUtc(path));
        }

        [NotOnMonoFact]
        public void Preserves_the_bom_and_round_trips_non_utf8_bytes()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllBytes(path, new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', (byte)'\n' });
            Writer().Update(path, t =>
            {
                Assert.Equal("\uFEFFa\n", t);
                return t + "b\n";
            });
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a', (byte)'\n', (byte)'b', (byte)'\n' }, File.ReadAllBytes(path));

            // Latin-1 bytes (invalid UTF-8) survive an edit byte for byte.
            byte[] latin1 = { (byte)'#', 0xE9, 0xFC, (byte)'\n' };
            File.WriteAllBytes(path, latin1);
            Writer().Update(path, t => t + "k = v\n");
            Assert.Equal(latin1.Concat(Encoding.ASCII.GetBytes("k = v\n")), File.ReadAllBytes(path));

            // ... but a character Latin-1 cannot hold is refused rather than written as '?'.
            var ex = ThrowsProfileWriteFailed(() => Writer().Update(path, t => t + "k = \u65e5\n"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Equal(latin1.Concat(Encoding.ASCII.GetBytes("k = v\n")), File.ReadAllBytes(path));
        }

        [NotOnMonoFact]
        public void Transform_exceptions_propagate_unchanged_and_leave_the_file_and_no_temp()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllText(path, "keep");
            Assert.Throws<ArgumentException>(() => Writer().Update(path, _ => throw new ArgumentException("bad value")));
            Assert.Equal("keep", File.ReadAllText(path));
            Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }

        [NotOnMonoFact]
        public void A_failed_temp_write_is_cleaned_up_and_maps_to_ProfileWriteFailed()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllText(path, "keep");
            var perms = new RecordingFilePermissions { FailFileCreation = p => p.EndsWith(".tmp", StringComparison.Ordinal) ? new IOException("disk full") : null };

            var ex = ThrowsProfileWriteFailed(() => new SafeFileWriter(perms).Update(path, t => "new", "AWS config file", "-ConfigPath or AWS_CONFIG_FILE"));

            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Equal(ErrorKind.WriteError, ex.Kind);
            Assert.Contains(path, ex.Message);
            Assert.Contains("AWS config file", ex.Message);
            Assert.Contains("-ConfigPath or AWS_CONFIG_FILE", ex.Message);
            Assert.Contains("disk full", ex.Message);
            Assert.Equal("keep", File.ReadAllText(path));
            Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }

        [NotOnMonoFact]
        public void Stale_temp_files_of_a_killed_writer_are_removed_and_do_not_break_the_write()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllText(path, "a");
            string stale = dir.File(".config.gitlabsts-0123456789abcdef0123456789abcdef.tmp");
            File.WriteAllText(stale, "half-written secret");
            string notOurs = dir.File(".config.other-tool.tmp");
            File.WriteAllText(notOurs, "x");

            Writer().Update(path, t => t + "b");

            Assert.Equal("ab", File.ReadAllText(path));
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(notOurs));
        }

        [NotOnMonoFact]
        public void Stale_temp_files_of_other_targets_are_removed_only_when_their_lock_is_free()
        {
            using var dir = new TempDir();
            string path = dir.File("crash1.token");
            // crash0: a killed writer's leftover (its lock file stays, free). crash2: a writer at work (lock held).
            // crash3: no lock file, so not a file our writer made.
            string stale = dir.File(".crash0.token.gitlabsts-0123456789abcdef0123456789abcdef.tmp");
            File.WriteAllText(stale, "half-written token");
            File.WriteAllText(dir.File(".crash0.token.gitlabsts.lock"), "");
            string busy = dir.File(".crash2.token.gitlabsts-fedcba9876543210fedcba9876543210.tmp");
            File.WriteAllText(busy, "being written");
            string unlocked = dir.File(".crash3.token.gitlabsts-00000000000000000000000000000000.tmp");
            File.WriteAllText(unlocked, "x");

            using (var held = new FileStream(dir.File(".crash2.token.gitlabsts.lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                Writer().Update(path, _ => "token");
            }

            Assert.Equal("token", File.ReadAllText(path));
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(busy), "a temp file of a target whose lock is held belongs to a running writer");
            Assert.True(File.Exists(unlocked));

            // Once that writer is gone (its lock free), the next write removes its leftover too.
            Writer().Update(path, _ => "token2");
            Assert.False(File.Exists(busy));
        }

        [Theory]
        [InlineData(".config.gitlabsts-abc.tmp", "config", true)]
        [InlineData(".config.gitlabsts-.tmp", "config", true)]
        [InlineData(".config.gitlabsts-abc.tmp", "credentials", false)]
        [InlineData("config.gitlabsts-abc.tmp", "config", false)]
        [InlineData(".config.gitlabsts-abc.tmp.bak", "config", false)]
        [InlineData(".config.gitlabsts.lock", "config", false)]
        public void Recognizes_only_its_own_temp_files(string file, string target, bool expected)
        {
            Assert.Equal(expected, StaleTempCleaner.IsOurTempFile(file, target));
        }

        [Theory]
        [InlineData(".config.gitlabsts-abc.tmp", "config")]
        [InlineData(".crash0.token.gitlabsts-0123.tmp", "crash0.token")]
        [InlineData(".a.gitlabsts-b.gitlabsts-c.tmp", "a.gitlabsts-b")]
        [InlineData(".gitlabsts-probe-abc.tmp", null)]
        [InlineData("config.gitlabsts-abc.tmp", null)]
        [InlineData(".config.gitlabsts-abc.tmp.bak", null)]
        [InlineData(".config.gitlabsts.lock", null)]
        public void Finds_the_target_of_a_temp_file(string file, string? target)
        {
            Assert.Equal(target, StaleTempCleaner.TempFileTarget(file));
        }

        [NotOnMonoFact]
        public void A_folder_at_the_target_path_maps_to_ProfileWriteFailed()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            Directory.CreateDirectory(path);
            var ex = ThrowsProfileWriteFailed(() => Writer().Update(path, _ => "x", "AWS config file", "-ConfigPath"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Equal(ErrorKind.WriteError, ex.Kind);
            Assert.Contains(path, ex.Message);
            Assert.Contains("a folder exists at that path", ex.Message);
            Assert.Equal(path, ex.Target);
        }

        [NotOnMonoFact]
        public void A_file_where_a_folder_should_be_maps_to_ProfileWriteFailed()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("notadir"), "x");
            string path = Path.Combine(dir.Path, "notadir", "config");
            var ex = ThrowsProfileWriteFailed(() => Writer().Update(path, _ => "x"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Contains(path, ex.Message);
        }

        [UnixFact]
        public void A_read_only_folder_maps_to_ProfileWriteFailed_with_the_path()
        {
#if NET8_0_OR_GREATER // UnixFileMode, symbolic links: .NET 6+ APIs (UnixFact skips these on net472)
            using var dir = new TempDir();
            string ro = Path.Combine(dir.Path, "ro");
            Directory.CreateDirectory(ro);
            string path = Path.Combine(ro, "config");
            File.WriteAllText(path, "keep");

            // chattr +i makes the folder read-only even for root (tests may run as root); else chmod.
            bool immutable = Shell.Run("chattr", "+i", ro) == 0;
            if (!immutable)
            {
                if (Environment.UserName == "root")
                {
                    return; // neither works: nothing to test here
                }

                File.SetUnixFileMode(ro, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            }

            try
            {
                var ex = ThrowsProfileWriteFailed(() => Writer().Update(path, _ => "new", "AWS config file", "-ConfigPath"));
                Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
                Assert.Equal(ErrorKind.WriteError, ex.Kind);
                Assert.Contains(path, ex.Message);
                Assert.Contains("-ConfigPath", ex.Message);
                Assert.Equal("keep", File.ReadAllText(path));
            }
            finally
            {
                if (immutable)
                {
                    Shell.Run("chattr", "-i", ro);
                }
                else
                {
                    File.SetUnixFileMode(ro, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
#endif
        }

        [UnixFact]
        public void A_path_on_a_read_only_file_system_maps_to_ProfileWriteFailed()
        {
            string path = "/proc/gitlabsts-test/config";
            var ex = ThrowsProfileWriteFailed(() => Writer().Update(path, _ => "x"));
            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Contains(path, ex.Message);
        }

        [UnixFact]
        public void Writes_files_0600_and_creates_folders_0700_on_unix()
        {
#if NET8_0_OR_GREATER // UnixFileMode, symbolic links: .NET 6+ APIs (UnixFact skips these on net472)
            using var dir = new TempDir();
            string existing = dir.File("config");
            File.WriteAllText(existing, "x");
            File.SetUnixFileMode(existing, (UnixFileMode)Convert.ToInt32("644", 8));
            string nested = Path.Combine(dir.Path, "new1", "new2", "token");

            Writer().Update(existing, t => t + "y");
            Writer().Update(nested, _ => "secret");

            Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(existing));
            Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(nested));
            Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(Path.Combine(dir.Path, "new1")));
            Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(Path.Combine(dir.Path, "new1", "new2")));
            Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(dir.File(".config.gitlabsts.lock")));
            Assert.Equal((UnixFileMode)Convert.ToInt32("600", 8), File.GetUnixFileMode(Path.Combine(dir.Path, "new1", "new2", ".token.gitlabsts.lock")));

            // An existing folder we did not create keeps its mode.
            File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
            Writer().Update(existing, t => t + "z");
            Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(dir.Path));
#endif
        }

        [UnixFact]
        public void A_symlinked_file_stays_a_symlink_and_its_target_is_written()
        {
#if NET8_0_OR_GREATER // UnixFileMode, symbolic links: .NET 6+ APIs (UnixFact skips these on net472)
            using var dir = new TempDir();
            string realDir = Path.Combine(dir.Path, "dotfiles");
            Directory.CreateDirectory(realDir);
            string real = Path.Combine(realDir, "aws-config");
            File.WriteAllText(real, "[default]\nregion = x\n");
            string link = dir.File("config");
            File.CreateSymbolicLink(link, "dotfiles/aws-config"); // relative link
            string link2 = dir.File("config2");
            File.CreateSymbolicLink(link2, link); // a chain

            Writer().Update(link2, t => AwsIniEditor.SetSection(t, "profile oidc", new[] { new KeyValuePair<string, string>("region", "y") }));

            Assert.Equal("dotfiles/aws-config", new FileInfo(link).LinkTarget);
            Assert.Equal(link, new FileInfo(link2).LinkTarget);
            Assert.Equal("[default]\nregion = x\n\n[profile oidc]\nregion = y\n", File.ReadAllText(real));
            Assert.True(File.Exists(Path.Combine(realDir, ".aws-config.gitlabsts.lock")));
            Assert.Equal(new[] { "config", "config2" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal));
#endif
        }

        [UnixFact]
        public void A_dangling_symlink_gets_its_target_created()
        {
#if NET8_0_OR_GREATER // UnixFileMode, symbolic links: .NET 6+ APIs (UnixFact skips these on net472)
            using var dir = new TempDir();
            string link = dir.File("config");
            File.CreateSymbolicLink(link, Path.Combine(dir.Path, "sub", "real-config"));

            Writer().Update(link, _ => "x\n");

            Assert.NotNull(new FileInfo(link).LinkTarget);
            Assert.Equal("x\n", File.ReadAllText(Path.Combine(dir.Path, "sub", "real-config")));
#endif
        }

        [NotOnMonoFact]
        public async Task A_held_lock_blocks_the_writer_until_released()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            File.WriteAllText(path, "a");
            string lockPath = dir.File(".config.gitlabsts.lock");
            var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var task = Task.Run(() => Writer().Update(path, t => t + "b"));

            await Task.Delay(300);
            Assert.False(task.IsCompleted);
            Assert.Equal("a", File.ReadAllText(path));
            held.Dispose();

            Assert.Same(task, await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(10))));
            Assert.True(await task);
            Assert.Equal("ab", File.ReadAllText(path));
        }

        [NotOnMonoFact]
        public void A_lock_held_past_the_timeout_maps_to_ProfileWriteFailed_naming_the_lock()
        {
            using var dir = new TempDir();
            string path = dir.File("credentials");
            string lockPath = dir.File(".credentials.gitlabsts.lock");
            using var held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

            var ex = ThrowsProfileWriteFailed(() => Writer(TimeSpan.FromMilliseconds(300)).Update(path, _ => "x"));

            Assert.Equal(ErrorIds.ProfileWriteFailed, ex.ErrorId);
            Assert.Contains(lockPath, ex.Message);
            Assert.Contains(path, ex.Message);
            Assert.False(File.Exists(path));
        }

        [NotOnMonoFact]
        public void Sixteen_concurrent_writers_never_lose_a_section_or_a_preexisting_byte()
        {
            using var dir = new TempDir();
            string path = dir.File("config");
            string preexisting = "# keep me\r\n[default]\r\nregion = us-east-1\r\ns3 =\r\n  max_concurrent_requests = 20\r\n\r\n; trailing comment\r\n";
            File.WriteAllText(path, preexisting);
            using var start = new ManualResetEventSlim(false);

            var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
            {
                start.Wait();
                var writer = Writer();
                writer.Update(path, t =>
                {
                    Thread.Sleep(5); // widen the read-modify-write window
                    return AwsIniEditor.SetSection(t, "profile p" + i, new[] { new KeyValuePair<string, string>("region", "r" + i) });
                });
            })).ToList();
            threads.ForEach(t => t.Start());
            start.Set();
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));

            string result = File.ReadAllText(path);
            Assert.StartsWith(preexisting, result, StringComparison.Ordinal);
            Assert.Equal(Enumerable.Range(0, 16).Select(i => "p" + i).OrderBy(x => x), AwsIniEditor.ListProfiles(result, null).Where(p => p != "default").OrderBy(x => x));
            Assert.DoesNotContain("\n", result.Replace("\r\n", string.Empty)); // CRLF kept throughout
            Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }
    }
}
