"""A load generator for the line echo servers: many clients at once, measured.

It opens N connections to a server, all at the same time, and then every
connection sends a line, waits for the echo, and repeats, until the time is
up. It reports:

* requests per second: completed round trips, divided by the duration;
* latency percentiles: p50 (the median), p90, p99 and the maximum, in
  milliseconds, of one round trip (send a line, receive its echo);
* errors: connections that could not be opened, replies that were wrong,
  late (past the timeout) or cut short by a reset.

The clients are coroutines in one asyncio event loop, so one process can
hold thousands of connections. On one machine the load generator and the
server share the CPUs: the numbers describe the pair, not the server alone.
Only use it against servers of your own (it refuses addresses that are not
loopback unless you say --allow-remote)::

    python examples/concurrency/asyncio_echo.py --port 50045
    python examples/concurrency/loadgen.py --port 50045 --connections 100
    python examples/concurrency/loadgen.py --help
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import math
import sys
import time
from dataclasses import dataclass, field

from service import port_number

DEFAULT_MESSAGE = b"hello, server\n"


@dataclass
class Load:
    """What happened during one run of the load generator."""

    connections: int
    duration: float = 0.0  # seconds of measured traffic
    requests: int = 0  # round trips that completed correctly
    errors: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)

    def summary(self) -> dict[str, float | int]:
        """The figures a benchmark reports, latencies in milliseconds."""
        ordered = sorted(self.latencies)
        return {
            "connections": self.connections,
            "duration_s": round(self.duration, 3),
            "requests": self.requests,
            "errors": self.errors,
            "requests_per_second": round(self.requests / self.duration, 1)
            if self.duration else 0.0,
            **{f"{name}_ms": round(percentile(ordered, p) * 1000, 3)
               for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))},
        }


# [start:percentile]
def percentile(ordered: list[float], p: float) -> float:
    """The value below which p percent of the sorted values lie.

    Nearest rank: the smallest value with at least p% of all the
    values at or below it. 0.0 for no values.
    """
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
# [end:percentile]


async def open_client(host: str, port: int, timeout: float):
    """Connect, or return None (and let the caller count an error)."""
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return None


# [start:client]
async def keep_asking(reader, writer, load: Load, message: bytes,
                      stop_at: float, timeout: float) -> None:
    """Send message, await its echo; repeat until stop_at."""
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < stop_at:
            started = time.perf_counter()
            writer.write(message)
            async with asyncio.timeout(timeout):
                reply = await reader.readexactly(len(message))
            if reply != message:
                load.errors += 1
                return
            load.latencies.append(time.perf_counter() - started)
            load.requests += 1
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        load.errors += 1  # reset, too slow, or closed under our feet
# [end:client]


async def close_client(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass  # already reset by the server: closed all the same


# [start:run]
async def run_load(host: str, port: int, connections: int,
                   duration: float, message: bytes = DEFAULT_MESSAGE,
                   timeout: float = 10.0) -> Load:
    """Open `connections` clients at once, then let them all ask."""
    load = Load(connections)
    clients = await asyncio.gather(
        *[open_client(host, port, timeout)
          for _ in range(connections)])
    opened = [client for client in clients if client is not None]
    load.errors += connections - len(opened)
    started = time.perf_counter()
    stop_at = asyncio.get_running_loop().time() + duration
    try:
        await asyncio.gather(*(
            keep_asking(reader, writer, load, message, stop_at,
                        timeout)
            for reader, writer in opened))
    finally:
        load.duration = time.perf_counter() - started
        await asyncio.gather(*(close_client(w) for _, w in opened))
    return load
# [end:run]


def measure(host: str, port: int, connections: int, duration: float,
            message: bytes = DEFAULT_MESSAGE, timeout: float = 10.0) -> Load:
    """run_load, for callers that are not coroutines."""
    return asyncio.run(
        run_load(host, port, connections, duration, message, timeout))


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Open many connections to a line echo server and "
        "measure requests per second, latency percentiles and errors."
    )
    parser.add_argument("--host", default="127.0.0.1",
                        help="server address (default: %(default)s)")
    parser.add_argument("--port", type=port_number, required=True,
                        help="server port")
    parser.add_argument("--connections", type=int, default=10,
                        help="concurrent connections (default: %(default)s)")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of traffic (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for a reply (default: %(default)s)")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a server that is not on this machine")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.duration <= 0:
        parser.error("--connections and --duration must be positive")
    if not (args.allow_remote or is_loopback(args.host)):
        parser.error(f"{args.host} is not a loopback address: load-test "
                     "only your own servers (--allow-remote to insist)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load = measure(args.host, args.port, args.connections, args.duration,
                   timeout=args.timeout)
    summary = load.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        for name, value in summary.items():
            print(f"{name:>20}: {value}")
    return 0 if load.requests and not load.errors else 1


if __name__ == "__main__":
    sys.exit(main())
