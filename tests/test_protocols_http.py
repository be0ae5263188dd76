"""Tests of the complete HTTP server of lecture 3 (http_step4, http_step5).

The server serves a web root that each test builds in tmp_path
(support_protocols.build_web_root), in a thread or as a subprocess. Real
clients fetch from it: http.client, urllib.request, requests and curl, and
must get every file byte for byte. Hand-made requests check bad input and
path traversal: nothing outside the web root may ever be sent.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from functools import partial
from urllib.parse import quote

import pytest

from tests.net import drip, keep_sending, require_command

from tests.support import (
    SOCKET_TIMEOUT,
    ServerThread,
    connect,
    connected_pair,
    load_example,
    recv_until_eof,
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
    http_server,
    http_session,
)

http_step1 = load_example("protocols", "http_step1")
http_step2 = load_example("protocols", "http_step2")
http_step3 = load_example("protocols", "http_step3")
http_step4 = load_example("protocols", "http_step4")
http_step5 = load_example("protocols", "http_step5")

# name in the web root -> (its bytes, the Content-Type the server must send)
FILES = {
    "hello.txt": (TEXT.encode(), "text/plain; charset=utf-8"),
    "data.bin": (BINARY, "application/octet-stream"),
    "logo.png": (PNG, "image/png"),
    "index.html": (b"<h1>Home</h1>\n", "text/html; charset=utf-8"),
    "café.txt": (b"accents in a name\n", "text/plain; charset=utf-8"),
    "with space.txt": (b"a space in a name\n", "text/plain; charset=utf-8"),
    "noextension": (b"\x00\x01 unknown type", "application/octet-stream"),
    "docs/sub dir/deep.json": (b'{"deep": true}\n', "application/json"),
    "link-in.txt": (TEXT.encode(), "text/plain; charset=utf-8"),
}
FILE_IDS = list(FILES)


def url_of(name: str) -> str:
    """The URL path of a file: each character percent-encoded as needed."""
    return "/" + quote(name)


@pytest.fixture
def web_root(tmp_path):
    return build_web_root(tmp_path)


@pytest.fixture
def server(web_root):
    """The complete server (step 5) in a thread, serving web_root."""
    with http_server(partial(http_step5.handle_client, root=web_root)) as running:
        yield running


@pytest.fixture
def base_url(server):
    host, port = server.address
    return f"http://{host}:{port}"


# Real clients agree with the server ------------------------------------------------

@pytest.mark.parametrize("name", FILE_IDS)
def test_http_client_gets_each_file_byte_for_byte(server, name):
    content, content_type = FILES[name]
    connection = http.client.HTTPConnection(*server.address, timeout=SOCKET_TIMEOUT)
    try:
        connection.request("GET", url_of(name))
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert body == content
    assert response.getheader("Content-Type") == content_type
    assert response.getheader("Content-Length") == str(len(content))


@pytest.mark.parametrize("name", FILE_IDS)
def test_urllib_gets_each_file_byte_for_byte(base_url, name):
    content, content_type = FILES[name]
    with urllib.request.urlopen(base_url + url_of(name),
                                timeout=SOCKET_TIMEOUT) as response:
        body = response.read()
        headers = response.headers
    assert body == content
    assert headers["Content-Type"] == content_type
    assert int(headers["Content-Length"]) == len(content)


@pytest.mark.parametrize("name", FILE_IDS)
def test_requests_gets_each_file_byte_for_byte(base_url, name):
    content, content_type = FILES[name]
    with http_session() as session:
        # requests percent-encodes the non-ASCII and the space itself.
        response = session.get(f"{base_url}/{name}", timeout=SOCKET_TIMEOUT)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["Content-Type"] == content_type
    assert int(response.headers["Content-Length"]) == len(content)


@pytest.fixture
def curl():
    path = require_command("curl")

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [path, "--silent", "--show-error", "--noproxy", "*",
             "--max-time", "10", *args],
            capture_output=True, timeout=30,
        )
    return run


@pytest.mark.parametrize("name", FILE_IDS)
def test_curl_gets_each_file_byte_for_byte(curl, base_url, tmp_path, name):
    content, content_type = FILES[name]
    saved = tmp_path / "download"
    result = curl("--output", str(saved), "--write-out",
                  "%{http_code} %{content_type} %{size_download}",
                  base_url + url_of(name))
    assert result.returncode == 0, result.stderr
    assert saved.read_bytes() == content
    assert result.stdout.decode() == f"200 {content_type} {len(content)}"


def test_curl_head_gets_the_headers_and_no_body(curl, base_url):
    result = curl("--head", base_url + "/data.bin")
    assert result.returncode == 0, result.stderr
    head = Response.parse(result.stdout)
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-length"] == str(len(BINARY))


@pytest.mark.parametrize("name", ["data.bin", "hello.txt", "docs/"])
def test_head_sends_the_get_headers_without_a_body(server, name):
    got = get(server.address, url_of(name))
    head = get(server.address, url_of(name), method="HEAD")
    assert head.status == got.status == 200
    assert head.body == b""
    assert head.headers == got.headers
    assert int(got.headers["content-length"]) == len(got.body)


def test_http_client_head_reads_no_body(server):
    connection = http.client.HTTPConnection(*server.address, timeout=SOCKET_TIMEOUT)
    try:
        connection.request("HEAD", "/logo.png")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert (response.status, body) == (200, b"")
    assert response.getheader("Content-Length") == str(len(PNG))


def test_requests_follows_the_folder_redirect_to_a_listing(base_url):
    with http_session() as session:
        response = session.get(base_url + "/docs", timeout=SOCKET_TIMEOUT)
    assert [r.status_code for r in response.history] == [301]
    assert response.url == base_url + "/docs/"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<a href="notes.md">notes.md</a>' in response.text


def test_the_script_serves_a_folder_from_the_command_line(web_root):
    with run_example("protocols", "http_step5", "--root", str(web_root)) as (_, host, port):
        response = get((host, port), "/data.bin")
    assert host == "127.0.0.1"
    assert response.body == BINARY


def test_the_script_refuses_a_root_that_is_not_a_folder(tmp_path):
    result = run_script("protocols", "http_step5", "--root",
                        str(tmp_path / "missing"), "--port", "0")
    assert result.returncode == 1
    assert "not a folder" in result.stderr


# Folders ----------------------------------------------------------------------------

def test_listing_links_every_entry_escaped_for_html_and_url(server):
    response = get(server.address, "/docs/")
    page = response.body.decode()
    assert response.status == 200
    assert "<title>Index of /docs/</title>" in page
    assert '<li><a href="../">../</a></li>' in page
    assert '<li><a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a></li>' in page
    assert '<li><a href="sub%20dir/">sub dir/</a></li>' in page
    assert "<c>" not in page


def test_root_listing_has_no_parent_link_and_encodes_non_ascii(server):
    page = get(server.address, "/").body.decode()
    assert "../" not in page
    assert '<a href="caf%C3%A9.txt">café.txt</a>' in page


def test_folder_without_slash_is_redirected_keeping_its_encoding(server):
    response = get(server.address, "/docs/sub%20dir?x=1")
    assert response.status == 301
    assert response.headers["location"] == "/docs/sub%20dir/"


def test_listing_function_sorts_and_marks_folders(web_root):
    page = http_step5.listing(web_root / "docs", "/docs/").decode()
    names = [line for line in page.splitlines() if line.startswith("<li>")]
    assert names == [
        '<li><a href="../">../</a></li>',
        '<li><a href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt</a></li>',
        '<li><a href="notes.md">notes.md</a></li>',
        '<li><a href="sub%20dir/">sub dir/</a></li>',
    ]


def test_step4_serves_files_but_refuses_folders(web_root):
    with http_server(partial(http_step4.handle_client, root=web_root)) as server:
        file = get(server.address, "/hello.txt")
        folder = get(server.address, "/docs/")
    assert (file.status, file.body) == (200, TEXT.encode())
    assert folder.status == 403


# Not found, bad input ------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/missing.txt", "/docs/missing/", "/hello.txt/more", "/%252e%252e/secret.txt",
    "/" + "x" * 300, "/loop", "/caf%C3%A9.txt%00",
], ids=["missing", "missing folder", "under a file", "double-encoded dots",
        "name too long", "symlink loop", "encoded NUL"])
def test_paths_that_name_nothing_get_404_or_400(server, target):
    response = get(server.address, target)
    assert response.status in ((400,) if "%00" in target else (404,))
    assert SECRET not in response.body


@pytest.mark.parametrize("target", ["/caf%C3%A9.txt", "/caf%c3%a9.txt",
                                    "/with%20space.txt", "/./hello.txt"])
def test_percent_encoded_paths_are_decoded(server, target):
    assert get(server.address, target).status == 200


@pytest.mark.parametrize("target", ["/caf%E9.txt", "/%ff", "/%C3"],
                         ids=["latin-1 escape", "not UTF-8", "cut UTF-8"])
def test_escapes_that_are_not_utf8_get_400(server, target):
    assert get(server.address, target).status == 400


def test_raw_non_ascii_in_the_target_gets_400(server):
    raw = exchange(server.address,
                   "GET /café.txt HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert Response.parse(raw).status == 400


@pytest.mark.parametrize(("request_head", "status"), [
    (b"GET /hello.txt\r\n\r\n", 400),
    (b"GET /hello.txt HTTP/1.1\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 9000 + b"\r\n\r\n", 431),
    (b"POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 405),
], ids=["malformed line", "no Host", "oversized line", "oversized header", "POST"])
def test_bad_requests_get_their_status_and_the_server_keeps_serving(
    server, request_head, status
):
    response = Response.parse(exchange(server.address, request_head))
    after = get(server.address, "/hello.txt")
    assert response.status == status
    assert after.body == TEXT.encode()


def test_half_a_request_then_silence_gets_408_and_the_next_client_is_served(web_root):
    handle = partial(http_step5.handle_client, root=web_root)
    with http_server(handle, timeout=0.3) as server:
        with connect(server.address) as client:
            client.sendall(b"GET /hello.txt HTTP/1.1\r\nHo")
            response = Response.parse(recv_until_eof(client))
        after = get(server.address, "/hello.txt")
    assert response.status == 408
    assert after.status == 200


# Path traversal is refused -------------------------------------------------------------

TRAVERSALS = {
    "dot dot": "/../secret.txt",
    "deeper dot dot": "/docs/../../secret.txt",
    "encoded dots": "/%2e%2e/secret.txt",
    "upper-case encoded": "/%2E%2E/secret.txt",
    "encoded slash": "/docs%2f..%2f..%2fsecret.txt",
    "absolute path": "//etc/passwd",
    "encoded absolute path": "/%2fetc%2fpasswd",
    "backslashes": "/..%5csecret.txt",
    "symlink to a file outside": "/link-out.txt",
    "symlink to a folder outside": "/dir-out/secret.txt",
    "listing through a symlink": "/dir-out/",
}


@pytest.mark.parametrize("target", TRAVERSALS.values(), ids=TRAVERSALS.keys())
def test_paths_leading_out_of_the_web_root_are_refused(server, target):
    response = get(server.address, target)
    assert response.status in (400, 403, 404), response.status
    assert SECRET not in response.body
    assert b"root:" not in response.body


@pytest.mark.parametrize(("target", "status"), [
    ("/../secret.txt", 403), ("/%2e%2e/secret.txt", 403),
    ("/link-out.txt", 403), ("/dir-out/secret.txt", 403),
    ("//etc/passwd", 404), ("/..%5csecret.txt", 400),
])
def test_each_traversal_gets_its_own_status(server, target, status):
    assert get(server.address, target).status == status


def test_curl_with_path_as_is_cannot_escape(curl, base_url):
    result = curl("--path-as-is", base_url + "/docs/../../secret.txt")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout


def test_resolve_refuses_dot_dot_and_symlinks_out(web_root):
    HTTPError = http_step4.HTTPError
    assert http_step4.resolve(web_root, "/docs/notes.md") == web_root / "docs" / "notes.md"
    assert http_step4.resolve(web_root, "//docs/./notes.md") == web_root / "docs" / "notes.md"
    for path in ("/../secret.txt", "/link-out.txt", "/dir-out/secret.txt"):
        with pytest.raises(HTTPError) as error:
            http_step4.resolve(web_root, path)
        assert error.value.status == "403 Forbidden"


def test_url_path_decodes_and_drops_the_query():
    assert http_step4.url_path("/caf%C3%A9.txt?x=1") == "/café.txt"
    assert http_step4.url_path("/%2e%2e/a") == "/../a"


@pytest.mark.parametrize(("name", "expected"), [
    ("a.txt", "text/plain; charset=utf-8"), ("a.html", "text/html; charset=utf-8"),
    ("a.css", "text/css; charset=utf-8"), ("a.png", "image/png"),
    ("a.jpg", "image/jpeg"), ("a.json", "application/json"),
    ("a.pdf", "application/pdf"), ("a.unknown", "application/octet-stream"),
    ("README", "application/octet-stream"),
])
def test_content_type_comes_from_pythons_own_table(name, expected):
    from pathlib import Path
    assert http_step4.content_type(Path(name)) == expected


def test_a_fifo_in_the_web_root_is_404_and_does_not_hang_the_server(server, web_root):
    os.mkfifo(web_root / "pipe")  # open() on it would wait for a writer
    assert get(server.address, "/pipe").status == 404
    assert get(server.address, "/hello.txt").status == 200


def test_urllib_sees_404_as_an_httperror(base_url):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(base_url + "/nothing", timeout=SOCKET_TIMEOUT)
    with error.value:
        assert error.value.code == 404


# The redirect to a folder's slash stays on this server -------------------------------

@pytest.mark.parametrize(("target", "location"), [
    ("//docs", "/docs/"), ("//docs/", "/docs/"), ("///docs//sub%20dir", "/docs/sub%20dir/"),
    ("/docs//", "/docs/"), ("//", "/"), ("/.//docs?x=1", "/./docs/"),
])
def test_a_folder_url_with_repeated_slashes_is_redirected_to_single_ones(
    server, target, location
):
    response = get(server.address, target)
    assert (response.status, response.headers["location"]) == (301, location)


def test_curl_reads_the_folder_redirect_as_a_path_on_this_server(curl, base_url):
    result = curl("--output", os.devnull, "--write-out",
                  "%{http_code} %{redirect_url}", base_url + "//docs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"301 {base_url}/docs/"


# A client cannot hold the server: one deadline per request head ------------------

STEPS = {
    "step 1": http_step1.handle_client,
    "step 2": http_step2.handle_client,
    "step 3": http_step3.handle_client,
    "step 4": http_step4.handle_client,
    "step 5": http_step5.handle_client,
}
FILE_SERVERS = ("step 4", "step 5")


def step_handler(step: str, web_root):
    handle = STEPS[step]
    return partial(handle, root=web_root) if step in FILE_SERVERS else handle


@pytest.mark.parametrize("step", ["step 1", "step 3", "step 5"])
def test_a_client_that_drips_its_head_is_cut_off_at_the_timeout(web_root, step):
    with http_server(step_handler(step, web_root), timeout=1.0) as server:
        started = time.monotonic()
        answer = drip(server.address, SLOW_HEAD, interval=0.1, longest=6.0)
        waited = time.monotonic() - started
        after = get(server.address, "/hello.txt")
    assert waited < 5.0  # the deadline, not the 24 s the drip would take
    if step != "step 1":  # step 1 only drops the client; the others say why
        assert Response.parse(answer).status == 408
    assert after.status == 200


def test_the_deadline_leaves_the_socket_timeout_as_it_was():
    with connected_pair() as (client, conn):
        conn.settimeout(3.0)
        client.sendall(b"GET / HTTP/1.1\r\n\r\n")
        with http_step1.open_request(conn) as reader:
            assert http_step1.read_head(reader) == [b"GET / HTTP/1.1\r\n"]
        assert conn.gettimeout() == 3.0


def test_the_deadline_counts_from_the_start_of_the_head():
    with connected_pair() as (client, conn):
        conn.settimeout(0.5)
        with http_step1.open_request(conn) as reader:
            client.sendall(b"GET / HTTP/1.1\r\n")
            assert reader.readline() == b"GET / HTTP/1.1\r\n"
            time.sleep(0.6)  # silent for longer than the whole deadline
            client.sendall(b"Host: x\r\n")
            with pytest.raises(TimeoutError):
                reader.readline()


# A client that keeps sending after its response is not listened to forever -------

def test_a_client_that_keeps_sending_after_its_response_does_not_hold_the_server(server):
    stop = threading.Event()
    with connect(server.address) as pushy:
        pushy.sendall(b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        sender = threading.Thread(target=keep_sending, args=(pushy, stop))
        sender.start()
        try:
            first = Response.parse(recv_until_eof(pushy))
            after = get(server.address, "/hello.txt")  # waits at most 5 s
        finally:
            stop.set()
            sender.join(SOCKET_TIMEOUT)
    assert first.status == after.status == 200


# A sequential server queues many clients, refuses none ----------------------------------

def test_200_clients_connecting_at_once_are_queued_and_all_served(web_root):
    handle = partial(http_step5.handle_client, root=web_root)
    listener = http_step1.make_server(port=0)  # the lecture's, with its backlog
    with ServerThread(http_step1.serve, listener, handle), ExitStack() as stack:
        clients = [stack.enter_context(connect(listener.getsockname()))
                   for _ in range(200)]  # while the server waits for the 1st
        for client in clients:
            client.sendall(b"GET /hello.txt HTTP/1.0\r\n\r\n")
        statuses = []
        for client in clients:
            statuses.append(Response.parse(recv_until_eof(client)).status)
            client.close()  # so that the server's close_gently ends at once
    assert statuses == [200] * 200


# The command line ---------------------------------------------------------------------

@pytest.mark.parametrize("script", [f"http_step{n}" for n in range(1, 6)])
@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_port_out_of_range_is_a_usage_error(script, port):
    result = run_script("protocols", script, "--port", port)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("timeout", ["0", "-1", "nan", "inf"])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(timeout):
    result = run_script("protocols", "http_step5", "--timeout", timeout)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


# The web root of the lecture's sessions ships with the course -------------------------

def test_without_root_step5_serves_the_lectures_web_root():
    with run_example("protocols", "http_step5") as (_, host, port):
        hello = get((host, port), "/hello.txt")
        logo = get((host, port), "/docs/logo.png")
        shortcut = get((host, port), "/shortcut")
    assert (hello.status, hello.body) == (200, b"Hello, web!\n")
    assert logo.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert shortcut.status == 403
    assert http_step5.WEB_ROOT == http_step4.WEB_ROOT


def test_the_shipped_shortcut_is_a_link_out_of_the_web_root():
    shortcut = http_step4.WEB_ROOT / "shortcut"
    assert shortcut.is_symlink()
    assert not http_step4.is_inside(shortcut, http_step4.WEB_ROOT)
# Every server of the lecture, in every odd case ---------------------------------------

@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("target", [
    "/", "/empty", "/empty/", "/caf%E9-latin1.txt", "/loop", "/dir-out/",
], ids=["root", "empty folder", "empty folder/", "non-UTF-8 name",
        "symlink loop", "symlink out"])
def test_every_step_answers_the_odd_corners_of_the_web_root(web_root, step, target):
    with http_server(step_handler(step, web_root)) as server:
        response = get(server.address, target)
        head = get(server.address, target, method="HEAD")
    assert 200 <= response.status < 500, response.body
    assert head.status == response.status
    assert SECRET not in response.body


def test_root_listing_links_a_non_utf8_name_and_an_empty_folder(server):
    page = get(server.address, "/").body.decode("utf-8")
    # The link has the name's own bytes; the text a "?" for the odd byte.
    assert '<li><a href="caf%E9-latin1.txt">caf?-latin1.txt</a></li>' in page
    assert '<li><a href="empty/">empty/</a></li>' in page


def test_the_link_to_a_non_utf8_name_gets_a_clear_400(server):
    response = get(server.address, "/caf%E9-latin1.txt")
    assert (response.status, response.body) == (
        400, b"400 Bad Request: not UTF-8\n")


def test_an_empty_folder_is_listed_with_only_its_parent(server):
    response = get(server.address, "/empty/")
    items = [line for line in response.body.decode().splitlines()
             if line.startswith("<li>")]
    assert response.status == 200
    assert items == ['<li><a href="../">../</a></li>']


def test_requests_follows_each_link_of_the_root_listing(base_url):
    page = urllib.request.urlopen(base_url + "/", timeout=SOCKET_TIMEOUT)
    with page:
        links = [line.split('"')[1] for line in page.read().decode().splitlines()
                 if line.startswith("<li>")]
    with http_session() as session:
        statuses = {link: session.get(f"{base_url}/{link}",
                                      timeout=SOCKET_TIMEOUT).status_code
                    for link in links}
    assert statuses["empty/"] == statuses["docs/"] == statuses["hello.txt"] == 200
    assert statuses["caf%E9-latin1.txt"] == 400
    assert statuses["link-out.txt"] == statuses["dir-out/"] == 403
    assert statuses["loop"] == 404
