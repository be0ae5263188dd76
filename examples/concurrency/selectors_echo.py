"""Design 3: the line echo server as an event loop, with selectors.

One thread, many clients. Every socket is non-blocking, so no call ever
waits; instead the loop asks the operating system (select / epoll /
kqueue, through selectors.DefaultSelector) which sockets are ready, and
does for each only what it can do without waiting. What a blocking server
keeps in local variables of a thread (the half-read line, the reply still
to send) lives here in a Connection object per client:

* partial reads: LineEcho keeps the start of an incomplete line;
* partial writes: send() may take only part of the outbox; the rest waits
  until the socket is writable again. While the outbox is full we stop
  reading from that client (back-pressure), so a client that sends but
  never reads cannot make the server's memory grow without bound;
* a client silent for longer than the idle timeout is closed;
* a reset or a broken pipe closes that connection only;
* out of file descriptors, accept() fails at once, and the listening
  socket stays readable: the loop would retry at once, forever, at 100 %
  CPU. Instead it stops watching the listening socket for ACCEPT_PAUSE
  seconds (serving the clients it has), and logs that once.

Run it::

    python examples/concurrency/selectors_echo.py --port 0
    python examples/concurrency/selectors_echo.py --help
"""

from __future__ import annotations

import selectors
import socket
import sys
import threading
import time

from service import (
    ACCEPT_PAUSE, CHUNK_SIZE, IDLE_TIMEOUT, OUT_OF_FILES, TOO_LONG_REPLY,
    LineEcho, LineTooLong, log, run_blocking_server,
)

DEFAULT_PORT = 50044
NAME = "selectors echo"
HIGH_WATER = 1024 * 1024  # stop reading a client whose outbox is this big


# [start:connection]
class Connection:
    """Everything the loop remembers about one client."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.protocol = LineEcho()  # holds a partly received line
        self.outbox = bytearray()  # reply bytes not sent yet
        self.closing = False  # hang up once the outbox is empty
        self.last_active = time.monotonic()

    def wanted_events(self) -> int:
        """Read unless the outbox is full or we hang up; write if
        there is anything to write."""
        events = 0
        if not self.closing and len(self.outbox) < HIGH_WATER:
            events |= selectors.EVENT_READ
        if self.outbox:
            events |= selectors.EVENT_WRITE
        return events
# [end:connection]


class EchoLoop:
    """The event loop: one selector, a listening socket, many Connections."""

    def __init__(self, server: socket.socket, timeout: float = IDLE_TIMEOUT) -> None:
        self.server = server
        self.timeout = timeout
        self.selector = selectors.DefaultSelector()
        self.connections: dict[socket.socket, Connection] = {}
        self.accept_again_at: float | None = None  # paused: out of files
        self.out_of_files_logged = False
        server.setblocking(False)
        self.selector.register(server, selectors.EVENT_READ)

    # [start:loop]
    def run(self, stop: threading.Event | None = None) -> None:
        """Serve until stop is set (or forever), then close everything."""
        tick = min(0.5, self.timeout / 4)  # how often we check the clock
        try:
            while stop is None or not stop.is_set():
                for key, events in self.selector.select(timeout=tick):
                    if key.fileobj is self.server:
                        self.accept_all()
                    else:
                        self.serve(self.connections[key.fileobj], events)
                self.close_idle()
                self.resume_accepting()
        finally:
            for conn in list(self.connections.values()):
                self.close(conn)
            self.selector.close()
    # [end:loop]

    def accept_all(self) -> None:
        """Accept every connection waiting in the backlog."""
        while True:
            try:
                sock, address = self.server.accept()
            except BlockingIOError:
                return  # the backlog is empty
            except OSError as exc:
                if exc.errno in OUT_OF_FILES:
                    return self.pause_accepting(exc)
                log(NAME, f"accept failed: {exc}")
                return
            self.out_of_files_logged = False
            sock.setblocking(False)
            conn = Connection(sock)
            self.connections[sock] = conn
            self.selector.register(sock, conn.wanted_events(), conn)

    # [start:serve]
    def serve(self, conn: Connection, events: int) -> None:
        """Do what the socket is ready for, without ever waiting."""
        conn.last_active = time.monotonic()
        try:
            if events & selectors.EVENT_READ:
                self.read(conn)
            if events & selectors.EVENT_WRITE and conn.outbox:
                sent = conn.sock.send(conn.outbox)  # maybe only a part
                del conn.outbox[:sent]
        except BlockingIOError:
            pass  # not ready after all; the selector will tell us again
        except ConnectionError as exc:  # reset, broken pipe
            log(NAME, f"client lost: {exc}")
            return self.close(conn)
        if conn.closing and not conn.outbox:
            return self.close(conn)
        self.selector.modify(conn.sock, conn.wanted_events(), conn)
    # [end:serve]

    # [start:read]
    def read(self, conn: Connection) -> None:
        """Read what has arrived; queue the reply in the outbox."""
        data = conn.sock.recv(CHUNK_SIZE)
        if not data:  # the client closed its side
            conn.closing = True
            return
        try:
            conn.outbox += conn.protocol.receive(data)
        except LineTooLong:
            conn.outbox += TOO_LONG_REPLY
            conn.closing = True
    # [end:read]

    def close_idle(self) -> None:
        """Close the connections that have been silent too long."""
        now = time.monotonic()
        for conn in list(self.connections.values()):
            if now - conn.last_active > self.timeout:
                log(NAME, f"client silent for {self.timeout} s: closing it")
                self.close(conn)

    def pause_accepting(self, error: OSError) -> None:
        """Stop watching the listening socket for a moment; say so once."""
        self.selector.unregister(self.server)
        self.accept_again_at = time.monotonic() + ACCEPT_PAUSE
        if not self.out_of_files_logged:
            log(NAME, f"{error.strerror}: not accepting for now")
            self.out_of_files_logged = True

    def resume_accepting(self) -> None:
        if self.accept_again_at and time.monotonic() >= self.accept_again_at:
            self.accept_again_at = None
            self.selector.register(self.server, selectors.EVENT_READ)

    def close(self, conn: Connection) -> None:
        self.selector.unregister(conn.sock)
        del self.connections[conn.sock]
        conn.sock.close()


def serve(
    server: socket.socket,
    timeout: float = IDLE_TIMEOUT,
    stop: threading.Event | None = None,
) -> None:
    """Run the event loop on server until stop is set (or forever)."""
    EchoLoop(server, timeout).run(stop)


def main(argv: list[str] | None = None) -> int:
    return run_blocking_server(
        serve,
        "Selectors echo server",
        "A line echo server: one thread, an event loop with selectors.",
        DEFAULT_PORT,
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
