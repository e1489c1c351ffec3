using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace GitlabSts.Core.Tokens
{
    public enum TokenSourceKind
    {
        /// <summary>No token parameter: discover it from the environment.</summary>
        Discover,
        Text,
        Variable,
        File,
    }

    /// <summary>Where the caller said the token is (the Token/Variable/File parameter sets), or Discover.</summary>
    public sealed class TokenSource
    {
        public TokenSource(TokenSourceKind kind, string? value = null)
        {
            Kind = kind;
            Value = value;
        }

        public static TokenSource Discover { get; } = new TokenSource(TokenSourceKind.Discover);

        public TokenSourceKind Kind { get; }

        /// <summary>The token text, the variable name or the file path.</summary>
        public string? Value { get; }
    }

    /// <summary>Finds the job's ID token: an explicit source, else GITLAB_OIDC_TOKEN, else id_tokens: variables, else CI_JOB_JWT_V2.</summary>
    public static class TokenDiscovery
    {
        public const string PreferredVariable = "GITLAB_OIDC_TOKEN";
        public const string LegacyVariable = "CI_JOB_JWT_V2";

        public static readonly string IdTokensYaml =
            "  id_tokens:" + "\n" +
            "    GITLAB_OIDC_TOKEN:" + "\n" +
            "      aud: sts.amazonaws.com";

        public static IdToken Resolve(TokenSource source, string? audience, IEnvironmentReader env, ICoreLog log)
        {
            IdToken token = source.Kind switch
            {
                TokenSourceKind.Text => IdToken.Parse(source.Value, "-WebIdentityToken"),
                TokenSourceKind.Variable => FromVariable(source.Value, env),
                TokenSourceKind.File => FromFile(source.Value),
                _ => Discover(audience, env, log),
            };

            if (!string.IsNullOrEmpty(audience) && !token.Audience.Contains(audience, StringComparer.Ordinal))
            {
                throw new GitlabStsException(ErrorIds.InvalidIdentityToken, ErrorKind.InvalidData,
                    $"The ID token from {token.Origin} has aud '{string.Join("', '", token.Audience)}', not the requested -Audience '{audience}'. " +
                    $"Set aud: {audience} for this token under id_tokens: in .gitlab-ci.yml, or pass the -Audience the token was issued for.",
                    token.Origin);
            }

            log.Verbose($"Using the {token}.");
            return token;
        }

        private static IdToken FromVariable(string? name, IEnvironmentReader env)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    "-TokenVariable is empty. Pass the name of the environment variable that holds the ID token (for example GITLAB_OIDC_TOKEN).", "TokenVariable");
            }

            if (IdToken.LooksLikeJwt(name))
            {
                // A common mix-up (-TokenVariable $env:GITLAB_OIDC_TOKEN): never echo the value, it is the token.
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    "-TokenVariable holds what looks like an ID token, not the name of an environment variable. " +
                    "Pass the variable's name (for example -TokenVariable GITLAB_OIDC_TOKEN), or pass the token itself with -WebIdentityToken.", "TokenVariable");
            }

            string? value = env.Get(name!);
            if (value == null)
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.ObjectNotFound,
                    $"The environment variable '{name}' is not set or is empty. Declare it under id_tokens: in .gitlab-ci.yml:\n" +
                    IdTokensYaml.Replace(PreferredVariable, name), name);
            }

            return IdToken.Parse(value, $"environment variable {name}");
        }

        private static IdToken FromFile(string? path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    "-TokenFile is empty. Pass the path of a file that holds the ID token.", "TokenFile");
            }

            if (IdToken.LooksLikeJwtOrJwtPath(path))
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    "-TokenFile holds what looks like an ID token, not a file path. " +
                    "Pass the path of a file that holds the token, or pass the token itself with -WebIdentityToken.", "TokenFile");
            }

            string origin = $"file '{path}'";
            if (path!.IndexOf('\0') >= 0)
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    "-TokenFile contains a NUL character, which no file path can. Pass the path of the file that holds the ID token.", "TokenFile");
            }

            if (Directory.Exists(path))
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    $"The token file '{path}' is a folder, not a file. Pass the path of the file in it that holds the ID token.", path);
            }

            string text;
            try
            {
                long size = new FileInfo(path).Exists ? new FileInfo(path).Length : 0;
                if (size > MaxTokenFileBytes)
                {
                    throw TooLarge(path, $"{size} bytes");
                }

                text = ReadBounded(path, out bool truncated);
                if (truncated)
                {
                    throw TooLarge(path, $"more than {MaxTokenFileBytes} bytes");
                }
            }
            catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.ObjectNotFound,
                    $"The token file '{path}' does not exist. Check -TokenFile, or pass the token with -TokenVariable.", path);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.PermissionDenied,
                    $"The token file '{path}' cannot be read by this user (permission denied). Check the file's permissions.", path, e);
            }
            catch (Exception e) when (e is IOException || e is NotSupportedException || e is ArgumentException)
            {
                throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.InvalidArgument,
                    $"The token file '{path}' could not be read ({e.GetType().Name}). Check that -TokenFile is the path of a readable file.", path, e);
            }

            return IdToken.Parse(text, origin);
        }

        /// <summary>
        /// The largest token file read: an ID token is at most <see cref="IdToken.MaxLength"/> ASCII characters, plus room
        /// for a byte order mark, line breaks and spaces around it. Anything larger is not a token file.
        /// </summary>
        public const int MaxTokenFileBytes = IdToken.MaxLength + 1024;

        private static GitlabStsException TooLarge(string path, string size) =>
            new GitlabStsException(ErrorIds.MalformedToken, ErrorKind.InvalidData,
                $"The token file '{path}' is larger than an ID token can be ({size}; a token is at most {IdToken.MaxLength} bytes). " +
                "Check -TokenFile: pass the file that holds only the job's ID token.", path);

        /// <summary>
        /// Reads at most <see cref="MaxTokenFileBytes"/> (in characters, which for a token are bytes), so a device or a file
        /// that grows (e.g. /dev/zero) cannot hang the command or fill memory; <paramref name="truncated"/> says there was more.
        /// </summary>
        private static string ReadBounded(string path, out bool truncated)
        {
            using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[MaxTokenFileBytes + 1];
            int total = 0;
            int read;
            while (total < buffer.Length && (read = reader.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            truncated = total > MaxTokenFileBytes;
            return new string(buffer, 0, Math.Min(total, MaxTokenFileBytes));
        }

        private static IdToken Discover(string? audience, IEnvironmentReader env, ICoreLog log)
        {
            var tried = new List<string>();

            // 1. The conventional name.
            string? preferred = env.Get(PreferredVariable);
            tried.Add($"${PreferredVariable}");
            if (preferred != null)
            {
                return IdToken.Parse(preferred, $"environment variable {PreferredVariable}");
            }

            // 2. Any variable holding a JWT issued by this GitLab instance (the id_tokens: names are the user's choice).
            string? server = env.Get("CI_SERVER_URL");
            if (server != null)
            {
                tried.Add($"variables holding a JWT with iss '{server}'");
                var candidates = new List<IdToken>();
                foreach (KeyValuePair<string, string> pair in env.All().OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (pair.Key == LegacyVariable || pair.Key == PreferredVariable || !IdToken.LooksLikeJwt(pair.Value))
                    {
                        continue;
                    }

                    IdToken candidate;
                    try
                    {
                        candidate = IdToken.Parse(pair.Value, $"environment variable {pair.Key}");
                    }
                    catch (GitlabStsException)
                    {
                        continue;
                    }

                    if (SameIssuer(candidate.Issuer, server))
                    {
                        candidates.Add(candidate);
                    }
                }

                if (candidates.Count == 1)
                {
                    return candidates[0];
                }

                if (candidates.Count > 1)
                {
                    List<IdToken> matching = string.IsNullOrEmpty(audience)
                        ? candidates
                        : candidates.Where(c => c.Audience.Contains(audience, StringComparer.Ordinal)).ToList();
                    if (matching.Count == 1)
                    {
                        return matching[0];
                    }

                    string names = string.Join(", ", candidates.Select(c => $"{VariableName(c)} (aud '{string.Join("', '", c.Audience)}')"));
                    string why = string.IsNullOrEmpty(audience)
                        ? "Pass -Audience to pick one by its aud, or -TokenVariable to name it."
                        : $"None or several of them have aud '{audience}'. Pass -TokenVariable to name the one to use.";
                    throw new GitlabStsException(ErrorIds.AmbiguousToken, ErrorKind.InvalidArgument,
                        $"Several environment variables hold an ID token from {server}: {names}. {why}", "Audience");
                }
            }
            else
            {
                tried.Add("id_tokens: variables (skipped: $CI_SERVER_URL is not set, so this is not a GitLab job)");
            }

            // 3. The legacy predefined variable.
            string? legacy = env.Get(LegacyVariable);
            tried.Add($"${LegacyVariable}");
            if (legacy != null)
            {
                log.Warning($"Using ${LegacyVariable}, which GitLab deprecated in 15.9 and removed in 17.0. " +
                            $"Declare an ID token in .gitlab-ci.yml instead and it is found automatically:\n{IdTokensYaml}");
                return IdToken.Parse(legacy, $"environment variable {LegacyVariable}");
            }

            throw new GitlabStsException(ErrorIds.TokenNotFound, ErrorKind.ObjectNotFound,
                $"No GitLab ID token was found (tried {string.Join("; ", tried)}). " +
                "Add an ID token to the job in .gitlab-ci.yml:\n" + IdTokensYaml + "\n" +
                "or pass one with -WebIdentityToken, -TokenVariable or -TokenFile.", "WebIdentityToken");
        }

        private static string VariableName(IdToken token) =>
            token.Origin.StartsWith("environment variable ", StringComparison.Ordinal) ? token.Origin.Substring("environment variable ".Length) : token.Origin;

        internal static bool SameIssuer(string issuer, string serverUrl) =>
            string.Equals(issuer.TrimEnd('/'), serverUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
    }
}
