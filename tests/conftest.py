"""Fixtures for the site checks and browser tests (tests/test_site.py, tests/test_browser.py)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.site import ROOT, Build, sphinx_build


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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """``make html`` and ``make slides`` from scratch, into a temporary _build."""
    build_root = tmp_path_factory.mktemp("_build")
    builds = {
        builder: sphinx_build(
            builder, ROOT / "source", build_root / outdir, build_root / "doctrees" / outdir
        )
        for builder, outdir in (("html", "html"), ("slides", "slides"))
    }
    return Site(build_root, builds["html"], builds["slides"])


def find_chromium() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


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
