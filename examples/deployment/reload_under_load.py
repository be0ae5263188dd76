"""A graceful reload, measured: SIGHUP to gunicorn while clients keep asking.

    SECRET_KEY=... python examples/deployment/reload_under_load.py

It starts the stack (stack.py), runs the HTTP load generator against nginx,
and sends gunicorn's master SIGHUP a few times during the run: each time,
gunicorn starts new workers (reading the code and the configuration
again) and lets the old ones finish their requests before they exit. The
result, written to results/reload.json, counts the requests that failed:
a graceful reload loses none. Run once by hand; the tests run a short one.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import http_load
import stack

RESULTS = Path(__file__).parent / "results" / "reload.json"


def worker_pid(url: str) -> int:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as reply:
        return json.load(reply)["pid"]


# [start:reload]
def reload_under_load(running: stack.Stack, duration: float,
                      reloads: int, connections: int = 10) -> dict:
    """Load it for `duration` s; SIGHUP gunicorn `reloads` times."""
    host, port = running.url.removeprefix("http://").split(":")
    before = worker_pid(running.url)
    result = {}
    def run_load() -> None:
        load = http_load.measure(host, int(port), connections,
                                 duration)
        result.update(load.summary())
    load = threading.Thread(target=run_load)
    load.start()
    for _ in range(reloads):
        time.sleep(duration / (reloads + 1))
        running.gunicorn.send_signal(signal.SIGHUP)
    load.join()
    return {**result, "reloads": reloads,
            "new_workers": worker_pid(running.url) != before}
# [end:reload]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--reloads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    os.environ.setdefault("SECRET_KEY", os.urandom(16).hex())
    with tempfile.TemporaryDirectory(prefix="reload-") as folder:
        with stack.running_stack(Path(folder), workers=3) as running:
            result = reload_under_load(running, args.duration, args.reloads,
                                       args.connections)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
