"""Assignment, reference solution: a "sum server" speaking a line protocol.

The protocol, over TCP, text encoded as UTF-8, one request per line:

* The client sends two numbers separated by whitespace and ended by b"\\n":
  ``3 4\\n``. The server replies with their sum and a b"\\n": ``7\\n``.
* A number is written with ASCII digits 0-9: an optional sign (+ or -),
  then an integer (``-3``) or a decimal with a point and/or an exponent
  (``1.5``, ``.5``, ``2e3``). Python's int() and float() accept more
  (Arabic-Indic digits, ``1_000``, ``nan``, ``inf``): this protocol does
  not. Two integers give an integer; otherwise the sum is a float
  (``1.5 2`` -> ``3.5``).
* A bad request gets an error reply and the connection stays usable::

      error: expected two numbers, got 1
      error: not a number: 'abc'
      error: request is not valid UTF-8

* A line longer than MAX_LINE bytes gets
  ``error: line too long (max 1024 bytes)`` and the server hangs up.
* A client that disconnects mid-line, resets the connection or does not
  complete a request line within the timeout (a deadline for the whole
  line, however the bytes trickle in) is dropped (a log line on stderr);
  the server goes on serving the next clients.

Run it::

    python examples/sockets/exercises/sum_server/solution.py
    python examples/sockets/exercises/sum_server/solution.py --port 0
    python examples/sockets/exercises/sum_server/solution.py --timeout 2
    python examples/sockets/exercises/sum_server/solution.py --help

then type requests into ``nc 127.0.0.1 50008`` (or telnet), or send them
from a Python session::

    sock = socket.create_connection(("127.0.0.1", 50008))
    sock.sendall(b"3 4\\n")
    sock.recv(1024)        # b'7\\n'
"""

import argparse
import math
import re
import socket
import sys
import time

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50008
MAX_LINE = 1024  # bytes in one request, not counting the b"\n"
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()


class LineTooLong(ValueError):
    """The client sent more than MAX_LINE bytes without a b"\\n"."""


class IncompleteLine(ConnectionError):
    """The client closed the connection in the middle of a line."""


def log(message: str) -> None:
    """Report what the server does on stderr (stdout is for the address)."""
    print(f"[sum server] {message}", file=sys.stderr, flush=True)


# How the protocol writes numbers: in ASCII. int() would also take "1_000"
# and "\u0663" (an Arabic-Indic 3), float() "nan" and "inf"; they are no
# numbers here.
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def parse_number(word: str) -> int | float | None:
    """Return word as an int, else as a finite float; None if neither."""
    if INTEGER.fullmatch(word):
        return int(word)
    if DECIMAL.fullmatch(word):
        number = float(word)
        # 1e999 is written like a number, but as a float it is inf.
        return number if math.isfinite(number) else None
    return None


def compute_reply(line: bytes) -> bytes:
    """Answer one request (a line without its b"\\n") with one reply line."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return b"error: request is not valid UTF-8\n"
    words = text.split()  # any whitespace, leading and trailing included
    if len(words) != 2:
        return f"error: expected two numbers, got {len(words)}\n".encode()
    numbers = []
    for word in words:
        number = parse_number(word)
        if number is None:
            return f"error: not a number: {word!r}\n".encode()
        numbers.append(number)
    return format_sum(numbers[0], numbers[1])


def format_sum(a: int | float, b: int | float) -> bytes:
    """Return the reply line for a + b; a float sum must stay finite."""
    try:
        total = a + b
    except OverflowError:  # 10**400 + 0.5: too big an int to make a float
        return b"error: sum out of range\n"
    # Two finite floats can still add up to inf: 1e308 + 1e308.
    if isinstance(total, float) and not math.isfinite(total):
        return b"error: sum out of range\n"
    return f"{total}\n".encode()


def read_line(conn: socket.socket, buffer: bytearray,
              timeout: float) -> bytes | None:
    """Return the next line without its b"\\n"; None if the client closed.

    One recv may bring several lines, or part of one: bytes that follow
    the line stay in `buffer` for the next call. The whole line must come
    within `timeout` seconds (else TimeoutError), not each recv: a client
    that sends a byte now and then must not hold the server forever.
    """
    deadline = time.monotonic() + timeout
    while True:
        end = buffer.find(b"\n")  # -1: no complete line in the buffer yet
        line_so_far = end if end >= 0 else len(buffer)
        if line_so_far > MAX_LINE:
            raise LineTooLong()
        if end >= 0:
            line = bytes(buffer[:end])
            del buffer[: end + 1]
            return line
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete line within {timeout} s")
        conn.settimeout(left)
        chunk = conn.recv(4096)
        if not chunk:
            if buffer:
                raise IncompleteLine("client closed the connection mid-line")
            return None
        buffer += chunk


def answer_requests(conn: socket.socket, timeout: float) -> None:
    """Reply to each request line until the client closes the connection."""
    buffer = bytearray()
    while True:
        try:
            line = read_line(conn, buffer, timeout)
        except LineTooLong:
            conn.sendall(TOO_LONG_REPLY)
            # We can no longer tell where the next request starts: hang up.
            log("line too long: closing the connection")
            return
        if line is None:
            return
        conn.settimeout(timeout)  # for sending the reply
        conn.sendall(compute_reply(line))


def handle_client(conn: socket.socket, timeout: float = 10.0) -> None:
    """Serve one client; problems with it end this client only.

    `timeout`: the seconds a client has to send each request line.
    """
    try:
        answer_requests(conn, timeout)
    except TimeoutError:
        log(f"no complete request within {timeout} s: dropping the client")
    except ConnectionError as exc:  # reset, broken pipe, closed mid-line
        log(f"client dropped: {exc}")


# Given code: the same server skeleton as in echo_server.py.

def make_server(
    host: str = DEFAULT_HOST, port: int = 0, backlog: int = socket.SOMAXCONN
) -> socket.socket:
    """Return a TCP socket listening on (host, port); port 0: OS chooses."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(backlog)
    except OSError:
        server.close()
        raise
    return server


def serve(
    server: socket.socket,
    max_clients: int | None = None,
    timeout: float = 10.0,
) -> None:
    """Accept clients one at a time and serve each; stop after max_clients."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            log(f"connection from {address[0]}:{address[1]}")
            handle_client(conn, timeout)
            hang_up(conn)
        served += 1


def hang_up(conn: socket.socket, linger: float = 1.0) -> None:
    """Finish a conversation so that our last reply reaches the client.

    close() with unread input makes the kernel send a reset (RST), and a
    client still sending (say, a 1 MB line) then gets "connection reset"
    instead of our error reply. So: send our end of stream (FIN) first,
    then read and drop what the client still sends, for `linger` seconds
    at most, until it closes its side too.
    """
    try:
        conn.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + linger
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                break  # the client has closed too
    except OSError:  # reset, timed out: nothing left to save
        pass


def port_number(text: str) -> int:
    """argparse type: a TCP/UDP port, 0 to 65535 (bind() would overflow)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number "
                                         "(0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A server that adds two numbers per line it receives."
    )
    parser.add_argument(
        "--host", default=DEFAULT_HOST,
        help="address to listen on (default: %(default)s)",
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT,
        help="port to listen on, 0 for any free port (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0,
        help="seconds a client has to send each request line "
             "(default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be more than 0 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    with server:
        try:
            host, port = server.getsockname()
            print(f"Sum server listening on {host}:{port}", flush=True)
            serve(server, timeout=args.timeout)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
