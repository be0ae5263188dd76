"""Lab: give the hand-built scheduler timers, for sleep and timeouts.

This is the scheduler of the lecture (scheduler.py), trimmed, and an echo
server on it. The server wants to drop clients that stay silent for too
long, and its tasks already ask for it, but the scheduler cannot do it
yet: it has no timers. Teach it three new requests:

    ("sleep", seconds)          wake me after seconds
    ("read", sock, seconds)     readable within seconds, or TimeoutError
    ("write", sock, seconds)    writable within seconds, or TimeoutError

Complete the four places marked TODO: keep timers in a heap (heapq) of
(when, number, task, error), soonest first; let select() wait at most
until the soonest timer; after select(), wake the tasks whose timers are
due (throwing the error, if any, into the task); ignore a timer whose
task was woken by its socket first (task.timer is then not its number).

Check your work (from the repository root)::

    COURSE_IMPL=starter python -m pytest tests/test_async_exercises.py -k SleepTimeouts

Run it, and talk to it with ``nc 127.0.0.1 50114``::

    python examples/async/exercises/sleep_timeouts/starter.py --timeout 5
    python examples/async/exercises/sleep_timeouts/starter.py --help
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
        # TODO: no longer than until the soonest timer (self.timers[0]);
        # never less than 0; and never longer than tick, unless tick is None.
        return tick
    # [end:until_next_timer]

    # [start:fire_timers]
    def fire_timers(self) -> None:
        """Wake the tasks whose timers are due; drop stale timers."""
        # TODO: pop every timer that is due (heapq.heappop); skip it if
        # its task is done or task.timer is not its number; otherwise
        # throw its error (None for a sleep) into the task and wake it.
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
            case (kind, sock) if kind in EVENTS:
                self.register(task, kind, sock)
            # TODO: ("sleep", seconds): a timer with no error.
            # TODO: (kind, sock, seconds): register, then a timer with a
            # TimeoutError("not readable within 5 s"), say.
            case _:
                task.throw = ValueError(f"unknown request {request!r}")
                self.ready.append(task)
    # [end:wait]

    # [start:set_timer]
    def set_timer(self, task: Task, seconds: float,
                  error: BaseException | None) -> None:
        """In seconds, wake task (throwing error into it, if any)."""
        # TODO: give the task a new timer number (next(self.numbers)),
        # and push (when, number, task, error) onto the heap.
        raise NotImplementedError("set_timer")
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
