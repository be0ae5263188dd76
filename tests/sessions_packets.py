"""Fixtures for the interpreter sessions of source/packets.rst.

Loaded by the root conftest.py: the names in SESSION_FIXTURES appear in the
namespace of every lecture's sessions.
"""

from __future__ import annotations

import socket
import threading

import pytest

from tests.guards import allow_long_lived
from tests.support import load_example

SESSION_FIXTURES = ["time_server_address"]


@pytest.fixture(scope="session")
def time_server_address():
    """(host, port) of a running UDP time server
    (examples/packets/udp_time_server.py), answering until the session ends."""
    udp_time_server = load_example("packets", "udp_time_server")
    server = udp_time_server.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=udp_time_server.serve, args=(server,),
                              name="udp-time-server", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield server.getsockname()
    finally:
        try:
            server.shutdown(socket.SHUT_RDWR)  # recvfrom returns: serve stops
        except OSError:
            pass
        thread.join(timeout=10)
        server.close()
