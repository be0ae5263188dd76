"""``make pdf``: a handout per lecture, one slide a page, plus the outline."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.course import ROOT
from tests.site import parse_page

sys.path.insert(0, str(ROOT / "tools"))
from pdf import count_pdf_pages, decks  # noqa: E402

pytestmark = pytest.mark.browser


def test_make_pdf_prints_one_page_per_slide_and_the_outline(site, chromium_path, tmp_path):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "pdf.py"), "--site", site.root, "--out", tmp_path],
        capture_output=True, text=True, timeout=300, env={**os.environ, "CHROMIUM": chromium_path},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    lectures = decks(site.root)
    assert any(deck.stem == "sockets" for deck in lectures)
    for deck in lectures:
        slides = len(parse_page(deck).articles)
        assert count_pdf_pages(tmp_path / f"{deck.stem}-slides.pdf") == slides, deck.stem
        assert count_pdf_pages(tmp_path / f"{deck.stem}-outline.pdf") >= 1, deck.stem
