"""Read the lecture list (a TOML file such as this course's lectures.toml):
used by the build (``course_lectures_file``) and by the course's tests
(tests/course.py), so both see the same lectures."""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_lectures(path: Path) -> list[dict[str, str]]:
    """The lecture list: [{"slug", "title", "topics", "number"}...], in order."""
    with open(path, "rb") as file:
        entries = tomllib.load(file).get("lecture", [])
    return number_lectures(entries, path)


def number_lectures(entries, where) -> list[dict]:
    """The entries, each with its ``number`` (from 1, in order); each must
    have a slug, a title and topics."""
    lectures = []
    for number, entry in enumerate(entries, start=1):
        missing = {"slug", "title", "topics"} - entry.keys()
        if missing:
            raise ValueError(f"{where}: lecture {number} has no {', '.join(sorted(missing))}")
        lectures.append({**entry, "number": number})
    return lectures
