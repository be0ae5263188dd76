"""Fixtures for the interpreter sessions of source/async.rst.

A pytest plugin (root conftest.py): every fixture defined here appears in
the namespace of this lecture's sessions, so a slide can talk to a
running server the way a student talks to one started in a second terminal.
"""

from __future__ import annotations

import pytest

from tests.guards import allow_long_lived
from tests.net import handler_server, make_listener, session_server
from tests.support import load_example
from tests.support_async import loop_server


@pytest.fixture(scope="session")
def yield_echo_address():
    """(host, port) of examples/async/yield_echo.py, on its own scheduler
    in a background thread."""
    yield_echo = load_example("async", "yield_echo")
    with loop_server(yield_echo.serve) as running:
        allow_long_lived(threads=[running.thread])
        yield running.address


@pytest.fixture(scope="session")
def await_echo_address():
    """(host, port) of examples/async/await_echo.py, likewise."""
    await_echo = load_example("async", "await_echo")
    with loop_server(await_echo.serve) as running:
        allow_long_lived(threads=[running.thread])
        yield running.address


def _stay_silent(conn) -> None:
    """Read and ignore whatever comes, until the client closes."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass  # timed out or reset: the client is gone either way


@pytest.fixture(scope="session")
def silent_address():
    """(host, port) of a server that accepts connections and never answers
    (in class: ``nc -l 50113``), one client after another."""
    serve = handler_server(_stay_silent)
    with session_server(serve, make_listener(), max_clients=1000) as running:
        yield running.address[:2]

