"""A dispatcher: send each request to the handler for its method and path.

A WSGI server calls one application for every request. Real sites have
many pages, so the application is usually a *router*: it looks at
``REQUEST_METHOD`` and ``PATH_INFO`` and calls the handler registered for
that pair. Patterns are paths in which ``<name>`` matches one path
segment; the segment is passed to the handler as a keyword argument.

A path that matches no pattern gets 404 Not Found; a path that matches
with another method gets 405 Method Not Allowed with an ``Allow`` header
listing the methods that would work. GET handlers answer HEAD too.

    python -c "import dispatch"   # a library: bookdb.py and rest_api.py use it
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Handler = Callable[..., Iterable[bytes]]


def plain_error(environ, start_response, status, headers=()):
    """The default error page: the status as plain text."""
    body = f"{status}\n".encode()
    start_response(status, [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        *headers,
    ])
    return [body]


# [start:compile]
def compile_pattern(pattern: str) -> re.Pattern:
    """'/books/<book_id>' -> a regex with a group named book_id."""
    regex = ""
    for part in re.split(r"(<\w+>)", pattern):
        if part.startswith("<"):
            regex += f"(?P{part}[^/]+)"  # one path segment
        else:
            regex += re.escape(part)
    return re.compile(regex)
# [end:compile]


class Router:
    """A WSGI application that dispatches on (method, path pattern)."""

    def __init__(self, error=plain_error):
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.error = error  # error(environ, start_response, status, headers)

    # [start:route]
    def route(self, method: str, pattern: str):
        """Decorator: @router.route("GET", "/books/<book_id>")."""
        def register(handler: Handler) -> Handler:
            regex = compile_pattern(pattern)
            self.routes.append((method, regex, handler))
            return handler
        return register
    # [end:route]

    # [start:call]
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method == "HEAD":
            method = "GET"  # the same answer; the body is not sent
        path = environ.get("PATH_INFO") or "/"
        allowed = set()
        for route_method, regex, handler in self.routes:
            if match := regex.fullmatch(path):
                if method == route_method:
                    params = match.groupdict()
                    return handler(environ, start_response, **params)
                allowed.add(route_method)
        if not allowed:
            return self.error(environ, start_response, "404 Not Found")
        return self.method_not_allowed(environ, start_response, allowed)
    # [end:call]

    def method_not_allowed(self, environ, start_response, allowed):
        """405, with the methods that would work in Allow."""
        if "GET" in allowed:
            allowed.add("HEAD")
        allow = ("Allow", ", ".join(sorted(allowed)))
        return self.error(environ, start_response,
                          "405 Method Not Allowed", [allow])
