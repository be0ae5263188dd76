"""Lecture 4's load generator, speaking HTTP: many keep-alive clients at once.

    python examples/deployment/http_load.py --port 8080 --path /healthz

Each client keeps an HTTP/1.1 connection open (a new one when the server
says "Connection: close") and sends GET requests one after another; a
reply that is not "200" counts as an error, and so does a connection
that is reset or closed under it (the client then reconnects, as a
browser would, and goes on). The record of the run is lecture 4's
Load (examples/concurrency/loadgen.py): requests, errors, latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "concurrency"))
from loadgen import Load  # noqa: E402  (lecture 4's record of a run)


# [start:get]
async def get(reader, writer, host: str, path: str) -> tuple[int, bool]:
    """One GET on an open connection: (status, may we send another?)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    await reader.readexactly(int(headers.get(b"content-length", 0)))
    return status, headers.get(b"connection") != b"close"
# [end:get]


async def client(host: str, port: int, path: str, load: Load,
                 stop_at: float, timeout: float) -> None:
    """Ask again and again until stop_at; reconnect after a failure."""
    loop = asyncio.get_running_loop()
    while loop.time() < stop_at:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError):
            load.errors += 1
            continue
        try:
            while loop.time() < stop_at:
                started = time.perf_counter()
                async with asyncio.timeout(timeout):
                    status, again = await get(reader, writer, host, path)
                if status != 200:
                    load.errors += 1
                else:
                    load.latencies.append(time.perf_counter() - started)
                    load.requests += 1
                if not again:
                    break  # the server closes: a new connection
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
            load.errors += 1
        finally:
            writer.close()


async def run_load(host: str, port: int, connections: int, duration: float,
                   path: str = "/healthz", timeout: float = 10.0) -> Load:
    load = Load(connections)
    stop_at = asyncio.get_running_loop().time() + duration
    started = time.perf_counter()
    await asyncio.gather(*(client(host, port, path, load, stop_at, timeout)
                           for _ in range(connections)))
    load.duration = time.perf_counter() - started
    return load


def measure(host: str, port: int, connections: int, duration: float,
            path: str = "/healthz") -> Load:
    """run_load, for callers that are not coroutines."""
    return asyncio.run(run_load(host, port, connections, duration, path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args(argv)
    load = measure(args.host, args.port, args.connections, args.duration, args.path)
    print(json.dumps(load.summary(), indent=2))
    return 1 if load.errors else 0


if __name__ == "__main__":
    sys.exit(main())
