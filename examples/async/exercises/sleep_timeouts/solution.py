"""Lab solution: timers for the hand-built scheduler (sleep and timeouts).

The scheduler of the lecture (scheduler.py), trimmed, plus timers. A
task may now yield:

    ("read", sock)              as before: wake me when sock is readable
    ("write", sock)             ... writable
    ("read", sock, seconds)     readable within seconds, or TimeoutError
    ("write", sock, seconds)    ... writable
    ("sleep", seconds)          wake me after seconds

Timers live in a heap of (when, number, task, error), soonest first;
select() waits at most until the soonest. A timer is *stale* when its
task was woken by its socket first (task.timer is then another number):
it is dropped. The echo server at the bottom uses a read timeout to
drop clients that stay silent for too long.

Run it, and talk to it with ``nc 127.0.0.1 50114``::

    python examples/async/exercises/sleep_timeouts/solution.py --timeout 5
    python examples/async/exercises/sleep_timeouts/solution.py --help
"""

from __future__ import annotations

import argparse
import heapq
import inspect
import itertools
import selectors
import signal
import socket
import sys
import threading
import time
from collections import deque

EVENTS = {"read": selectors.EVENT_READ, "write": selectors.EVENT_WRITE}
DEFAULT_PORT = 50114
IDLE_TIMEOUT = 10.0


def log(message: str) -> None:
    print(f"[sleepy echo] {message}", file=sys.stderr, flush=True)


class Task:
    def __init__(self, coro, name: str) -> None:
        self.coro = coro
        self.name = name
        self.waits_on: socket.socket | None = None
        self.throw: BaseException | None = None
        self.timer: int | None = None  # the number of its live timer
        self.done = False
        self.result = None
        self.error: BaseException | None = None


class Scheduler:
    def __init__(self) -> None:
        self.ready: deque[Task] = deque()
        self.selector = selectors.DefaultSelector()
        self.tasks: set[Task] = set()
        self.timers: list[tuple] = []  # a heap: (when, number, task, error)
        self.numbers = itertools.count()  # breaks ties, names timers

    def spawn(self, coro, name: str = "task") -> Task:
        task = Task(coro, name)
        self.tasks.add(task)
        self.ready.append(task)
        return task

    def run(self, stop: threading.Event | None = None) -> None:
        tick = None if stop is None else 0.1
        while self.tasks and not (stop and stop.is_set()):
            for _ in range(len(self.ready)):
                self.step(self.ready.popleft())
            if self.ready or not self.tasks:
                wait = 0
            else:
                wait = self.until_next_timer(tick)
            for key, _ in self.selector.select(wait):
                self.wake(key.data)
            self.fire_timers()

    # [start:until_next_timer]
    def until_next_timer(self, tick: float | None) -> float | None:
        """How long select() may wait: until the soonest timer."""
        if not self.timers:
            return tick
        left = max(0.0, self.timers[0][0] - time.monotonic())
        return left if tick is None else min(left, tick)
    # [end:until_next_timer]

    # [start:fire_timers]
    def fire_timers(self) -> None:
        """Wake the tasks whose timers are due; drop stale timers."""
        now = time.monotonic()
        while self.timers and self.timers[0][0] <= now:
            _, number, task, error = heapq.heappop(self.timers)
            if task.timer != number or task.done:
                continue  # its socket was ready first
            task.timer = None
            task.throw = error  # None for a sleep
            self.wake(task)
    # [end:fire_timers]

    def step(self, task: Task) -> None:
        try:
            if task.throw is not None:
                error, task.throw = task.throw, None
                request = task.coro.throw(error)
            else:
                request = task.coro.send(None)
        except StopIteration as finished:
            self.finish(task, result=finished.value)
        except Exception as error:
            log(f"{task.name} failed: {error!r}")
            self.finish(task, error=error)
        else:
            self.wait(task, request)

    # [start:wait]
    def wait(self, task: Task, request: object) -> None:
        match request:
            case ("sleep", seconds):
                self.set_timer(task, seconds, None)
            case (kind, sock) if kind in EVENTS:
                self.register(task, kind, sock)
            case (kind, sock, seconds) if kind in EVENTS:
                if self.register(task, kind, sock):
                    self.set_timer(task, seconds, TimeoutError(
                        f"not {kind}able within {seconds} s"))
            case _:
                task.throw = ValueError(f"unknown request {request!r}")
                self.ready.append(task)
    # [end:wait]

    # [start:set_timer]
    def set_timer(self, task: Task, seconds: float,
                  error: BaseException | None) -> None:
        """In seconds, wake task (throwing error into it, if any)."""
        task.timer = next(self.numbers)
        when = time.monotonic() + seconds
        heapq.heappush(self.timers, (when, task.timer, task, error))
    # [end:set_timer]

    def register(self, task: Task, kind: str, sock: socket.socket) -> bool:
        try:
            self.selector.register(sock, EVENTS[kind], task)
        except (KeyError, ValueError) as error:
            task.throw = error
            self.ready.append(task)
            return False
        task.waits_on = sock
        return True

    def wake(self, task: Task) -> None:
        if task.waits_on is not None:
            self.selector.unregister(task.waits_on)
            task.waits_on = None
        task.timer = None  # whatever timer it had is now stale
        self.ready.append(task)

    def finish(self, task: Task, result=None, error=None) -> None:
        task.done, task.result, task.error = True, result, error
        self.tasks.discard(task)

    def close(self) -> None:
        """End every task (its finally blocks run), close the selector."""
        for _ in range(3):  # new tasks first run into their with blocks
            for task in list(self.tasks):
                if inspect.getgeneratorstate(task.coro) != "GEN_CREATED":
                    self.end(task)
            for _ in range(len(self.ready)):
                self.step(self.ready.popleft())
        for task in list(self.tasks):
            self.end(task)
        self.selector.close()

    def end(self, task: Task) -> None:
        if task.waits_on is not None:
            self.selector.unregister(task.waits_on)
        task.coro.close()  # GeneratorExit where it waits
        self.finish(task)


# Helpers for tasks ------------------------------------------------------------


def sleep(seconds: float):
    """``yield from sleep(0.5)``: let the others run meanwhile."""
    yield ("sleep", seconds)


def recv(sock: socket.socket, size: int, timeout: float | None = None):
    """Wait until sock is readable (at most timeout s), then read."""
    yield ("read", sock) if timeout is None else ("read", sock, timeout)
    return sock.recv(size)


def send_all(sock: socket.socket, data: bytes):
    view = memoryview(data)
    while view:
        yield ("write", sock)
        view = view[sock.send(view):]


# An echo server that drops idle clients -------------------------------------


def handle(conn: socket.socket, idle_timeout: float):
    """Echo what conn sends; hang up when it is silent too long."""
    with conn:
        try:
            while data := (yield from recv(conn, 65536, idle_timeout)):
                yield from send_all(conn, data)
        except TimeoutError:
            log(f"client silent for {idle_timeout} s: dropping it")
        except ConnectionError as error:
            log(f"client lost: {error}")


def accept_clients(sched: Scheduler, server: socket.socket,
                   idle_timeout: float):
    while True:
        yield ("read", server)
        try:
            conn, _ = server.accept()
        except (BlockingIOError, ConnectionAbortedError):
            continue
        conn.setblocking(False)
        sched.spawn(handle(conn, idle_timeout), name="client")


def serve(server: socket.socket, stop: threading.Event | None = None,
          idle_timeout: float = IDLE_TIMEOUT) -> None:
    server.setblocking(False)
    sched = Scheduler()
    sched.spawn(accept_clients(sched, server, idle_timeout), name="accept")
    try:
        sched.run(stop)
    finally:
        sched.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="An echo server on a scheduler with timers: "
        "clients silent for too long are dropped.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="0 for any free port (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=IDLE_TIMEOUT,
                        help="seconds a client may stay silent "
                        "(default: %(default)s)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"{args.port} is not a port number (0 to 65535)")

    def interrupt(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupt)
    try:
        server = socket.create_server((args.host, args.port))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()[:2]
        print(f"Sleepy echo server listening on {host}:{port}", flush=True)
        try:
            serve(server, None, args.timeout)
        except KeyboardInterrupt:
            log("shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
