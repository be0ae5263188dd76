"""Fixtures for the interpreter sessions of source/protocols.rst.

Loaded by the root conftest.py (SESSION_FIXTURES): the sessions talk to a
real SMTP server (aiosmtpd, examples/protocols/mail_server.py), a POP3
server and the lecture's HTTP server, each on 127.0.0.1 at a port the
operating system picks, each in a background thread for the whole test
session.
"""

from __future__ import annotations

import socket
import threading
from functools import partial

import pytest

from tests.guards import allow_long_lived
from tests.support import load_example

SESSION_FIXTURES = ["mail_server", "pop3_address", "web_address", "web_root"]


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread not in before]


@pytest.fixture(scope="session")
def mail_server():
    """A running MailServer (aiosmtpd): .address is (host, port), .handler
    the MailStore that keeps every message it receives."""
    mail = load_example("protocols", "mail_server")
    before = set(threading.enumerate())
    server = mail.MailServer(mail.MailStore())
    server.start()
    allow_long_lived(threads=_new_threads(before))
    try:
        yield server
    finally:
        server.stop()


def _serve_until_closed(serve, server, *args) -> None:
    try:
        serve(server, *args)
    except OSError:
        pass  # the listening socket was closed: the session is over


def _stop(server: socket.socket, thread: threading.Thread) -> None:
    try:  # shutdown() wakes the accept() blocked in the thread
        server.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    server.close()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def pop3_address():
    """(host, port) of examples/protocols/pop3_server.py, with its two
    sample messages (user "student", password "secret")."""
    pop3 = load_example("protocols", "pop3_server")
    server = pop3.make_server()
    thread = threading.Thread(
        target=_serve_until_closed,
        args=(pop3.serve, server, list(pop3.SAMPLE_MESSAGES)),
        name="pop3-server", daemon=True,
    )
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield server.getsockname()
    finally:
        _stop(server, thread)


@pytest.fixture(scope="session")
def web_root():
    """The folder the sessions' web server serves: examples/protocols/www,
    shipped with the course (its "shortcut" is a symbolic link to
    examples/protocols/secret.txt), so that students see the same outputs
    at home. The sessions only read it."""
    return load_example("protocols", "http_step4").WEB_ROOT


@pytest.fixture(scope="session")
def web_address(web_root):
    """(host, port) of the lecture's HTTP server (http_step5) serving web_root."""
    step1 = load_example("protocols", "http_step1")
    step5 = load_example("protocols", "http_step5")
    server = step1.make_server()
    handle = partial(step5.handle_client, root=web_root)
    thread = threading.Thread(
        target=_serve_until_closed, args=(step1.serve, server, handle),
        name="web-server", daemon=True,
    )
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield server.getsockname()
    finally:
        _stop(server, thread)
