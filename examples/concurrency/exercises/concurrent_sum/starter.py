"""Lab: serve many clients at the same time (starter).

The server below adds up the integers of each line a client sends:

    1 2 3       ->  6
    40 2        ->  42
    one two     ->  error: expected integers, like 1 2 3

It is complete and correct, with one flaw: it serves one client at a
time. While one client is connected, even a silent one, every other
client waits in the backlog.

Your task: change serve() (marked TODO) so that each client is served in
a thread of its own, while the loop goes straight back to accept(). Keep
its contract: after max_clients clients, serve() returns once their
threads have finished. Nothing else needs to change: handle_client is
already safe to run in many threads at once (why?).

Check your work with the tests, then by hand with two nc sessions::

    COURSE_IMPL=starter python -m pytest tests/test_concurrency_exercises.py -k ConcurrentSum
    python examples/concurrency/exercises/concurrent_sum/starter.py
    nc 127.0.0.1 50048       # in two terminals at once
"""

import argparse
import re
import socket
import sys
import threading  # you will need it

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50048
MAX_LINE = 1024  # bytes in one request, not counting the b"\n"
TIMEOUT = 10.0  # seconds a client may stay silent
INTEGER = re.compile(rb"[+-]?[0-9]+")  # ASCII digits only: no "1_000"


def log(message: str) -> None:
    """Report what the server does on stderr (stdout is for the address)."""
    print(f"[adder] {message}", file=sys.stderr, flush=True)


def add_up(line: bytes) -> bytes:
    """The reply to one request: the sum of its integers, or an error."""
    words = line.split()
    if not words or not all(INTEGER.fullmatch(word) for word in words):
        return b"error: expected integers, like 1 2 3\n"
    return f"{sum(int(word) for word in words)}\n".encode()


def handle_client(conn: socket.socket, timeout: float = TIMEOUT) -> None:
    """Answer each line one client sends, until it closes or goes silent."""
    conn.settimeout(timeout)
    try:
        with conn.makefile("rb") as requests:
            while line := requests.readline(MAX_LINE + 1):
                if not line.endswith(b"\n"):  # cut short, or too long
                    conn.sendall(b"error: line too long or incomplete\n")
                    return
                conn.sendall(add_up(line))
    except TimeoutError:
        log(f"client silent for {timeout} s: dropping it")
    except ConnectionError as exc:  # reset, broken pipe
        log(f"client dropped: {exc}")


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """A TCP socket listening on (host, port); port 0: the OS chooses."""
    return socket.create_server((host, port), backlog=64)


def serve(server: socket.socket, max_clients: int | None = None,
          timeout: float = TIMEOUT) -> None:
    """Serve clients; stop after max_clients, once they are done.

    TODO: serve each client in a thread of its own, so that clients
    are served at the same time:
    - after accept(), start a threading.Thread that runs serve_one
      (below) for this connection, and loop back to accept() at once;
    - remember the threads; before returning (also when accept()
      raises because the listening socket was closed), join them all.
    As given, it serves one client at a time.
    """
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        serve_one(conn, address, timeout)
        served += 1


def serve_one(conn: socket.socket, address: tuple, timeout: float) -> None:
    """Serve one client from start to end, then close its socket."""
    with conn:
        log(f"connection from {address[0]}:{address[1]}")
        handle_client(conn, timeout)


def port_number(text: str) -> int:
    """The type of --port: a number from 0 to 65535."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="A server that adds up the integers of each line it "
        "receives, for many clients at once.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free port "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"Adder listening on {host}:{port}", flush=True)
        try:
            serve(server)
        except KeyboardInterrupt:
            log("shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
