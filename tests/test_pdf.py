"""``make pdf``: a handout per lecture, one slide a page, plus the outline."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.course import ROOT, WRITTEN, tool_env
from tests.site import parse_page

sys.path.insert(0, str(ROOT / "tools"))
from pdf import count_pdf_pages, decks  # noqa: E402

pytestmark = pytest.mark.browser

MAX_DECK_PDF_BYTES = 2_000_000  # a deck's handout, to mail or put on a course page


def test_the_handouts_are_the_lectures_of_the_list(site):
    assert [deck.stem for deck in decks(site.root)] == WRITTEN


@pytest.mark.parametrize("lecture", WRITTEN)
def test_make_pdf_prints_one_page_per_slide_and_the_outline(site, chromium_path, tmp_path, lecture):
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "pdf.py"), "--site", site.root, "--out", tmp_path,
         "--lecture", lecture],
        capture_output=True, text=True, timeout=300, env=tool_env(CHROMIUM=chromium_path),
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    (deck,) = decks(site.root, lecture)
    slides = len(parse_page(deck).articles)
    assert count_pdf_pages(tmp_path / f"{lecture}-slides.pdf") == slides
    # text stays text: no shadow or filter turns a slide into pictures
    pdf = (tmp_path / f"{lecture}-slides.pdf").read_bytes()
    assert len(pdf) <= MAX_DECK_PDF_BYTES, f"{len(pdf):,} bytes"
    assert count_pdf_pages(tmp_path / f"{lecture}-outline.pdf") >= 1
