using System;
using System.Net;

namespace GitlabSts.Core.Sts
{
    /// <summary>The one loopback rule (plain http is allowed, or silent, only there): 127.0.0.0/8, ::1 and localhost.</summary>
    public static class LoopbackHost
    {
        public static bool Is(Uri uri)
        {
            if (uri == null) throw new ArgumentNullException(nameof(uri));
            string host = uri.Host.Trim('[', ']');
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            return IPAddress.TryParse(host, out IPAddress? ip) && IPAddress.IsLoopback(ip);
        }
    }
}
