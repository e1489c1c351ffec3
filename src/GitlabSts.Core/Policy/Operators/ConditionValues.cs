using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace GitlabSts.Core.Policy.Operators
{
    /// <summary>
    /// The typed values of IAM's condition operator families: dates (W3C ISO 8601 or epoch seconds), IP addresses
    /// and CIDR ranges (IPv4 and IPv6; no prefix = one address), base64 binaries, and ARNs matched component by component.
    /// </summary>
    internal static class ConditionValues
    {
        private static readonly Regex Epoch = new Regex(@"^-?[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant);
        private static readonly Regex Ipv4 = new Regex(@"^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$", RegexOptions.CultureInvariant);

        private static readonly string[] IsoFormats =
        {
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd", "yyyy-MM",
        };

        /// <summary>
        /// A date/time as IAM accepts it: the W3C profile of ISO 8601 (<c>2020-04-01</c>, <c>2020-04-01T00:00:00Z</c>,
        /// with fractions or an offset; no zone = UTC) or epoch seconds (all digits, as <c>aws:EpochTime</c>).
        /// </summary>
        internal static bool TryParseDate(string s, out DateTimeOffset value)
        {
            value = default;
            if (string.IsNullOrEmpty(s)) return false;
            if (Epoch.IsMatch(s))
            {
                if (!decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
                    || seconds < -62135596800m || seconds > 253402300799m)
                {
                    return false;
                }
                value = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
                return true;
            }
            return DateTimeOffset.TryParseExact(s, IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
        }

        /// <summary>An address with its prefix length (bits that must match).</summary>
        internal sealed class Cidr
        {
            internal byte[] Bytes = Array.Empty<byte>();
            internal int Prefix;

            internal bool Contains(byte[] address)
            {
                if (address.Length != Bytes.Length) return false;
                int full = Prefix / 8, rest = Prefix % 8;
                for (int i = 0; i < full; i++)
                {
                    if (address[i] != Bytes[i]) return false;
                }
                if (rest == 0) return true;
                int mask = 0xFF << (8 - rest) & 0xFF;
                return (address[full] & mask) == (Bytes[full] & mask);
            }
        }

        /// <summary>
        /// <c>203.0.113.0/24</c>, <c>2001:DB8:1234:5678::/64</c>, or a plain address (IAM's default prefix: /32, /128 for IPv6).
        /// IPv4 must be a dotted quad; host bits beyond the prefix are ignored.
        /// </summary>
        internal static bool TryParseCidr(string s, out Cidr cidr)
        {
            cidr = new Cidr();
            if (string.IsNullOrEmpty(s)) return false;
            string[] parts = s.Split('/');
            if (parts.Length > 2 || !TryParseAddress(parts[0], out byte[] bytes)) return false;
            int max = bytes.Length * 8, prefix = max;
            if (parts.Length == 2)
            {
                if (parts[1].Length == 0 || parts[1].Length > 3 || !parts[1].All(c => c >= '0' && c <= '9')) return false;
                prefix = int.Parse(parts[1], CultureInfo.InvariantCulture);
                if (prefix > max) return false;
            }
            cidr.Bytes = bytes;
            cidr.Prefix = prefix;
            return true;
        }

        /// <summary>A plain IPv4 (dotted quad) or IPv6 address, no prefix, no zone.</summary>
        internal static bool TryParseAddress(string s, out byte[] bytes)
        {
            bytes = Array.Empty<byte>();
            if (string.IsNullOrEmpty(s)) return false;
            if (s.IndexOf(':') >= 0)
            {
                if (s.IndexOf('%') >= 0 || s.IndexOf('[') >= 0 || !IPAddress.TryParse(s, out IPAddress? ip)
                    || ip == null || ip.AddressFamily != AddressFamily.InterNetworkV6)
                {
                    return false;
                }
                bytes = ip.GetAddressBytes();
                return true;
            }
            Match m = Ipv4.Match(s);
            if (!m.Success) return false;
            var b = new byte[4];
            for (int i = 0; i < 4; i++)
            {
                int octet = int.Parse(m.Groups[i + 1].Value, CultureInfo.InvariantCulture);
                if (octet > 255) return false;
                b[i] = (byte)octet;
            }
            bytes = b;
            return true;
        }

        internal static bool TryParseBase64(string s, out byte[] bytes)
        {
            bytes = Array.Empty<byte>();
            if (s == null || s.Trim().Length != s.Length) return false;
            try
            {
                bytes = Convert.FromBase64String(s);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        /// <summary>
        /// ArnEquals/ArnLike: the six colon-delimited components (<c>arn:partition:service:region:account:resource</c>,
        /// the resource keeping any further colons) are matched separately, case-sensitively, each with <c>*</c>/<c>?</c>
        /// wildcards that do not cross a component. A request value that is not an ARN (<c>arn:</c> and six components)
        /// and a pattern with fewer than six components match nothing.
        /// </summary>
        internal static bool ArnMatch(string value, string pattern, bool[] isWild)
        {
            if (!IsArn(value)) return false;
            string[] v = value.Split(new[] { ':' }, 6);
            int start = 0;
            for (int seg = 0; seg < 6; seg++)
            {
                int end = seg == 5 ? pattern.Length : pattern.IndexOf(':', start);
                if (end < 0) return false;
                string part = pattern.Substring(start, end - start);
                var wild = new bool[part.Length];
                Array.Copy(isWild, start, wild, 0, part.Length);
                if (!Wildcard.Match(v[seg], part, wild, ignoreCase: false)) return false;
                start = end + 1;
            }
            return true;
        }

        /// <summary><c>arn:</c> followed by the five other components.</summary>
        internal static bool IsArn(string s) => s.StartsWith("arn:", StringComparison.Ordinal) && s.Split(new[] { ':' }, 6).Length == 6;

        /// <summary>A pattern with the six components (any first component, wildcards allowed).</summary>
        internal static bool IsArnPattern(string s) => s.Split(new[] { ':' }, 6).Length == 6;
    }
}
