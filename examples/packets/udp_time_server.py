"""A UDP time server: send it b"time", get the current time back.

It demonstrates the server side of UDP: no listen, no accept, no
connection. One socket receives datagrams from every client with
recvfrom, which also says who sent each one, and answers each with sendto
to that address. A datagram arrives whole or not at all, so one datagram
is one request, with no framing needed.

The protocol (datagrams, ASCII):

    b"time"          ->  b"2025-03-14T15:09:26.535+00:00" (UTC, ISO 8601)
    b""              ->  b"error: empty request"
    > 64 bytes       ->  b"error: request too long (max 64 bytes)"
    anything else    ->  b"error: unknown request b'...'"

Run it, then ask it with udp_time_client.py from a second terminal::

    python examples/packets/udp_time_server.py            # 127.0.0.1:50123
    python examples/packets/udp_time_server.py --port 0   # any free port
    python examples/packets/udp_time_server.py --help

Stop it with Ctrl-C.
"""

import argparse
import socket
import sys
from datetime import datetime, timezone

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50123
MAX_REQUEST = 64  # bytes; a longer datagram is refused
TOO_LONG = f"error: request too long (max {MAX_REQUEST} bytes)".encode()


def log(message: str) -> None:
    """Report what the server does on stderr (stdout is for the address)."""
    print(f"[time server] {message}", file=sys.stderr, flush=True)


# [start:reply-to]
def reply_to(request: bytes, now: datetime | None = None) -> bytes:
    """The reply to one request datagram; never raises."""
    if not request:
        return b"error: empty request"
    if len(request) > MAX_REQUEST:
        return TOO_LONG
    if request.strip().lower() != b"time":
        message = f"error: unknown request {request[:20]!r}"
        return message.encode()
    now = now or datetime.now(timezone.utc)
    return now.isoformat(timespec="milliseconds").encode()
# [end:reply-to]


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """A UDP socket bound to (host, port); port 0: the OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        server.bind((host, port))
    except OSError:
        server.close()
        raise
    return server


def serve(server: socket.socket,
          max_requests: int | None = None) -> None:
    """Answer datagrams one by one; stop after max_requests if given."""
    answered = 0
    while max_requests is None or answered < max_requests:
        # [start:serve-loop]
        # One byte more than allowed: a longer datagram is "too long".
        request, client = server.recvfrom(MAX_REQUEST + 1)
        if client is None:  # shutdown() from another thread: stop
            break
        log(f"{client[0]}:{client[1]} sent {len(request)} bytes")
        try:
            server.sendto(reply_to(request), client)
        except OSError as exc:  # e.g. the network is unreachable
            log(f"could not answer {client}: {exc}")
        # [end:serve-loop]
        answered += 1


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A UDP server that answers b'time' with the UTC time.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free port "
                             "(default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"Time server listening on {host}:{port}", flush=True)
        try:
            serve(server)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
