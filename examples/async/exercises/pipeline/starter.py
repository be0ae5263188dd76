"""Assignment: a producer/consumer pipeline with backpressure.

Complete pipeline() (marked TODO): two tasks joined by a bounded
asyncio.Queue:

* the producer takes items from an async iterable (the source) and puts
  them in the queue; ``await queue.put()`` waits while the queue is full,
  so a slow consumer slows the producer down: that is backpressure, and
  it keeps memory bounded however fast the source is;
* the consumer gets items and awaits the sink for each, in order, until
  the producer's end marker arrives.

Both run in an asyncio.TaskGroup: if either fails, the other is
cancelled (a producer waiting on a full queue would otherwise wait
forever), and the error comes out of pipeline() in an ExceptionGroup.

Check your work (from the repository root)::

    COURSE_IMPL=starter python -m pytest tests/test_async_exercises.py -k Pipeline

relay(), given, uses it on the network: lines from one server (the source) are
written to another (the sink), never more than maxsize lines in between.

Try it with two terminals' worth of nc::

    nc -l 50115 < some_file.txt         # the source
    nc -l 50116 > copy.txt              # the sink
    python examples/async/exercises/pipeline/starter.py \\
        --source 127.0.0.1:50115 --sink 127.0.0.1:50116
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
DONE = object()  # the end marker the producer sends last
MAX_LINE = 65536  # what asyncio's readline() accepts by default


class LineTooLong(ValueError):
    """The source sent a line longer than MAX_LINE bytes."""


# [start:pipeline]
async def pipeline(source: AsyncIterable[T],
                   sink: Callable[[T], Awaitable[object]],
                   maxsize: int = 8) -> int:
    """Move every item of source to sink, never more than maxsize
    items in between; return how many went through."""
    # TODO: refuse a maxsize below 1 with ValueError (asyncio.Queue(0)
    # is unbounded: no backpressure at all).
    # TODO: a bounded asyncio.Queue; a producer task that puts every
    # item of source, then DONE; a consumer task that awaits
    # sink(item) for each item until DONE and counts them. Run both
    # in an asyncio.TaskGroup, and return the consumer's count.
    raise NotImplementedError("pipeline")
# [end:pipeline]


async def lines(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    """The lines of a stream (the last one may lack its b"\\n")."""
    while True:
        try:
            line = await reader.readline()
        except ValueError as error:  # asyncio's limit was overrun
            raise LineTooLong(f"the source sent a line longer than "
                              f"{MAX_LINE} bytes") from error
        if not line:
            return
        yield line


async def relay(source: tuple[str, int], sink: tuple[str, int],
                maxsize: int = 8) -> int:
    """Copy the lines of the source server to the sink server."""
    source_reader, source_writer = await asyncio.open_connection(
        *source, limit=MAX_LINE)
    try:
        _, sink_writer = await asyncio.open_connection(*sink)
        try:
            async def write(line: bytes) -> None:
                sink_writer.write(line)
                await sink_writer.drain()  # the sink's own backpressure
            return await pipeline(lines(source_reader), write, maxsize)
        finally:
            sink_writer.close()
            await sink_writer.wait_closed()
    finally:
        source_writer.close()
        await source_writer.wait_closed()


def address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT")
    return host, int(port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Relay lines from a source server to a sink server, "
        "with a bounded queue in between.")
    parser.add_argument("--source", type=address, required=True,
                        help="HOST:PORT to read lines from")
    parser.add_argument("--sink", type=address, required=True,
                        help="HOST:PORT to write them to")
    parser.add_argument("--maxsize", type=int, default=8,
                        help="lines in between at most (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        count = asyncio.run(relay(args.source, args.sink, args.maxsize))
    except (OSError, ExceptionGroup) as error:  # a group: from the tasks
        for reason in getattr(error, "exceptions", [error]):
            print(f"relay stopped: {reason}", file=sys.stderr)
        return 1
    print(f"relayed {count} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
