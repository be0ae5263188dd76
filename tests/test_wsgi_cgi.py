"""Lecture 7's CGI part: cgi_launcher.py running the scripts of
examples/wsgi/cgi-bin/ as a new process per request, over real HTTP;
bad input to the launcher over raw sockets; and the cost script, run
once on a few requests (its timings are not checked: they are the
machine's, see results/)."""

from __future__ import annotations

import http.client
import re
import socket
import time

import pytest

from tests.support import connect, recv_until_eof, reset_connection, run_example, run_script


@pytest.fixture(scope="module")
def launcher():
    from tests.guards import allow_long_lived

    with run_example("wsgi", "cgi_launcher") as (process, host, port):
        allow_long_lived(pids=[process.pid])
        yield host, port


def get(address, path, method="GET", body=None, headers=None):
    connection = http.client.HTTPConnection(*address, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def raw(address, request: bytes) -> bytes:
    with connect(address, timeout=10) as client:
        client.sendall(request)
        return recv_until_eof(client)


def test_hello_script_answers_a_query_string_escaped(launcher):
    assert get(launcher, "/cgi-bin/hello.py?name=%3Ci%3EAda") == (
        200, "text/html; charset=utf-8", b"<p>Hello, &lt;i&gt;Ada!</p>\n")


def test_hello_script_reads_a_posted_form_from_stdin(launcher):
    status, _, body = get(launcher, "/cgi-bin/hello.py", "POST", b"name=Grace",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, body) == (200, b"<p>Hello, Grace!</p>\n")


def test_environ_script_sees_the_cgi_variables(launcher):
    _, content_type, body = get(launcher, "/cgi-bin/environ.py/extra/path?a=1&b=2",
                                headers={"User-Agent": "course-test"})
    lines = body.decode().splitlines()
    assert content_type == "text/plain; charset=utf-8"
    for expected in ["GATEWAY_INTERFACE=CGI/1.1", "REQUEST_METHOD=GET",
                     "SCRIPT_NAME=/cgi-bin/environ.py", "PATH_INFO=/extra/path",
                     "QUERY_STRING=a=1&b=2", "HTTP_USER_AGENT=course-test",
                     f"SERVER_PORT={launcher[1]}", "REMOTE_ADDR=127.0.0.1"]:
        assert expected in lines
    assert not any(line.startswith("PATH=") for line in lines)


def test_every_request_runs_a_new_process(launcher):
    pids = {get(launcher, "/cgi-bin/environ.py")[2].split(b"\n")[0] for _ in range(3)}
    assert len(pids) == 3


def test_a_wsgi_app_runs_as_cgi_through_cgihandler(launcher):
    status, content_type, body = get(launcher, "/cgi-bin/books.py/books/2")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert b"<h1>Python &amp; XML</h1>" in body
    listing = get(launcher, "/cgi-bin/books.py/")[2]
    assert b'<a href="/cgi-bin/books.py/books/1">Fluent Python</a>' in listing
    assert get(launcher, "/cgi-bin/books.py/books/99")[0] == 404


@pytest.mark.parametrize("path", ["/cgi-bin/nothing.py", "/cgi-bin/../cgi_launcher.py",
                                  "/cgi-bin/%2e%2e/serve.py", "/hello.py", "/"])
def test_only_existing_scripts_in_cgi_bin_run(launcher, path):
    assert get(launcher, path)[0] == 404


def test_a_script_without_the_empty_line_is_a_502(launcher):
    status, _, body = get(launcher, "/cgi-bin/no_empty_line.py")
    assert status == 502 and b"no empty line after the headers" in body


def test_a_body_over_the_limit_is_refused_unread(launcher):
    reply = raw(launcher, b"POST /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: 999999999\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 413 Content Too Large\r\n")


@pytest.mark.parametrize("length", [b"-5", b"lots"])
def test_a_content_length_that_is_not_a_number_is_400(launcher, length):
    reply = raw(launcher, b"POST /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Length: " + length + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 400 Bad Request\r\n")


def test_a_body_cut_short_is_400_and_the_script_never_runs(launcher):
    with connect(launcher) as client:
        client.sendall(b"POST /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 50\r\n\r\nname=Ad")
        client.shutdown(socket.SHUT_WR)
        reply = recv_until_eof(client)
    assert reply.startswith(b"HTTP/1.0 400 Bad Request\r\n")
    assert reply.endswith(b"the body is shorter than Content-Length\n")


def test_malformed_request_lines_get_400_and_vanishing_clients_are_harmless(launcher):
    reply = raw(launcher, b"GET /cgi-bin/hello.py HTTP/1.1 extra\r\n\r\n")
    assert b"400" in reply
    rude = connect(launcher)
    rude.sendall(b"POST /cgi-bin/hello.py HTTP/1.1\r\nContent-Length: 9\r\n\r\nna")
    reset_connection(rude)
    assert get(launcher, "/cgi-bin/hello.py")[0] == 200


def test_launcher_explains_itself_with_help():
    result = run_script("wsgi", "cgi_launcher", "--help")
    assert result.returncode == 0 and "--port PORT" in result.stdout


def test_cost_script_measures_cgi_and_wsgi_and_writes_its_results(tmp_path):
    result = run_script("wsgi", "cgi_cost", "--requests", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "cgi_cost.csv").read_text().splitlines()
    assert rows[0] == "what,ms per request,requests per second"
    assert [row.split(",")[0] for row in rows[1:]] == [
        '"CGI: hello.py', "WSGI: hello_app in a running server", "starting python -c pass"]
    assert re.match(r"Measured on \d{4}-\d\d-\d\d ", (tmp_path / "measured.txt").read_text())


def test_hello_wsgi_script_serves_its_greeting():
    with run_example("wsgi", "hello_wsgi") as (_, host, port):
        assert get((host, port), "/?name=Ada")[2] == b"<p>Hello, Ada!</p>\n"


# Time limits, with the launcher in a thread and shorter limits -----------------

@pytest.fixture
def impatient_launcher(monkeypatch):
    """A launcher whose clients get half a second, and scripts three
    (a script started under coverage on a busy machine needs one)."""
    import threading

    from tests.support import load_example

    launcher = load_example("wsgi", "cgi_launcher")
    monkeypatch.setattr(launcher, "SCRIPT_TIMEOUT", 3.0)
    monkeypatch.setattr(launcher.CGIRequestHandler, "timeout", 0.5)
    server = launcher.make_server()
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_script_that_takes_too_long_gets_a_504(impatient_launcher):
    started = time.monotonic()
    status, _, body = get(impatient_launcher, "/cgi-bin/slow.py?seconds=30")
    assert (status, body) == (504, b"504 Gateway Timeout: too slow\n")
    assert time.monotonic() - started < 6


def test_a_quick_enough_script_answers(impatient_launcher):
    assert get(impatient_launcher, "/cgi-bin/slow.py?seconds=0")[2] == b"slept 0.0 s\n"


def test_a_client_that_stops_sending_its_body_gets_a_408(impatient_launcher):
    with connect(impatient_launcher) as client:
        client.sendall(b"POST /cgi-bin/hello.py HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 50\r\n\r\nname=Ad")
        meanwhile = get(impatient_launcher, "/cgi-bin/hello.py?name=Bo")
        reply = recv_until_eof(client)
    assert meanwhile[2] == b"<p>Hello, Bo!</p>\n"
    assert reply.startswith(b"HTTP/1.0 408 Request Timeout\r\n")
