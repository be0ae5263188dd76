"""The line echo server again, as ``async def`` tasks on the same scheduler.

The same Scheduler as yield_echo.py, unchanged; the same protocol
(linebuf.py). Only the tasks differ: coroutines that ``await`` where the
generators said ``yield from``. The awaitable that makes it work is the
Ready class of awaitables.py. Errors are handled as in yield_echo.py.

Run it, and talk to it with ``nc 127.0.0.1 50112``::

    python examples/async/await_echo.py
    python examples/async/await_echo.py --port 0
    python examples/async/await_echo.py --help
"""

from __future__ import annotations

import socket
import sys
import threading

from awaitables import accept, recv, send_all
from common import run_server
from linebuf import TOO_LONG_REPLY, LineBuffer, LineTooLong
from scheduler import Scheduler, log

DEFAULT_PORT = 50112
CHUNK_SIZE = 65536
LINGER_BYTES = 1024 * 1024


# [start:handle]
async def handle(conn: socket.socket) -> None:
    """One coroutine per client: the generator, with awaits."""
    lines = LineBuffer()
    with conn:
        try:
            while data := await recv(conn, CHUNK_SIZE):
                await send_all(conn, lines.feed(data))
            await send_all(conn, lines.pending)  # a last partial line
        except LineTooLong:
            await refuse(conn)
        except ConnectionError as error:
            log(f"client lost: {error}")
# [end:handle]


async def refuse(conn: socket.socket) -> None:
    """Send the error and our end of stream; read what still comes."""
    try:
        await send_all(conn, TOO_LONG_REPLY)
        conn.shutdown(socket.SHUT_WR)
        left = LINGER_BYTES
        while left > 0 and (data := await recv(conn, CHUNK_SIZE)):
            left -= len(data)
    except ConnectionError:
        pass


# [start:serve_clients]
async def serve_clients(sched: Scheduler,
                        server: socket.socket) -> None:
    while True:
        try:
            conn = await accept(server)
        except (BlockingIOError, ConnectionAbortedError):
            continue
        sched.spawn(handle(conn), name=f"client {conn.fileno()}")
# [end:serve_clients]


def serve(server: socket.socket,
          stop: threading.Event | None = None) -> None:
    """Serve on server until stop is set (or forever)."""
    server.setblocking(False)
    sched = Scheduler()
    sched.spawn(serve_clients(sched, server), name="accept")
    try:
        sched.run(stop)
    finally:
        sched.close()


def main(argv: list[str] | None = None) -> int:
    return run_server(serve, "Await echo server",
                      "A line echo server: async def tasks on a "
                      "hand-built scheduler.", DEFAULT_PORT, argv)


if __name__ == "__main__":
    sys.exit(main())
