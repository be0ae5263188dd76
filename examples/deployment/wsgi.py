"""The microblog of lecture 8, dressed for production: what gunicorn serves.

    gunicorn --config examples/deployment/gunicorn.conf.py wsgi:application

This module does not change the microblog (examples/flask/microblog): it
builds it with its own factory, from settings in the environment, and wraps
it in three small WSGI middlewares:

* ProxyFix (werkzeug): the client's address and scheme come from the
  X-Forwarded-For and X-Forwarded-Proto headers set by ONE proxy, nginx;
* request ids: every request carries an X-Request-ID (nginx's, or a new
  one), which is logged and sent back with the reply;
* /healthz: a health check for the load balancer and the deploy script,
  answered without touching the rest of the application.

Settings (12-factor: configuration lives in the environment):

    SECRET_KEY      required, the key that signs session cookies
    DATABASE_URL    the database (default: SQLite in the instance folder)
    RELEASE_DIR     a folder whose VERSION file names the running release
"""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

# The microblog is lecture 8's; deployed, it would be an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flask"))

log = logging.getLogger("microblog.requests")


# [start:settings]
class ConfigurationError(RuntimeError):
    """A setting the application cannot start without is missing."""


def settings_from(environ: dict[str, str]) -> dict[str, str]:
    """The Flask settings, read from environment variables."""
    secret = environ.get("SECRET_KEY", "")
    if len(secret) < 16:
        raise ConfigurationError(
            "SECRET_KEY must be set (16+ characters)")
    settings = {"SECRET_KEY": secret}
    if "DATABASE_URL" in environ:
        settings["SQLALCHEMY_DATABASE_URI"] = environ["DATABASE_URL"]
    return settings
# [end:settings]


def release_version(environ: dict[str, str]) -> str:
    """The text of $RELEASE_DIR/VERSION, read once, when a worker starts."""
    folder = environ.get("RELEASE_DIR")
    if not folder:
        return "unknown"
    return (Path(folder) / "VERSION").read_text().strip()


# [start:healthz]
def health_check(app, version: str, path: str = "/healthz"):
    """Answer GET `path` with a small JSON document; pass the rest."""
    def middleware(environ, start_response):
        if environ.get("PATH_INFO") != path:
            return app(environ, start_response)
        body = json.dumps({
            "status": "ok", "version": version, "pid": os.getpid(),
            "client": environ.get("REMOTE_ADDR"),
            "scheme": environ["wsgi.url_scheme"]}).encode()
        start_response("200 OK", [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store")])
        return [body]
    return middleware
# [end:healthz]


# [start:request_ids]
def request_ids(app):
    """Give every request an id (the proxy's, or a new one): logged,
    and sent back in the X-Request-ID header of the reply."""
    def middleware(environ, start_response):
        request_id = valid_id(environ.get("HTTP_X_REQUEST_ID"))
        environ["HTTP_X_REQUEST_ID"] = request_id

        def start(status, headers, exc_info=None):
            log.info("%s %s %s -> %s", request_id,
                     environ["REQUEST_METHOD"], environ["PATH_INFO"],
                     status.split()[0])
            headers.append(("X-Request-ID", request_id))
            return start_response(status, headers, exc_info)
        return app(environ, start)
    return middleware
# [end:request_ids]


def valid_id(value: str | None) -> str:
    """value if it looks like an id (short, letters, digits, '-'), else a new one."""
    if value and len(value) <= 64 and value.replace("-", "").isalnum():
        return value
    return uuid.uuid4().hex


# [start:build]
def build(environ=os.environ):
    """The microblog, configured from `environ`, with middleware."""
    from microblog import create_app

    app = create_app(settings_from(environ))
    app = health_check(app, release_version(environ))
    app = request_ids(app)
    # one proxy in front: trust the one address it appended
    return ProxyFix(app, x_for=1, x_proto=1)
# [end:build]


def __getattr__(name: str):
    """`wsgi:application`, built when gunicorn (a worker) first asks."""
    if name == "application":
        return build()
    raise AttributeError(name)
