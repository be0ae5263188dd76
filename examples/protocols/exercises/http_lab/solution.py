"""Lab: an HTTP server that checks every request (reference solution).

Lecture 1's echo server, turned into an HTTP server in the lecture's
steps: it reads a request head (request line, headers, empty line),
checks it, and answers. GET and HEAD are answered with a short page that
says what was asked for; anything else gets the error status that fits:

    400 Bad Request                  malformed request line or header line,
                                     or HTTP/1.1 without a Host header
    405 Method Not Allowed           a method other than GET or HEAD
                                     (with an "Allow: GET, HEAD" header)
    414 URI Too Long                 a request line longer than MAX_LINE
    431 Request Header Fields Too Large
                                     a header line longer than MAX_LINE,
                                     or more than MAX_HEADERS header lines
    505 HTTP Version Not Supported   anything but HTTP/1.0 and HTTP/1.1
    408 Request Timeout              (given) a request head that does not
                                     arrive whole within the timeout

Your part: parse_request_line and read_request. Everything else is given.

    python solution.py --port 0
    curl -i http://127.0.0.1:PORT/hello
"""

from __future__ import annotations

import argparse
import io
import re
import socket
import sys
import time
from typing import BinaryIO

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
MAX_LINE = 8192  # bytes in a request or header line, with its CRLF
MAX_HEADERS = 100  # header lines in one request
METHODS = ("GET", "HEAD")
VERSIONS = ("HTTP/1.0", "HTTP/1.1")
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # a method, a header name
BACKLOG = 1024  # clients the kernel queues while we serve one


class HTTPError(Exception):
    """A request answered with an error status, e.g. "400 Bad Request"."""

    def __init__(self, status: str, reason: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.headers = headers or {}


def read_line(reader: BinaryIO, too_long: str) -> str:
    """One line without its line end. HTTPError(too_long) if longer than
    MAX_LINE; ConnectionError if the client closed before its end."""
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise HTTPError(too_long, f"lines are limited to {MAX_LINE} bytes")
    if not line.endswith(b"\n"):
        raise ConnectionError("the client left in the middle of a request")
    return line.decode("latin-1").removesuffix("\n").removesuffix("\r")


def parse_request_line(line: str) -> tuple[str, str, str]:
    """Split "GET /path HTTP/1.1" into its three parts, or raise HTTPError:
    400 if malformed, 505 for another version, 405 for another method."""
    parts = line.split(" ")
    if len(parts) != 3:
        raise HTTPError("400 Bad Request", "expected METHOD TARGET VERSION")
    method, target, version = parts
    if not TOKEN.fullmatch(method):
        raise HTTPError("400 Bad Request", "malformed method")
    if not re.fullmatch(r"HTTP/[0-9]\.[0-9]", version):
        raise HTTPError("400 Bad Request", "malformed version")
    if not target.startswith("/") or not target.isascii() \
            or not target.isprintable():
        raise HTTPError("400 Bad Request", "the target must be /path in ASCII")
    if version not in VERSIONS:
        raise HTTPError("505 HTTP Version Not Supported", version)
    if method not in METHODS:
        raise HTTPError("405 Method Not Allowed", method,
                        {"Allow": ", ".join(METHODS)})
    return method, target, version


def read_request(reader: BinaryIO) -> tuple[str, str, str, dict[str, str]]:
    """Read a request head: (method, target, version, headers), with the
    header names in lower case; HTTPError for a request we refuse."""
    method, target, version = parse_request_line(
        read_line(reader, "414 URI Too Long"))
    too_large = "431 Request Header Fields Too Large"
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        line = read_line(reader, too_large)
        if not line:
            break
        name, colon, value = line.partition(":")
        if not colon or not TOKEN.fullmatch(name):
            raise HTTPError("400 Bad Request", f"bad header line {line[:40]!r}")
        headers[name.lower()] = value.strip(" \t")
    else:
        raise HTTPError(too_large, f"at most {MAX_HEADERS} header lines")
    if version == "HTTP/1.1" and "host" not in headers:
        raise HTTPError("400 Bad Request", "HTTP/1.1 requires a Host header")
    return method, target, version, headers


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
    """A file to read a request head from: the socket's timeout becomes a
    deadline for the whole head, however slowly its bytes trickle in."""
    return io.BufferedReader(Deadline(conn, conn.gettimeout() or 10.0))


def respond(conn: socket.socket, status: str, body: bytes,
            headers: dict[str, str] | None = None,
            head_only: bool = False) -> None:
    """Send a whole response; for HEAD, the same head without the body."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: text/plain; charset=utf-8",
             f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    conn.sendall(head if head_only else head + body)


def handle_client(conn: socket.socket) -> None:
    """Read one request and answer it."""
    with open_request(conn) as reader:
        try:
            method, target, version, headers = read_request(reader)
        except HTTPError as error:
            respond(conn, error.status, f"{error.status}: {error}\n".encode(),
                    error.headers)
            return
        except TimeoutError:
            respond(conn, "408 Request Timeout", b"408: too slow\n")
            return
    body = f"You asked for {target} with {method} over {version}.\n"
    respond(conn, "200 OK", body.encode(), head_only=method == "HEAD")


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(BACKLOG)
    except OSError:
        server.close()
        raise
    return server


def serve(server: socket.socket, max_clients: int | None = None,
          timeout: float = 10.0) -> None:
    """Serve clients one at a time; a client's trouble ends only its turn."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            conn.settimeout(timeout)
            try:
                handle_client(conn)
            except (OSError, ValueError) as exc:  # timeouts, resets...
                log(f"{address}: {exc!r}")
            except Exception as exc:  # a bug here (or a TODO): 500
                log(f"{address}: server error {exc!r}")
                try:
                    respond(conn, "500 Internal Server Error",
                            f"500: {exc!r}\n".encode())
                except OSError:
                    pass
            close_gently(conn)
        served += 1


def close_gently(conn: socket.socket) -> None:
    """Stop sending, and drop what the client still sends for 1 s at
    most: closing with unread data resets the connection, which can
    destroy the response before the client has read it."""
    deadline = time.monotonic() + 1.0  # however much it sends
    try:
        conn.shutdown(socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                break  # the client closed too
    except OSError:
        pass


def log(message: str) -> None:
    print(f"[http lab] {message}", file=sys.stderr, flush=True)


def port_number(text: str) -> int:
    """An argparse type: a TCP port number, 0 to 65535 (0: any free port)."""
    if not (text.isascii() and text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number, 0 to 65535")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The HTTP lab's server.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"HTTP lab server listening on {host}:{port}", flush=True)
        try:
            serve(server)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
