"""Test helpers for lecture 11 (async) only.

    loop_server(serve)   run serve(listener, stop) in a thread, where serve
                         is an event-loop server of examples/async (or of
                         an exercise) that returns once `stop` is set;
                         yields a Running (.address, .thread); on exit
                         sets stop, joins the thread and raises what
                         serve raised
    LineClient           a blocking line client with a timeout
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.net import SOCKET_TIMEOUT, connect, make_listener


@dataclass
class Running:
    address: tuple[str, int]
    thread: threading.Thread


@contextmanager
def loop_server(
    serve: Callable[..., object], *args: object, **kwargs: object
) -> Iterator[Running]:
    listener = make_listener()
    stop = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            serve(listener, stop, *args, **kwargs)
        except BaseException as exc:  # reported on exit
            errors.append(exc)

    thread = threading.Thread(target=run, name="loop-server", daemon=True)
    with listener:
        thread.start()
        try:
            yield Running(listener.getsockname()[:2], thread)
        finally:
            stop.set()
            thread.join(SOCKET_TIMEOUT + 1)
    if thread.is_alive():
        raise AssertionError("the event-loop server did not stop")
    if errors:
        raise AssertionError(f"the server failed: {errors[0]!r}") from errors[0]


class LineClient:
    """A client of a line server: send bytes, read one line back."""

    def __init__(self, address: tuple[str, int], timeout: float = SOCKET_TIMEOUT) -> None:
        self.sock = connect(address, timeout)
        self.file = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        return self.file.readline()

    def ask(self, data: bytes) -> bytes:
        self.send(data)
        return self.line()

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self) -> LineClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def wait_closed(sock: socket.socket, timeout: float = SOCKET_TIMEOUT) -> bytes:
    """Read until the server closes; return what came (the test fails on
    a timeout, i.e. a server that does not close)."""
    sock.settimeout(timeout)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
