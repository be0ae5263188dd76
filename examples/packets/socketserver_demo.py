"""socketserver: the same echo service over TCP and UDP, in three designs.

The standard library's socketserver module writes the server loop for
you: you write a handler class whose handle() method serves one request
(for TCP, one connection; for UDP, one datagram), and a server class
runs it. Mixing in ThreadingMixIn serves each request in a new thread;
ForkingMixIn, in a new child process (Unix only).

Every reply says who served it, so you can see the difference:

    [pid 4242 main] hello             plain: one request at a time
    [pid 4242 Thread-3 (process_request_thread)] hello
                                      threading: a thread per request
    [pid 4299 main] hello             forking: a process per request

(Run as a script, serve_forever runs in the main thread; in the tests it
runs in a thread of its own, named after it.)

Run it and talk to it with nc (or the helpers below)::

    python examples/packets/socketserver_demo.py --protocol tcp --mode threading
    nc 127.0.0.1 50126                         # type lines, get them back
    python examples/packets/socketserver_demo.py --protocol udp --mode forking
    nc -u 127.0.0.1 50126
    python examples/packets/socketserver_demo.py --help

Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import socketserver
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50126
MAX_LINE = 1024  # bytes in one TCP line or one UDP datagram
TIMEOUT = 10.0  # seconds a TCP client may stay silent


def worker() -> str:
    """Who is running this code: 'pid 4242 main' or 'pid 4242 Thread-3'."""
    thread = threading.current_thread()
    name = "main" if thread is threading.main_thread() else thread.name
    return f"pid {os.getpid()} {name}"


# [start:handlers]
class LineEchoHandler(socketserver.StreamRequestHandler):
    """TCP: one instance per connection; echo each line back."""

    timeout = TIMEOUT  # socketserver sets it on the connection

    def handle(self) -> None:
        # self.rfile and self.wfile: the connection, as two files
        while line := self.rfile.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                self.wfile.write(b"error: line too long\n")
                return
            self.wfile.write(f"[{worker()}] ".encode() + line)


class DatagramEchoHandler(socketserver.BaseRequestHandler):
    """UDP: one instance per datagram; send it back."""

    def handle(self) -> None:
        data, sock = self.request  # the datagram, the server socket
        reply = f"[{worker()}] ".encode() + data
        sock.sendto(reply, self.client_address)
# [end:handlers]


# [start:server-classes]
SERVER_CLASSES = {
    ("tcp", "plain"): socketserver.TCPServer,
    ("tcp", "threading"): socketserver.ThreadingTCPServer,
    ("udp", "plain"): socketserver.UDPServer,
    ("udp", "threading"): socketserver.ThreadingUDPServer,
}
if hasattr(os, "fork"):  # Unix only
    SERVER_CLASSES["tcp", "forking"] = socketserver.ForkingTCPServer
    SERVER_CLASSES["udp", "forking"] = socketserver.ForkingUDPServer
# [end:server-classes]


class LoggedErrors:
    """Mixed into every server: a request that fails (a client that
    times out or resets) is one log line, not a traceback."""

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        print(f"[socketserver demo] request from {client_address} failed: "
              f"{error!r}", file=sys.stderr, flush=True)


# [start:make-server]
def make_server(protocol: str = "tcp", mode: str = "plain",
                host: str = DEFAULT_HOST,
                port: int = 0) -> socketserver.BaseServer:
    """A bound server: protocol "tcp" or "udp", mode "plain",
    "threading" or "forking"; port 0: the OS chooses."""
    base = SERVER_CLASSES.get((protocol, mode))
    if base is None:
        raise ValueError(f"no {mode} {protocol} server on this system")

    class Server(LoggedErrors, base):
        allow_reuse_address = True  # SO_REUSEADDR, as in lecture 1
        max_packet_size = MAX_LINE  # UDP: the longest datagram read

    handler = LineEchoHandler if protocol == "tcp" else DatagramEchoHandler
    return Server((host, port), handler)
# [end:make-server]


@contextmanager
def running(server: socketserver.BaseServer) -> Iterator[tuple[str, int]]:
    """Serve in a background thread; yield the address; then stop.

    On exit the server stops accepting, waits for the threads or child
    processes it started (block_on_close), and closes its socket.
    """
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()  # serve_forever returns
        thread.join()
        server.server_close()  # joins threads / reaps children


def ask_tcp(address: tuple[str, int], line: bytes,
            timeout: float = 5.0) -> bytes:
    """Send one line over TCP, return the reply line (a test helper)."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(line + b"\n")
        with sock.makefile("rb") as replies:
            return replies.readline().rstrip(b"\n")


def ask_udp(address: tuple[str, int], data: bytes,
            timeout: float = 5.0) -> bytes:
    """Send one datagram, return the reply datagram (a test helper)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(data, address)
        return sock.recvfrom(MAX_LINE + 100)[0]


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="An echo server built on socketserver; every reply "
                    "says which process and thread served it.")
    parser.add_argument("--protocol", choices=["tcp", "udp"], default="tcp")
    parser.add_argument("--mode", choices=["plain", "threading", "forking"],
                        default="plain")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    return parser.parse_args(argv)


def stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # terminate: the same clean stop as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = make_server(args.protocol, args.mode, args.host, args.port)
    except (OSError, ValueError) as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    with server:  # server_close() at the end: joins threads, reaps children
        host, port = server.server_address[:2]
        name = SERVER_CLASSES[args.protocol, args.mode].__name__
        print(f"{name} listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("[socketserver demo] shutting down", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
