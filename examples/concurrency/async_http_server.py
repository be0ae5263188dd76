"""An HTTP/1.1 file server on an event loop (asyncio streams).

Lecture 3 builds an HTTP server step by step, serving one client at a
time. This is the same job on an event loop: each connection is a
coroutine, so a thousand slow browsers cost a thousand small objects, not
a thousand threads. It serves the files under a web root:

* GET and HEAD; any other method gets 405 Method Not Allowed;
* 200 with the file and its Content-Type (from the mimetypes module); a
  directory serves its index.html, or else a listing of its files;
* 404 Not Found, 403 Forbidden for a path that escapes the root, 400 Bad
  Request for a request that is not HTTP, 431 for headers too long/many;
* persistent connections: HTTP/1.1 keeps the connection open for the next
  request unless the client says ``Connection: close``;
* a client silent for longer than the timeout is closed.

One rule of event loops shows here: never block the loop. Reading a file
from disk would stop every other client while it lasts, so the file is
read in a worker thread (asyncio.to_thread).

    python examples/concurrency/async_http_server.py --root . --port 8000
    python examples/concurrency/async_http_server.py --help
    curl -v http://127.0.0.1:8000/
"""

from __future__ import annotations

import argparse
import asyncio
import html
import mimetypes
import sys
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8004
MAX_LINE = 8190  # bytes in the request line or one header line
MAX_HEADERS = 100
IDLE_TIMEOUT = 10.0
SERVER_NAME = "course-async-http/1.0"
TEXT_TYPES = ("application/javascript", "application/json")


class BadRequest(Exception):
    """The request cannot be served; args: (status, explanation)."""


def log(message: str) -> None:
    print(f"[http] {message}", file=sys.stderr, flush=True)


# [start:response]
def response(status: HTTPStatus, body: bytes = b"",
             content_type: str = "text/plain; charset=utf-8",
             head_only: bool = False, close: bool = False,
             extra: dict[str, str] | None = None) -> bytes:
    """The bytes of one HTTP/1.1 response: status line, headers, body."""
    headers = {
        "Date": formatdate(usegmt=True),
        "Server": SERVER_NAME,
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        **(extra or {}),
    }
    if close:
        headers["Connection"] = "close"
    head = f"HTTP/1.1 {status.value} {status.phrase}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    return head.encode("latin-1") + (b"" if head_only else body)
# [end:response]


def error_page(status: HTTPStatus, explanation: str) -> bytes:
    return f"{status.value} {status.phrase}: {explanation}\n".encode()


async def read_request(reader: asyncio.StreamReader):
    """(method, target, version, headers) of the next request; None at EOF.

    Raises BadRequest for anything that is not a well-formed request.
    """
    line = await read_line(reader, HTTPStatus.REQUEST_URI_TOO_LONG)
    if line is None:
        return None
    parts = line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(HTTPStatus.BAD_REQUEST, f"not an HTTP request line: {line[:80]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    count = 0
    while line := await read_line(reader, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE):
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"malformed header: {line[:80]!r}")
        count += 1
        if count > MAX_HEADERS:
            raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many headers")
        headers[name.lower()] = value.strip()
    if line is None:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "the headers did not end")
    return method, target, version, headers


async def read_line(reader: asyncio.StreamReader, too_long: HTTPStatus) -> str | None:
    """One line without its CRLF, as text; None at a clean end of stream."""
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise BadRequest(HTTPStatus.BAD_REQUEST, "the request was cut short") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest(too_long, "line too long") from None
    if not raw.isascii():
        raise BadRequest(HTTPStatus.BAD_REQUEST, "the request must be ASCII")
    return raw.decode("ascii").rstrip("\r\n")


# [start:resolve]
def resolve(root: Path, target: str) -> Path:
    """The file a request target names, inside root; or BadRequest."""
    path = unquote(urlsplit(target).path)
    if not path.startswith("/") or "\x00" in path:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "not a path: /...")
    candidate = (root / path.lstrip("/")).resolve()
    if not candidate.is_relative_to(root):
        raise BadRequest(HTTPStatus.FORBIDDEN, "outside the web root")
    if not candidate.exists():
        raise BadRequest(HTTPStatus.NOT_FOUND, f"no file {path}")
    return candidate
# [end:resolve]


def listing(root: Path, directory: Path) -> bytes:
    """A small HTML page linking to the entries of a directory."""
    relative = directory.relative_to(root).as_posix()
    here = "/" if relative == "." else f"/{relative}/"
    items = "".join(
        f'<li><a href="{quote(here + entry.name)}{"/" if entry.is_dir() else ""}">'
        f"{html.escape(entry.name)}</a></li>\n"
        for entry in sorted(directory.iterdir()))
    return (f"<!DOCTYPE html>\n<title>Index of {html.escape(here)}</title>\n"
            f"<h1>Index of {html.escape(here)}</h1>\n<ul>\n{items}</ul>\n").encode()


def guess_content_type(path: Path) -> str:
    """The Content-Type for a file, from its name; text is UTF-8."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in TEXT_TYPES:
        kind += "; charset=utf-8"
    return kind


# [start:serve_file]
async def serve_target(root: Path, target: str, head_only: bool,
                       close: bool) -> bytes:
    """The response for GET/HEAD of target."""
    path = resolve(root, target)
    if path.is_dir() and not (path / "index.html").is_file():
        body = await asyncio.to_thread(listing, root, path)
        kind = "text/html; charset=utf-8"
    else:
        if path.is_dir():
            path = path / "index.html"
        # Reading the disk takes time: not on the loop's thread.
        body = await asyncio.to_thread(path.read_bytes)
        kind = guess_content_type(path)
    return response(HTTPStatus.OK, body, kind, head_only, close)
# [end:serve_file]


class HttpServer:
    def __init__(self, root: Path, timeout: float = IDLE_TIMEOUT) -> None:
        self.root = root.resolve()
        self.timeout = timeout

    # [start:requests]
    async def serve_requests(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        """Answer requests one after another, until one says close."""
        keep_open = True
        while keep_open:
            async with asyncio.timeout(self.timeout):
                request = await read_request(reader)
            if request is None:
                return  # the client closed the connection
            reply, keep_open = await self.answer(*request)
            writer.write(reply)
            async with asyncio.timeout(self.timeout):
                await writer.drain()
    # [end:requests]

    # [start:handle]
    async def handle(self, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        """One connection: what goes wrong ends this client only."""
        try:
            await self.serve_requests(reader, writer)
        except BadRequest as bad:
            status, explanation = bad.args
            log(f"{status.value}: {explanation}")
            page = error_page(status, explanation)
            writer.write(response(status, page, close=True))
        except (TimeoutError, ConnectionError) as exc:
            log(f"client dropped: {exc!r}")
        finally:
            writer.close()
    # [end:handle]

    async def answer(self, method, target, version, headers) -> tuple[bytes, bool]:
        """(response bytes, keep the connection open?) for one request."""
        close = (version == "HTTP/1.0"
                 or headers.get("connection", "").lower() == "close")
        if method not in ("GET", "HEAD"):
            status = HTTPStatus.METHOD_NOT_ALLOWED
            return response(status, error_page(status, method), close=True,
                            extra={"Allow": "GET, HEAD"}), False
        if "content-length" in headers or "transfer-encoding" in headers:
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"{method} takes no body")
        try:
            reply = await serve_target(self.root, target, method == "HEAD", close)
        except BadRequest as bad:
            status, explanation = bad.args
            reply = response(status, error_page(status, explanation),
                             head_only=method == "HEAD", close=close)
        except OSError as exc:  # unreadable file
            status = HTTPStatus.FORBIDDEN
            reply = response(status, error_page(status, exc.strerror or "cannot read"),
                             close=close)
        log(f"{method} {target} {reply[9:12].decode()}")
        return reply, not close


async def start(root: Path, host: str = DEFAULT_HOST, port: int = 0,
                timeout: float = IDLE_TIMEOUT) -> asyncio.Server:
    server = HttpServer(root, timeout)
    return await asyncio.start_server(server.handle, host, port,
                                      limit=MAX_LINE, backlog=1024)


async def serve(root: Path, host: str, port: int, timeout: float) -> None:
    server = await start(root, host, port, timeout)
    async with server:
        host, port = server.sockets[0].getsockname()[:2]
        print(f"HTTP server listening on {host}:{port}", flush=True)
        await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="An HTTP/1.1 file server on an asyncio event loop.")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the folder to serve (default: the current one)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="port to listen on, 0 for any free port "
                             "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=IDLE_TIMEOUT,
                        help="seconds a client may stay silent "
                             "(default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a folder")
    try:
        asyncio.run(serve(args.root, args.host, args.port, args.timeout))
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        log("Ctrl-C: shutting down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
