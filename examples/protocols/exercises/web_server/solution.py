"""Assignment: build a web server (reference solution).

A web server that serves the files under a folder, the *web root*:

* GET /path sends the file root/path with its MIME type and exact
  length; HEAD sends the same head without the body.
* A folder is answered with its index.html if it has one, otherwise with
  an HTML listing that links to each entry (folders end in "/").
* A folder asked for without its final "/" is redirected there (given).
* Nothing outside the web root is ever sent: "..", in any spelling, and
  symbolic links that lead out are 403 Forbidden.
* A path that names nothing is 404 Not Found.

The front end is given: it reads and checks requests (as in the lab) and
sends the Response a handler returns. Your part, the three handlers:

    resolve(root, path)            the Path that a decoded URL path names
    file_response(path)            the Response for a file
    folder_response(folder, path)  the Response for a folder

    python solution.py --root some/folder --port 0
"""

from __future__ import annotations

import argparse
import html
import io
import mimetypes
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
MAX_LINE = 8192
MAX_HEADERS = 100
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
MIME_TYPES = mimetypes.MimeTypes()  # Python's table, the same everywhere
BACKLOG = 1024  # clients the kernel queues while we serve one


class HTTPError(Exception):
    """Raise HTTPError("404 Not Found", "why") to answer with an error."""

    def __init__(self, status: str, reason: str = "",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.headers = headers or {}


@dataclass
class Response:
    """What a handler returns; the front end sends it."""

    status: str = "200 OK"
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


# Your part: the handlers ---------------------------------------------------------

def resolve(root: Path, path: str) -> Path:
    """The file or folder under root that the decoded URL path names.

    Raise HTTPError("403 Forbidden") if the path contains ".." or leads
    out of root once symbolic links are followed (Path.resolve), and
    HTTPError("404 Not Found") if it names no file or folder."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise HTTPError("403 Forbidden", "'..' in a path")
    local = root.joinpath(*parts)
    try:
        if not local.resolve().is_relative_to(root.resolve()):
            raise HTTPError("403 Forbidden", "outside the web root")
        if local.is_file() or local.is_dir():
            return local
    except (OSError, RuntimeError):  # a name too long, a loop of links
        pass
    raise HTTPError("404 Not Found", f"nothing at {path}")


def file_response(path: Path) -> Response:
    """200 OK with the file's bytes and its MIME type (from MIME_TYPES;
    text types with "; charset=utf-8"; unknown: application/octet-stream).
    A file that cannot be read is 403 Forbidden."""
    try:
        body = path.read_bytes()
    except OSError:
        raise HTTPError("403 Forbidden", "cannot read that file") from None
    mime_type = MIME_TYPES.guess_type(path.name)[0] or "application/octet-stream"
    if mime_type.startswith("text/"):
        mime_type += "; charset=utf-8"
    return Response("200 OK", body, mime_type)


def folder_response(folder: Path, path: str) -> Response:
    """The folder's index.html if it has one; else an HTML listing titled
    "Index of PATH" with one link per entry, sorted by name, folders
    ending in "/", and a "../" link except at the root. Names are
    escaped for HTML (html.escape) and for links (urllib.parse.quote)."""
    index = folder / "index.html"
    if index.is_file():
        return file_response(index)
    names = sorted(entry.name + ("/" if entry.is_dir() else "")
                   for entry in folder.iterdir())
    if path != "/":
        names.insert(0, "../")
    title = html.escape(f"Index of {path}")
    lines = ["<!DOCTYPE html>", '<meta charset="utf-8">',
             f"<title>{title}</title>", f"<h1>{title}</h1>", "<ul>"]
    lines += [f'<li><a href="{quote(name, errors="surrogateescape")}">'
              f"{html.escape(name)}</a></li>" for name in names]
    lines += ["</ul>", ""]
    body = "\n".join(lines).encode("utf-8", "replace")
    return Response("200 OK", body, "text/html; charset=utf-8")


# Given: from a request target to a handler -----------------------------------------

def route(target: str, root: Path) -> Response:
    """Decode the target's path and call the handler that serves it."""
    raw_path = target.partition("?")[0]
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        raise HTTPError("400 Bad Request", "escapes that are not UTF-8") from None
    if "\0" in path or "\\" in path:
        raise HTTPError("400 Bad Request", "NUL or backslash in the path")
    local = resolve(root, path)
    # A folder's URL ends in "/", with one "/" between names: a browser
    # would read "//docs/" as a link to another computer, called "docs".
    folder_url = re.sub("/+", "/", raw_path + "/")
    if local.is_dir() and raw_path != folder_url:
        return Response("301 Moved Permanently",
                        headers={"Location": folder_url})
    if local.is_dir():
        return folder_response(local, path)
    return file_response(local)


# Given: the front end ----------------------------------------------------------------

class Deadline(io.RawIOBase):
    """The reading side of a socket, with one deadline for everything
    read through it: each recv waits only for the time that is left."""

    def __init__(self, conn: socket.socket, seconds: float) -> None:
        self.conn = conn
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        timeout = self.conn.gettimeout()
        self.conn.settimeout(left)
        try:
            return self.conn.recv_into(buffer)
        finally:
            self.conn.settimeout(timeout)  # as it was, for sending


def open_request(conn: socket.socket) -> BinaryIO:
    """A file to read a request head from: the socket's timeout becomes a
    deadline for the whole head, however slowly its bytes trickle in."""
    return io.BufferedReader(Deadline(conn, conn.gettimeout() or 10.0))


def read_line(reader, too_long: str) -> str:
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise HTTPError(too_long, f"lines are limited to {MAX_LINE} bytes")
    if not line.endswith(b"\n"):
        raise ConnectionError("the client left in the middle of a request")
    return line.decode("latin-1").removesuffix("\n").removesuffix("\r")


def read_request(reader) -> tuple[str, str]:
    """Read and check a request head; return (method, target)."""
    parts = read_line(reader, "414 URI Too Long").split(" ")
    if len(parts) != 3 or not TOKEN.fullmatch(parts[0]) \
            or not re.fullmatch(r"HTTP/[0-9]\.[0-9]", parts[2]) \
            or not parts[1].startswith("/") or not parts[1].isascii() \
            or not parts[1].isprintable():
        raise HTTPError("400 Bad Request", "malformed request line")
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise HTTPError("505 HTTP Version Not Supported", version)
    if method not in ("GET", "HEAD"):
        raise HTTPError("405 Method Not Allowed", method, {"Allow": "GET, HEAD"})
    names = set()
    for _ in range(MAX_HEADERS + 1):
        if not (line := read_line(reader, "431 Request Header Fields Too Large")):
            break
        name, colon, _ = line.partition(":")
        if not colon or not TOKEN.fullmatch(name):
            raise HTTPError("400 Bad Request", "malformed header line")
        names.add(name.lower())
    else:
        raise HTTPError("431 Request Header Fields Too Large", "too many")
    if version == "HTTP/1.1" and "host" not in names:
        raise HTTPError("400 Bad Request", "HTTP/1.1 requires a Host header")
    return method, target


def send(conn: socket.socket, response: Response, head_only: bool) -> None:
    lines = [f"HTTP/1.1 {response.status}",
             f"Content-Type: {response.content_type}",
             f"Content-Length: {len(response.body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in response.headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    conn.sendall(head if head_only else head + response.body)


def error_response(error: HTTPError) -> Response:
    return Response(error.status, f"{error.status}: {error}\n".encode(),
                    headers=error.headers)


def handle_client(conn: socket.socket, root: Path) -> None:
    """Read one request, route it, send the response (500 on a bug)."""
    method = "GET"
    try:
        with open_request(conn) as reader:
            method, target = read_request(reader)
        response = route(target, root)
    except HTTPError as error:
        response = error_response(error)
    except TimeoutError:
        response = Response("408 Request Timeout", b"408: too slow\n")
    except (ConnectionError, ValueError):
        raise  # the client is gone: nobody to answer
    except Exception as exc:  # a bug, or a TODO: the server goes on
        log(f"server error: {exc!r}")
        response = Response("500 Internal Server Error", f"500: {exc!r}\n".encode())
    send(conn, response, head_only=method == "HEAD")


def close_gently(conn: socket.socket) -> None:
    """Stop sending; drop what the client still sends, for up to 1 s."""
    deadline = time.monotonic() + 1.0  # however much it sends
    try:
        conn.shutdown(socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            if not conn.recv(65536):
                break  # the client closed too
    except OSError:
        pass


def log(message: str) -> None:
    print(f"[web server] {message}", file=sys.stderr, flush=True)


def make_server(host: str = DEFAULT_HOST, port: int = 0) -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(BACKLOG)
    except OSError:
        server.close()
        raise
    return server


def serve(server: socket.socket, root: Path, max_clients: int | None = None,
          timeout: float = 10.0) -> None:
    served = 0
    while max_clients is None or served < max_clients:
        conn, address = server.accept()
        with conn:
            conn.settimeout(timeout)
            try:
                handle_client(conn, root)
            except (OSError, ValueError) as exc:
                log(f"{address}: {exc!r}")
            close_gently(conn)
        served += 1


def port_number(text: str) -> int:
    """An argparse type: a TCP port number, 0 to 65535 (0: any free port)."""
    if not (text.isascii() and text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number, 0 to 65535")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A web server for a folder.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help="port, 0 for any free port (default: %(default)s)")
    parser.add_argument("--root", default=".", help="the folder to serve")
    args = parser.parse_args(argv)
    root = Path(args.root)
    if not root.is_dir():
        print(f"not a folder: {root}", file=sys.stderr)
        return 1
    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        host, port = server.getsockname()
        print(f"Web server listening on {host}:{port}", flush=True)
        try:
            serve(server, root)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
