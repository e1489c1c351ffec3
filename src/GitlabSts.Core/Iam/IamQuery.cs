using System;
using System.Collections.Generic;
using System.Threading;

namespace GitlabSts.Core.Iam
{
    /// <summary>One IAM Query API answer: the HTTP status and the XML body.</summary>
    internal sealed class IamAnswer
    {
        public IamAnswer(int status, string body)
        {
            Status = status;
            Body = body ?? string.Empty;
        }

        public int Status { get; }

        public string Body { get; }
    }

    /// <summary>No answer from IAM (refused connection, timeout, DNS), or no credentials to sign with: a read failure.</summary>
    internal sealed class IamTransportException : Exception
    {
        public IamTransportException(string code, string message)
            : base(message)
        {
            Code = code;
        }

        public string Code { get; }
    }

    /// <summary>Sends one signed IAM Query API request (<c>Action</c> + parameters, Version 2010-05-08). Tests pass a fake.</summary>
    internal interface IIamQuery
    {
        /// <exception cref="IamTransportException">No answer, or no credentials.</exception>
        IamAnswer Send(string action, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancel);
    }
}
