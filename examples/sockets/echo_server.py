"""A TCP echo server: everything a client sends comes straight back.

It demonstrates the server side of the socket sequence: create a socket,
bind it to an address, listen, accept a connection (which returns a *new*
socket for that one client), then recv and sendall until the client closes.
It serves one client at a time. A client that goes silent or vanishes is
logged and dropped, and the server goes on to the next one.

Run it, then talk to it with echo_client.py from a second terminal::

    python examples/sockets/echo_server.py            # on 127.0.0.1:50007
    python examples/sockets/echo_server.py --port 0   # any free port
    python examples/sockets/echo_server.py --help

Stop it with Ctrl-C.
"""

import argparse
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50007
CHUNK_SIZE = 4096  # the most bytes we ask recv for at once


def log(message: str) -> None:
    """Report what the server does on stderr (stdout is for the address)."""
    print(f"[echo server] {message}", file=sys.stderr, flush=True)


def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = socket.SOMAXCONN
) -> socket.socket:
    """Return a TCP socket listening on (host, port); port 0: OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Without SO_REUSEADDR a restarted server cannot bind its port while
        # connections from its previous run wait out TIME_WAIT (a minute+).
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(backlog)
    except OSError:
        server.close()
        raise
    return server


def handle_client(conn: socket.socket, timeout: float = 10.0) -> int:
    """Echo what conn sends until it closes; return the number of bytes.

    A client that stays silent for `timeout` seconds, or that vanishes,
    ends this conversation only: it is logged and the caller moves on.
    """
    conn.settimeout(timeout)
    echoed = 0
    try:
        while True:
            data = conn.recv(CHUNK_SIZE)
            if not data:  # b"": the client closed its side, we are done
                break
            conn.sendall(data)  # send() may send only part; sendall() all
            echoed += len(data)
    except TimeoutError:
        log(f"client silent for {timeout} s: timed out, dropping it")
    except ConnectionError as exc:  # reset by the client, broken pipe...
        log(f"client connection lost: {exc}")
    return echoed


def serve(
    server: socket.socket,
    max_clients: int | None = None,
    timeout: float = 10.0,
) -> None:
    """Accept clients one at a time and echo for each.

    Stops after max_clients clients if given; otherwise runs until
    interrupted. `timeout` is how long a client may stay silent.
    """
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()  # a new socket, for this client
        with conn:
            log(f"connection from {address[0]}:{address[1]}")
            echoed = handle_client(conn, timeout)
            log(f"echoed {echoed} bytes, closing the connection")
        served += 1


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A TCP echo server that serves one client at a time."
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="address to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:  # port already taken, unknown address...
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    with server:
        try:
            # [start:announce]
            host, port = server.getsockname()  # the real port, even for 0
            # flush: when stdout is a pipe, Python would keep this in a buffer
            print(f"Echo server listening on {host}:{port}", flush=True)
            # [end:announce]
            serve(server)
        except KeyboardInterrupt:  # Ctrl-C: the usual way to stop a server
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
