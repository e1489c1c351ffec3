using System;
using System.Diagnostics;
using System.IO;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class FileLockTests
    {
        [Fact]
        public void The_lock_file_is_a_hidden_sibling_of_the_target()
        {
            Assert.Equal(Path.Combine("/x", ".config.gitlabsts.lock"), FileLock.PathFor("/x", "config"));
        }

        [Fact]
        public void Acquire_creates_the_lock_file_owner_only_and_leaves_it_after_release()
        {
            using var dir = new TempDir();
            var perms = new RecordingFilePermissions();
            string path = FileLock.PathFor(dir.Path, "config");
            using (FileLock.Acquire(path, perms, TimeSpan.FromSeconds(1)))
            {
                Assert.Equal(new[] { path }, perms.Files);
            }

            Assert.True(File.Exists(path));
            using (FileLock.Acquire(path, perms, TimeSpan.FromSeconds(1)))
            {
                Assert.Single(perms.Files); // opened, not created again
            }
        }

        [NotOnMonoFact(MonoRuntime.ShareModeReason)]
        public void A_held_lock_times_out_after_the_timeout_and_is_free_once_released()
        {
            using var dir = new TempDir();
            string path = FileLock.PathFor(dir.Path, "config");
            var perms = new RecordingFilePermissions();
            using (FileLock.Acquire(path, perms, TimeSpan.FromSeconds(1)))
            {
                var watch = Stopwatch.StartNew();
                var e = Assert.Throws<TimeoutException>(() => FileLock.Acquire(path, perms, TimeSpan.FromMilliseconds(200)));
                Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(200));
                Assert.Contains(path, e.Message);
                Assert.Null(FileLock.TryAcquireExisting(path));
            }

            using FileStream? again = FileLock.TryAcquireExisting(path);
            Assert.NotNull(again);
        }

        [Fact]
        public void TryAcquireExisting_does_not_create_a_lock_file()
        {
            using var dir = new TempDir();
            Assert.Null(FileLock.TryAcquireExisting(FileLock.PathFor(dir.Path, "config")));
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }

        [Fact]
        public void Missing_files_are_not_lock_conflicts()
        {
            Assert.False(FileLock.IsLockConflict(new FileNotFoundException()));
            Assert.False(FileLock.IsLockConflict(new DirectoryNotFoundException()));
            Assert.False(FileLock.IsLockConflict(new IOException("other", 2)));
            Assert.True(FileLock.IsLockConflict(new IOException("busy", OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : 11)));
        }
    }
}
