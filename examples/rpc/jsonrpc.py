"""A small RPC layer of our own: a function registry, JSON lines, a proxy.

It demonstrates what XML-RPC does for us, in about a page: a request names
a function and its arguments; the server looks the name up in a registry
(never with getattr on arbitrary names), calls it and sends back a result
or an error; the client's Proxy turns ``proxy.add(2, 3)`` into that request
with ``__getattr__``. Each message is one line of JSON; a line longer than
MAX_LINE bytes is refused and the connection closed.

    python examples/rpc/jsonrpc.py --port 0     # serves add, upper, divide
    python examples/rpc/jsonrpc.py --help
"""

import argparse
import json
import socket
import socketserver
import sys
from collections.abc import Callable

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
MAX_LINE = 64 * 1024  # bytes in one request, without the b"\n"


def log(message: str) -> None:
    print(f"[json-rpc] {message}", file=sys.stderr, flush=True)


# [start:registry]
class Registry:
    """The functions a server agrees to run, by name."""

    def __init__(self) -> None:
        self.functions: dict[str, Callable] = {}

    def function(self, func: Callable) -> Callable:
        """Decorator: publish func under its own name."""
        self.functions[func.__name__] = func
        return func
# [end:registry]

    # [start:handle]
    def handle(self, line: bytes) -> bytes:
        """One request line in, one reply line out; never raises."""
        try:
            request = json.loads(line)
            name, params = request["method"], request.get("params", [])
            if not isinstance(params, list):
                raise TypeError("params must be a list")
        except (ValueError, KeyError, TypeError) as exc:
            return reply(None, error=f"malformed request: {exc}")
        function, request_id = self.functions.get(name), request.get("id")
        if function is None:
            return reply(request_id, error=f"no such method: {name!r}")
        try:
            result = function(*params)
        except Exception as exc:  # the caller's problem, reported to it
            return reply(request_id, error=f"{type(exc).__name__}: {exc}")
        return reply(request_id, result=result)
    # [end:handle]


def reply(request_id, result=None, error=None) -> bytes:
    message = {"id": request_id}
    if error is None:
        message["result"] = result
    else:
        message["error"] = error
    return json.dumps(message).encode() + b"\n"


# The functions this example server publishes.
demo = Registry()


@demo.function
def add(a, b):
    return a + b


@demo.function
def upper(text):
    return text.upper()


@demo.function
def divide(a, b):
    return a / b


# The server: one thread per connection, one reply per line -----------------

class LineHandler(socketserver.StreamRequestHandler):
    timeout = 10  # seconds a client may stay silent

    def handle(self) -> None:
        try:
            self.serve_lines()
        except (TimeoutError, ConnectionError) as exc:
            log(f"client dropped: {exc!r}")

    # [start:serve_lines]
    def serve_lines(self) -> None:
        while line := self.rfile.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                self.wfile.write(reply(None, error="request too long"))
                return hang_up(self.connection)  # where is the next one?
            if not line.endswith(b"\n"):
                log("client left in the middle of a request")
                return
            self.wfile.write(self.server.registry.handle(line))
    # [end:serve_lines]


def hang_up(conn: socket.socket) -> None:
    """Close our side, then drop up to 1 MiB of what the client still
    sends: closing with unread input makes the kernel send a reset, which
    can destroy our last reply before the client reads it."""
    conn.shutdown(socket.SHUT_WR)
    dropped = 0
    while dropped < 1 << 20 and (chunk := conn.recv(65536)):
        dropped += len(chunk)


class RPCServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() waits for its handlers
    block_on_close = True

    def __init__(self, address, registry: Registry) -> None:
        self.registry = registry
        super().__init__(address, LineHandler)


def make_server(host: str = DEFAULT_HOST, port: int = 0,
                registry: Registry = demo) -> RPCServer:
    return RPCServer((host, port), registry)


# The client: a proxy whose attributes are remote functions ----------------

class RemoteError(Exception):
    """The server answered a call with an error."""


# [start:proxy]
class Proxy:
    """proxy.name(*args) sends {"method": name, "params": args}."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._replies = sock.makefile("rb")
        self._next_id = 0

    def __getattr__(self, name: str) -> Callable:
        def call(*params):
            return self._call(name, list(params))
        return call
# [end:proxy]

    def _call(self, name: str, params: list):
        self._next_id += 1
        request = {"id": self._next_id, "method": name, "params": params}
        self._sock.sendall(json.dumps(request).encode() + b"\n")
        line = self._replies.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ConnectionError("the server closed the connection")
        answer = json.loads(line)
        if "error" in answer:
            raise RemoteError(answer["error"])
        return answer["result"]

    def close(self) -> None:
        self._replies.close()
        self._sock.close()

    def __enter__(self) -> "Proxy":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def connect(host: str, port: int, timeout: float = 10.0) -> Proxy:
    return Proxy(socket.create_connection((host, port), timeout=timeout))


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="0 picks a free port (default %(default)s)")
    args = parser.parse_args(argv)
    with make_server(args.host, args.port) as server:
        host, port = server.server_address[:2]
        print(f"json-rpc server listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
