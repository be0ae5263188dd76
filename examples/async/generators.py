"""Generators as tasks: a function that can pause, and a loop that takes turns.

A generator function runs until its next ``yield``, hands out a value,
and stays paused, with its local variables, until someone calls next()
(or send()) on it again. Several paused generators and a loop that
resumes each in turn make cooperative multitasking: each task gives up
the CPU at its own yields. No threads, no locks; nothing else runs while
a task runs. The scheduler of scheduler.py is this loop, plus a selector.

Try it::

    python examples/async/generators.py
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator


# [start:countdown]
def countdown(name: str, n: int) -> Generator[str, None, str]:
    """A task: count down, pausing after each step."""
    while n > 0:
        yield f"{name}: {n}"  # pause here; resume on next()
        n -= 1
    return f"{name}: done"
# [end:countdown]


# [start:round_robin]
def round_robin(tasks: list[Generator]) -> list[str]:
    """Resume each task in turn until all are finished."""
    ready = deque(tasks)
    said = []
    while ready:
        task = ready.popleft()
        try:
            said.append(next(task))  # run it to its next yield
        except StopIteration as finished:
            said.append(finished.value)  # its return value
        else:
            ready.append(task)  # not finished: back in the queue
    return said
# [end:round_robin]


def main() -> None:
    for line in round_robin([countdown("a", 3), countdown("b", 2)]):
        print(line)


if __name__ == "__main__":
    main()
