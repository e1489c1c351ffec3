using System;
using System.Collections.Generic;
using System.Linq;

namespace GitlabSts.Core.Policy
{
    /// <summary>
    /// The request an IAM trust policy is evaluated against: action, federated principal and condition keys.
    /// Condition keys are case-insensitive; their values are kept as given (single or multi-valued).
    /// </summary>
    public sealed class RequestContext
    {
        public const string AssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity";

        private readonly Dictionary<string, IReadOnlyList<string>> _keys =
            new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

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

        public IReadOnlyDictionary<string, IReadOnlyList<string>> Keys => _keys;

        public RequestContext Set(string key, params string[] values)
        {
            _keys[key] = values.ToArray();
            return this;
        }

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
