"""The lecture's benchmark: every echo server design under the same load.

For each design it starts the server script on 127.0.0.1 (a port the OS
chooses), runs the load generator (loadgen.py) at each number of
concurrent connections, stops the server, and goes on to the next. It also
times the GIL experiment of gil.py. It writes into the output folder:

    bench.json    everything: when, on what machine, every measurement
    bench.csv     one row per design and number of connections
    gil.csv       the GIL experiment: seconds and speed-up per way
    chart.svg     requests per second, drawn from the data (svgchart.py)
    latency.svg   the 99th percentile of the latency, drawn the same way
    measured.txt  when, where, and how busy the machine was (its load
                  average as the run started), for the lecture to include

Run it (about two minutes)::

    python examples/concurrency/bench.py --out examples/concurrency/results
    python examples/concurrency/bench.py --help

The load generator runs on the same machine as the server, and competes
with it for the CPUs: compare the designs with each other, not with
numbers measured elsewhere.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import gil
import loadgen
import svgchart

HERE = Path(__file__).resolve().parent
STARTUP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Design:
    name: str  # short, for the chart
    script: str
    options: tuple[str, ...] = ()


DESIGNS = [
    Design("threads", "thread_echo.py"),
    Design("ThreadingTCP", "socketserver_echo.py"),
    Design("processes", "process_echo.py"),
    Design("ForkingTCP", "socketserver_echo.py", ("--fork",)),
    Design("selectors", "selectors_echo.py"),
    Design("asyncio", "asyncio_echo.py"),
]


# [start:running_server]
@contextmanager
def running_server(design: Design) -> Iterator[tuple[str, int]]:
    """Start the design's script on a free port; yield (host, port);
    stop it."""
    script = str(HERE / design.script)
    command = [sys.executable, script, *design.options, "--port", "0"]
    with tempfile.TemporaryFile("w+") as errors:
        server = subprocess.Popen(command, stdout=subprocess.PIPE,
                                  stderr=errors, text=True)
        try:
            yield read_address(server)
        finally:
            server.terminate()  # SIGTERM: servers clean up, exit
            try:
                server.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
# [end:running_server]


def read_address(server: subprocess.Popen) -> tuple[str, int]:
    """Wait for '... listening on HOST:PORT' on the server's stdout."""
    ready, _, _ = select.select([server.stdout], [], [], STARTUP_TIMEOUT)
    line = server.stdout.readline() if ready else ""
    match = re.search(r"listening on (\S+):(\d+)$", line.strip())
    if match is None:
        raise RuntimeError(f"{server.args}: no address, got {line!r}")
    return match.group(1), int(match.group(2))


def measure_designs(designs: list[Design], levels: list[int],
                    duration: float) -> list[dict]:
    """One row of figures per design and number of connections."""
    rows = []
    for design in designs:
        with running_server(design) as (host, port):
            for connections in levels:
                load = loadgen.measure(host, port, connections, duration)
                rows.append({"design": design.name, **load.summary()})
                print(f"{design.name:>13} {connections:>5} connections: "
                      f"{rows[-1]['requests_per_second']:>9,.0f} requests/s, "
                      f"p99 {rows[-1]['p99_ms']:.1f} ms, "
                      f"{load.errors} errors", flush=True)
    return rows


def measure_gil(quick: bool) -> list[dict]:
    """The GIL experiment of gil.py, one row per task and way."""
    experiments = [
        ("I/O-bound", gil.wait_for_io, 0.02 if quick else gil.IO_SECONDS),
        ("CPU-bound", gil.count_down, 100_000 if quick else gil.CPU_COUNT),
    ]
    rows = []
    for name, task, argument in experiments:
        result = gil.compare(task, argument, tasks=4)
        for way, seconds in result.seconds.items():
            rows.append({"task": name, "way": way,
                         "seconds": round(seconds, 3),
                         "speedup": round(result.speedup(way), 2)})
    return rows


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        # How many processes wanted a CPU, on average over the last
        # minute, before we start: the work others leave us.
        "load_average": round(os.getloadavg()[0], 2),
    }


def describe(data: dict) -> str:
    """For the lecture: when, where, how long, and how busy the machine
    was, all as measured (the note, if any, comes last)."""
    m = data["machine"]
    sentence = (f"Measured on {data['measured']} on {m['platform']} "
                f"({m['cpus']} CPUs), Python {m['python']}, "
                f"{data['duration_s']:g} s per run, the load generator and "
                f"the server on the same machine.")
    if "load_average" in m:
        load = (f"As the run started, the load average was "
                f"{m['load_average']:g} for {m['cpus']} CPUs.")
    else:
        load = "The machine's load was not recorded."
    return f"{sentence} {load} {data['note']}".strip()


CHARTS = {  # file name: (figure of each row, title)
    "chart.svg": ("requests_per_second",
                  "Echo round trips per second (more is better)"),
    "latency.svg": ("p99_ms",
                    "99th percentile latency, ms (less is better)"),
}


def chart(data: dict, figure: str = "requests_per_second",
          title: str = CHARTS["chart.svg"][1]) -> str:
    """A bar chart of one figure per design and level, from the data only."""
    designs = list(dict.fromkeys(row["design"] for row in data["results"]))
    levels = list(dict.fromkeys(row["connections"] for row in data["results"]))
    value = {(row["design"], row["connections"]): row[figure]
             for row in data["results"]}
    series = {f"{level} connections": [value[d, level] for d in designs]
              for level in levels}
    return svgchart.bar_chart(
        title, designs, series,
        note=f"measured {data['measured']}, {data['machine']['cpus']} CPUs, "
             f"Python {data['machine']['python']}")


def write_results(data: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(data, indent=2) + "\n")
    for name, rows in (("bench.csv", data["results"]), ("gil.csv", data["gil"])):
        with open(out / name, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    for name, (figure, title) in CHARTS.items():
        (out / name).write_text(chart(data, figure, title))
    (out / "measured.txt").write_text(describe(data) + "\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark every echo server design; write data and a chart.")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder for bench.json, bench.csv, gil.csv, "
                             "chart.svg and measured.txt")
    parser.add_argument("--connections", type=int, nargs="+",
                        default=[10, 100, 500],
                        help="numbers of concurrent connections "
                             "(default: %(default)s)")
    parser.add_argument("--duration", type=float, default=3.0,
                        help="seconds per measurement (default: %(default)s)")
    parser.add_argument("--designs", nargs="+",
                        choices=[d.name for d in DESIGNS],
                        default=[d.name for d in DESIGNS],
                        help="which designs (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny GIL experiment, for tests")
    parser.add_argument("--note", default="",
                        help="a sentence to add to measured.txt (the "
                             "machine's load is measured: do not describe it)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    designs = [d for d in DESIGNS if d.name in args.designs]
    now = datetime.datetime.now(datetime.timezone.utc)
    data = {
        "measured": now.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "duration_s": args.duration,
        "note": args.note,
        "results": measure_designs(designs, args.connections, args.duration),
        "gil": measure_gil(args.quick),
    }
    write_results(data, args.out)
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
