"""Write down what the terminal shows when average.py fails, and when pdb
steps through it: traceback.txt and pdb_session.txt, shown on the slides.

The files are made by running the program, never typed in, and the course's
tests run this again and compare, so the slides show what Python prints::

    python record.py          # rewrite both files after editing average.py

Two things are tidied: the folder is written as ~/course/examples/setup
wherever the course was checked out, and the ^^^ lines under a failing
expression are left out of the traceback (their shape changes between
Python versions).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHOWN_FOLDER = "~/course/examples/setup"

# What we type at the (Pdb) prompt, in order.
PDB_COMMANDS = [
    "break 30",  # stop where main() calls read_scores()
    "continue",
    "step",  # into read_scores()
    "next",
    "next",
    "next",
    "p line",
    "break 18, not line",  # stop again, but only when line is empty
    "continue",
    "p line",
    "p scores",
    "quit",
]


def run(*args: str, stdin: str = "") -> str:
    """Run python with args in this folder; what it wrote, as one text."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=HERE,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "NO_COLOR": "1", "PYTHON_COLORS": "0"},
    )
    return (result.stdout + result.stderr).replace(str(HERE), SHOWN_FOLDER)


def traceback_transcript() -> str:
    """What `python average.py scores.txt` prints, without the ^^^ lines."""
    output = run("average.py", "scores.txt")
    lines = [line for line in output.splitlines() if not re.fullmatch(r"\s*[\^~]+\s*", line)]
    return "$ python average.py scores.txt\n" + "\n".join(lines) + "\n"


def pdb_transcript() -> str:
    """A pdb session on average.py: pdb's output with each command we typed
    written after its prompt, as a terminal shows it."""
    output = run("-m", "pdb", "average.py", "scores.txt", stdin="\n".join(PDB_COMMANDS) + "\n")
    pieces = output.split("(Pdb) ")
    shown = pieces[0]
    for command, piece in zip(PDB_COMMANDS, pieces[1:], strict=True):
        shown += f"(Pdb) {command}\n{piece}"
    return "$ python -m pdb average.py scores.txt\n" + shown


def main() -> None:
    (HERE / "traceback.txt").write_text(traceback_transcript(), encoding="utf-8")
    (HERE / "pdb_session.txt").write_text(pdb_transcript(), encoding="utf-8")
    print("wrote traceback.txt and pdb_session.txt")


if __name__ == "__main__":
    main()
