using System;
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

        /// <summary>Runs core work; a core error terminates the command with its ErrorRecord, Ctrl+C stops the pipeline.</summary>
        protected void Invoke(Action work)
        {
            try
            {
                work();
            }
            catch (GitlabStsException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
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
