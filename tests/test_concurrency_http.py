"""Tests of lecture 4's HTTP file server on an event loop (async_http_server).

The server runs as a subprocess on a web root made in tmp_path; clients
are raw sockets (to send malformed requests) and http.client (a real HTTP
client), many at once.
"""

import asyncio
import contextlib
import http.client
import os
import re
import socket
import time
from pathlib import Path

import pytest

from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    load_example,
    recv_until_eof,
    reset_connection,
    run_example,
    run_script,
    sending,
)
from tests.course import EXAMPLES
from tests.support_concurrency import raised_fd_limit
from tests.webroot import BINARY, NON_UTF8_NAME, PNG, SECRET, TEXT, build_web_root

async_http_server = load_example("concurrency", "async_http_server")


@pytest.fixture
def web_root(tmp_path):
    return build_web_root(tmp_path)


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


def request_bytes(path: str, method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".encode()


def raw_exchange(address, request: bytes) -> bytes:
    with connect(address) as sock:
        sock.sendall(request)
        return recv_until_eof(sock)


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/index.html", "text/html; charset=utf-8", b"<h1>Home</h1>\n"),
        ("/hello.txt", "text/plain; charset=utf-8", TEXT.encode()),
        ("/data.bin", "application/octet-stream", BINARY),
        ("/logo.png", "image/png", PNG),
        ("/noextension", "application/octet-stream", b"\x00\x01 unknown type"),
        ("/caf%C3%A9.txt", "text/plain; charset=utf-8", b"accents in a name\n"),
        ("/with%20space.txt", "text/plain; charset=utf-8", b"a space in a name\n"),
        ("/docs/a%26b%20%3Cc%3E.txt", "text/plain; charset=utf-8", b"escaped\n"),
        ("/docs/sub%20dir/deep.json", "application/json", b'{"deep": true}\n'),
        ("/link-in.txt", "text/plain; charset=utf-8", TEXT.encode()),
    ],
    ids=["html", "text", "binary", "png", "no extension", "accents",
         "space", "html specials", "nested", "link inside the root"],
)
def test_get_serves_the_file_with_its_content_type(http_address, path, content_type, body):
    status, headers, content = get(http_address, path)
    assert (status, headers["Content-Type"], content) == (200, content_type, body)
    assert headers["Content-Length"] == str(len(body))


def test_a_folder_gets_a_listing_with_relative_links(http_address):
    status, headers, content = get(http_address, "/docs/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'href="notes.md"' in content and b'href="sub%20dir/"' in content
    assert b'href="a%26b%20%3Cc%3E.txt">a&amp;b &lt;c&gt;.txt<' in content


def test_a_folder_with_a_non_utf8_name_in_it_is_listed(http_address):
    # Lecture 4's first version sent no response at all for this folder.
    status, _, content = get(http_address, "/")
    escaped = os.fsencode(NON_UTF8_NAME).replace(b"\xe9", b"%E9")
    assert status == 200 and b'href="' + escaped + b'"' in content
    assert b'href="empty/"' in content and b'href="loop"' in content


def test_an_empty_folder_gets_an_empty_listing(http_address):
    status, _, content = get(http_address, "/empty/")
    assert status == 200 and content.count(b"<li>") == 1  # only ../


@pytest.mark.parametrize("path", ["/docs", "//docs", "/./docs"])
def test_a_folder_url_without_its_slash_is_redirected_to_it(http_address, path):
    reply = raw_exchange(http_address, request_bytes(path))
    assert reply.startswith(b"HTTP/1.1 301 Moved Permanently\r\n")
    assert b"\r\nLocation: /docs/\r\n" in reply


def test_head_sends_the_headers_without_the_body(http_address):
    status, headers, content = get(http_address, "/hello.txt", method="HEAD")
    assert (status, headers["Content-Length"], content) == (200, str(len(TEXT.encode())), b"")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/missing.html", 404),
        ("/loop", 404),
        ("/loop/deeper", 404),
        ("/../secret.txt", 403),
        ("/docs/../../secret.txt", 403),
        ("/%2e%2e/secret.txt", 403),
        ("/link-out.txt", 403),
        ("/dir-out/secret.txt", 403),
        ("/dir-out/", 403),
        ("/caf%E9-latin1.txt", 400),
        ("/a%00b", 400),
    ],
    ids=["missing", "symlink loop", "through a loop", "dot-dot", "dot-dot deeper",
         "encoded dot-dot", "symlink out", "through a folder symlink out",
         "folder symlink out", "not utf-8", "nul"],
)
def test_odd_paths_get_an_error_status_and_never_a_file_outside(http_address, path, status):
    reply = raw_exchange(http_address, request_bytes(path))
    assert reply.startswith(f"HTTP/1.1 {status} ".encode())
    assert SECRET not in reply


def test_the_checks_are_lecture_3s_own_functions():
    # One parser and one set of path checks for both lectures, not a copy.
    protocols = EXAMPLES / "protocols"
    assert async_http_server.read_request.__code__.co_filename == str(protocols / "http_step3.py")
    assert async_http_server.resolve.__code__.co_filename == str(protocols / "http_step4.py")
    assert async_http_server.MAX_LINE == load_example("protocols", "http_step1").MAX_LINE


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT"])
def test_other_methods_get_405_with_an_allow_header(http_address, method):
    status, headers, _ = get(http_address, "/index.html", method=method)
    assert status == 405 and headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"hello\r\n\r\n", 400),
        (b"GET /hello.txt\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"GET /\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 400),
        (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
    ],
    ids=["not http", "no version", "bad header", "no host", "not ascii", "a body",
         "http/2", "long target", "long header", "too many headers"],
)
def test_malformed_or_oversized_requests_get_an_error_and_the_connection_closes(
    http_address, raw, status
):
    reply = raw_exchange(http_address, raw)
    assert reply.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Connection: close" in reply
    assert get(http_address, "/hello.txt")[0] == 200  # the server goes on


def test_other_methods_get_405_and_the_error_survives_an_unread_body(http_address):
    body = b"x" * 1_000_000  # more than the socket buffers hold: never read
    with connect(http_address) as sock:
        head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
        with sending(sock, head + body):
            reply = recv_until_eof(sock)  # not reset: the server drains it
    assert reply.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n")
    assert b"\r\nAllow: GET, HEAD\r\n" in reply


def test_a_request_cut_short_gets_no_reply_and_the_server_goes_on(http_address):
    with connect(http_address) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        sock.shutdown(socket.SHUT_WR)  # the headers never end
        assert recv_until_eof(sock) == b""  # as in lecture 3
    assert get(http_address, "/hello.txt")[0] == 200


def test_http11_keeps_the_connection_open_for_the_next_request(http_address):
    connection = http.client.HTTPConnection(*http_address, timeout=SOCKET_TIMEOUT)
    try:
        bodies, sockets = [], set()
        for path in ("/hello.txt", "/missing", "/index.html", "/docs"):
            connection.request("GET", path)
            reply = connection.getresponse()
            bodies.append((reply.status, reply.read()[:4]))
            assert reply.getheader("Connection") is None
            sockets.add(connection.sock.getsockname())
    finally:
        connection.close()
    assert bodies == [(200, b"Gr\xc3\xbc"), (404, b"404 "), (200, b"<h1>"), (301, b"")]
    assert len(sockets) == 1  # one connection served all four


def test_connection_close_and_http10_close_after_the_reply(http_address):
    for request in (
        b"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"GET /index.html HTTP/1.0\r\n\r\n",
    ):
        reply = raw_exchange(http_address, request)
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"<h1>Home</h1>\n")


def test_a_slow_client_does_not_hold_up_the_others(http_address):
    with connect(http_address) as slow:
        slow.sendall(b"GET /index.ht")  # ... and the rest never comes
        started = time.monotonic()
        assert get(http_address, "/hello.txt")[0] == 200
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


def test_a_client_dripping_its_request_is_dropped_after_the_timeout(web_root):
    with run_example(
        "concurrency", "async_http_server", "--root", str(web_root), "--timeout", "1"
    ) as (_, host, port):
        with connect((host, port)) as dripping:
            started = time.monotonic()
            with pytest.raises(OSError):  # reset, or a broken pipe
                for byte in b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n" * 10:
                    dripping.send(bytes([byte]))
                    time.sleep(0.25)
            assert time.monotonic() - started < SOCKET_TIMEOUT


# Clients that never read -------------------------------------------------------

BIG = 64 * 1024 * 1024  # bytes: a file far bigger than any socket buffer


def rss_bytes(pid: int) -> int:
    """The resident memory of a process, from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


def asks_and_never_reads(address, path: str = "/big.bin") -> socket.socket:
    sock = connect(address, timeout=15)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.sendall(request_bytes(path))
    return sock


def test_a_big_file_is_sent_in_chunks_not_read_into_memory(web_root):
    (web_root / "big.bin").write_bytes(b"\0" * BIG)
    with run_example("concurrency", "async_http_server", "--root", str(web_root)) as (
        process, host, port
    ):
        assert get((host, port), "/hello.txt")[0] == 200  # warmed up
        before = rss_bytes(process.pid)
        clients = [asks_and_never_reads((host, port)) for _ in range(4)]
        try:
            time.sleep(1.5)  # time to read the file whole, had it done so
            grown = rss_bytes(process.pid) - before
            assert get((host, port), "/hello.txt")[0] == 200  # still serving
        finally:
            for client in clients:
                client.close()
    # The first version grew by 4 x 64 MiB here.
    assert grown < 16 * 1024 * 1024


def test_a_client_that_never_reads_is_cut_off_after_the_timeout(web_root):
    (web_root / "big.bin").write_bytes(b"\0" * BIG)
    with run_example(
        "concurrency", "async_http_server", "--root", str(web_root), "--timeout", "1"
    ) as (_, host, port):
        with asks_and_never_reads((host, port)) as stuck:
            time.sleep(3)  # stuck for longer than the timeout
            received = 0
            started = time.monotonic()
            with contextlib.suppress(ConnectionResetError):
                while chunk := stuck.recv(1024 * 1024):
                    received += len(chunk)
            # The first version logged "client dropped", kept the
            # connection open and sent all 64 MiB once we read.
            assert received < BIG // 2
            assert time.monotonic() - started < SOCKET_TIMEOUT


def test_three_hundred_clients_at_once_all_get_the_file(http_address):
    async def fetch(number):
        reader, writer = await asyncio.open_connection(*http_address)
        try:
            writer.write(request_bytes("/hello.txt"))
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
    assert all(reply.endswith(TEXT.encode()) for reply in replies)


def test_read_head_stops_at_the_empty_line_and_at_an_overlong_line():
    async def head_of(data: bytes) -> bytes:
        reader = asyncio.StreamReader(limit=async_http_server.MAX_LINE)
        reader.feed_data(data)
        reader.feed_eof()
        return await async_http_server.read_head(reader)

    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    assert asyncio.run(head_of(request + b"next request")) == request
    assert asyncio.run(head_of(b"")) == b""
    too_long = asyncio.run(head_of(b"GET /" + b"a" * 20_000))
    assert len(too_long) == async_http_server.MAX_LINE + 1


def test_folder_url_ends_in_a_slash_and_is_quoted(web_root):
    assert async_http_server.folder_url(web_root, web_root) == "/"
    assert async_http_server.folder_url(web_root, web_root / "docs" / "sub dir") == (
        "/docs/sub%20dir/"
    )


def test_http_script_refuses_a_root_that_is_not_a_folder(tmp_path):
    result = run_script("concurrency", "async_http_server", "--root", str(tmp_path / "nope"))
    assert result.returncode == 2 and "is not a folder" in result.stderr


def test_http_script_explains_its_usage_with_help():
    result = run_script("concurrency", "async_http_server", "--help")
    assert result.returncode == 0 and "--root" in result.stdout
