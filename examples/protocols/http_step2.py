"""HTTP server, step 2: parse the request line and the headers.

Step 1 ignored the request. Step 2 splits it into its parts: the request
line gives the method, the target and the version; each header line is a
name, a colon and a value. The server still answers 200 to everything,
but now its answer says what it understood, which makes it a handy tool
for seeing what a browser or curl really sends.

    python examples/protocols/http_step2.py --port 0
    curl http://127.0.0.1:PORT/some/path?x=1

A request it cannot split is logged and the connection closed; step 3
answers such requests properly, with 400 Bad Request.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass, field

from http_step1 import command_line, open_request, read_head, respond, run


# [start:request]
@dataclass
class Request:
    method: str  # "GET"
    target: str  # "/docs/index.html?lang=en"
    version: str  # "HTTP/1.1"
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
# [end:request]


# [start:parse_request]
def parse_request(lines: list[bytes]) -> Request:
    """Split a request head into a Request, or raise ValueError."""
    text = [line.decode("latin-1").rstrip("\r\n") for line in lines]
    request_line, *header_lines = text
    method, target, version = request_line.split(" ")
    request = Request(method, target, version)
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"not a header line: {line!r}")
        request.headers[name.lower()] = value.strip()
    return request
# [end:parse_request]


# [start:handle_client]
def handle_client(conn: socket.socket) -> None:
    """Read one request and answer with what we understood of it."""
    with open_request(conn) as reader:
        request = parse_request(read_head(reader))
    report = [f"method: {request.method}", f"target: {request.target}",
              f"version: {request.version}"]
    report += [f"header {name}: {value}"
               for name, value in request.headers.items()]
    respond(conn, "200 OK", "\n".join(report).encode() + b"\n")
# [end:handle_client]


def main(argv: list[str] | None = None) -> int:
    args = command_line("HTTP step 2: parse the request, say what it was.", argv)
    return run(args, handle_client)


if __name__ == "__main__":
    sys.exit(main())
