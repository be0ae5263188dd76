"""Helpers for lecture 8's tests (the microblog in examples/flask/).

    import_example(name)       import examples/flask/<name> (a package or module)
    make_app(url)              a microblog on database `url`, migrated to the newest
    closing_app(app)           ... whose engines are closed at the end
    csrf_token(html)           the CSRF token of the first form on a page
    register(client, name)     register and log in through the forms
    served(app)                the app on a real HTTP server on loopback
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.course import EXAMPLES

FOLDER = EXAMPLES / "flask"
PASSWORD = "correct horse battery"


def import_example(name: str):
    """examples/flask/<name>, imported as a student in that folder would."""
    sys.path.insert(0, str(FOLDER))
    saved = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        return importlib.import_module(name)
    finally:
        sys.dont_write_bytecode = saved
        sys.path.remove(str(FOLDER))


microblog = import_example("microblog")
serve = import_example("serve")
# The modules as imported here. The lecture's sessions forget every module
# of examples/flask when they end (conftest.end_lecture), but Flask finds an
# app's templates through sys.modules[import_name]: make_app puts them back.
MODULES = {
    name: module
    for name, module in sys.modules.items()
    if name in ("microblog", "serve") or name.startswith("microblog.")
}


@contextmanager
def closing_app(app) -> Iterator[object]:
    """Yield app; then close its database connections (a pool keeps them)."""
    try:
        yield app
    finally:
        with app.app_context():
            for engine in microblog.db.engines.values():
                engine.dispose()


def make_app(url: str, **config):
    """A microblog on database `url`, with the tables made by the migrations."""
    import flask_migrate

    sys.modules.update(MODULES)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app = microblog.create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url, **config}
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def form_post(client, path: str, data: dict, token_from: str | None = None):
    """Post a form the way a browser does: with the token from its page."""
    page = client.get(token_from or path)
    return client.post(path, data={"csrf_token": csrf_token(page.text), **data})


def register(client, name: str, password: str = PASSWORD, log_in: bool = True):
    response = form_post(client, "/auth/register", {"username": name, "password": password})
    if log_in:
        form_post(client, "/auth/login", {"username": name, "password": password})
    return response


@contextmanager
def served(app) -> Iterator[str]:
    """Serve app on 127.0.0.1 (werkzeug, a thread per request) in a thread;
    yield its base URL. On exit the chat streams end and the server stops."""
    server = serve.make_http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="microblog", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        if "chat_room" in app.extensions:
            app.extensions["chat_room"].close()
        server.shutdown()
        server.server_close()
        thread.join(5)


# Over real HTTP --------------------------------------------------------------


class Browser:
    """A urllib client with cookies: registers, logs in, posts forms
    (with the CSRF token of the page the form is on, as a browser would)."""

    def __init__(self, base_url: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base_url = base_url
        self.chat_token: str | None = None
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=5) as reply:
            return reply.read().decode()

    def post(self, path: str, data: dict, token_from: str | None = None, headers=None):
        """Post a form; return (status, body). HTTP errors are returned too."""
        import urllib.error
        import urllib.parse
        import urllib.request

        token = csrf_token(self.get(token_from or path))
        body = urllib.parse.urlencode({"csrf_token": token, **data}).encode()
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=5) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def register(self, name: str, password: str = PASSWORD) -> None:
        self.post("/auth/register", {"username": name, "password": password})
        self.post("/auth/login", {"username": name, "password": password})
        assert f'<span id="me">{name}</span>' in self.get("/"), f"{name} is not logged in"

    def say(self, text: str) -> int:
        """Send a chat message as the chat page's script does (the token
        from its <meta> tag in an X-CSRFToken header); return the status."""
        import urllib.error
        import urllib.parse
        import urllib.request

        if self.chat_token is None:
            page = self.get("/chat/")
            self.chat_token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        token = self.chat_token
        request = urllib.request.Request(
            self.base_url + "/chat/send",
            data=urllib.parse.urlencode({"text": text}).encode(),
            headers={"X-CSRFToken": token},
        )
        try:
            with self.opener.open(request, timeout=5) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            with error:
                return error.code

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


class EventStream:
    """GET /chat/stream on a raw socket; read server-sent events from it.

    werkzeug's server sends a stream of unknown length in chunks
    (Transfer-Encoding: chunked); this reads the chunks and splits lines.
    """

    def __init__(self, base_url: str, cookie: str, receive_buffer: int | None = None) -> None:
        import socket

        host, port = base_url.removeprefix("http://").split(":")
        self.sock = socket.socket()
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(5)
        try:
            self.sock.connect((host, int(port)))
            self.sock.sendall(
                f"GET /chat/stream HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n\r\n".encode()
            )
        except OSError:
            self.sock.close()
            raise
        self.file = self.sock.makefile("rb")
        self.pending = b""

    def read_head(self) -> str:
        lines = []
        while (line := self.file.readline()) not in (b"\r\n", b""):
            lines.append(line.decode())
        return "".join(lines)

    def readline(self) -> bytes:
        """The next line of the body (b"" at its end), across chunks."""
        while b"\n" not in self.pending:
            size = int(self.file.readline().strip() or b"0", 16)
            if size == 0:
                return b""  # the last chunk (or the connection closed)
            self.pending += self.file.read(size)
            self.file.readline()  # the CRLF after each chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line + b"\n"

    def next_event(self) -> dict:
        """The next data: event, decoded (comments are skipped)."""
        import json

        while line := self.readline():
            if line.startswith(b"data: "):
                assert self.readline() == b"\n", "an event ends with an empty line"
                return json.loads(line[len(b"data: "):])
        raise EOFError("the stream ended")

    def close(self) -> None:
        self.file.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
