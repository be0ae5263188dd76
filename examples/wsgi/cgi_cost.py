"""What a process per request costs: the same page from CGI and from WSGI.

Serves hello.py through cgi_launcher.py (a new Python process for every
request) and the same greeting from hello_wsgi.py under wsgiref (one
process, already running), asks each for the page N times, one request
after another, and writes the mean time per request to results/.

    python examples/wsgi/cgi_cost.py              # 200 requests each
    python examples/wsgi/cgi_cost.py --requests 20 --out /tmp/cost

Run by hand, never by the tests: a timing depends on the machine and on
what else runs on it. Results: results/cgi_cost.csv and measured.txt.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import http.client
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import cgi_launcher
import hello_wsgi
from serve import wsgiref_server

RESULTS = Path(__file__).resolve().parent / "results"


def time_requests(port: int, path: str, count: int) -> float:
    """Mean seconds per GET of path, each on a new connection."""
    started = time.perf_counter()
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            if response.status != 200 or b"Hello, Ada!" not in response.read():
                raise RuntimeError(f"{path}: unexpected answer {response.status}")
        finally:
            connection.close()
    return (time.perf_counter() - started) / count


def time_interpreter_start(count: int) -> float:
    """Mean seconds to start Python and exit: the cost CGI pays each time."""
    started = time.perf_counter()
    for _ in range(count):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    return (time.perf_counter() - started) / count


def measure(count: int) -> list[tuple[str, float]]:
    servers = [cgi_launcher.make_server(), wsgiref_server(hello_wsgi.hello_app, "127.0.0.1", 0)]
    threads = [threading.Thread(target=server.serve_forever) for server in servers]
    for thread in threads:
        thread.start()
    try:
        cgi_port, wsgi_port = (server.server_address[1] for server in servers)
        return [
            ("CGI: hello.py, a process per request",
             time_requests(cgi_port, "/cgi-bin/hello.py?name=Ada", count)),
            ("WSGI: hello_app in a running server",
             time_requests(wsgi_port, "/?name=Ada", count)),
            ("starting python -c pass", time_interpreter_start(count)),
        ]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join()


def write_results(rows, count: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "cgi_cost.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["what", "ms per request", "requests per second"])
        for what, seconds in rows:
            writer.writerow([what, f"{seconds * 1000:.2f}", f"{1 / seconds:.0f}"])
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    (out / "measured.txt").write_text(
        f"Measured on {now} on {platform.platform()} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}, {count} requests each, one at a "
        f"time, client and server on the same machine, by running "
        f"cgi_cost.py by hand.\n"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    rows = measure(args.requests)
    write_results(rows, args.requests, args.out)
    for what, seconds in rows:
        print(f"{seconds * 1000:8.2f} ms  {what}")


if __name__ == "__main__":
    main()
