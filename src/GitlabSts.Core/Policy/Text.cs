using System;
using System.Collections.Generic;
using System.Linq;
using GitlabSts.Core.Tokens;

namespace GitlabSts.Core.Policy
{
    /// <summary>How the diagnosis writes values in its details: times and durations as the exchange does, quoted strings.</summary>
    internal static class Text
    {
        internal static string Time(DateTimeOffset t) => TokenTimes.FormatTime(t);

        internal static string Span(TimeSpan d) => TokenTimes.FormatDuration(d);

        internal static string Q(string? s) => s == null ? "(none)" : "\"" + s + "\"";

        internal static string List(IEnumerable<string> values) => string.Join(", ", values.Select(v => "\"" + v + "\""));
    }
}
