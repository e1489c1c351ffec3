using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using GitlabSts.Core;
using GitlabSts.Core.RoleTest;
using GitlabSts.Core.Sts;
using GitlabSts.Core.Tokens;

namespace GitlabSts
{
    /// <summary>
    /// Test-GitlabOidcRole -ProjectPath's output, one invocation's worth: runs the core what-if per input row, reports
    /// progress for piped rows (the row, the count done), and marks each piped row's result with the extra type name
    /// <see cref="MatrixTypeName"/> (a table view: project, ref, verdict, first failing condition), so a piped CSV prints
    /// as one table. With -FromIam, IAM is read once per role (and issuer) for all rows (a <see cref="WhatIfSession"/>).
    /// Every what-if result carries the row's ProjectPath, Ref and RefType as note properties, and the matrix's FirstFailingCondition.
    /// </summary>
    internal sealed class WhatIfMatrix
    {
        internal const string MatrixTypeName = "GitlabSts.OidcRoleTestResult#Matrix";
        private const int ProgressId = 0x6175;
        private readonly WhatIfSession _session = new WhatIfSession();
        private int _done;
        private bool _progressShown;

        internal void Run(PSCmdlet cmdlet, ICoreLog log, ExchangeSettings settings, RoleTestOptions options, ProjectClaimsRequest project,
            bool quiet, CancellationToken cancel)
        {
            bool piped = cmdlet.MyInvocation.ExpectingInput;
            if (piped)
            {
                _progressShown = true;
                cmdlet.WriteProgress(new ProgressRecord(ProgressId, "Test-GitlabOidcRole what-if",
                    $"Row {_done + 1}: {project.ProjectPath} on {(string.IsNullOrEmpty(project.RefType) ? ProjectClaims.Branch : project.RefType)} {project.Ref} ({_done} done)"));
            }

            RoleTestResult result;
            try
            {
                result = WhatIfRun.Run(settings, options, project, ProcessEnvironment.Instance, log, DateTimeOffset.UtcNow, cancel, _session);
            }
            finally
            {
                _done++;
            }

            if (quiet)
            {
                cmdlet.WriteObject(result.Success);
                return;
            }

            PSObject output = PSObject.AsPSObject(OidcRoleTestResult.From(result));
            output.Properties.Add(new PSNoteProperty("ProjectPath", project.ProjectPath));
            output.Properties.Add(new PSNoteProperty("Ref", project.Ref));
            output.Properties.Add(new PSNoteProperty("RefType", ProjectClaims.CheckRefType(project.RefType)));
            output.Properties.Add(new PSNoteProperty("FirstFailingCondition", WhatIfRun.FirstFailingCondition(result)));
            if (piped)
            {
                output.TypeNames.Insert(0, MatrixTypeName);
            }

            cmdlet.WriteObject(output);
        }

        /// <summary>Ends the progress bar of piped rows, if one was shown.</summary>
        internal void Complete(PSCmdlet cmdlet)
        {
            if (!_progressShown) return;
            cmdlet.WriteProgress(new ProgressRecord(ProgressId, "Test-GitlabOidcRole what-if", $"{_done} row(s) done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
