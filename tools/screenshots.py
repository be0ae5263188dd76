"""Screenshots for contributors: what a good slide and console look like.

Run after ``make slides``::

    python tools/screenshots.py --site _build --out docs/screenshots

writes small PNGs (CONTRIBUTING.md shows them):

* ``code-slide-1024x768.png``: a code slide on a 4:3 projector (letterboxed)
* ``code-slide-1920x1080.png``: the same slide on a 1080p projector
* ``console.png``: the presenter console (press c) on that slide

The slide is the first of lecture 1's deck with a listing included from
``examples/`` (``--lecture``, ``--slide`` choose another).  Headless Chromium
(Debian's ``chromium``; ``CHROMIUM=/path`` for another) over a local HTTP
server on 127.0.0.1: nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip

FIRST_LISTING_JS = """
() => Array.from(document.querySelectorAll('section.slides > article'))
    .findIndex(a => a.querySelector('.literal-block-wrapper pre')) + 1
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def take(site: Path, out: Path, chromium: str, lecture: str, slide: int | None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/slides/{lecture}.html"
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
            )
            try:
                page = browser.new_page(viewport={"width": 1024, "height": 768})
                page.goto(url)
                page.wait_for_function(
                    "document.documentElement.classList.contains('hieroglyph-ready')"
                )
                number = slide or page.evaluate(FIRST_LISTING_JS) or 1
                page.evaluate(f"location.hash = '#{number}'")
                page.wait_for_function(f"SlideDeck.position().index === {number - 1}")
                for width, height in ((1024, 768), (1920, 1080)):
                    page.set_viewport_size({"width": width, "height": height})
                    page.wait_for_timeout(100)
                    target = out / f"code-slide-{width}x{height}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                page.set_viewport_size({"width": 1024, "height": 768})
                with page.expect_popup() as popup:
                    page.keyboard.press("c")
                console = popup.value
                console.wait_for_load_state()
                console.set_viewport_size({"width": 1280, "height": 800})
                console.wait_for_function(
                    f"document.getElementById('cur_slide_num').textContent === '{number}'"
                )
                console.wait_for_timeout(200)
                target = out / "console.png"
                console.screenshot(path=str(target))
                written.append(target)
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build", help="the built site")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lecture", default="sockets", help="the deck (a lecture's slug)")
    parser.add_argument("--slide", type=int, help="slide number (default: the first listing)")
    args = parser.parse_args(argv)
    chromium = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not chromium:
        print("Chromium not found: apt-get install chromium, or set CHROMIUM", file=sys.stderr)
        return 1
    if not (args.site / "slides" / f"{args.lecture}.html").is_file():
        print(f"no deck {args.site}/slides/{args.lecture}.html: run make slides", file=sys.stderr)
        return 1
    for path in take(args.site, args.out, chromium, args.lecture, args.slide):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
