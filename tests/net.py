"""Network helpers for every test, in one place (after CPython's
test.support.socket_helper).

    LOOPBACK, SOCKET_TIMEOUT          where tests listen, how long they wait
    ServerThread(serve, server, ...)  run serve(server, ...) in a thread
    session_server(serve, server)     the same, for a session-wide fixture
    handler_server(handler)           a serve() function that calls
                                      handler(conn) for each client
    make_listener()                   a plain TCP socket on 127.0.0.1:0
    connect(address)                  a client socket with a timeout
    connected_pair()                  the two ends of a loopback connection
    read_exactly(sock, n)             read n bytes
    recv_until_eof(sock)              read everything until the peer closes
    reset_connection(sock)            close abruptly, with a TCP RST
    in_thread(function, *args)        run a function in a thread meanwhile
    sending(sock, *chunks)            send from a thread while reading
    drip(address, request, ...)       send a byte at a time, as a slow client
    keep_sending(sock, stop)          send until stopped or refused (a
                                      client that never stops talking)

Skip marks and requirements:

    needs_root, needs_unix_sockets, needs_ipv6, needs_sigint
    require_command(name, package)    the path of a program the test needs:
                                      skip with the install command, but
                                      fail under CI=true (CI installs it)

Everything here cleans up after itself: sockets are closed, threads joined.
Servers only listen on loopback addresses and ephemeral ports.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

LOOPBACK = "127.0.0.1"
# The longest any test socket waits for its peer.  The run that checks that
# exercise tests fail on the starters (support.assert_starters_fail) sets a
# shorter one: a starter that does nothing makes every test wait this long.
SOCKET_TIMEOUT = float(os.environ.get("COURSE_SOCKET_TIMEOUT", "5.0"))


# Skip marks and requirements ----------------------------------------------


def _ipv6_loopback_works() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_root = pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0),
    reason="needs root (CAP_NET_RAW); CI runs as root",
)
needs_unix_sockets = pytest.mark.skipif(
    not hasattr(socket, "AF_UNIX"), reason="this Python has no Unix domain sockets (AF_UNIX)"
)
needs_ipv6 = pytest.mark.skipif(
    not _ipv6_loopback_works(), reason="no IPv6 loopback (::1) on this machine"
)
needs_sigint = pytest.mark.skipif(
    sys.platform == "win32", reason="Ctrl-C cannot be sent to a child here"
)


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def require_command(name: str, package: str | None = None) -> str:
    """The path of program `name`; without it the test skips, saying how to
    install it (``apt-get install PACKAGE``), except under CI=true, where
    .ci/run installs it and its absence is a failure."""
    # Debian puts servers (dovecot...) in /usr/sbin, which a user's PATH may lack
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")
    if path is None:
        message = f"{name} is not installed: apt-get install {package or name}"
        if in_ci():
            pytest.fail(message + " (CI must install it: see .ci/run)")
        pytest.skip(message)
    return path


# Servers in threads -------------------------------------------------------


class ServerThread:
    """Run serve(server, *args, **kwargs) in a thread, as a context manager.

    The listening socket belongs to the ServerThread: it is closed when
    serve returns, or on exit, which also stops a serve that still waits in
    accept. On exit the thread is joined; if serve failed for any other
    reason than that stop, the exit raises, so a crashed server fails the
    test even when its clients did not notice.
    """

    def __init__(
        self,
        serve: Callable[..., object],
        server: socket.socket,
        *args: object,
        **kwargs: object,
    ) -> None:
        self.server = server
        self.address = server.getsockname()
        self.error: BaseException | None = None
        self._stopping = False
        self.thread = threading.Thread(
            target=self._run,
            args=(serve, args, kwargs),
            name=f"server-{self.address}",
            daemon=True,
        )

    def _run(self, serve, args, kwargs) -> None:
        try:
            serve(self.server, *args, **kwargs)
        except BaseException as exc:  # reported by __exit__
            self.error = exc
        finally:
            # A client waiting in the backlog now gets refused, not ignored.
            self.server.close()

    def __enter__(self) -> ServerThread:
        self.thread.start()
        return self

    def wait(self, timeout: float = SOCKET_TIMEOUT) -> None:
        """Wait for serve to return by itself (e.g. after max_clients)."""
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise AssertionError(f"serve() still running after {timeout} s")
        self._raise_error()

    def stop(self) -> None:
        """Stop the server and join its thread."""
        self._stopping = True
        try:
            # On Linux only shutdown() wakes a thread blocked in accept();
            # elsewhere close() does it.
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()
        self.thread.join(SOCKET_TIMEOUT)
        if self.thread.is_alive():
            raise AssertionError("server thread did not stop")

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self._raise_error()

    def _raise_error(self) -> None:
        stopped_by_us = self._stopping and isinstance(self.error, OSError)
        if self.error is not None and not stopped_by_us:
            raise AssertionError(f"the server failed: {self.error!r}") from self.error


def make_listener() -> socket.socket:
    """A TCP socket listening on 127.0.0.1 at a port the OS chooses."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((LOOPBACK, 0))
        listener.listen()
    except OSError:
        listener.close()
        raise
    return listener


def handler_server(
    handler: Callable[[socket.socket], object],
) -> Callable[..., None]:
    """A serve(server, max_clients=1) function that runs handler(conn).

    For test stand-ins (a server that replies slowly, or never), so that a
    client can be tested against a server that does not depend on it.
    """

    def serve(server: socket.socket, max_clients: int = 1) -> None:
        for _ in range(max_clients):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                handler(conn)

    return serve


# Clients ------------------------------------------------------------------


def connect(address: tuple[str, int], timeout: float = SOCKET_TIMEOUT) -> socket.socket:
    """A TCP client socket connected to address, with a timeout."""
    return socket.create_connection(address, timeout=timeout)


@contextmanager
def connected_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """Yield (client, server side) of a real TCP connection on loopback."""
    with make_listener() as listener:
        client = connect(listener.getsockname())
        with client:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(SOCKET_TIMEOUT)
                yield client, conn


def read_exactly(sock: socket.socket, n: int) -> bytes:
    """Read n bytes (test-side helper, independent of the examples)."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise AssertionError(f"EOF after {len(data)} of {n} bytes")
        data += chunk
    return data


def recv_until_eof(sock: socket.socket) -> bytes:
    """Read until the peer closes its side; return all the bytes."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def reset_connection(sock: socket.socket) -> None:
    """Close sock abruptly: SO_LINGER with a zero delay sends a TCP RST."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@contextmanager
def in_thread(function: Callable[..., object], *args: object) -> Iterator[None]:
    """Run function(*args) in a thread while the body of the with runs.

    On exit the thread is joined, and an exception it raised is re-raised.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            function(*args)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, name="helper", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join(SOCKET_TIMEOUT + 1)
    if thread.is_alive():
        raise AssertionError(f"{function.__name__} did not finish in time")
    if errors:
        raise errors[0]


@contextmanager
def sending(
    sock: socket.socket,
    *chunks: bytes,
    pause: float = 0.0,
    shutdown: bool = False,
) -> Iterator[None]:
    """Send chunks from a background thread while the body of the with runs.

    `pause` seconds pass between chunks, so that they arrive separately;
    `shutdown` ends with shutdown(SHUT_WR). On exit the thread is joined
    and an error it met is raised.
    """

    def send() -> None:
        for number, chunk in enumerate(chunks):
            if number and pause:
                time.sleep(pause)
            sock.sendall(chunk)
        if shutdown:
            sock.shutdown(socket.SHUT_WR)

    with in_thread(send):
        yield


@contextmanager
def session_server(
    serve: Callable[..., object], server: socket.socket, *args: object, **kwargs: object
) -> Iterator[ServerThread]:
    """A ServerThread for a session-wide fixture (the servers that lecture
    sessions talk to): its thread outlives the tests that use it, and is
    stopped and joined, loudly, when the test session ends."""
    from tests.guards import allow_long_lived

    with ServerThread(serve, server, *args, **kwargs) as running:
        allow_long_lived(threads=[running.thread])
        yield running


@contextmanager
def serving_forever(server, long_lived: bool = False) -> Iterator[tuple[str, int]]:
    """Run a socketserver-style server (``serve_forever``/``shutdown``: http.server,
    xmlrpc.server, wsgiref) in a thread; yield its (host, port).  On exit it
    is shut down, closed and its thread joined, loudly if it does not stop.
    ``long_lived``: the thread belongs to a session-wide fixture."""
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05},
        name=f"serving-{server.server_address[:2]}", daemon=True,
    )  # fmt: skip
    thread.start()
    if long_lived:
        from tests.guards import allow_long_lived

        allow_long_lived(threads=[thread])
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SOCKET_TIMEOUT)
        if thread.is_alive():
            raise AssertionError("server thread did not stop")


def drip(address, request: bytes, interval: float, longest: float) -> bytes:
    """Send request one byte every `interval` s, for at most `longest` s,
    or until the server answers; return what it answered."""
    with connect(address) as client:
        started = time.monotonic()
        for byte in request:
            if time.monotonic() - started > longest:
                break
            ready, _, _ = select.select([client], [], [], interval)
            if ready:
                break  # the server has answered, or closed
            try:
                client.send(bytes([byte]))
            except OSError:
                break
        return recv_until_eof(client)


def keep_sending(sock: socket.socket, stop: threading.Event) -> None:
    """Send 1 KiB every 10 ms until `stop` is set or the peer closes."""
    while not stop.is_set():
        try:
            sock.sendall(b"x" * 1024)
        except OSError:
            return  # the server has closed: what we want
        time.sleep(0.01)
