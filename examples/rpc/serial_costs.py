"""Measure what serialization costs: struct, marshal, pickle and json.

It encodes and decodes the same 10,000 records with each format and
prints a table of sizes and times, with the machine and Python it ran on.
A benchmark is run by hand, never by the test suite; the table shown in
the lecture is results/serialization.txt, written by::

    python examples/rpc/serial_costs.py --out examples/rpc/results/serialization.txt
"""

import argparse
import json
import marshal
import os
import pickle
import platform
import struct
import sys
import timeit
from pathlib import Path

RECORD = struct.Struct("!idd")  # (id, x, y): an int and two doubles


def make_records(count: int) -> list[tuple[int, float, float]]:
    return [(i, i * 0.5, i * 0.25) for i in range(count)]


# [start:codecs]
def struct_encode(records):
    return b"".join(RECORD.pack(*record) for record in records)


def struct_decode(data):
    return list(RECORD.iter_unpack(data))


CODECS = {
    "struct": (struct_encode, struct_decode),
    "marshal": (marshal.dumps, marshal.loads),
    "pickle": (pickle.dumps, pickle.loads),
    "json": (lambda r: json.dumps(r).encode(), json.loads),
}
# [end:codecs]


def round_trips(records) -> dict[str, object]:
    """Each codec's decoded copy of records (as lists of tuples)."""
    return {name: [tuple(r) for r in decode(encode(records))]
            for name, (encode, decode) in CODECS.items()}


def best_time(function, argument, repeat: int) -> float:
    """The shortest of `repeat` timings of function(argument), in seconds."""
    return min(timeit.repeat(lambda: function(argument), number=1, repeat=repeat))


def measure(records, repeat: int = 5) -> list[tuple[str, int, float, float]]:
    """(name, bytes, encode ms, decode ms): best of `repeat` runs."""
    rows = []
    for name, (encode, decode) in CODECS.items():
        data = encode(records)
        enc = best_time(encode, records, repeat)
        dec = best_time(decode, data, repeat)
        rows.append((name, len(data), enc * 1000, dec * 1000))
    return rows


def table(rows, count: int) -> str:
    lines = [f"{count:,} records (int, float, float); best of 5 runs",
             f"{'format':<8} {'bytes':>9} {'encode ms':>10} {'decode ms':>10}"]
    lines += [f"{n:<8} {size:>9,} {enc:>10.2f} {dec:>10.2f}" for n, size, enc, dec in rows]
    lines.append(f"ran on: {platform.machine()}, {os.cpu_count()} CPUs, "
                 f"{platform.system()}, Python {platform.python_version()}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    text = table(measure(make_records(args.count)), args.count)
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
