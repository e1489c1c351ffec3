using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Sts
{
    /// <summary>What the caller asked for, as bound from parameters; nothing checked yet.</summary>
    public sealed class ExchangeSettings
    {
        public string? RoleArn { get; set; }

        public TokenSource Token { get; set; } = TokenSource.Discover;

        public string? Audience { get; set; }

        public string? RoleSessionName { get; set; }

        public int DurationSeconds { get; set; } = ExchangeRequest.DefaultDurationSeconds;

        public string? Region { get; set; }

        public string? EndpointUrl { get; set; }

        public string? Policy { get; set; }

        public string[]? PolicyArns { get; set; }

        public int MaxAttempts { get; set; } = 5;

        /// <summary>-ChainRoleArn: roles to assume after the web-identity exchange, in order (null: no chain).</summary>
        public string[]? ChainRoleArns { get; set; }

        /// <summary>-ChainRoleSessionName (null: the first hop's session name).</summary>
        public string? ChainRoleSessionName { get; set; }

        public int ChainDurationSeconds { get; set; } = RoleChain.DefaultDurationSeconds;

        /// <summary>-AllowedAccountId (null: GITLABSTS_ALLOWED_ACCOUNT_IDS, else no guard).</summary>
        public string[]? AllowedAccountIds { get; set; }
    }

    /// <summary>A checked, complete AssumeRoleWithWebIdentity request: every local rule has passed.</summary>
    public sealed class ExchangeRequest
    {
        public const int DefaultDurationSeconds = 3600;
        public const int MinDurationSeconds = 900;
        public const int MaxDurationSeconds = 43200;
        public const int MaxPolicyLength = 2048;
        public const int MaxPolicyArns = 10;
        public const string DefaultAwsRegion = "us-east-1";

        // Built on first use, not all together with the type: a call uses one or two of them.
        private static Regex? _sessionNameShape;
        private static Regex? _sessionNameBadChar;
        private static Regex? _policyArnShape;

        private static Regex SessionNameShape => _sessionNameShape ??= new Regex(@"^[A-Za-z0-9_+=,.@-]{2,64}$", RegexOptions.CultureInvariant);

        private static Regex SessionNameBadChar => _sessionNameBadChar ??= new Regex(@"[^A-Za-z0-9_+=,.@-]", RegexOptions.CultureInvariant);

        private static Regex PolicyArnShape => _policyArnShape ??= new Regex(@"^arn:(?<partition>[a-z-]+):iam::(\d{12}|aws):policy/[\x21-\x7E]+$", RegexOptions.CultureInvariant);

        private ExchangeRequest()
        {
        }

        public RoleArn RoleArn { get; private set; } = null!;

        public IdToken Token { get; private set; } = null!;

        public string RoleSessionName { get; private set; } = string.Empty;

        public int DurationSeconds { get; private set; }

        /// <summary>The region used for the STS call.</summary>
        public string Region { get; private set; } = string.Empty;

        /// <summary>True when the region came from the caller or the environment, not the us-east-1 fallback.</summary>
        public bool RegionIsExplicit { get; private set; }

        /// <summary>A custom STS endpoint, or null for the partition's regional endpoint.</summary>
        public Uri? Endpoint { get; private set; }

        public string? Policy { get; private set; }

        public IReadOnlyList<string> PolicyArns { get; private set; } = Array.Empty<string>();

        public int MaxAttempts { get; private set; }

        /// <summary>The roles assumed after the web-identity exchange, in order (empty: no chain).</summary>
        public IReadOnlyList<RoleArn> ChainRoleArns { get; private set; } = Array.Empty<RoleArn>();

        /// <summary>The session name of every chained hop (default: the first hop's).</summary>
        public string ChainRoleSessionName { get; private set; } = string.Empty;

        /// <summary>The duration of every chained hop, 900..3600 seconds.</summary>
        public int ChainDurationSeconds { get; private set; }

        /// <summary>The accounts whose credentials may be handed out (empty: no guard).</summary>
        public IReadOnlyList<string> AllowedAccountIds { get; private set; } = Array.Empty<string>();

        /// <summary>True when -ChainRoleArn named at least one hop.</summary>
        public bool HasChain => ChainRoleArns.Count > 0;

        /// <summary>The role whose credentials are output: the last hop, else the web-identity role.</summary>
        public RoleArn FinalRoleArn => HasChain ? ChainRoleArns[ChainRoleArns.Count - 1] : RoleArn;

        /// <summary>Where the request goes, for messages.</summary>
        public string EndpointDescription => Endpoint?.ToString() ?? Partitions.StsEndpoint(Region);

        /// <summary>
        /// Applies defaults and checks every local rule; throws <see cref="GitlabStsException"/> with the contract's ids.
        /// <paramref name="checkTokenTimes"/> false leaves exp/nbf to the caller (Test-GitlabOidcRole reports them).
        /// </summary>
        public static ExchangeRequest Resolve(ExchangeSettings settings, IEnvironmentReader env, ICoreLog log, DateTimeOffset now, bool checkTokenTimes = true)
        {
            ExchangeRequest request = ResolveWithoutToken(settings, env, log, now);
            request.Token = TokenDiscovery.Resolve(settings.Token, settings.Audience, env, log);
            if (checkTokenTimes)
            {
                request.Token.CheckTimes(now, TokenTimes.DefaultClockSkew);
            }

            return request;
        }

        /// <summary>
        /// Every local rule of <see cref="Resolve"/> but the token: an admin's what-if (Test-GitlabOidcRole -ProjectPath) has
        /// none, so <see cref="Token"/> stays null and settings.Token is not read.
        /// </summary>
        public static ExchangeRequest ResolveWithoutToken(ExchangeSettings settings, IEnvironmentReader env, ICoreLog log, DateTimeOffset now)
        {
            RejectTokenInPlaceOfValue(settings, env);
            var request = new ExchangeRequest();
            request.RoleArn = Sts.RoleArn.Parse(DefaultRoleArn(settings.RoleArn, env));
            request.RoleSessionName = ResolveSessionName(settings.RoleSessionName, env, now);
            request.DurationSeconds = CheckDuration(settings.DurationSeconds);
            request.Policy = CheckPolicy(settings.Policy);
            request.PolicyArns = CheckPolicyArns(settings.PolicyArns, request.RoleArn.Partition);
            (request.Region, request.RegionIsExplicit) = ResolveRegion(settings.Region, env, request.RoleArn, log);
            request.Endpoint = ResolveEndpoint(settings.EndpointUrl, env, log);
            if (settings.MaxAttempts < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(settings), "MaxAttempts must be 1 or more.");
            }

            request.MaxAttempts = settings.MaxAttempts;
            request.ChainRoleArns = RoleChain.ResolveHops(settings.ChainRoleArns, request.RoleArn);
            request.ChainRoleSessionName = RoleChain.ResolveSessionName(settings.ChainRoleSessionName, request.RoleSessionName);
            request.ChainDurationSeconds = RoleChain.CheckDuration(settings.ChainDurationSeconds);
            request.AllowedAccountIds = AccountGuard.Resolve(settings.AllowedAccountIds, env);
            return request;
        }

        /// <summary>The default session name, sanitised to [\w+=,.@-]{2,64}; an explicit name is checked, not changed.</summary>
        public static string ResolveSessionName(string? explicitName, IEnvironmentReader env, DateTimeOffset now)
        {
            if (explicitName != null)
            {
                if (!SessionNameShape.IsMatch(explicitName))
                {
                    throw new GitlabStsException(ErrorIds.InvalidSessionName, ErrorKind.InvalidArgument,
                        $"-RoleSessionName '{explicitName}' is not valid: use 2 to 64 characters from A-Z a-z 0-9 _ + = , . @ - " +
                        "(it appears in CloudTrail and in the assumed-role ARN).", "RoleSessionName");
                }

                return explicitName;
            }

            string? jobId = env.Get("CI_JOB_ID");
            string name = jobId != null
                ? $"GitLabRunner-{env.Get("CI_PROJECT_ID") ?? "0"}-{env.Get("CI_PIPELINE_ID") ?? "0"}-{jobId}"
                : $"GitlabSts-{System.Environment.UserName}-{now.ToUnixTimeSeconds()}";
            return SanitiseSessionName(name);
        }

        public static string SanitiseSessionName(string name)
        {
            string clean = SessionNameBadChar.Replace(name, "-");
            if (clean.Length > 64)
            {
                clean = clean.Substring(0, 64);
            }

            return clean.Length >= 2 ? clean : (clean + "--").Substring(0, 2);
        }

        private static int CheckDuration(int seconds)
        {
            if (seconds < MinDurationSeconds || seconds > MaxDurationSeconds)
            {
                throw new GitlabStsException(ErrorIds.InvalidDuration, ErrorKind.InvalidArgument,
                    $"-DurationSeconds is {seconds}; STS accepts {MinDurationSeconds} to {MaxDurationSeconds} seconds (15 minutes to 12 hours), " +
                    "and no more than the role's maximum session duration.", "DurationSeconds");
            }

            return seconds;
        }

        private static string? CheckPolicy(string? policy)
        {
            if (policy == null)
            {
                return null;
            }

            if (policy.Length > MaxPolicyLength)
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    $"-Policy is {policy.Length} characters long; a session policy may have at most {MaxPolicyLength}. " +
                    "Remove white space, or use -PolicyArn with a managed policy.", "Policy");
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(policy);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new JsonException("not an object");
                }
            }
            catch (Exception e) when (e is JsonException || e is ArgumentException)
            {
                // ArgumentException: a string that is not valid UTF-16 (a lone surrogate) cannot be JSON text.
                string why = e is JsonException ? FirstLine(e.Message) : "it holds a character that is not valid UTF-16";
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    $"-Policy is not a JSON policy document ({why}). Pass a JSON object such as " +
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}.", "Policy");
            }

            return policy;
        }

        private static IReadOnlyList<string> CheckPolicyArns(string[]? arns, string partition)
        {
            if (arns == null || arns.Length == 0)
            {
                return Array.Empty<string>();
            }

            if (arns.Length > MaxPolicyArns)
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    $"-PolicyArn has {arns.Length} ARNs; STS accepts at most {MaxPolicyArns} managed session policies.", "PolicyArn");
            }

            foreach (string arn in arns)
            {
                Match m = PolicyArnShape.Match(arn ?? string.Empty);
                if (!m.Success)
                {
                    throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                        $"-PolicyArn '{arn}' is not a managed policy ARN; expected arn:{partition}:iam::<account id or aws>:policy/<name>.", "PolicyArn");
                }

                if (m.Groups["partition"].Value != partition)
                {
                    throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                        $"-PolicyArn '{arn}' is in the partition '{m.Groups["partition"].Value}', but the role is in '{partition}'.", "PolicyArn");
                }
            }

            return arns.ToArray();
        }

        /// <summary>
        /// An ID token pasted into another parameter (or ROLE_ARN, AWS_REGION, ...) would be echoed by that parameter's
        /// error message; say which parameter holds it, without the value, before any other check can echo it.
        /// </summary>
        private static void RejectTokenInPlaceOfValue(ExchangeSettings settings, IEnvironmentReader env)
        {
            var values = new (string Parameter, string ErrorId, string? Value)[]
            {
                ("RoleArn", ErrorIds.InvalidRoleArn, DefaultRoleArn(settings.RoleArn, env)),
                ("RoleSessionName", ErrorIds.InvalidSessionName, settings.RoleSessionName),
                ("EndpointUrl", ErrorIds.InvalidEndpoint, FindEndpoint(settings.EndpointUrl, env, out _)),
                ("Audience", ErrorIds.InvalidIdentityToken, settings.Audience),
                ("ChainRoleSessionName", ErrorIds.InvalidSessionName, settings.ChainRoleSessionName),
            };
            foreach ((string parameter, string errorId, string? value) in values
                .Concat((settings.PolicyArns ?? Array.Empty<string>()).Select(a => ("PolicyArn", ErrorIds.InvalidPolicy, (string?)a)))
                .Concat((settings.ChainRoleArns ?? Array.Empty<string>()).Select(a => ("ChainRoleArn", ErrorIds.InvalidRoleArn, (string?)a)))
                .Concat((settings.AllowedAccountIds ?? Array.Empty<string>()).Select(a => ("AllowedAccountId", ErrorIds.AccountNotAllowed, (string?)a))))
            {
                RejectTokenIn(parameter, errorId, value);
            }
        }

        /// <summary>
        /// Throws <paramref name="errorId"/>, without the value, when <paramref name="value"/> of -<paramref name="parameter"/>
        /// (or of the environment variable it defaults to) looks like an ID token; for a path (which has no environment
        /// default here), also when its file name does.
        /// </summary>
        public static void RejectTokenIn(string parameter, string errorId, string? value, bool isPath = false)
        {
            if (isPath ? IdToken.LooksLikeJwtOrJwtPath(value) : IdToken.LooksLikeJwt(value))
            {
                throw new GitlabStsException(errorId, ErrorKind.InvalidArgument,
                    $"-{parameter}{(isPath ? "" : " (or the environment variable it defaults to)")} holds what looks like an ID token, so it is not shown. " +
                    $"Pass the token with -WebIdentityToken, -TokenVariable or -TokenFile, and a {parameter} value in -{parameter}.", parameter);
            }
        }

        /// <summary>The role ARN as given, else $env:ROLE_ARN, else $env:AWS_ROLE_ARN (unchecked).</summary>
        public static string? DefaultRoleArn(string? explicitRoleArn, IEnvironmentReader env) =>
            explicitRoleArn ?? env.Get("ROLE_ARN") ?? env.Get("AWS_ROLE_ARN");

        /// <summary>
        /// The region as given, else $env:AWS_REGION, else $env:AWS_DEFAULT_REGION (unchecked, untrimmed), and where it
        /// came from; null when none is set.
        /// </summary>
        public static string? FindRegion(string? explicitRegion, IEnvironmentReader env, out string? source) =>
            GivenOrFromEnvironment(explicitRegion, "-Region", env, out source, "AWS_REGION", "AWS_DEFAULT_REGION");

        private static (string Region, bool Explicit) ResolveRegion(string? explicitRegion, IEnvironmentReader env, RoleArn role, ICoreLog log)
        {
            string? region = CheckedRegion(explicitRegion, env, role);
            if (region == null)
            {
                if (role.Partition == "aws")
                {
                    log.Verbose($"No region was given (-Region, AWS_REGION, AWS_DEFAULT_REGION); using {DefaultAwsRegion} for STS.");
                    return (DefaultAwsRegion, false);
                }

                throw new GitlabStsException(ErrorIds.InvalidRegion, ErrorKind.InvalidArgument,
                    $"The role is in the '{role.Partition}' partition, which has no default region. Pass -Region or set AWS_REGION " +
                    $"(one of: {string.Join(", ", Partitions.Regions[role.Partition])}).", "Region");
            }

            return (region, true);
        }

        /// <summary>
        /// The region given or from the environment (<see cref="FindRegion"/>), trimmed and checked: a region name, of
        /// <paramref name="role"/>'s partition, not an ID token. Null when none is set.
        /// </summary>
        public static string? CheckedRegion(string? explicitRegion, IEnvironmentReader env, RoleArn role)
        {
            string? region = FindRegion(explicitRegion, env, out string? source);
            RejectTokenIn("Region", ErrorIds.InvalidRegion, region);
            if (region == null || source == null)
            {
                return null;
            }

            region = region.Trim();
            if (!Partitions.IsRegionSyntax(region))
            {
                throw new GitlabStsException(ErrorIds.InvalidRegion, ErrorKind.InvalidArgument,
                    $"The region '{region}' (from {source}) is not a region name. Use a name like us-east-1 or eu-central-1.", source);
            }

            string regionPartition = Partitions.OfRegion(region);
            if (regionPartition != role.Partition)
            {
                throw new GitlabStsException(ErrorIds.InvalidRegion, ErrorKind.InvalidArgument,
                    $"The region '{region}' (from {source}) is in the '{regionPartition}' partition, but the role {role} is in '{role.Partition}'. " +
                    $"Use a region of that partition (for example {Partitions.Regions[role.Partition][0]}).", source);
            }

            return region;
        }

        /// <summary>
        /// The STS endpoint as given, else $env:AWS_ENDPOINT_URL_STS, else $env:AWS_ENDPOINT_URL (unchecked), and where it
        /// came from; null when none is set. A blank -EndpointUrl counts as not given.
        /// </summary>
        public static string? FindEndpoint(string? explicitUrl, IEnvironmentReader env, out string? source) =>
            GivenOrFromEnvironment(explicitUrl, "-EndpointUrl", env, out source, "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL");

        /// <summary>A non-blank <paramref name="given"/> value, else the first of the variables that is set.</summary>
        private static string? GivenOrFromEnvironment(string? given, string parameter, IEnvironmentReader env, out string? source, params string[] variables)
        {
            if (!string.IsNullOrWhiteSpace(given))
            {
                source = parameter;
                return given;
            }

            foreach (string name in variables)
            {
                string? value = env.Get(name);
                if (value != null)
                {
                    source = name;
                    return value;
                }
            }

            source = null;
            return null;
        }

        /// <summary>
        /// The checked STS endpoint, or null for the partition's own. Plain http to a host outside the loopback range gets a
        /// warning (every call): the ID token would travel unencrypted.
        /// </summary>
        private static Uri? ResolveEndpoint(string? explicitUrl, IEnvironmentReader env, ICoreLog log)
        {
            string? url = FindEndpoint(explicitUrl, env, out string? source);
            if (url == null || source == null)
            {
                return null;
            }

            Uri uri = EndpointUrl.Parse(url, source, "STS", "https://sts.eu-central-1.amazonaws.com");

            if (uri.Scheme == "http" && !LoopbackHost.Is(uri))
            {
                log.Warning($"The STS endpoint {uri.GetLeftPart(UriPartial.Authority)} (from {source}) uses plain http to a host outside the loopback " +
                    "range: the ID token and the credentials travel unencrypted. Use https.");
            }

            return uri;
        }

        private static string FirstLine(string s)
        {
            int i = s.IndexOfAny(new[] { '\r', '\n' });
            return i < 0 ? s : s.Substring(0, i);
        }
    }
}
