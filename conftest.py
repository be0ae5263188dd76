"""pytest configuration for the whole course.

* tests/guards.py: offline, no leaked threads or processes (every test and session).
* sybil: every interpreter session in source/**/*.rst is executed, one
  namespace per lecture, with examples/<lecture>/ importable while it runs.
* Fixtures that lecture sessions use: see SESSION_FIXTURES below.
"""

from __future__ import annotations

import socket
import sys
import threading
from doctest import ELLIPSIS
from pathlib import Path

import pytest
from sybil import Document, Sybil
from sybil.parsers.rest import (
    CaptureParser,
    ClearNamespaceParser,
    DocTestParser,
    PythonCodeBlockParser,
    SkipParser,
)

pytest_plugins = ["tests.guards"]

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"

# Names a lecture's sessions find in their namespace (pytest fixtures).
SESSION_FIXTURES = [
    "offline_and_leak_free",  # the guards apply to sessions too
    "echo_server_address",  # (host, port) of a running examples/sockets echo server
    "tmp_path",  # a fresh directory, e.g. for a Unix-domain socket
]


class LectureDocument(Document):
    """A lecture: remembers its file so the session set-up can find its examples."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace["__lecture_path__"] = path


def examples_folder(namespace: dict) -> Path:
    return EXAMPLES / Path(namespace["__lecture_path__"]).stem


def start_lecture(namespace: dict) -> None:
    """Before a lecture's first session: its examples folder is importable,
    as for a student who typed ``cd examples/<lecture>``."""
    folder = examples_folder(namespace)
    if folder.is_dir():
        sys.path.insert(0, str(folder))


def end_lecture(namespace: dict) -> None:
    """After a lecture: forget its examples, so the next lecture's
    ``echo_server`` (say) is its own and not this one's."""
    folder = str(examples_folder(namespace))
    while folder in sys.path:
        sys.path.remove(folder)
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) and module.__file__.startswith(folder):
            del sys.modules[name]


pytest_collect_file = Sybil(
    parsers=[
        DocTestParser(optionflags=ELLIPSIS),
        PythonCodeBlockParser(),
        CaptureParser(),
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.rst"],
    document_types={".rst": LectureDocument},
    setup=start_lecture,
    teardown=end_lecture,
    fixtures=SESSION_FIXTURES,
).pytest()


@pytest.fixture(scope="session")
def echo_server_address():
    """A running echo server (examples/sockets/echo_server.py) for lecture sessions.

    It serves clients one after another in a background thread until the
    test session ends.
    """
    from tests.guards import allow_long_lived
    from tests.support import load_example

    echo_server = load_example("sockets", "echo_server")
    server = echo_server.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=_serve_until_closed, args=(echo_server, server), name="echo-server", daemon=True)
    thread.start()
    allow_long_lived(threads=[thread])
    try:
        yield server.getsockname()[:2]
    finally:
        # shutdown() wakes the accept() blocked in the thread; close() alone does not on Linux
        try:
            server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        server.close()
        thread.join(timeout=10)


def _serve_until_closed(echo_server, server) -> None:
    try:
        echo_server.serve(server)
    except OSError:
        pass  # the listening socket was closed: the session is over


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the drift audit (tests/audit.py) at the end of every run."""
    from tests.audit import audit_all, format_table

    terminalreporter.write_sep("-", "drift audit: every code block in the lectures")
    terminalreporter.write_line(format_table(audit_all()))
