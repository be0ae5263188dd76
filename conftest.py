"""pytest configuration for the whole course.

* tests/guards.py: offline, no leaked threads or processes (every test and
  session); loaded by pytest.ini.
* Plugins: tests/sessions_<slug>.py holds the fixtures that lecture <slug>'s
  sessions use (servers to talk to); each is a pytest plugin, so any test can
  use its fixtures too.  tests/audit_plugin.py checks every code block of the
  lectures at the end of the run (with ``--measure-includes``: that the run
  executed every included example region).  The site that the site and
  browser checks look at is built by a fixture in tests/conftest.py.
* sybil: every interpreter session in source/*.rst is executed, one namespace
  per lecture, with examples/<slug>/ importable while it runs, and with the
  lecture's own session fixtures (and tmp_path) in its namespace.
* ``--lecture SLUG`` (``make test L=SLUG``) keeps only that lecture's tests,
  sessions and site checks.
"""

from __future__ import annotations

import sys
from doctest import ELLIPSIS
from pathlib import Path

import pytest
from sybil import Document, Sybil
from sybil.sybil import SybilCollection
from sybil.parsers.rest import (
    CaptureParser,
    ClearNamespaceParser,
    DocTestParser,
    PythonCodeBlockParser,
    SkipParser,
)

from tests.course import EXAMPLES, SESSION_MODULES, SLUGS, lecture_of
from tests.fixture_names import fixture_names

pytest_plugins = ["tests.audit_plugin", *SESSION_MODULES.values()]
# They are imported below (to read their fixture names) before pytest loads
# them as plugins: let pytest rewrite their asserts all the same.
pytest.register_assert_rewrite(*pytest_plugins)

# Names every lecture's sessions find in their namespace (pytest fixtures).
COMMON_SESSION_FIXTURES = [
    "offline_and_leak_free",  # the guards apply to sessions too
    "tmp_path",  # a fresh directory, e.g. for a Unix-domain socket
]


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


def _sybil(name: str, patterns: list[str], fixtures: list[str], excludes=()) -> Sybil:
    return Sybil(
        parsers=[
            DocTestParser(optionflags=ELLIPSIS),
            PythonCodeBlockParser(),
            CaptureParser(),
            SkipParser(),
            ClearNamespaceParser(),
        ],
        patterns=patterns,
        excludes=list(excludes),
        document_types={".rst": LectureDocument},
        setup=start_lecture,
        teardown=end_lecture,
        fixtures=COMMON_SESSION_FIXTURES + fixtures,
        name=name,
    )


# One Sybil per lecture: its sessions get the common fixtures and its own,
# so a lecture never starts another lecture's servers.
pytest_collect_file = SybilCollection(
    [
        *(
            _sybil(slug, [f"{slug}.rst"], fixture_names(module))
            for slug, module in SESSION_MODULES.items()
        ),
        _sybil("other", ["*.rst"], [], excludes=[f"{slug}.rst" for slug in SESSION_MODULES]),
    ],
).pytest()


# make test L=<slug> -------------------------------------------------------------


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--lecture",
        metavar="SLUG",
        help="run only this lecture's tests, sessions and site checks (make test L=SLUG)",
    )


# With xdist (``make test`` runs ``--dist loadfile``) a file's tests run on
# one worker: a lecture's sessions share a namespace, and a module's tests
# may share a server.  The checks of the built site are stateless and
# parametrized by lecture: their tests are spread over the workers.
SPREAD_OVER_WORKERS = {
    "test_site.py", "test_browser.py", "test_pdf.py", "test_outline.py", "test_outline_axe.py",
}


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LoadFileButSpreadSiteChecks(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::", 1)[0]
            return nodeid if Path(file).name in SPREAD_OVER_WORKERS else file

    return LoadFileButSpreadSiteChecks(config, log)


def pytest_collection_modifyitems(config, items) -> None:
    _keep_only_one_lecture(config, items)


def _keep_only_one_lecture(config, items) -> None:
    """Under --lecture SLUG: keep the lecture's own tests and sessions, and
    the site and browser checks parametrized with it (or with no lecture)."""
    slug = config.getoption("lecture")
    if not slug:
        return
    if slug not in SLUGS:
        raise ValueError(f"--lecture {slug}: not in lectures.toml ({', '.join(SLUGS)})")
    kept, dropped = [], []
    for item in items:
        owner = lecture_of(item.path)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if owner is not None:
            keep = owner == slug
        elif "lecture" in params:
            keep = params["lecture"] == slug
        else:
            keep = item.path.name in ("test_site.py", "test_browser.py")
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
