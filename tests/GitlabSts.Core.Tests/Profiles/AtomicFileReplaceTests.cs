using System;
using System.IO;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    public class AtomicFileReplaceTests
    {
        [NotOnMonoFact]
        public void Writes_a_new_file_through_a_private_temp_file_and_leaves_no_temp()
        {
            using var dir = new TempDir();
            var perms = new RecordingFilePermissions();
            AtomicFileReplace.Write(dir.Path, "config", dir.File("config"), new byte[] { 1, 2, 3 }, perms);

            Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(dir.File("config")));
            string temp = Path.GetFileName(Assert.Single(perms.Files));
            Assert.True(StaleTempCleaner.IsOurTempFile(temp, "config"));
            Assert.Equal(new[] { dir.File("config") }, Directory.GetFiles(dir.Path));
        }

        [NotOnMonoFact]
        public void Replaces_an_existing_file_whole()
        {
            using var dir = new TempDir();
            File.WriteAllText(dir.File("config"), "a much longer old content");
            AtomicFileReplace.Write(dir.Path, "config", dir.File("config"), new byte[] { (byte)'n' }, new RecordingFilePermissions());
            Assert.Equal("n", File.ReadAllText(dir.File("config")));
        }

        [Fact]
        public void A_failed_rename_removes_the_temp_file_and_keeps_the_target()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("config")); // a folder cannot be replaced by a file
            Assert.ThrowsAny<Exception>(() => AtomicFileReplace.Write(dir.Path, "config", dir.File("config"), new byte[] { 1 }, new RecordingFilePermissions()));
            Assert.True(Directory.Exists(dir.File("config")));
            Assert.Empty(Directory.GetFiles(dir.Path));
        }

        [Fact]
        public void A_failed_temp_creation_propagates_and_leaves_nothing()
        {
            using var dir = new TempDir();
            var perms = new RecordingFilePermissions { FailFileCreation = _ => new IOException("disk full") };
            var e = Assert.Throws<IOException>(() => AtomicFileReplace.Write(dir.Path, "config", dir.File("config"), new byte[] { 1 }, perms));
            Assert.Equal("disk full", e.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }
}
