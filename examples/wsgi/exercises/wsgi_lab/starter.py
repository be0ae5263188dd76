"""Lab: add an endpoint and a middleware to the book application.

1. ``search``: GET /search?q=WORDS answers an HTML page (bookdb's
   html_page) titled "Search", listing as links the books whose title
   contains WORDS, ignoring case, titles escaped for HTML. Without q, or
   with an empty one: 400 Bad Request (a page saying so).
2. ``head_middleware(app)``: a HEAD request gets the status and the
   headers a GET would get (Content-Length included) and no body at all.
   wsgiref sends whatever body the application returns, even to HEAD;
   HTTP forbids it (RFC 9110, 9.3.2).

Run the tests with ``COURSE_IMPL=starter python -m pytest
tests/test_wsgi_exercises.py -k Lab``, and try it by hand:

    python examples/wsgi/exercises/wsgi_lab/starter.py --port 8080
    curl -i 'http://127.0.0.1:8080/search?q=python'
    curl -I http://127.0.0.1:8080/
"""

from __future__ import annotations

import argparse
import sys
from html import escape
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # examples/wsgi

import bookdb  # noqa: E402


def search(environ, start_response, books=bookdb.BOOKS):
    """GET /search?q=...: the books whose title contains q."""
    # TODO: read q from the query string (parse_qs); without it,
    # answer 400; else a page (bookdb.html_page) listing the
    # matching titles as links, escaped.
    raise NotImplementedError("search")


def head_middleware(app):
    """Answer HEAD as GET would, without the body."""
    # TODO: return a WSGI application that calls app, and for HEAD
    # requests returns an empty body (after closing app's body).
    return app


# Given: the application with the lab's pieces in place, and the server.

def make_app(books=bookdb.BOOKS):
    router = bookdb.make_app(books)
    router.route("GET", "/search")(
        lambda environ, start_response: search(environ, start_response, books))
    return head_middleware(router)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    args = parser.parse_args(argv)
    with make_server(args.host, args.port, make_app()) as server:
        host, port = server.server_address[:2]
        print(f"wsgi lab listening on {host}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
