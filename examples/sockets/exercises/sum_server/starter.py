"""Assignment: a "sum server" speaking a line protocol (starter).

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

Your task: complete compute_reply and handle_client (marked TODO). The
server skeleton below them is given. Check your work with the tests::

    COURSE_IMPL=starter python -m pytest tests/test_sockets_exercises.py -k SumServer

and try it by hand::

    python examples/sockets/exercises/sum_server/starter.py --port 50008
    nc 127.0.0.1 50008        # then type: 3 4 <Enter>
"""

import argparse
import socket
import sys
import time

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 50008
MAX_LINE = 1024  # bytes in one request, not counting the b"\n"
TOO_LONG_REPLY = f"error: line too long (max {MAX_LINE} bytes)\n".encode()


def log(message: str) -> None:
    """Report what the server does on stderr (stdout is for the address)."""
    print(f"[sum server] {message}", file=sys.stderr, flush=True)


def compute_reply(line: bytes) -> bytes:
    """Answer one request (a line without its b"\\n") with one reply line.

    compute_reply(b"3 4") == b"7\\n"
    compute_reply(b"1.5 2") == b"3.5\\n"
    compute_reply(b"abc 4") == b"error: not a number: 'abc'\\n"

    TODO:
    - decode the bytes as UTF-8 (invalid UTF-8 is an error reply, not a
      crash) and split the text into words;
    - exactly two words, else "error: expected two numbers, got N";
    - a word is a number if it is written as the protocol says (see the
      module docstring): ASCII digits, an optional sign, an integer or a
      decimal. int() and float() accept more ("1_000", Arabic-Indic
      digits, "nan", "inf"), so check the word's form first (re.fullmatch
      helps); a float must also be finite (math.isfinite): "1e999" is an
      error too;
    - reply with the sum as str() writes it: an int if both numbers are
      ints, else a float (so "2 2.0" gives "4.0");
    - the sum must be finite too: 1e308 + 1e308 is inf, and a huge int
      plus a float raises OverflowError; reply with an error instead;
    - every reply ends with b"\\n"; this function never raises.
    """
    raise NotImplementedError("TODO: compute the reply to one request line")


def handle_client(conn: socket.socket, timeout: float = 10.0) -> None:
    """Serve one client; problems with it end this client only.

    TODO:
    - `timeout` is a deadline for each request line, not for each recv:
      a client that sends one byte a second must not hold the server past
      it. Before each recv, set conn's timeout to the time left
      (time.monotonic() helps); none left: TimeoutError;
    - read lines: recv returns what has arrived, which may be part of a
      line or several lines (see LineReader in examples/sockets/framing.py);
    - send compute_reply(line) for each line;
    - a line longer than MAX_LINE: send TOO_LONG_REPLY and return;
    - return when the client closes; log and return if it closes mid-line,
      times out (TimeoutError) or resets (ConnectionError).
    """
    raise NotImplementedError("TODO: answer the client's requests")


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
