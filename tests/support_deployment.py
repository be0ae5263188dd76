"""Helpers for lecture 12's tests: the stack of examples/deployment/.

    stack_module, wsgi, http_load     the example modules
    SECRET                            a SECRET_KEY for the tests' stacks
    started_stack(folder, **options)  the stack, or a skip without nginx
    raw(url, *chunks)                 send bytes on a raw socket, return the reply
    reply_head(url, request)          ... the head of the reply only
    slow_clients(url, count)          clients that send a request head very slowly
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from contextlib import contextmanager

from tests.net import connect, recv_until_eof, require_command
from tests.support import load_example

stack_module = load_example("deployment", "stack")
wsgi = load_example("deployment", "wsgi")
http_load = load_example("deployment", "http_load")
SECRET = "test-secret-0123456789"


def stack_environ(**extra: str) -> dict[str, str]:
    return {**os.environ, "SECRET_KEY": SECRET, **extra}


@contextmanager
def started_stack(folder, **options):
    """The microblog under gunicorn behind nginx, in `folder`."""
    require_command("nginx")
    options.setdefault("environ", stack_environ())
    with stack_module.running_stack(folder, **options) as running:
        yield running


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def raw(url: str, *chunks: bytes, shut: bool = True) -> bytes:
    """Send chunks on a raw socket, end our side, return the whole reply."""
    with connect(address(url)) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
        if shut:
            sock.shutdown(1)
        return recv_until_eof(sock)


def reply_head(url: str, request: bytes) -> bytes:
    """Send request; return the reply's head (nginx may keep reading a body
    it refused, so the reply is read up to its blank line, not to EOF)."""
    with connect(address(url)) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received and (chunk := sock.recv(4096)):
            received += chunk
        return received


@contextmanager
def slow_clients(url: str, count: int, seconds: float = 2.0):
    """`count` clients that each send a request head a byte every 50 ms
    for `seconds`, never finishing it; they hang up at the end."""
    import threading
    import time

    def crawl() -> None:
        with connect(address(url)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            stop_at = time.monotonic() + seconds
            while time.monotonic() < stop_at:
                try:
                    sock.sendall(b"s")
                except OSError:
                    return  # the server gave up on us: fine
                time.sleep(0.05)

    threads = [threading.Thread(target=crawl, name="slow client") for _ in range(count)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)  # they have connected and begun
    try:
        yield
    finally:
        for thread in threads:
            thread.join(seconds + 5)


def fetch(url: str, headers: dict | None = None, data: bytes | None = None):
    """(status, headers, body) of a request; HTTP errors are returned too."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def health(url: str, headers: dict | None = None) -> dict:
    status, _, body = fetch(url + "/healthz", headers)
    assert status == 200, body
    return json.loads(body)
