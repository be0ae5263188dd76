"""``async``/``await`` on the hand-built scheduler of scheduler.py.

``await x`` runs x.__await__(), a generator, and passes everything it
yields up to whoever drives the coroutine: here the Scheduler, which
already knows what to do with ("read", sock). So one small class with an
__await__ that yields a request is all it takes for ``async def`` tasks
to run on the loop we built, next to the generator tasks. This module is
imported by await_echo.py.
"""

from __future__ import annotations

import socket


# [start:ready]
class Ready:
    """``await Ready("read", sock)``: wait until sock is readable."""

    def __init__(self, kind: str, sock: socket.socket) -> None:
        self.kind = kind
        self.sock = sock

    def __await__(self):
        yield (self.kind, self.sock)  # to the scheduler, and back
# [end:ready]


# [start:helpers]
async def recv(sock: socket.socket, size: int) -> bytes:
    await Ready("read", sock)
    return sock.recv(size)


async def send_all(sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    while view:
        await Ready("write", sock)
        view = view[sock.send(view):]
# [end:helpers]


async def accept(server: socket.socket) -> socket.socket:
    """Wait for a client; return its non-blocking socket."""
    await Ready("read", server)
    conn, _ = server.accept()
    conn.setblocking(False)
    return conn
