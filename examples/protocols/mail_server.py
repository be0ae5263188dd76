"""A local SMTP server that keeps every message it receives, for class.

It runs aiosmtpd (pip install aiosmtpd), a real SMTP server written with
asyncio, and gives it a handler that stores each message instead of
delivering it anywhere. Nothing leaves the machine, so you can send mail to
any address you like and look at exactly what arrived.

    python examples/protocols/mail_server.py            # on 127.0.0.1:8025
    python examples/protocols/mail_server.py --port 0   # any free port
    python examples/protocols/mail_server.py --help

Then talk to it with nc, a socket, or smtplib. Every message that arrives
is printed on stdout and put into a maildir (the folder "maildir" in the
current directory, or --maildir FOLDER), where pop3_server.py, started
with the same folder, serves it: send with smtplib, read with poplib.
Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import mailbox
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8025  # 25 is the real SMTP port, and needs root
DEFAULT_MAILDIR = "maildir"  # the folder pop3_server.py serves
SERVER_NAME = "mail.example.test"  # the name the server greets with
IDENT = "Course mail server"  # what it says it is


@dataclass
class Delivery:
    """One message as the server received it: the envelope and the content."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    def message(self) -> email.message.EmailMessage:
        """The content parsed into headers and body."""
        return email.message_from_bytes(self.content, policy=email.policy.default)


class MailStore:
    """An aiosmtpd handler that keeps every message it receives: in a
    list, and in the maildir in `folder` if one is given."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self.arrived = threading.Condition()  # to wait for a message
        self.folder = Path(folder) if folder else None
        # A maildir is a folder with tmp/, new/ and cur/ in it, one file
        # per message; mailbox.Maildir creates it if it is not there.
        self.maildir = mailbox.Maildir(folder) if folder else None

    # [start:handler]
    async def handle_DATA(self, server, session, envelope) -> str:
        """aiosmtpd calls this for each message, after the dot."""
        delivery = Delivery(envelope.mail_from, list(envelope.rcpt_tos),
                            envelope.original_content)
        try:
            self.keep(delivery)
        except OSError:  # a full disk, a missing folder: try later
            return "451 Cannot store the message now"
        return "250 Message accepted for delivery"
    # [end:handler]

    def keep(self, delivery: Delivery) -> None:
        """Put the message in the maildir, if there is one (a file in
        new/, with local line ends), and in the list."""
        if self.maildir is not None:
            self.maildir.add(delivery.content.replace(b"\r\n", b"\n"))
        with self.arrived:
            self.deliveries.append(delivery)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        """Wait until `count` messages have arrived; return all of them."""
        with self.arrived:
            if not self.arrived.wait_for(
                lambda: len(self.deliveries) >= count, timeout
            ):
                raise TimeoutError(f"{count} messages did not arrive in {timeout} s")
            return list(self.deliveries)


class MailServer(Controller):
    """aiosmtpd's Controller runs the server in a thread; this one also
    supports port 0 (the Controller checks its server by connecting to
    its port, so it must learn the real one first)."""

    def __init__(self, store: MailStore, host: str = DEFAULT_HOST,
                 port: int = 0, timeout: float = 30.0) -> None:
        super().__init__(store, hostname=host, port=port,
                         server_hostname=SERVER_NAME, ident=IDENT,
                         timeout=timeout)

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    @property
    def address(self) -> tuple[str, int]:
        return self.hostname, self.port


class PrintingStore(MailStore):
    """A MailStore that also prints each message, for the command line."""

    def keep(self, delivery: Delivery) -> None:
        super().keep(delivery)
        print(f"--- from {delivery.mail_from} to {', '.join(delivery.rcpt_tos)}")
        print(delivery.content.decode("utf-8", "replace"), flush=True)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0: any free port)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="A local SMTP server that prints the mail it receives."
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    parser.add_argument("--maildir", default=DEFAULT_MAILDIR,
                        help="the maildir to deliver to (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        store = PrintingStore(args.maildir)
        len(store.maildir)  # can we read it?
    except OSError as exc:
        print(f"cannot use the maildir {args.maildir}: {exc}", file=sys.stderr)
        return 1
    server = MailServer(store, args.host, args.port)
    try:
        server.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = server.address
    print(f"Mail server listening on {host}:{port}", flush=True)
    print(f"Delivering to the maildir {args.maildir}", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()  # the server runs in its own thread
    except KeyboardInterrupt:
        print("Ctrl-C: shutting down", file=sys.stderr)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
