"""Tests of the wiki (examples/traversal/wiki.py): every view and error with
WebTest, then the real program over real HTTP, and bad input over raw
sockets.  Each test has its own database in its own temporary folder."""

from __future__ import annotations

import base64
import http.client
import socket
import threading
from urllib.parse import urlencode

import pytest
from webtest import TestApp

from tests.support import (
    SOCKET_TIMEOUT,
    connect,
    in_thread,
    recv_until_eof,
    reset_connection,
    run_example,
)

from tests.net import keep_sending
from tests.support_traversal import traversal_module, traversal_modules  # noqa: F401

wiki = traversal_module("wiki")
wiki_models = traversal_module("wiki_models")

BOB = ("Basic", ("bob", "bob-pw"))


@pytest.fixture
def app(tmp_path):
    """The wiki under WebTest, on a FileStorage in tmp_path."""
    wsgi_app = wiki.make_app(wiki.file_uri(tmp_path))
    yield TestApp(wsgi_app)
    wiki.close_databases(wsgi_app)


@pytest.fixture
def bob(app):
    app.authorization = BOB
    return app


def page_text(app, name: str) -> str:
    """The first paragraph of a page, as the reader sees it."""
    return app.get(f"/{name}/").html.p.get_text()


# Reading ---------------------------------------------------------------------


def test_the_root_redirects_to_the_front_page(app):
    response = app.get("/", status=302)
    assert response.location == "http://localhost/FrontPage/"


def test_the_front_page_exists_in_a_new_wiki(app):
    response = app.get("/FrontPage/")
    assert response.content_type == "text/html"
    assert response.html.h1.text == "FrontPage"
    assert "Welcome to the wiki." in page_text(app, "FrontPage")


def test_a_missing_wikiword_links_to_the_add_form(app):
    link = app.get("/FrontPage/").html.find("a", class_="missing")
    assert link["href"] == "http://localhost/add?name=HowToEdit"


def test_an_unknown_page_is_a_404_that_offers_to_add_it(app):
    response = app.get("/NewIdea", status=404)
    assert response.html.p.text == "No page called NewIdea."
    assert response.html.find_all("a")[0]["href"] == "http://localhost/add?name=NewIdea"


def test_an_unknown_name_that_is_no_wikiword_is_a_404_without_a_link(app):
    response = app.get("/not-a-page/at/all", status=404)
    assert response.html.find("a") is None


def test_an_unknown_view_of_a_page_is_a_404(app):
    app.get("/FrontPage/delete", status=404)


def test_html_in_a_page_name_is_escaped(app):
    response = app.get("/%3Cscript%3Ealert(1)%3C%2Fscript%3E", status=404)
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


# Security: who may do what ----------------------------------------------------


def test_editing_without_a_login_asks_for_one(app):
    response = app.get("/FrontPage/edit", status=401)
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="wiki"')


@pytest.mark.parametrize(
    "header",
    ["Basic " + base64.b64encode(b"bob:wrong").decode(), "Basic !!!not-base64",
     "Bearer abc", "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
     "Basic " + base64.b64encode(b"nobody:x").decode()],
    ids=["wrong-password", "not-base64", "other-scheme", "not-utf8", "unknown-user"],
)  # fmt: skip
def test_bad_credentials_are_no_login(app, header):
    app.get("/FrontPage/edit", headers={"Authorization": header}, status=401)


def test_posting_an_edit_without_a_login_changes_nothing(app):
    app.post("/FrontPage/edit", {"text": "vandalised"}, status=401)
    assert "Welcome" in page_text(app, "FrontPage")


def test_a_user_without_the_permission_is_forbidden_not_asked_to_log_in(tmp_path):
    users = {**wiki.USERS, "eve": ("eve-pw", ["group:readers"])}
    wsgi_app = wiki.make_app(wiki.file_uri(tmp_path), users=users)
    try:
        client = TestApp(wsgi_app)
        client.authorization = ("Basic", ("eve", "eve-pw"))
        # eve is logged in, so the wiki's ACL lets her edit ...
        client.get("/FrontPage/edit", status=200)
        # ... but no one has the permission "admin" except admins
        policy = wiki.BasicAuthPolicy(users)
        front = wiki_models.new_wiki()["FrontPage"]
        request = type("Request", (), {"identity": "eve"})()
        assert not policy.permits(request, front, "admin")
        request.identity = "ann"
        assert policy.permits(request, front, "admin")
    finally:
        wiki.close_databases(wsgi_app)


# Editing, adding, history --------------------------------------------------------


def test_an_edit_is_saved_and_redirects_to_the_page(bob):
    response = bob.post("/FrontPage/edit", {"text": "New text"}, status=302)
    assert response.location == "http://localhost/FrontPage/"
    assert page_text(bob, "FrontPage") == "New text"


def test_the_edit_form_shows_the_current_text_escaped(bob):
    bob.post("/FrontPage/edit", {"text": "a </textarea> b"})
    form = bob.get("/FrontPage/edit").html.form
    assert form.textarea.text == "a </textarea> b"
    assert "a &lt;/textarea&gt; b" in bob.get("/FrontPage/edit").text


def test_html_in_page_text_is_shown_not_run(bob):
    bob.post("/FrontPage/edit", {"text": "<script>alert(1)</script>"})
    response = bob.get("/FrontPage/")
    assert response.html.find("script") is None
    assert page_text(bob, "FrontPage") == "<script>alert(1)</script>"


def test_wikiwords_link_to_existing_pages(bob):
    bob.post("/add", {"name": "HowToEdit", "text": "Like this. Back to FrontPage."})
    links = bob.get("/HowToEdit/").html.p.find_all("a")
    assert [link["href"] for link in links] == ["http://localhost/FrontPage/"]
    assert bob.get("/FrontPage/").html.p.a["href"] == "http://localhost/HowToEdit/"


def test_paragraphs_are_kept(bob):
    bob.post("/FrontPage/edit", {"text": "one\r\n\r\ntwo"})
    assert [p.text for p in bob.get("/FrontPage/").html.find_all("p")[:2]] == ["one", "two"]


def test_every_edit_is_a_version_in_the_history(bob):
    for text in ["second", "third", "third"]:  # the same text twice: one version
        bob.post("/FrontPage/edit", {"text": text})
    items = [li.text for li in bob.get("/FrontPage/history").html.find_all("li")]
    assert items == ["version 3: third", "version 2: second",
                     "version 1: Welcome to the wiki. Try HowToEdit."]  # fmt: skip


def test_adding_a_page(bob):
    form = bob.get("/add?name=HowToEdit").html.form
    assert form.input["value"] == "HowToEdit"
    response = bob.post("/add", {"name": "HowToEdit", "text": "Click edit."}, status=302)
    assert response.location == "http://localhost/HowToEdit/"
    assert page_text(bob, "HowToEdit") == "Click edit."


def test_adding_a_page_that_exists_is_a_conflict(bob):
    response = bob.post("/add", {"name": "FrontPage", "text": "again"}, status=409)
    assert "already a page called FrontPage" in response.text
    assert "Welcome" in page_text(bob, "FrontPage")


@pytest.mark.parametrize("name", ["", "lowercase", "Single", "Two Words", "<b>BadName</b>"])
def test_a_page_name_must_be_a_wikiword(bob, name):
    response = bob.post("/add", {"name": name, "text": "x"}, status=400)
    assert "a page name is a WikiWord" in response.text
    assert "<b>" not in response.text


def test_a_form_without_text_is_a_bad_request(bob):
    response = bob.post("/FrontPage/edit", {"other": "x"}, status=400)
    assert "no text field" in response.text


def test_text_over_the_limit_is_refused_and_nothing_is_saved(bob):
    text = "x" * (wiki_models.MAX_TEXT + 1)
    response = bob.post("/FrontPage/edit", {"text": text}, status=400)
    assert f"limited to {wiki_models.MAX_TEXT} characters" in response.text
    assert "Welcome" in page_text(bob, "FrontPage")
    bob.post("/FrontPage/edit", {"text": "x" * wiki_models.MAX_TEXT}, status=302)


def test_a_body_over_the_limit_is_refused_by_the_app_too(bob):
    body = urlencode({"text": "y" * (wiki.MAX_BODY + 1)})
    bob.post("/FrontPage/edit", body, content_type="application/x-www-form-urlencoded",
             status=413)  # fmt: skip
    assert "Welcome" in page_text(bob, "FrontPage")


def test_a_form_that_is_not_utf8_is_a_bad_request(bob):
    response = bob.post("/FrontPage/edit", b"text=caf%E9", status=400,
                        content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert "not valid UTF-8" in response.text
    assert "Welcome" in page_text(bob, "FrontPage")


def test_pages_outlive_the_app(tmp_path):
    first = wiki.make_app(wiki.file_uri(tmp_path))
    client = TestApp(first)
    client.authorization = BOB
    client.post("/FrontPage/edit", {"text": "remembered"})
    wiki.close_databases(first)
    second = wiki.make_app(wiki.file_uri(tmp_path))
    try:
        assert page_text(TestApp(second), "FrontPage") == "remembered"
    finally:
        wiki.close_databases(second)


# The real program, over real HTTP --------------------------------------------------


@pytest.fixture
def server(tmp_path):
    """wiki.py as a student runs it, on a free port: (process, (host, port))."""
    with run_example("traversal", "wiki", "--data", str(tmp_path)) as (process, host, port):
        yield process, (host, port)


def request(address, method: str, path: str, body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection(*address, timeout=SOCKET_TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def edit_over_http(address, text: str) -> int:
    credentials = base64.b64encode(b"bob:bob-pw").decode()
    status, _, _ = request(
        address, "POST", "/FrontPage/edit", urlencode({"text": text}).encode(),
        {"Authorization": f"Basic {credentials}",
         "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    return status


def test_the_program_serves_edits_over_http(server):
    _, address = server
    status, headers, _ = request(address, "GET", "/")
    assert status == 302
    assert headers["Location"] == f"http://{address[0]}:{address[1]}/FrontPage/"
    assert edit_over_http(address, "over the wire") == 302
    status, _, body = request(address, "GET", "/FrontPage/")
    assert status == 200 and "<p>over the wire</p>" in body


def test_the_data_survives_a_restart(tmp_path):
    with run_example("traversal", "wiki", "--data", str(tmp_path)) as (_, host, port):
        assert edit_over_http((host, port), "kept on disk") == 302
    assert (tmp_path / "Data.fs").is_file()
    with run_example("traversal", "wiki", "--data", str(tmp_path)) as (_, host, port):
        _, _, body = request((host, port), "GET", "/FrontPage/")
    assert "<p>kept on disk</p>" in body


def raw_exchange(address, data: bytes) -> bytes:
    """Send data, close our side, read the whole reply."""
    with connect(address) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        return recv_until_eof(sock)


def assert_still_serving_unchanged(process, address):
    status, _, body = request(address, "GET", "/FrontPage/")
    assert status == 200 and "Welcome to the wiki." in body
    assert process.poll() is None


@pytest.mark.parametrize(
    "data",
    [b"\x00\xff garbage\r\n\r\n", b"GET /FrontPage/ HTTP/1.1\r\nNo colon here\r\n\r\n",
     b"GET /FrontPage/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"],
    ids=["not-http", "header-without-colon", "bad-content-length"],
)  # fmt: skip
def test_a_malformed_request_gets_400(server, data):
    process, address = server
    reply = raw_exchange(address, data)
    assert reply.split(b"\r\n")[0] in (b"HTTP/1.0 400 Bad Request", b"HTTP/1.1 400 Bad Request")
    assert_still_serving_unchanged(process, address)


def test_an_unknown_transfer_encoding_gets_501(server):
    process, address = server
    request_head = b"POST /FrontPage/edit HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"
    reply = raw_exchange(address, request_head)
    assert reply.startswith(b"HTTP/1.1 501 Not Implemented")
    assert_still_serving_unchanged(process, address)


def test_a_body_over_the_limit_gets_413_without_being_read(server):
    process, address = server
    head = (
        "POST /FrontPage/edit HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {100 * wiki.MAX_BODY}\r\n\r\n"
    ).encode()
    reply = raw_exchange(address, head + b"text=" + b"z" * 1000)
    assert reply.startswith(b"HTTP/1.1 413 Request Entity Too Large")
    assert_still_serving_unchanged(process, address)


def first_line_while_sending(address, head: bytes) -> bytes:
    """Send head, then keep sending, until the server answers; return the
    first line of its answer."""
    stop = threading.Event()
    with connect(address) as sock:
        sock.sendall(head)
        with in_thread(keep_sending, sock, stop):
            try:
                reply = sock.recv(1024)
            finally:
                stop.set()
    return reply.split(b"\r\n")[0]


def test_an_endless_chunked_body_gets_413(server):
    process, address = server
    head = (
        b"POST /FrontPage/edit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        b"%x\r\ntext=" % (1000 * wiki.MAX_BODY)
    )
    assert first_line_while_sending(address, head) == b"HTTP/1.1 413 Request Entity Too Large"
    assert_still_serving_unchanged(process, address)


def test_a_header_over_the_limit_is_cut_off(server):
    process, address = server
    head = b"GET /FrontPage/ HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 300_000
    try:
        line = first_line_while_sending(address, head)
    except (ConnectionResetError, BrokenPipeError):
        line = b""  # waitress may close before it answers
    assert line in (b"", b"HTTP/1.0 431 Request Header Fields Too Large",
                    b"HTTP/1.1 431 Request Header Fields Too Large")  # fmt: skip
    assert_still_serving_unchanged(process, address)


def test_a_form_that_is_not_utf8_gets_400_over_http(server):
    process, address = server
    credentials = base64.b64encode(b"bob:bob-pw").decode()
    status, _, body = request(
        address, "POST", "/FrontPage/edit", b"text=caf%E9",
        {"Authorization": f"Basic {credentials}",
         "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 400 and "not valid UTF-8" in body
    assert_still_serving_unchanged(process, address)


def truncated_edit(text: bytes) -> bytes:
    credentials = base64.b64encode(b"bob:bob-pw")
    return (
        b"POST /FrontPage/edit HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + credentials
        + b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + b"Content-Length: 1000\r\n\r\ntext=" + text
    )  # fmt: skip


def test_half_a_body_then_a_close_saves_nothing(server):
    process, address = server
    reply = raw_exchange(address, truncated_edit(b"half an edit"))
    assert reply == b""  # no request was made of half a body
    assert_still_serving_unchanged(process, address)


def test_a_reset_in_the_middle_of_a_body_saves_nothing(server):
    process, address = server
    sock = connect(address)
    sock.sendall(truncated_edit(b"cut off"))
    reset_connection(sock)
    assert_still_serving_unchanged(process, address)


def test_after_all_that_no_traceback_was_printed(server):
    process, address = server
    raw_exchange(address, b"\x00\xff garbage\r\n\r\n")
    raw_exchange(address, truncated_edit(b"x"))
    assert_still_serving_unchanged(process, address)
    process.terminate()
    _, stderr = process.communicate(timeout=SOCKET_TIMEOUT)
    assert "Traceback" not in stderr


# Two edits of one page at the same time ------------------------------------------


def test_two_simultaneous_edits_of_a_page_both_count(tmp_path):
    """Both requests change FrontPage before either commits: the second
    commit conflicts, and pyramid_retry runs that request again, on top of
    the first one's edit.  Without the retry, it would answer 500."""
    both_edited = threading.Barrier(2, timeout=SOCKET_TIMEOUT)

    def edit_together(context, request):
        context.edit(request.params["text"])
        if request.environ["retry.attempt"] == 0:  # first time: wait for the other
            both_edited.wait()
        return wiki.HTTPFound(request.resource_url(context))

    def extension(config):
        config.add_view(edit_together, context=wiki_models.Page, name="together",
                        permission="edit")  # fmt: skip

    wsgi_app = wiki.make_app(wiki.file_uri(tmp_path), extension)
    try:
        client = TestApp(wsgi_app)
        client.authorization = BOB
        statuses = []

        def edit(text):
            statuses.append(client.get("/FrontPage/together", {"text": text},
                                       expect_errors=True).status_int)  # fmt: skip

        with in_thread(edit, "from A"):
            edit("from B")
        assert statuses == [302, 302]
        items = [li.text for li in client.get("/FrontPage/history").html.find_all("li")]
        assert len(items) == 3  # the first text and both edits
        assert {items[0], items[1]} == {"version 3: from A", "version 3: from B",
                                        "version 2: from A", "version 2: from B"} & set(items)
    finally:
        wiki.close_databases(wsgi_app)
