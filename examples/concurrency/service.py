"""What the four echo servers of lecture 4 share: the protocol and the command line.

The service is a *line echo*: every line a client sends (bytes ended by
b"\\n") comes straight back. A line longer than MAX_LINE bytes is refused
with ``error: line too long (max 8192 bytes)`` and the server hangs up,
because it can no longer tell where the next line begins.

The protocol lives in LineEcho, a class that does no I/O at all: bytes go
in, the reply comes out. Each design (threads, processes, selectors,
asyncio) only decides *how* to wait for bytes, and hands them to LineEcho.
So when the designs behave differently, it is the concurrency, not the
protocol. This module is imported by the servers; it does not run alone.

It also holds what every server of the lecture does the same way:

* the command line (``--port`` accepts 0 to 65535, anything else is a
  usage error);
* running out of file descriptors (``ulimit -n``): a server keeps serving
  the clients it has, stops accepting new ones for a moment, and says so
  in one log line, not one per attempt;
* stopping: Ctrl-C (SIGINT) or SIGTERM ends every connection at once and
  the server exits with status 0 after one log line, "shutting down".
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DEFAULT_HOST = "127.0.0.1"
MAX_LINE = 8192  # bytes in one line, not counting the b"\n"
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()
CHUNK_SIZE = 65536  # the most bytes asked from recv at once
IDLE_TIMEOUT = 10.0  # seconds a client may stay silent
BACKLOG = 1024  # connections the kernel may queue before accept()
# accept() failing with "Too many open files" (ours: EMFILE, the whole
# system's: ENFILE) is a shortage that passes, not an error.
OUT_OF_FILES = (errno.EMFILE, errno.ENFILE)
ACCEPT_PAUSE = 0.5  # seconds we stop accepting while no descriptor is free


class LineTooLong(ValueError):
    """The client sent more than MAX_LINE bytes without a b"\\n"."""


# [start:protocol]
class LineEcho:
    """The echo protocol, no I/O: bytes in, the reply out."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self.pending = bytearray()  # an incomplete line, so far

    def receive(self, data: bytes) -> bytes:
        """Return the reply to data: each complete line, echoed.

        Raise LineTooLong if a line grows beyond max_line bytes.
        """
        self.pending += data
        end = self.pending.rfind(b"\n") + 1  # 0: no complete line yet
        complete, rest = self.pending[:end], self.pending[end:]
        lines = complete.split(b"\n")
        if max(len(rest), *map(len, lines)) > self.max_line:
            raise LineTooLong()
        self.pending = rest
        return bytes(complete)
# [end:protocol]


def log(name: str, message: str) -> None:
    """Report what a server does on stderr (stdout is for the address)."""
    print(f"[{name}] {message}", file=sys.stderr, flush=True)


# [start:blocking]
def echo_lines(conn: socket.socket,
               timeout: float = IDLE_TIMEOUT) -> None:
    """Serve one client with blocking calls; return when it is done.

    This is what threads and processes run, one connection each.
    """
    conn.settimeout(timeout)
    protocol = LineEcho()
    try:
        while data := conn.recv(CHUNK_SIZE):
            conn.sendall(protocol.receive(data))
    except LineTooLong:
        conn.sendall(TOO_LONG_REPLY)
    except TimeoutError:
        pass  # silent too long: hang up
    except OSError:
        pass  # reset, broken pipe, or closed as the server stops
# [end:blocking]


def hang_up(conn: socket.socket) -> None:
    """End a connection another thread is serving: its recv() returns b"".

    shutdown() wakes a thread waiting in recv(), where close() would not;
    the thread then closes the socket itself.
    """
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


# [start:accept]
class Shortage:
    """A blocking server short of file descriptors: wait a moment before
    trying again, and say so once, not at every try."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.said = False

    def wait(self, error: OSError) -> None:
        """Wait, if error is "Too many open files"; else raise it."""
        if error.errno not in OUT_OF_FILES:
            raise error
        if not self.said:
            log(self.name, f"{error.strerror}: not accepting for now")
            self.said = True
        time.sleep(ACCEPT_PAUSE)

    def over(self) -> None:
        self.said = False


def accept(server: socket.socket,
           name: str) -> tuple[socket.socket, tuple]:
    """server.accept(), waiting while no file descriptor is free.

    Each new client needs a descriptor. When none is left, accept()
    fails at once, again and again: a loop that retries at once burns
    the CPU. Instead we wait a moment (the clients we have are served
    meanwhile, and may free some), and say so once, not every time.
    """
    shortage = Shortage(name)
    while True:
        try:
            return server.accept()
        except OSError as exc:
            shortage.wait(exc)  # raises again any other error
# [end:accept]


def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = BACKLOG
) -> socket.socket:
    """Return a TCP socket listening on (host, port); port 0: OS chooses."""
    # create_server: socket(), SO_REUSEADDR, bind() and listen() in one call.
    return socket.create_server((host, port), backlog=backlog)


def port_number(text: str) -> int:
    """The type of --port: a TCP port is a number from 0 to 65535."""
    port = int(text)  # not a number: argparse says "invalid port_number value"
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def make_parser(description: str, default_port: int) -> argparse.ArgumentParser:
    """The command line every server of this lecture accepts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="address to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=port_number, default=default_port,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=IDLE_TIMEOUT,
        help="seconds a client may stay silent (default: %(default)s)",
    )
    return parser


def announce(name: str, address: tuple) -> None:
    """Print the address we listen on; flush, so a pipe sees it at once."""
    host, port = address[:2]
    print(f"{name} listening on {host}:{port}", flush=True)


def stop_on_sigterm() -> None:
    """Treat SIGTERM (kill, a test ending) like Ctrl-C: clean up, then exit."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupt)


def run_blocking_server(
    serve: Callable[[socket.socket, float], None],
    title: str,
    description: str,
    default_port: int,
    argv: list[str] | None = None,
) -> int:
    """The command line of the thread, process and selectors servers:
    parse it, listen, print the address, serve until Ctrl-C or SIGTERM."""
    args = make_parser(description, default_port).parse_args(argv)
    stop_on_sigterm()
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        announce(title, server.getsockname())
        try:
            serve(server, args.timeout)
        except KeyboardInterrupt:
            log(title, "shutting down")
    return 0


# asyncio servers: stopping cleanly, and running out of file descriptors ----

class Connections:
    """The connections an asyncio server is serving, so that it can end
    them all when it stops; each one is its handler's task and writer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.open: dict[asyncio.Task, asyncio.StreamWriter] = {}
        self.out_of_files_at = -3600.0  # when accept() last failed so

    @contextmanager
    def track(self, writer: asyncio.StreamWriter) -> Iterator[None]:
        """Count the connection as open while the with block runs."""
        task = asyncio.current_task()
        self.open[task] = writer
        try:
            yield
        finally:
            del self.open[task]

    async def close_all(self, grace: float = 0.5) -> None:
        """Close every connection; abort those still open after grace
        seconds (a client that does not read); let the handlers finish."""
        for writer in self.open.values():
            writer.close()  # the handler's next read sees the end
        if self.open:
            await asyncio.wait(list(self.open), timeout=grace)
        for writer in self.open.values():
            writer.transport.abort()
        if self.open:
            await asyncio.wait(list(self.open), timeout=grace)

    def report_loop_error(self, loop: asyncio.AbstractEventLoop,
                          context: dict) -> None:
        """The event loop's error handler. Out of file descriptors, asyncio
        stops accepting for a second, then tries again, logging a whole
        traceback each time: we say it in one line, once while it lasts
        (that is, unless the last failure is a minute old). Python up to
        3.13.x also tries accept() once per backlog slot at each retry
        (CPython issue gh-151615): some CPU, but no spinning."""
        error = context.get("exception")
        if isinstance(error, OSError) and error.errno in OUT_OF_FILES:
            now = time.monotonic()
            if now - self.out_of_files_at > 60:
                log(self.name, f"{error.strerror}: not accepting for now")
            self.out_of_files_at = now
        else:
            loop.default_exception_handler(context)


# [start:serve_until_stopped]
async def serve_until_stopped(server: asyncio.Server,
                              connections: Connections) -> None:
    """Serve until Ctrl-C or SIGTERM, then stop listening and close
    every connection: no handler is left waiting for a silent client."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(connections.report_loop_error)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await stop.wait()  # Ctrl-C: asyncio.run cancels this wait
    finally:
        log(connections.name, "shutting down")
        server.close()
        await connections.close_all()
# [end:serve_until_stopped]


async def close_gently(reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter,
                       linger: float = 2.0) -> None:
    """Close after a last reply without losing it to a reset.

    Closing a socket that still holds unread input makes the kernel reset
    the connection, and the reset can destroy the reply before the client
    reads it. So: send what is queued, then our end of stream (FIN), then
    read and drop what the client still sends, for at most linger seconds.
    """
    try:
        writer.write_eof()
        async with asyncio.timeout(linger):
            while await reader.read(CHUNK_SIZE):
                pass
    except (OSError, TimeoutError):
        pass  # reset by the client, or it kept sending: close anyway
    finally:
        writer.close()
