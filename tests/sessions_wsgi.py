"""Fixtures for the interpreter sessions of source/wsgi.rst.

A pytest plugin (root conftest.py): every fixture here is in the
namespace of this lecture's sessions. Each is a server in a background
thread on 127.0.0.1 at a port the operating system picks, for the whole
test session; hidden blocks in the lecture give them the names the
slides use.
"""

from __future__ import annotations


import pytest

from tests.net import serving_forever
from tests.support import load_example


def serve_in_thread(server):
    """Run a socketserver-style server (serve_forever) until the session ends."""
    with serving_forever(server, long_lived=True) as address:
        yield address


@pytest.fixture(scope="session")
def wsgi_cgi_launcher_address():
    """(host, port) of examples/wsgi/cgi_launcher.py serving cgi-bin/."""
    launcher = load_example("wsgi", "cgi_launcher")
    yield from serve_in_thread(launcher.make_server("127.0.0.1", 0))


@pytest.fixture(scope="session")
def wsgi_rest_api_address():
    """(host, port) of the REST service (rest_api.py) under wsgiref,
    with an empty store at the start of the session."""
    serve = load_example("wsgi", "serve")
    rest_api = load_example("wsgi", "rest_api")
    yield from serve_in_thread(serve.wsgiref_server(rest_api.make_app(), "127.0.0.1", 0))
