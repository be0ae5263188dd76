"""The echo server again, over a Unix domain socket instead of TCP.

A Unix domain socket (family AF_UNIX) connects processes on the *same*
machine. Its address is a path in the file system rather than a
(host, port) pair, and the data never passes through the network stack.
Everything else stays the same: bind, listen, accept, recv, sendall. The
echo loop is even the very same function, imported from echo_server.py.

Not available on Windows' Python. Run::

    python examples/sockets/unix_echo.py                    # /tmp/echo.sock
    python examples/sockets/unix_echo.py --path ./echo.sock
    python examples/sockets/unix_echo.py --help

then, in a Python session started in examples/sockets, call
``echo_unix(b"hello", "/tmp/echo.sock")`` to get ``b'hello'`` back.
"""

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from echo_server import handle_client, log

DEFAULT_PATH = "/tmp/echo.sock"


def make_unix_server(path: str | os.PathLike) -> socket.socket:
    """Return a Unix stream socket listening at path."""
    remove_stale_socket(Path(path))
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(os.fspath(path))  # creates the socket file
        server.listen()
    except OSError:
        server.close()
        raise
    return server


def remove_stale_socket(path: Path) -> None:
    """Delete a socket file left behind by a server that is gone.

    bind() fails while the file exists, even if nobody listens behind it.
    A file that is not a socket, or a socket a live server still listens
    on, is left alone: bind() will then report the problem.
    """
    if not path.is_socket():
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(os.fspath(path))
        except ConnectionRefusedError:  # nobody home: the file is stale
            path.unlink()
            return
    raise OSError(errno.EADDRINUSE, "a server is listening at", str(path))


def serve(
    server: socket.socket,
    max_clients: int | None = None,
    timeout: float = 10.0,
) -> None:
    """Accept clients one at a time and echo for each (as echo_server)."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, _ = server.accept()  # a Unix client usually has no address
        with conn:
            echoed = handle_client(conn, timeout)
            log(f"echoed {echoed} bytes over the Unix socket")
        served += 1


def echo_unix(
    message: bytes, path: str | os.PathLike, timeout: float = 5.0
) -> bytes:
    """Send message to the Unix echo server at path; return its reply.

    Like echo_client.echo it sends everything before reading, so keep
    messages small: a Unix socket buffers less than TCP does.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(os.fspath(path))  # the address is a path, not a pair
        sock.sendall(message)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
        return b"".join(chunks)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="An echo server on a Unix domain socket."
    )
    parser.add_argument(
        "--path", default=DEFAULT_PATH,
        help="socket file to listen at (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = make_unix_server(args.path)
    except OSError as exc:
        print(f"cannot listen at {args.path}: {exc}", file=sys.stderr)
        return 1
    with server:
        try:
            print(f"Echo server listening on {args.path}", flush=True)
            serve(server)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
        finally:
            Path(args.path).unlink(missing_ok=True)  # closing leaves the file
    return 0


if __name__ == "__main__":
    sys.exit(main())
