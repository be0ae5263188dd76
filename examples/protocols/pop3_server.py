"""A tiny POP3 server: enough of RFC 1939 to read mail with poplib.

POP3 is the protocol a mail program uses to download mail from its
mailbox. Like SMTP it is a text protocol: the client sends one command per
line, the server answers "+OK ..." or "-ERR ...", and a long answer (a
message, a list) is a block of lines ended by a line holding only ".".

This server keeps one mailbox in memory, for one user, and understands
USER, PASS, STAT, LIST, RETR, DELE, NOOP, RSET and QUIT. It serves one
client at a time; deletions happen at QUIT, as the RFC says.

    python examples/protocols/pop3_server.py            # on 127.0.0.1:8110
    python examples/protocols/pop3_server.py --port 0   # any free port

It starts with two sample messages; log in as "student", password
"secret" (POP3 sends passwords in clear text: real servers need TLS).
"""

from __future__ import annotations

import argparse
import socket
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8110  # 110 is the real POP3 port, and needs root
MAX_LINE = 255  # RFC 1939: a command is at most 255 bytes with its CRLF
USER, PASSWORD = "student", "secret"

SAMPLE_MESSAGES = [
    b"From: teacher@example.test\r\nSubject: Welcome\r\n\r\n"
    b"Welcome to the course!\r\n",
    b"From: robot@example.test\r\nSubject: Dots\r\n\r\n"
    b"A line that starts with a dot:\r\n.like this one\r\n",
]


def log(message: str) -> None:
    print(f"[pop3 server] {message}", file=sys.stderr, flush=True)


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    """Return a TCP socket listening on (host, port)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen()
    except OSError:
        server.close()
        raise
    return server


# [start:multiline]
def multiline(lines: list[bytes]) -> bytes:
    """A multi-line answer: a line that begins with "." gets one
    more ".", and a line holding only "." ends the block."""
    stuffed = [b"." + line if line.startswith(b".") else line
               for line in lines]
    return b"".join(line + b"\r\n" for line in stuffed) + b".\r\n"
# [end:multiline]


class Session:
    """One client's conversation: its state and the mailbox it sees."""

    def __init__(self, mailbox: list[bytes]) -> None:
        self.mailbox = mailbox
        self.user: str | None = None
        self.logged_in = False
        self.deleted: set[int] = set()

    def message(self, argument: str) -> int:
        """The index of message number `argument` (numbers start at 1)."""
        if not argument.isdigit():
            raise ValueError("a message number is required")
        index = int(argument) - 1
        if not 0 <= index < len(self.mailbox) or index in self.deleted:
            raise ValueError(f"no message {argument}")
        return index

    def live(self) -> list[int]:
        return [i for i in range(len(self.mailbox)) if i not in self.deleted]

    def answer(self, command: str, argument: str) -> bytes:
        """The reply to one command (QUIT is handled by the caller)."""
        if not self.logged_in:
            if command == "USER":
                self.user = argument
                return b"+OK now your password\r\n"
            if command == "PASS" and self.user is not None:
                if (self.user, argument) != (USER, PASSWORD):
                    self.user = None
                    return b"-ERR wrong user name or password\r\n"
                self.logged_in = True
                return b"+OK logged in\r\n"
            return b"-ERR log in first: USER, then PASS\r\n"
        if command == "STAT":
            sizes = [len(self.mailbox[i]) for i in self.live()]
            return f"+OK {len(sizes)} {sum(sizes)}\r\n".encode()
        if command == "LIST" and argument:
            index = self.message(argument)
            return f"+OK {argument} {len(self.mailbox[index])}\r\n".encode()
        if command == "LIST":
            lines = [f"{i + 1} {len(self.mailbox[i])}".encode()
                     for i in self.live()]
            return b"+OK scan listing follows\r\n" + multiline(lines)
        if command == "RETR":
            content = self.mailbox[self.message(argument)]
            return b"+OK message follows\r\n" + multiline(content.splitlines())
        if command == "DELE":
            self.deleted.add(self.message(argument))
            return f"+OK message {argument} deleted\r\n".encode()
        if command == "RSET":
            self.deleted.clear()
            return b"+OK nothing will be deleted\r\n"
        if command == "NOOP":
            return b"+OK\r\n"
        return f"-ERR unknown command {command[:20]!r}\r\n".encode()

    def commit(self) -> None:
        """At QUIT after a login: remove the messages marked deleted."""
        for index in sorted(self.deleted, reverse=True):
            del self.mailbox[index]


def handle_client(conn: socket.socket, mailbox: list[bytes],
                  timeout: float = 30.0) -> None:
    """Speak POP3 with one client until QUIT, EOF, or `timeout` of silence."""
    conn.settimeout(timeout)
    session = Session(mailbox)
    conn.sendall(b"+OK course POP3 server ready\r\n")
    with conn.makefile("rb") as reader:
        while line := reader.readline(MAX_LINE + 1):
            if not line.endswith(b"\n"):
                if len(line) > MAX_LINE:
                    conn.sendall(b"-ERR line too long\r\n")
                break  # too long, or the client left mid-line
            words = line.decode("utf-8", "replace").split(maxsplit=1)
            command = words[0].upper() if words else ""
            argument = words[1].strip() if len(words) > 1 else ""
            if command == "QUIT":
                if session.logged_in:
                    session.commit()
                conn.sendall(b"+OK bye\r\n")
                break
            try:
                conn.sendall(session.answer(command, argument))
            except ValueError as exc:
                conn.sendall(f"-ERR {exc}\r\n".encode())


def serve(server: socket.socket, mailbox: list[bytes],
          max_clients: int | None = None, timeout: float = 30.0) -> None:
    """Serve clients one at a time; a misbehaving one is logged and dropped."""
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            try:
                handle_client(conn, mailbox, timeout)
            except TimeoutError:
                log(f"{address[0]}:{address[1]} silent for {timeout} s, dropped")
            except ConnectionError as exc:
                log(f"{address[0]}:{address[1]} lost: {exc}")
        served += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A tiny POP3 server.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"POP3 server listening on {host}:{port}", flush=True)
        try:
            serve(server, list(SAMPLE_MESSAGES))
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
