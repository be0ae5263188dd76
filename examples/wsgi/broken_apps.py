"""Four WSGI applications with a bug each, for wsgiref.validate to catch.

Every one of them "works" with a forgiving server or a quick test: the
bugs show up later, with another server or another client. Wrapped in
``wsgiref.validate.validator``, each fails at once with an AssertionError
that names the rule it broke.

    python -c "import broken_apps"   # nothing to run: see the lecture
"""

from __future__ import annotations


# [start:text_body]
def text_body(environ, start_response):
    """Bug: the body is str, not bytes."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["Hello, world!\n"]
# [end:text_body]


def bad_status(environ, start_response):
    """Bug: the status has no number."""
    start_response("OK", [("Content-Type", "text/plain")])
    return [b"Hello, world!\n"]


def number_header(environ, start_response):
    """Bug: a header value that is an int, not a str."""
    body = b"Hello, world!\n"
    start_response("200 OK", [("Content-Length", len(body))])
    return [body]


def no_start_response(environ, start_response):
    """Bug: forgets to call start_response at all."""
    return [b"Hello, world!\n"]


def good(environ, start_response):
    """No bug: what the three should have been."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello, world!\n"]
