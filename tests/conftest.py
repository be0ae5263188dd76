"""Fixtures for the site checks and browser tests (tests/test_site.py, tests/test_browser.py)."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.course import ROOT
from tests.site import Build, sphinx_builds


@dataclass
class Site:
    """The outline and the slides, built side by side as in _build/."""

    root: Path
    html: Build
    slides: Build

    @property
    def outline_dir(self) -> Path:
        return self.html.outdir

    @property
    def slides_dir(self) -> Path:
        return self.slides.outdir


def build_site(build_root: Path, project: Path = ROOT) -> Site:
    """``make html`` and ``make slides`` of a project from scratch, side by side."""
    builds = sphinx_builds(
        {
            builder: (build_root / builder, build_root / "doctrees" / builder)
            for builder in ("html", "slides")
        },
        project / "source",
    )
    return Site(build_root, builds["html"], builds["slides"])


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The course's outline and slides, built once per run from scratch.

    With xdist the workers share one build: the first to ask builds it under
    a lock, the others wait for it and read the result.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder all workers' temp folders are in
    build_root = shared / "site"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if (build_root / "site.pickle").is_file():
                return pickle.loads((build_root / "site.pickle").read_bytes())
            built = build_site(build_root)
            (build_root / "site.pickle").write_bytes(pickle.dumps(built))
            return built
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def find_chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


# Chromium as the tests start it: nothing leaves the machine, nothing of its
# own runs in the background.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium not found: install it with `apt-get install chromium`"
            " (or set CHROMIUM=/path/to/chromium)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium, driven by Playwright, for one test module.

    Module scope, not session: Playwright's sync API keeps an asyncio event
    loop running in the main thread while it is open, and later tests that
    call asyncio.run() would fail.
    """
    from playwright.sync_api import sync_playwright

    from tests.guards import allow_long_lived, child_pids

    children_before = child_pids()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=CHROMIUM_FLAGS, headless=True
        )
        # the Playwright driver process lives as long as the session
        allow_long_lived(pids=child_pids() - children_before)
        try:
            yield browser
        finally:
            browser.close()
