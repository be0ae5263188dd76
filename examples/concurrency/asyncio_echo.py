"""Design 4: the line echo server with asyncio streams.

The same event loop as selectors_echo.py, packaged: asyncio owns the
selector, the non-blocking sockets and the buffers, and we write each
client's code as a coroutine that reads like the blocking version, with
``await`` wherever it may wait. asyncio replaced the standard library's
old asyncore and asynchat modules (removed in Python 3.12).

* partial reads: LineEcho keeps the incomplete line, as everywhere;
* partial writes: writer.write() buffers, ``await writer.drain()`` waits
  while that buffer is too full (back-pressure);
* a client that stays silent, or does not read its replies, for longer
  than the timeout is dropped (asyncio.timeout);
* a reset closes that client's connection only;
* Ctrl-C closes every connection and stops the server at once
  (service.serve_until_stopped).

Run it::

    python examples/concurrency/asyncio_echo.py --port 0
    python examples/concurrency/asyncio_echo.py --help
"""

from __future__ import annotations

import asyncio
import sys

from service import (
    BACKLOG, CHUNK_SIZE, IDLE_TIMEOUT, TOO_LONG_REPLY, Connections, LineEcho,
    LineTooLong, announce, close_gently, log, make_parser,
    serve_until_stopped,
)

DEFAULT_PORT = 50045
NAME = "asyncio echo"


# [start:echo]
async def echo(reader: asyncio.StreamReader,
               writer: asyncio.StreamWriter, timeout: float) -> None:
    """One coroutine per client: the blocking loop, with awaits."""
    protocol = LineEcho()
    while True:
        async with asyncio.timeout(timeout):  # silent, or not reading
            data = await reader.read(CHUNK_SIZE)
            if not data:
                return
            writer.write(protocol.receive(data))
            await writer.drain()  # waits while the client is slow
# [end:echo]


# [start:handle]
async def handle(reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter,
                 timeout: float = IDLE_TIMEOUT) -> None:
    """Serve one client; what goes wrong ends this client only."""
    try:
        await echo(reader, writer, timeout)
    except LineTooLong:
        writer.write(TOO_LONG_REPLY)
        await close_gently(reader, writer)  # so that it is read
    except TimeoutError:
        log(NAME, f"client stuck for {timeout} s: dropping it")
        writer.transport.abort()  # close now, unsent bytes and all
    except ConnectionError as exc:
        log(NAME, f"client lost: {exc}")
    finally:
        writer.close()
# [end:handle]


# [start:start]
async def start(host: str = "127.0.0.1", port: int = 0,
                timeout: float = IDLE_TIMEOUT,
                connections: Connections | None = None,
                ) -> asyncio.Server:
    """Listen on (host, port); each client runs handle() as a task."""
    connections = connections or Connections(NAME)

    async def client_connected(reader, writer):
        with connections.track(writer):  # so that Ctrl-C can close it
            await handle(reader, writer, timeout)
    return await asyncio.start_server(
        client_connected, host, port, backlog=BACKLOG
    )
# [end:start]


async def serve(host: str, port: int, timeout: float) -> None:
    connections = Connections(NAME)
    server = await start(host, port, timeout, connections)
    announce("Asyncio echo server", server.sockets[0].getsockname())
    await serve_until_stopped(server, connections)


def main(argv: list[str] | None = None) -> int:
    args = make_parser(
        "A line echo server: one thread, asyncio streams.", DEFAULT_PORT
    ).parse_args(argv)
    try:
        asyncio.run(serve(args.host, args.port, args.timeout))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass  # Ctrl-C: serve_until_stopped has closed everything
    return 0


if __name__ == "__main__":
    sys.exit(main())
