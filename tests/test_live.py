"""``make live`` and ``make live-slides``: edit a lecture and the served page
changes by itself, after reading that one document again, not all of them.

The test copies the course into a temporary folder, runs the target there on
a free port (using this test run's virtual environment), edits the copy of a
lecture, and waits until the served page shows the edit.  It prints how long
that took; the budget (1.5 s) is checked by tools/bench.py, not here, since a
timed assertion would fail on a busy machine.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.course import copy_course, tool_env

SERVED_LINE = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")


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


@pytest.fixture(params=["live", "live-slides"])
def live_server(request, tmp_path):
    copy_course(tmp_path, leave_out=("tests",))
    venv = Path(sys.prefix)
    stamp = venv / f".installed-python{sys.version_info.major}.{sys.version_info.minor}"
    command = [
        "make", "--no-print-directory", "-o", str(stamp), request.param,
        f"VENV={venv}", f"PYTHON={sys.executable}", "LIVE_PORT=0", "LIVE_SLIDES_PORT=0",
    ]  # fmt: skip
    output_path = tmp_path / "live.log"
    with open(output_path, "w") as output:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=tool_env(),
        )
    try:
        url = wait_for(
            lambda: (match := SERVED_LINE.search(output_path.read_text())) and match.group(1),
            timeout=120,
            what="make live to serve the outline",
        )
        yield tmp_path, url, output_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def test_make_live_rebuilds_and_serves_an_edited_lecture(live_server):
    course, url, log = live_server
    page_url = f"{url}/sockets.html"
    original = wait_for(lambda: _try_fetch(page_url), timeout=60, what="the first build")
    marker = "Edited-under-make-live-7f3a"
    assert marker not in original
    log_before_edit = log.read_text()

    lecture = course / "source" / "sockets.rst"
    text = lecture.read_text(encoding="utf-8")
    title_end = text.index("\n\n", text.index("Networking and sockets"))  # after the title block
    lecture.write_text(f"{text[:title_end]}\n\n{marker}\n{text[title_end:]}", encoding="utf-8")
    edited_at = time.monotonic()

    wait_for(lambda: marker in (_try_fetch(page_url) or ""), timeout=90, what="the rebuilt page")
    print(f"make live: edited page served {time.monotonic() - edited_at:.1f} s after the edit")
    rebuild = log.read_text()[len(log_before_edit) :]
    # the edited lecture, and only it, was read again
    assert "0 added, 1 changed, 0 removed" in rebuild, rebuild
    assert "reading sources... [100%] sockets" in rebuild, rebuild


def _try_fetch(url: str) -> str | None:
    try:
        return fetch(url)
    except (OSError, http.client.HTTPException):  # refused, or read while being rewritten
        return None
