"""An HTTP/1.1 file server on an event loop (asyncio streams).

Lecture 3 builds an HTTP server step by step (examples/protocols/), one
client at a time. This is that server on an event loop: each connection
is a coroutine, so a thousand slow browsers cost a thousand small
objects, not a thousand threads.

It does not copy lecture 3's code: it imports the parts that do no
network I/O, so both servers parse, check and answer alike:

* http_step3.read_request: parse and check the request head (400, 405,
  414, 431, 505 come from there);
* http_step4.url_path and resolve: the file a target names under the web
  root, 403 for a path that leads out of it ("..", "%2e%2e", a symbolic
  link), 404 for nothing there (a symbolic link loop included);
* http_step4.content_type and http_step5.listing: the Content-Type, and
  the page that lists a folder (a folder's URL must end in "/": 301).

What is new is the waiting, with await:

* the head is read without blocking the loop, then handed to read_request
  as an in-memory file: read_request reads any binary file;
* persistent connections: HTTP/1.1 keeps the connection open for the next
  request unless the client says ``Connection: close``;
* a file is sent in chunks, each written once the client has taken the
  one before (drain), so a client that does not read costs one chunk of
  memory, not the whole file;
* a client that sends nothing, or reads nothing, for longer than the
  timeout is dropped: its connection is aborted (reset), unsent bytes and
  all. Ctrl-C stops the server at once, whoever is connected.

One rule of event loops shows here: never block the loop. Disk reads
would stop every other client while they last, so they run in a worker
thread (asyncio.to_thread).

    python examples/concurrency/async_http_server.py --root . --port 8000
    python examples/concurrency/async_http_server.py --help
    curl -v http://127.0.0.1:8000/
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

from service import (
    OUT_OF_FILES, Connections, close_gently, log, port_number,
    serve_until_stopped,
)

# Lecture 3's server is in examples/protocols/, and its steps import one
# another by plain name ("from http_step1 import ..."). With that folder
# on the import path we import them the same way, from any directory.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "protocols"))

from http_step1 import MAX_HEADERS, MAX_LINE  # noqa: E402
from http_step2 import Request  # noqa: E402
from http_step3 import BAD_REQUEST, HTTPError, read_request  # noqa: E402
from http_step4 import FORBIDDEN, content_type, resolve, url_path  # noqa: E402
from http_step5 import listing  # noqa: E402

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8004
IDLE_TIMEOUT = 10.0
CHUNK_SIZE = 64 * 1024  # bytes of a file read and sent at a time
SERVER_NAME = "course-async-http/1.0"
NAME = "http"


# [start:read_head]
async def read_head(reader: asyncio.StreamReader) -> bytes:
    """The bytes of a request head, up to its empty line; b"" if the
    client closed the connection first.

    Reads no more than lecture 3's read_request would: a line over
    MAX_LINE bytes, or too many lines, end the head early, and
    read_request then says what is wrong with it.
    """
    head = b""
    for _ in range(MAX_HEADERS + 2):  # request line, headers, end
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as cut:
            return head + cut.partial  # the client left mid-request
        except asyncio.LimitOverrunError:
            return head + await reader.read(MAX_LINE + 1)  # too long
        head += line
        if line in (b"\r\n", b"\n"):
            break
    return head
# [end:read_head]


def head_bytes(status: str, headers: dict[str, str | int],
               keep_open: bool) -> bytes:
    """The status line and headers of a response, and the empty line."""
    lines = [f"HTTP/1.1 {status}", f"Date: {formatdate(usegmt=True)}",
             f"Server: {SERVER_NAME}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if not keep_open:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def folder_url(root: Path, folder: Path) -> str:
    """The URL of a folder under root, ending in "/": /docs/."""
    relative = folder.relative_to(root).as_posix()
    path = "/" if relative == "." else f"/{relative}/"
    return quote(path, errors="surrogateescape")


class HttpServer:
    def __init__(self, root: Path, timeout: float = IDLE_TIMEOUT) -> None:
        self.root = root
        self.timeout = timeout

    # [start:handle]
    async def handle(self, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        """One connection: what goes wrong ends this client only."""
        try:
            await self.serve_requests(reader, writer)
        except (TimeoutError, ConnectionError) as exc:
            log(NAME, f"client dropped: {exc!r}")
            writer.transport.abort()  # now: unsent bytes and all
        else:
            await close_gently(reader, writer)  # the last reply is read
        finally:
            writer.close()
    # [end:handle]

    # [start:requests]
    async def serve_requests(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        """Answer requests one after another, until one says close."""
        keep_open = True
        while keep_open:
            async with asyncio.timeout(self.timeout):  # the whole head
                head = await read_head(reader)
            if not head:
                return  # the client closed the connection
            try:  # lecture 3's parser, reading from memory
                request = read_request(io.BytesIO(head))
                check_no_body(request)
            except HTTPError as error:  # answer, then close
                await self.send_error(writer, error, "GET", False)
                return
            keep_open = wants_keep_alive(request)
            await self.answer(writer, request, keep_open)
    # [end:requests]

    async def answer(self, writer: asyncio.StreamWriter, request: Request,
                     keep_open: bool) -> None:
        """Send the file, listing or error a checked request asks for."""
        method = request.method
        try:
            local = await asyncio.to_thread(
                resolve, self.root, url_path(request.target))
            if not local.is_dir():
                await self.send_file(writer, local, method, keep_open)
            elif not request.target.partition("?")[0].endswith("/"):
                location = folder_url(self.root, local)
                await self.send(writer, "301 Moved Permanently", b"", method,
                                keep_open, Location=location)
            else:
                page = await asyncio.to_thread(
                    listing, local, url_path(request.target))
                await self.send(writer, "200 OK", page, method, keep_open,
                                content_type="text/html; charset=utf-8")
            log(NAME, f"{method} {request.target}")
        except HTTPError as error:
            log(NAME, f"{method} {request.target}: {error.status}")
            await self.send_error(writer, error, method, keep_open)

    # [start:send_file]
    async def send_file(self, writer: asyncio.StreamWriter, path: Path,
                        method: str, keep_open: bool) -> None:
        """200 OK and the file, a chunk at a time: memory stays small."""
        try:  # opening and reading a file may wait for the disk:
            file = await asyncio.to_thread(path.open, "rb")  # not here
        except OSError as exc:
            raise cannot_read(exc) from None
        with file:
            size = os.fstat(file.fileno()).st_size
            headers = {"Content-Type": content_type(path),
                       "Content-Length": size}
            writer.write(head_bytes("200 OK", headers, keep_open))
            while method == "GET":
                chunk = await asyncio.to_thread(file.read, CHUNK_SIZE)
                if not chunk:
                    break  # the whole file is sent
                writer.write(chunk)
                await self.drain(writer)  # until the client takes it
        await self.drain(writer)
    # [end:send_file]

    async def send(self, writer: asyncio.StreamWriter, status: str,
                   body: bytes, method: str, keep_open: bool,
                   content_type: str = "text/plain; charset=utf-8",
                   **headers: str) -> None:
        """A whole response; for HEAD, the same head without the body."""
        head = head_bytes(status, {"Content-Type": content_type,
                                   "Content-Length": len(body), **headers},
                          keep_open)
        writer.write(head if method == "HEAD" else head + body)
        await self.drain(writer)

    async def send_error(self, writer: asyncio.StreamWriter,
                         error: HTTPError, method: str,
                         keep_open: bool) -> None:
        """The error's status, and a body that says why (as lecture 3)."""
        body = f"{error.status}: {error}\n".encode()
        await self.send(writer, error.status, body, method, keep_open,
                        **error.headers)

    async def drain(self, writer: asyncio.StreamWriter) -> None:
        """Wait until the client has taken most of what we wrote."""
        async with asyncio.timeout(self.timeout):
            await writer.drain()


def check_no_body(request: Request) -> None:
    """GET and HEAD carry no body: one we would not read would be taken
    for the next request on this connection."""
    if "transfer-encoding" in request.headers or request.headers.get(
            "content-length", "0") != "0":
        raise HTTPError(BAD_REQUEST, f"{request.method} takes no body")


def wants_keep_alive(request: Request) -> bool:
    """HTTP/1.1 keeps the connection open, unless the client says close."""
    return (request.version == "HTTP/1.1"
            and request.headers.get("connection", "").lower() != "close")


def cannot_read(error: OSError) -> HTTPError:
    """The error status for a file that would not open."""
    if error.errno in OUT_OF_FILES:  # no file descriptor free just now
        return HTTPError("503 Service Unavailable", "too busy, try again",
                         {"Retry-After": "1"})
    return HTTPError(FORBIDDEN, "cannot read that file")


# [start:start]
async def start(root: Path, host: str = DEFAULT_HOST, port: int = 0,
                timeout: float = IDLE_TIMEOUT,
                connections: Connections | None = None) -> asyncio.Server:
    """Listen on (host, port); each client runs HttpServer.handle."""
    server = HttpServer(root, timeout)
    connections = connections or Connections(NAME)

    async def client_connected(reader, writer):
        with connections.track(writer):
            await server.handle(reader, writer)
    # limit: readuntil() refuses a line longer than this
    return await asyncio.start_server(client_connected, host, port,
                                      limit=MAX_LINE, backlog=1024)
# [end:start]


async def serve(root: Path, host: str, port: int, timeout: float) -> None:
    connections = Connections(NAME)
    server = await start(root, host, port, timeout, connections)
    host, port = server.sockets[0].getsockname()[:2]
    print(f"HTTP server listening on {host}:{port}", flush=True)
    await serve_until_stopped(server, connections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="An HTTP/1.1 file server on an asyncio event loop.")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the folder to serve (default: the current one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free port "
                             "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=IDLE_TIMEOUT,
                        help="seconds a client may stay silent, or not "
                             "read (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder")
    try:
        asyncio.run(serve(args.root, args.host, args.port, args.timeout))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass  # Ctrl-C: serve_until_stopped has closed everything
    return 0


if __name__ == "__main__":
    sys.exit(main())
