using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>Whether a condition key is in the request context, certainly not in it, or only AWS knows.</summary>
    public enum KeyState
    {
        /// <summary>The key is in the request context with the values given (possibly an empty set).</summary>
        Present,

        /// <summary>The key is certainly not in the request context.</summary>
        Absent,

        /// <summary>Only AWS knows at request time (e.g. <c>aws:SourceIp</c>) and the caller did not supply it.</summary>
        Unknown,
    }

    /// <summary>
    /// The request an IAM trust policy is evaluated against: action, federated principal and condition keys.
    /// Condition keys are case-insensitive; their values are kept as given (single or multi-valued).
    /// </summary>
    /// <remarks>
    /// A key is <see cref="KeyState.Present"/> when set (<see cref="Set"/>, <see cref="SetStsRequestKeys"/>,
    /// <see cref="SetConditionContext"/>), <see cref="KeyState.Absent"/> when marked so (<see cref="SetAbsent"/>, a
    /// null value in <see cref="SetConditionContext"/>) and for every identity-provider key
    /// (<c>&lt;issuer&gt;:&lt;claim&gt;</c>, whose prefix is a host name such as <c>gitlab.com</c>) that the token did
    /// not give: STS fills those from the token only. Any other key (<c>aws:SourceIp</c>, <c>aws:PrincipalTag/x</c>,
    /// <c>sts:ExternalId</c>, ...) is <see cref="KeyState.Unknown"/>: only AWS knows it, and a condition on it is
    /// <see cref="TriState.Indeterminate"/>.
    /// </remarks>
    public sealed class RequestContext
    {
        public const string AssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity";

        /// <summary>Keys STS sets for AssumeRoleWithWebIdentity whose value is known before the call.</summary>
        public const string CurrentTimeKey = "aws:CurrentTime", EpochTimeKey = "aws:EpochTime",
            RequestedRegionKey = "aws:RequestedRegion", SecureTransportKey = "aws:SecureTransport",
            RoleSessionNameKey = "sts:RoleSessionName";

        private readonly Dictionary<string, IReadOnlyList<string>> _keys =
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

        private readonly HashSet<string> _absent = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        public RequestContext(string federatedPrincipal, string action = AssumeRoleWithWebIdentity)
        {
            FederatedPrincipal = federatedPrincipal ?? throw new ArgumentNullException(nameof(federatedPrincipal));
            Action = action ?? throw new ArgumentNullException(nameof(action));
        }

        public string Action { get; }

        /// <summary>e.g. <c>arn:aws:iam::123456789012:oidc-provider/gitlab.com</c>.</summary>
        public string FederatedPrincipal { get; }

        /// <summary>
        /// The issuer key (<c>gitlab.com</c>, <c>gitlab.example.com</c>) when the request comes from a web identity:
        /// a condition on <c>&lt;IssuerKey&gt;:&lt;claim&gt;</c> that AWS does not expose is flagged as such.
        /// </summary>
        public string? IssuerKey { get; set; }

        /// <summary>The present keys and their values.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>> Keys => _keys;

        /// <summary>Sets a present key (no values = present with an empty set).</summary>
        public RequestContext Set(string key, params string[] values)
        {
            if (key == null) throw new ArgumentNullException(nameof(key));
            _keys[key] = (values ?? Array.Empty<string>()).ToArray();
            _absent.Remove(key);
            return this;
        }

        /// <summary>Marks keys as certainly absent from the request (e.g. a key the caller knows AWS will not set).</summary>
        public RequestContext SetAbsent(params string[] keys)
        {
            foreach (string key in keys)
            {
                _keys.Remove(key);
                _absent.Add(key);
            }
            return this;
        }

        /// <summary>
        /// Sets the keys STS puts in the request context of AssumeRoleWithWebIdentity whose value is known locally:
        /// <c>aws:CurrentTime</c> (ISO 8601, UTC, seconds) and <c>aws:EpochTime</c> from <paramref name="now"/>,
        /// <c>aws:RequestedRegion</c>, <c>sts:RoleSessionName</c>, and <c>aws:SecureTransport</c> (<c>true</c> for an
        /// https <paramref name="endpoint"/>). A null argument leaves its key(s) as they are (unknown unless set).
        /// </summary>
        public RequestContext SetStsRequestKeys(DateTimeOffset? now = null, string? region = null, string? roleSessionName = null, Uri? endpoint = null)
        {
            if (now.HasValue)
            {
                DateTimeOffset utc = now.Value.ToUniversalTime();
                Set(CurrentTimeKey, utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                Set(EpochTimeKey, utc.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            }
            if (region != null) Set(RequestedRegionKey, region);
            if (roleSessionName != null) Set(RoleSessionNameKey, roleSessionName);
            if (endpoint != null)
            {
                Set(SecureTransportKey, string.Equals(endpoint.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) ? "true" : "false");
            }
            return this;
        }

        /// <summary>
        /// Values the caller supplies for keys only AWS knows (later <c>-ConditionContext @{ 'aws:SourceIp' = '...' }</c>):
        /// a value list makes the key present (an empty list: present, empty set), null makes it absent.
        /// The token's own provider keys (<c>&lt;IssuerKey&gt;:&lt;claim&gt;</c>) come from the token and cannot be supplied.
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidPolicy (InvalidArgument): a key is not <c>prefix:name</c>, or is an identity
        /// provider's key (the contract has no id of its own for -ConditionContext).</exception>
        public RequestContext SetConditionContext(IEnumerable<KeyValuePair<string, IReadOnlyList<string>?>> values)
        {
            if (values == null) throw new ArgumentNullException(nameof(values));
            var list = values.ToList();
            foreach (KeyValuePair<string, IReadOnlyList<string>?> kv in list)
            {
                string key = kv.Key ?? "";
                int colon = key.IndexOf(':');
                if (colon <= 0 || colon == key.Length - 1)
                {
                    throw BadConditionContext($"-ConditionContext key '{key}' is not a condition key of the form prefix:name (e.g. aws:SourceIp).");
                }
                if (IsProviderKey(key))
                {
                    throw BadConditionContext($"-ConditionContext key '{key}' is an identity provider's key: STS takes its value from the token only. "
                        + "Remove it from -ConditionContext; pass a token (or what-if claims) with that claim instead.");
                }
            }
            foreach (KeyValuePair<string, IReadOnlyList<string>?> kv in list)
            {
                if (kv.Value == null) SetAbsent(kv.Key);
                else Set(kv.Key, kv.Value.ToArray());
            }
            return this;
        }

        /// <summary>
        /// -ConditionContext as given in PowerShell (a hashtable: key -> a string, strings, or $null for "absent") as the
        /// list <see cref="SetConditionContext"/> takes. Numbers and booleans become IAM's text (<c>300</c>, <c>true</c>), dates
        /// ISO 8601 UTC. <paramref name="unwrap"/> turns a host wrapper (PowerShell's PSObject) into its value; null: none.
        /// </summary>
        /// <exception cref="GitlabStsException">InvalidPolicy: a key is blank, or a value is neither a scalar nor a list of scalars.</exception>
        public static IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>?>> ConditionContextFrom(IDictionary? values, Func<object?, object?>? unwrap = null)
        {
            var list = new List<KeyValuePair<string, IReadOnlyList<string>?>>();
            if (values == null) return list;
            Func<object?, object?> un = unwrap ?? (o => o);
            foreach (DictionaryEntry e in values)
            {
                string key = Convert.ToString(un(e.Key), CultureInfo.InvariantCulture)?.Trim() ?? "";
                if (key.Length == 0) throw BadConditionContext("-ConditionContext has a blank key; name each key as prefix:name (e.g. aws:SourceIp).");
                object? v = un(e.Value);
                if (v == null)
                {
                    list.Add(new KeyValuePair<string, IReadOnlyList<string>?>(key, null));
                    continue;
                }
                var strings = new List<string>();
                if (v is IEnumerable many && !(v is string))
                {
                    if (v is IDictionary) throw BadValue(key);
                    foreach (object? item in many) strings.Add(Scalar(un(item)) ?? throw BadValue(key));
                }
                else
                {
                    strings.Add(Scalar(v) ?? throw BadValue(key));
                }
                list.Add(new KeyValuePair<string, IReadOnlyList<string>?>(key, strings));
            }
            return list;
        }

        private static string? Scalar(object? v)
        {
            switch (v)
            {
                case null: return null;
                case string s: return s;
                case bool b: return b ? "true" : "false";
                case DateTimeOffset d: return d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                case DateTime d: return d.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                case IEnumerable _: return null;
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return v.ToString();
            }
        }

        private static GitlabStsException BadValue(string key) =>
            BadConditionContext($"-ConditionContext value of '{key}' is not a string or a list of strings (use $null to mark the key absent).");

        private static GitlabStsException BadConditionContext(string message) =>
            new GitlabStsException(ErrorIds.InvalidPolicy, ErrorKind.InvalidArgument, message, "ConditionContext");

        public bool TryGet(string key, out IReadOnlyList<string> values)
        {
            if (_keys.TryGetValue(key, out IReadOnlyList<string>? v))
            {
                values = v;
                return true;
            }
            values = Array.Empty<string>();
            return false;
        }

        /// <summary>Present (with its values), absent, or unknown: see the class remarks.</summary>
        public KeyState Lookup(string key, out IReadOnlyList<string> values)
        {
            if (TryGet(key, out values)) return KeyState.Present;
            if (_absent.Contains(key) || IsProviderKey(key) || key.IndexOf(':') <= 0) return KeyState.Absent;
            return KeyState.Unknown;
        }

        /// <summary>
        /// An identity provider's key: <c>&lt;IssuerKey&gt;:...</c>, or any key whose prefix is a host name
        /// (<c>gitlab.example.com:sub</c>, <c>accounts.google.com:aud</c>); service prefixes (<c>aws</c>, <c>sts</c>) have no dot.
        /// </summary>
        public bool IsProviderKey(string key)
        {
            int colon = key.IndexOf(':');
            if (colon <= 0) return false;
            string prefix = key.Substring(0, colon);
            return (IssuerKey != null && string.Equals(prefix, IssuerKey, StringComparison.OrdinalIgnoreCase))
                || prefix.IndexOf('.') >= 0 || prefix.IndexOf('/') >= 0;
        }

        /// <summary>True when <paramref name="key"/> is an issuer claim key AWS never puts in the request context.</summary>
        public bool IsUnexposedIssuerKey(string key)
        {
            if (IssuerKey == null || !key.StartsWith(IssuerKey + ":", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            return !OidcConditionKeys.IsExposed(IssuerKey, key.Substring(IssuerKey.Length + 1));
        }
    }
}
