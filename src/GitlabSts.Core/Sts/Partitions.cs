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

        /// <summary>The regional STS endpoint of a region (what the SDK picks for it), for messages.</summary>
        public static string StsEndpoint(string region) =>
            OfRegion(region) == "aws-cn" ? $"https://sts.{region}.amazonaws.com.cn" : $"https://sts.{region}.amazonaws.com";
    }
}
