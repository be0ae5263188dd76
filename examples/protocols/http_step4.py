"""HTTP server, step 4: serve files from a web root, with their MIME types.

The target of a request now names a file under a folder, the *web root*:
GET /images/logo.png sends ROOT/images/logo.png, with the Content-Type
that its name suggests (module mimetypes) and its exact length. A path
that names nothing is 404 Not Found. A path that would lead out of the
web root is 403 Forbidden, however it is spelled: "..", "%2e%2e", or a
symbolic link that points outside. Folders come in step 5 (403 here).

    python examples/protocols/http_step4.py --port 0 --root some/folder
    curl -O http://127.0.0.1:PORT/picture.png

Without --root it serves examples/protocols/www, the folder the lecture's
sessions use (its "shortcut" is a link to a file outside it).
"""

from __future__ import annotations

import mimetypes
import os
import socket
import sys
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from http_step1 import command_line, run
from http_step2 import Request
from http_step3 import (BAD_REQUEST, HTTPError, receive, send_error,
                        send_head)

FORBIDDEN = "403 Forbidden"
NOT_FOUND = "404 Not Found"
# Python's own table, not the machine's (/etc/mime.types, the registry):
# the same answers on every computer.
MIME_TYPES = mimetypes.MimeTypes()
# The lecture's web root, next to this file.
WEB_ROOT = Path(__file__).resolve().parent / "www"


# [start:url_path]
def url_path(target: str) -> str:
    """The decoded path of a target: "/a%20b.txt?x=1" -> "/a b.txt"."""
    path = target.partition("?")[0]
    try:
        path = unquote(path, errors="strict")  # %XX escapes, UTF-8
    except UnicodeDecodeError:
        raise HTTPError(BAD_REQUEST, "not UTF-8") from None
    if "\0" in path or "\\" in path:
        raise HTTPError(BAD_REQUEST, "NUL or backslash in the path")
    return path
# [end:url_path]


# [start:resolve]
def resolve(root: Path, path: str) -> Path:
    """The file or folder that a decoded URL path names under root."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise HTTPError(FORBIDDEN, "'..' may not appear in a path")
    local = root.joinpath(*parts)  # "//etc/passwd": root/etc/passwd
    try:
        if not is_inside(local, root):
            raise HTTPError(FORBIDDEN, "outside the web root")
        if local.is_file() or local.is_dir():
            return local
    except (OSError, RuntimeError):  # name too long, link loop...
        pass
    raise HTTPError(NOT_FOUND, f"nothing at {path}")
# [end:resolve]


# [start:is_inside]
def is_inside(local: Path, root: Path) -> bool:
    """Is local inside root, once symbolic links are followed?"""
    return local.resolve().is_relative_to(root.resolve())
# [end:is_inside]


# [start:content_type]
def content_type(path: Path) -> str:
    """The MIME type for a file's name; text is sent as UTF-8."""
    mime_type, _ = MIME_TYPES.guess_type(path.name)
    if mime_type is None:
        return "application/octet-stream"  # "some bytes"
    if mime_type.startswith("text/"):
        return f"{mime_type}; charset=utf-8"
    return mime_type
# [end:content_type]


# [start:send_file]
def send_file(conn: socket.socket, path: Path,
              head_only: bool) -> None:
    """200 OK with the file's type and length, then its bytes."""
    try:
        file = path.open("rb")
    except OSError:  # no permission to read it, for instance
        raise HTTPError(FORBIDDEN, "cannot read that file") from None
    with file:
        size = os.fstat(file.fileno()).st_size
        send_head(conn, "200 OK", {"Content-Type": content_type(path),
                                   "Content-Length": size})
        if not head_only:
            conn.sendfile(file, count=size)  # the kernel copies
# [end:send_file]


# [start:send_path]
def send_path(conn: socket.socket, request: Request,
              root: Path) -> None:
    """Answer a checked request with the file it names."""
    head_only = request.method == "HEAD"
    try:
        local = resolve(root, url_path(request.target))
        if local.is_dir():
            raise HTTPError(FORBIDDEN, "folders come in step 5")
        send_file(conn, local, head_only)
    except HTTPError as error:
        send_error(conn, error, head_only)
# [end:send_path]


def handle_client(conn: socket.socket, root: Path) -> None:
    if request := receive(conn):
        send_path(conn, request, root)


def main(argv: list[str] | None = None) -> int:
    args = command_line("HTTP step 4: serve the files of a folder.", argv,
                        with_root=True, default_root=str(WEB_ROOT))
    root = Path(args.root)
    if not root.is_dir():
        print(f"not a folder: {root}", file=sys.stderr)
        return 1
    return run(args, partial(handle_client, root=root))


if __name__ == "__main__":
    sys.exit(main())
