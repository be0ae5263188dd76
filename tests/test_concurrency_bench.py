"""Tests of lecture 4's measuring tools: the load generator (loadgen), the
benchmark (bench) with its hand-written SVG chart (svgchart), and the GIL
experiment (gil). Also checks that the results shipped in
examples/concurrency/results/ are what the benchmark code makes of its
own data: the chart is never drawn by hand.
"""

import csv
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.support import (
    EXAMPLES,
    ServerThread,
    handler_server,
    load_example,
    make_listener,
    run_script,
)
from tests.support_concurrency import running_design

loadgen = load_example("concurrency", "loadgen")
bench = load_example("concurrency", "bench")
svgchart = load_example("concurrency", "svgchart")

RESULTS = EXAMPLES / "concurrency" / "results"
SVG = "{http://www.w3.org/2000/svg}"
DESIGN_NAMES = [design.name for design in bench.DESIGNS]


# The load generator -------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "expected"), [(50, 3.0), (90, 5.0), (99, 5.0), (100, 5.0), (0, 1.0), (20, 1.0), (21, 2.0)]
)
def test_percentile_is_the_nearest_rank(p, expected):
    assert loadgen.percentile([1.0, 2.0, 3.0, 4.0, 5.0], p) == expected


def test_percentile_of_nothing_is_zero():
    assert loadgen.percentile([], 99) == 0.0


def test_loadgen_measures_round_trips_against_a_real_server():
    with running_design(bench.DESIGNS[-1]) as (_, (host, port)):
        load = loadgen.measure(host, port, connections=5, duration=0.3)
    summary = load.summary()
    assert summary["errors"] == 0 and summary["requests"] > 5
    assert summary["requests"] == len(load.latencies)
    assert 0 < summary["p50_ms"] <= summary["p90_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert summary["requests_per_second"] == pytest.approx(
        summary["requests"] / load.duration, rel=0.01
    )


def test_loadgen_counts_connections_the_server_closes_as_errors():
    hang_up = handler_server(lambda conn: None)  # accept, then close at once
    with ServerThread(hang_up, make_listener(), max_clients=3) as server:
        load = loadgen.measure(*server.address, connections=3, duration=0.2, timeout=5)
        server.wait()
    assert (load.requests, load.errors) == (0, 3)


def test_loadgen_counts_wrong_replies_as_errors():
    def wrong_echo(conn):
        conn.recv(1024)
        conn.sendall(b"?" * len(loadgen.DEFAULT_MESSAGE))  # as long, but wrong

    with ServerThread(handler_server(wrong_echo), make_listener(), max_clients=2) as server:
        load = loadgen.measure(*server.address, connections=2, duration=0.2, timeout=5)
        server.wait()
    assert (load.requests, load.errors) == (0, 2)


def test_loadgen_counts_refused_connections_as_errors():
    with make_listener() as listener:
        address = listener.getsockname()  # closed below: nobody listens there
    load = loadgen.measure(*address, connections=4, duration=0.1, timeout=5)
    assert (load.requests, load.errors) == (0, 4)


def test_loadgen_script_prints_a_json_summary():
    with running_design(bench.DESIGNS[-2]) as (_, (host, port)):
        result = run_script(
            "concurrency",
            "loadgen",
            "--port",
            str(port),
            "--connections",
            "3",
            "--duration",
            "0.3",
            "--json",
        )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["connections"] == 3 and summary["errors"] == 0 and summary["requests"] > 0


def test_loadgen_script_refuses_a_server_that_is_not_on_this_machine():
    result = run_script("concurrency", "loadgen", "--host", "192.0.2.10", "--port", "7")
    assert result.returncode == 2
    assert "not a loopback address" in result.stderr


def test_loadgen_script_explains_its_usage_with_help():
    result = run_script("concurrency", "loadgen", "--help")
    assert result.returncode == 0 and "--connections" in result.stdout


# The chart ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (7, 10), (10, 10), (11, 20), (1234, 2000), (31000, 50000)]
)
def test_nice_ceiling_rounds_up_to_1_2_or_5_times_a_power_of_ten(value, top):
    assert svgchart.nice_ceiling(value) == top


def bars(svg_text: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(svg_text)
    assert root.tag == f"{SVG}svg"
    return [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "bar"]


def test_bar_chart_draws_one_bar_per_value_with_heights_in_proportion():
    svg = svgchart.bar_chart("T <&>", ["a", "b"], {"x": [100.0, 50.0], "y": [25.0, 0.0]})
    drawn = bars(svg)
    assert len(drawn) == 4
    heights = [float(rect.get("height")) for rect in drawn]
    assert heights[0] == pytest.approx(2 * heights[2]) == pytest.approx(4 * heights[1])
    assert heights[3] == 0
    assert "T &lt;&amp;&gt;" in svg  # text is escaped: the file stays valid XML


# The benchmark ------------------------------------------------------------------


def check_results(folder: Path, levels: list[int]) -> dict:
    """The files bench.py writes are consistent with each other; the data."""
    data = json.loads((folder / "bench.json").read_text())
    assert {"measured", "machine", "duration_s", "results", "gil"} <= set(data)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", data["measured"])
    assert data["machine"]["cpus"] >= 1 and data["machine"]["python"].startswith("3.")
    assert [(row["design"], row["connections"]) for row in data["results"]] == [
        (name, level) for name in DESIGN_NAMES for level in levels
    ]
    with open(folder / "bench.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [
        (row["design"], int(row["connections"]), float(row["requests_per_second"])) for row in rows
    ] == [
        (row["design"], row["connections"], row["requests_per_second"]) for row in data["results"]
    ]
    with open(folder / "gil.csv", newline="") as file:
        gil_rows = list(csv.DictReader(file))
    assert [(row["task"], row["way"]) for row in gil_rows] == [
        (task, way)
        for task in ("I/O-bound", "CPU-bound")
        for way in ("sequential", "threads", "processes")
    ]
    for name, (figure, title) in bench.CHARTS.items():
        svg = (folder / name).read_text()
        assert len(bars(svg)) == len(data["results"])
        assert svg == bench.chart(data, figure, title)  # drawn from the data only
    assert (folder / "measured.txt").read_text() == bench.describe(data) + "\n"
    return data


def test_bench_writes_data_and_a_chart_drawn_from_it(tmp_path):
    out = tmp_path / "results"
    result = run_script(
        "concurrency",
        "bench",
        "--out",
        str(out),
        "--connections",
        "2",
        "3",
        "--duration",
        "0.2",
        "--quick",
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = check_results(out, [2, 3])
    assert all(row["errors"] == 0 and row["requests"] > 0 for row in data["results"])
    # How busy the machine was is measured, and the note says it.
    load = data["machine"]["load_average"]
    assert f"the load average was {load:g} for" in (out / "measured.txt").read_text()


def test_the_note_says_when_the_load_was_not_recorded():
    data = json.loads((RESULTS / "bench.json").read_text())
    data["machine"].pop("load_average", None)
    assert "The machine's load was not recorded." in bench.describe(data)


def test_bench_script_explains_its_usage_with_help():
    result = run_script("concurrency", "bench", "--help")
    assert result.returncode == 0 and "--out" in result.stdout


def test_the_shipped_results_are_what_the_benchmark_makes_of_its_data():
    data = json.loads((RESULTS / "bench.json").read_text())
    levels = list(dict.fromkeys(row["connections"] for row in data["results"]))
    check_results(RESULTS, levels)
    assert max(levels) >= 100


# The GIL experiment -------------------------------------------------------------


def test_gil_script_times_both_tasks_three_ways():
    result = run_script(
        "concurrency", "gil", "--tasks", "2", "--cpu-count", "100000", "--io-seconds", "0.1"
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    assert [(row[0], row[1]) for row in rows] == [
        (task, way)
        for task in ("wait_for_io", "count_down")
        for way in ("sequential", "threads", "processes")
    ]
    io_speedup_with_threads = float(rows[1][3].rstrip("x"))
    assert io_speedup_with_threads > 1.3  # two waits overlap: about 2x
