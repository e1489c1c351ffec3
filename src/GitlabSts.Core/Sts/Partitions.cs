using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace GitlabSts.Core.Sts
{
    /// <summary>The AWS partitions we support and how regions and STS endpoints belong to them.</summary>
    public static class Partitions
    {
        public static readonly IReadOnlyList<string> Known = new[] { "aws", "aws-cn", "aws-us-gov" };

        private static readonly Regex RegionShape = new Regex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$", RegexOptions.CultureInvariant);

        /// <summary>Region names per partition, for argument completion (the regional STS endpoints).</summary>
        public static readonly IReadOnlyDictionary<string, string[]> Regions = new Dictionary<string, string[]>
        {
            ["aws"] = new[]
            {
                "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
                "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
                "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
                "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1",
                "me-central-1", "mx-central-1", "sa-east-1",
            },
            ["aws-cn"] = new[] { "cn-north-1", "cn-northwest-1" },
            ["aws-us-gov"] = new[] { "us-gov-west-1", "us-gov-east-1" },
        };

        public static bool IsKnown(string partition) => Array.IndexOf((string[])Known, partition) >= 0;

        public static bool IsRegionSyntax(string region) => RegionShape.IsMatch(region);

        /// <summary>The partition a region belongs to, by its prefix.</summary>
        public static string OfRegion(string region)
        {
            if (region.StartsWith("cn-", StringComparison.Ordinal))
            {
                return "aws-cn";
            }

            if (region.StartsWith("us-gov-", StringComparison.Ordinal))
            {
                return "aws-us-gov";
            }

            return "aws";
        }

        /// <summary>True when this version knows <paramref name="region"/> as a region of its partition (newer regions still work).</summary>
        public static bool IsKnownRegion(string region) =>
            Regions.TryGetValue(OfRegion(region), out string[]? known) && Array.IndexOf(known, region) >= 0;

        /// <summary>
        /// The known region of <paramref name="region"/>'s partition nearest to it by edit distance (a typo's likely
        /// meaning: eu-cental-1 gives eu-central-1), or null when none is within a third of its length.
        /// </summary>
        public static string? NearestKnownRegion(string region)
        {
            if (!Regions.TryGetValue(OfRegion(region), out string[]? known))
            {
                return null;
            }

            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (string candidate in known)
            {
                int distance = EditDistance(region, candidate);
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return best != null && bestDistance <= Math.Max(1, region.Length / 3) ? best : null;
        }

        /// <summary>The Levenshtein distance (insertions, deletions and substitutions of one character) between two strings.</summary>
        public static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
                }

                int[] swap = previous;
                previous = current;
                current = swap;
            }

            return previous[b.Length];
        }

        /// <summary>
        /// A warning for a region this version does not know, naming the nearest known one; null for a known region.
        /// The region is still used: AWS adds regions faster than this module is released.
        /// </summary>
        public static string? UnknownRegionWarning(string region)
        {
            if (IsKnownRegion(region))
            {
                return null;
            }

            string? nearest = NearestKnownRegion(region);
            return $"This version of GitlabSts does not know the region '{region}' in the {OfRegion(region)} partition" +
                   (nearest != null ? $"; did you mean '{nearest}'?" : ".") +
                   $" It is used as given (a new AWS region works); STS is called at {StsEndpoint(region)}.";
        }

        /// <summary>The regional STS endpoint of a region (what the SDK picks for it), for messages.</summary>
        public static string StsEndpoint(string region) =>
            OfRegion(region) == "aws-cn" ? $"https://sts.{region}.amazonaws.com.cn" : $"https://sts.{region}.amazonaws.com";
    }
}
