"""moto's server (what `python3 -m moto.server -H 127.0.0.1 -p PORT` runs), with the fixture watchdogs.

Same WSGI application and threading as moto.server.main, but it:
  * binds 127.0.0.1 on --port (0 = a free port chosen by the kernel, no race) and writes the port to
    --ready-file once the socket accepts;
  * exits when stdin closes (parent gone) or after --max-lifetime seconds.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_common as fc  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    fc.add_common_args(parser)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", dest="port_short", type=int, default=None)
    args = parser.parse_args()
    if args.port_short is not None:
        args.port = args.port_short
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("fixture servers bind loopback only")

    fc.redirect_output(args.log_file)
    fc.start_watchdogs(args)

    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True  # as moto.server.main

    def touching_app(environ, start_response):
        fc.touch()
        return app(environ, start_response)

    server = make_server(args.host, args.port, touching_app, threaded=True)
    port = server.socket.getsockname()[1]
    os.environ.setdefault("MOTO_PORT", str(port))
    fc.log(f"moto listening on http://{args.host}:{port}")
    fc.write_ready(args.ready_file, port)
    server.serve_forever()


if __name__ == "__main__":
    main()
