"""A tiny event loop: tasks are generators that yield what they wait for.

A task is a generator (or, later in the lecture, a coroutine). Where a
blocking program would call recv() and wait, a task *yields a request*
instead:

    ("read", sock)    wake me when sock is readable
    ("write", sock)   wake me when sock is writable

and is paused right there. The Scheduler keeps the tasks that can run in
a queue, hands the sockets the others wait for to a selector
(select/epoll/kqueue, as in lecture 4), and resumes each task when its
socket is ready. One thread, many clients, and the code of each client
reads top to bottom, like the blocking version.

Other rules, each one a few lines below:

* a task that raises ends alone: the error is logged, the loop goes on;
* cancel(task) throws Cancelled into the task where it waits, so that
  its ``finally`` blocks close what it opened;
* one task at a time may wait on a given socket.

It has no timers: a task cannot sleep. Adding them is tonight's lab.
This module is imported by yield_echo.py and await_echo.py.
"""

from __future__ import annotations

import inspect
import selectors
import socket
import sys
import threading
from collections import deque
from collections.abc import Coroutine, Generator
from typing import Any

EVENTS = {"read": selectors.EVENT_READ, "write": selectors.EVENT_WRITE}


class Cancelled(Exception):
    """Thrown into a task, where it waits, to make it stop."""


def log(message: str) -> None:
    print(f"[scheduler] {message}", file=sys.stderr, flush=True)


# [start:task]
class Task:
    """A generator or coroutine, and what became of it."""

    def __init__(self, coro: Generator | Coroutine, name: str):
        self.coro = coro
        self.name = name
        self.waits_on: socket.socket | None = None
        self.throw: BaseException | None = None  # next resume
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
# [end:task]

    @property
    def started(self) -> bool:
        """Whether it has run at all (one that has not, has not
        entered its with blocks yet: cancelling it would skip them)."""
        if inspect.iscoroutine(self.coro):
            return inspect.getcoroutinestate(self.coro) != "CORO_CREATED"
        return inspect.getgeneratorstate(self.coro) != "GEN_CREATED"

    def __repr__(self) -> str:
        state = "done" if self.done else "running"
        return f"<Task {self.name} {state}>"


class Scheduler:
    """Run tasks until none is left (or until stop is set)."""

    def __init__(self) -> None:
        self.ready: deque[Task] = deque()  # tasks that can run now
        self.selector = selectors.DefaultSelector()
        self.tasks: set[Task] = set()  # every task not done yet

    # [start:spawn]
    def spawn(self, coro, name: str | None = None) -> Task:
        """Make coro a task; it first runs at the next turn."""
        task = Task(coro, name or f"task-{len(self.tasks) + 1}")
        self.tasks.add(task)
        self.ready.append(task)
        return task
    # [end:spawn]

    # [start:run]
    def run(self, stop: threading.Event | None = None) -> None:
        """Step the ready tasks, then wait for sockets; repeat."""
        tick = None if stop is None else 0.1  # check stop this often
        while self.tasks and not (stop and stop.is_set()):
            for _ in range(len(self.ready)):  # those ready now
                self.step(self.ready.popleft())
            # Some ready again (spawned, cancelled) or none left: no wait
            wait = 0 if self.ready or not self.tasks else tick
            for key, _ in self.selector.select(wait):
                self.wake(key.data)
    # [end:run]

    # [start:step]
    def step(self, task: Task) -> None:
        """Run task until its next yield; note what it waits for."""
        try:
            if task.throw is not None:
                error, task.throw = task.throw, None
                request = task.coro.throw(error)
            else:
                request = task.coro.send(None)
        except StopIteration as finished:  # the generator returned
            self.finish(task, result=finished.value)
        except Cancelled as error:
            self.finish(task, error=error)
        except Exception as error:  # a bug, a lost client: this task only
            log(f"{task.name} failed: {error!r}")
            self.finish(task, error=error)
        else:
            self.wait(task, request)
    # [end:step]

    # [start:wait]
    def wait(self, task: Task, request: object) -> None:
        """Hand task's socket to the selector, with task as its data."""
        match request:
            case (kind, sock) if kind in EVENTS:
                try:
                    self.selector.register(sock, EVENTS[kind], task)
                    task.waits_on = sock
                    return
                except (KeyError, ValueError) as error:  # closed, taken
                    task.throw = error
            case _:
                task.throw = ValueError(f"unknown request {request!r}")
        self.ready.append(task)  # it gets the error at once
    # [end:wait]

    def wake(self, task: Task) -> None:
        """task's socket is ready, or task is cancelled: run it again."""
        if task.waits_on is not None:
            self.selector.unregister(task.waits_on)
            task.waits_on = None
        self.ready.append(task)

    # [start:cancel]
    def cancel(self, task: Task) -> None:
        """Make task raise Cancelled where it waits, soon."""
        if task.done or task.throw is not None:
            return
        task.throw = Cancelled(f"{task.name} cancelled")
        if task.waits_on is not None:  # parked at the selector
            self.wake(task)
    # [end:cancel]

    def finish(self, task: Task, result: Any = None,
               error: BaseException | None = None) -> None:
        task.done, task.result, task.error = True, result, error
        self.tasks.discard(task)

    def close(self) -> None:
        """Cancel every task, let them clean up, close the selector.

        A task cancelled before it first runs never runs at all, not
        even its with blocks (the socket it was given would stay open),
        so new tasks first run to their first yield, then are cancelled.
        """
        for _ in range(3):  # a task may wait again in its finally
            for task in list(self.tasks):
                if task.started:
                    self.cancel(task)
            for _ in range(len(self.ready)):
                self.step(self.ready.popleft())
            if not self.tasks:
                break
        for task in list(self.tasks):  # stubborn: drop it
            task.coro.close()
            self.finish(task, error=Cancelled("closed"))
        self.selector.close()


# Helpers for generator tasks: ``data = yield from recv(sock, n)`` ----------


# [start:helpers]
def recv(sock: socket.socket, size: int) -> Generator:
    """Wait until sock is readable, then read what has arrived."""
    yield ("read", sock)
    return sock.recv(size)


def send_all(sock: socket.socket, data: bytes) -> Generator:
    """Send every byte, waiting for room when the buffer is full."""
    view = memoryview(data)
    while view:
        yield ("write", sock)
        sent = sock.send(view)
        view = view[sent:]
# [end:helpers]


# [start:accept]
def accept(server: socket.socket) -> Generator:
    """Wait for a client; return its non-blocking socket."""
    yield ("read", server)
    conn, _ = server.accept()
    conn.setblocking(False)
    return conn
# [end:accept]
