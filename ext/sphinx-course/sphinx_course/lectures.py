"""Read the lecture list (a TOML file such as this course's lectures.toml):
used by the build (``course_lectures_file``) and by the course's tests
(tests/course.py), so both see the same lectures."""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_lectures(path: Path) -> list[dict]:
    """The lecture list: [{"slug", "title", "topics", "number", "label"}...], in order."""
    with open(path, "rb") as file:
        entries = tomllib.load(file).get("lecture", [])
    return number_lectures(entries, path)


def number_lectures(entries, where) -> list[dict]:
    """The entries, each with its ``number`` and ``label``; each must have a
    slug, a title and topics.

    Lectures are numbered from 1 in the order of the list.  An entry may set
    its own ``number`` (e.g. 0 for a week-0 page before lecture 1); the next
    ones count on from it.  ``label`` names it on every slide and page
    ("Lecture 3" unless the entry says otherwise, e.g. "Week 0").
    """
    lectures = []
    number = 0
    for position, entry in enumerate(entries, start=1):
        missing = {"slug", "title", "topics"} - entry.keys()
        if missing:
            raise ValueError(f"{where}: entry {position} has no {', '.join(sorted(missing))}")
        number = entry.get("number", number + 1)
        if not isinstance(number, int) or (lectures and number <= lectures[-1]["number"]):
            raise ValueError(f"{where}: entry {position} ({entry['slug']}): number must grow")
        label = entry.get("label", f"Lecture {number}")
        lectures.append({**entry, "number": number, "label": label})
    return lectures
