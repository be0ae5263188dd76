"""Lab, reference solution: an echo server and its client in one file.

The server side (handle_client) sends back every byte a client sends, as
it arrives, until the client closes its side of the connection. The client
side (echo) sends one message, tells the server it has finished sending,
and reads the reply until the server closes.

Run the server in one terminal and the client in another::

    python examples/sockets/exercises/echo_lab/solution.py server
    python examples/sockets/exercises/echo_lab/solution.py client "hello"
    python examples/sockets/exercises/echo_lab/solution.py --help
"""

import argparse
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50007
CLIENT_TIMEOUT = 10.0  # seconds the server waits for a silent client


def handle_client(conn: socket.socket) -> None:
    """Send back everything the client sends, until it closes its side."""
    while True:
        data = conn.recv(4096)
        if not data:  # b"": the client has finished sending
            return
        conn.sendall(data)


def echo(
    message: bytes,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = 5.0,
) -> bytes:
    """Send message to the echo server at (host, port); return the reply."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.sendall(message)
        sock.shutdown(socket.SHUT_WR)  # the server's recv now returns b""
        chunks = []
        while chunk := sock.recv(4096):  # until the server closes
            chunks.append(chunk)
        return b"".join(chunks)


# Given code: the server skeleton and the command line.

def log(message: str) -> None:
    print(f"[echo lab] {message}", file=sys.stderr, flush=True)


def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = socket.SOMAXCONN
) -> socket.socket:
    """Return a TCP socket listening on (host, port); port 0: OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(backlog)
    except OSError:
        server.close()
        raise
    return server


def serve(server: socket.socket, max_clients: int | None = None) -> None:
    """Accept clients one at a time and call handle_client for each."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            conn.settimeout(CLIENT_TIMEOUT)
            try:
                handle_client(conn)
            except (TimeoutError, ConnectionError) as exc:
                log(f"client dropped: {exc!r}")
        served += 1


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Echo server and client.")
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server", help="run the echo server")
    client = commands.add_parser("client", help="send one message")
    client.add_argument("message", help="text to send (as UTF-8)")
    for command in (server, client):
        command.add_argument("--host", default=DEFAULT_HOST)
        command.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                             help="0 lets the server pick a free port")
    return parser.parse_args(argv)


def run_server(host: str, port: int) -> int:
    with make_server(host, port) as server:
        try:
            host, port = server.getsockname()
            print(f"Echo server listening on {host}:{port}", flush=True)
            serve(server)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


def run_client(message: str, host: str, port: int) -> int:
    reply = echo(message.encode("utf-8"), host, port)
    print(reply.decode("utf-8", errors="replace"))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "server":
        return run_server(args.host, args.port)
    return run_client(args.message, args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
