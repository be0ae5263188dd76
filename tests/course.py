"""Where things are, and which lectures there are, for every test.

    ROOT        the repository (one name for it, used everywhere)
    SOURCE      source/, the lectures
    EXAMPLES    examples/, one folder per lecture
    LECTURES    the lecture list (lectures.toml), in teaching order
    WRITTEN     the lectures that have a source/<slug>.rst
    SESSION_MODULES    {slug: "tests.sessions_<slug>"} for the lectures that have one
    lecture_of(path)   which lecture a test file or lecture file belongs to
    tool_env(**extra)  the environment for a tool the tests run (Sphinx,
                       Chromium, a child pytest): without coverage or colours

The site checks and the browser checks are parametrized over WRITTEN, so a
lecture added to lectures.toml is checked with no edit here.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from sphinx_course.lectures import load_lectures  # the same reader the build uses

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"

LECTURES: list[dict] = load_lectures(ROOT / "lectures.toml")
SLUGS: list[str] = [lecture["slug"] for lecture in LECTURES]
WRITTEN: list[str] = [slug for slug in SLUGS if (SOURCE / f"{slug}.rst").is_file()]
# tests/sessions_<slug>.py: the fixtures of a lecture's sessions (pytest plugins)
SESSION_MODULES: dict[str, str] = {
    slug: f"tests.sessions_{slug}" for slug in SLUGS if (TESTS / f"sessions_{slug}.py").is_file()
}


def lecture_of(path: Path | str) -> str | None:
    """The slug a file belongs to: source/<slug>.rst, tests/test_<slug>*.py,
    tests/sessions_<slug>.py, tests/support_<slug>.py; None for the rest."""
    path = Path(path)
    if path.suffix == ".rst":
        return path.stem if path.stem in SLUGS else None
    match = re.fullmatch(r"(?:test|sessions|support)_([a-z0-9]+)(?:_\w+)?\.py", path.name)
    if match and match.group(1) in SLUGS:
        return match.group(1)
    return None


# What a copy of the course leaves out: version control, builds, caches, venvs.
NOT_COPIED = {".git", "_build", ".pytest_cache", ".hypothesis", "__pycache__"}


def copy_course(destination: Path, leave_out: tuple[str, ...] = (), course: Path = ROOT) -> Path:
    """Copy the course (this checkout, or another) into destination: all but
    NOT_COPIED, .venv* and leave_out, keeping modification times (make sees
    the venv as up to date) and symbolic links as links."""
    destination.mkdir(parents=True, exist_ok=True)
    for source in course.iterdir():
        name = source.name
        if name in NOT_COPIED or name.startswith(".venv") or name in leave_out:
            continue
        if source.is_dir():
            shutil.copytree(
                source,
                destination / name,
                symlinks=True,
                ignore=shutil.ignore_patterns(*NOT_COPIED),
            )
        else:
            shutil.copy2(source, destination / name)
    return destination


def tool_env(**extra: str) -> dict[str, str]:
    """The environment of a tool that a test runs (sphinx-build, make live,
    tools/pdf.py, a child pytest that checks the suite itself), without
    coverage.py: under ``make test`` every Python subprocess is measured
    (examples only), and a tool gains nothing from that but time.  Nor
    does it inherit the xdist worker's identity: a child pytest that
    believed it was a worker would share its site build with every run on
    the machine (the site fixture's folder is the workers' common parent)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COVERAGE_", "PYTEST_XDIST_"))
    }
    # plain text to read: Sphinx colours its output under CI=true
    return {**env, "NO_COLOR": "1", **extra}
