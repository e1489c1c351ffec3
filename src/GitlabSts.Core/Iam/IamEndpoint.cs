using System;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Iam
{
    /// <summary>
    /// Where IAM is for a partition, and the region its requests are signed for: <c>AWS_ENDPOINT_URL_IAM</c>, else
    /// <c>AWS_ENDPOINT_URL</c> (the SDKs' own variables, read through <see cref="IEnvironmentReader"/>), else the partition's
    /// global IAM endpoint.
    /// </summary>
    public sealed class IamEndpoint
    {
        private IamEndpoint(Uri url, string signingRegion, string source)
        {
            Url = url;
            SigningRegion = signingRegion;
            Source = source;
        }

        public Uri Url { get; }

        /// <summary>IAM is global per partition; its requests are signed for the partition's first region.</summary>
        public string SigningRegion { get; }

        /// <summary>Where <see cref="Url"/> came from (a variable's name, or "the aws partition").</summary>
        public string Source { get; }

        /// <exception cref="GitlabStsException">InvalidEndpoint (<see cref="EndpointUrl.Parse"/>): a variable holds no usable URL.</exception>
        public static IamEndpoint Resolve(string partition, IEnvironmentReader env)
        {
            string region = SigningRegionOf(partition);
            foreach (string name in new[] { "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL" })
            {
                string? value = env.Get(name)?.Trim();
                if (string.IsNullOrEmpty(value))
                {
                    continue;
                }

                Uri url = EndpointUrl.Parse(value!, "$" + name, "IAM", "https://iam.amazonaws.com");
                return new IamEndpoint(url, region, "$" + name);
            }

            return new IamEndpoint(new Uri(GlobalUrlOf(partition)), region, $"the {partition} partition");
        }

        /// <summary>The partition's IAM endpoint (aws: https://iam.amazonaws.com).</summary>
        public static string GlobalUrlOf(string partition) => partition switch
        {
            "aws-cn" => "https://iam.cn-north-1.amazonaws.com.cn",
            "aws-us-gov" => "https://iam.us-gov.amazonaws.com",
            _ => "https://iam.amazonaws.com",
        };

        /// <summary>The region IAM requests of a partition are signed for.</summary>
        public static string SigningRegionOf(string partition) => partition switch
        {
            "aws-cn" => "cn-north-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        };

        /// <summary>The IAM console of the partition, for hints.</summary>
        internal static string ConsoleOf(string partition) => partition switch
        {
            "aws-cn" => "https://console.amazonaws.cn/iam/",
            "aws-us-gov" => "https://console.amazonaws-us-gov.com/iam/",
            _ => "https://console.aws.amazon.com/iam/",
        };

        internal static bool IsPartition(string partition) => Partitions.IsKnown(partition);
    }
}
