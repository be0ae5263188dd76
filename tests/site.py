"""Build the course the way ``make html`` and ``make slides`` do, for the site checks.

Both builds run once per test session (shared by the xdist workers) into a
temporary folder, from scratch (so a stale _build/ can never hide a broken
page, and every warning is seen), side by side, with warnings as errors.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tests.course import tool_env


BUILD_TIMEOUT = 600


@dataclass
class Build:
    builder: str
    outdir: Path
    returncode: int
    output: str


def sphinx_command(
    builder: str, srcdir: Path, outdir: Path, doctreedir: Path, *extra: str, confdir=None
) -> list[str]:
    """sphinx-build with a project's conf.py (in confdir, by default srcdir's
    parent), from scratch (-E), warnings as errors."""
    return [
        sys.executable, "-m", "sphinx", "-c", str(confdir or srcdir.parent),
        "-W", "--keep-going", "-E",
        "-b", builder, "-d", str(doctreedir), *extra, str(srcdir), str(outdir),
    ]  # fmt: skip


def sphinx_build(builder: str, srcdir: Path, outdir: Path, doctreedir: Path, *extra: str) -> Build:
    """Run one sphinx-build to the end."""
    return sphinx_builds({builder: (outdir, doctreedir)}, srcdir, *extra)[builder]


def sphinx_builds(targets: dict[str, tuple[Path, Path]], srcdir: Path, *extra: str):
    """Run several builds at once ({builder: (outdir, doctreedir)}), one
    process each, so the outline and the slides build on two cores."""
    processes = {
        builder: subprocess.Popen(
            sphinx_command(builder, srcdir, outdir, doctreedir, *extra),
            cwd=srcdir.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=tool_env(),
        )
        for builder, (outdir, doctreedir) in targets.items()
    }  # fmt: skip
    builds = {}
    for builder, process in processes.items():
        try:
            output, _ = process.communicate(timeout=BUILD_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        builds[builder] = Build(builder, targets[builder][0], process.returncode, output)
    return builds


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
    """The ids and links of a built page (parsed once: a deck is checked
    against each of its outline links)."""
    return _parse(path.resolve(), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _parse(path: Path, mtime_ns: int) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
