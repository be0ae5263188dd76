"""A TCP echo client: send one message, print what comes back.

It demonstrates the client side of the socket sequence: create a socket,
connect to the server's address, sendall the message, tell the server that
we are done sending (shutdown), recv until the server closes, close.

Start echo_server.py first, then::

    python examples/sockets/echo_client.py "hello, world"
    python examples/sockets/echo_client.py --port 50007 "hello, world"
    python examples/sockets/echo_client.py --help

The client sends the whole message before it reads any reply. That is fine
for the message sizes of this lecture; with many megabytes both sides'
socket buffers fill up and each waits for the other. The timeout turns that
into an error instead of a hang; lecture 4 shows how to read while sending.
"""

import argparse
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50007
CHUNK_SIZE = 4096


def echo(
    message: bytes,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,
) -> bytes:
    """Send message to the echo server at (host, port); return its reply."""
    # [start:client-sequence]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)  # never wait forever for a server
        sock.connect((host, port))
        sock.sendall(message)
        sock.shutdown(socket.SHUT_WR)  # "done sending": the server sees EOF
        return receive_all(sock)
    # [end:client-sequence]


def receive_all(sock: socket.socket) -> bytes:
    """Read until the peer closes the connection; return all the bytes."""
    chunks = []
    while True:
        chunk = sock.recv(CHUNK_SIZE)  # whatever has arrived, not a "message"
        if not chunk:  # b"": the peer closed the connection
            return b"".join(chunks)
        chunks.append(chunk)


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Send a message to the echo server and print the reply."
    )
    parser.add_argument("message", help="text to send (encoded as UTF-8)")
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="server address (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT,
        help="server port (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        reply = echo(args.message.encode("utf-8"), args.host, args.port)
    except OSError as exc:  # refused, timed out, reset...
        print(f"could not talk to {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    # Bytes on the wire, text on the screen: decode what came back.
    # errors="replace": a server may send bytes that are not valid UTF-8.
    print(reply.decode("utf-8", errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
