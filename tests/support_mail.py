"""Helpers for the mail tests of lecture 3 (tests/test_protocols*.py):
protocol transcripts on the slides, checked against real servers.

A transcript on a slide is a ``.. fragment:: text`` whose lines start with
"C: " (the client) or "S: " (the server). A test sends the client's lines
to a real server, records the whole conversation the same way, and
compares it with the slide:

    slide_transcript(title)   the C:/S: lines of the slide called title
    matches(slide, real)      whether the real conversation is the slide's
"""

from __future__ import annotations

import re

from tests.course import ROOT

LECTURE = ROOT / "source" / "protocols.rst"


def slide_transcript(title: str) -> list[str]:
    """The lines of the fragments on the slide called `title` (and on its
    continuations), one conversation, without their indentation."""
    text = LECTURE.read_text(encoding="utf-8")
    slide = text[text.index(f"\n{title}\n~~~") + len(title) + 2:]
    slide = slide[:re.search(r"\n[^\n]+\n(~~~|---)", slide).start()]  # the next one
    lines = []
    for fragment in slide.split(".. fragment::")[1:]:
        for line in fragment.split("\n")[1:]:
            if line and not line.startswith(" "):
                break  # the next paragraph or directive
            if line.startswith("   C:") or line.startswith("   S:"):
                lines.append(line[3:])
    return lines


def matches(slide: list[str], real: str) -> bool:
    """Whether the real transcript is the slide's, where "..." on the slide
    stands for anything that varies (a timing, a long capability list)
    and a line "S: ..." for server lines the slide leaves out."""
    pattern = re.escape("\n".join(slide)).replace(r"\.\.\.", r".*?")
    return re.fullmatch(pattern, real, re.DOTALL) is not None
