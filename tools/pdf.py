"""Print handouts: one PDF per lecture deck (a slide a page) and one per outline page.

Run by ``make pdf`` after the site is built::

    python tools/pdf.py --site _build --out _build/pdf [--lecture SLUG]

The lectures are those of the lecture list (lectures.toml) that have a deck.

Headless Chromium (Debian's ``chromium``; set CHROMIUM=/path to choose
another) prints each page through Playwright, with the print style sheet in
the slide theme's course-slides.css: every slide on its own 1280x800 page
(the slides' design size), every build step shown, speaker notes left out.
Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

from sphinx_course.lectures import load_lectures

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def count_pdf_pages(path: Path) -> int:
    """Pages in a PDF written by Chromium (each page object has /Type /Page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", path.read_bytes()))


def decks(site: Path, only: str | None = None) -> list[Path]:
    """The decks of the lectures in the list (in its order) that the site has."""
    slugs = [lecture["slug"] for lecture in load_lectures(ROOT / "lectures.toml")]
    return [
        site / "slides" / f"{slug}.html"
        for slug in slugs
        if (site / "slides" / f"{slug}.html").is_file() and only in (None, slug)
    ]


def print_pdfs(site: Path, out: Path, chromium: str, only: str | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_page()
            for deck in decks(site, only):
                page.goto(deck.resolve().as_uri())
                page.emulate_media(media="print")
                target = out / f"{deck.stem}-slides.pdf"
                page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
                written.append(target)

                outline = site / "html" / deck.name
                if outline.is_file():
                    page.goto(outline.resolve().as_uri())
                    target = out / f"{deck.stem}-outline.pdf"
                    page.pdf(
                        path=str(target),
                        format="A4",
                        print_background=False,
                        margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"},
                    )
                    written.append(target)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print every lecture's deck and outline to PDF.")
    parser.add_argument(
        "--site", type=Path, default=Path("_build"), help="the built site (default: _build)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("_build/pdf"), help="where to write (default: _build/pdf)"
    )
    parser.add_argument("--lecture", metavar="SLUG", help="only this lecture (default: all)")
    args = parser.parse_args(argv)

    chromium = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if chromium is None:
        print(
            "make pdf needs Chromium: apt-get install chromium (or set CHROMIUM=/path)",
            file=sys.stderr,
        )
        return 1
    if not (args.site / "slides").is_dir():
        print(f"no slides in {args.site}: run make first", file=sys.stderr)
        return 1
    for pdf in print_pdfs(args.site, args.out, chromium, args.lecture):
        print(f"{pdf}: {count_pdf_pages(pdf)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
