"""Django set up once per process for lecture 9 (source/django.rst), its
sessions and its tests.

A pytest plugin (root conftest.py): the session-scoped fixtures here are
in the namespace of the lecture's sessions, and any test can ask for them.

    bookshop_django    Django set up with examples/django's settings on a
                       fresh, migrated SQLite database in a temporary folder
    bookshop_address   (host, port) of the bookshop served on loopback by
                       wsgiref in a thread, for sessions that talk HTTP

Django's app registry can be filled only once per process, so the set-up
happens once, whoever asks first (a test module or the lecture's
sessions). Nothing here runs unless a Django test or session asks for it:
DJANGO_SETTINGS_MODULE is set only while Django reads it, so other
lectures' tests never see Django configured.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from tests.course import EXAMPLES
from tests.net import serving_forever

FOLDER = EXAMPLES / "django"
# The bookshop's modules as Django imported them: the lecture's sessions
# forget every module of examples/django when they end (conftest.end_lecture),
# and a model module imported twice would register its models twice.
MODULES: dict[str, object] = {}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only


def restore_modules() -> None:
    """Put the bookshop's modules back as Django first imported them."""
    sys.modules.update(MODULES)


def _setup_django(database: Path) -> None:
    import django
    from django.core.management import call_command
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import resolve

    environment = {
        "DJANGO_SETTINGS_MODULE": "bookshop.settings",
        "SECRET_KEY": "tests-only-not-secret",
        "DATABASE_URL": f"sqlite:///{database}",  # database: an absolute path
        "COURSE_IMPL": os.environ.get("COURSE_IMPL", "solution"),
    }
    sys.path.insert(0, str(FOLDER))
    saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        with mock.patch.dict(os.environ, environment):
            django.setup()
            override_settings(PASSWORD_HASHERS=FAST_HASHER).enable()
            setup_test_environment()  # test client responses keep their context
            call_command("migrate", verbosity=0)
            resolve("/")  # imports the URLconfs and every view now
    finally:
        sys.dont_write_bytecode = saved
        sys.path.remove(str(FOLDER))
    MODULES.update(
        (name, module)
        for name, module in sys.modules.items()
        if str(getattr(module, "__file__", None) or "").startswith(str(FOLDER) + "/")
    )


@pytest.fixture(scope="session")
def bookshop_django(tmp_path_factory) -> Iterator[None]:
    from django.apps import apps

    if not apps.ready:
        _setup_django(tmp_path_factory.mktemp("bookshop") / "bookshop.sqlite3")
    restore_modules()
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="session")
def bookshop_address(bookshop_django) -> Iterator[tuple[str, int]]:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.handlers.wsgi import WSGIHandler

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
    with serving_forever(server, long_lived=True) as address:
        yield address
