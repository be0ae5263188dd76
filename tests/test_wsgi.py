"""Tests of lecture 7's WSGI applications, in process, with WebTest.

webtest.TestApp calls the application as a server would (it builds the
environ, checks the app with wsgiref.validate, and parses the response);
no socket is involved. The same applications over real HTTP, under
wsgiref and waitress, are in test_wsgi_servers.py.
"""

from __future__ import annotations

import gzip
import json
import re
from base64 import b64encode
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from tests.support import load_example

hello_wsgi = load_example("wsgi", "hello_wsgi")
broken_apps = load_example("wsgi", "broken_apps")
dispatch = load_example("wsgi", "dispatch")
bookdb = load_example("wsgi", "bookdb")
rest_api = load_example("wsgi", "rest_api")
middleware = load_example("wsgi", "middleware")
cgi_launcher = load_example("wsgi", "cgi_launcher")


def call(app, method="GET", path="/", query="", headers=None, body=b""):
    """Call a WSGI app directly: (status, headers, body bytes)."""
    import io

    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
               "QUERY_STRING": query,
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    environ.update(headers or {})
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, response_headers, exc_info=None):
        seen.update(status=status, headers=response_headers)

    result = app(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return seen["status"], seen["headers"], data


# hello_wsgi ------------------------------------------------------------------

def test_hello_greets_the_name_in_the_query_string_escaped():
    app = TestApp(hello_wsgi.hello_app)
    assert app.get("/?name=Ada").text == "<p>Hello, Ada!</p>\n"
    assert app.get("/?name=%3Cb%3E").text == "<p>Hello, &lt;b&gt;!</p>\n"
    assert app.get("/").text == "<p>Hello, world!</p>\n"


# wsgiref.validate and the broken apps -------------------------------------------

@pytest.mark.parametrize(("name", "complaint"), [
    ("text_body", "Iterator yielded non-bytestring"),
    ("bad_status", "Status codes must be three characters"),
    ("number_header", "must be of type str"),
    ("no_start_response", "start_response has not yet been called"),
], ids=["str body", "status without code", "int header", "no start_response"])
def test_validator_catches_each_broken_app(name, complaint):
    app = validator(getattr(broken_apps, name))
    with pytest.raises(AssertionError, match=complaint):
        call(app)


def test_validator_lets_the_good_app_through():
    assert call(validator(broken_apps.good))[::2] == ("200 OK", b"Hello, world!\n")


# The dispatcher ---------------------------------------------------------------

def make_router():
    router = dispatch.Router()

    @router.route("GET", "/items/<item_id>")
    def show(environ, start_response, item_id):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"item {item_id}".encode()]

    @router.route("DELETE", "/items/<item_id>")
    def delete(environ, start_response, item_id):
        start_response("204 No Content", [])
        return []

    return router


def test_compile_pattern_matches_one_segment_per_name():
    regex = dispatch.compile_pattern("/books/<book_id>/notes/<n>")
    assert regex.fullmatch("/books/7/notes/2").groupdict() == {"book_id": "7", "n": "2"}
    assert regex.fullmatch("/books/7/8/notes/2") is None
    assert dispatch.compile_pattern("/a.b").fullmatch("/axb") is None  # escaped


def test_router_passes_path_segments_to_the_handler():
    app = TestApp(make_router())
    assert app.get("/items/42").text == "item 42"
    assert app.delete("/items/42").status == "204 No Content"


def test_router_answers_head_with_the_get_handler():
    response = TestApp(make_router()).head("/items/1")
    assert response.status == "200 OK"


def test_router_answers_404_for_an_unknown_path():
    response = TestApp(make_router()).get("/nothing", status=404)
    assert response.text == "404 Not Found\n"


def test_router_answers_405_with_the_allowed_methods():
    response = TestApp(make_router()).post("/items/1", status=405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD"


# The book database ------------------------------------------------------------

def test_book_list_links_every_book():
    page = TestApp(bookdb.make_app()).get("/")
    links = re.findall(r'<a href="(/books/\d+)">([^<]*)</a>', page.text)
    assert links == [
        ("/books/1", "Fluent Python"),
        ("/books/2", "Python &amp; XML"),
        ("/books/3", "Foundations of Python Network Programming"),
        ("/books/4", "HTTP: The Definitive Guide"),
    ]
    assert page.content_type == "text/html"


def test_book_detail_shows_the_fields():
    page = TestApp(bookdb.make_app()).get("/books/3")
    assert "<h1>Foundations of Python Network Programming</h1>" in page.text
    assert "<dd>Apress</dd>" in page.text and "<dd>2014</dd>" in page.text


def test_titles_are_escaped_for_html():
    books = {"x": {"title": "<script>alert('owned')</script> & co",
                   "author": "A <b>", "publisher": "P", "year": 1}}
    app = TestApp(bookdb.make_app(books))
    escaped = "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt; &amp; co"
    assert escaped in app.get("/").text
    detail = app.get("/books/x").text
    assert f"<h1>{escaped}</h1>" in detail and "<dd>A &lt;b&gt;</dd>" in detail
    assert "<script>" not in detail


@pytest.mark.parametrize("path", ["/books/99", "/books/", "/nothing", "/books/1/x"])
def test_unknown_books_and_paths_get_an_html_404(path):
    page = TestApp(bookdb.make_app()).get(path, status=404)
    assert "<h1>404 Not Found</h1>" in page.text
    assert page.content_type == "text/html"


def test_bookdb_answers_post_with_405_and_allow():
    page = TestApp(bookdb.make_app()).post("/books/1", status=405)
    assert page.headers["Allow"] == "GET, HEAD"


def test_bookdb_links_start_with_the_script_name():
    status, _, body = call(bookdb.make_app(), headers={"SCRIPT_NAME": "/cgi-bin/books.py"})
    assert status == "200 OK"
    assert b'<a href="/cgi-bin/books.py/books/1">' in body


# The REST service ---------------------------------------------------------------

@pytest.fixture
def api():
    return TestApp(rest_api.make_app())


DUNE = {"title": "Dune", "author": "Frank Herbert"}


def test_post_creates_a_book_201_with_location(api):
    response = api.post_json("/books", DUNE, status=201)
    assert response.json == {"id": 1, **DUNE}
    assert response.headers["Location"] == "/books/1"
    assert api.get("/books/1").json == {"id": 1, **DUNE}
    assert api.get("/books").json == [{"id": 1, **DUNE}]


def test_put_replaces_and_delete_removes(api):
    api.post_json("/books", DUNE, status=201)
    changed = api.put_json("/books/1", {"title": "Dune Messiah", "author": "F. H."})
    assert changed.json == {"id": 1, "title": "Dune Messiah", "author": "F. H."}
    deleted = api.delete("/books/1", status=204)
    assert deleted.body == b""
    assert api.get("/books/1", status=404).json == {"error": "no book 1"}


@pytest.mark.parametrize("method", ["get", "delete"])
def test_missing_books_are_404_in_json(api, method):
    response = getattr(api, method)("/books/7", status=404)
    assert response.json == {"error": "no book 7"}


def test_put_on_a_missing_book_is_404(api):
    assert api.put_json("/books/7", DUNE, status=404).json == {"error": "no book 7"}


def test_unknown_path_is_a_json_404(api):
    assert api.get("/authors", status=404).json == {"error": "404 Not Found"}


def test_wrong_method_is_405_with_allow(api):
    response = api.delete("/books", status=405)
    assert response.headers["Allow"] == "GET, HEAD, POST"
    assert response.json == {"error": "405 Method Not Allowed"}


def test_a_body_that_is_not_json_content_is_415(api):
    response = api.post("/books", "title=Dune", status=415)
    assert response.json == {"error": "send application/json"}


def test_bad_json_is_400_with_a_json_error(api):
    response = api.post("/books", b'{"title": "Dune",', status=400,
                        content_type="application/json")
    assert response.json["error"].startswith("not JSON: Expecting property name")


def test_bytes_that_are_not_utf8_are_400(api):
    response = api.post("/books", b'"\xff"', status=400, content_type="application/json")
    assert response.json["error"].startswith("not JSON")


@pytest.mark.parametrize("data", [[1, 2], {"title": "Dune"}, {"title": " ", "author": "x"},
                                  {"title": 3, "author": "x"}])
def test_json_that_is_not_a_book_is_422(api, data):
    response = api.post_json("/books", data, status=422)
    assert response.json["error"] in ("send a JSON object", "title: a non-empty string",
                                      "author: a non-empty string")


def test_a_body_over_the_limit_is_413(api):
    big = {"title": "x" * rest_api.MAX_BODY, "author": "y"}
    response = api.post_json("/books", big, status=413)
    assert response.json == {"error": f"the body is limited to {rest_api.MAX_BODY} bytes"}


def test_content_type_with_charset_is_accepted(api):
    api.post("/books", json.dumps(DUNE), status=201,
             content_type="application/json; charset=utf-8")


def test_read_json_refuses_a_missing_content_length():
    import io
    environ = {"CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(b"{}")}
    with pytest.raises(rest_api.ApiError) as raised:
        rest_api.read_json(environ)
    assert raised.value.status == "411 Length Required"


def test_read_json_notices_a_body_shorter_than_its_length():
    import io
    environ = {"CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "10",
               "wsgi.input": io.BytesIO(b"{}")}
    with pytest.raises(rest_api.ApiError, match="shorter than its Content-Length"):
        rest_api.read_json(environ)


# Middleware ----------------------------------------------------------------------

def basic(user, password):
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode()


def test_logging_middleware_logs_method_path_status_and_time():
    lines = []
    app = TestApp(middleware.logging_middleware(bookdb.make_app(), lines.append))
    app.get("/books/1")
    app.get("/books/99", status=404)
    assert len(lines) == 2
    assert re.fullmatch(r"GET /books/1 200 \d+\.\d ms", lines[0])
    assert lines[1].startswith("GET /books/99 404 ")


@pytest.mark.parametrize("authorization", [
    None, basic("student", "wrong"), basic("nobody", "secret"), "Basic !!!",
    "Bearer abc", "Basic " + b64encode(b"\xff:\xfe").decode(), basic("student", ""),
], ids=["none", "wrong password", "unknown user", "not base64", "other scheme",
        "not UTF-8", "empty password"])
def test_basic_auth_refuses_with_401_and_a_challenge(authorization):
    app = TestApp(middleware.basic_auth(bookdb.make_app(), {"student": "secret"}))
    headers = {"Authorization": authorization} if authorization else {}
    response = app.get("/", headers=headers, status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="course", charset="UTF-8"'


def test_basic_auth_lets_the_right_user_in_and_names_them():
    seen = []

    def whoami(environ, start_response):
        seen.append(environ["REMOTE_USER"])
        return hello_wsgi.hello_app(environ, start_response)

    app = TestApp(middleware.basic_auth(whoami, {"student": "sec:ret"}))
    app.get("/", headers={"Authorization": basic("student", "sec:ret")}, status=200)
    assert seen == ["student"]


# WebTest decodes gzip bodies for us: these call the app directly.

def test_gzip_compresses_for_clients_that_accept_it():
    app = middleware.gzip_middleware(bookdb.make_app())
    _, plain_headers, plain = call(app)
    _, headers, zipped = call(app, headers={"HTTP_ACCEPT_ENCODING": "br, gzip;q=0.8"})
    headers = dict(headers)
    assert "Content-Encoding" not in dict(plain_headers)
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == dict(plain_headers)["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped) == plain
    assert int(headers["Content-Length"]) == len(zipped) < len(plain)


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "deflate"])
def test_gzip_leaves_the_body_alone_when_gzip_is_not_accepted(accept):
    app = middleware.gzip_middleware(bookdb.make_app())
    _, headers, body = call(app, headers={"HTTP_ACCEPT_ENCODING": accept})
    assert "Content-Encoding" not in dict(headers)
    assert body.startswith(b"<!DOCTYPE html>")


def test_gzip_leaves_small_bodies_alone():
    app = middleware.gzip_middleware(hello_wsgi.hello_app)
    _, _, body = call(app, headers={"HTTP_ACCEPT_ENCODING": "gzip"})
    assert body == b"<p>Hello, world!</p>\n"


def test_gzip_refuses_the_write_callable():
    def writer(environ, start_response):
        start_response("200 OK", [])("data")
        return []

    with pytest.raises(RuntimeError, match="do not write"):
        call(middleware.gzip_middleware(writer))


def test_the_stack_logs_refusals_and_serves_compressed_json():
    lines = []
    app = TestApp(middleware.protect(rest_api.make_app(), {"student": "secret"}, lines.append))
    app.get("/books", status=401)
    login = {"Authorization": basic("student", "secret"), "Accept-Encoding": "gzip"}
    for number in range(10):
        app.post_json("/books", {"title": f"Book {number}", "author": "A"}, headers=login)
    books = app.get("/books", headers=login)  # WebTest decompresses it
    assert len(books.json) == 10
    assert lines[0].startswith("GET /books 401 ") and lines[-1].startswith("GET /books 200 ")


# The CGI launcher's pieces ------------------------------------------------------

def test_parse_cgi_output_reads_status_headers_and_body():
    output = b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno\n\nmore"
    assert cgi_launcher.parse_cgi_output(output) == (
        "404 Not Found", [("Content-Type", "text/plain")], b"no\n\nmore")


def test_parse_cgi_output_defaults_to_200_and_accepts_bare_newlines():
    assert cgi_launcher.parse_cgi_output(b"Content-Type: text/plain\n\nhi") == (
        "200 OK", [("Content-Type", "text/plain")], b"hi")


@pytest.mark.parametrize("output", [
    b"Content-Type: text/plain\r\nhello", b"hello world\n\nbody", b"Status: 2000\n\n",
    b"Status: OK\n\n",
], ids=["no empty line", "not a header", "bad status", "status without code"])
def test_parse_cgi_output_refuses_what_is_not_cgi(output):
    with pytest.raises(ValueError):
        cgi_launcher.parse_cgi_output(output)
