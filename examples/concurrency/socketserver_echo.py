"""Designs 1b and 2b: the line echo server with the socketserver module.

socketserver packages both classic designs: ThreadingTCPServer starts a
thread per connection, ForkingTCPServer a child process per connection
(Unix only). The handler class is the same for both; only the server
class changes.

Two things socketserver does not do well are added: out of file
descriptors, it retries accept() at once, forever, at 100 % CPU (we wait
a moment, see service.accept); and on Ctrl-C the threading server waits
for every handler, even one whose client stays silent (we end those
connections first). Run it::

    python examples/concurrency/socketserver_echo.py --port 0
    python examples/concurrency/socketserver_echo.py --fork --port 0
    python examples/concurrency/socketserver_echo.py --help
"""

from __future__ import annotations

import socketserver
import sys

from service import (
    BACKLOG, IDLE_TIMEOUT, accept, announce, echo_lines, hang_up, log,
    make_parser, stop_on_sigterm,
)

DEFAULT_PORT = 50042
NAME = "socketserver echo"


# [start:handler]
class EchoHandler(socketserver.BaseRequestHandler):
    """Serve one connection: self.request is the connected socket."""

    timeout = IDLE_TIMEOUT

    def handle(self) -> None:
        echo_lines(self.request, self.timeout)


class ThreadingEchoServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    request_queue_size = BACKLOG  # the listen() backlog

    def __init__(self, *args, **kwargs) -> None:
        self.clients: set = set()  # the connections being served
        super().__init__(*args, **kwargs)

    def get_request(self):
        return accept(self.socket, NAME)  # waits if no descriptor is free

    def process_request(self, request, client_address):
        self.clients.add(request)  # until its handler is done
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        self.clients.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """End every connection, then wait for the handler threads."""
        for conn in list(self.clients):
            hang_up(conn)  # even a silent client's handler returns
        super().server_close()


def make_server(host: str, port: int, fork: bool = False):
    """A server object; serve_forever() runs it."""
    server_class = ForkingEchoServer if fork else ThreadingEchoServer
    return server_class((host, port), EchoHandler)
# [end:handler]


if hasattr(socketserver, "ForkingTCPServer"):  # not on Windows
    class ForkingEchoServer(socketserver.ForkingTCPServer):
        allow_reuse_address = True
        request_queue_size = BACKLOG
        max_children = 2000  # socketserver's default, 40, would make clients wait

        def get_request(self):
            return accept(self.socket, NAME)  # waits out a lack of descriptors


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(
        "A line echo server built on socketserver "
        "(a thread, or with --fork a process, per connection).",
        DEFAULT_PORT,
    )
    parser.add_argument(
        "--fork", action="store_true",
        help="ForkingTCPServer: a child process per connection",
    )
    args = parser.parse_args(argv)
    EchoHandler.timeout = args.timeout
    stop_on_sigterm()
    try:
        server = make_server(args.host, args.port, args.fork)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    # Leaving the with calls server_close(), which waits for the threads
    # (or child processes) still serving a client.
    with server:
        kind = "Forking" if args.fork else "Threading"
        announce(f"{kind} socketserver echo", server.server_address)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log(NAME, "shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
