"""Fixtures for the interpreter sessions of source/packets.rst.

A pytest plugin (root conftest.py): every fixture defined here appears in the
namespace of this lecture's sessions (sybil).
"""

from __future__ import annotations

import pytest

from tests.net import session_server
from tests.support import load_example


@pytest.fixture(scope="session")
def time_server_address():
    """(host, port) of a running UDP time server
    (examples/packets/udp_time_server.py), answering until the session ends."""
    udp_time_server = load_example("packets", "udp_time_server")
    with session_server(
        udp_time_server.serve, udp_time_server.make_server("127.0.0.1", 0)
    ) as running:
        yield running.address
