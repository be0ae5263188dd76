"""Our hand-built loop against asyncio, under lecture 4's load generator.

It starts each server as a script of its own on 127.0.0.1 (a port the OS
chooses), runs examples/concurrency/loadgen.py against it at each number
of concurrent connections, stops it, and goes on to the next:

    yield        yield_echo.py: generator tasks on scheduler.py
    await        await_echo.py: async def tasks on scheduler.py
    selectors    lecture 4's selectors_echo.py: the loop without tasks
    asyncio      lecture 4's asyncio_echo.py: asyncio streams

It writes into the output folder:

    compare.csv   one row per server and number of connections
    chart.svg     requests per second, drawn from those rows
    measured.txt  when, where, and how busy the machine was

Run it once by hand (about a minute); the tests only run it for a
fraction of a second, to check that it works::

    python examples/async/compare.py --out examples/async/results
    python examples/async/compare.py --help

The load generator shares the machine's CPUs with the server: compare
the servers with each other, not with numbers measured elsewhere.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONCURRENCY = HERE.parent / "concurrency"
sys.path.insert(0, str(CONCURRENCY))  # lecture 4's load generator
import loadgen  # noqa: E402
import svgchart  # noqa: E402

SERVERS = {
    "yield": HERE / "yield_echo.py",
    "await": HERE / "await_echo.py",
    "selectors": CONCURRENCY / "selectors_echo.py",
    "asyncio": CONCURRENCY / "asyncio_echo.py",
}


@contextmanager
def running(script: Path) -> Iterator[tuple[str, int]]:
    """Start script with --port 0; yield its address; stop it."""
    with tempfile.TemporaryFile("w+") as errors:
        server = subprocess.Popen(
            [sys.executable, str(script), "--port", "0"],
            stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            line = server.stdout.readline()
            match = re.search(r"listening on (\S+):(\d+)$", line.strip())
            if match is None:
                raise RuntimeError(f"{script.name}: no address in {line!r}")
            yield match.group(1), int(match.group(2))
        finally:
            server.terminate()
            try:
                server.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()


def measure(levels: list[int], duration: float) -> list[dict]:
    rows = []
    for name, script in SERVERS.items():
        with running(script) as (host, port):
            for connections in levels:
                load = loadgen.measure(host, port, connections, duration)
                rows.append({"server": name, **load.summary()})
                print(f"{name:>10} {connections:>4} connections: "
                      f"{rows[-1]['requests_per_second']:>9,.0f} "
                      f"requests/s, {load.errors} errors", flush=True)
    return rows


def chart(rows: list[dict], note: str) -> str:
    """Requests per second: a group of bars per server, one per load."""
    servers = list(dict.fromkeys(row["server"] for row in rows))
    levels = list(dict.fromkeys(row["connections"] for row in rows))
    value = {(row["server"], row["connections"]): float(row["requests_per_second"])
             for row in rows}
    series = {f"{level} connections": [value[s, level] for s in servers]
              for level in levels}
    return svgchart.bar_chart(
        "Echo round trips per second (more is better)", servers, series, note)


def describe(duration: float, note: str) -> str:
    """When, where and how: the sentence the lecture shows."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    busy = (f"load average {load:.2f} as it started" if load is not None
            else "load not recorded")
    return (f"Measured on {now} on {platform.platform()} "
            f"({os.cpu_count()} CPUs), Python {platform.python_version()}, "
            f"{duration:g} s per run, load generator and server on the "
            f"same machine, {busy}. {note}".strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare the hand-built loop with asyncio under load.")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder for compare.csv and measured.txt")
    parser.add_argument("--connections", type=int, nargs="+",
                        default=[10, 100, 500],
                        help="numbers of concurrent connections")
    parser.add_argument("--duration", type=float, default=3.0,
                        help="seconds per measurement (default: %(default)s)")
    parser.add_argument("--note", default="",
                        help="a sentence on how it ran, for the lecture")
    args = parser.parse_args(argv)
    rows = measure(args.connections, args.duration)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "compare.csv", "w", newline="") as file:
        columns = ["server", "connections", "requests_per_second",
                   "p50_ms", "p99_ms", "errors"]
        writer = csv.DictWriter(file, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    sentence = describe(args.duration, args.note)
    short = sentence.split(" on ")[0].removeprefix("Measured ")
    (args.out / "chart.svg").write_text(
        chart(rows, f"measured {short}, {os.cpu_count()} CPUs, "
                    f"Python {platform.python_version()}"))
    (args.out / "measured.txt").write_text(sentence + "\n")
    print(sentence)
    return 0 if all(row["errors"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
