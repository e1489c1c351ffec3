using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GitlabSts.Core.Tests.Policy
{
    /// <summary>
    /// A GitLab-like OIDC issuer on 127.0.0.1 (free port): discovery + JWKS over http, RSA keys made here. Counts every request
    /// (<see cref="Requests"/>, and per path in <see cref="Paths"/>); <see cref="RedirectTo"/> makes discovery answer 302.
    /// </summary>
    internal sealed class LocalOidcIssuer : IDisposable
    {
        private readonly HttpListener _listener = new HttpListener();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _requests;

        internal LocalOidcIssuer()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Issuer = $"http://127.0.0.1:{port}";
            JwksUri = Issuer + "/oauth/discovery/keys";
            _listener.Prefixes.Add(Issuer + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        internal string Issuer { get; }
        internal string JwksUri { get; set; }

        /// <summary>Published keys (kid → key).</summary>
        internal List<RsaSecurityKey> Keys { get; } = new List<RsaSecurityKey>();
        internal int DiscoveryStatus { get; set; } = 200;
        internal TimeSpan Delay { get; set; } = TimeSpan.Zero;
        internal int Requests => Volatile.Read(ref _requests);

        /// <summary>When set, discovery answers 302 Found with this Location.</summary>
        internal string RedirectTo { get; set; }

        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _paths = new System.Collections.Concurrent.ConcurrentQueue<string>();

        /// <summary>The path of every request served, in order.</summary>
        internal IReadOnlyList<string> Paths => _paths.ToArray();

        internal static RsaSecurityKey NewKey(string kid) => new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid };

        internal string Sign(RsaSecurityKey key, string issuer = null) =>
            new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuer ?? Issuer,
                Audience = "https://gitlab.com",
                Claims = new Dictionary<string, object>
                {
                    ["sub"] = "project_path:acme/infra:ref_type:branch:ref:main",
                    ["project_path"] = "acme/infra",
                },
                SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            });

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }
                _ = Task.Run(() => HandleAsync(ctx));
            }
        }

        private async Task HandleAsync(HttpListenerContext ctx)
        {
            Interlocked.Increment(ref _requests);
            try
            {
                if (Delay > TimeSpan.Zero) await Task.Delay(Delay, _stop.Token).ConfigureAwait(false);
                string path = ctx.Request.Url!.AbsolutePath;
                _paths.Enqueue(path);
                int status = 200;
                string body;
                if (path == "/.well-known/openid-configuration" && RedirectTo != null)
                {
                    status = 302;
                    ctx.Response.RedirectLocation = RedirectTo;
                    body = "{}";
                }
                else if (path == "/.well-known/openid-configuration")
                {
                    status = DiscoveryStatus;
                    body = "{\"issuer\":\"" + Issuer + "\",\"jwks_uri\":\"" + JwksUri + "\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
                }
                else if (path == "/oauth/discovery/keys")
                {
                    body = "{\"keys\":[" + string.Join(",", Keys.Select(Jwk)) + "]}";
                }
                else
                {
                    status = 404;
                    body = "{}";
                }
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "application/json";
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
                ctx.Response.Close();
            }
            catch (Exception)
            {
                try { ctx.Response.Abort(); } catch (Exception) { }
            }
        }

        private static string Jwk(RsaSecurityKey key)
        {
            RSAParameters p = key.Rsa.ExportParameters(false);
            return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + key.KeyId + "\",\"n\":\""
                + Base64UrlEncoder.Encode(p.Modulus) + "\",\"e\":\"" + Base64UrlEncoder.Encode(p.Exponent) + "\"}";
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
        }
    }
}
