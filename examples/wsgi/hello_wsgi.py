"""The smallest WSGI application, served by the standard library's wsgiref.

A WSGI application is a callable that takes two arguments: ``environ``, a
dict describing the request (CGI's variables plus a few ``wsgi.*`` keys),
and ``start_response``, a function it calls once with the status and the
headers. It returns an iterable of bytes: the body.

    python examples/wsgi/hello_wsgi.py              # on 127.0.0.1:8080
    python examples/wsgi/hello_wsgi.py --port 0     # any free port
    curl -i 'http://127.0.0.1:8080/?name=Ada'
"""

from __future__ import annotations

import argparse
import html
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server


# [start:hello]
def hello_app(environ, start_response):
    """Greet the person named in the query string (?name=...)."""
    query = parse_qs(environ.get("QUERY_STRING", ""))
    name = query.get("name", ["world"])[0]
    body = f"<p>Hello, {html.escape(name)}!</p>\n".encode()
    start_response("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])
    return [body]
# [end:hello]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    return parser.parse_args(argv)


# [start:main]
def main(argv=None):
    args = parse_args(argv)
    with make_server(args.host, args.port, hello_app) as server:
        host, port = server.server_address[:2]
        print(f"hello_wsgi listening on {host}:{port}", flush=True)
        server.serve_forever()
# [end:main]


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
