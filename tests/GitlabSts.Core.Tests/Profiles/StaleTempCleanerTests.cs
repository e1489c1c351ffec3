using System.IO;
using System.Linq;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class StaleTempCleanerTests
    {
        [Fact]
        public void A_new_temp_name_is_recognised_as_the_targets_and_only_its()
        {
            string temp = StaleTempCleaner.NewTempName("config");
            Assert.True(StaleTempCleaner.IsOurTempFile(temp, "config"));
            Assert.False(StaleTempCleaner.IsOurTempFile(temp, "credentials"));
            Assert.Equal("config", StaleTempCleaner.TempFileTarget(temp));
            Assert.NotEqual(temp, StaleTempCleaner.NewTempName("config"));
        }

        [Fact]
        public void Clean_removes_the_targets_leftovers_and_keeps_other_files()
        {
            using var dir = new TempDir();
            string mine = dir.File(StaleTempCleaner.NewTempName("config"));
            File.WriteAllText(mine, "half");
            File.WriteAllText(dir.File("config"), "[a]\n");
            File.WriteAllText(dir.File("notes.tmp"), "keep");

            StaleTempCleaner.Clean(dir.Path, "config");

            Assert.False(File.Exists(mine));
            Assert.Equal(new[] { "config", "notes.tmp" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).OrderBy(n => n));
        }

        [Fact]
        public void Another_targets_leftover_goes_only_when_its_lock_exists_and_is_free()
        {
            using var dir = new TempDir();
            string other = dir.File(StaleTempCleaner.NewTempName("oidc.token"));
            File.WriteAllText(other, "token");

            // No lock file: not proven to be ours, kept.
            StaleTempCleaner.Clean(dir.Path, "config");
            Assert.True(File.Exists(other));

            // Its lock held by a running writer: kept.
            string lockPath = FileLock.PathFor(dir.Path, "oidc.token");
            using (FileLock.Acquire(lockPath, new RecordingFilePermissions(), System.TimeSpan.FromSeconds(1)))
            {
                StaleTempCleaner.Clean(dir.Path, "config");
                Assert.True(File.Exists(other));
            }

            // Its lock free: a leftover of a killed writer, removed.
            StaleTempCleaner.Clean(dir.Path, "config");
            Assert.False(File.Exists(other));
        }

        [Fact]
        public void DeleteTemp_of_a_missing_file_is_quiet()
        {
            using var dir = new TempDir();
            StaleTempCleaner.DeleteTemp(dir.File("gone"));
        }
    }
}
