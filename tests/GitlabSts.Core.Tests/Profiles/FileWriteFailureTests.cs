using System.IO;
using GitlabSts.Core.Profiles;
using Xunit;

namespace GitlabSts.Core.Tests.Profiles
{
    /// <summary>The writer raises its own failure; the profile layer maps it to GitlabSts.ProfileWriteFailed.</summary>
    public class FileWriteFailureTests
    {
        [Fact]
        public void The_writer_raises_FileWriteException_naming_the_file_and_the_hint()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("config"));
            var e = Assert.Throws<FileWriteException>(() => new SafeFileWriter(new RecordingFilePermissions()).Update(dir.File("config"), _ => "x", "AWS config file", "-ConfigPath"));
            Assert.Equal(ErrorKind.WriteError, e.Kind);
            Assert.Equal(dir.File("config"), e.Path);
            Assert.Equal($"Cannot write the AWS config file '{dir.File("config")}': a folder exists at that path. Remove or rename the folder, or choose another path with -ConfigPath.", e.Message);
        }

        [Fact]
        public void No_path_is_an_invalid_argument_of_the_writer()
        {
            var e = Assert.Throws<FileWriteException>(() => new SafeFileWriter(new RecordingFilePermissions()).Update(string.Empty, _ => "x", "AWS config file", "-ConfigPath"));
            Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
            Assert.Contains("no path was given", e.Message);
        }

        [Fact]
        public void The_profile_layer_maps_it_to_ProfileWriteFailed_keeping_kind_message_and_path()
        {
            var inner = new IOException("disk full");
            var failure = new FileWriteException("/x/config", ErrorKind.WriteError, "Cannot write the AWS config file '/x/config': could not write it (disk full).", inner);
            GitlabStsException e = ProfileErrors.WriteFailed(failure);
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.WriteError, e.Kind);
            Assert.Equal(failure.Message, e.Message);
            Assert.Equal("/x/config", e.Target);
            Assert.Same(failure, e.InnerException);
        }

        [NotOnMonoFact]
        public void A_profile_apply_surfaces_the_mapped_error()
        {
            using var dir = new TempDir();
            Directory.CreateDirectory(dir.File("credentials"));
            var plan = ProfilePlan.Create(new AwsProfileRequest
            {
                Mode = ProfileMode.Credential,
                ConfigPath = dir.File("config"),
                CredentialsPath = dir.File("credentials"),
                AccessKeyId = "ASIAEXAMPLEEXAMPLE01",
                SecretAccessKey = "secret",
            });
            var e = Assert.Throws<GitlabStsException>(() => plan.Apply());
            Assert.Equal(ErrorIds.ProfileWriteFailed, e.ErrorId);
            Assert.Equal(ErrorKind.WriteError, e.Kind);
            Assert.IsType<FileWriteException>(e.InnerException);
            Assert.Contains("-CredentialsPath or AWS_SHARED_CREDENTIALS_FILE", e.Message);
        }
    }
}
