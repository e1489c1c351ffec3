namespace GitlabSts.Core.Profiles
{
    /// <summary>The profile layer's errors: all <see cref="ErrorIds.ProfileWriteFailed"/>.</summary>
    internal static class ProfileErrors
    {
        /// <summary>A profile input that cannot be written (<see cref="ErrorKind.InvalidArgument"/>), naming the parameter.</summary>
        public static GitlabStsException Invalid(string message, string parameter) =>
            new GitlabStsException(ErrorIds.ProfileWriteFailed, ErrorKind.InvalidArgument, message, parameter);

        /// <summary>A profile file that could not be checked or written, with the writer's message.</summary>
        public static GitlabStsException WriteFailed(FileWriteException e) =>
            new GitlabStsException(ErrorIds.ProfileWriteFailed, e.Kind, e.Message, e.Path, e);
    }
}
