"""Build the course the way ``make html`` and ``make slides`` do, for the site checks.

Both builds run once per test session into a temporary folder, from scratch
(so a stale _build/ can never hide a broken page), with warnings as errors.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 600


@dataclass
class Build:
    builder: str
    outdir: Path
    returncode: int
    output: str


def sphinx_build(builder: str, srcdir: Path, outdir: Path, doctreedir: Path, *extra: str) -> Build:
    """Run sphinx-build with the project's conf.py, warnings as errors."""
    command = [
        sys.executable, "-m", "sphinx", "-c", str(ROOT), "-W", "--keep-going", "-E",
        "-b", builder, "-d", str(doctreedir), *extra, str(srcdir), str(outdir),
    ]  # fmt: skip
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT
    )
    return Build(builder, outdir, completed.returncode, completed.stdout + completed.stderr)


class PageParser(HTMLParser):
    """Collects the ids and the links (with their classes) of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, set[str]]] = []
        self.articles: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append((attributes["href"], set((attributes.get("class") or "").split())))
        if tag == "article":
            self.articles.append(attributes.get("id") or "")


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
