"""A REST service on raw WSGI: a collection of books as JSON.

    GET    /books          200, the list
    POST   /books          201 Created, a Location header, the new book
    GET    /books/<id>     200, or 404
    PUT    /books/<id>     200, the book replaced, or 404
    DELETE /books/<id>     204 No Content, or 404

Whatever goes wrong gets a status and a JSON body {"error": "..."}:
405 with an Allow header for a method the path does not support, 415 for
a body that is not application/json, 400 for a body that is not JSON,
411 without a Content-Length, 413 for a body over MAX_BODY bytes, 408
for a body that does not arrive in time, 422 for JSON that is not a book.

    python examples/wsgi/serve.py rest_api --port 8080
    curl -i -X POST -H 'Content-Type: application/json' \\
         -d '{"title": "Dune", "author": "Frank Herbert"}' \\
         http://127.0.0.1:8080/books
"""

from __future__ import annotations

import json
import threading

from dispatch import Router

MAX_BODY = 64 * 1024  # bytes: a book is small
UNPROCESSABLE = "422 Unprocessable Content"  # RFC 9110, 15.5.21


# [start:errors]
class ApiError(Exception):
    """An error that becomes a JSON response: status, message."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(start_response, status, data, headers=()):
    body = json.dumps(data).encode() + b"\n"
    start_response(status, [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *headers,
    ])
    return [body]
# [end:errors]


def json_error(environ, start_response, status, headers=()):
    """The Router's 404 and 405, as JSON."""
    return json_response(start_response, status, {"error": status}, headers)


# [start:read_json]
def read_json(environ, max_body: int = MAX_BODY):
    """The request's body, decoded from JSON, or an ApiError."""
    media_type = environ.get("CONTENT_TYPE", "").partition(";")[0]
    if media_type.strip().lower() != "application/json":
        raise ApiError("415 Unsupported Media Type",
                       "send application/json")
    length = environ.get("CONTENT_LENGTH", "")
    if not length.isdigit():  # missing, negative, or not a number
        raise ApiError("411 Length Required", "send a Content-Length")
    if int(length) > max_body:
        raise ApiError("413 Content Too Large",
                       f"the body is limited to {max_body} bytes")
    body = read_body(environ["wsgi.input"], int(length))
    try:
        return json.loads(body)
    except ValueError as error:  # not JSON, or not UTF-8
        problem = f"not JSON: {error}"
    raise ApiError("400 Bad Request", problem)
# [end:read_json]


def read_body(stream, length: int) -> bytes:
    """Exactly `length` bytes of body, or an ApiError if they do not come."""
    try:
        body = stream.read(length)
    except TimeoutError:
        raise ApiError("408 Request Timeout", "the body did not arrive in time") from None
    if len(body) < length:
        raise ApiError("400 Bad Request", "the body is shorter than its Content-Length")
    return body


# [start:check_book]
def check_book(data) -> dict:
    """A book's fields from request data, or a 422 ApiError."""
    if not isinstance(data, dict):
        raise ApiError(UNPROCESSABLE, "send a JSON object")
    for field in ("title", "author"):
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            problem = f"{field}: a non-empty string"
            raise ApiError(UNPROCESSABLE, problem)
    return {"title": data["title"], "author": data["author"]}
# [end:check_book]


class BookStore:
    """Books in memory, by id; safe to use from a threaded server."""

    def __init__(self):
        self.books: dict[int, dict] = {}
        self.last_id = 0
        self.lock = threading.Lock()

    def add(self, fields: dict) -> dict:
        with self.lock:
            self.last_id += 1
            book = {"id": self.last_id, **fields}
            self.books[book["id"]] = book
            return book

    def get(self, book_id: str) -> dict:
        with self.lock:
            book = self.books.get(int(book_id)) if book_id.isdigit() else None
        if book is None:
            raise ApiError("404 Not Found", f"no book {book_id}")
        return book

    def replace(self, book_id: str, fields: dict) -> dict:
        book = self.get(book_id)
        with self.lock:
            book.update(fields)
            return book

    def delete(self, book_id: str) -> None:
        book = self.get(book_id)
        with self.lock:
            self.books.pop(book["id"], None)

    def all(self) -> list[dict]:
        with self.lock:
            return list(self.books.values())


# [start:api]
def api(handler):
    """Turn an ApiError raised by handler into its JSON response."""
    def handle(environ, start_response, **params):
        try:
            return handler(environ, start_response, **params)
        except ApiError as error:
            return json_response(start_response, error.status,
                                 {"error": error.message})
    return handle
# [end:api]


def make_app(store: BookStore | None = None) -> Router:
    """The REST application, keeping its books in `store`."""
    store = store if store is not None else BookStore()
    app = Router(error=json_error)

    @app.route("GET", "/books")
    @api
    def list_books(environ, start_response):
        return json_response(start_response, "200 OK", store.all())

    # [start:create]
    @app.route("POST", "/books")
    @api
    def create_book(environ, start_response):
        book = store.add(check_book(read_json(environ)))
        return json_response(start_response, "201 Created", book,
                             [("Location", f"/books/{book['id']}")])
    # [end:create]

    @app.route("GET", "/books/<book_id>")
    @api
    def get_book(environ, start_response, book_id):
        return json_response(start_response, "200 OK", store.get(book_id))

    @app.route("PUT", "/books/<book_id>")
    @api
    def replace_book(environ, start_response, book_id):
        store.get(book_id)  # 404 before reading a body for nothing
        book = store.replace(book_id, check_book(read_json(environ)))
        return json_response(start_response, "200 OK", book)

    # [start:delete]
    @app.route("DELETE", "/books/<book_id>")
    @api
    def delete_book(environ, start_response, book_id):
        store.delete(book_id)
        start_response("204 No Content", [])
        return []
    # [end:delete]

    return app


application = make_app()
