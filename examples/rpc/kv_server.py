"""A key-value store served over XML-RPC (xmlrpc.server).

It demonstrates remote procedure calls: the server registers an object
whose methods (get, set, delete, exists, keys) a client calls through
xmlrpc.client.ServerProxy as if they were local. Errors reach the client
as xmlrpc.client.Fault with a code and a message. Requests larger than
MAX_REQUEST bytes are refused with HTTP 413 before they are read, and a
client that goes silent is dropped after a timeout.

Run it, then call it from a Python prompt::

    python examples/rpc/kv_server.py            # on 127.0.0.1:8000
    python examples/rpc/kv_server.py --port 0   # any free port
    python examples/rpc/kv_server.py --help

    >>> from xmlrpc.client import ServerProxy
    >>> kv = ServerProxy("http://127.0.0.1:8000")
    >>> kv.set("colour", "blue")
"""

import argparse
import sys
import threading
from xmlrpc.client import Fault
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_REQUEST = 64 * 1024  # bytes of XML in one call
NO_SUCH_KEY = 404  # our fault codes borrow HTTP's numbers
BAD_KEY = 400


# [start:store]
class KeyValueStore:
    """What the server publishes: each method is a remote call."""

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self._lock = threading.Lock()  # one change at a time

    def get(self, key: str) -> object:
        with self._lock:
            if key not in self._data:
                raise Fault(NO_SUCH_KEY, f"no such key: {key!r}")
            return self._data[key]

    def set(self, key: str, value: object) -> bool:
        check_key(key)
        with self._lock:
            self._data[key] = value
        return True  # XML-RPC has no None: return something
# [end:store]

    def delete(self, key: str) -> bool:
        with self._lock:
            if self._data.pop(key, None) is None:
                raise Fault(NO_SUCH_KEY, f"no such key: {key!r}")
        return True

    def exists(self, key: str) -> bool:
        with self._lock:
            return key in self._data

    def keys(self) -> list[str]:
        with self._lock:
            return sorted(self._data)


def check_key(key: object) -> None:
    """Keys are short non-empty strings; anything else is the caller's error."""
    if not isinstance(key, str) or not 0 < len(key) <= 200:
        raise Fault(BAD_KEY, f"a key must be a string of 1 to 200 characters, not {key!r}")


# [start:handler]
class LimitedHandler(SimpleXMLRPCRequestHandler):
    """Answers POST /RPC2 only; refuses oversized requests unread."""

    rpc_paths = ("/", "/RPC2")
    timeout = 10  # seconds a client may stay silent

    def do_POST(self) -> None:
        length = self.headers.get("content-length", "")
        if not length.isdigit():
            self.send_error(411, "Content-Length required")
        elif int(length) > MAX_REQUEST:
            self.send_error(413, f"more than {MAX_REQUEST} bytes")
            self.discard_input(int(length))
        else:
            super().do_POST()
# [end:handler]

    def discard_input(self, length: int) -> None:
        """Read and drop up to 1 MiB of a refused body before closing:
        closing with unread input makes the kernel send a reset, which can
        destroy our error reply before the client reads it."""
        left = min(length, 1 << 20)
        while left > 0 and (chunk := self.rfile.read1(min(left, 65536))):
            left -= len(chunk)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.logRequests:
            print(f"[kv server] {self.address_string()} {format % args}",
                  file=sys.stderr, flush=True)


# [start:make_server]
def make_server(host: str = DEFAULT_HOST, port: int = 0,
                log: bool = False) -> SimpleXMLRPCServer:
    """An XML-RPC server of a fresh KeyValueStore on (host, port)."""
    server = SimpleXMLRPCServer(
        (host, port), requestHandler=LimitedHandler, logRequests=log
    )
    server.register_instance(KeyValueStore())
    server.register_introspection_functions()  # system.listMethods()
    return server
# [end:make_server]


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
    with make_server(args.host, args.port, log=True) as server:
        host, port = server.server_address[:2]
        print(f"kv server listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
