using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Xml;
using GitlabSts.Core.Policy;
using GitlabSts.Core.Sts;

namespace GitlabSts.Core.Iam
{
    /// <summary>
    /// -FromIam's reads: IAM GetRole (the role's trust policy) and GetOpenIDConnectProvider (the issuer's provider in the
    /// role's account), with the caller's own AWS credentials. Every read failure (no such role, no provider, access
    /// denied, no credentials, no answer) is a result, never an exception; only a malformed endpoint variable throws
    /// (InvalidEndpoint, before any request). The result is immutable: read once per role, reuse it for every row.
    /// </summary>
    public static class IamReader
    {
        public const string NoSuchEntityCode = "NoSuchEntity";
        public const string AccessDeniedCode = "AccessDenied";
        public const string NoCredentialsCode = "NoCredentials";
        public const string RoleMismatchCode = "RoleArnMismatch";
        public const string NoIssuerCode = "NoIssuer";

        /// <summary>Reads the role and the issuer's provider through the real IAM (endpoint from <paramref name="env"/>).</summary>
        /// <param name="profileName">The caller's AWS profile; null: the SDK's default credential chain.</param>
        /// <exception cref="GitlabStsException">InvalidRoleArn for a malformed role ARN; InvalidEndpoint for a malformed AWS_ENDPOINT_URL_IAM/AWS_ENDPOINT_URL.</exception>
        public static IamReadResult Read(string roleArn, string issuer, string? profileName, IEnvironmentReader env, ICoreLog log, CancellationToken cancel)
        {
            RoleArn role = Sts.RoleArn.Parse(roleArn);
            IamEndpoint endpoint = IamEndpoint.Resolve(role.Partition, env);
            log.Verbose($"Reading role {role.Value} and the OIDC provider of {issuer} from IAM at {endpoint.Url} ({endpoint.Source}), "
                + (string.IsNullOrEmpty(profileName) ? "with the default AWS credentials." : $"with AWS profile '{profileName}'."));
            return Read(role, issuer, new IamHttpQuery(endpoint, profileName, StsClientFactory.RequestTimeoutFrom(env), env), cancel);
        }

        internal static IamReadResult Read(RoleArn role, string issuer, IIamQuery query, CancellationToken cancel)
        {
            string providerArn = ProviderArnFor(role, issuer);
            IamRoleRead roleRead = ReadRole(role, query, cancel);
            IamProviderRead providerRead = roleRead.ErrorCode == NoCredentialsCode
                ? new IamProviderRead(providerArn, IamReadStatus.Failed, null, null, roleRead.ErrorCode, roleRead.Message) // same cause: no second try
                : OidcConditionKeys.IssuerKey(issuer).Length == 0
                    ? new IamProviderRead(providerArn, IamReadStatus.Failed, null, null, NoIssuerCode, "There is no issuer (the token has no iss), so no OIDC provider to read.")
                    : ReadProvider(providerArn, query, cancel);
            return new IamReadResult(role.Value, issuer, roleRead, providerRead);
        }

        /// <summary>The provider ARN of <paramref name="issuer"/> in the role's account and partition (the issuer's host and path, no scheme).</summary>
        public static string ProviderArnFor(RoleArn role, string issuer) =>
            OidcConditionKeys.ProviderArn(role.Partition, role.AccountId, issuer);

        internal static IamRoleRead ReadRole(RoleArn role, IIamQuery query, CancellationToken cancel)
        {
            IamAnswer answer;
            try
            {
                answer = query.Send("GetRole", new[] { new KeyValuePair<string, string>("RoleName", role.RoleName) }, cancel);
            }
            catch (IamTransportException e)
            {
                return new IamRoleRead(IamReadStatus.Failed, null, e.Code, e.Message);
            }

            if (answer.Status == 200 && TryParseRole(answer.Body, out string? policy, out string? arnRead))
            {
                // GetRole takes a name and reads the caller's account: a role of another account must not pass for this one.
                if (arnRead != null && !string.Equals(arnRead, role.Value, StringComparison.Ordinal))
                {
                    return new IamRoleRead(IamReadStatus.Failed, null, RoleMismatchCode,
                        $"GetRole of the name {role.RoleName} returned {arnRead}, not {role.Value}: "
                        + (arnRead.Split(':').Length > 4 && arnRead.Split(':')[4] != role.AccountId
                            ? $"the AWS credentials are for account {arnRead.Split(':')[4]}, the role is in account {role.AccountId}."
                            : "the role's path differs from the ARN's."));
                }

                return new IamRoleRead(IamReadStatus.Read, policy, null, null);
            }

            (IamReadStatus status, string code, string message) = Error(answer);
            return new IamRoleRead(status, null, code, message);
        }

        internal static IamProviderRead ReadProvider(string providerArn, IIamQuery query, CancellationToken cancel)
        {
            IamAnswer answer;
            try
            {
                answer = query.Send("GetOpenIDConnectProvider", new[] { new KeyValuePair<string, string>("OpenIDConnectProviderArn", providerArn) }, cancel);
            }
            catch (IamTransportException e)
            {
                return new IamProviderRead(providerArn, IamReadStatus.Failed, null, null, e.Code, e.Message);
            }

            if (answer.Status == 200 && TryParseProvider(answer.Body, out IReadOnlyList<string> clientIds, out string? url))
            {
                return new IamProviderRead(providerArn, IamReadStatus.Read, clientIds, url, null, null);
            }

            (IamReadStatus status, string code, string message) = Error(answer);
            return new IamProviderRead(providerArn, status, null, null, code, message);
        }

        /// <summary>GetRole's answer: the AssumeRolePolicyDocument, URL-decoded (IAM sends it percent-encoded).</summary>
        internal static bool TryParseRole(string xml, out string? trustPolicy, out string? roleArn)
        {
            trustPolicy = null;
            roleArn = null;
            XmlDocument? doc = Load(xml);
            XmlNode? role = doc == null ? null : Find(doc.DocumentElement, "GetRoleResult", "Role");
            XmlNode? node = role == null ? null : Find(role, "AssumeRolePolicyDocument");
            if (node == null)
            {
                return false;
            }

            roleArn = Find(role, "Arn")?.InnerText.Trim();
            trustPolicy = DecodePolicy(node.InnerText);
            return true;
        }

        /// <summary>IAM percent-encodes policy documents (RFC 3986); a document that is already JSON is kept as it is.</summary>
        public static string DecodePolicy(string text)
        {
            string trimmed = text.Trim();
            return trimmed.StartsWith("{", StringComparison.Ordinal) ? trimmed : Uri.UnescapeDataString(trimmed);
        }

        /// <summary>GetOpenIDConnectProvider's answer: ClientIDList members and the Url (no scheme).</summary>
        internal static bool TryParseProvider(string xml, out IReadOnlyList<string> clientIds, out string? url)
        {
            clientIds = Array.Empty<string>();
            url = null;
            XmlDocument? doc = Load(xml);
            XmlNode? result = doc == null ? null : Find(doc.DocumentElement, "GetOpenIDConnectProviderResult");
            if (result == null)
            {
                return false;
            }

            XmlNode? list = Find(result, "ClientIDList");
            clientIds = list == null
                ? Array.Empty<string>()
                : list.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == "member").Select(e => e.InnerText.Trim()).ToArray();
            url = Find(result, "Url")?.InnerText.Trim();
            return true;
        }

        /// <summary>An IAM error answer (ErrorResponse/Error/Code, Message) as a status, a code and a message.</summary>
        internal static (IamReadStatus Status, string Code, string Message) Error(IamAnswer answer)
        {
            XmlDocument? doc = Load(answer.Body);
            XmlNode? error = doc == null ? null : Find(doc.DocumentElement, "Error");
            string? code = error == null ? null : Find(error, "Code")?.InnerText.Trim();
            string? message = error == null ? null : Find(error, "Message")?.InnerText.Trim();
            if (string.IsNullOrEmpty(code))
            {
                return (IamReadStatus.Failed, $"HTTP {answer.Status}", $"IAM answered HTTP {answer.Status} without an IAM error document.");
            }

            IamReadStatus status = code switch
            {
                NoSuchEntityCode => IamReadStatus.NotFound,
                AccessDeniedCode or "AccessDeniedException" or "UnauthorizedOperation" => IamReadStatus.AccessDenied,
                _ => IamReadStatus.Failed,
            };
            return (status, code!, string.IsNullOrEmpty(message) ? code! : message!);
        }

        private static XmlDocument? Load(string xml)
        {
            if (string.IsNullOrWhiteSpace(xml))
            {
                return null;
            }

            var doc = new XmlDocument { XmlResolver = null };
            try
            {
                using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                doc.Load(reader);
                return doc;
            }
            catch (XmlException)
            {
                return null;
            }
        }

        /// <summary>The first descendant path of elements with these local names (namespaces ignored: IAM's and moto's differ).</summary>
        private static XmlNode? Find(XmlNode? from, params string[] path)
        {
            XmlNode? node = from;
            foreach (string name in path)
            {
                if (node == null)
                {
                    return null;
                }

                node = Descendant(node, name);
            }

            return node;
        }

        private static XmlNode? Descendant(XmlNode node, string localName)
        {
            foreach (XmlNode child in node.ChildNodes)
            {
                if (child is XmlElement e && e.LocalName == localName)
                {
                    return e;
                }
            }

            foreach (XmlNode child in node.ChildNodes)
            {
                if (child is XmlElement)
                {
                    XmlNode? found = Descendant(child, localName);
                    if (found != null)
                    {
                        return found;
                    }
                }
            }

            return null;
        }
    }
}
