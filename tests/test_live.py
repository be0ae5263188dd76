"""``make live``: edit a lecture and the served outline page changes by itself.

The test copies the course into a temporary folder, runs ``make live`` there
on a free port (using this test run's virtual environment), edits the copy of
a lecture, and waits until the served page shows the edit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.course import ROOT

COPIED = ["Makefile", "requirements.txt", "conf.py", "ext", "_static", "source", "examples"]
SERVED_LINE = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")


def copy_course(destination: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, destination / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(
                source, destination / name
            )  # keeps mtimes: make sees the venv as up to date


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def live_server(tmp_path):
    copy_course(tmp_path)
    venv = Path(sys.prefix)
    stamp = venv / f".installed-python{sys.version_info.major}.{sys.version_info.minor}"
    command = [
        "make", "--no-print-directory", "-o", str(stamp), "live",
        f"VENV={venv}", f"PYTHON={sys.executable}", "LIVE_PORT=0",
    ]  # fmt: skip
    output_path = tmp_path / "live.log"
    with open(output_path, "w") as output:
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = wait_for(
            lambda: (match := SERVED_LINE.search(output_path.read_text())) and match.group(1),
            timeout=120,
            what="make live to serve the outline",
        )
        yield tmp_path, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def test_make_live_rebuilds_and_serves_an_edited_lecture(live_server):
    course, url = live_server
    page_url = f"{url}/sockets.html"
    original = wait_for(lambda: _try_fetch(page_url), timeout=60, what="the first build")
    marker = "Edited-under-make-live-7f3a"
    assert marker not in original

    lecture = course / "source" / "sockets.rst"
    text = lecture.read_text(encoding="utf-8")
    title_end = text.index("\n\n", text.index("Networking and sockets"))  # after the title block
    lecture.write_text(f"{text[:title_end]}\n\n{marker}\n{text[title_end:]}", encoding="utf-8")
    edited_at = time.monotonic()

    wait_for(lambda: marker in (_try_fetch(page_url) or ""), timeout=90, what="the rebuilt page")
    print(f"make live: edited page served {time.monotonic() - edited_at:.1f} s after the edit")


def _try_fetch(url: str) -> str | None:
    try:
        return fetch(url)
    except OSError:
        return None
