"""What the four echo servers of lecture 4 share: the protocol and the command line.

The service is a *line echo*: every line a client sends (bytes ended by
b"\\n") comes straight back. A line longer than MAX_LINE bytes is refused
with ``error: line too long (max 8192 bytes)`` and the server hangs up,
because it can no longer tell where the next line begins.

The protocol lives in LineEcho, a class that does no I/O at all: bytes go
in, the reply comes out. Each design (threads, processes, selectors,
asyncio) only decides *how* to wait for bytes, and hands them to LineEcho.
So when the designs behave differently, it is the concurrency, not the
protocol. This module is imported by the servers; it does not run alone.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from collections.abc import Callable

DEFAULT_HOST = "127.0.0.1"
MAX_LINE = 8192  # bytes in one line, not counting the b"\n"
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()
CHUNK_SIZE = 65536  # the most bytes asked from recv at once
IDLE_TIMEOUT = 10.0  # seconds a client may stay silent
BACKLOG = 1024  # connections the kernel may queue before accept()


class LineTooLong(ValueError):
    """The client sent more than MAX_LINE bytes without a b"\\n"."""


# [start:protocol]
class LineEcho:
    """The echo protocol, no I/O: bytes in, the reply out."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self.pending = bytearray()  # an incomplete line, so far

    def receive(self, data: bytes) -> bytes:
        """Return the reply to data: each complete line, echoed.

        Raise LineTooLong if a line grows beyond max_line bytes.
        """
        self.pending += data
        end = self.pending.rfind(b"\n") + 1  # 0: no complete line yet
        complete, rest = self.pending[:end], self.pending[end:]
        lines = complete.split(b"\n")
        if max(len(rest), *map(len, lines)) > self.max_line:
            raise LineTooLong()
        self.pending = rest
        return bytes(complete)
# [end:protocol]


def log(name: str, message: str) -> None:
    """Report what a server does on stderr (stdout is for the address)."""
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


# [start:blocking]
def echo_lines(conn: socket.socket,
               timeout: float = IDLE_TIMEOUT) -> None:
    """Serve one client with blocking calls; return when it is done.

    This is what threads and processes run, one connection each.
    """
    conn.settimeout(timeout)
    protocol = LineEcho()
    try:
        while data := conn.recv(CHUNK_SIZE):
            conn.sendall(protocol.receive(data))
    except LineTooLong:
        conn.sendall(TOO_LONG_REPLY)
    except TimeoutError:
        pass  # silent too long: hang up
    except ConnectionError:
        pass  # reset by the client, or a broken pipe
# [end:blocking]


def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = BACKLOG
) -> socket.socket:
    """Return a TCP socket listening on (host, port); port 0: OS chooses."""
    # create_server: socket(), SO_REUSEADDR, bind() and listen() in one call.
    return socket.create_server((host, port), backlog=backlog)


def make_parser(description: str, default_port: int) -> argparse.ArgumentParser:
    """The command line every server of this lecture accepts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="address to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=int, default=default_port,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=IDLE_TIMEOUT,
        help="seconds a client may stay silent (default: %(default)s)",
    )
    return parser


def announce(name: str, address: tuple) -> None:
    """Print the address we listen on; flush, so a pipe sees it at once."""
    host, port = address[:2]
    print(f"{name} listening on {host}:{port}", flush=True)


def stop_on_sigterm() -> None:
    """Treat SIGTERM (kill, a test ending) like Ctrl-C: clean up, then exit."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupt)


def run_blocking_server(
    serve: Callable[[socket.socket, float], None],
    title: str,
    description: str,
    default_port: int,
    argv: list[str] | None = None,
) -> int:
    """The command line of the thread, process and selectors servers:
    parse it, listen, print the address, serve until Ctrl-C or SIGTERM."""
    args = make_parser(description, default_port).parse_args(argv)
    stop_on_sigterm()
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        announce(title, server.getsockname())
        try:
            serve(server, args.timeout)
        except KeyboardInterrupt:
            log(title, "Ctrl-C: shutting down")
    return 0
