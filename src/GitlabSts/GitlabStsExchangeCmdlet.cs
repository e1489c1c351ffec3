using System.Management.Automation;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts
{
    /// <summary>The parameters all three cmdlets share: role, token source, session, region and endpoint.</summary>
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
        };

        /// <summary>A path as the user meant it: relative to PowerShell's current location, ~ expanded.</summary>
        protected string ResolveUserPath(string path) =>
            string.IsNullOrWhiteSpace(path) ? path : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
    }
}
