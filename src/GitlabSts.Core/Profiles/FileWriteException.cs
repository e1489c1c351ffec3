using System;

namespace GitlabSts.Core.Profiles
{
    /// <summary>
    /// A file the <see cref="SafeFileWriter"/> could not check or write: its message names the file, what failed and
    /// what to change. The writer knows nothing of profiles; the caller maps this to its own error id (the profile layer
    /// to <see cref="ErrorIds.ProfileWriteFailed"/>, see <see cref="ProfilePlan"/>).
    /// </summary>
    public sealed class FileWriteException : Exception
    {
        public FileWriteException(string path, ErrorKind kind, string message, Exception? inner = null)
            : base(message, inner)
        {
            Path = path;
            Kind = kind;
        }

        /// <summary>The file (after links were followed) that could not be written.</summary>
        public string Path { get; }

        /// <summary><see cref="ErrorKind.WriteError"/>, or <see cref="ErrorKind.InvalidArgument"/> for a path that is not one.</summary>
        public ErrorKind Kind { get; }
    }
}
