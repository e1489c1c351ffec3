using System;
using System.Text.RegularExpressions;

namespace GitlabSts.Core.Sts
{
    /// <summary>An IAM role ARN: arn:&lt;partition&gt;:iam::&lt;12 digits&gt;:role/&lt;path+name&gt;.</summary>
    public sealed class RoleArn
    {
        public const int MaxLength = 2048;

        private static readonly Regex Shape = new Regex(
            @"^arn:(?<partition>[a-z][a-z0-9-]*):(?<service>[a-z0-9-]*):(?<region>[a-z0-9-]*):(?<account>[^:]*):(?<resource>.*)$",
            RegexOptions.CultureInvariant);

        private static readonly Regex RolePath = new Regex(@"^role(/[\x21-\x7E]+)*/[A-Za-z0-9+=,.@_-]{1,64}$", RegexOptions.CultureInvariant);

        private RoleArn(string value, string partition, string accountId, string roleName, string path)
        {
            Value = value;
            Partition = partition;
            AccountId = accountId;
            RoleName = roleName;
            Path = path;
        }

        public string Value { get; }

        public string Partition { get; }

        public string AccountId { get; }

        public string RoleName { get; }

        /// <summary>The role's path, "/" when none.</summary>
        public string Path { get; }

        public override string ToString() => Value;

        /// <summary>The role ARN in <paramref name="text"/>; <see cref="GitlabStsException"/> (<see cref="ErrorIds.InvalidRoleArn"/>) saying what is wrong.</summary>
        public static RoleArn Parse(string? text) => Read(text, out GitlabStsException? error) ?? throw error!;

        /// <summary>The role ARN in <paramref name="text"/>, or null when it is not one (by the rules of <see cref="Parse"/>).</summary>
        public static RoleArn? TryParse(string? text) => Read(text, out _);

        private static RoleArn? Read(string? text, out GitlabStsException? error)
        {
            error = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                error = Invalid(text ?? string.Empty,
                    "No role ARN was given. Pass -RoleArn, or set ROLE_ARN (or AWS_ROLE_ARN) in the job's variables, " +
                    "for example arn:aws:iam::123456789012:role/gitlab-deployer.");
                return null;
            }

            string arn = text!.Trim();
            if (arn.Length > MaxLength)
            {
                error = Invalid(Shorten(arn), $"The role ARN is {arn.Length} characters long; IAM allows at most {MaxLength}.");
                return null;
            }

            Match m = Shape.Match(arn);
            if (!m.Success)
            {
                error = Invalid(arn, $"'{arn}' is not an ARN. Expected arn:aws:iam::<12-digit account id>:role/<role name>.");
                return null;
            }

            string partition = m.Groups["partition"].Value;
            if (!Partitions.IsKnown(partition))
            {
                error = Invalid(arn, $"The role ARN '{arn}' names the partition '{partition}'; expected one of {string.Join(", ", Partitions.Known)}.");
                return null;
            }

            if (m.Groups["service"].Value != "iam")
            {
                error = Invalid(arn, $"The ARN '{arn}' is for the service '{m.Groups["service"].Value}', not an IAM role. Expected arn:{partition}:iam::<account id>:role/<role name>.");
                return null;
            }

            if (m.Groups["region"].Value.Length != 0)
            {
                error = Invalid(arn, $"The role ARN '{arn}' has a region; IAM ARNs have none (arn:{partition}:iam::<account id>:role/<role name>).");
                return null;
            }

            string account = m.Groups["account"].Value;
            if (account.Length != 12 || !IsDigits(account))
            {
                error = Invalid(arn, $"The role ARN '{arn}' has the account id '{account}'; an AWS account id is exactly 12 digits.");
                return null;
            }

            string resource = m.Groups["resource"].Value;
            if (!resource.StartsWith("role/", StringComparison.Ordinal) && resource != "role")
            {
                string kind = resource.Split('/')[0];
                error = Invalid(arn, $"The ARN '{arn}' names a{("aeio".IndexOf(kind.Length > 0 ? kind[0] : 'x') >= 0 ? "n" : "")} {kind}, not a role. Use the ARN of the IAM role to assume (…:role/<role name>).");
                return null;
            }

            if (!RolePath.IsMatch(resource))
            {
                error = Invalid(arn, $"The role name or path in '{arn}' is not valid: names are 1-64 of A-Z a-z 0-9 + = , . @ _ -, paths are /…/.");
                return null;
            }

            int lastSlash = resource.LastIndexOf('/');
            string name = resource.Substring(lastSlash + 1);
            string path = resource.Substring(4, lastSlash - 4 + 1);
            return new RoleArn(arn, partition, account, name, path);
        }

        private static bool IsDigits(string s)
        {
            foreach (char c in s)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }

        private static string Shorten(string s) => s.Length > 80 ? s.Substring(0, 80) + "…" : s;

        private static GitlabStsException Invalid(string target, string message) =>
            new GitlabStsException(ErrorIds.InvalidRoleArn, ErrorKind.InvalidArgument, message, Shorten(target));
    }
}
