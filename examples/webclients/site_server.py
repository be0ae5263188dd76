"""Serve the Loopback Gazette, the small web site that lecture 5 scrapes.

The site is the folder ``site/`` next to this file: a home page, three
pages of articles linked by "next" links (page 2 is written in ISO-8859-1,
page 3 is broken HTML), an about page, a ``robots.txt`` and a folder that
robots must not visit.  The server is the standard library's
``http.server``, which already answers malformed requests (400), request
lines that are too long (414) and too many headers (431).  We add a
timeout for slow clients, a one-line log of what went wrong, and a list of
the visits, so that tests can check what a crawler asked for.

    python examples/webclients/site_server.py            # on 127.0.0.1:8000
    python examples/webclients/site_server.py --port 0   # any free port
    curl -i http://127.0.0.1:8000/robots.txt
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE = Path(__file__).resolve().parent / "site"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TIMEOUT = 10.0  # seconds a client may stay silent before we hang up


def log(message: str) -> None:
    print(f"[site] {message}", file=sys.stderr, flush=True)


class SiteHandler(SimpleHTTPRequestHandler):
    """Files from the site folder; each visit is noted on the server."""

    server_version = "GazetteSite/1.0"

    def send_response(self, code: int, message: str | None = None) -> None:
        # A request too broken to parse has no path or headers yet.
        headers = getattr(self, "headers", None)
        agent = headers.get("User-Agent", "-") if headers else "-"
        self.server.visits.append((getattr(self, "path", "-"), code, agent))
        super().send_response(code, message)

    def setup(self) -> None:
        self.timeout = self.server.client_timeout  # a silent client is dropped
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the visits list is our log; errors go through log_error

    def log_error(self, format: str, *args: object) -> None:
        log(format % args)


class SiteServer(ThreadingHTTPServer):
    """A threading HTTP server that remembers its visits and survives errors."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path = SITE,
                 client_timeout: float = TIMEOUT) -> None:
        self.client_timeout = client_timeout
        self.visits: list[tuple[str, int, str]] = []  # (path, status, agent)
        super().__init__(address, partial(SiteHandler, directory=str(root)))

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        log(f"{client_address[0]}:{client_address[1]}: {error!r}")


def make_server(host: str = DEFAULT_HOST, port: int = 0, root: Path = SITE,
                client_timeout: float = TIMEOUT) -> SiteServer:
    return SiteServer((host, port), root, client_timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Loopback Gazette (lecture 5).")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--root", type=Path, default=SITE, help="folder to serve")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"port must be 0-65535, not {args.port}")
    with make_server(args.host, args.port, args.root) as server:
        host, port = server.server_address[:2]
        print(f"Gazette site listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
