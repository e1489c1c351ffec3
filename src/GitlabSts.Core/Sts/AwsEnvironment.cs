using System;
using System.Collections.Generic;
using System.Globalization;

namespace GitlabSts.Core.Sts
{
    /// <summary>The environment variables AWS CLIs and SDKs read, as -SetEnvironment sets them.</summary>
    public static class AwsEnvironment
    {
        public static IReadOnlyList<KeyValuePair<string, string>> ForCredentials(ExchangeResult result)
        {
            var vars = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("AWS_ACCESS_KEY_ID", result.AccessKeyId),
                new KeyValuePair<string, string>("AWS_SECRET_ACCESS_KEY", result.SecretAccessKey),
                new KeyValuePair<string, string>("AWS_SESSION_TOKEN", result.SessionToken),
                new KeyValuePair<string, string>("AWS_CREDENTIAL_EXPIRATION",
                    result.Expiration.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            };
            AddRegion(vars, result.Request.RegionIsExplicit ? result.Request.Region : null);
            return vars;
        }

        public static IReadOnlyList<KeyValuePair<string, string>> ForProfile(string profileName, string? region)
        {
            var vars = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("AWS_PROFILE", profileName) };
            AddRegion(vars, region);
            return vars;
        }

        private static void AddRegion(List<KeyValuePair<string, string>> vars, string? region)
        {
            if (!string.IsNullOrEmpty(region))
            {
                vars.Add(new KeyValuePair<string, string>("AWS_REGION", region!));
                vars.Add(new KeyValuePair<string, string>("AWS_DEFAULT_REGION", region!));
            }
        }
    }
}
