"""Helpers for lecture 9's tests (the bookshop in examples/django/).

    shop_db                    fixture: the in-process bookshop (set up once,
                               tests/sessions_django.py) on an emptied database
    add_books()                two authors and three books; returns the books
    make_user(name, ...)       a user with PASSWORD (optionally staff, permissions)
    csrf_token(html)           the CSRF token of the first form on a page
    bookshop_server(url, tmp)  manage.py migrate + createsuperuser, then
                               serve.py (waitress) in a child process on
                               database `url`; yields (host, port)
    HttpSession                http.client with a cookie jar of its own
"""

from __future__ import annotations

import http.client
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.cookies import SimpleCookie
from unittest import mock
from urllib.parse import urlencode

import pytest

from tests.sessions_django import restore_modules
from tests.support import run_example, run_script

PASSWORD = "correct horse battery"
ADMIN = "admin"


@pytest.fixture
def shop_db(bookshop_django) -> Iterator[None]:
    """The bookshop in this process, on a database emptied for this test."""
    from django.core.management import call_command

    restore_modules()
    call_command("flush", interactive=False, verbosity=0)
    yield
    call_command("flush", interactive=False, verbosity=0)


def add_books():
    from django.apps import apps

    Author, Book = apps.get_model("shop", "Author"), apps.get_model("shop", "Book")
    le_guin = Author.objects.create(name="Ursula K. Le Guin")
    pratchett = Author.objects.create(name="Terry Pratchett")
    return [
        Book.objects.create(title="The Dispossessed", author=le_guin,
                            price=Decimal("14.50"), stock=5),
        Book.objects.create(title="A Wizard of Earthsea", author=le_guin,
                            price=Decimal("9.99"), stock=1),
        Book.objects.create(title="Small Gods", author=pratchett,
                            price=Decimal("11.00"), stock=0),
    ]


def make_user(name: str, *, staff: bool = False, permissions: tuple[str, ...] = ()):
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user(name, password=PASSWORD, is_staff=staff)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


# The bookshop in a child process, as in production ---------------------------


@contextmanager
def bookshop_server(database_url: str) -> Iterator[tuple[str, int]]:
    """Migrate an empty database, add the superuser ADMIN, serve it."""
    environment = {
        "SECRET_KEY": "tests-only-not-secret",
        "DATABASE_URL": database_url,
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    with mock.patch.dict(os.environ, environment):
        for command in (["migrate"], ["createsuperuser", "--noinput", "--username", ADMIN,
                                      "--email", "admin@example.com"]):
            done = run_script("django", "manage", *command, timeout=60)
            assert done.returncode == 0, done.stderr
        with run_example("django", "serve") as (_, host, port):
            yield host, port


class HttpSession:
    """Requests over http.client that keep the cookies a server sets."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[http.client.HTTPResponse, str]:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(*self.address, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, text

    def post_form(self, path: str, form: dict, page: str | None = None):
        """POST form with the CSRF token of `page` (by default, of a GET of path)."""
        if page is None:
            page = self.request("GET", path)[1]
        return self.request("POST", path, {"csrfmiddlewaretoken": csrf_token(page), **form},
                            headers={"Referer": f"http://{self.address[0]}:{self.address[1]}/"})

    def log_in(self, username: str, path: str = "/accounts/login/") -> None:
        response, _ = self.post_form(path, {"username": username, "password": PASSWORD})
        assert response.status == 302, f"login as {username} failed"
