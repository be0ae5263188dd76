"""HTTP server, step 3: answer bad requests with the right status code.

Step 2 trusted its clients. A server on a network cannot: step 3 checks
every part of the request and answers a request it will not serve with
an error status that says why, instead of closing the connection:

    400 Bad Request           a request line or header it cannot parse,
                              or HTTP/1.1 without a Host header
    405 Method Not Allowed    a method other than GET and HEAD
    408 Request Timeout       a request head that does not arrive whole
                              within the timeout
    414 URI Too Long          a request line longer than MAX_LINE
    431 Request Header Fields Too Large
                              a header line too long, or too many
    505 HTTP Version Not Supported
                              anything but HTTP/1.0 and HTTP/1.1

HEAD is answered like GET, without the body.

    python examples/protocols/http_step3.py --port 0
    curl -i -X DELETE http://127.0.0.1:PORT/
"""

from __future__ import annotations

import re
import socket
import sys
from typing import BinaryIO

from http_step1 import MAX_HEADERS, MAX_LINE, command_line, open_request, run
from http_step2 import Request

METHODS = ("GET", "HEAD")
VERSIONS = ("HTTP/1.0", "HTTP/1.1")
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 section 5.6.2
VERSION = re.compile(r"HTTP/[0-9]\.[0-9]")
BAD_REQUEST = "400 Bad Request"
TOO_LARGE = "431 Request Header Fields Too Large"


# [start:http_error]
class HTTPError(Exception):
    """A request we answer with an error status instead of a page."""

    def __init__(self, status: str, reason: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status  # e.g. "404 Not Found"
        self.headers = headers or {}
# [end:http_error]


# [start:read_line]
def read_line(reader: BinaryIO, too_long: str) -> str:
    """One line of the head, without its line end. Too long: raise
    HTTPError(too_long); the client left: raise ConnectionError."""
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise HTTPError(too_long, f"longer than {MAX_LINE} bytes")
    if not line.endswith(b"\n"):
        raise ConnectionError("the client left mid-request")
    text = line.decode("latin-1")
    return text.removesuffix("\n").removesuffix("\r")
# [end:read_line]


# [start:read_request]
def read_request(reader: BinaryIO) -> Request:
    """Read and check a request head; HTTPError says what is wrong."""
    line = read_line(reader, "414 URI Too Long")
    request = parse_request_line(line)
    for _ in range(MAX_HEADERS + 1):
        if not (line := read_line(reader, TOO_LARGE)):
            break  # the empty line: the head is complete
        add_header(request, line)
    else:
        raise HTTPError(TOO_LARGE, f"over {MAX_HEADERS} header lines")
    needs_host = request.version == "HTTP/1.1"
    if needs_host and "host" not in request.headers:
        raise HTTPError(BAD_REQUEST, "HTTP/1.1 requires a Host header")
    return request
# [end:read_request]


# [start:parse_request_line]
def parse_request_line(line: str) -> Request:
    """METHOD TARGET VERSION, each part checked in turn."""
    parts = line.split(" ")
    if len(parts) != 3 or not well_formed(*parts):
        raise HTTPError(BAD_REQUEST, "expected METHOD /TARGET VERSION")
    method, target, version = parts
    if version not in VERSIONS:
        raise HTTPError("505 HTTP Version Not Supported", version)
    if method not in METHODS:
        raise HTTPError("405 Method Not Allowed", method,
                        {"Allow": ", ".join(METHODS)})
    return Request(method, target, version)
# [end:parse_request_line]


# [start:well_formed]
def well_formed(method: str, target: str, version: str) -> bool:
    """A token, a printable ASCII /path, and HTTP/digit.digit."""
    return (TOKEN.fullmatch(method) is not None
            and target.startswith("/") and target.isascii()
            and target.isprintable()
            and VERSION.fullmatch(version) is not None)
# [end:well_formed]


def add_header(request: Request, line: str) -> None:
    """Add "Name: value" to request.headers (names in lower case).

    A name with spaces, or a line folded onto the one before (starting
    with a space), is refused. A repeated header is joined with ", " to
    the first, as RFC 9110 allows, but two Hosts are an error."""
    name, colon, value = line.partition(":")
    if not colon or not TOKEN.fullmatch(name):
        raise HTTPError(BAD_REQUEST, f"malformed header line {line[:40]!r}")
    name, value = name.lower(), value.strip(" \t")
    if name in request.headers:
        if name == "host":
            raise HTTPError(BAD_REQUEST, "more than one Host header")
        value = f"{request.headers[name]}, {value}"
    request.headers[name] = value


# [start:send_head]
def send_head(conn: socket.socket, status: str,
              headers: dict[str, str | int]) -> None:
    """Send the status line and headers, then the empty line."""
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Connection: close", "", ""]
    conn.sendall("\r\n".join(lines).encode("latin-1"))
# [end:send_head]


# [start:respond]
def respond(conn: socket.socket, status: str, body: bytes,
            content_type: str = "text/plain; charset=utf-8",
            headers: dict[str, str] | None = None,
            head_only: bool = False) -> None:
    """A whole response; for HEAD, the same head without the body."""
    send_head(conn, status, {"Content-Type": content_type,
                             "Content-Length": len(body),
                             **(headers or {})})
    if not head_only:
        conn.sendall(body)
# [end:respond]


# [start:receive]
def receive(conn: socket.socket) -> Request | None:
    """Read one request. If it cannot be served, answer with an
    error status here, and return None."""
    with open_request(conn) as reader:
        try:
            return read_request(reader)
        except HTTPError as error:
            failure = error
        except TimeoutError:
            failure = HTTPError("408 Request Timeout", "too slow")
    send_error(conn, failure)
    return None
# [end:receive]


def send_error(conn: socket.socket, error: HTTPError,
               head_only: bool = False) -> None:
    """An error response: the status, and a body that says why."""
    body = f"{error.status}: {error}\n".encode()
    respond(conn, error.status, body, headers=error.headers,
            head_only=head_only)


def describe(conn: socket.socket, request: Request) -> None:
    """Step 2's answer: what the server understood of the request."""
    report = [f"method: {request.method}", f"target: {request.target}",
              f"version: {request.version}"]
    report += [f"header {name}: {value}"
               for name, value in request.headers.items()]
    respond(conn, "200 OK", "\n".join(report).encode() + b"\n",
            head_only=request.method == "HEAD")


def handle_client(conn: socket.socket) -> None:
    if request := receive(conn):
        describe(conn, request)


def main(argv: list[str] | None = None) -> int:
    args = command_line("HTTP step 3: error statuses for bad requests.", argv)
    return run(args, handle_client)


if __name__ == "__main__":
    sys.exit(main())
