"""The sources pass the same checks as the pre-commit hooks (.pre-commit-config.yaml)."""

from __future__ import annotations

import subprocess
import sys

from tests.course import ROOT, tool_env


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=tool_env(),
    )


def test_lectures_pass_sphinx_lint():
    completed = run("sphinxlint", "source")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_python_passes_ruff():
    completed = run("ruff", "check", "--no-cache", ".")
    assert completed.returncode == 0, completed.stdout + completed.stderr
