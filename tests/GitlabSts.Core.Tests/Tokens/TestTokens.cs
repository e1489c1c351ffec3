using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using GitlabSts.Core.Tests.Sts;

namespace GitlabSts.Core.Tests.Tokens
{
    /// <summary>Mints RS256-signed test tokens from the fixture claims, with fresh times.</summary>
    internal static class TestTokens
    {
        public const string GitlabCom = "gitlab-com-id-token-claims.json";
        public const string SelfManaged = "gitlab-id-token-claims.json";

        private static readonly RSA Key = RSA.Create(2048);

        public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

        public static JsonObject Claims(string fixture = GitlabCom, DateTimeOffset? now = null)
        {
            string path = Path.Combine(AppContext.BaseDirectory, "fixtures", fixture);
            var claims = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
            long t = (now ?? Now).ToUnixTimeSeconds();
            claims["iat"] = t;
            claims["nbf"] = t - 5;
            claims["exp"] = t + 3600;
            return claims;
        }

        public static string Mint(string fixture = GitlabCom, Action<JsonObject>? edit = null, Action<JsonObject>? editHeader = null)
        {
            JsonObject claims = Claims(fixture);
            edit?.Invoke(claims);
            var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = "test-key-1" };
            editHeader?.Invoke(header);
            return Sign(header.ToJsonString(), claims.ToJsonString());
        }

        /// <summary>A token from gitlab.com with the given iss and aud.</summary>
        public static string With(string iss, string aud) => Mint(GitlabCom, c => { c["iss"] = iss; c["aud"] = aud; });

        public static string Sign(string headerJson, string payloadJson)
        {
            string signingInput = B64(Encoding.UTF8.GetBytes(headerJson)) + "." + B64(Encoding.UTF8.GetBytes(payloadJson));
            byte[] sig = Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return signingInput + "." + B64(sig);
        }

        public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

        /// <summary>Checks the signature really verifies (so the helper makes real RS256 tokens).</summary>
        public static bool Verify(string token)
        {
            string[] p = token.Split('.');
            string s = p[2].Replace('-', '+').Replace('_', '/');
            s += new string('=', (4 - s.Length % 4) % 4);
            return Key.VerifyData(Encoding.ASCII.GetBytes(p[0] + "." + p[1]), Convert.FromBase64String(s), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        /// <summary>The strings that must never appear in a message about this token.</summary>
        public static IEnumerable<string> SecretsOf(string token)
        {
            yield return token;
            foreach (string part in token.Split('.'))
            {
                if (part.Length >= 16)
                {
                    yield return part;
                }
            }
        }

        public static void AssertNoSecret(string? text, string token)
        {
            if (text == null)
            {
                return;
            }

            foreach (string s in SecretsOf(token))
            {
                Xunit.Assert.DoesNotContain(s, text, StringComparison.Ordinal);
            }
        }
    }

    internal sealed class CapturingLog : ICoreLog
    {
        public List<string> Verbose { get; } = new List<string>();

        public List<string> Warnings { get; } = new List<string>();

        public List<string> Debugs { get; } = new List<string>();

        void ICoreLog.Verbose(string message) => Verbose.Add(message);

        void ICoreLog.Warning(string message) => Warnings.Add(message);

        void ICoreLog.Debug(string message) => Debugs.Add(message);

        public IEnumerable<string> All()
        {
            foreach (string s in Verbose) yield return s;
            foreach (string s in Warnings) yield return s;
            foreach (string s in Debugs) yield return s;
        }
    }

    internal static class Env
    {
        public static DictionaryEnvironment Of(params (string Name, string Value)[] vars)
        {
            var d = new Dictionary<string, string>();
            foreach (var (n, v) in vars)
            {
                d[n] = v;
            }

            return new DictionaryEnvironment(d);
        }
    }
}
