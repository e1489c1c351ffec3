using System;
using System.IO;
using System.Management.Automation;
using GitlabSts.Core;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts
{
    /// <summary>
    /// The contract's "Shared parameters (all three cmdlets)", and nothing else: each cmdlet declares its own parameters
    /// itself. Every one is honoured by every cmdlet; only a mode can make one meaningless, and then the cmdlet says so:
    /// <list type="bullet">
    /// <item>Get-GitlabWebIdentityCredential: all of them go into its exchange.</item>
    /// <item>Test-GitlabOidcRole: all of them go into its test exchange (with -Offline they are checked, not sent).</item>
    /// <item>Set-GitlabAwsProfile: all of them go into the profile or its exchange, except that -Policy/-PolicyArn are
    /// refused outside -Mode Credential and with a piped -Credential (a session policy cannot be carried by a profile that
    /// exchanges later, nor narrow credentials already issued): a mode-dependent refusal, not a parameter it never takes.
    /// The token parameters are in their own sets, so they cannot be combined with -Credential; -RoleArn, -Audience,
    /// -RoleSessionName, -DurationSeconds and -EndpointUrl stay in the -Credential set (RoleArn binds from the piped
    /// object by property name), where the contract makes them a ParameterConflict rather than a binder error.</item>
    /// </list>
    /// A cmdlet that must narrow one (other sets, another validation) re-declares it rather than refusing it at run time.
    /// </summary>
    public abstract class GitlabStsExchangeCmdlet : GitlabStsCmdlet
    {
        protected const string DiscoverSet = "Discover";
        protected const string TokenSet = "Token";
        protected const string VariableSet = "Variable";
        protected const string FileSet = "File";

        /// <summary>The IAM role to assume; default $env:ROLE_ARN, else $env:AWS_ROLE_ARN.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? RoleArn { get; set; }

        /// <summary>The ID token text.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
        [AllowEmptyString]
        public string WebIdentityToken { get; set; } = string.Empty;

        /// <summary>The name of an environment variable that holds the ID token.</summary>
        [Parameter(Mandatory = true, ParameterSetName = VariableSet)]
        [AllowEmptyString]
        public string TokenVariable { get; set; } = string.Empty;

        /// <summary>The path of a file that holds the ID token.</summary>
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [AllowEmptyString]
        public string TokenFile { get; set; } = string.Empty;

        /// <summary>Picks among several tokens and is checked against the token's aud.</summary>
        [Parameter]
        public string? Audience { get; set; }

        [Parameter]
        public string? RoleSessionName { get; set; }

        [Parameter]
        public int DurationSeconds { get; set; } = ExchangeRequest.DefaultDurationSeconds;

        [Parameter]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        [Parameter]
        public string? EndpointUrl { get; set; }

        [Parameter]
        public string? Policy { get; set; }

        [Parameter]
        public string[]? PolicyArn { get; set; }

        /// <summary>Roles to assume (sts:AssumeRole) after the web-identity exchange, in order; the last one's credentials are the result.</summary>
        [Parameter]
        public string[]? ChainRoleArn { get; set; }

        /// <summary>The session name of every chained hop; default: the first hop's.</summary>
        [Parameter]
        public string? ChainRoleSessionName { get; set; }

        /// <summary>The duration of every chained hop, 900..3600 (AWS caps chained sessions at one hour).</summary>
        [Parameter]
        public int ChainDurationSeconds { get; set; } = RoleChain.DefaultDurationSeconds;

        /// <summary>The accounts the final credentials may belong to; default $env:GITLABSTS_ALLOWED_ACCOUNT_IDS (comma-separated).</summary>
        [Parameter]
        public string[]? AllowedAccountId { get; set; }

        internal TokenSource TokenSourceFromParameters() => ParameterSetName switch
        {
            TokenSet => new TokenSource(TokenSourceKind.Text, WebIdentityToken),
            VariableSet => new TokenSource(TokenSourceKind.Variable, TokenVariable),
            FileSet => new TokenSource(TokenSourceKind.File, ResolveUserPath(TokenFile)),
            _ => TokenSource.Discover,
        };

        internal ExchangeSettings SettingsFromParameters(int maxAttempts = 5) => new ExchangeSettings
        {
            RoleArn = RoleArn,
            Token = TokenSourceFromParameters(),
            Audience = Audience,
            RoleSessionName = RoleSessionName,
            DurationSeconds = DurationSeconds,
            Region = Region,
            EndpointUrl = EndpointUrl,
            Policy = Policy,
            PolicyArns = PolicyArn,
            MaxAttempts = maxAttempts,
            ChainRoleArns = ChainRoleArn,
            ChainRoleSessionName = ChainRoleSessionName,
            ChainDurationSeconds = ChainDurationSeconds,
            AllowedAccountIds = AllowedAccountId,
        };

        /// <summary>The path parameters of the three cmdlets and the error id each one's bad value is reported with.</summary>
        private static readonly (string Parameter, string ErrorId, ErrorKind Kind, bool Read)[] PathParameters =
        {
            ("TokenFile", ErrorIds.TokenNotFound, ErrorKind.InvalidArgument, true),
            ("TrustPolicy", ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument, true),
            ("ConfigPath", ErrorIds.ProfileWriteFailed, ErrorKind.WriteError, false),
            ("CredentialsPath", ErrorIds.ProfileWriteFailed, ErrorKind.WriteError, false),
            ("TokenFilePath", ErrorIds.ProfileWriteFailed, ErrorKind.WriteError, false),
        };

        /// <summary>
        /// A file path as the user meant it: relative to PowerShell's current location, ~ expanded. A path PowerShell
        /// cannot resolve (a drive that does not exist here, such as C:\ on Linux, or another provider's path) or an
        /// existing folder is the parameter's own error (-TokenFile: TokenNotFound, -TrustPolicy: InvalidPolicy, the
        /// Set-GitlabAwsProfile paths: ProfileWriteFailed) with a plain message, not PowerShell's DriveNotFound.
        /// </summary>
        protected string ResolveUserPath(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                return path;
            }

            (string parameter, string errorId, ErrorKind kind, bool read) = PathParameterOf(path);
            string resolved;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                {
                    throw new GitlabStsException(errorId, kind,
                        $"-{parameter} '{path}' is a path of PowerShell's {provider.Name} provider, not of a file. Pass a file system path.", parameter);
                }
            }
            catch (System.Management.Automation.DriveNotFoundException)
            {
                string drive = path.IndexOf(':') > 0 ? path.Substring(0, path.IndexOf(':') + 1) : path;
                throw new GitlabStsException(errorId, kind,
                    $"-{parameter} '{path}' is on drive '{drive}', which does not exist on this machine" +
                    (System.IO.Path.DirectorySeparatorChar == '/' ? " (a Windows path on Linux or macOS?)" : string.Empty) +
                    ". Pass a path of this machine, absolute or relative to the current folder.", parameter);
            }
            catch (Exception e) when (e is ProviderNotFoundException || e is PSArgumentException || e is NotSupportedException || e is ArgumentException)
            {
                throw new GitlabStsException(errorId, kind,
                    $"-{parameter} '{path}' is not a valid file path here. Pass a path of this machine, absolute or relative to the current folder.", parameter);
            }

            // A folder where a file is read (the writer of Set-GitlabAwsProfile's files says so itself, as a write error).
            if (read && Directory.Exists(resolved))
            {
                throw new GitlabStsException(errorId, kind,
                    $"-{parameter} '{resolved}' is a folder, not a file. Pass the path of a file (in that folder, for example).", parameter);
            }

            return resolved;
        }

        /// <summary>Which path parameter was given <paramref name="path"/> (the first bound one with that value), for its error.</summary>
        private (string Parameter, string ErrorId, ErrorKind Kind, bool Read) PathParameterOf(string path)
        {
            foreach (var candidate in PathParameters)
            {
                if (MyInvocation.BoundParameters.TryGetValue(candidate.Parameter, out object? value) && string.Equals(value as string, path, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }

            return ("Path", ErrorIds.ProfileWriteFailed, ErrorKind.WriteError, false);
        }
    }
}
