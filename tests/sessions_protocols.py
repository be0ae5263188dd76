"""Fixtures for the interpreter sessions of source/protocols.rst.

A pytest plugin (root conftest.py) whose fixtures appear in the namespace
of this lecture's sessions: they talk to a
real SMTP server (aiosmtpd, examples/protocols/mail_server.py), a POP3
server and the lecture's HTTP server, each on 127.0.0.1 at a port the
operating system picks, each in a background thread for the whole test
session. The SMTP server delivers into a maildir in a temporary folder,
and the POP3 server serves that same maildir.
"""

from __future__ import annotations

import tempfile
import threading
from functools import partial
from pathlib import Path

import pytest

from tests.guards import allow_long_lived
from tests.net import session_server
from tests.support import load_example


def _new_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread not in before]


@pytest.fixture(scope="session")
def mail_server():
    """A running MailServer (aiosmtpd): .address is (host, port), .handler
    the MailStore that keeps every message it receives, in a list and in
    the maildir .handler.folder (a temporary folder, removed at the end)."""
    mail = load_example("protocols", "mail_server")
    with tempfile.TemporaryDirectory(prefix="course-mail-") as temporary:
        before = set(threading.enumerate())
        server = mail.MailServer(mail.MailStore(Path(temporary) / "maildir"))
        server.start()
        allow_long_lived(threads=_new_threads(before))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def pop3_address(mail_server):
    """(host, port) of examples/protocols/pop3_server.py serving the
    maildir that mail_server delivers to (user "student", password
    "secret")."""
    pop3 = load_example("protocols", "pop3_server")
    with session_server(pop3.serve, pop3.make_server(), mail_server.handler.folder) as running:
        yield running.address


@pytest.fixture(scope="session")
def lecture_web_root():
    """The folder the sessions' web server serves: examples/protocols/www,
    shipped with the course (its "shortcut" is a symbolic link to
    examples/protocols/secret.txt), so that students see the same outputs
    at home. The sessions only read it (a hidden block names it web_root)."""
    return load_example("protocols", "http_step4").WEB_ROOT


@pytest.fixture(scope="session")
def lecture_web_address(lecture_web_root):
    """(host, port) of the lecture's HTTP server (http_step5) serving
    lecture_web_root (a hidden block names it web_address)."""
    step1 = load_example("protocols", "http_step1")
    step5 = load_example("protocols", "http_step5")
    handle = partial(step5.handle_client, root=lecture_web_root)
    with session_server(step1.serve, step1.make_server(), handle) as running:
        yield running.address
