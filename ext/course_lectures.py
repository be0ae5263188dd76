"""Read the lecture list (lectures.toml): used by the build (course.py) and
by the tests (tests/course.py), so both see the same lectures."""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_lectures(path: Path) -> list[dict[str, str]]:
    """The lecture list: [{"slug", "title", "topics", "number"}...], in order."""
    with open(path, "rb") as file:
        entries = tomllib.load(file).get("lecture", [])
    lectures = []
    for number, entry in enumerate(entries, start=1):
        missing = {"slug", "title", "topics"} - entry.keys()
        if missing:
            raise ValueError(f"{path}: lecture {number} has no {', '.join(sorted(missing))}")
        lectures.append({**entry, "number": number})
    return lectures
