"""Lecture 8: the microblog over real HTTP on loopback: serve.py run as a
student runs it (after `flask db upgrade`), and the app in a werkzeug
server in a thread, fed bad input over raw sockets."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest

from tests.net import connect, recv_until_eof, reset_connection
from tests.support import run_example, run_script, script_env
from tests.support_flask import FOLDER, Browser, closing_app, make_app, microblog, served


@pytest.fixture
def app(tmp_path):
    with closing_app(make_app(f"sqlite:///{tmp_path}/microblog.sqlite")) as app:
        yield app


@pytest.fixture
def server(app):
    with served(app) as url:
        yield url


def post_count(app) -> int:
    with app.app_context():
        db = microblog.db
        return db.session.scalar(db.select(db.func.count(microblog.models.Post.id)))


def raw_request(url: str, *chunks: bytes, shut: bool = True) -> bytes:
    """Send chunks on a raw socket, end our side, return the whole reply."""
    host, port = url.removeprefix("http://").split(":")
    with connect((host, int(port))) as sock:
        for chunk in chunks:
            sock.sendall(chunk)
        if shut:
            sock.shutdown(1)
        return recv_until_eof(sock)


# serve.py, as a student runs it ----------------------------------------------------


def test_flask_db_upgrade_then_serve_py_serves_the_blog(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/fresh.sqlite")
    upgrade = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "microblog", "db", "upgrade"],
        cwd=FOLDER, env=script_env(), capture_output=True, text=True, timeout=60,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "fresh.sqlite").is_file()
    with run_example("flask", "serve") as (_, host, port):
        browser = Browser(f"http://{host}:{port}")
        assert "No posts yet." in browser.get("/")
        browser.register("alice")
        status, page = browser.post("/posts", {"body": "served for real"}, token_from="/")
    assert status == 200 and "served for real" in page  # after the redirect


def test_serve_py_explains_itself():
    result = run_script("flask", "serve", "--help")
    assert result.returncode == 0 and "--port" in result.stdout


def test_hello_py_serves_its_routes():
    with run_example("flask", "hello") as (_, host, port):
        with urllib.request.urlopen(f"http://{host}:{port}/add/2/40", timeout=5) as reply:
            assert reply.headers["Content-Type"] == "application/json"
            assert reply.read() == b'{"a":2,"b":40,"sum":42}\n'


def test_hello_py_answers_bad_requests_and_goes_on():
    with run_example("flask", "hello") as (_, host, port):
        url = f"http://{host}:{port}"
        assert b"Error code: 400" in raw_request(url, b"GARBAGE\r\n\r\n")
        assert raw_request(url, b"GET /add/2/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                           shut=False).startswith(b"HTTP/1.1 404 ")
        cut_short = raw_request(
            url,
            b"POST /search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 50\r\n\r\nq=wor",
        )
        assert cut_short.startswith(b"HTTP/1.1 400 ")
        with urllib.request.urlopen(f"{url}/search?q=still+here", timeout=5) as reply:
            assert reply.read() == b'{"method":"GET","words":["still","here"]}\n'


# The whole story over HTTP ---------------------------------------------------------------


def test_register_log_in_and_post_over_http(app, server):
    alice = Browser(server)
    alice.register("alice")
    status, page = alice.post("/posts", {"body": "Hello over HTTP"}, token_from="/")
    assert status == 200 and "Posted." in page
    assert "Hello over HTTP" in Browser(server).get("/")  # anyone sees it
    assert post_count(app) == 1


# Bad input ------------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_413_before_it_is_sent(app, server):
    reply = raw_request(
        server,
        b"POST /posts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 10000000\r\n\r\nbody=x",
        shut=False,
    )
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert post_count(app) == 0


def test_a_truncated_body_is_a_clean_400_and_the_server_goes_on(app, server):
    reply = raw_request(
        server,
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 100\r\n\r\nusername=al",
    )
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert "Log in" in Browser(server).get("/auth/login")


def test_a_connection_reset_mid_body_harms_nobody(app, server):
    host, port = server.removeprefix("http://").split(":")
    sock = connect((host, int(port)))
    sock.sendall(b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nbody=half")
    reset_connection(sock)
    alice = Browser(server)
    alice.register("alice")
    status, _ = alice.post("/posts", {"body": "still here"}, token_from="/")
    assert status == 200 and post_count(app) == 1


@pytest.mark.parametrize(
    "request_bytes, error",
    [
        (b"GARBAGE\r\n\r\n", b"Error code: 400"),  # read as HTTP/0.9: no status line
        (b"GET / HTTP/9.9\r\n\r\n", b"Error code: 505"),  # its reply: no status line
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"HTTP/1.1 414 "),
    ],
    ids=["no-version", "bad-version", "long-line"],
)
def test_a_malformed_request_gets_an_error_status(server, request_bytes, error):
    reply = raw_request(server, request_bytes)
    assert error in reply[:500]
    assert "Latest posts" in Browser(server).get("/")


def test_a_post_without_csrf_token_over_http_is_400(app, server):
    alice = Browser(server)
    alice.register("alice")
    request = urllib.request.Request(f"{server}/posts", data=b"body=forged")
    with pytest.raises(urllib.error.HTTPError) as caught:
        alice.opener.open(request, timeout=5)
    with caught.value as error:
        assert error.code == 400 and b"CSRF token is missing" in error.read()
    assert post_count(app) == 0
