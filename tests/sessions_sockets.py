"""Fixtures for the interpreter sessions of source/sockets.rst.

Every ``tests/sessions_<lecture>.py`` is loaded by the root conftest.py; the
names in its SESSION_FIXTURES appear in the namespace of every lecture's
sessions (sybil), so a slide can talk to a running server.
"""

from __future__ import annotations

import socket
import threading

import pytest

from tests.guards import allow_long_lived
from tests.support import load_example

SESSION_FIXTURES = ["echo_server_address"]


@pytest.fixture(scope="session")
def echo_server_address():
    """(host, port) of a running echo server (examples/sockets/echo_server.py).

    It serves clients one after another in a background thread until the
    test session ends.
    """
    echo_server = load_example("sockets", "echo_server")
    server = echo_server.make_server("127.0.0.1", 0)
    thread = threading.Thread(
        target=_serve_until_closed, args=(echo_server, server), name="echo-server", daemon=True
    )
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield server.getsockname()[:2]
    finally:
        # shutdown() wakes the accept() blocked in the thread; close() alone does not on Linux
        try:
            server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        server.close()
        thread.join(timeout=10)


def _serve_until_closed(echo_server, server) -> None:
    try:
        echo_server.serve(server)
    except OSError:
        pass  # the listening socket was closed: the session is over
