"""The Gazette's JSON API: the REST service that lecture 5's clients consume.

    GET  /api/authors?page=N   one page of authors, with a link to the next
    GET  /api/authors/SLUG     one author, or 404 with an error body
    POST /api/authors          add an author (a JSON object)
    GET  /api/flaky            503 twice, then 200: for retries

Every answer is JSON, errors included: ``{"error": "...", "status": 404}``.
The server allows LIMIT requests per WINDOW seconds; past that it answers
429 Too Many Requests with a ``Retry-After`` header.  Bad requests get a
clear status and the server goes on: malformed JSON 400, no length 411,
a body too large 413, not JSON 415, a body that stops short 400, a
client that goes silent is dropped after TIMEOUT seconds.

    python examples/webclients/api_server.py --port 0
    python examples/webclients/api_server.py --limit 5 --window 10
    curl -i http://127.0.0.1:8001/api/authors?page=2
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
TIMEOUT = 10.0  # seconds a client may stay silent before we hang up
PER_PAGE = 3
MAX_BODY = 10_000  # bytes in a POST body
AUTHORS = [
    {"slug": "ada", "name": "Ada Byron", "city": "London"},
    {"slug": "grace", "name": "Grace Brewster", "city": "New York"},
    {"slug": "linus", "name": "Linus Berg", "city": "Helsinki"},
    {"slug": "zoe", "name": "Zoë Martin", "city": "Lyon"},
    {"slug": "ken", "name": "Ken Ito", "city": "Osaka"},
    {"slug": "barbara", "name": "Barbara Lisk", "city": "Boston"},
    {"slug": "guido", "name": "Guido de Vries", "city": "Haarlem"},
]


def log(message: str) -> None:
    print(f"[api] {message}", file=sys.stderr, flush=True)


class ApiError(Exception):
    """An error answer: its status and a message for the client."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


# [start:limiter]
class RateLimiter:
    """At most `limit` requests in each window of `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.started, self.count = time.monotonic(), 0
        self.lock = threading.Lock()

    def wait_needed(self) -> float:
        """0 if this request may go ahead, else seconds to wait."""
        with self.lock:
            now = time.monotonic()
            if now - self.started >= self.window:
                self.started, self.count = now, 0  # a new window
            self.count += 1
            if self.count <= self.limit:
                return 0.0
            return self.window - (now - self.started)
# [end:limiter]


class ApiHandler(BaseHTTPRequestHandler):
    server_version = "GazetteAPI/1.0"

    def do_GET(self) -> None:
        self.answer(self.route_get)

    def do_POST(self) -> None:
        self.answer(self.create_author)

    def answer(self, route) -> None:
        """Run a route; send its result, or the error it raised, as JSON."""
        try:
            self.check_rate()
            status, body, headers = route()
        except ApiError as error:
            status, headers = error.status, error.headers
            body = {"error": str(error), "status": error.status.value}
        self.send_json(status, body, headers)

    def check_rate(self) -> None:
        wait = self.server.limiter.wait_needed()
        if wait:
            seconds = str(max(1, math.ceil(wait)))
            raise ApiError(HTTPStatus.TOO_MANY_REQUESTS,
                           f"rate limit: {self.server.limiter.limit} requests"
                           f" per {self.server.limiter.window:g} s",
                           {"Retry-After": seconds})

    def route_get(self):
        url = urlsplit(self.path)
        if url.path == "/api/authors":
            return self.list_authors(parse_qs(url.query))
        if match := re.fullmatch(r"/api/authors/([a-z0-9-]+)", url.path):
            return self.one_author(match.group(1))
        if url.path == "/api/flaky":
            return self.flaky()
        raise ApiError(HTTPStatus.NOT_FOUND, f"no such endpoint: {url.path}")

    def list_authors(self, query: dict[str, list[str]]):
        authors = self.server.authors
        pages = max(1, math.ceil(len(authors) / PER_PAGE))
        text = query.get("page", ["1"])[0]
        if not text.isdigit() or not 1 <= int(text) <= pages:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"page must be 1 to {pages}, not {text!r}")
        page = int(text)
        chunk = authors[(page - 1) * PER_PAGE:page * PER_PAGE]
        following = f"/api/authors?page={page + 1}" if page < pages else None
        return HTTPStatus.OK, {"page": page, "pages": pages,
                               "authors": chunk, "next": following}, {}

    def one_author(self, slug: str):
        for author in self.server.authors:
            if author["slug"] == slug:
                return HTTPStatus.OK, author, {}
        raise ApiError(HTTPStatus.NOT_FOUND, f"no author {slug!r}")

    def flaky(self):
        with self.server.lock:
            self.server.flaky_calls += 1
            attempt = self.server.flaky_calls
        if attempt % 3:
            raise ApiError(HTTPStatus.SERVICE_UNAVAILABLE, f"attempt {attempt}: try again")
        return HTTPStatus.OK, {"attempt": attempt}, {}

    def read_json_body(self) -> object:
        if self.headers.get_content_type() != "application/json":
            raise ApiError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise ApiError(HTTPStatus.LENGTH_REQUIRED, "a body needs a Content-Length")
        if int(length) > MAX_BODY:
            self.close_connection = True
            raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                           f"body of {length} bytes; at most {MAX_BODY}")
        body = self.rfile.read(int(length))
        if len(body) < int(length):
            raise ApiError(HTTPStatus.BAD_REQUEST,
                           f"body stopped after {len(body)} of {length} bytes")
        try:
            return json.loads(body.decode("utf-8"))  # JSON on the wire is UTF-8
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiError(HTTPStatus.BAD_REQUEST, f"malformed JSON: {error}") from None

    def create_author(self):
        if urlsplit(self.path).path != "/api/authors":
            raise ApiError(HTTPStatus.METHOD_NOT_ALLOWED, f"cannot POST to {self.path}")
        author = self.read_json_body()
        fields = {"slug", "name", "city"}
        if (not isinstance(author, dict) or set(author) != fields
                or not all(isinstance(value, str) for value in author.values())
                or not re.fullmatch(r"[a-z0-9-]+", author["slug"])):
            raise ApiError(HTTPStatus.UNPROCESSABLE_ENTITY,
                           "send an object with the strings slug, name and city")
        with self.server.lock:
            if any(known["slug"] == author["slug"] for known in self.server.authors):
                raise ApiError(HTTPStatus.CONFLICT, f"author {author['slug']!r} exists")
            self.server.authors.append(author)
        return HTTPStatus.CREATED, author, {"Location": f"/api/authors/{author['slug']}"}

    def send_json(self, status: HTTPStatus, body: object, headers: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain=None) -> None:
        """http.server's own errors (400, 414, 431, 501...), as JSON too."""
        status = HTTPStatus(code)
        self.close_connection = True
        self.send_json(status, {"error": message or status.phrase, "status": code}, {})

    def setup(self) -> None:
        self.timeout = self.server.client_timeout  # a silent client is dropped
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: errors are reported through log_error

    def log_error(self, format: str, *args: object) -> None:
        log(format % args)


class ApiServer(ThreadingHTTPServer):
    """The API's state: its authors, its rate limiter, the flaky counter."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], limit: int = 100, window: float = 1.0,
                 client_timeout: float = TIMEOUT):
        self.client_timeout = client_timeout
        self.authors = [dict(author) for author in AUTHORS]
        self.limiter = RateLimiter(limit, window)
        self.lock = threading.Lock()
        self.flaky_calls = 0
        super().__init__(address, ApiHandler)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        log(f"{client_address[0]}:{client_address[1]}: {error!r}")


def make_server(host: str = DEFAULT_HOST, port: int = 0, limit: int = 100,
                window: float = 1.0, client_timeout: float = TIMEOUT) -> ApiServer:
    return ApiServer((host, port), limit, window, client_timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The Gazette's JSON API (lecture 5).")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--limit", type=int, default=100, help="requests per window")
    parser.add_argument("--window", type=float, default=1.0, help="seconds")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"port must be 0-65535, not {args.port}")
    if args.limit < 1 or args.window <= 0:
        parser.error("--limit must be at least 1 and --window more than 0")
    with make_server(args.host, args.port, args.limit, args.window) as server:
        host, port = server.server_address[:2]
        print(f"Gazette API listening on {host}:{port}", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
