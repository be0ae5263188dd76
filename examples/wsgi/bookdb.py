"""A book database on raw WSGI: a list page, a page per book, and 404s.

The application is a Router (dispatch.py) with two handlers. Titles come
from the data, not from us, so every one is escaped with html.escape
before it goes into the page: a title such as "Python & XML" must show
its ampersand, and a title containing "<script>" must show as text.

    python examples/wsgi/serve.py bookdb --port 8080
    curl -i http://127.0.0.1:8080/books/2
"""

from __future__ import annotations

from html import escape

from dispatch import Router

# [start:books]
BOOKS = {
    "1": {"title": "Fluent Python", "author": "Luciano Ramalho",
          "publisher": "O'Reilly", "year": 2022},
    "2": {"title": "Python & XML",
          "author": "Christopher A. Jones, Fred L. Drake",
          "publisher": "O'Reilly", "year": 2001},
    "3": {"title": "Foundations of Python Network Programming",
          "author": "Brandon Rhodes, John Goerzen",
          "publisher": "Apress", "year": 2014},
    "4": {"title": "HTTP: The Definitive Guide",
          "author": "David Gourley, Brian Totty",
          "publisher": "O'Reilly", "year": 2002},
}
# [end:books]


def html_page(start_response, status: str, title: str, body: str):
    """Send a whole HTML page; `title` and `body` must be escaped already."""
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n"
    ).encode()
    start_response(status, [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(page))),
    ])
    return [page]


def error_page(environ, start_response, status, headers=()):
    """The Router's error pages (404, 405) as HTML."""
    start_response_with_headers = _adding(start_response, headers)
    message = f"<p>{escape(status)}: {escape(environ.get('PATH_INFO', ''))}</p>\n"
    return html_page(start_response_with_headers, status, escape(status), message)


def _adding(start_response, extra_headers):
    """A start_response that adds extra_headers (the 405's Allow)."""
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, *extra_headers], exc_info)
    return start


def make_app(books: dict[str, dict] = BOOKS) -> Router:
    """The book application, serving `books` (id -> fields)."""
    app = Router(error=error_page)

    # [start:list]
    @app.route("GET", "/")
    def book_list(environ, start_response):
        base = environ.get("SCRIPT_NAME", "")  # where the app is
        items = "".join(
            f'<li><a href="{base}/books/{book_id}">'
            f'{escape(book["title"])}</a></li>\n'
            for book_id, book in books.items()
        )
        body = f"<ul>\n{items}</ul>\n"
        return html_page(start_response, "200 OK", "Books", body)
    # [end:list]

    # [start:detail]
    @app.route("GET", "/books/<book_id>")
    def book_detail(environ, start_response, book_id):
        book = books.get(book_id)
        if book is None:
            return error_page(environ, start_response, "404 Not Found")
        rows = "".join(
            f"<dt>{field}</dt><dd>{escape(str(book[field]))}</dd>\n"
            for field in ("author", "publisher", "year")
        )
        home = environ.get("SCRIPT_NAME", "") + "/"
        body = f'<dl>\n{rows}</dl>\n<a href="{home}">All books</a>\n'
        title = escape(book["title"])
        return html_page(start_response, "200 OK", title, body)
    # [end:detail]

    return app


application = make_app()
