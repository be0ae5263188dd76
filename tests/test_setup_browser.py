"""Week 0's screenshot of the browser's developer tools: made by
tools/devtools_screenshot.py in a real Chromium, never pasted.  This runs it
again and checks that the Network panel lists the demo page's requests."""

from __future__ import annotations

import struct
import sys

import pytest

from tests.course import ROOT
from tests.guards import allow_long_lived, child_pids

sys.path.insert(0, str(ROOT / "tools"))
import devtools_screenshot  # noqa: E402

pytestmark = pytest.mark.browser


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_the_network_panel_lists_the_page_the_stylesheet_and_the_fetch(chromium_path, tmp_path):
    picture = tmp_path / "devtools-network.png"
    before = child_pids()
    names = devtools_screenshot.network_panel(chromium_path, picture)
    allow_long_lived(pids=child_pids() - before)  # Playwright's driver, as in test_browser.py
    assert names == ["index.html", "style.css", "scores.txt"]
    # the picture on the week-0 page was made the same way, at the same size
    assert png_size(picture) == png_size(devtools_screenshot.PICTURE) == (1100, 560)
