"""HTTP server, step 5: list the contents of folders.

A request for a folder gets an HTML page that links to everything in it,
like the listing a browser shows for file:// URLs. Two details matter:

* The links are relative ("notes.txt"), so the folder's own URL must end
  in "/": /docs is redirected (301 Moved Permanently) to /docs/ first.
  The new URL has one slash between names: a browser reads "//docs/" as
  a link to another computer, called "docs".
* File names go into HTML and into URLs, so they are escaped for each:
  html.escape for the text, urllib.parse.quote for the link.

This is the complete server of the lecture:

    python examples/protocols/http_step5.py --port 0 --root some/folder

then open http://127.0.0.1:PORT/ in a browser. Without --root it serves
examples/protocols/www, the folder of the lecture's sessions.
"""

from __future__ import annotations

import html
import re
import socket
import sys
from functools import partial
from pathlib import Path
from urllib.parse import quote

from http_step1 import command_line, run
from http_step2 import Request
from http_step3 import HTTPError, receive, respond, send_error
from http_step4 import WEB_ROOT, resolve, send_file, url_path


# [start:listing]
def listing(folder: Path, path: str) -> bytes:
    """An HTML page that links to each entry of folder (at path)."""
    names = sorted(entry.name + ("/" if entry.is_dir() else "")
                   for entry in folder.iterdir())
    if path != "/":
        names.insert(0, "../")
    items = [f'<li><a href="{quote(name, errors="surrogateescape")}">'
             f"{html.escape(name)}</a></li>" for name in names]
    title = html.escape(f"Index of {path}")
    return "\n".join(
        ["<!DOCTYPE html>", '<meta charset="utf-8">',
         f"<title>{title}</title>", f"<h1>{title}</h1>", "<ul>",
         *items, "</ul>", ""]).encode("utf-8", "replace")
# [end:listing]


# [start:send_path]
def send_path(conn: socket.socket, request: Request,
              root: Path) -> None:
    """Step 4's send_path, now with folders."""
    head_only = request.method == "HEAD"
    try:
        local = resolve(root, url_path(request.target))
        if local.is_dir():
            send_folder(conn, local, request.target, head_only)
        else:
            send_file(conn, local, head_only)
    except HTTPError as error:
        send_error(conn, error, head_only)
# [end:send_path]


# [start:send_folder]
def send_folder(conn: socket.socket, folder: Path, target: str,
                head_only: bool) -> None:
    """A folder's URL must end in "/"; then it gets a listing."""
    raw_path = target.partition("?")[0]
    # One slash at the end, and one between names: "//docs" -> "/docs/"
    folder_url = re.sub("/+", "/", raw_path + "/")
    if raw_path != folder_url:
        respond(conn, "301 Moved Permanently", b"",
                headers={"Location": folder_url}, head_only=head_only)
    else:
        page = listing(folder, url_path(target))
        respond(conn, "200 OK", page, "text/html; charset=utf-8",
                head_only=head_only)
# [end:send_folder]


def handle_client(conn: socket.socket, root: Path) -> None:
    if request := receive(conn):
        send_path(conn, request, root)


def main(argv: list[str] | None = None) -> int:
    args = command_line("HTTP step 5: files and folder listings.", argv,
                        with_root=True, default_root=str(WEB_ROOT))
    root = Path(args.root)
    if not root.is_dir():
        print(f"not a folder: {root}", file=sys.stderr)
        return 1
    return run(args, partial(handle_client, root=root))


if __name__ == "__main__":
    sys.exit(main())
