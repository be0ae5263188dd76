"""Ask a UDP time server for the time, and give up after a timeout.

It demonstrates the client side of UDP: sendto a server's address, then
recvfrom. Nothing tells a UDP client that its request or the reply was
lost: it just hears nothing, so it must stop waiting at some point. Here
that is a socket timeout, and the client reports it.

Run it against udp_time_server.py::

    python examples/packets/udp_time_client.py                # 127.0.0.1:50123
    python examples/packets/udp_time_client.py --port 50124 --timeout 0.5
    python examples/packets/udp_time_client.py --host localhost
    python examples/packets/udp_time_client.py --help
"""

import argparse
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50123
MAX_REPLY = 1024


# [start:ask-time]
def ask_time(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
             timeout: float = 2.0) -> str:
    """The server's reply to b"time"; TimeoutError if none comes."""
    # recvfrom names the sender by IP address, never by host name:
    server = (socket.gethostbyname(host), port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(b"time", server)
        while True:
            reply, sender = sock.recvfrom(MAX_REPLY)
            if sender == server:  # not a stray datagram
                return reply.decode("ascii", errors="replace")
# [end:ask-time]


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ask a UDP time server for the time.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="server address (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="server port (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=2.0,
                        help="seconds to wait for the reply "
                             "(default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        print(ask_time(args.host, args.port, args.timeout))
    except TimeoutError:
        print(f"no reply from {args.host}:{args.port} within "
              f"{args.timeout} s: the request or the reply was lost, "
              "or no server is there", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"could not ask {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
