"""Lab solution: an XML-RPC key-value server whose keys can expire, and a
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
from xmlrpc.client import Fault, ServerProxy
from xmlrpc.server import SimpleXMLRPCServer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8010
NO_SUCH_KEY = 404
BAD_REQUEST = 400


class ExpiringStore:
    """Keys with an optional time to live, in seconds (0: forever)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock  # the tests pass a clock they can move
        self._data: dict[str, tuple[object, float | None]] = {}
        self._lock = threading.Lock()

    def _purge(self) -> None:
        """Forget every key whose deadline has passed (lock held)."""
        now = self._clock()
        for key in [k for k, (_, end) in self._data.items()
                    if end is not None and end <= now]:
            del self._data[key]

    def set(self, key: str, value: object, ttl: float = 0) -> bool:
        if not isinstance(key, str) or not key:
            raise Fault(BAD_REQUEST, f"a key must be a non-empty string, not {key!r}")
        if not isinstance(ttl, (int, float)) or ttl < 0:
            raise Fault(BAD_REQUEST, f"ttl must be a number >= 0, not {ttl!r}")
        with self._lock:
            deadline = self._clock() + ttl if ttl else None
            self._data[key] = (value, deadline)
        return True

    def get(self, key: str) -> object:
        with self._lock:
            self._purge()
            if key not in self._data:
                raise Fault(NO_SUCH_KEY, f"no such key: {key!r}")
            return self._data[key][0]

    def delete(self, key: str) -> bool:
        with self._lock:
            self._purge()
            if key not in self._data:
                raise Fault(NO_SUCH_KEY, f"no such key: {key!r}")
            del self._data[key]
        return True

    def exists(self, key: str) -> bool:
        with self._lock:
            self._purge()
            return key in self._data

    def keys(self) -> list[str]:
        with self._lock:
            self._purge()
            return sorted(self._data)

    def ttl(self, key: str) -> float:
        """Seconds left for key; -1 if it never expires."""
        with self._lock:
            self._purge()
            if key not in self._data:
                raise Fault(NO_SUCH_KEY, f"no such key: {key!r}")
            deadline = self._data[key][1]
            return -1 if deadline is None else deadline - self._clock()


class KVClient:
    """A remote ExpiringStore that reads like a dict."""

    def __init__(self, url: str) -> None:
        self._proxy = ServerProxy(url)

    def __getitem__(self, key: str) -> object:
        try:
            return self._proxy.get(key)
        except Fault as fault:
            if fault.faultCode == NO_SUCH_KEY:
                raise KeyError(key) from None
            raise

    def __setitem__(self, key: str, value: object) -> None:
        self.set(key, value)

    def __delitem__(self, key: str) -> None:
        try:
            self._proxy.delete(key)
        except Fault as fault:
            if fault.faultCode == NO_SUCH_KEY:
                raise KeyError(key) from None
            raise

    def __contains__(self, key: str) -> bool:
        return self._proxy.exists(key)

    def set(self, key: str, value: object, ttl: float = 0) -> None:
        try:
            self._proxy.set(key, value, ttl)
        except Fault as fault:
            if fault.faultCode == BAD_REQUEST:
                raise ValueError(fault.faultString) from None
            raise

    def keys(self) -> list[str]:
        return self._proxy.keys()

    def ttl(self, key: str) -> float:
        try:
            return self._proxy.ttl(key)
        except Fault as fault:
            if fault.faultCode == NO_SUCH_KEY:
                raise KeyError(key) from None
            raise

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
