// Platform-specific calls are guarded by [UnixFact] (which skips on net472) and #if NET8_0_OR_GREATER.
#pragma warning disable CA1416

using System;
using System.IO;
using System.Linq;
using GitlabSts.Core;
using GitlabSts.Core.Profiles;
using Microsoft.Win32.SafeHandles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>
    /// The writer follows only your own links in folders only you (or root) can change, never through its lock and
    /// temp files, replaces only the file it checked, and leaves a read-only file alone. The tests run as root: links
    /// and folders of another user are made with chown (nobody), and the read-only check is on the mode itself.
    /// </summary>
    public class LinkRulesTests
    {
        private const string Original = "[default]\nregion = original\n";

        private static GitlabStsException Refused(Func<object> write)
        {
            var e = ProfileErrors.WriteFailed(Assert.Throws<FileWriteException>(write));
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            return e;
        }

#if NET8_0_OR_GREATER
        private static SafeFileWriter Writer(IFileInspector? inspector = null, IFilePermissions? permissions = null) =>
            new SafeFileWriter(permissions ?? FilePermissions.ForCurrentPlatform(), TimeSpan.FromSeconds(5), inspector ?? UnixFileInspector.Instance);

        private static void Sh(string file, params string[] args) => Assert.Equal(0, Shell.Run(file, args));

        /// <summary>A 1777 folder (like /tmp) and a victim file outside it.</summary>
        private static (string Sticky, string Victim) StickyAndVictim(TempDir dir)
        {
            string sticky = dir.File("sticky");
            Directory.CreateDirectory(sticky);
            Sh("chmod", "1777", sticky);
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            return (sticky, victim);
        }

        private static void AssertNothingWritten(string folder, string victim)
        {
            Assert.Equal(Original, File.ReadAllText(victim));
            Assert.Empty(Directory.GetFiles(folder, "*.gitlabsts-*.tmp", SearchOption.AllDirectories));
        }
#endif

        [UnixFact]
        public void A_link_of_another_user_in_a_sticky_folder_is_refused_naming_the_link_and_its_owner()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            var (sticky, victim) = StickyAndVictim(dir);
            string link = Path.Combine(sticky, "token.jwt");
            File.CreateSymbolicLink(link, victim);
            Sh("chown", "-h", "nobody", link);

            var e = Refused(() => Writer().Update(link, _ => "eyJ.secret.token", "web identity token file", "-TokenFilePath"));
            Assert.Contains($"'{link}' is a symbolic link owned by nobody (uid 65534)", e.Message);
            Assert.Contains("nothing was written", e.Message);
            Assert.Contains("-TokenFilePath", e.Message);
            Assert.DoesNotContain("eyJ", e.Message);
            AssertNothingWritten(dir.Path, victim);
            Assert.False(File.Exists(Path.Combine(dir.Path, ".victim.gitlabsts.lock")));

            // The plan's pre-check refuses it too, before any file of the plan is written.
            Refused(() => { Writer().CheckWritable(link, "web identity token file", "-TokenFilePath"); return true; });
#endif
        }

        [UnixFact]
        public void Your_own_link_in_a_folder_other_users_can_write_is_refused()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            var (sticky, victim) = StickyAndVictim(dir);
            string link = Path.Combine(sticky, "config");
            File.CreateSymbolicLink(link, victim); // owned by us (root)

            var e = Refused(() => Writer().Update(link, _ => "x\n", "AWS config file"));
            Assert.Contains($"sits in '{sticky}', a folder other users can write (mode 1777)", e.Message);
            AssertNothingWritten(dir.Path, victim);
#endif
        }

        [UnixFact]
        public void A_link_of_another_user_is_refused_even_in_your_own_folder()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            string link = dir.File("config");
            File.CreateSymbolicLink(link, victim);
            Sh("chown", "-h", "nobody", link);

            var e = Refused(() => Writer().Update(link, _ => "x\n", "AWS config file"));
            Assert.Contains("owned by nobody (uid 65534), not by you or root", e.Message);
            AssertNothingWritten(dir.Path, victim);
#endif
        }

        [UnixFact]
        public void Your_link_in_a_folder_owned_by_another_user_is_refused()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string theirs = dir.File("theirs");
            Directory.CreateDirectory(theirs);
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            string link = Path.Combine(theirs, "config");
            File.CreateSymbolicLink(link, victim);
            Sh("chown", "nobody", theirs);

            var e = Refused(() => Writer().Update(link, _ => "x\n", "AWS config file"));
            Assert.Contains($"sits in '{theirs}', a folder owned by nobody (uid 65534)", e.Message);
            AssertNothingWritten(dir.Path, victim);
#endif
        }

        [UnixFact]
        public void A_folder_link_of_another_user_on_the_path_is_refused()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            var (sticky, victim) = StickyAndVictim(dir);
            string linkedFolder = Path.Combine(sticky, "aws");
            Directory.CreateSymbolicLink(linkedFolder, dir.Path);
            Sh("chown", "-h", "nobody", linkedFolder);

            var e = Refused(() => Writer().Update(Path.Combine(linkedFolder, "victim"), _ => "x\n", "AWS config file"));
            Assert.Contains($"'{linkedFolder}' is a symbolic link owned by nobody", e.Message);
            AssertNothingWritten(dir.Path, victim);
#endif
        }

        [UnixFact]
        public void Your_own_config_link_to_a_dotfiles_folder_is_followed_and_stays_a_link()
        {
#if NET8_0_OR_GREATER
            using var home = new TempDir();
            string dotfiles = Path.Combine(home.Path, "dotfiles", "aws");
            Directory.CreateDirectory(dotfiles);
            string real = Path.Combine(dotfiles, "config");
            File.WriteAllText(real, Original);
            string aws = Path.Combine(home.Path, ".aws");
            Directory.CreateDirectory(aws);
            Sh("chmod", "0700", aws);
            string link = Path.Combine(aws, "config");
            File.CreateSymbolicLink(link, "../dotfiles/aws/config");

            Assert.True(Writer().Update(link, t => t + "\n[profile oidc]\nregion = eu-west-1\n", "AWS config file"));

            Assert.Equal("../dotfiles/aws/config", new FileInfo(link).LinkTarget);
            Assert.Equal(Original + "\n[profile oidc]\nregion = eu-west-1\n", File.ReadAllText(real));
            Assert.True(File.Exists(Path.Combine(dotfiles, ".config.gitlabsts.lock")));
            Assert.Equal(new[] { "config" }, Directory.GetFileSystemEntries(aws).Select(Path.GetFileName));
#endif
        }

        [UnixFact]
        public void A_link_swapped_between_the_check_and_the_write_is_detected_and_nothing_is_written()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string checkedTarget = dir.File("dotfiles-config");
            File.WriteAllText(checkedTarget, Original);
            string other = dir.File("other");
            File.WriteAllText(other, Original);
            string link = dir.File("config");
            File.CreateSymbolicLink(link, checkedTarget);

            // The seam swaps the link once the writer holds the lock (its first FStat: the lock's identity check).
            var swapping = new SwappingInspector(UnixFileInspector.Instance, () =>
            {
                File.Delete(link);
                File.CreateSymbolicLink(link, other);
            });

            var e = Refused(() => Writer(swapping).Update(link, _ => "x\n", "AWS config file"));
            Assert.True(swapping.Swapped);
            Assert.Contains("changed while it was being written", e.Message);
            Assert.Contains($"it now leads to '{other}'", e.Message);
            AssertNothingWritten(dir.Path, checkedTarget);
            Assert.Equal(Original, File.ReadAllText(other));
#endif
        }

        [UnixFact]
        public void A_file_replaced_between_the_read_and_the_rename_is_detected()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string target = dir.File("config");
            File.WriteAllText(target, Original);

            // Another program replaces the file atomically (a new inode renamed over it) while the writer transforms what it read.
            var e = Refused(() => Writer().Update(target, text =>
            {
                File.WriteAllText(dir.File("other-writer.new"), "[other]\n");
                File.Move(dir.File("other-writer.new"), target, overwrite: true);
                return text + "x = y\n";
            }, "AWS config file"));
            Assert.Contains("changed while it was being written", e.Message);
            Assert.Equal("[other]\n", File.ReadAllText(target));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
#endif
        }

        [UnixFact]
        public void A_link_planted_as_the_lock_file_is_neither_followed_nor_opened()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            string target = dir.File("config");
            File.WriteAllText(target, Original);
            string lockLink = dir.File(".config.gitlabsts.lock");
            File.CreateSymbolicLink(lockLink, victim);
            Sh("chown", "-h", "nobody", lockLink);

            var e = Refused(() => Writer().Update(target, _ => "x\n", "AWS config file"));
            Assert.Contains($"its lock file '{lockLink}' is a symbolic link (owned by nobody (uid 65534))", e.Message);
            AssertNothingWritten(dir.Path, victim);
            Assert.Equal(Original, File.ReadAllText(target));
            Assert.NotNull(new FileInfo(lockLink).LinkTarget);

            // A dangling one too (nothing would be created through it).
            File.Delete(lockLink);
            File.CreateSymbolicLink(lockLink, dir.File("created-through-the-link"));
            Refused(() => Writer().Update(target, _ => "x\n", "AWS config file"));
            Assert.False(File.Exists(dir.File("created-through-the-link")));
#endif
        }

        [UnixFact]
        public void A_link_planted_at_the_temp_file_name_is_not_followed()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            string target = dir.File("config");
            File.WriteAllText(target, Original);

            // The seam plants a link at the exact temp name the writer is about to create (the real 0600 create follows).
            var planting = new PlantingPermissions(victim);
            var e = Refused(() => Writer(permissions: planting).Update(target, _ => "x\n", "AWS config file"));
            Assert.NotNull(planting.Planted);
            Assert.Equal(Original, File.ReadAllText(victim));
            Assert.Equal(Original, File.ReadAllText(target));
            Assert.Contains("could not write it", e.Message);
#endif
        }

        [UnixFact]
        public void A_stale_temp_link_is_removed_without_touching_its_target()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string victim = dir.File("victim");
            File.WriteAllText(victim, Original);
            string target = dir.File("config");
            string staleLink = dir.File(StaleTempCleaner.NewTempName("config"));
            File.CreateSymbolicLink(staleLink, victim);

            Writer().Update(target, _ => "x\n", "AWS config file");

            Assert.False(File.Exists(staleLink) || new FileInfo(staleLink).LinkTarget is not null);
            Assert.Equal(Original, File.ReadAllText(victim));
            Assert.Equal("x\n", File.ReadAllText(target));
#endif
        }

        [UnixFact]
        public void A_read_only_file_is_not_replaced_and_the_message_says_how_to_change_it()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string target = dir.File("config");
            File.WriteAllText(target, Original);
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0444

            var e = Refused(() => Writer().Update(target, _ => "x\n", "AWS config file", "-ConfigPath or AWS_CONFIG_FILE"));
            Assert.Contains($"Cannot write the AWS config file '{target}': the file is read-only (mode 0444)", e.Message);
            Assert.Contains($"chmod u+w '{target}'", e.Message);
            Assert.Equal(ErrorKind.WriteError, e.Kind);
            Assert.Equal(Original, File.ReadAllText(target));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(target));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));

            // Refused by the plan's pre-check too, so no token file is written before it; a removal that may find
            // nothing to remove is not refused up front, and an update that changes nothing is no write at all.
            Refused(() => { Writer().CheckWritable(target, "AWS config file"); return true; });
            Writer().CheckWritable(target, "AWS credentials file", replaces: false);
            Assert.False(Writer().Update(target, _ => null, "AWS credentials file"));

            // u+w is all it takes.
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Writer().Update(target, _ => "x\n", "AWS config file");
            Assert.Equal("x\n", File.ReadAllText(target));
#endif
        }

        [UnixFact]
        public void A_read_only_file_reported_by_the_seam_is_not_replaced()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string target = dir.File("credentials");
            File.WriteAllText(target, Original); // writable on disk; the seam reports 0400
            var readOnly = new ModeInspector(UnixFileInspector.Instance, target, 0x100);

            var e = Refused(() => Writer(readOnly).Update(target, _ => "x\n", "AWS credentials file"));
            Assert.Contains("read-only (mode 0400)", e.Message);
            Assert.Equal(Original, File.ReadAllText(target));
#endif
        }

        [UnixFact]
        public void The_platform_inspector_reads_owner_mode_and_identity_without_following_links()
        {
#if NET8_0_OR_GREATER
            using var dir = new TempDir();
            string file = dir.File("f");
            File.WriteAllText(file, "x");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            string link = dir.File("l");
            File.CreateSymbolicLink(link, file);
            Sh("chown", "-h", "nobody", link);
            var fs = UnixFileInspector.Instance;

            Assert.True(fs.Exact);
            Assert.Equal(0u, fs.EffectiveUserId); // the tests run as root
            FileStat f = fs.LStat(file)!.Value;
            FileStat l = fs.LStat(link)!.Value;
            Assert.False(f.IsLink);
            Assert.Equal(0x180u, f.Mode);
            Assert.True(l.IsLink);
            Assert.Equal(65534u, l.OwnerId);
            Assert.False(l.SameFile(f));
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read))
            {
                Assert.True(fs.FStat(stream.SafeFileHandle).SameFile(f));
            }

            Assert.Null(fs.LStat(dir.File("missing")));
            Assert.Null(fs.LStat(Path.Combine(file, "below-a-file")));
            Assert.Equal("nobody", fs.UserName(65534));
#endif
        }

#if NET8_0_OR_GREATER
        /// <summary>Delegates to a real inspector; runs <c>swap</c> once, at the first FStat (the writer then holds the lock).</summary>
        private sealed class SwappingInspector : IFileInspector
        {
            private readonly IFileInspector inner;
            private readonly Action swap;

            public SwappingInspector(IFileInspector inner, Action swap)
            {
                this.inner = inner;
                this.swap = swap;
            }

            public bool Swapped { get; private set; }

            public uint EffectiveUserId => inner.EffectiveUserId;

            public FileStat? LStat(string path) => inner.LStat(path);

            public FileStat FStat(SafeFileHandle handle)
            {
                FileStat result = inner.FStat(handle);
                if (!Swapped)
                {
                    Swapped = true;
                    swap();
                }

                return result;
            }

            public string ReadLink(string path) => inner.ReadLink(path);

            public string? UserName(uint uid) => inner.UserName(uid);
        }

        /// <summary>Reports a given mode for one path.</summary>
        private sealed class ModeInspector : IFileInspector
        {
            private readonly IFileInspector inner;
            private readonly string path;
            private readonly uint mode;

            public ModeInspector(IFileInspector inner, string path, uint mode)
            {
                this.inner = inner;
                this.path = path;
                this.mode = mode;
            }

            public uint EffectiveUserId => inner.EffectiveUserId;

            public FileStat? LStat(string p) =>
                inner.LStat(p) is FileStat s && p == path ? new FileStat(s.IsLink, s.IsDirectory, s.OwnerId, mode, s.Device, s.Inode) : inner.LStat(p);

            public FileStat FStat(SafeFileHandle handle) => inner.FStat(handle);

            public string ReadLink(string p) => inner.ReadLink(p);

            public string? UserName(uint uid) => inner.UserName(uid);
        }

        /// <summary>Plants a link to <c>victim</c> at the first temp file name, then creates it with the real 0600 create.</summary>
        private sealed class PlantingPermissions : IFilePermissions
        {
            private readonly string victim;
            private readonly IFilePermissions real = FilePermissions.ForCurrentPlatform();

            public PlantingPermissions(string victim) => this.victim = victim;

            public string? Planted { get; private set; }

            public FileStream CreatePrivateFile(string path)
            {
                if (Planted is null && path.EndsWith(StaleTempCleaner.TempSuffix, StringComparison.Ordinal))
                {
                    Planted = path;
                    File.CreateSymbolicLink(path, victim);
                }

                return real.CreatePrivateFile(path);
            }

            public void CreatePrivateDirectory(string path) => real.CreatePrivateDirectory(path);
        }
#endif
    }
}
