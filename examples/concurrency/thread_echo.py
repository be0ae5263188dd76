"""Design 1a: the line echo server with one thread per connection, by hand.

The accept loop is lecture 1's, with one change: instead of serving the
client itself, the loop starts a thread that does, and goes straight back
to accept(). Blocking calls are fine in a thread: while one thread waits in
recv(), the others run. Run it, then connect several clients at once::

    python examples/concurrency/thread_echo.py --port 0
    python examples/concurrency/thread_echo.py --help
    nc 127.0.0.1 50041          # in two terminals at the same time
"""

from __future__ import annotations

import socket
import sys
import threading

from service import IDLE_TIMEOUT, accept, echo_lines, hang_up, run_blocking_server

DEFAULT_PORT = 50041
NAME = "thread echo"


# [start:serve]
def serve(server: socket.socket,
          timeout: float = IDLE_TIMEOUT) -> None:
    """Accept clients forever; each gets a thread of its own."""
    clients: dict[threading.Thread, socket.socket] = {}
    try:
        while True:
            conn, address = accept(server, NAME)
            thread = threading.Thread(
                target=handle, args=(conn, timeout), daemon=True
            )
            thread.start()
            clients = {t: c for t, c in clients.items()
                       if t.is_alive()}  # forget finished ones
            clients[thread] = conn
    finally:  # the listening socket was closed, or Ctrl-C
        for thread, conn in clients.items():
            hang_up(conn)  # even a silent client's thread ends now
            thread.join(timeout)


def handle(conn: socket.socket, timeout: float) -> None:
    """One thread's work: serve one client, then close its socket."""
    with conn:
        echo_lines(conn, timeout)
# [end:serve]


def main(argv: list[str] | None = None) -> int:
    return run_blocking_server(
        serve,
        "Thread echo server",
        "A line echo server: one thread per connection.",
        DEFAULT_PORT,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
