"""The GIL, measured: threads speed up waiting, not computing.

CPython runs Python bytecode in one thread at a time: a thread must hold
the Global Interpreter Lock (GIL) to run. A thread that waits for I/O
(recv, accept, sleep) releases the GIL, so other threads run meanwhile.
A thread that computes keeps it, except for short switches.

This module runs the same batch of tasks three ways, one after the other,
in a thread pool, and in a process pool (each process has its own
interpreter and its own GIL), and times each way:

* wait_for_io(seconds): a handler that mostly waits, like one that talks
  to a slow database (time.sleep stands in for recv: both release the GIL);
* count_down(n): a handler that mostly computes.

Run it::

    python examples/concurrency/gil.py
    python examples/concurrency/gil.py --help
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

IO_SECONDS = 0.2  # how long one I/O-bound task waits
CPU_COUNT = 10_000_000  # how far one CPU-bound task counts down


# [start:tasks]
def wait_for_io(seconds: float = IO_SECONDS) -> float:
    """An I/O-bound task: it waits, and releases the GIL meanwhile."""
    time.sleep(seconds)
    return seconds


def count_down(n: int = CPU_COUNT) -> int:
    """A CPU-bound task: pure Python work that holds the GIL."""
    while n > 0:
        n -= 1
    return n
# [end:tasks]


def run_sequentially(task: Callable, argument: object, tasks: int) -> None:
    for _ in range(tasks):
        task(argument)


def run_in_pool(pool: Executor, task: Callable, argument: object,
                tasks: int) -> None:
    futures = [pool.submit(task, argument) for _ in range(tasks)]
    for future in futures:
        future.result()


def timed(run: Callable[[], object], repeat: int = 3) -> float:
    """Seconds that run() took, by the wall clock: the best of `repeat`
    runs, as other programs on the machine can only make a run slower."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


# [start:cpus_busy]
def cpus_busy(run: Callable[[], object]) -> float:
    """How many CPUs this process kept busy while run() ran: CPU
    seconds used by all its threads per second of wall-clock time."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)
# [end:cpus_busy]


@dataclass
class Comparison:
    """Seconds for one batch of tasks, run three ways."""

    task: str
    tasks: int
    seconds: dict[str, float]  # "sequential", "threads", "processes"

    def speedup(self, way: str) -> float:
        """How many times faster than running the tasks one by one."""
        return self.seconds["sequential"] / self.seconds[way]


# [start:compare]
def compare(task: Callable, argument: object,
            tasks: int = 4) -> Comparison:
    """Time `tasks` runs of task(argument): one by one, in threads,
    in processes."""
    seconds = {"sequential": timed(
        lambda: run_sequentially(task, argument, tasks))}
    with ThreadPoolExecutor(tasks) as threads:
        seconds["threads"] = timed(
            lambda: run_in_pool(threads, task, argument, tasks))
    # spawn: fresh interpreters, safe even if we have threads.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(tasks, mp_context=spawn) as processes:
        # Start all workers before timing: tasks that wait at once.
        list(processes.map(wait_for_io, [0.05] * tasks))
        seconds["processes"] = timed(
            lambda: run_in_pool(processes, task, argument, tasks))
    return Comparison(task.__name__, tasks, seconds)
# [end:compare]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time I/O-bound and CPU-bound tasks run one by one, "
        "in threads and in processes."
    )
    parser.add_argument("--tasks", type=int, default=4,
                        help="tasks per batch (default: %(default)s)")
    parser.add_argument("--io-seconds", type=float, default=IO_SECONDS,
                        help="how long an I/O-bound task waits "
                             "(default: %(default)s)")
    parser.add_argument("--cpu-count", type=int, default=CPU_COUNT,
                        help="how far a CPU-bound task counts "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    print(f"{'task':<12} {'way':<11} {'seconds':>8} {'speedup':>8}")
    experiments = ((wait_for_io, args.io_seconds), (count_down, args.cpu_count))
    for task, argument in experiments:
        result = compare(task, argument, args.tasks)
        for way, seconds in result.seconds.items():
            print(f"{result.task:<12} {way:<11} {seconds:>8.2f} "
                  f"{result.speedup(way):>7.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
