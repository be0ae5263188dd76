"""A UDP echo server that loses datagrams on purpose, predictably.

Real networks drop datagrams now and then, at random; that is hard to
test against. This server drops every k-th datagram it receives
(--drop-every K), so a client test knows exactly which requests go
unanswered, and it can answer late (--delay SECONDS), so a client meets
replies that arrive after it stopped waiting. Everything else is echoed
back unchanged, whatever it is: empty, binary, or as much of an oversized
datagram as fits in MAX_DATAGRAM bytes.

It is the stand-in server of the udp_ping assignment::

    python examples/packets/lossy_echo_server.py --drop-every 4
    python examples/packets/lossy_echo_server.py --port 0 --delay 0.3
    python examples/packets/lossy_echo_server.py --help

Stop it with Ctrl-C.
"""

import argparse
import socket
import sys
import time

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50125
MAX_DATAGRAM = 2048  # bytes echoed at most; the rest of a datagram is lost


def log(message: str) -> None:
    print(f"[lossy echo] {message}", file=sys.stderr, flush=True)


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """A UDP socket bound to (host, port); port 0: the OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        server.bind((host, port))
    except OSError:
        server.close()
        raise
    return server


def should_drop(number: int, drop_every: int) -> bool:
    """Datagram `number` (1, 2, 3...) is dropped if it is a k-th one."""
    return drop_every > 0 and number % drop_every == 0


# [start:serve]
def serve(server: socket.socket, drop_every: int = 0, delay: float = 0.0,
          max_datagrams: int | None = None) -> None:
    """Echo datagrams, dropping every drop_every-th one (0: none)."""
    received = 0
    while max_datagrams is None or received < max_datagrams:
        data, client = server.recvfrom(MAX_DATAGRAM)
        if client is None:  # shutdown() from another thread: stop
            break
        received += 1
        if should_drop(received, drop_every):
            log(f"datagram {received} from {client[1]}: dropped")
            continue
        time.sleep(delay)
        try:
            server.sendto(data, client)
        except OSError as exc:
            log(f"could not answer {client}: {exc}")
# [end:serve]


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A UDP echo server that drops every k-th datagram.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    parser.add_argument("--drop-every", type=int, default=0, metavar="K",
                        help="drop datagrams K, 2K, 3K... (default: none)")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds to wait before each reply "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if args.drop_every < 0 or args.delay < 0:
        parser.error("--drop-every and --delay cannot be negative")
    return args


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
        print(f"Lossy echo server listening on {host}:{port}", flush=True)
        try:
            serve(server, args.drop_every, args.delay)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
