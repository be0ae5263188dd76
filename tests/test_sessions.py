"""The session machinery (sybil, in conftest.py) runs every kind of block the course uses."""

from __future__ import annotations

import subprocess
import sys

from tests.course import ROOT, tool_env

FIXTURES = ROOT / "tests" / "fixtures" / "sessions"


def run_sessions(name: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(FIXTURES / name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=tool_env(),
    )


def test_pycon_doctest_python_invisible_capture_skip_and_clear_all_run():
    completed = run_sessions("features.rst")
    assert completed.returncode == 0, completed.stdout
    # 13 regions, the skipped example included (it would fail if it ran)
    assert "13 passed in" in completed.stdout


def test_a_wrong_expected_output_fails_the_suite():
    completed = run_sessions("broken.rst")
    assert completed.returncode == 1
    assert "Expected:\n    'Hello'\nGot:\n    'HELLO'" in completed.stdout
