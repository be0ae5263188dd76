"""Lab: an XML-RPC key-value server whose keys can expire, and a
client library that makes the remote store look like a dict.

    python solution.py --port 0           # the server
    python solution.py --help

    >>> from solution import KVClient
    >>> with KVClient("http://127.0.0.1:PORT") as kv:
    ...     kv.set("session", "abc", ttl=30)
    ...     kv["session"]
"""

import argparse
import threading
import time
from xmlrpc.client import Fault, ServerProxy  # noqa: F401  (Fault: for you)
from xmlrpc.server import SimpleXMLRPCServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8010
NO_SUCH_KEY = 404
BAD_REQUEST = 400


class ExpiringStore:
    """Keys with an optional time to live, in seconds (0: forever).

    TODO: keep each value with its deadline (clock() + ttl, or None for
    ttl 0) and forget expired keys before every read. Raise
    Fault(NO_SUCH_KEY, ...) for a missing key and Fault(BAD_REQUEST, ...)
    for a key that is not a non-empty string or a ttl that is negative.
    """

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock  # the tests pass a clock they can move
        self._data: dict[str, tuple[object, float | None]] = {}
        self._lock = threading.Lock()

    def set(self, key: str, value: object, ttl: float = 0) -> bool:
        raise NotImplementedError("TODO: store value, with its deadline")

    def get(self, key: str) -> object:
        raise NotImplementedError("TODO")

    def delete(self, key: str) -> bool:
        raise NotImplementedError("TODO")

    def exists(self, key: str) -> bool:
        raise NotImplementedError("TODO")

    def keys(self) -> list[str]:
        raise NotImplementedError("TODO: the keys that have not expired, sorted")

    def ttl(self, key: str) -> float:
        """Seconds left for key; -1 if it never expires."""
        raise NotImplementedError("TODO")


class KVClient:
    """A remote ExpiringStore that reads like a dict.

    TODO: kv[key], kv[key] = value, del kv[key] and ``key in kv`` call the
    server through a ServerProxy; a missing key raises KeyError, a bad key
    or ttl raises ValueError (turn the server's Faults into those).
    """

    def __init__(self, url: str) -> None:
        self._proxy = ServerProxy(url)

    def __getitem__(self, key: str) -> object:
        raise NotImplementedError("TODO")

    def __setitem__(self, key: str, value: object) -> None:
        raise NotImplementedError("TODO")

    def __delitem__(self, key: str) -> None:
        raise NotImplementedError("TODO")

    def __contains__(self, key: str) -> bool:
        raise NotImplementedError("TODO")

    def set(self, key: str, value: object, ttl: float = 0) -> None:
        raise NotImplementedError("TODO")

    def keys(self) -> list[str]:
        raise NotImplementedError("TODO")

    def ttl(self, key: str) -> float:
        raise NotImplementedError("TODO")

    def close(self) -> None:
        self._proxy("close")()

    def __enter__(self) -> "KVClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# Given: the server and the command line -----------------------------------

def make_server(host: str = DEFAULT_HOST, port: int = 0,
                clock=time.monotonic) -> SimpleXMLRPCServer:
    server = SimpleXMLRPCServer((host, port), logRequests=False)
    server.register_instance(ExpiringStore(clock))
    return server


def port_number(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A key-value server with expiry.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    with make_server(args.host, args.port) as server:
        host, port = server.server_address[:2]
        print(f"kv server listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
