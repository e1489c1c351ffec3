using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitlabSts.Core.Iam;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.RoleTest
{
    public sealed class RoleTestOptions
    {
        /// <summary>The role's trust policy JSON, or null when unknown.</summary>
        public string? TrustPolicyJson { get; set; }

        /// <summary>The IAM OIDC provider's client ids, or null when unknown.</summary>
        public IReadOnlyList<string>? ClientIds { get; set; }

        /// <summary>No network at all: no STS call, no signature check.</summary>
        public bool Offline { get; set; }

        public bool VerifySignature { get; set; }

        /// <summary>-ConditionContext: values for condition keys only AWS knows (null value = absent); null when not given.</summary>
        public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>>? ConditionContext { get; set; }
        /// <summary>-Issuer: an issuer the user names, whose keys -VerifySignature may fetch (with CI_SERVER_URL and the trust policy's provider).</summary>
        public string? Issuer { get; set; }

        /// <summary>-FromIam: read the trust policy and the provider's client ids from IAM (<see cref="IamReader"/>).</summary>
        public bool FromIam { get; set; }

        /// <summary>-ProfileName: the caller's AWS profile for the IAM reads; null: the SDK's default credentials.</summary>
        public string? ProfileName { get; set; }

        /// <summary>An IAM read already done (a matrix reads once per role): used when it is for this role and issuer; implies -FromIam.</summary>
        public IamReadResult? IamRead { get; set; }

        /// <summary>The IAM read (role ARN, issuer); tests pass a fake. Default: <see cref="IamReader.Read(string, string, string, IEnvironmentReader, ICoreLog, CancellationToken)"/>.</summary>
        internal Func<string, string, CancellationToken, IamReadResult>? ReadIam { get; set; }
    }

    public sealed class RoleTestResult
    {
        public bool Success { get; internal set; }

        public string RoleArn { get; internal set; } = string.Empty;

        public string? AssumedRoleArn { get; internal set; }

        public string? Account { get; internal set; }

        public string? UserId { get; internal set; }

        public string? Issuer { get; internal set; }

        public string? Subject { get; internal set; }

        public IReadOnlyList<string> Audience { get; internal set; } = Array.Empty<string>();

        public DateTimeOffset? TokenExpiresAt { get; internal set; }

        public IReadOnlyList<DiagnosisCheck> Checks { get; internal set; } = Array.Empty<DiagnosisCheck>();

        public string? ErrorCode { get; internal set; }

        public string? Message { get; internal set; }

        public string? Hint { get; internal set; }

        public string SuggestedTrustPolicy { get; internal set; } = string.Empty;

        /// <summary>What -FromIam read (null without it): pass it as <see cref="RoleTestOptions.IamRead"/> to test more rows of this role without reading again.</summary>
        public IamReadResult? IamRead { get; internal set; }
        /// <summary>Per Allow statement for this provider, the :sub values and patterns it admits ("*": no sub condition).</summary>
        public IReadOnlyList<string> AdmittedSubjects { get; internal set; } = Array.Empty<string>();

        /// <summary>ErrorCode, Message and Hint from the check that fails the role (the first Fail of the checklist).</summary>
        internal void DescribeFailure(DiagnosisCheck failed)
        {
            ErrorCode = failed.Code ?? failed.Name;
            Message = DiagnosisResult.Summary(failed);
            Hint = failed.Hint;
        }
    }

    /// <summary>
    /// Test-GitlabOidcRole's work: the local diagnosis (token, issuer, audience, trust policy), then, unless offline,
    /// the signature check, the exchange and GetCallerIdentity. A role that cannot be assumed is reported, never thrown;
    /// only an invalid invocation (bad role ARN, no token, ...) throws.
    /// </summary>
    public static class RoleTester
    {
        public const string TokenShapeCheck = "TokenShape";
        public const string SignatureCheck = SignatureVerifier.CheckName;
        public const string ExchangeCheck = "Exchange";
        public const string CallerIdentityCheck = "CallerIdentity";
        public const string AudienceCheck = "Audience";

        /// <param name="exchanger">The STS exchange (tests pass a fake one); default: the real STS.</param>
        /// <param name="callerIdentity">GetCallerIdentity with the new credentials (tests pass a fake); default: the real STS.</param>
        public static RoleTestResult Run(ExchangeSettings settings, RoleTestOptions options, IEnvironmentReader env, ICoreLog log,
            DateTimeOffset now, CancellationToken cancel, StsExchanger? exchanger = null,
            Func<ExchangeResult, CancellationToken, CallerIdentity>? callerIdentity = null, RoleChainer? chainer = null)
        {
            if (options.ConditionContext != null)
            {
                // A malformed -ConditionContext is an invalid invocation (InvalidPolicy), whatever the token.
                new RequestContext("-").SetConditionContext(options.ConditionContext);
            }

            RejectTokenInClientIds(options.ClientIds);
            IamStage.Validate(options);
            ExchangeRequest request;
            string? audience = settings.Audience;
            try
            {
                request = ResolveReportingAudience(settings, env, log, now);
            }
            catch (GitlabStsException e) when (e.ErrorId == ErrorIds.MalformedToken)
            {
                return Malformed(settings, env, e);
            }

            IdToken token = request.Token;
            IamReadResult? iam = IamStage.Read(options, request.RoleArn, token.Issuer, env, log, cancel);
            string? trustPolicy = iam != null ? iam.Role.TrustPolicyJson : options.TrustPolicyJson;
            NamedIssuers named = NamedIssuers.From(options.Issuer, trustPolicy, env);
            var checks = new List<DiagnosisCheck>
            {
                new DiagnosisCheck(TokenShapeCheck, CheckResult.Pass,
                    $"A signed JWT ({token.Algorithm}{(token.KeyId != null ? $", kid {token.KeyId}" : string.Empty)}) from {token.Origin}."),
            };
            bool audienceMismatch = !string.IsNullOrEmpty(audience) && !token.Audience.Contains(audience!, StringComparer.Ordinal);
            if (!string.IsNullOrEmpty(audience))
            {
                checks.Add(audienceMismatch
                    ? new DiagnosisCheck(AudienceCheck, CheckResult.Fail,
                        $"The token's aud is {Text.List(token.Audience)}, not the requested -Audience \"{audience}\": the exchange cmdlets refuse it (InvalidIdentityToken).",
                        CheckCodes.AudienceMismatch,
                        $"Set aud: {audience} for this token under id_tokens: in .gitlab-ci.yml, or pass the -Audience the token was issued for.")
                    : new DiagnosisCheck(AudienceCheck, CheckResult.Pass, $"The token's aud includes the requested -Audience \"{audience}\"."));
            }

            DiagnosisResult diagnosis = OidcDiagnosis.Run(new DiagnosisInput
            {
                ClaimsJson = token.ClaimsJson,
                Claims = token.Claims,
                RoleArn = request.RoleArn.Value,
                TrustPolicyJson = trustPolicy,
                ClientIds = iam != null ? iam.Provider.ClientIds : options.ClientIds,
                Now = now,
                ClockSkew = TokenTimes.DefaultClockSkew,
                RequireTrustPolicy = options.Offline,
                Region = request.Region,
                RoleSessionName = request.RoleSessionName,
                StsEndpoint = request.Endpoint ?? (Uri.TryCreate(Partitions.StsEndpoint(request.Region), UriKind.Absolute, out Uri? u) ? u : null),
                ConditionContext = options.ConditionContext,
            });
            checks.AddRange(IamStage.Checks(iam, token.Audience, diagnosis.Checks));

            var result = new RoleTestResult
            {
                RoleArn = request.RoleArn.Value,
                Issuer = diagnosis.Issuer ?? token.Issuer,
                Subject = diagnosis.Subject ?? token.Subject,
                Audience = diagnosis.Audience.Count > 0 ? diagnosis.Audience : token.Audience,
                TokenExpiresAt = diagnosis.TokenExpiresAt ?? token.ExpiresAt,
                SuggestedTrustPolicy = diagnosis.SuggestedTrustPolicy,
                IamRead = iam,
                AdmittedSubjects = diagnosis.AdmittedSubjects,
            };

            GitlabStsException? liveFailure = null;
            checks.Add(Signature(options, token, named, log, cancel));
            if (options.Offline)
            {
                checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Skip, "Skipped: -Offline makes no network connection."));
            }
            else
            {
                if (TokenTimes.IsExpired(token.Claims, now))
                {
                    checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Skip, "Skipped: the token has expired, so STS would refuse it."));
                }
                else if (TokenTimes.IsNotYetValid(token.Claims, now, TokenTimes.DefaultClockSkew))
                {
                    // Like an expired token: the exchange refuses it locally (InvalidIdentityToken), and STS would too.
                    checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Skip, "Skipped: the token is not valid yet (nbf is in the future), so STS would refuse it."));
                }
                else if (audienceMismatch)
                {
                    checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Skip, "Skipped: the token's aud is not the requested -Audience, so the exchange would refuse it."));
                }
                else
                {
                    liveFailure = RunLive(request, result, checks, exchanger ?? new StsExchanger(), callerIdentity ?? CallerIdentity.Get, log, cancel, chainer ?? new RoleChainer());
                    SettleIndeterminate(checks);
                }
            }

            ChainStage.Finish(request, result, checks, options.Offline);   // Chain N skips and the AllowedAccount check
            result.Checks = checks;
            DiagnosisCheck? firstFailure = DiagnosisResult.FirstFailure(checks);
            result.Success = firstFailure == null;
            if (firstFailure != null)
            {
                // A local finding explains an STS refusal better than STS does; report it first.
                bool localExplains = firstFailure.Name != ExchangeCheck && firstFailure.Name != CallerIdentityCheck;
                if (localExplains || liveFailure == null)
                {
                    result.DescribeFailure(firstFailure);
                }
                else
                {
                    result.ErrorCode = liveFailure.StsErrorCode ?? liveFailure.ErrorId;
                    result.Message = liveFailure.Message;
                    result.Hint = liveFailure.ErrorId == ErrorIds.AccessDenied
                        ? "Pass the role's trust policy with -TrustPolicy (and the provider's audiences with -ClientId) to see which condition fails."
                        : null;
                }
            }

            return result;
        }

        /// <summary>
        /// ExchangeRequest.Resolve, except that a token whose aud is not the requested -Audience is returned (the caller
        /// reports it as a Fail check) instead of thrown as InvalidIdentityToken, as the exchange cmdlets do.
        /// </summary>
        private static ExchangeRequest ResolveReportingAudience(ExchangeSettings settings, IEnvironmentReader env, ICoreLog log, DateTimeOffset now)
        {
            try
            {
                return ExchangeRequest.Resolve(settings, env, log, now, checkTokenTimes: false);
            }
            catch (GitlabStsException e) when (e.ErrorId == ErrorIds.InvalidIdentityToken && !string.IsNullOrEmpty(settings.Audience))
            {
                // -Audience holding a token stays an error (its message never echoes the value).
                ExchangeRequest.RejectTokenIn("Audience", ErrorIds.InvalidIdentityToken, settings.Audience);
                string? audience = settings.Audience;
                settings.Audience = null;
                try
                {
                    return ExchangeRequest.Resolve(settings, env, log, now, checkTokenTimes: false);
                }
                finally
                {
                    settings.Audience = audience;
                }
            }
        }

        /// <summary>
        /// Live, STS has the last word on a decision that hinged on keys only AWS knows: the Indeterminate Decision check
        /// becomes a Pass when the exchange succeeded (the verdict is IAM's), a Warn when it failed (the Exchange check says why).
        /// </summary>
        private static void SettleIndeterminate(List<DiagnosisCheck> checks)
        {
            int i = checks.FindIndex(c => c.Name == PolicyChecks.Decision && c.Code == CheckCodes.Indeterminate);
            DiagnosisCheck? exchange = checks.LastOrDefault(c => c.Name == ExchangeCheck);
            if (i < 0 || exchange == null) return;
            string was = checks[i].Detail;
            int semi = was.IndexOf(';');
            string hinged = semi > 0 ? was.Substring(0, semi) : was;
            checks[i] = exchange.Result == CheckResult.Pass
                ? new DiagnosisCheck(PolicyChecks.Decision, CheckResult.Pass,
                    $"Allow, decided live: STS returned credentials (see Exchange). Locally: {hinged}.")
                : new DiagnosisCheck(PolicyChecks.Decision, CheckResult.Warn,
                    $"{hinged}; STS refused the exchange (see Exchange).", null, checks[i].Hint);
        }

        /// <summary>
        /// The Signature check, always reported: Skip unless -VerifySignature (online); else the verifier's Pass or Fail, which
        /// fetches keys only from an issuer the user named.
        /// </summary>
        private static DiagnosisCheck Signature(RoleTestOptions options, IdToken token, NamedIssuers named, ICoreLog log, CancellationToken cancel)
        {
            if (!options.VerifySignature)
            {
                return new DiagnosisCheck(SignatureCheck, CheckResult.Skip, SignatureNotVerified);
            }

            if (options.Offline)
            {
                return new DiagnosisCheck(SignatureCheck, CheckResult.Skip, "Not verified: -Offline makes no network connection (-VerifySignature fetches the issuer's keys).");
            }

            log.Verbose($"Verifying the token's signature with the keys of {token.Issuer}, if it is an issuer you named.");
            return new SignatureVerifier().VerifyAsync(token.Raw, named, cancel).GetAwaiter().GetResult();
        }

        /// <summary>The Signature check's detail without -VerifySignature: nothing authenticated the token.</summary>
        public const string SignatureNotVerified = "Not verified: add -VerifySignature (this tests the role; it does not authenticate the token).";

        /// <summary>-ClientId takes the provider's audiences: a token there is refused without showing it (the ClientId check would list it).</summary>
        private static void RejectTokenInClientIds(IReadOnlyList<string>? clientIds)
        {
            foreach (string id in clientIds ?? Array.Empty<string>())
            {
                ExchangeRequest.RejectTokenIn("ClientId", ErrorIds.InvalidIdentityToken, id, isPath: true);
            }
        }

        private static GitlabStsException? RunLive(ExchangeRequest request, RoleTestResult result, List<DiagnosisCheck> checks,
            StsExchanger exchanger, Func<ExchangeResult, CancellationToken, CallerIdentity> callerIdentity, ICoreLog log, CancellationToken cancel, RoleChainer chainer)
        {
            ExchangeResult credentials;
            try
            {
                credentials = exchanger.Exchange(request, log, cancel);
            }
            catch (GitlabStsException e)
            {
                checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Fail, e.Message, e.StsErrorCode ?? e.ErrorId, null));
                return e;
            }

            result.AssumedRoleArn = credentials.AssumedRoleArn;
            checks.Add(new DiagnosisCheck(ExchangeCheck, CheckResult.Pass,
                $"STS AssumeRoleWithWebIdentity returned credentials for {credentials.AssumedRoleArn ?? request.RoleArn.Value} " +
                $"(expire {credentials.Expiration:yyyy-MM-dd'T'HH:mm:ss'Z'}; {credentials.Attempts} attempt(s))."));

            try
            {
                CallerIdentity identity = callerIdentity(credentials, cancel);
                result.Account = identity.Account;
                result.UserId = identity.UserId;
                result.AssumedRoleArn = identity.Arn;
                checks.Add(new DiagnosisCheck(CallerIdentityCheck, CheckResult.Pass,
                    $"GetCallerIdentity with the new credentials: {identity.Arn} (account {identity.Account})."));
                ChainStage.RunLive(request, credentials, result, checks, chainer, callerIdentity, log, cancel);   // Chain 1, Chain 2, ...
                return null;
            }
            catch (GitlabStsException e)
            {
                checks.Add(new DiagnosisCheck(CallerIdentityCheck, CheckResult.Fail, e.Message, e.StsErrorCode ?? e.ErrorId, null));
                return e;
            }
        }

        private static RoleTestResult Malformed(ExchangeSettings settings, IEnvironmentReader env, GitlabStsException e) => new RoleTestResult
        {
            Success = false,
            RoleArn = ExchangeRequest.DefaultRoleArn(settings.RoleArn, env) ?? string.Empty,
            Checks = new[]
            {
                new DiagnosisCheck(TokenShapeCheck, CheckResult.Fail, e.Message, CheckCodes.MalformedToken, null),
                new DiagnosisCheck(SignatureCheck, CheckResult.Skip, "Not verified: the token is not a signed JWT."),
            },
            ErrorCode = CheckCodes.MalformedToken,
            Message = e.Message,
            Hint = "Use the ID token GitLab issues through id_tokens: in .gitlab-ci.yml.",
        };
    }
}
