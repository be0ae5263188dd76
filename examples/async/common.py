"""The command line of this lecture's servers, in one place.

``--host`` and ``--port`` (0: a free port, printed at start), ``--help``;
SIGTERM stops a server like Ctrl-C does. It does not run alone.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from collections.abc import Callable

DEFAULT_HOST = "127.0.0.1"


def port_number(text: str) -> int:
    """The type of --port: a TCP port is a number from 0 to 65535."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def parse_args(description: str, default_port: int,
               argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=default_port,
                        help="port to listen on, 0 for any free port "
                        "(default: %(default)s)")
    return parser.parse_args(argv)


def run_server(serve: Callable[[socket.socket, threading.Event | None], None],
               title: str, description: str, default_port: int,
               argv: list[str] | None = None) -> int:
    """Parse the command line, listen, print the address, serve until
    Ctrl-C or SIGTERM; return the exit status."""
    args = parse_args(description, default_port, argv)

    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupt)
    try:
        server = socket.create_server((args.host, args.port), backlog=1024)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()[:2]
        print(f"{title} listening on {host}:{port}", flush=True)
        try:
            serve(server, None)
        except KeyboardInterrupt:
            print(f"[{title}] shutting down", file=sys.stderr, flush=True)
    return 0
