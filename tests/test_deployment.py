"""Lecture 12: the microblog under gunicorn, behind nginx, on loopback.

One stack serves this file's tests (starting one takes seconds); tests that
need a stack of their own (a reload, a dead upstream) start it themselves.
Without nginx they skip (apt-get install nginx), except under CI=true.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.net import SOCKET_TIMEOUT, connect, require_command
from tests.support import load_example
from tests.support_deployment import (
    address,
    fetch,
    health,
    raw,
    reply_head,
    slow_clients,
    stack_module,
    started_stack,
)

reload_under_load = load_example("deployment", "reload_under_load")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with started_stack(tmp_path_factory.mktemp("stack"), workers=2) as running:
        yield running


def log_of(stack, name: str) -> str:
    return (stack.folder / name).read_text()


def wait_for_line(path, text: str, timeout: float = 5.0) -> str:
    """The log's contents once text is in it (logs are written a bit later)."""
    deadline = time.monotonic() + timeout
    while text not in (contents := path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return contents


# The stack serves -------------------------------------------------------------


def test_health_check_answers_through_nginx(stack):
    assert health(stack.url)["status"] == "ok"


def test_pages_come_from_the_microblog_through_nginx(stack):
    status, headers, body = fetch(stack.url + "/")
    assert status == 200 and b"No posts yet." in body
    assert headers["Server"].startswith("nginx")


def test_static_files_are_served_by_nginx_alone(stack):
    status, headers, body = fetch(stack.url + "/static/style.css")
    assert status == 200 and headers["Content-Type"] == "text/css"
    assert body == (stack_module.HERE / "static" / "style.css").read_bytes()
    assert "/static/" not in log_of(stack, "gunicorn.log")


def test_a_request_id_is_logged_by_nginx_and_by_the_app(stack):
    _, headers, _ = fetch(stack.url + "/?id-test")
    request_id = headers["X-Request-ID"]
    assert len(request_id) == 32 and headers.get_all("X-Request-ID") == [request_id]
    assert f"id={request_id}" in wait_for_line(stack.folder / "access.log", request_id)
    app_log = wait_for_line(stack.folder / "gunicorn.log", f"id={request_id}")
    assert f"{request_id} GET / -> 200" in app_log  # the app's own logger
    assert f"id={request_id}" in app_log  # gunicorn's access log


# Proxy headers: trusted from the proxy only ----------------------------------


def test_a_forged_forwarded_for_sent_to_nginx_is_not_believed(stack):
    seen = health(stack.url, {"X-Forwarded-For": "203.0.113.9",
                              "X-Forwarded-Proto": "https"})
    # nginx appends the real peer; ProxyFix(x_for=1) takes that one only
    assert seen["client"] == "127.0.0.1" and seen["scheme"] == "http"


def test_the_same_header_sent_straight_to_gunicorn_is_believed(stack):
    # why gunicorn listens on loopback only: whoever reaches it is "the proxy"
    seen = health(stack.app_url, {"X-Forwarded-For": "203.0.113.9"})
    assert seen["client"] == "203.0.113.9"


# Bad input stops at nginx -----------------------------------------------------


def test_an_oversized_body_gets_413_from_nginx(stack):
    reply = reply_head(stack.url, b"POST /posts HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 1000000\r\n\r\n" + b"x" * 1024)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert "POST /posts" not in log_of(stack, "gunicorn.log")


def test_a_malformed_request_gets_400_from_nginx(stack):
    reply = raw(stack.url, b"GARBAGE\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ") and b"400 Bad Request" in reply


def test_a_truncated_request_is_dropped_and_nothing_else_is_hurt(stack):
    raw(stack.url, b"GET / HTTP/1.1\r\nHost: x\r\n")  # the head never ends
    with connect(address(stack.url)) as sock:  # and one that vanishes
        sock.sendall(b"POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\nab")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    assert health(stack.url)["status"] == "ok"


def test_slow_clients_wait_in_nginx_not_in_a_gunicorn_worker(stack):
    # as many slow clients as gunicorn has sync workers (2)
    with slow_clients(stack.url, count=2):
        started = time.monotonic()
        assert health(stack.url)["status"] == "ok"
        assert time.monotonic() - started < 1.0, "a slow client held a worker"


def test_slow_clients_straight_to_gunicorn_hold_its_sync_workers(stack):
    with slow_clients(stack.app_url, count=2):
        with connect(address(stack.app_url)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(1.0)
            with pytest.raises(TimeoutError):
                sock.recv(100)  # both workers are busy with the slow clients
            sock.settimeout(SOCKET_TIMEOUT)
            assert sock.recv(100).startswith(b"HTTP/1.1 200 ")  # once they leave


# Failures and reloads ---------------------------------------------------------


def test_a_dead_upstream_gives_502_with_a_clear_page(tmp_path):
    require_command("nginx")
    with socket.socket() as unused:  # a port where nobody listens
        unused.bind(("127.0.0.1", 0))
        upstream = f"127.0.0.1:{unused.getsockname()[1]}"
        with stack_module.running_nginx(tmp_path, "127.0.0.1", 0, upstream) as (url, _):
            status, headers, body = fetch(url + "/")
    assert status == 502 and headers["Content-Type"] == "text/html"
    assert b"The microblog is restarting" in body


def test_a_graceful_reload_under_load_fails_no_request(tmp_path):
    with started_stack(tmp_path, workers=2) as running:
        result = reload_under_load.reload_under_load(
            running, duration=3.0, reloads=1, connections=4)
    assert result["requests"] > 100 and result["errors"] == 0
    assert result["new_workers"], "SIGHUP did not replace the workers"


def test_the_committed_reload_measurement_lost_nothing():
    result = json.loads(reload_under_load.RESULTS.read_text())
    assert result["errors"] == 0 and result["reloads"] >= 3 and result["new_workers"]
    assert result["requests"] > 1000
