"""Tests of lecture 3's lab (exercises/http_lab) and assignment (exercises/web_server).

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_protocols_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import threading
import time
from contextlib import ExitStack

import pytest

from tests.net import drip, keep_sending
from tests.support import (
    assert_starters_fail,
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    load_example,
    make_listener,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_protocols import (
    SLOW_HEAD,
    BINARY,
    PNG,
    SECRET,
    TEXT,
    Response,
    build_web_root,
    exchange,
    get,
    http_session,
)

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

HTTP_LAB = f"exercises/http_lab/{IMPL}"
WEB_SERVER = f"exercises/web_server/{IMPL}"
http_lab = load_example("protocols", HTTP_LAB)
web_server = load_example("protocols", WEB_SERVER)


# The lab: an HTTP server that checks its requests --------------------------------

def lab_server(timeout: float = 10.0) -> ServerThread:
    return ServerThread(http_lab.serve, make_listener(), timeout=timeout)


def ask_lab(data: bytes) -> Response:
    with lab_server() as server:
        return Response.parse(exchange(server.address, data))


# Clients that try to hold a server, for the lab and the assignment alike


def pushy_then_next(address) -> tuple[Response, Response]:
    """A client that keeps sending after its request, while the next
    client asks: (the first response, the next one)."""
    stop = threading.Event()
    with connect(address) as pushy:
        pushy.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        sender = threading.Thread(target=keep_sending, args=(pushy, stop))
        sender.start()
        try:
            first = Response.parse(recv_until_eof(pushy))
            after = get(address, "/hello.txt")  # waits at most 5 s
        finally:
            stop.set()
            sender.join(SOCKET_TIMEOUT)
    return first, after


def many_at_once(serve, listener, *args, clients: int = 200) -> list[Response]:
    """`clients` clients connect while the server waits for the first one's
    request; then each sends a request and reads its response."""
    with ServerThread(serve, listener, *args), ExitStack() as stack:
        address = listener.getsockname()
        sockets = [stack.enter_context(connect(address)) for _ in range(clients)]
        for client in sockets:
            client.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        responses = []
        for client in sockets:
            responses.append(Response.parse(recv_until_eof(client)))
            client.close()  # so that the server's close_gently ends at once
    return responses


def assert_usage_error(script: str, *args: str) -> None:
    result = run_script("protocols", script, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


class TestHttpLab:
    def test_parse_request_line_splits_it_in_three(self):
        assert http_lab.parse_request_line("GET /a?b=1 HTTP/1.1") == ("GET", "/a?b=1", "HTTP/1.1")

    @pytest.mark.parametrize(("line", "status"), [
        ("GET /a  HTTP/1.1", "400 Bad Request"),
        ("GET a HTTP/1.1", "400 Bad Request"),
        ("GET /a HTTP/2.0", "505 HTTP Version Not Supported"),
        ("BREW /pot HTTP/1.1", "405 Method Not Allowed"),
    ])
    def test_parse_request_line_refuses_with_the_right_status(self, line, status):
        with pytest.raises(http_lab.HTTPError) as refused:
            http_lab.parse_request_line(line)
        assert refused.value.status == status

    def test_get_is_answered_with_what_was_asked(self):
        response = ask_lab(b"GET /hello?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        assert response.status == 200
        assert response.body == b"You asked for /hello?x=1 with GET over HTTP/1.1.\n"
        assert int(response.headers["content-length"]) == len(response.body)

    def test_head_gets_the_length_of_the_get_body_and_no_body(self):
        response = ask_lab(b"HEAD /abc HTTP/1.0\r\n\r\n")
        expected = b"You asked for /abc with HEAD over HTTP/1.0.\n"
        assert (response.status, response.body) == (200, b"")
        assert int(response.headers["content-length"]) == len(expected)

    @pytest.mark.parametrize(("request_head", "status"), [
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/1.1 x\r\nHost: x\r\n\r\n", 400),
        (b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET nope HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n", 400),
        (b"GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", 405),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 101 + b"\r\n", 431),
    ], ids=["no version", "four parts", "bad method", "bad version",
            "no slash", "non-ASCII", "no Host", "header without colon",
            "folded header", "HTTP/3.0", "POST", "long line", "long header",
            "too many headers"])
    def test_bad_requests_get_the_right_status(self, request_head, status):
        response = ask_lab(request_head)
        assert response.status == status, response.body

    def test_exactly_max_headers_is_accepted(self):
        head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 99 + b"\r\n"
        assert ask_lab(head).status == 200

    def test_405_names_the_allowed_methods(self):
        response = ask_lab(b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert response.headers["allow"] == "GET, HEAD"

    def test_server_keeps_serving_after_bad_and_vanishing_clients(self):
        with lab_server(timeout=0.3) as server:
            bad = Response.parse(exchange(server.address, b"nonsense\r\n\r\n"))
            with connect(server.address) as rude:
                rude.sendall(b"GET / HT")
                reset_connection(rude)
            with connect(server.address) as slow:
                slow.sendall(b"GET / HTTP/1.1\r\n")
                timed_out = Response.parse(recv_until_eof(slow))
            good = get(server.address, "/after")
        assert (bad.status, timed_out.status, good.status) == (400, 408, 200)

    def test_http_client_agrees_with_the_lab_server(self):
        with lab_server() as server:
            connection = http.client.HTTPConnection(*server.address,
                                                    timeout=SOCKET_TIMEOUT)
            try:
                connection.request("GET", "/from/http.client")
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
        assert response.status == 200
        assert b"/from/http.client" in body

    def test_lab_script_announces_its_address(self):
        with run_example("protocols", HTTP_LAB) as (_, host, port):
            response = get((host, port), "/x")
        assert (host, response.status) == ("127.0.0.1", 200)

    def test_lab_script_explains_its_usage_with_help(self):
        result = run_script("protocols", HTTP_LAB, "--help")
        assert result.returncode == 0 and "--port" in result.stdout

    @pytest.mark.parametrize("port", ["99999", "-1"])
    def test_lab_script_refuses_a_port_out_of_range(self, port):
        assert_usage_error(HTTP_LAB, "--port", port)

    def test_a_client_that_drips_its_head_gets_408_at_the_deadline(self):
        with lab_server(timeout=1.0) as server:
            started = time.monotonic()
            answer = drip(server.address, SLOW_HEAD, interval=0.1, longest=6.0)
            waited = time.monotonic() - started
            after = get(server.address, "/after")
        assert waited < 5.0  # the deadline, not the 24 s the drip would take
        assert (Response.parse(answer).status, after.status) == (408, 200)

    def test_a_client_that_keeps_sending_does_not_hold_the_server(self):
        with lab_server() as server:
            first, after = pushy_then_next(server.address)
        assert first.status == after.status == 200

    def test_200_clients_connecting_at_once_are_queued_and_all_served(self):
        responses = many_at_once(http_lab.serve, http_lab.make_server(port=0))
        assert [response.status for response in responses] == [200] * 200

    @pytest.mark.parametrize("target", ["/caf%E9-latin1.txt", "/empty/", "//docs"])
    def test_odd_targets_are_answered_like_any_other(self, target):
        response = ask_lab(f"GET {target} HTTP/1.0\r\n\r\n".encode())
        assert response.body == f"You asked for {target} with GET over HTTP/1.0.\n".encode()


# The assignment: a web server --------------------------------------------------------

@pytest.fixture
def web_root(tmp_path):
    return build_web_root(tmp_path)


@pytest.fixture
def site(web_root):
    with ServerThread(web_server.serve, make_listener(), web_root) as server:
        yield server


class TestWebServer:
    @pytest.mark.parametrize(("name", "content", "content_type"), [
        ("hello.txt", TEXT.encode(), "text/plain; charset=utf-8"),
        ("data.bin", BINARY, "application/octet-stream"),
        ("logo.png", PNG, "image/png"),
        ("docs/sub%20dir/deep.json", b'{"deep": true}\n', "application/json"),
        ("caf%C3%A9.txt", b"accents in a name\n", "text/plain; charset=utf-8"),
    ], ids=["text", "binary", "png", "json in a folder", "non-ASCII name"])
    def test_files_are_sent_byte_for_byte_with_their_type(
        self, site, name, content, content_type
    ):
        response = get(site.address, "/" + name)
        assert response.status == 200
        assert response.body == content
        assert response.headers["content-type"] == content_type
        assert int(response.headers["content-length"]) == len(content)

    def test_requests_fetches_a_binary_file(self, site):
        host, port = site.address
        with http_session() as session:
            response = session.get(f"http://{host}:{port}/data.bin",
                                   timeout=SOCKET_TIMEOUT)
        assert response.content == BINARY

    def test_head_has_the_length_but_no_body(self, site):
        response = get(site.address, "/data.bin", method="HEAD")
        assert (response.status, response.body) == (200, b"")
        assert response.headers["content-length"] == str(len(BINARY))

    def test_folder_with_index_html_serves_it(self, site):
        response = get(site.address, "/")
        assert response.body == b"<h1>Home</h1>\n"
        assert response.headers["content-type"] == "text/html; charset=utf-8"

    def test_folder_without_index_is_listed_with_escaped_links(self, site):
        response = get(site.address, "/docs/")
        page = response.body.decode()
        items = [line for line in page.splitlines() if line.startswith("<li>")]
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>Index of /docs/</title>" in page
        assert items == [
            '<li><a href="../">../</a></li>',
            '<li><a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a></li>',
            '<li><a href="notes.md">notes.md</a></li>',
            '<li><a href="sub%20dir/">sub dir/</a></li>',
        ]

    def test_folder_without_slash_is_redirected(self, site):
        response = get(site.address, "/docs")
        assert (response.status, response.headers["location"]) == (301, "/docs/")

    @pytest.mark.parametrize(("target", "location"), [
        ("//docs", "/docs/"), ("//docs/", "/docs/"), ("/docs//", "/docs/"),
        ("///docs//sub%20dir?x=1", "/docs/sub%20dir/"),
    ])
    def test_repeated_slashes_are_redirected_to_single_ones(self, site, target, location):
        response = get(site.address, target)
        assert (response.status, response.headers["location"]) == (301, location)

    def test_curl_reads_the_redirect_as_a_path_on_this_server(self, site):
        if shutil.which("curl") is None:
            pytest.skip("curl is not installed on this machine")
        base_url = "http://{}:{}".format(*site.address)
        result = subprocess.run(
            ["curl", "--silent", "--noproxy", "*", "--max-time", "10",
             "--output", os.devnull, "--write-out", "%{http_code} %{redirect_url}",
             base_url + "//docs"], capture_output=True, text=True, timeout=30)
        assert result.stdout == f"301 {base_url}/docs/", result.stderr

    def test_a_listing_links_a_non_utf8_name_and_an_empty_folder(self, site, web_root):
        (web_root / "index.html").unlink()  # the root is listed, then
        page = get(site.address, "/").body.decode()
        unreadable = get(site.address, "/caf%E9-latin1.txt")
        empty = get(site.address, "/empty/")
        assert '<li><a href="caf%E9-latin1.txt">' in page
        assert '<li><a href="empty/">empty/</a></li>' in page
        assert unreadable.status == 400
        assert [line for line in empty.body.decode().splitlines()
                if line.startswith("<li>")] == ['<li><a href="../">../</a></li>']

    @pytest.mark.parametrize("target", ["/empty", "/loop", "/dir-out/", "/caf%E9-latin1.txt"])
    def test_odd_corners_of_the_web_root_get_a_clear_answer(self, site, target):
        response = get(site.address, target)
        head = get(site.address, target, method="HEAD")
        expected = {"/empty": 301, "/loop": 404, "/dir-out/": 403,
                    "/caf%E9-latin1.txt": 400}
        assert response.status == head.status == expected[target]

    @pytest.mark.parametrize("target", ["/missing", "/docs/nope/", "/" + "x" * 300])
    def test_missing_paths_are_404(self, site, target):
        assert get(site.address, target).status == 404

    @pytest.mark.parametrize("target", [
        "/../secret.txt", "/%2e%2e/secret.txt", "/docs/%2E%2E/../secret.txt",
        "/link-out.txt", "/dir-out/secret.txt", "/dir-out/",
    ])
    def test_paths_out_of_the_root_are_403(self, site, target):
        response = get(site.address, target)
        assert response.status == 403
        assert SECRET not in response.body

    def test_absolute_paths_stay_inside_the_root(self, site):
        response = get(site.address, "//etc/passwd")
        assert response.status == 404
        assert b"root:" not in response.body

    def test_symlink_inside_the_root_is_followed(self, site):
        assert get(site.address, "/link-in.txt").body == TEXT.encode()

    def test_resolve_returns_the_path_under_root(self, web_root):
        assert web_server.resolve(web_root, "/docs//notes.md") == \
            web_root / "docs" / "notes.md"

    def test_folder_response_lists_a_folder_without_index(self, web_root):
        response = web_server.folder_response(web_root / "docs", "/docs/")
        assert (response.status, response.content_type) == ("200 OK", "text/html; charset=utf-8")
        assert b'<a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a>' in response.body
        assert b'<a href="../">../</a>' in response.body

    def test_file_response_guesses_the_type(self, web_root):
        response = web_server.file_response(web_root / "logo.png")
        assert (response.status, response.body, response.content_type) == \
            ("200 OK", PNG, "image/png")

    def test_server_keeps_serving_after_bad_input(self, site):
        bad = Response.parse(exchange(site.address, b"GET /\r\n\r\n"))
        long = Response.parse(exchange(site.address, b"GET /" + b"a" * 9000))
        good = get(site.address, "/hello.txt")
        assert (bad.status, long.status, good.status) == (400, 414, 200)

    def test_web_server_script_serves_a_root(self, web_root):
        with run_example("protocols", WEB_SERVER, "--root", str(web_root)) as (
            _, host, port
        ):
            response = get((host, port), "/logo.png")
        assert response.body == PNG

    def test_web_server_script_explains_its_usage_with_help(self):
        result = run_script("protocols", WEB_SERVER, "--help")
        assert result.returncode == 0 and "--root" in result.stdout

    @pytest.mark.parametrize("port", ["99999", "-1"])
    def test_web_server_script_refuses_a_port_out_of_range(self, port):
        assert_usage_error(WEB_SERVER, "--port", port)

    def test_a_client_that_drips_its_head_gets_408_and_the_next_is_served(self, web_root):
        with ServerThread(web_server.serve, make_listener(), web_root,
                          timeout=1.0) as server:
            started = time.monotonic()
            answer = drip(server.address, SLOW_HEAD, interval=0.1, longest=6.0)
            waited = time.monotonic() - started
            after = get(server.address, "/hello.txt")
        assert waited < 5.0  # the deadline, not the 24 s the drip would take
        assert Response.parse(answer).status == 408
        assert (after.status, after.body) == (200, TEXT.encode())

    def test_a_client_that_keeps_sending_does_not_hold_the_server(self, site):
        first, after = pushy_then_next(site.address)
        assert first.body == after.body == TEXT.encode()

    def test_200_clients_connecting_at_once_are_queued_and_all_served(self, web_root):
        responses = many_at_once(web_server.serve, web_server.make_server(port=0),
                                 web_root)
        assert [response.body for response in responses] == [TEXT.encode()] * 200


# The tests tell the starters from the solutions --------------------------------------

GIVEN_CODE_TESTS = {
    "test_lab_script_explains_its_usage_with_help",
    "test_lab_script_refuses_a_port_out_of_range",
    "test_web_server_script_explains_its_usage_with_help",
    "test_web_server_script_refuses_a_port_out_of_range",
}


@pytest.mark.skipif(IMPL != "solution", reason="run from the solutions' run")
def test_exercise_tests_fail_against_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_protocols_exercises.py",
        ("TestHttpLab", "TestWebServer"),
        GIVEN_CODE_TESTS,
        tmp_path,
    )
