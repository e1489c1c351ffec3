using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using GitlabSts.Core;

namespace GitlabSts
{
    /// <summary>
    /// Base of every GitlabSts cmdlet: cancellation on Ctrl+C (StopProcessing), core log messages routed to
    /// the verbose/warning/debug streams, and core errors turned into ErrorRecords with the contract's ids.
    /// </summary>
    public abstract class GitlabStsCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private ICoreLog? _log;

        protected CancellationToken CancelToken => _cancel.Token;

        internal ICoreLog Log => _log ??= CreateLog();

        internal virtual ICoreLog CreateLog() => new CmdletLog(this);

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose()
        {
            _cancel.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>
        /// The error ids after which no further input object can succeed, whatever it carries: no token was found at all,
        /// or several were and none was picked. These terminate the command; every other core error concerns the one input
        /// object being processed and is written with WriteError, so the cmdlet goes on with the next object and
        /// -ErrorAction, $? and -ErrorVariable behave as for any cmdlet. (An exception that is not a GitlabStsException,
        /// such as a missing module dependency, is not caught here and terminates as well.)
        /// </summary>
        internal static readonly ISet<string> TerminatingErrorIds = new HashSet<string>(StringComparer.Ordinal)
        {
            ErrorIds.TokenNotFound,
            ErrorIds.AmbiguousToken,
        };

        /// <summary>True when every failure must terminate the command (Get-GitlabWebIdentityCredential -OutputFormat CredentialProcess).</summary>
        protected virtual bool EveryErrorTerminates => false;

        /// <summary>True when <paramref name="e"/> stops the command rather than only the current input object.</summary>
        internal bool IsTerminating(GitlabStsException e) => EveryErrorTerminates || TerminatingErrorIds.Contains(e.ErrorId);

        /// <summary>
        /// Runs the core work for one input object. A core error is written as that object's error (WriteError) and the
        /// command goes on with the next one, unless <see cref="IsTerminating"/>; Ctrl+C stops the pipeline.
        /// </summary>
        protected void Invoke(Action work)
        {
            try
            {
                work();
            }
            catch (GitlabStsException e)
            {
                ErrorRecord record = ToErrorRecord(e);
                if (IsTerminating(e))
                {
                    OnTerminatingError(record);
                    ThrowTerminatingError(record);
                }

                WriteError(record);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Called just before a terminating error is thrown (the credential_process output renders it as plain text).</summary>
        protected virtual void OnTerminatingError(ErrorRecord record)
        {
        }

        internal static ErrorRecord ToErrorRecord(GitlabStsException e)
        {
            var record = new ErrorRecord(e, e.ErrorId, ToCategory(e.Kind), e.Target);
            return record;
        }

        internal static ErrorCategory ToCategory(ErrorKind kind) => kind switch
        {
            ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ErrorKind.InvalidData => ErrorCategory.InvalidData,
            ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
            ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
            ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
            ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            ErrorKind.WriteError => ErrorCategory.WriteError,
            ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
            ErrorKind.SecurityError => ErrorCategory.SecurityError,
            _ => ErrorCategory.NotSpecified,
        };

        internal class CmdletLog : ICoreLog
        {
            private readonly Cmdlet _cmdlet;

            public CmdletLog(Cmdlet cmdlet) => _cmdlet = cmdlet;

            public void Verbose(string message) => _cmdlet.WriteVerbose(message);

            public virtual void Warning(string message) => _cmdlet.WriteWarning(message);

            public void Debug(string message) => _cmdlet.WriteDebug(message);
        }
    }
}
