"""Tests of lecture 4's HTTP file server on an event loop (async_http_server).

The server runs as a subprocess on a web root made in tmp_path; clients
are raw sockets (to send malformed requests) and http.client (a real HTTP
client), many at once.
"""

import asyncio
import http.client
import socket
import time

import pytest

from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
)
from tests.support_concurrency import raised_fd_limit

async_http_server = load_example("concurrency", "async_http_server")


@pytest.fixture
def web_root(tmp_path):
    root = tmp_path / "www"
    (root / "docs").mkdir(parents=True)
    (root / "index.html").write_text("<h1>Welcome</h1>\n", encoding="utf-8")
    (root / "style.css").write_text("h1 { color: teal }\n", encoding="utf-8")
    (root / "data.bin").write_bytes(bytes(range(256)))
    (root / "docs" / "notes.txt").write_text("héllo\n", encoding="utf-8")
    (root / "docs" / "a b.txt").write_text("space\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web\n", encoding="utf-8")
    return root


@pytest.fixture
def http_address(web_root):
    with run_example("concurrency", "async_http_server", "--root", str(web_root)) as (
        _,
        host,
        port,
    ):
        yield host, port


def get(address, path, method="GET", headers=None):
    connection = http.client.HTTPConnection(*address, timeout=SOCKET_TIMEOUT)
    try:
        connection.request(method, path, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, dict(reply.getheaders()), reply.read()
    finally:
        connection.close()


def raw_exchange(address, request: bytes) -> bytes:
    with connect(address) as sock:
        sock.sendall(request)
        return recv_until_eof(sock)


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/index.html", "text/html; charset=utf-8", b"<h1>Welcome</h1>\n"),
        ("/", "text/html; charset=utf-8", b"<h1>Welcome</h1>\n"),
        ("/style.css", "text/css; charset=utf-8", b"h1 { color: teal }\n"),
        ("/data.bin", "application/octet-stream", bytes(range(256))),
        ("/docs/notes.txt", "text/plain; charset=utf-8", "héllo\n".encode()),
        ("/docs/a%20b.txt", "text/plain; charset=utf-8", b"space\n"),
    ],
    ids=["file", "index of the root", "css", "binary", "in a folder", "quoted name"],
)
def test_get_serves_the_file_with_its_content_type(http_address, path, content_type, body):
    status, headers, content = get(http_address, path)
    assert (status, headers["Content-Type"], content) == (200, content_type, body)
    assert headers["Content-Length"] == str(len(body))


def test_a_folder_without_index_gets_a_listing_with_links(http_address):
    status, headers, content = get(http_address, "/docs/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'href="/docs/notes.txt"' in content and b'href="/docs/a%20b.txt"' in content


def test_head_sends_the_headers_without_the_body(http_address):
    status, headers, content = get(http_address, "/style.css", method="HEAD")
    assert (status, headers["Content-Length"], content) == (200, "19", b"")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/missing.html", 404),
        ("/../secret.txt", 403),
        ("/docs/../../secret.txt", 403),
        ("/%2e%2e/secret.txt", 403),
    ],
    ids=["missing", "dot-dot", "dot-dot deeper", "encoded dot-dot"],
)
def test_missing_files_are_404_and_paths_outside_the_root_403(http_address, path, status):
    reply = raw_exchange(http_address, f"GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
    assert reply.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"not for the web" not in reply


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_other_methods_get_405_with_an_allow_header(http_address, method):
    status, headers, _ = get(http_address, "/index.html", method=method)
    assert status == 405 and headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"hello\r\n\r\n", 400),
        (b"GET /index.html\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET /\xff HTTP/1.1\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", 400),
    ],
    ids=[
        "not http",
        "no version",
        "bad header",
        "not ascii",
        "long target",
        "long header",
        "too many headers",
        "cut short",
    ],
)
def test_malformed_or_oversized_requests_get_an_error_and_the_connection_closes(
    http_address, request_bytes, status
):
    with connect(http_address) as sock:
        sock.sendall(request_bytes)
        if request_bytes.endswith(b"Host: x\r\n"):
            sock.shutdown(socket.SHUT_WR)  # the headers never end
        reply = recv_until_eof(sock)
    assert reply.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Connection: close" in reply
    assert get(http_address, "/style.css")[0] == 200  # the server goes on


def test_http11_keeps_the_connection_open_for_the_next_request(http_address):
    connection = http.client.HTTPConnection(*http_address, timeout=SOCKET_TIMEOUT)
    try:
        bodies, sockets = [], set()
        for path in ("/style.css", "/missing", "/index.html"):
            connection.request("GET", path)
            reply = connection.getresponse()
            bodies.append((reply.status, reply.read()[:4]))
            assert reply.getheader("Connection") is None
            sockets.add(connection.sock.getsockname())
    finally:
        connection.close()
    assert bodies == [(200, b"h1 {"), (404, b"404 "), (200, b"<h1>")]
    assert len(sockets) == 1  # one connection served all three


def test_connection_close_and_http10_close_after_the_reply(http_address):
    for request in (
        b"GET /style.css HTTP/1.1\r\nConnection: close\r\n\r\n",
        b"GET /style.css HTTP/1.0\r\n\r\n",
    ):
        reply = raw_exchange(http_address, request)
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"color: teal }\n")


def test_a_slow_client_does_not_hold_up_the_others(http_address):
    with connect(http_address) as slow:
        slow.sendall(b"GET /index.ht")  # ... and the rest never comes
        started = time.monotonic()
        assert get(http_address, "/style.css")[0] == 200
        assert time.monotonic() - started < 2


def test_a_reset_mid_request_does_not_stop_the_server(http_address):
    with connect(http_address) as rude:
        rude.sendall(b"GET /index.html HTTP/1.1\r\nHo")
        reset_connection(rude)
    assert get(http_address, "/index.html")[0] == 200


def test_an_idle_connection_is_closed_after_the_timeout(web_root):
    with run_example(
        "concurrency", "async_http_server", "--root", str(web_root), "--timeout", "0.5"
    ) as (_, host, port):
        with connect((host, port)) as idle:
            started = time.monotonic()
            assert recv_until_eof(idle) == b""
            assert 0.4 < time.monotonic() - started < SOCKET_TIMEOUT


def test_three_hundred_clients_at_once_all_get_the_file(http_address):
    async def fetch(number):
        reader, writer = await asyncio.open_connection(*http_address)
        try:
            writer.write(b"GET /docs/notes.txt HTTP/1.1\r\nConnection: close\r\n\r\n")
            return await reader.read()
        finally:
            writer.close()
            await writer.wait_closed()

    async def all_at_once():
        async with asyncio.timeout(60):
            return await asyncio.gather(*(fetch(n) for n in range(300)))

    with raised_fd_limit(1024):
        replies = asyncio.run(all_at_once())
    assert all(reply.startswith(b"HTTP/1.1 200 OK\r\n") for reply in replies)
    assert all(reply.endswith("héllo\n".encode()) for reply in replies)


def test_resolve_refuses_a_path_outside_the_root(web_root):
    with pytest.raises(async_http_server.BadRequest) as refused:
        async_http_server.resolve(web_root.resolve(), "/../secret.txt")
    assert refused.value.args[0] == 403
    assert async_http_server.resolve(web_root.resolve(), "/docs/notes.txt?x=1").name == "notes.txt"


def test_response_has_status_line_headers_and_body():
    reply = async_http_server.response(
        async_http_server.HTTPStatus.NOT_FOUND, b"gone\n", close=True
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"Content-Length: 5" in head and b"Connection: close" in head
    assert body == b"gone\n"


def test_http_script_refuses_a_root_that_is_not_a_folder(tmp_path):
    result = run_script("concurrency", "async_http_server", "--root", str(tmp_path / "nope"))
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_http_script_explains_its_usage_with_help():
    result = run_script("concurrency", "async_http_server", "--help")
    assert result.returncode == 0 and "--root" in result.stdout
