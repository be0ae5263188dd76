"""Tests of lecture 10's lab (exercises/page_history) and assignment
(exercises/page_acl).

They run against each exercise's solution.py by default; a student runs
them against the file they are completing with::

    COURSE_IMPL=starter python -m pytest tests/test_traversal_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import os

import pytest
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from webtest import TestApp

from tests.support import assert_starters_fail
from tests.support_traversal import (  # noqa: F401  (traversal_modules: autouse)
    exercise_module,
    traversal_module,
    traversal_modules,
)

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

wiki = traversal_module("wiki")
wiki_models = traversal_module("wiki_models")
page_history = exercise_module("page_history", IMPL)
page_acl = exercise_module("page_acl", IMPL)

ANN = ("Basic", ("ann", "ann-pw"))  # an admin
BOB = ("Basic", ("bob", "bob-pw"))


def running(make_app, folder):
    """A TestApp of make_app on a FileStorage in folder, and its closer."""
    wsgi_app = make_app(wiki.file_uri(folder))
    return TestApp(wsgi_app), lambda: wiki.close_databases(wsgi_app)


# The lab: a page's history ----------------------------------------------------


class TestPageHistory:
    @pytest.fixture
    def app(self, tmp_path):
        client, close = running(page_history.make_app, tmp_path)
        client.authorization = BOB
        for text in ["second <i>version</i>", "third, see HowToEdit"]:
            client.post("/FrontPage/edit", {"text": text}, status=302)
        client.authorization = None
        yield client
        close()

    def test_history_links_every_version_newest_first(self, app):
        items = app.get("/FrontPage/history").html.find_all("li")
        assert [item.a["href"] for item in items] == [
            f"http://localhost/FrontPage/version/{n}" for n in (3, 2, 1)
        ]
        assert [item.get_text() for item in items] == [
            "version 3: third, see HowToEdit", "version 2: second <i>version</i>",
            "version 1: Welcome to the wiki. Try HowToEdit.",
        ]  # fmt: skip

    def test_history_escapes_the_texts(self, app):
        assert "second &lt;i&gt;version&lt;/i&gt;" in app.get("/FrontPage/history").text

    @pytest.mark.parametrize(
        "number, text",
        [(1, "Welcome to the wiki. Try HowToEdit."), (2, "second <i>version</i>"),
         (3, "third, see HowToEdit")],
    )  # fmt: skip
    def test_a_version_shows_its_text(self, app, number, text):
        response = app.get(f"/FrontPage/version/{number}")
        assert response.html.h1.text == f"FrontPage, version {number}"
        assert response.html.p.get_text() == text.replace("HowToEdit", "HowToEdit?")

    def test_a_version_links_wikiwords_as_a_page_does(self, app):
        link = app.get("/FrontPage/version/3").html.find("a", class_="missing")
        assert link["href"] == "http://localhost/add?name=HowToEdit"

    @pytest.mark.parametrize(
        "path", ["version", "version/0", "version/4", "version/-1", "version/two",
                 "version/%C2%B2", "version/1/2"],
    )  # fmt: skip
    def test_a_bad_version_is_a_404_page(self, app, path):
        response = app.get(f"/FrontPage/{path}", status=404)
        assert response.content_type == "text/html"

    def test_restoring_makes_an_old_version_the_newest(self, app):
        app.authorization = BOB
        response = app.post("/FrontPage/restore", {"version": "1"}, status=302)
        assert response.location == "http://localhost/FrontPage/"
        assert app.get("/FrontPage/").html.p.get_text().startswith("Welcome to the wiki.")
        items = app.get("/FrontPage/history").html.find_all("li")
        assert len(items) == 4
        assert items[0].get_text() == "version 4: Welcome to the wiki. Try HowToEdit."

    def test_restoring_the_current_version_adds_none(self, app):
        app.authorization = BOB
        app.post("/FrontPage/restore", {"version": "3"}, status=302)
        assert len(app.get("/FrontPage/history").html.find_all("li")) == 3

    def test_restoring_needs_a_login(self, app):
        app.post("/FrontPage/restore", {"version": "1"}, status=401)
        assert app.get("/FrontPage/").html.p.get_text().startswith("third")

    @pytest.mark.parametrize("form", [{"version": "9"}, {"version": "x"}, {}])
    def test_restoring_a_bad_version_is_a_404_and_changes_nothing(self, app, form):
        app.authorization = BOB
        app.post("/FrontPage/restore", form, status=404)
        assert len(app.get("/FrontPage/history").html.find_all("li")) == 3


# The assignment: per-page permissions -------------------------------------------


class TestPageAcl:
    @pytest.fixture
    def app(self, tmp_path):
        client, close = running(page_acl.make_app, tmp_path)
        yield client
        close()

    def permits(self, kind: str, principals: list[str], permission: str) -> bool:
        """What page_acl(kind) allows on a page of a new wiki."""
        page = wiki_models.new_wiki()["FrontPage"]
        page.__acl__ = page_acl.page_acl(kind)
        return bool(ACLHelper().permits(page, principals, permission))

    @pytest.mark.parametrize(
        "principals, view, edit",
        [([Everyone], True, False), ([Everyone, Authenticated, "bob"], True, False),
         ([Everyone, Authenticated, "ann", "group:admins"], True, True)],
        ids=["anonymous", "bob", "ann"],
    )  # fmt: skip
    def test_a_locked_page(self, principals, view, edit):
        assert self.permits("locked", principals, "view") is view
        assert self.permits("locked", principals, "edit") is edit

    @pytest.mark.parametrize(
        "principals, view, edit",
        [([Everyone], False, False), ([Everyone, Authenticated, "bob"], True, True),
         ([Everyone, Authenticated, "ann", "group:admins"], True, True)],
        ids=["anonymous", "bob", "ann"],
    )  # fmt: skip
    def test_a_private_page(self, principals, view, edit):
        assert self.permits("private", principals, "view") is view
        assert self.permits("private", principals, "edit") is edit

    def test_an_unknown_kind_is_an_error(self):
        with pytest.raises(ValueError):
            page_acl.page_acl("secret")

    def test_an_admin_locks_a_page_and_bob_may_no_longer_edit(self, app):
        app.authorization = ANN
        assert app.post("/FrontPage/lock", status=302).location == "http://localhost/FrontPage/"
        app.authorization = BOB
        app.get("/FrontPage/", status=200)
        app.get("/FrontPage/edit", status=403)
        app.post("/FrontPage/edit", {"text": "bob was here"}, status=403)
        app.authorization = None
        app.get("/FrontPage/edit", status=401)
        app.authorization = ANN
        app.post("/FrontPage/edit", {"text": "ann may"}, status=302)

    def test_other_pages_stay_open(self, app):
        app.authorization = ANN
        app.post("/add", {"name": "OpenPage", "text": "open"}, status=302)
        app.post("/FrontPage/lock", status=302)
        app.authorization = BOB
        app.post("/OpenPage/edit", {"text": "bob edits"}, status=302)

    def test_unlocking_restores_the_wikis_rules(self, app):
        app.authorization = ANN
        app.post("/FrontPage/lock", status=302)
        app.post("/FrontPage/unlock", status=302)
        app.post("/FrontPage/unlock", status=302)  # twice is harmless
        app.authorization = BOB
        app.post("/FrontPage/edit", {"text": "bob again"}, status=302)

    def test_a_private_page_is_hidden_from_anonymous_readers(self, app):
        app.authorization = ANN
        app.post("/FrontPage/private", status=302)
        app.authorization = None
        app.get("/FrontPage/", status=401)
        app.authorization = BOB
        assert app.get("/FrontPage/").status_int == 200

    @pytest.mark.parametrize("action", ["lock", "private", "unlock"])
    def test_only_admins_change_permissions(self, app, action):
        app.post(f"/FrontPage/{action}", status=401)
        app.authorization = BOB
        app.post(f"/FrontPage/{action}", status=403)

    def test_a_lock_survives_a_restart(self, tmp_path):
        client, close = running(page_acl.make_app, tmp_path)
        client.authorization = ANN
        client.post("/FrontPage/lock", status=302)
        close()
        client, close = running(page_acl.make_app, tmp_path)
        try:
            client.authorization = BOB
            client.get("/FrontPage/edit", status=403)
        finally:
            close()


# The tests must tell a starter from a solution ---------------------------------


@pytest.mark.skipif(IMPL == "starter", reason="this check runs the starters itself")
def test_the_starters_fail_these_tests(tmp_path):
    assert_starters_fail(
        "tests/test_traversal_exercises.py",
        ("TestPageHistory", "TestPageAcl"),
        given_code_tests={"test_restoring_needs_a_login", "test_only_admins_change_permissions"},
        tmp_path=tmp_path,
    )
