"""Fixtures for the interpreter sessions of source/concurrency.rst.

A pytest plugin (root conftest.py): every fixture defined here appears in
the namespace of this lecture's sessions, so a slide can talk to a running server
the way a student talks to one started in a second terminal.
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.guards import allow_long_lived
from tests.sessions_sockets import echo_server_address  # noqa: F401  (lecture 1's server, shown again)
from tests.support import load_example, start_example



@pytest.fixture(scope="session")
def thread_echo_address():
    """(host, port) of examples/concurrency/thread_echo.py, run as a student
    runs it in a second terminal: a process of its own, whose threads (one
    per client) outlive the session examples that connect to it."""
    with start_example("concurrency", "thread_echo", "--port", "0") as (process, address, _):
        allow_long_lived(pids=[process.pid])
        host, _, port = address.rpartition(":")
        yield host, int(port)


@pytest.fixture(scope="session")
def process_pools():
    """multiprocessing's resource tracker, a helper process that a 'spawn'
    process pool starts once and that lives as long as the interpreter."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    allow_long_lived(pids=[resource_tracker._resource_tracker._pid])


@pytest.fixture(scope="session")
def chat_address():
    """(host, port) of examples/concurrency/chat_server.py, on an event loop
    of its own in a background thread."""
    chat_server = load_example("concurrency", "chat_server")
    started = threading.Event()
    state: dict[str, object] = {}

    async def run() -> None:
        room, server = await chat_server.start("127.0.0.1", 0)
        state["loop"] = asyncio.get_running_loop()
        state["stop"] = stop = asyncio.Event()
        state["address"] = server.sockets[0].getsockname()[:2]
        started.set()
        async with server:
            await stop.wait()
            server.close()

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="chat-server", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    if not started.wait(10):
        raise RuntimeError("the chat server did not start")
    try:
        yield state["address"]
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(timeout=15)
