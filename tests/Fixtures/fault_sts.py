"""A fault-injecting STS on loopback: a proxy in front of moto that answers from a script.

Every request that is not a control request is an "STS request": it is counted (total and per Action,
the Action being read from the form body or the query string), then it consumes the first script entry
whose optional "action" matches (or has none). No entry: the default fault applies ("pass" unless set).

IAM reads (Test-GitlabOidcRole -FromIam with AWS_ENDPOINT_URL_IAM here) pass through like STS requests; an error fault
scripted with "action": "GetRole" (or "GetOpenIDConnectProvider") answers IAM's ErrorResponse namespace, e.g.
{"fault": "AccessDenied", "action": "GetRole", "message": "... not authorized to perform: iam:GetRole ..."}.

Script entries (JSON objects):
  {"fault": NAME}                   a fault of the catalog (see "Faults" below)
  "count": n                        the entry applies to n requests (default 1)
  "action": "GetCallerIdentity"     only requests with this Action consume the entry
  "delay": s                        sleep s seconds before answering (any fault, including pass)
  "message": "..."                  override the STS error message
  "status": 4xx                     override the HTTP status
  "seconds": s                      for "hang": how long to hold the connection (default 30)
  "omit": ["Expiration", ...]       for "missingfields": elements removed from the success XML
  "body": "...", "contentType": ".." override the response body (any fault except pass/reset/hang)

Faults: the catalog data/faults.json (name, what is answered, and what GitlabSts is expected to do).
Faults with an "error" answer that STS ErrorResponse; the others are implemented below by name, and the
server refuses to start when the catalog names a fault it does not implement.

Control (not counted):
  GET  /__fault/health      {"ok": true, "upstream": URL, "faults": [catalog names]}
  POST /__fault/script      body [entries] or {"script": [entries], "default": entry-or-name, "append": bool}
  GET  /__fault/script      the remaining script and default
  GET  /__fault/stats       {"total", "actions": {Action: n}, "faults": {fault: n}, "remaining", "requests": [...]}
  POST /__fault/reset       clears script, default and stats
"""
import argparse
import http.client
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common as fc  # noqa: E402

CATALOG_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "faults.json")
# Faults answered by code of their own below (the others answer the catalog's ErrorResponse).
IMPLEMENTED = {"pass", "http502", "hang", "reset", "truncated", "truncatedxml", "notxml", "empty", "missingfields"}


def load_catalog(path: str = CATALOG_FILE) -> tuple[list[str], dict]:
    """(fault names in catalog order, {name: (HTTP status, Code, Type, message or None)} for the error faults)."""
    with open(path, encoding="utf-8") as f:
        faults = json.load(f)["faults"]
    names = [f["name"] for f in faults]
    errors = {f["name"]: (f["status"], f["error"]["code"], f["error"]["type"], f["error"].get("message"))
              for f in faults if f.get("error")}
    missing = [n for n in names if n not in errors and n not in IMPLEMENTED]
    if missing:
        raise SystemExit(f"{path} names faults fault_sts.py does not implement: {', '.join(missing)}")
    return names, errors


FAULTS, STS_ERRORS = load_catalog()
CASE_MAP = {f.lower(): f for f in FAULTS}

SUCCESS_TEMPLATE = """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>project_path:acme/infra:ref_type:branch:ref:main</SubjectFromWebIdentityToken>
    <Audience>https://gitlab.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/gitlab-deployer/{session}</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:{session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>{expiration}</Expiration>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>gitlab.com</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>{request_id}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"""

HTML_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
HTML_200 = ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
            "<body><h1>Captive portal</h1><p>This is not STS.</p></body></html>\n")


# IAM Query actions (Test-GitlabOidcRole -FromIam): their errors carry IAM's namespace, as IAM's own do.
IAM_ACTIONS = {"GetRole", "GetOpenIDConnectProvider"}


def error_xml(code: str, typ: str, message: str, request_id: str, action: str = "") -> str:
    ns = "https://iam.amazonaws.com/doc/2010-05-08/" if action in IAM_ACTIONS else "https://sts.amazonaws.com/doc/2011-06-15/"
    return (f'<ErrorResponse xmlns="{ns}">\n'
            "  <Error>\n"
            f"    <Type>{typ}</Type>\n"
            f"    <Code>{escape(code)}</Code>\n"
            f"    <Message>{escape(message)}</Message>\n"
            "  </Error>\n"
            f"  <RequestId>{request_id}</RequestId>\n"
            "</ErrorResponse>\n")


def normalize(entry) -> dict:
    if isinstance(entry, str):
        entry = {"fault": entry}
    if not isinstance(entry, dict) or "fault" not in entry:
        raise ValueError(f"script entry needs a 'fault': {entry!r}")
    name = CASE_MAP.get(str(entry["fault"]).lower())
    if name is None:
        raise ValueError(f"unknown fault {entry['fault']!r}; known: {', '.join(FAULTS)}")
    entry = dict(entry)
    entry["fault"] = name
    entry["count"] = int(entry.get("count", 1))
    if entry["count"] < 1:
        raise ValueError("count must be >= 1")
    return entry


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.script: list[dict] = []
        self.default = {"fault": "pass", "count": 1}
        self.total = 0
        self.actions: dict[str, int] = {}
        self.faults: dict[str, int] = {}
        self.requests: list[dict] = []

    def take(self, action: str) -> dict:
        """Count the request and consume the script entry for it (under the lock)."""
        with self.lock:
            self.total += 1
            self.actions[action] = self.actions.get(action, 0) + 1
            chosen = self.default
            for i, e in enumerate(self.script):
                if e.get("action") in (None, "", action):
                    chosen = dict(e)
                    e["count"] -= 1
                    if e["count"] <= 0:
                        del self.script[i]
                    break
            name = chosen["fault"]
            self.faults[name] = self.faults.get(name, 0) + 1
            self.requests.append({"n": self.total, "action": action, "fault": name,
                                  "time": round(time.time(), 3)})
            if len(self.requests) > 1000:
                del self.requests[:-1000]
            return chosen


def make_handler(state: State, upstream: str):
    up = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Server"
        sys_version = ""

        def log_message(self, format, *args):  # noqa: A002
            fc.log("%s %s" % (self.address_string(), format % args))

        # ---- helpers -------------------------------------------------------------------------
        def _read_body(self) -> bytes:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None,
                  content_length: int | None = None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body) if content_length is None else content_length))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
                self.wfile.flush()

        def _json(self, code: int, obj):
            self._send(code, json.dumps(obj).encode("utf-8"), "application/json")

        def _drop(self, rst: bool):
            """Close the client connection; with rst, abort it (TCP RST) instead of a clean FIN."""
            try:
                if rst:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self.connection.close()
            except OSError:
                pass
            self.close_connection = True

            class _Null:
                def write(self, *_):
                    return 0

                def flush(self):
                    pass

                def close(self):
                    pass

            self.wfile = _Null()

        def _upstream(self, body: bytes):
            conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "keep-alive", "proxy-connection",
                                                "transfer-encoding", "content-length")}
                headers["Content-Length"] = str(len(body))
                path = (up.path.rstrip("/") + self.path) if up.path not in ("", "/") else self.path
                conn.request(self.command, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                hdrs = {k: v for k, v in resp.getheaders()
                        if k.lower() not in ("connection", "keep-alive", "transfer-encoding",
                                             "content-length", "content-type", "server", "date")}
                return resp.status, resp.getheader("Content-Type", "text/xml"), data, hdrs
            finally:
                conn.close()

        # ---- dispatch ------------------------------------------------------------------------
        def do_GET(self):
            self._handle()

        def do_POST(self):
            self._handle()

        def do_PUT(self):
            self._handle()

        def do_DELETE(self):
            self._handle()

        def do_HEAD(self):
            self._handle()

        def _handle(self):
            fc.touch()
            path = self.path.split("?", 1)[0]
            body = self._read_body()
            if path.startswith("/__fault/"):
                return self._control(path, body)

            form = parse_qs(body.decode("utf-8", "replace"))
            action = ((form.get("Action") or [None])[0]
                      or (parse_qs(urlsplit(self.path).query).get("Action") or [None])[0]
                      or "(none)")
            entry = state.take(action)
            fault = entry["fault"]
            request_id = str(uuid.uuid4())
            if entry.get("delay"):
                time.sleep(float(entry["delay"]))

            if fault == "pass":
                return self._pass(body)
            if fault == "hang":
                time.sleep(float(entry.get("seconds", 30)))
                return self._drop(rst=False)
            if fault == "reset":
                return self._drop(rst=True)

            if "body" in entry:
                data = str(entry["body"]).encode("utf-8")
                return self._send(int(entry.get("status", 200)), data, entry.get("contentType", "text/xml"),
                                  {"x-amzn-RequestId": request_id})

            if fault in STS_ERRORS:
                status, code, typ, msg = STS_ERRORS[fault]
                if fault == "ExpiredTokenException" and msg is None:
                    now = int(time.time())
                    msg = (f"Token expired: current date/time {now} must be before the expiration "
                           f"date/time{now - 60}")
                msg = entry.get("message", msg)
                status = int(entry.get("status", status))
                data = error_xml(code, typ, msg, request_id, action).encode("utf-8")
                return self._send(status, data, "text/xml", {"x-amzn-RequestId": request_id})
            if fault == "http502":
                return self._send(int(entry.get("status", 502)), HTML_502.encode(), "text/html")
            if fault == "notxml":
                return self._send(int(entry.get("status", 200)), HTML_200.encode(), "text/html; charset=utf-8")
            if fault == "empty":
                return self._send(int(entry.get("status", 200)), b"", "text/xml",
                                  {"x-amzn-RequestId": request_id})

            session = escape((form.get("RoleSessionName") or ["session"])[0])
            expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            full = SUCCESS_TEMPLATE.format(session=session, expiration=expiration,
                                           request_id=request_id).encode("utf-8")
            if fault == "truncated":
                self._send(200, full[: len(full) // 2], "text/xml",
                           {"x-amzn-RequestId": request_id}, content_length=len(full))
                return self._drop(rst=False)
            if fault == "truncatedxml":
                return self._send(200, full[: len(full) // 2], "text/xml", {"x-amzn-RequestId": request_id})
            if fault == "missingfields":
                omit = entry.get("omit") or ["Expiration"]
                try:
                    status, ctype, data, hdrs = self._upstream(body)
                    text = data.decode("utf-8")
                    if status != 200 or "Credentials" not in text:
                        text = full.decode("utf-8")
                except OSError:
                    text, hdrs = full.decode("utf-8"), {}
                for name in omit:
                    name = name.split("/")[-1]
                    text = re.sub(rf"\s*<{re.escape(name)}(\s[^>]*)?>.*?</{re.escape(name)}>", "",
                                  text, flags=re.S)
                    text = re.sub(rf"\s*<{re.escape(name)}(\s[^>]*)?/>", "", text)
                return self._send(200, text.encode("utf-8"), "text/xml", {"x-amzn-RequestId": request_id})
            return self._json(500, {"error": f"fault {fault} not implemented"})

        def _pass(self, body: bytes):
            try:
                status, ctype, data, hdrs = self._upstream(body)
            except OSError as e:
                fc.log(f"upstream {upstream} failed: {e}")
                return self._send(502, f"upstream {upstream} unreachable: {e}".encode(), "text/plain")
            self._send(status, data, ctype, hdrs)

        def _control(self, path: str, body: bytes):
            try:
                payload = json.loads(body) if body.strip() else None
            except ValueError as e:
                return self._json(400, {"error": f"bad json: {e}"})
            try:
                if path == "/__fault/health":
                    return self._json(200, {"ok": True, "upstream": upstream, "faults": FAULTS})
                if path == "/__fault/stats":
                    with state.lock:
                        return self._json(200, {
                            "total": state.total, "actions": dict(state.actions), "faults": dict(state.faults),
                            "remaining": sum(e["count"] for e in state.script),
                            "requests": list(state.requests)})
                if path == "/__fault/reset" and self.command == "POST":
                    with state.lock:
                        state.reset()
                    return self._json(200, {"ok": True})
                if path == "/__fault/script":
                    if self.command == "GET":
                        with state.lock:
                            return self._json(200, {"script": list(state.script), "default": state.default})
                    if isinstance(payload, dict):
                        entries = payload.get("script") or []
                        default = payload.get("default")
                        append = bool(payload.get("append"))
                    else:
                        entries, default, append = payload or [], None, False
                    entries = [normalize(e) for e in entries]
                    default = normalize(default) if default else None
                    with state.lock:
                        state.script = (state.script + entries) if append else entries
                        if default:
                            state.default = default
                        elif not append:
                            state.default = {"fault": "pass", "count": 1}
                        return self._json(200, {"ok": True, "remaining": sum(e["count"] for e in state.script),
                                                "default": state.default["fault"]})
                return self._json(404, {"error": "unknown control path"})
            except ValueError as e:
                return self._json(400, {"error": str(e)})

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fc.add_common_args(parser)
    parser.add_argument("--upstream", required=True, help="URL of the real (moto) STS to proxy to")
    args = parser.parse_args()

    fc.redirect_output(args.log_file)
    fc.start_watchdogs(args)
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, args.upstream.rstrip("/")))
    server.daemon_threads = True
    port = server.server_address[1]
    fc.log(f"fault sts listening on 127.0.0.1:{port}, upstream {args.upstream}")
    fc.write_ready(args.ready_file, port)
    server.serve_forever()


if __name__ == "__main__":
    main()
