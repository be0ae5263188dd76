"""The line echo server on the hand-built scheduler: one generator per client.

Each client is served by a generator, handle(), that reads like the
blocking server of lecture 1, except that every wait is a ``yield``
(inside the helpers recv, send_all and accept of scheduler.py). The
scheduler runs them all in one thread.

* a line longer than 8192 bytes gets ``error: line too long (max 8192
  bytes)``, then the server hangs up (after reading what the client still
  sends, so that the reply is not lost to a reset);
* a last line without its b"\n" is echoed when the client ends its side
  (so lecture 1's echo_client.py works too);
* a client that vanishes mid-line, or resets, ends its own task only;
* Ctrl-C or SIGTERM cancels every task: each closes its socket.

It has no idle timeout (the scheduler has no timers: that is the lab).

Run it, and talk to it with ``nc 127.0.0.1 50111``::

    python examples/async/yield_echo.py
    python examples/async/yield_echo.py --port 0
    python examples/async/yield_echo.py --help
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Generator

from common import run_server
from linebuf import TOO_LONG_REPLY, LineBuffer, LineTooLong
from scheduler import Scheduler, accept, log, recv, send_all

DEFAULT_PORT = 50111
CHUNK_SIZE = 65536
LINGER_BYTES = 1024 * 1024  # read at most this much after refusing


# [start:echo_lines]
def echo_lines(conn: socket.socket) -> Generator:
    """Echo each complete line until the client closes."""
    lines = LineBuffer()
    while True:
        data = yield from recv(conn, CHUNK_SIZE)
        if not data:  # the client is done: echo a last partial line
            yield from send_all(conn, lines.pending)
            return
        yield from send_all(conn, lines.feed(data))
# [end:echo_lines]


# [start:handle]
def handle(conn: socket.socket) -> Generator:
    """One task per client; what goes wrong ends this task only."""
    with conn:
        try:
            yield from echo_lines(conn)
        except LineTooLong:
            yield from refuse(conn)
        except ConnectionError as error:  # reset, broken pipe
            log(f"client lost: {error}")
# [end:handle]


# [start:refuse]
def refuse(conn: socket.socket) -> Generator:
    """Send the error, then our end of stream; read what the client
    still sends, so that closing does not reset the reply away."""
    try:
        yield from send_all(conn, TOO_LONG_REPLY)
        conn.shutdown(socket.SHUT_WR)
        left = LINGER_BYTES
        while left > 0:
            data = yield from recv(conn, CHUNK_SIZE)
            if not data:  # the client closed: we are done
                break
            left -= len(data)
    except ConnectionError:
        pass  # the client reset first: nothing more to do
# [end:refuse]


# [start:serve_clients]
def serve_clients(sched: Scheduler,
                  server: socket.socket) -> Generator:
    """Accept forever; each client becomes a task of its own."""
    while True:
        try:
            conn = yield from accept(server)
        except (BlockingIOError, ConnectionAbortedError):
            continue  # the client left before we accepted it
        sched.spawn(handle(conn), name=f"client {conn.fileno()}")
# [end:serve_clients]


# [start:serve]
def serve(server: socket.socket,
          stop: threading.Event | None = None) -> None:
    """Serve on server until stop is set (or forever)."""
    server.setblocking(False)
    sched = Scheduler()
    sched.spawn(serve_clients(sched, server), name="accept")
    try:
        sched.run(stop)
    finally:
        sched.close()  # cancels every client task: sockets closed
# [end:serve]


def main(argv: list[str] | None = None) -> int:
    return run_server(serve, "Yield echo server",
                      "A line echo server: generator tasks on a "
                      "hand-built scheduler.", DEFAULT_PORT, argv)


if __name__ == "__main__":
    sys.exit(main())
