"""What asyncio adds to a loop like ours: tasks, cancellation, timeouts,
and task groups (structured concurrency).

Small coroutines for the lecture's sessions, each one idea:

* ask(): one round trip to a line echo server, bounded by asyncio.timeout;
* ask_each(): ask several servers at once in an asyncio.TaskGroup: all
  answers, or, at the first failure, the others are cancelled and the
  errors come back together (an ExceptionGroup);
* ticker(): a task that cleans up when it is cancelled.

Try it against a server of this lecture (started first)::

    python examples/async/yield_echo.py &
    python examples/async/asyncio_tour.py --port 50111
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from common import DEFAULT_HOST, port_number

Address = tuple[str, int]


# [start:ask]
async def ask(address: Address, line: bytes,
              timeout: float = 2.0) -> bytes:
    """Send line to a line echo server; return the line it echoes."""
    async with asyncio.timeout(timeout):  # for all of it
        reader, writer = await asyncio.open_connection(*address)
        try:
            writer.write(line)
            await writer.drain()
            return await reader.readline()
        finally:
            writer.close()
            await writer.wait_closed()
# [end:ask]


# [start:ask_each]
async def ask_each(addresses: list[Address], line: bytes,
                   timeout: float = 2.0) -> list[bytes]:
    """Ask every server at once: every answer, or no answer at all."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(ask(address, line, timeout))
                 for address in addresses]
    # here every task has finished: the group waited for them
    return [task.result() for task in tasks]
# [end:ask_each]


# [start:ticker]
async def ticker(events: list[str], period: float = 0.01) -> None:
    """Note a tick every period seconds, until cancelled."""
    try:
        while True:
            events.append("tick")
            await asyncio.sleep(period)  # cancellation lands here
    except asyncio.CancelledError:
        events.append("cleaned up")
        raise  # let the cancellation finish the task
# [end:ticker]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Ask a line echo server to echo a line, with asyncio.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, required=True)
    parser.add_argument("--line", default="hello, asyncio")
    args = parser.parse_args(argv)
    line = args.line.encode("utf-8") + b"\n"
    try:
        reply = asyncio.run(ask((args.host, args.port), line))
    except (OSError, TimeoutError) as exc:
        print(f"no answer from {args.host}:{args.port}: {exc!r}",
              file=sys.stderr)
        return 1
    print(reply.decode("utf-8", errors="replace"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
