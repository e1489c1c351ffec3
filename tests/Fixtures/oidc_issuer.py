"""A GitLab-like OIDC issuer on loopback http, for signature-verification tests.

Serves, like GitLab:
  GET /.well-known/openid-configuration   discovery document (issuer = http://127.0.0.1:PORT)
  GET /oauth/discovery/keys                JWKS (the public keys, RS256)
Control (not counted in the request log):
  GET  /__control/health                   {"ok": true}
  GET  /__control/requests                 {"total": N, "paths": {"/oauth/discovery/keys": n, ...}}
  POST /__control/requests/reset           zero the counts
  POST /__control/keys                     body {"keys": [...]} -> replaces the JWKS (key rotation)
  POST /__control/behavior                 body {"delay": s, "status": {"/path": code}, "discovery": {overrides},
                                                 "redirect": {"/path": location}}
                                           delay: seconds before answering any served path;
                                           status: answer that path with that HTTP status (and a small body);
                                           redirect: answer that path with 302 Found and that Location;
                                           discovery: fields merged over the discovery document
                                           (a value of null removes the field).
The JWKS is also re-read from --jwks-file on every request when that file changes (the PowerShell side
may rotate either way).
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common as fc  # noqa: E402

JWKS_PATH = "/oauth/discovery/keys"
DISCOVERY_PATH = "/.well-known/openid-configuration"


class State:
    def __init__(self, jwks_file: str | None):
        self.lock = threading.Lock()
        self.jwks_file = jwks_file
        self.jwks_mtime = None
        self.jwks = {"keys": []}
        self.counts: dict[str, int] = {}
        self.total = 0
        self.delay = 0.0
        self.status: dict[str, int] = {}
        self.discovery_overrides: dict = {}
        self.redirect: dict[str, str] = {}
        self.reload_file()

    def reload_file(self) -> None:
        if not self.jwks_file or not os.path.exists(self.jwks_file):
            return
        mtime = os.stat(self.jwks_file).st_mtime_ns
        if mtime == self.jwks_mtime:
            return
        with open(self.jwks_file, "r", encoding="utf-8") as f:
            data = json.load(f)
        self.jwks = data if isinstance(data, dict) else {"keys": data}
        self.jwks_mtime = mtime


def discovery(issuer: str) -> dict:
    # Shape of https://gitlab.com/.well-known/openid-configuration
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "userinfo_endpoint": f"{issuer}/oauth/userinfo",
        "jwks_uri": f"{issuer}{JWKS_PATH}",
        "scopes_supported": ["api", "read_api", "read_user", "read_repository", "write_repository",
                             "read_registry", "write_registry", "sudo", "openid", "profile", "email"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials",
                                  "device_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claim_types_supported": ["normal"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "sub_legacy", "name", "nickname",
                             "preferred_username", "email", "email_verified", "website", "profile",
                             "picture", "groups", "groups_direct"],
        "code_challenge_methods_supported": ["plain", "S256"],
    }


def make_handler(state: State, get_issuer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nginx"
        sys_version = ""

        def log_message(self, format, *args):  # noqa: A002
            fc.log("%s %s" % (self.address_string(), format % args))

        def _send(self, code: int, obj=None, body: bytes | None = None, ctype="application/json; charset=utf-8",
                  location: str | None = None):
            if body is None:
                body = json.dumps(obj).encode("utf-8")
            self.send_response(code)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=0, private, must-revalidate")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            return json.loads(raw) if raw.strip() else {}

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            fc.touch()
            path = self.path.split("?", 1)[0]
            if path.startswith("/__control/"):
                return self._control_get(path)
            with state.lock:
                state.total += 1
                state.counts[path] = state.counts.get(path, 0) + 1
                delay = state.delay
                forced = state.status.get(path)
                redirect = state.redirect.get(path)
            if delay:
                time.sleep(delay)
            if redirect is not None:
                return self._send(302, {"redirect": redirect}, location=redirect)
            if forced:
                return self._send(forced, {"error": f"forced status {forced}"})
            if path == DISCOVERY_PATH:
                doc = discovery(get_issuer())
                with state.lock:
                    for k, v in state.discovery_overrides.items():
                        if v is None:
                            doc.pop(k, None)
                        else:
                            doc[k] = v
                return self._send(200, doc)
            if path == JWKS_PATH:
                with state.lock:
                    try:
                        state.reload_file()
                    except Exception as e:  # half-written file: serve the previous keys
                        fc.log(f"jwks reload failed: {e}")
                    jwks = state.jwks
                return self._send(200, jwks)
            return self._send(404, {"error": "404 Not Found"})

        def do_POST(self):
            fc.touch()
            path = self.path.split("?", 1)[0]
            try:
                body = self._body()
            except Exception as e:
                return self._send(400, {"error": f"bad json: {e}"})
            if path == "/__control/keys":
                with state.lock:
                    state.jwks = body if isinstance(body, dict) else {"keys": body}
                    state.jwks_file = None  # control endpoint wins from now on
                return self._send(200, {"ok": True, "kids": [k.get("kid") for k in state.jwks.get("keys", [])]})
            if path == "/__control/requests/reset":
                with state.lock:
                    state.counts.clear()
                    state.total = 0
                return self._send(200, {"ok": True})
            if path == "/__control/behavior":
                with state.lock:
                    if "delay" in body:
                        state.delay = float(body["delay"] or 0)
                    if "status" in body:
                        state.status = {k: int(v) for k, v in (body["status"] or {}).items()}
                    if "discovery" in body:
                        state.discovery_overrides = dict(body["discovery"] or {})
                    if "redirect" in body:
                        state.redirect = {k: str(v) for k, v in (body["redirect"] or {}).items()}
                return self._send(200, {"ok": True})
            with state.lock:
                state.total += 1
                state.counts[path] = state.counts.get(path, 0) + 1
            return self._send(405 if path in (JWKS_PATH, DISCOVERY_PATH) else 404, {"error": "not allowed"})

        def _control_get(self, path):
            if path == "/__control/health":
                return self._send(200, {"ok": True})
            if path == "/__control/requests":
                with state.lock:
                    return self._send(200, {"total": state.total, "paths": dict(state.counts)})
            if path == "/__control/keys":
                with state.lock:
                    return self._send(200, state.jwks)
            return self._send(404, {"error": "unknown control path"})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fc.add_common_args(parser)
    parser.add_argument("--jwks-file", default=None, help="JSON file holding {\"keys\": [...]}")
    parser.add_argument("--issuer", default=None, help="issuer URL to advertise (default http://127.0.0.1:PORT)")
    args = parser.parse_args()

    fc.redirect_output(args.log_file)
    fc.start_watchdogs(args)
    state = State(args.jwks_file)
    holder = {}
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, lambda: holder["issuer"]))
    server.daemon_threads = True
    port = server.server_address[1]
    holder["issuer"] = (args.issuer or f"http://127.0.0.1:{port}").rstrip("/")
    fc.log(f"oidc issuer {holder['issuer']} listening on 127.0.0.1:{port}")
    fc.write_ready(args.ready_file, port)
    server.serve_forever()


if __name__ == "__main__":
    main()
