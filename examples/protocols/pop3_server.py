"""A tiny POP3 server: enough of RFC 1939 to read mail with poplib.

POP3 is the protocol a mail program uses to download mail from its
mailbox. Like SMTP it is a text protocol: the client sends one command per
line, the server answers "+OK ..." or "-ERR ...", and a long answer (a
message, a list) is a block of lines ended by a line holding only ".".

The mailbox is a maildir (a folder with new/, cur/ and tmp/ in it, one file
per message), the same one that mail_server.py delivers to: mail you send
with smtplib can be read back here. There is one user; it understands
USER, PASS, STAT, LIST, RETR, TOP, DELE, NOOP, RSET, CAPA and QUIT, and
serves one client at a time. Deletions happen at QUIT, as the RFC says.

    python examples/protocols/mail_server.py --port 0   # 1st terminal
    python examples/protocols/pop3_server.py --port 0   # 2nd terminal
    python examples/protocols/pop3_server.py --maildir SOME/FOLDER

Both use the folder "maildir" in the current directory unless told
otherwise. Log in as "student", password "secret" (POP3 sends passwords
in clear text: real servers need TLS).
"""

from __future__ import annotations

import argparse
import mailbox
import re
import socket
import sys
import time
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8110  # 110 is the real POP3 port, and needs root
DEFAULT_MAILDIR = "maildir"  # the folder mail_server.py delivers to
MAX_LINE = 255  # RFC 1939: a command is at most 255 bytes with its CRLF
USER, PASSWORD = "student", "secret"
NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: not "²", "٣" or "1_0"


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


class CommandError(Exception):
    """A command the server refuses: its text follows "-ERR "."""


def number(argument: str) -> int:
    """A number argument, as RFC 1939 writes it: ASCII digits.

    str.isdigit() and int() also accept "²" and "٣"; POP3 does not."""
    if not NUMBER.fullmatch(argument):
        raise CommandError(f"not a number: {argument[:20]!r}")
    return int(argument)


def arrival_order(maildir: mailbox.Maildir) -> list[str]:
    """The keys of the messages, oldest first: a maildir has no order,
    so we sort by the time each file was delivered (then by name, for
    two delivered at the same instant)."""
    return sorted(maildir.keys(),
                  key=lambda key: (maildir.get_message(key).get_date(), key))


class Session:
    """One client's conversation: its state and the messages it sees.

    The messages are numbered 1, 2, 3... at login (RFC 1939 locks the
    mailbox then) and keep their numbers until QUIT, even if new mail
    arrives meanwhile."""

    def __init__(self, maildir: mailbox.Maildir) -> None:
        self.maildir = maildir
        self.user: str | None = None
        self.logged_in = False
        self.keys: list[str] = []  # the messages, numbered at login
        self.deleted: set[int] = set()

    def lines(self, index: int) -> list[bytes]:
        """Message `index` (from 0) as lines, without their line ends."""
        return self.maildir.get_bytes(self.keys[index]).splitlines()

    def size(self, index: int) -> int:
        """Its size as sent: every line ends in CRLF on the wire."""
        return sum(len(line) + 2 for line in self.lines(index))

    def message(self, argument: str) -> int:
        """The index of message number `argument` (numbers start at 1)."""
        index = number(argument) - 1
        if not 0 <= index < len(self.keys) or index in self.deleted:
            raise CommandError("no such message")
        return index

    def live(self) -> list[int]:
        return [i for i in range(len(self.keys)) if i not in self.deleted]

    def log_in(self, command: str, argument: str) -> bytes:
        """The reply to a command before login: USER, then PASS."""
        if command == "USER":
            self.user = argument
            return b"+OK now your password\r\n"
        if command == "PASS" and self.user is not None:
            if (self.user, argument) != (USER, PASSWORD):
                self.user = None
                return b"-ERR wrong user name or password\r\n"
            self.keys = arrival_order(self.maildir)
            self.logged_in = True
            return f"+OK {len(self.keys)} messages\r\n".encode()
        return b"-ERR log in first: USER, then PASS\r\n"

    def answer(self, command: str, argument: str) -> bytes:
        """The reply to one command (QUIT is handled by the caller)."""
        if command == "CAPA":  # RFC 2449: what we understand, in any state
            return b"+OK capability list follows\r\n" + multiline([b"USER", b"TOP"])
        if not self.logged_in:
            return self.log_in(command, argument)
        if command == "STAT":
            sizes = [self.size(i) for i in self.live()]
            return f"+OK {len(sizes)} {sum(sizes)}\r\n".encode()
        if command == "LIST" and argument:
            index = self.message(argument)
            return f"+OK {index + 1} {self.size(index)}\r\n".encode()
        if command == "LIST":
            lines = [f"{i + 1} {self.size(i)}".encode() for i in self.live()]
            return b"+OK scan listing follows\r\n" + multiline(lines)
        if command == "RETR":
            lines = self.lines(self.message(argument))
            return b"+OK message follows\r\n" + multiline(lines)
        if command == "TOP":
            return self.top(*argument.split(" ", 1))
        if command == "DELE":
            index = self.message(argument)
            self.deleted.add(index)
            return f"+OK message {index + 1} deleted\r\n".encode()
        if command == "RSET":
            self.deleted.clear()
            return b"+OK nothing will be deleted\r\n"
        if command == "NOOP":
            return b"+OK\r\n"
        return f"-ERR unknown command {command[:20]!r}\r\n".encode()

    def top(self, which: str, count: str = "") -> bytes:
        """TOP msg n: the headers, the empty line and n lines of the body."""
        lines = self.lines(self.message(which))
        body_starts = lines.index(b"") + 1 if b"" in lines else len(lines)
        shown = lines[:body_starts + number(count)]
        return b"+OK top of message follows\r\n" + multiline(shown)

    def commit(self) -> None:
        """At QUIT after a login: remove the messages marked deleted."""
        for index in self.deleted:
            self.maildir.discard(self.keys[index])


def read_command(line: bytes) -> tuple[str, str]:
    """Split a command line into its keyword (in capitals) and the rest."""
    words = line.decode("utf-8", "replace").strip("\r\n").split(" ", 1)
    return words[0].upper(), words[1] if len(words) > 1 else ""


def handle_client(conn: socket.socket, maildir: mailbox.Maildir,
                  timeout: float = 30.0) -> None:
    """Speak POP3 with one client until QUIT, EOF, or `timeout` of silence."""
    conn.settimeout(timeout)
    session = Session(maildir)
    conn.sendall(b"+OK course POP3 server ready\r\n")
    with conn.makefile("rb") as reader:
        while line := reader.readline(MAX_LINE + 1):
            if not line.endswith(b"\n"):
                if len(line) > MAX_LINE:
                    conn.sendall(b"-ERR line too long\r\n")
                break  # too long, or the client left mid-line
            command, argument = read_command(line)
            if command == "QUIT":
                conn.sendall(quit_reply(session))
                break
            try:
                reply = session.answer(command, argument)
            except CommandError as exc:
                reply = f"-ERR {exc}\r\n".encode()
            except (OSError, KeyError) as exc:  # the maildir changed under us
                log(f"cannot read the maildir: {exc!r}")
                reply = b"-ERR [SYS/TEMP] cannot read the mailbox now\r\n"
            conn.sendall(reply)


def quit_reply(session: Session) -> bytes:
    """QUIT: after a login, remove the messages marked deleted first."""
    if session.logged_in:
        try:
            session.commit()
        except OSError as exc:
            log(f"cannot delete from the maildir: {exc!r}")
            return b"-ERR some deleted messages not removed\r\n"
    return b"+OK bye\r\n"


# [start:close_gently]
def close_gently(conn: socket.socket, linger: float = 1.0) -> None:
    """Stop sending, then read and drop what the client still sends, for
    at most `linger` seconds. Closing with unread bytes would make the
    kernel send a reset, which can destroy our last reply (say, "-ERR
    line too long") before the client reads it."""
    deadline = time.monotonic() + linger
    try:
        conn.shutdown(socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                break  # the client closed too
    except OSError:
        pass  # timed out, or the client reset: nothing more to do
# [end:close_gently]


def serve(server: socket.socket, folder: str | Path,
          max_clients: int | None = None, timeout: float = 30.0) -> None:
    """Serve the maildir in `folder` to clients, one at a time; a
    misbehaving one is logged and dropped."""
    maildir = mailbox.Maildir(folder)  # created if it is not there
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            try:
                handle_client(conn, maildir, timeout)
            except TimeoutError:
                log(f"{address[0]}:{address[1]} silent for {timeout} s, dropped")
            except ConnectionError as exc:
                log(f"{address[0]}:{address[1]} lost: {exc}")
            close_gently(conn)
        served += 1


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0: any free port)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535)")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A tiny POP3 server.")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    parser.add_argument("--maildir", default=DEFAULT_MAILDIR,
                        help="the maildir to serve (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        len(mailbox.Maildir(args.maildir))  # can we read it?
    except OSError as exc:
        print(f"cannot use the maildir {args.maildir}: {exc}", file=sys.stderr)
        return 1
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"POP3 server listening on {host}:{port}", flush=True)
        log(f"serving the maildir {args.maildir}")
        try:
            serve(server, args.maildir)
        except KeyboardInterrupt:
            log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
