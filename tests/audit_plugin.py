"""The drift audit at the end of every run (tests/audit.py).

``make test`` runs pytest with ``--cov --measure-includes``: coverage.py
records which lines of examples/ the run executes (in the test process, in
xdist workers and in the example scripts the tests start), and after the
last test this plugin checks that every included function or marked region
was executed.  An include that nothing ran fails the run.  Under
``--lecture SLUG`` only that lecture's includes are checked.

Without ``--measure-includes`` (a quick ``pytest tests/test_x.py``) the
audit only checks the kinds of code blocks, and the table says so.
"""

from __future__ import annotations

import pytest

from tests import audit

_AUDITS = pytest.StashKey[list]()
_passed_tests: set[str] = set()  # node ids of the tests that passed in this run


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--measure-includes",
        action="store_true",
        help="fail the run if an included example region was not executed (needs --cov)",
    )


def pytest_runtest_logreport(report) -> None:
    """Remember the tests that passed (with xdist, the controller hears of all)."""
    if report.when == "call" and report.passed:
        _passed_tests.add(report.nodeid.split("@")[0])


def _coverage(config):
    plugin = config.pluginmanager.getplugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    return getattr(controller, "cov", None)


# tryfirst: this wrapper runs outside pytest-cov's, so the data of every
# worker and subprocess has been combined when the code after ``yield`` runs.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session):
    result = yield
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller audits
        return result
    audits = audit.audit_all()
    config.stash[_AUDITS] = audits
    if not config.getoption("measure_includes") or config.option.collectonly:
        return result
    coverage = _coverage(config)
    if coverage is None:
        raise pytest.UsageError("--measure-includes needs --cov (pytest-cov)")
    if session.testsfailed:
        return result  # the failures come first; what ran is incomplete
    only = config.getoption("lecture")
    for lecture in audits:
        if only is None or lecture.name == only:
            audit.apply_coverage(lecture, coverage, _passed_tests)
    if any(lecture.problems for lecture in audits if lecture.measured):
        session.testsfailed += 1  # pytest exits with "tests failed"
    return result


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    audits = config.stash.get(_AUDITS, None)
    if audits is None:
        return
    terminalreporter.write_sep("-", "drift audit: every code block in the lectures")
    terminalreporter.write_line(audit.format_table(audits))
    if any(lecture.problems for lecture in audits if lecture.measured):
        terminalreporter.write_line(
            "FAILED: the drift audit found shown code that no test runs (above)", red=True
        )
