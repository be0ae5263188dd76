"""How long the contributor's loop takes: build, rebuild, live preview, tests.

    python tools/bench.py                 this checkout
    python tools/bench.py --course DIR    another checkout (e.g. an older commit,
                                          for a before/after table)
    python tools/bench.py --no-test       skip the two `make test` rows

Each row is one run on this machine (so: noisy; run it on a quiet machine),
of the same commands a contributor types, in a copy of the course in a
temporary folder, with the checkout's own virtual environment (.venv, made by
`make` first if missing).  The budgets are the ones the project holds itself to.

    cold build              make html slides, from nothing
    no-op rebuild           the same again, nothing edited
    one-edit rebuild        after adding a line to one lecture
    make live edit->served  from saving the edit to the page served with it
    make test               the whole suite, warm
    make test L=sockets     one lecture's loop
"""

from __future__ import annotations

import http.client
import argparse
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.course import copy_course  # noqa: E402  (the one copy the tests make too)

BUDGETS = {"make live edit->served": 1.5, "make test": 150.0, "make test L=sockets": 20.0}


def stamp(venv: Path) -> Path:
    """The file that tells make the venv is up to date (-o: never rebuild it)."""
    return venv / f".installed-python{sys.version_info.major}.{sys.version_info.minor}"


def make(course: Path, venv: Path, *targets: str, check: bool = True) -> float:
    """Run make with the checkout's venv; return the seconds it took."""
    command = ["make", "--no-print-directory", "-o", str(stamp(venv)), f"VENV={venv}", *targets]
    started = time.monotonic()
    completed = subprocess.run(command, cwd=course, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if check and completed.returncode != 0:
        sys.exit(
            f"{' '.join(targets)} failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    return seconds


def edit(course: Path, lecture: str = "sockets") -> str:
    path = course / "source" / f"{lecture}.rst"
    marker = f"Bench-edit-{time.monotonic_ns()}"
    text = path.read_text(encoding="utf-8")
    title_end = text.index("\n\n", text.index("\n=", text.index("=\n") + 2))  # after the title
    path.write_text(f"{text[:title_end]}\n\n{marker}\n{text[title_end:]}", encoding="utf-8")
    return marker


def live_edit_to_served(course: Path, venv: Path) -> float:
    log = course / "live.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "-o",
                str(stamp(venv)),
                f"VENV={venv}",
                "live",
                "LIVE_PORT=0",
            ],
            cwd=course,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = wait(
            lambda: (
                (m := re.search(r"Serving on (http://127\.0\.0\.1:\d+)", log.read_text())) and m[1]
            )
        )
        page = f"{url}/sockets.html"
        wait(lambda: fetch(page))
        marker = edit(course)
        edited = time.monotonic()
        wait(lambda: marker in (fetch(page) or ""), poll=0.02)
        return time.monotonic() - edited
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (OSError, http.client.HTTPException):  # refused, or read while being rewritten
        return None


def wait(condition, timeout: float = 180.0, poll: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(poll)
    sys.exit(f"timed out after {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--no-test", action="store_true", help="skip the make test rows")
    args = parser.parse_args()
    course = args.course.resolve()
    venv = course / ".venv"
    if not venv.is_dir():
        subprocess.run(["make", "venv"], cwd=course, check=True)

    rows: list[tuple[str, float | None]] = []
    with tempfile.TemporaryDirectory() as temporary:
        copy = copy_course(Path(temporary), course=course)
        rows.append(("cold build", make(copy, venv, "html", "slides")))
        rows.append(("no-op rebuild", make(copy, venv, "html", "slides")))
        edit(copy)
        rows.append(("one-edit rebuild", make(copy, venv, "html", "slides")))
        rows.append(("make live edit->served", live_edit_to_served(copy, venv)))
        if not args.no_test:
            make(copy, venv, "test", check=False)  # warm-up: caches, __pycache__, site-packages
            rows.append(("make test", make(copy, venv, "test", check=False)))
            supports_one = "--lecture" in (course / "conftest.py").read_text()
            rows.append(
                (
                    "make test L=sockets",
                    make(copy, venv, "test", "L=sockets") if supports_one else None,
                )
            )

    print(
        f"{course} on {platform.node()}: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"{'':24} {'seconds':>8} {'budget':>8}")
    for name, seconds in rows:
        shown = "n/a" if seconds is None else f"{seconds:.1f}"
        budget = f"{BUDGETS[name]:.1f}" if name in BUDGETS else ""
        print(f"{name:24} {shown:>8} {budget:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
