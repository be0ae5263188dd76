"""Lecture 9's bookshop as in production: ``manage.py migrate`` on an empty
database, then serve.py (waitress) in a child process, driven over real
HTTP on loopback, on SQLite and on a real PostgreSQL server. Then bad
input over raw sockets: malformed, oversized, truncated, dropped."""

from __future__ import annotations

import re
import socket

import pytest

from tests.net import connect, recv_until_eof, reset_connection
from tests.postgres import postgres_server  # noqa: F401  (one server for this module)
from tests.support_django import ADMIN, HttpSession, bookshop_server


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def address(request, tmp_path_factory):
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("bookshop-http")
        with bookshop_server(f"sqlite:///{folder}/bookshop.sqlite3") as address:
            yield address
    else:
        server = request.getfixturevalue("postgres_server")
        with server.database() as url, bookshop_server(url) as address:
            yield address


@pytest.fixture
def admin(address) -> HttpSession:
    session = HttpSession(address)
    session.log_in(ADMIN, "/admin/login/?next=/admin/")
    return session


def add_book(admin: HttpSession, title: str, author: str, price: str = "10.00") -> int:
    """Add an author and a book through the admin's forms; the book's id."""
    response, _ = admin.post_form("/admin/shop/author/add/", {"name": author})
    assert response.status == 302, "the author was not added"
    _, form = admin.request("GET", "/admin/shop/book/add/")
    author_id = re.search(rf'<option value="(\d+)">{re.escape(author)}</option>', form)[1]
    response, _ = admin.post_form(
        "/admin/shop/book/add/",
        {"title": title, "author": author_id, "price": price, "stock": "2"}, page=form)
    assert response.status == 302, "the book was not added"
    _, home = admin.request("GET", "/")
    return int(re.search(rf'<a href="/books/(\d+)/">{re.escape(title)}</a>', home)[1])


def test_a_book_added_in_the_admin_is_in_the_shop(admin, address):
    book = add_book(admin, "Invisible Cities", "Italo Calvino", "12.50")
    visitor = HttpSession(address)
    response, page = visitor.request("GET", f"/books/{book}/")
    assert response.status == 200
    assert "<h1>Invisible Cities</h1>" in page and "by Italo Calvino, $12.50" in page


def test_a_cart_survives_logging_in_and_becomes_an_order(admin, address):
    book = add_book(admin, "Mrs Dalloway", "Virginia Woolf", "8.00")
    customer = HttpSession(address)
    _, page = customer.request("GET", f"/books/{book}/")
    response, _ = customer.post_form(f"/cart/add/{book}/", {}, page=page)
    assert response.status == 302 and "sessionid" in customer.cookies
    anonymous_key = customer.cookies["sessionid"]
    customer.log_in(ADMIN)
    assert customer.cookies["sessionid"] != anonymous_key  # a new key at login
    _, cart = customer.request("GET", "/cart/")
    assert "1 × Mrs Dalloway" in cart
    response, _ = customer.post_form("/checkout/", {}, page=cart)
    assert response.status == 302 and response.getheader("Location") == "/orders/"
    _, orders = customer.request("GET", "/orders/")
    assert "1 × Mrs Dalloway" in orders and "Total: $8.00" in orders


def test_logging_out_ends_the_session_on_the_server(admin, address):
    key = admin.cookies["sessionid"]
    _, page = admin.request("GET", "/")
    response, _ = admin.post_form("/accounts/logout/", {}, page=page)
    assert response.status == 302
    replay = HttpSession(address)
    replay.cookies["sessionid"] = key  # the old key, sent again
    response, _ = replay.request("GET", "/admin/")
    assert response.status == 302 and "/admin/login/" in response.getheader("Location")


# Bad input ----------------------------------------------------------------------------


def raw_exchange(address, request: bytes) -> bytes:
    with connect(address) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        return recv_until_eof(sock)


def still_serving(address) -> bool:
    response, page = HttpSession(address).request("GET", "/")
    return response.status == 200 and "<h1>Books</h1>" in page


def test_a_malformed_request_line_is_a_400(address):
    reply = raw_exchange(address, b"HELLO\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 400 Bad Request") or reply.startswith(
        b"HTTP/1.1 400 Bad Request"), reply[:80]
    assert still_serving(address)


def test_an_unknown_host_is_a_400(address):
    reply = raw_exchange(address, b"GET / HTTP/1.1\r\nHost: evil.example\r\n"
                                  b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 Bad Request")


def test_a_post_without_a_csrf_token_is_a_403(address):
    visitor = HttpSession(address)
    response, page = visitor.request("POST", "/cart/add/1/", {"x": "1"})
    assert response.status == 403 and "CSRF verification failed" in page
    assert "sessionid" not in visitor.cookies


def test_a_body_over_a_mebibyte_is_refused_by_waitress_with_413(address):
    host, port = address
    reply = raw_exchange(address, (
        f"POST /cart/add/1/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {2 * 1024 * 1024}\r\n\r\n").encode() + b"x" * 1000)
    assert reply.startswith(b"HTTP/1.1 413 Request Entity Too Large"), reply[:80]
    assert still_serving(address)


def test_a_form_over_djangos_limit_is_a_400(admin, address):
    book = add_book(admin, "The Left Hand of Darkness", "Ursula K. Le Guin")
    visitor = HttpSession(address)
    _, page = visitor.request("GET", f"/books/{book}/")
    response, _ = visitor.post_form(f"/cart/add/{book}/", {"filler": "x" * 100_000},
                                    page=page)
    assert response.status == 400
    assert "sessionid" not in visitor.cookies  # nothing was stored


def test_a_truncated_body_is_never_handled_and_the_server_goes_on(admin, address):
    book = add_book(admin, "Ficciones", "Jorge Luis Borges")
    host, port = address
    with connect(address) as sock:
        sock.sendall((f"POST /cart/add/{book}/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Content-Length: 5000\r\n\r\ncsrfmiddlewaretoken=").encode())
        sock.shutdown(socket.SHUT_WR)  # ... and the rest never comes
        assert recv_until_eof(sock) == b""  # no reply to half a request
    assert still_serving(address)


def test_a_client_that_resets_mid_request_does_not_stop_the_server(address):
    for _ in range(3):
        sock = connect(address)
        sock.sendall(b"POST /cart/add/1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        reset_connection(sock)
    assert still_serving(address)
