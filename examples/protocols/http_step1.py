"""HTTP server, step 1: the echo server, answering every request with 200.

Lecture 1's echo server sent back whatever it received. An HTTP server
reads a *request* instead: a request line, header lines, and an empty line
that ends them. Step 1 reads that much, ignores what it says, and always
sends the same response: a status line, headers, an empty line, a body.
Still, it is a real HTTP server: a browser or curl can fetch its page.

    python examples/protocols/http_step1.py            # on 127.0.0.1:8080
    python examples/protocols/http_step1.py --port 0   # any free port
    curl -i http://127.0.0.1:8080/

Two limits keep one client from holding the server: the whole request
head must arrive within TIMEOUT seconds (a deadline, however slowly the
bytes trickle in), and after the response the server listens to the
client for at most a second more (close_gently).

The other steps import the pieces of this one that they keep unchanged.
"""

from __future__ import annotations

import argparse
import io
import socket
import sys
import time
from collections.abc import Callable
from typing import BinaryIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
TIMEOUT = 10.0  # seconds a client has to send its whole request head
MAX_LINE = 8192  # the longest request or header line we read, in bytes
MAX_HEADERS = 100  # the most header lines in one request
# Connections the kernel accepts and queues while we serve someone else;
# beyond that, new clients are turned away (Linux caps it: somaxconn).
BACKLOG = 1024

Handler = Callable[[socket.socket], object]  # answers one client


def log(message: str) -> None:
    """Report on stderr (stdout is for the "listening on" line)."""
    print(f"[http server] {message}", file=sys.stderr, flush=True)


def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = BACKLOG
) -> socket.socket:
    """Return a TCP socket listening on (host, port): the echo server's."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(backlog)
    except OSError:
        server.close()
        raise
    return server


# [start:read_head]
def read_head(reader: BinaryIO) -> list[bytes]:
    """Read the request line and the headers, up to the empty line."""
    lines = []
    while True:
        line = reader.readline(MAX_LINE + 1)  # never more than this
        if not line.endswith(b"\n"):
            raise ValueError(f"line too long or cut short: {line[:20]}")
        if line in (b"\r\n", b"\n"):  # the empty line ends the head
            return lines
        if len(lines) > MAX_HEADERS:
            raise ValueError("too many header lines")
        lines.append(line)
# [end:read_head]


# [start:respond]
def respond(conn: socket.socket, status: str, body: bytes,
            content_type: str = "text/plain; charset=utf-8") -> None:
    """Send a whole response: status line, headers, empty line, body."""
    head = (f"HTTP/1.1 {status}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Connection: close\r\n"
            f"\r\n")
    conn.sendall(head.encode("ascii") + body)
# [end:respond]


class Deadline(io.RawIOBase):
    """The reading side of a socket, with one deadline for everything
    read through it: each recv waits only for the time that is left."""

    def __init__(self, conn: socket.socket, seconds: float) -> None:
        self.conn = conn
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        timeout = self.conn.gettimeout()
        self.conn.settimeout(left)
        try:
            return self.conn.recv_into(buffer)
        finally:
            self.conn.settimeout(timeout)  # as it was, for sending


def open_request(conn: socket.socket) -> BinaryIO:
    """A file to read a request head from (instead of conn.makefile):
    the socket's timeout becomes a deadline for the whole head."""
    return io.BufferedReader(Deadline(conn, conn.gettimeout() or TIMEOUT))


# [start:handle_client]
def handle_client(conn: socket.socket) -> None:
    """Read one request, whatever it says, and answer 200 OK."""
    with open_request(conn) as reader:
        read_head(reader)
    respond(conn, "200 OK", b"Hello from step 1!\n")
# [end:handle_client]


def close_gently(conn: socket.socket, linger: float = 1.0) -> None:
    """Say we are done sending, then read (and drop) what the client may
    still send, for at most `linger` seconds, before the caller closes.

    Closing a socket with unread data in it makes the kernel reset the
    connection, and a reset can destroy our response before the client
    has read it. This "lingering close" avoids that.
    """
    deadline = time.monotonic() + linger
    try:
        conn.shutdown(socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                break  # the client closed too: all done
    except OSError:
        pass  # timed out, or reset by the client: nothing more to do


# [start:serve]
def serve(server: socket.socket, handle: Handler,
          max_clients: int | None = None,
          timeout: float = TIMEOUT) -> None:
    """Accept clients one at a time; handle(conn) answers each."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, (host, port) = server.accept()
        with conn:
            conn.settimeout(timeout)
            try:
                handle(conn)
            except (OSError, ValueError) as exc:  # timeouts too
                log(f"{host}:{port}: {exc!r}, dropping it")
            close_gently(conn)
        served += 1
# [end:serve]


def port_number(text: str) -> int:
    """An argparse type: a TCP port number, 0 to 65535 (0: any free port)."""
    if not (text.isascii() and text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number, 0 to 65535")
    return int(text)


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds, more than zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < 1e6:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"{text} is not a timeout")
    return value


def command_line(description: str, argv: list[str] | None,
                 with_root: bool = False,
                 default_root: str = ".") -> argparse.Namespace:
    """The options every step accepts; steps 4 and 5 also take --root."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    parser.add_argument("--timeout", type=positive_seconds, default=TIMEOUT,
                        help="seconds a client has to send its request "
                             "head (default: %(default)s)")
    if with_root:
        parser.add_argument("--root", default=default_root,
                            help="the folder to serve (default: %(default)s)")
    return parser.parse_args(argv)


def run(args: argparse.Namespace,
        handle: Callable[[socket.socket], object]) -> int:
    """Listen, announce the address, serve until Ctrl-C."""
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"HTTP server listening on {host}:{port}", flush=True)
        try:
            serve(server, handle, timeout=args.timeout)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = command_line("HTTP step 1: answer every request with 200.", argv)
    return run(args, handle_client)


if __name__ == "__main__":
    sys.exit(main())
