"""Fixtures for the interpreter sessions of source/sockets.rst.

A pytest plugin (root conftest.py): every fixture defined here appears in the
namespace of this lecture's sessions (sybil), so a slide can talk to a
running server, and any test can use it too.
"""

from __future__ import annotations

import pytest

from tests.net import session_server
from tests.support import load_example


@pytest.fixture(scope="session")
def echo_server_address():
    """(host, port) of a running echo server (examples/sockets/echo_server.py),
    serving clients one after another until the test session ends."""
    echo_server = load_example("sockets", "echo_server")
    with session_server(echo_server.serve, echo_server.make_server("127.0.0.1", 0)) as running:
        yield running.address[:2]
