"""Guards that every test and every lecture session runs under.

Loaded as a pytest plugin by the root conftest.py.

* Offline: any connection or name lookup that would leave this machine fails
  the test at once, saying which address (offline/offline_guard.py).  Python
  subprocesses started by tests get the same guard through PYTHONPATH.
* No leaks: a test that leaves a thread or a child process running fails.
  (ResourceWarning, i.e. an unclosed socket or file, is an error through
  pytest.ini's filterwarnings; every test has a time limit via pytest-timeout.)

Session-wide helpers that legitimately outlive one test (the echo server that
lecture sessions talk to, the browser) register with ``allow_long_lived``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

OFFLINE_DIR = Path(__file__).parent / "offline"
sys.path.insert(0, str(OFFLINE_DIR))
import offline_guard  # noqa: E402

# How long a test's threads and children get to end after it.  The run that
# checks that exercise tests fail on the starters sets less: a starter leaves
# threads behind in test after test, and that run only asks whether they fail.
LEAK_GRACE_SECONDS = float(os.environ.get("COURSE_LEAK_GRACE", "2.0"))

_long_lived_threads: set[threading.Thread] = set()
_long_lived_pids: set[int] = set()


def allow_long_lived(*, threads=(), pids=()) -> None:
    """Mark threads / child processes that belong to a session-wide fixture."""
    _long_lived_threads.update(threads)
    _long_lived_pids.update(pids)


def children_of(pid: int) -> set[int]:
    """PIDs of a process's living (not yet reaped) children, from /proc (Linux)."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended while we looked
    return children


def child_pids() -> set[int]:
    """PIDs of this process's living children."""
    return children_of(os.getpid())


def _running_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.is_alive()}


@contextmanager
def expect_offline_violation():
    """For the guard's own tests: a violation inside this block is expected."""
    before = len(offline_guard.violations)
    yield
    assert len(offline_guard.violations) > before, "expected the offline guard to refuse a call"
    del offline_guard.violations[before:]


def pytest_configure(config: pytest.Config) -> None:
    offline_guard.install()
    # Python subprocesses started by the tests install the guard at start-up.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(OFFLINE_DIR), os.environ.get("PYTHONPATH")])
    )


@pytest.fixture(autouse=True)
def offline_and_leak_free():
    """Fail the test if it reached another host, or left threads / processes running."""
    threads_before = _running_threads()
    children_before = child_pids()
    violations_before = len(offline_guard.violations)

    yield

    new_violations = offline_guard.violations[violations_before:]
    del offline_guard.violations[violations_before:]

    deadline = time.monotonic() + LEAK_GRACE_SECONDS
    while True:
        leaked_threads = _running_threads() - threads_before - _long_lived_threads
        leaked_children = child_pids() - children_before - _long_lived_pids
        if not (leaked_threads or leaked_children) or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    problems = list(new_violations)
    if leaked_threads:
        names = ", ".join(sorted(thread.name for thread in leaked_threads))
        problems.append(f"threads still running after the test: {names}")
    if leaked_children:
        problems.append(f"child processes still running after the test: {sorted(leaked_children)}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
