"""The average of the numbers in a file, one number per line.

A small program with a bug in it, for week 0: run it on scores.txt, read
the traceback, then step through it with pdb to see why it fails::

    python average.py scores.txt
    python -m pdb average.py scores.txt
"""

import sys
from pathlib import Path


def read_scores(path: str) -> list[int]:
    """The numbers in the file at path, one per line."""
    scores = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        scores.append(int(line))
    return scores


def average(numbers: list[int]) -> float:
    return sum(numbers) / len(numbers)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python average.py FILE")
    scores = read_scores(args[0])
    print(f"{len(scores)} scores, average {average(scores):.1f}")


if __name__ == "__main__":
    main()
