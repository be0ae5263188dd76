"""pytest configuration for the whole course.

* tests/guards.py: offline, no leaked threads or processes (every test and session).
* sybil: every interpreter session in source/**/*.rst is executed, one
  namespace per lecture, with examples/<lecture>/ importable while it runs.
* Fixtures that lecture sessions use: ``tmp_path`` and those of each
  tests/sessions_<lecture>.py (its SESSION_FIXTURES list).
"""

from __future__ import annotations

import importlib
import sys
from doctest import ELLIPSIS
from pathlib import Path

from sybil import Document, Sybil
from sybil.parsers.rest import (
    CaptureParser,
    ClearNamespaceParser,
    DocTestParser,
    PythonCodeBlockParser,
    SkipParser,
)

ROOT = Path(__file__).resolve().parent
EXAMPLES = ROOT / "examples"

# Names every lecture's sessions find in their namespace (pytest fixtures).
# tests.guards is loaded as a plugin by pytest.ini (-p tests.guards).
SESSION_FIXTURES = [
    "offline_and_leak_free",  # the guards apply to sessions too
    "tmp_path",  # a fresh directory, e.g. for a Unix-domain socket
]

# Each lecture's own session fixtures live in tests/sessions_<lecture>.py;
# they are made fixtures of this conftest, so every test can use them too.
for _path in sorted((ROOT / "tests").glob("sessions_*.py")):
    _module = importlib.import_module(f"tests.{_path.stem}")
    for _name in _module.SESSION_FIXTURES:
        globals()[_name] = getattr(_module, _name)
        SESSION_FIXTURES.append(_name)


class LectureDocument(Document):
    """A lecture: remembers its file so the session set-up can find its examples."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace["__lecture_path__"] = path


# The examples folder each running lecture put on sys.path, by namespace
# (a session may clear its namespace, so the path is not kept inside it).
_lecture_folders: dict[int, str] = {}


def start_lecture(namespace: dict) -> None:
    """Before a lecture's first session: its examples folder is importable,
    as for a student who typed ``cd examples/<lecture>``."""
    folder = EXAMPLES / Path(namespace["__lecture_path__"]).stem
    _lecture_folders[id(namespace)] = str(folder)
    if folder.is_dir():
        sys.path.insert(0, str(folder))


def end_lecture(namespace: dict) -> None:
    """After a lecture: forget its examples, so the next lecture's
    ``echo_server`` (say) is its own and not this one's."""
    folder = _lecture_folders.pop(id(namespace))
    while folder in sys.path:
        sys.path.remove(folder)
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) and module.__file__.startswith(folder + "/"):
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


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the drift audit (tests/audit.py) at the end of every run."""
    from tests.audit import audit_all, format_table

    terminalreporter.write_sep("-", "drift audit: every code block in the lectures")
    terminalreporter.write_line(format_table(audit_all()))
