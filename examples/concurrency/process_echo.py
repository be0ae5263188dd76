"""Design 2a: the line echo server with one process per connection, by hand.

Like thread_echo.py, but each client gets a child *process*
(multiprocessing.Process). Processes share no memory and each has its own
interpreter and its own GIL, so CPU-heavy handlers really run in parallel;
the price is a fork per connection, more memory, and children to reap:
a child that has ended stays a "zombie" (an entry in the process table)
until its parent waits for it. accept() gives up every REAP_EVERY seconds
so that the loop can reap them even when no client comes.

The child is created with fork, so it inherits the connected socket
(Unix only). Run it::

    python examples/concurrency/process_echo.py --port 0
    python examples/concurrency/process_echo.py --help
"""

from __future__ import annotations

import multiprocessing
import socket
import sys
import time

from service import IDLE_TIMEOUT, Shortage, echo_lines, run_blocking_server

DEFAULT_PORT = 50043
NAME = "process echo"
REAP_EVERY = 0.5  # seconds: how long an ended child may stay a zombie

# fork: the child starts as a copy of this process, open sockets included.
FORK = multiprocessing.get_context("fork")


# [start:serve]
def serve(server: socket.socket,
          timeout: float = IDLE_TIMEOUT) -> None:
    """Accept clients forever; each gets a child process."""
    server.settimeout(REAP_EVERY)  # accept() gives up now and then
    shortage = Shortage(NAME)  # of file descriptors
    try:
        while True:
            multiprocessing.active_children()  # reaps ended children
            try:
                conn, address = server.accept()
            except TimeoutError:
                continue  # nobody came: just reap
            except OSError as exc:
                shortage.wait(exc)
                continue
            with conn:  # the child gets its own copy of the socket
                start_child(conn, timeout, shortage)
    finally:
        stop_children()


def handle(conn: socket.socket, timeout: float) -> None:
    """What runs in the child: serve one client, then exit."""
    try:
        with conn:
            echo_lines(conn, timeout)
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group: exit quietly
# [end:serve]


def start_child(conn: socket.socket, timeout: float,
                shortage: Shortage) -> None:
    """Fork a child that serves conn. The parent keeps a descriptor per
    child, so it too can run out: then wait for children to end."""
    while True:
        try:
            child = FORK.Process(target=handle, args=(conn, timeout))
            child.start()
            shortage.over()
            return
        except OSError as exc:
            shortage.wait(exc)
            multiprocessing.active_children()  # reap, to free some


def stop_children(grace: float = 1.0) -> None:
    """Give the children `grace` seconds to finish, then stop them."""
    deadline = time.monotonic() + grace
    for child in multiprocessing.active_children():
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.terminate()
            child.join()


def main(argv: list[str] | None = None) -> int:
    return run_blocking_server(
        serve,
        "Process echo server",
        "A line echo server: one process per connection.",
        DEFAULT_PORT,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
