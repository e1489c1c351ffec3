using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace GitlabSts.Core.Sts
{
    /// <summary>
    /// -ChainRoleArn: the roles assumed (sts:AssumeRole) one after the other after the web-identity exchange, each with the
    /// previous hop's credentials. This part holds the local rules of a chain, all checked by <see cref="ExchangeRequest.Resolve"/>
    /// before the first request: every hop is a role ARN of the first role's partition, the session name is valid, and
    /// the duration is within AWS's one-hour cap for chained sessions.
    /// </summary>
    public static class RoleChain
    {
        /// <summary>AWS caps a session made by role chaining at one hour, whatever the role's maximum session duration.</summary>
        public const int MaxDurationSeconds = 3600;

        public const int MinDurationSeconds = ExchangeRequest.MinDurationSeconds;

        public const int DefaultDurationSeconds = 3600;

        private static Regex? _sessionNameShape;

        private static Regex SessionNameShape => _sessionNameShape ??= new Regex(@"^[A-Za-z0-9_+=,.@-]{2,64}$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The hops of <paramref name="arns"/> (null or empty: no chain), each a role ARN of <paramref name="first"/>'s
        /// partition (STS cannot assume a role in another partition); <see cref="ErrorIds.InvalidRoleArn"/> naming the hop.
        /// </summary>
        public static IReadOnlyList<RoleArn> ResolveHops(string[]? arns, RoleArn first)
        {
            if (arns == null || arns.Length == 0)
            {
                return Array.Empty<RoleArn>();
            }

            var hops = new List<RoleArn>(arns.Length);
            for (int i = 0; i < arns.Length; i++)
            {
                int hop = i + 1;
                string? text = arns[i];
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw new GitlabStsException(ErrorIds.InvalidRoleArn, ErrorKind.InvalidArgument,
                        $"-ChainRoleArn hop {hop} is empty. Pass the ARN of each role to assume after {first.RoleName}, in order, " +
                        $"for example arn:{first.Partition}:iam::444455556666:role/deployer.", "ChainRoleArn");
                }

                RoleArn arn;
                try
                {
                    arn = RoleArn.Parse(text);
                }
                catch (GitlabStsException e)
                {
                    throw new GitlabStsException(e.ErrorId, e.Kind, $"-ChainRoleArn hop {hop}: {e.Message}", "ChainRoleArn");
                }

                if (arn.Partition != first.Partition)
                {
                    throw new GitlabStsException(ErrorIds.InvalidRoleArn, ErrorKind.InvalidArgument,
                        $"-ChainRoleArn hop {hop} ({arn}) is in the '{arn.Partition}' partition, but the role {first} is in '{first.Partition}'; " +
                        "a role can only assume roles of its own partition.", "ChainRoleArn");
                }

                hops.Add(arn);
            }

            return hops;
        }

        /// <summary>The chained sessions' name: <paramref name="explicitName"/> when given (checked, not changed), else the first hop's.</summary>
        public static string ResolveSessionName(string? explicitName, string firstSessionName)
        {
            if (explicitName == null)
            {
                return firstSessionName;
            }

            if (!SessionNameShape.IsMatch(explicitName))
            {
                throw new GitlabStsException(ErrorIds.InvalidSessionName, ErrorKind.InvalidArgument,
                    $"-ChainRoleSessionName '{explicitName}' is not valid: use 2 to 64 characters from A-Z a-z 0-9 _ + = , . @ - " +
                    "(it appears in CloudTrail and in each chained role's assumed-role ARN).", "ChainRoleSessionName");
            }

            return explicitName;
        }

        /// <summary>900..3600 seconds: AWS caps a chained session at one hour; else <see cref="ErrorIds.InvalidDuration"/>.</summary>
        public static int CheckDuration(int seconds)
        {
            if (seconds < MinDurationSeconds || seconds > MaxDurationSeconds)
            {
                throw new GitlabStsException(ErrorIds.InvalidDuration, ErrorKind.InvalidArgument,
                    $"-ChainDurationSeconds is {seconds}; a chained role session lasts {MinDurationSeconds} to {MaxDurationSeconds} seconds " +
                    "(15 minutes to 1 hour): AWS caps every session made by role chaining at one hour, whatever the role's maximum session duration.",
                    "ChainDurationSeconds");
            }

            return seconds;
        }
    }
}
