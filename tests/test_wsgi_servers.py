"""Lecture 7's applications over real HTTP on loopback: under wsgiref and
under waitress (examples/wsgi/serve.py, run as a student would), and the
CGI launcher with its scripts.

The same requests get the same answers in process (WebTest) and from both
servers. Bad input over raw sockets (a malformed request line, a body
over the limit, a Content-Length that lies, a body cut short, a client
that vanishes) gets a clear answer, and the server goes on serving.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import time
from base64 import b64encode
from contextlib import contextmanager

import pytest
from webtest import TestApp

from tests.support import (
    connect,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
    start_example,
)

serve = load_example("wsgi", "serve")
rest_api = load_example("wsgi", "rest_api")

SERVERS = ["wsgiref", "waitress"]
COMPARED_HEADERS = ("Content-Type", "Content-Length", "Location", "Allow", "WWW-Authenticate")


@contextmanager
def served(server: str, app: str, *options: str):
    """(host, port) of `serve.py APP --server SERVER` running in a child."""
    with run_example("wsgi", "serve", app, "--server", server, *options) as (_, host, port):
        yield host, port


def http_exchange(address, method, path, headers=None, body=b""):
    """(status line, compared headers, body) of one request over HTTP."""
    connection = http.client.HTTPConnection(*address, timeout=5)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        kept = {name: response.headers[name] for name in COMPARED_HEADERS
                if name in response.headers}
        return f"{response.status} {response.reason}", kept, data
    finally:
        connection.close()


def webtest_exchange(app, method, path, headers=None, body=b""):
    response = app.request(path, method=method, headers=headers or {}, body=body,
                           expect_errors=True)
    kept = {name: response.headers[name] for name in COMPARED_HEADERS
            if name in response.headers}
    return response.status, kept, response.body


JSON = {"Content-Type": "application/json"}
REST_SCRIPT = [
    ("GET", "/books", {}, b""),
    ("POST", "/books", JSON, b'{"title": "Dune", "author": "Frank Herbert"}'),
    ("POST", "/books", {"Content-Type": "text/plain"}, b"Dune"),
    ("POST", "/books", JSON, b'{"title": "Dune",'),
    ("POST", "/books", JSON, b'{"title": ""}'),
    ("GET", "/books/1", {}, b""),
    ("PUT", "/books/1", JSON, b'{"title": "Dune Messiah", "author": "F. H."}'),
    ("DELETE", "/books", {}, b""),
    ("GET", "/books", {}, b""),
    ("DELETE", "/books/1", {}, b""),
    ("GET", "/books/1", {}, b""),
    ("PATCH", "/nothing", {}, b""),
]
BOOKDB_SCRIPT = [
    ("GET", "/", {}, b""),
    ("GET", "/books/2", {}, b""),
    ("GET", "/books/99", {}, b""),
    ("POST", "/books/2", {}, b""),
]


def run_script_over(target, script):
    if isinstance(target, TestApp):
        return [webtest_exchange(target, *request) for request in script]
    return [http_exchange(target, *request) for request in script]


def test_rest_script_gets_the_expected_answers_in_process():
    answers = run_script_over(TestApp(rest_api.make_app()), REST_SCRIPT)
    assert [status for status, _, _ in answers] == [
        "200 OK", "201 Created", "415 Unsupported Media Type", "400 Bad Request",
        "422 Unprocessable Content", "200 OK", "200 OK", "405 Method Not Allowed",
        "200 OK", "204 No Content", "404 Not Found", "404 Not Found",
    ]
    assert answers[1][1]["Location"] == "/books/1"
    assert answers[7][1]["Allow"] == "GET, HEAD, POST"
    assert json.loads(answers[8][2]) == [
        {"id": 1, "title": "Dune Messiah", "author": "F. H."}]
    assert answers[9][2] == b""


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(("app", "script"), [("rest_api", REST_SCRIPT),
                                             ("bookdb", BOOKDB_SCRIPT)])
def test_server_gives_the_same_answers_as_webtest(server, app, script):
    expected = run_script_over(TestApp(serve.make_application(app)), script)
    with served(server, app) as address:
        answers = run_script_over(address, script)
    for request, answer, wanted in zip(script, answers, expected, strict=True):
        if answer[0] == "204 No Content":  # wsgiref adds Content-Length: 0
            answer[1].pop("Content-Length", None)
        assert answer == wanted, request


def basic(user, password):
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("server", SERVERS)
def test_protected_api_needs_a_login_and_compresses(server):
    login = {"Authorization": basic("student", "secret")}
    with served(server, "protected") as address:
        refused = http_exchange(address, "GET", "/books")
        for number in range(10):
            book = json.dumps({"title": f"Book {number}", "author": "A"}).encode()
            http_exchange(address, "POST", "/books", {**JSON, **login}, book)
        status, headers, body = http_exchange(
            address, "GET", "/books", {**login, "Accept-Encoding": "gzip"})
    assert refused[0] == "401 Unauthorized"
    assert refused[1]["WWW-Authenticate"].startswith('Basic realm="course"')
    assert status == "200 OK"
    assert int(headers["Content-Length"]) == len(body)
    assert len(json.loads(gzip.decompress(body))) == 10


def test_serve_logs_each_request_of_the_protected_api():
    with start_example("wsgi", "serve", "protected", "--port", "0") as (_, address, output):
        host, _, port = address.rpartition(":")
        http_exchange((host, int(port)), "GET", "/books")
        time.sleep(0.2)  # the log line follows the response
    assert re.search(r"^GET /books 401 \d+\.\d ms$", output.stderr, re.MULTILINE)


def test_serve_explains_itself_with_help():
    result = run_script("wsgi", "serve", "--help")
    assert result.returncode == 0 and "--server {wsgiref,waitress}" in result.stdout


# Raw sockets: what the servers do with bad input ----------------------------------

def raw_exchange(address, request: bytes) -> bytes:
    with connect(address) as client:
        client.sendall(request)
        return recv_until_eof(client)


def status_of(reply: bytes) -> str:
    return reply.split(b"\r\n", 1)[0].decode()


def still_serving(address) -> bool:
    return http_exchange(address, "GET", "/books")[0] == "200 OK"


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("request_line", [b"HELLO", b"GET", b"GET /books HTTP/9.9.9",
                                          b"GET /books HTTP/1.1 extra"])
def test_a_malformed_request_line_gets_400(server, request_line):
    with served(server, "rest_api") as address:
        reply = raw_exchange(address, request_line + b"\r\nHost: x\r\n\r\n")
        assert still_serving(address)
    if server == "waitress":
        assert re.fullmatch(r"HTTP/1\.[01] 400 Bad Request", status_of(reply))
    else:  # http.server answers a request it cannot read as HTTP/0.9 would:
        # an HTML page, without a status line or headers
        assert reply.startswith(b"<!DOCTYPE HTML>")
        assert b"Error code: 400" in reply


@pytest.mark.parametrize("server", SERVERS)
def test_a_content_length_over_the_limit_gets_413_before_the_body(server):
    head = (b"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\nConnection: close\r\n\r\n")
    with served(server, "rest_api") as address:
        reply = raw_exchange(address, head)  # and not one byte of the body
        assert still_serving(address)
    assert status_of(reply).startswith("HTTP/1.")
    assert status_of(reply).split(" ", 2)[1] == "413"


@pytest.mark.parametrize("server", SERVERS)
def test_a_body_cut_short_by_the_client_is_not_processed(server):
    head = (b"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n")
    with served(server, "rest_api") as address:
        with connect(address) as client:
            client.sendall(head + b'{"title": "Du')
            client.shutdown(socket.SHUT_WR)  # the rest never comes
            reply = recv_until_eof(client)
        books = http_exchange(address, "GET", "/books")
    if server == "wsgiref":  # the app reads what there is and says so
        assert status_of(reply) == "HTTP/1.0 400 Bad Request"
        assert reply.endswith(b'{"error": "the body is shorter than its Content-Length"}\n')
    else:  # waitress waits for the whole body before calling the app
        assert reply == b""
    assert books[2] == b"[]\n"  # nothing was stored


@pytest.mark.parametrize("server", SERVERS)
def test_a_body_that_stops_coming_times_out_and_others_are_served(server):
    head = (b"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n")
    with served(server, "rest_api", "--timeout", "1") as address:
        with connect(address) as client:
            client.sendall(head + b'{"title": "Du')
            served_meanwhile = still_serving(address)
            started = time.monotonic()
            reply = recv_until_eof(client)
            waited = time.monotonic() - started
    assert served_meanwhile
    assert waited < 4
    if server == "wsgiref":
        assert status_of(reply) == "HTTP/1.0 408 Request Timeout"
    else:
        assert reply == b""  # waitress closes an idle channel


@pytest.mark.parametrize("server", SERVERS)
def test_clients_that_vanish_do_not_stop_the_server(server):
    with served(server, "rest_api") as address:
        half = connect(address)
        half.sendall(b"GET /books HTT")
        reset_connection(half)  # mid request line
        rude = connect(address)
        rude.sendall(b"POST /books HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 5\r\n\r\n{\"ti")
        reset_connection(rude)  # mid body
        early = connect(address)
        early.sendall(b"GET /books HTTP/1.1\r\nHost: x\r\n\r\n")
        reset_connection(early)  # before reading the answer
        time.sleep(0.2)
        assert still_serving(address)


@pytest.mark.parametrize("server", SERVERS)
def test_both_servers_send_the_apps_body_even_to_head(server):
    # HTTP forbids a body in the answer to HEAD; neither server removes
    # it: the application must (the lab's head_middleware).
    with served(server, "bookdb") as address:
        reply = raw_exchange(address, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Content-Length: 366" in head
    assert body.startswith(b"<!DOCTYPE html>") and len(body) == 366
