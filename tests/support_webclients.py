"""Helpers for lecture 5's tests and sessions (tests/test_webclients*.py,
tests/sessions_webclients.py): servers from socketserver in a thread, and
httpbin on loopback.

    serving(server)        run an http.server/socketserver server in a
                           thread; yield its base URL; shut it down after
    httpbin_server()       a WSGI server for httpbin's Flask app on
                           127.0.0.1, one request at a time, HTTP/1.0
    silent_listener()      a socket that accepts connections (the kernel
                           does) and never answers: for timeouts
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import BaseServer
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from tests.net import LOOPBACK, SOCKET_TIMEOUT, serving_forever


@contextmanager
def serving(server: BaseServer, long_lived: bool = False) -> Iterator[str]:
    """Run server.serve_forever() in a thread; yield "http://host:port".

    On exit the server is shut down, closed and its thread joined.
    ``long_lived``: the thread belongs to a session-wide fixture."""
    with serving_forever(server, long_lived) as (host, port):
        yield f"http://{host}:{port}"


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler, without a log line per request, with a timeout."""

    timeout = SOCKET_TIMEOUT

    def log_message(self, format: str, *args: object) -> None:
        pass


def httpbin_server() -> WSGIServer:
    """httpbin (the real one, a Flask app) behind the standard library's
    WSGI server on 127.0.0.1 at a free port.  wsgiref answers in HTTP/1.0
    and closes each connection, so no thread waits on a kept-alive one."""
    import logging

    # httpbin says at import that its optional Swagger UI is not installed
    logging.getLogger("httpbin").setLevel(logging.ERROR)
    logging.getLogger("httpbin.core").setLevel(logging.ERROR)
    try:
        import httpbin
    except ImportError:  # not a skip: the lecture's sessions need it
        raise AssertionError(
            "httpbin is not installed: python -m pip install --no-deps"
            " -r examples/webclients/requirements-httpbin.txt"
        ) from None

    server = WSGIServer((LOOPBACK, 0), QuietHandler)
    server.set_app(httpbin.app)
    return server


@contextmanager
def silent_listener() -> Iterator[str]:
    """Yield the URL of a socket that listens but never accepts: the
    kernel completes the connection, and then nothing ever answers."""
    with socket.socket() as listener:
        listener.bind((LOOPBACK, 0))
        listener.listen(16)
        host, port = listener.getsockname()
        yield f"http://{host}:{port}"
