"""Lab: a UDP time service that tells the time two ways (solution).

The protocol, one datagram per request and per reply, ASCII:

    b"time"        ->  b"2025-03-14T15:09:26.535+00:00"  (UTC, ISO 8601)
    b"unix"        ->  b"1741964966.535"  (seconds since 1970, 3 decimals)
    b""            ->  b"error: empty request"
    > 64 bytes     ->  b"error: request too long (max 64 bytes)"
    anything else  ->  b"error: unknown request b'...'; try time or unix"

Requests ignore case and surrounding whitespace (b" TIME\\n" works).

Your task (in starter.py): complete reply_to, the server's answer to one
datagram, and ask, the client's side. The server loop and the command
line are given. Check your work with the tests::

    COURSE_IMPL=starter python -m pytest tests/test_packets_exercises.py -k TimeLab

and try it in two terminals::

    python starter.py server
    python starter.py client unix
"""

import argparse
import socket
import sys
from datetime import datetime, timezone

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50124
MAX_REQUEST = 64  # bytes


def log(message: str) -> None:
    print(f"[time lab] {message}", file=sys.stderr, flush=True)


def reply_to(request: bytes, now: datetime | None = None) -> bytes:
    """The reply to one request datagram; never raises.

    `now` is the time to report (an aware datetime); None: the current time.
    """
    if not request:
        return b"error: empty request"
    if len(request) > MAX_REQUEST:
        return f"error: request too long (max {MAX_REQUEST} bytes)".encode()
    now = now or datetime.now(timezone.utc)
    command = request.strip().lower()
    if command == b"time":
        utc = now.astimezone(timezone.utc)
        return utc.isoformat(timespec="milliseconds").encode()
    if command == b"unix":
        return f"{now.timestamp():.3f}".encode()
    return f"error: unknown request {request[:20]!r}; try time or unix".encode()


def ask(request: bytes, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
        timeout: float = 2.0) -> bytes:
    """Send one request datagram, return the server's reply.

    host may be a name ("localhost") or an IPv4 address. Raises
    TimeoutError if no reply from the server comes in time.
    """
    server = (socket.gethostbyname(host), port)  # "localhost": 127.0.0.1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(request, server)
        while True:
            reply, sender = sock.recvfrom(1024)
            if sender == server:
                return reply


# Given code: the server loop and the command line.

def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """A UDP socket bound to (host, port); port 0: the OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        server.bind((host, port))
    except OSError:
        server.close()
        raise
    return server


def serve(server: socket.socket, max_requests: int | None = None) -> None:
    """Answer datagrams one by one; stop after max_requests if given."""
    answered = 0
    while max_requests is None or answered < max_requests:
        request, client = server.recvfrom(MAX_REQUEST + 1)
        if client is None:  # shutdown() from another thread: stop
            break
        try:
            server.sendto(reply_to(request), client)
        except OSError as exc:
            log(f"could not answer {client}: {exc}")
        answered += 1


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    address = argparse.ArgumentParser(add_help=False)  # shared options
    address.add_argument("--host", default=DEFAULT_HOST,
                         help="server address (default: %(default)s)")
    address.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                         help="server port, 0 for any free port "
                              "(default: %(default)s)")
    parser = argparse.ArgumentParser(description="The lab's UDP time service.")
    roles = parser.add_subparsers(dest="role", required=True)
    roles.add_parser("server", parents=[address], help="answer requests")
    client = roles.add_parser("client", parents=[address],
                              help="send one request, print the reply")
    client.add_argument("request", nargs="?", default="time",
                        help="time or unix (default: %(default)s)")
    client.add_argument("--timeout", type=float, default=2.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "client":
        try:
            reply = ask(args.request.encode(), args.host, args.port,
                        args.timeout)
        except (TimeoutError, OSError) as exc:
            print(f"no reply from {args.host}:{args.port}: {exc}",
                  file=sys.stderr)
            return 1
        print(reply.decode("ascii", errors="replace"))
        return 0
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"Time lab server listening on {host}:{port}", flush=True)
        try:
            serve(server)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
