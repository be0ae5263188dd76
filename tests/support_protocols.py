"""Helpers for the tests of lecture 3, "Protocols" (tests/test_protocols*.py).

    build_web_root(base)             the course's web root (tests/webroot.py)
    http_server(handle, ...)         a step server in a thread (ServerThread)
    exchange(address, data)          send raw bytes, read the raw reply
    Response.parse(raw)              split a raw response into its parts
    http_session()                   a requests.Session that ignores proxy
                                     settings of the environment
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.webroot import BINARY, PNG, SECRET, TEXT, build_web_root  # noqa: F401
from tests.support import (
    ServerThread,
    connect,
    load_example,
    make_listener,
    recv_until_eof,
)

http_step1 = load_example("protocols", "http_step1")


# A request head long enough to drip slowly
SLOW_HEAD = b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 200


def http_server(handle: Callable[[socket.socket], object],
                timeout: float = 10.0) -> ServerThread:
    """A step's handler served by http_step1.serve in a thread, until the
    `with` block ends."""
    return ServerThread(http_step1.serve, make_listener(), handle,
                        timeout=timeout)


def exchange(address, data: bytes, shutdown: bool = False) -> bytes:
    """Send data as it is, then read the raw reply until the server closes."""
    with connect(address) as client:
        client.sendall(data)
        if shutdown:
            client.shutdown(socket.SHUT_WR)
        try:
            return recv_until_eof(client)
        except ConnectionResetError as exc:
            raise AssertionError("the server reset the connection") from exc


@dataclass
class Response:
    status: int
    reason: str
    version: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        """Parse a raw HTTP/1.x response (test-side code, not the server's)."""
        head, separator, body = raw.partition(b"\r\n\r\n")
        assert separator, f"no end of head in {raw[:200]!r}"
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, reason = status_line.split(" ", 2)
        headers = {}
        for line in lines:
            name, _, value = line.partition(": ")
            assert name.lower() not in headers, f"{name} sent twice"
            headers[name.lower()] = value
        return cls(int(status), reason, version, headers, body)


def get(address, target: str, method: str = "GET",
        extra: str = "") -> Response:
    """A well-formed HTTP/1.1 request for target, sent by hand."""
    request = (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"{extra}\r\n").encode("latin-1")
    return Response.parse(exchange(address, request))


def http_session():
    """A requests.Session for loopback only: no proxies from the environment
    (HTTP_PROXY and friends), no .netrc."""
    import requests

    session = requests.Session()
    session.trust_env = False
    return session

