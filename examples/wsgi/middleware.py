"""WSGI middleware: applications that wrap an application.

A middleware takes an application and returns a new one. The server sees
one WSGI application; inside, each layer can look at the request, change
the response, or answer by itself without calling the layer below.

    logging_middleware(app)      one log line per request, with its time
    basic_auth(app, users)       401 unless the right name and password
    gzip_middleware(app)         compress the body for clients that accept it
    protect(app, users)          all three, stacked

    python examples/wsgi/serve.py protected --port 8080
    curl -i -u student:secret --compressed http://127.0.0.1:8080/books
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hmac
import sys
import time


def log_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# [start:logging]
def logging_middleware(app, log=log_to_stderr):
    """Log method, path, status and time taken for every request."""
    def logged(environ, start_response):
        started = time.perf_counter()
        status = "-"

        def start(new_status, headers, exc_info=None):
            nonlocal status
            status = new_status
            return start_response(new_status, headers, exc_info)

        body = app(environ, start)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
            took = (time.perf_counter() - started) * 1000
            log(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} "
                f"{status[:3]} {took:.1f} ms")
    return logged
# [end:logging]


# [start:credentials]
def user_of(authorization: str, users: dict[str, str]) -> str | None:
    """The user named by a valid 'Basic ...' header, else None."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        pair = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = pair.partition(":")
    expected = users.get(user, "").encode()
    # compare_digest takes as long for a near miss as for a far one
    same = hmac.compare_digest(password.encode(), expected)
    return user if same and user in users else None
# [end:credentials]


# [start:basic_auth]
def basic_auth(app, users: dict[str, str], realm: str = "course"):
    """Let a request through only with a valid user and password."""
    def protected(environ, start_response):
        user = user_of(environ.get("HTTP_AUTHORIZATION", ""), users)
        if user is not None:
            environ["REMOTE_USER"] = user
            return app(environ, start_response)
        body = b"401 Unauthorized: log in\n"
        challenge = f'Basic realm="{realm}", charset="UTF-8"'
        start_response("401 Unauthorized", [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("WWW-Authenticate", challenge),
        ])
        return [body]
    return protected
# [end:basic_auth]


def accepts_gzip(environ) -> bool:
    """Whether Accept-Encoding lists gzip (and does not refuse it with q=0)."""
    for item in environ.get("HTTP_ACCEPT_ENCODING", "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def refuse_write(data: bytes) -> None:
    raise RuntimeError("gzip_middleware: return the body, do not write() it")


def collect(body) -> bytes:
    """The whole body of a response, closed after reading."""
    try:
        return b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()


def with_length(headers, length: int) -> list[tuple[str, str]]:
    """The headers, with Vary and a new Content-Length."""
    kept = [(name, value) for name, value in headers
            if name.lower() != "content-length"]
    return [*kept, ("Vary", "Accept-Encoding"),
            ("Content-Length", str(length))]


# [start:gzip]
def gzip_middleware(app, smallest: int = 200):
    """Compress bodies of `smallest` bytes or more, if accepted."""
    def compressing(environ, start_response):
        response = {}

        def start(status, headers, exc_info=None):
            response.update(status=status, headers=headers)
            return refuse_write  # the old write(): not supported

        data = collect(app(environ, start))
        headers = response["headers"]
        if accepts_gzip(environ) and len(data) >= smallest:
            data = gzip.compress(data)
            headers = [*headers, ("Content-Encoding", "gzip")]
        headers = with_length(headers, len(data))
        start_response(response["status"], headers)
        return [data]
    return compressing
# [end:gzip]


# [start:protect]
def protect(app, users: dict[str, str], log=log_to_stderr):
    """Logging outside (it sees the 401s), then auth, then gzip."""
    app = gzip_middleware(app)
    app = basic_auth(app, users)
    return logging_middleware(app, log)
# [end:protect]
