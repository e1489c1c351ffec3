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
    /// <summary>
    /// Test-GitlabOidcRole's parameter set <c>Project</c>, an admin's what-if without a token: the claims a job of a
    /// project and ref would carry (<see cref="ProjectClaims"/>) go through the same diagnosis as a token's claims. The
    /// token-only checks (shape, times, signature) and the exchange are Skip; nothing is sent anywhere unless -FromIam
    /// (IAM GetRole and GetOpenIDConnectProvider, once per role and issuer within a <see cref="WhatIfSession"/>). Like
    /// <see cref="RoleTester"/>, a role that would refuse the job is reported, never thrown; only an invalid invocation
    /// throws (a malformed what-if input is InvalidClaim, no or two trust policy sources InvalidPolicy).
    /// </summary>
    public static class WhatIfRun
    {
        /// <summary>The detail of every token-only check of a what-if.</summary>
        public const string NoToken = "Skipped: a what-if (-ProjectPath) has no token.";

        /// <summary>The checks of a token's diagnosis that a what-if has nothing to check with.</summary>
        private static readonly string[] TokenOnlyChecks = { TokenTimeChecks.Expiry, TokenTimeChecks.NotBefore, TokenTimeChecks.IssuedAt };

        /// <param name="session">
        /// The IAM reads of earlier rows of the same invocation (the admin matrix): with -FromIam, a role already read for
        /// this issuer is not read again; a new read is remembered. Null: no reuse.
        /// </param>
        public static RoleTestResult Run(ExchangeSettings settings, RoleTestOptions options, ProjectClaimsRequest project, IEnvironmentReader env,
            ICoreLog log, DateTimeOffset now, CancellationToken cancel, WhatIfSession? session = null)
        {
            if (settings == null) throw new ArgumentNullException(nameof(settings));
            if (options == null) throw new ArgumentNullException(nameof(options));
            if (project == null) throw new ArgumentNullException(nameof(project));
            cancel.ThrowIfCancellationRequested();

            RequirePolicySource(options);
            IamStage.Validate(options);
            if (options.VerifySignature)
            {
                throw new GitlabStsException(ErrorIds.ParameterConflict, ErrorKind.InvalidArgument,
                    "-VerifySignature checks a token's signature, and a what-if (-ProjectPath) has no token. Leave out -VerifySignature, " +
                    "or test a job's token with -WebIdentityToken, -TokenVariable or -TokenFile.", "VerifySignature");
            }

            if (options.ConditionContext != null)
            {
                new RequestContext("-").SetConditionContext(options.ConditionContext);
            }

            foreach (string id in options.ClientIds ?? Array.Empty<string>())
            {
                ExchangeRequest.RejectTokenIn("ClientId", ErrorIds.InvalidIdentityToken, id, isPath: true);
            }

            project.Audience = settings.Audience;
            TokenClaims claims = ProjectClaims.Build(project, env);
            ExchangeRequest request = ExchangeRequest.ResolveWithoutToken(settings, env, log, now);
            log.Verbose($"What-if: a job of {claims.First("project_path")} on {claims.First("ref_type")} {claims.First("ref")} would carry " +
                string.Join(", ", claims.All.Select(c => $"{c.Key}={Text.List(c.Value)}")) + ".");

            IamReadResult? iam = null;
            if (IamStage.Active(options))
            {
                options.IamRead ??= session?.Find(request.RoleArn.Value, claims.Issuer!);
                iam = IamStage.Read(options, request.RoleArn, claims.Issuer, env, log, cancel);
                session?.Remember(iam!);
            }

            DiagnosisResult diagnosis = OidcDiagnosis.Run(new DiagnosisInput
            {
                Claims = claims,
                RoleArn = request.RoleArn.Value,
                TrustPolicyJson = iam != null ? iam.Role.TrustPolicyJson : options.TrustPolicyJson,
                ClientIds = iam != null ? iam.Provider.ClientIds : options.ClientIds,
                Now = now,
                ClockSkew = TokenTimes.DefaultClockSkew,
                RequireTrustPolicy = true,
                Region = request.Region,
                RoleSessionName = request.RoleSessionName,
                StsEndpoint = request.Endpoint ?? (Uri.TryCreate(Partitions.StsEndpoint(request.Region), UriKind.Absolute, out Uri? u) ? u : null),
                ConditionContext = options.ConditionContext,
            });

            var checks = new List<DiagnosisCheck> { new DiagnosisCheck(RoleTester.TokenShapeCheck, CheckResult.Skip, NoToken) };
            checks.AddRange(IamStage.Checks(iam, claims.Audience, diagnosis.Checks)
                .Select(c => TokenOnlyChecks.Contains(c.Name) ? new DiagnosisCheck(c.Name, CheckResult.Skip, NoToken) : c));
            checks.Add(new DiagnosisCheck(RoleTester.SignatureCheck, CheckResult.Skip, NoToken));
            checks.Add(new DiagnosisCheck(RoleTester.ExchangeCheck, CheckResult.Skip, "Skipped: a what-if makes no exchange (there is no token to exchange)."));

            var result = new RoleTestResult
            {
                RoleArn = request.RoleArn.Value,
                Issuer = claims.Issuer,
                Subject = claims.Subject,
                Audience = claims.Audience,
                TokenExpiresAt = null,
                SuggestedTrustPolicy = diagnosis.SuggestedTrustPolicy,
                Checks = checks,
                IamRead = iam,
                AdmittedSubjects = diagnosis.AdmittedSubjects,
            };
            DiagnosisCheck? firstFailure = DiagnosisResult.FirstFailure(checks);
            result.Success = firstFailure == null;
            if (firstFailure != null)
            {
                result.DescribeFailure(firstFailure);
            }

            return result;
        }

        /// <summary>
        /// The matrix table's "first failing condition" of a refused result: the first failing check other than the overall
        /// Decision, its first line, without the statement check's "Allow statement does not apply:" preamble
        /// (<c>Statement 1: StringLike gitlab.com:sub "..." did not match "..."</c>); else the result's message; null when
        /// the role would be assumed.
        /// </summary>
        public static string? FirstFailingCondition(RoleTestResult result)
        {
            if (result == null) throw new ArgumentNullException(nameof(result));
            if (result.Success) return null;
            DiagnosisCheck? failed = result.Checks.FirstOrDefault(c => c.Result == CheckResult.Fail && c.Name != PolicyChecks.Decision);
            if (failed == null) return result.Message;
            string line = DiagnosisResult.Summary(failed);
            const string Preamble = "Allow statement does not apply: ";
            int at = line.IndexOf(Preamble, StringComparison.Ordinal);
            return at >= 0 ? line.Substring(0, at) + line.Substring(at + Preamble.Length) : line;
        }

        /// <summary>A what-if decides on a trust policy: -TrustPolicy or -FromIam (both: <see cref="IamStage.Validate"/>'s InvalidPolicy), else InvalidPolicy naming both.</summary>
        private static void RequirePolicySource(RoleTestOptions options)
        {
            if (options.TrustPolicyJson == null && !IamStage.Active(options))
            {
                throw new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument,
                    "A what-if (-ProjectPath) needs the role's trust policy: pass -TrustPolicy (the JSON or a file with it) or -FromIam (read it from IAM).",
                    "TrustPolicy");
            }
        }
    }

    /// <summary>
    /// One Test-GitlabOidcRole invocation's IAM reads (the admin matrix): each role is read once per issuer and the
    /// result (read or failed; immutable) reused by every later row for it. Not thread-safe: one pipeline uses it.
    /// </summary>
    public sealed class WhatIfSession
    {
        private readonly List<IamReadResult> _reads = new List<IamReadResult>();

        /// <summary>How many IAM reads this session made (each a GetRole and a GetOpenIDConnectProvider).</summary>
        public int Reads => _reads.Count;

        internal IamReadResult? Find(string roleArn, string issuer) => _reads.FirstOrDefault(r => r.IsFor(roleArn, issuer));

        internal void Remember(IamReadResult read)
        {
            if (!_reads.Contains(read)) _reads.Add(read);
        }
    }
}
