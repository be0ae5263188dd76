"""Serve one of the lecture's WSGI applications with wsgiref or waitress.

The same application runs unchanged under any WSGI server: that is the
point of WSGI. wsgiref comes with Python and is meant for learning and
testing; waitress (pip install waitress) is a production server in pure
Python. Here both get the same limits: TIMEOUT seconds for a slow client,
MAX_BODY bytes for a request body.

    python examples/wsgi/serve.py bookdb                      # wsgiref, :8080
    python examples/wsgi/serve.py rest_api --server waitress --port 0
    python examples/wsgi/serve.py protected    # rest_api behind middleware;
                                               # user student, password secret
"""

from __future__ import annotations

import argparse
import socketserver
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import bookdb
import hello_wsgi
import middleware
import rest_api

TIMEOUT = 10.0  # seconds a client may take to send its request
USERS = {"student": "secret"}  # for the "protected" application


def make_application(name: str):
    """The application called `name`, freshly made (empty REST store)."""
    if name == "hello":
        return hello_wsgi.hello_app
    if name == "bookdb":
        return bookdb.make_app()
    if name == "rest_api":
        return rest_api.make_app()
    if name == "protected":
        return middleware.protect(rest_api.make_app(), USERS)
    raise ValueError(f"no application {name!r}")


APPLICATIONS = ["hello", "bookdb", "rest_api", "protected"]


# [start:wsgiref]
class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per connection (a slow client
    no longer blocks everyone else)."""
    daemon_threads = True


def wsgiref_server(app, host, port, timeout=TIMEOUT):
    class TimeoutHandler(WSGIRequestHandler):
        pass

    TimeoutHandler.timeout = timeout  # for each connection's socket
    return make_server(host, port, app,
                       ThreadingWSGIServer, TimeoutHandler)
# [end:wsgiref]


# [start:waitress]
def waitress_server(app, host, port, timeout=TIMEOUT):
    import waitress  # pip install waitress

    return waitress.create_server(
        app, host=host, port=port, threads=4,
        channel_timeout=timeout, cleanup_interval=timeout,
        max_request_body_size=rest_api.MAX_BODY,
    )
# [end:waitress]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=APPLICATIONS)
    parser.add_argument("--server", choices=["wsgiref", "waitress"], default="wsgiref")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="seconds a client may take (default %(default)s)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    app = make_application(args.app)
    if args.server == "wsgiref":
        with wsgiref_server(app, args.host, args.port, args.timeout) as server:
            host, port = server.server_address[:2]
            print(f"{args.app} on wsgiref listening on {host}:{port}", flush=True)
            server.serve_forever()
    else:
        server = waitress_server(app, args.host, args.port, args.timeout)
        host, port = server.effective_host, server.effective_port
        print(f"{args.app} on waitress listening on {host}:{port}", flush=True)
        server.run()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
