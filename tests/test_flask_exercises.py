"""Tests of lecture 8's lab (exercises/comments) and assignment
(exercises/tags), through Flask's test client and over real HTTP.

They run against each exercise's solution.py by default. A student runs
them against the file they are completing, starter.py, with::

    COURSE_IMPL=starter python -m pytest tests/test_flask_exercises.py

Run against the solutions, this file also runs itself against the
starters, in a child pytest, and checks that they fail.
"""

from __future__ import annotations

import os
import urllib.request

import pytest

from tests.support import assert_starters_fail, load_example
from tests.support_flask import served

IMPL = os.environ.get("COURSE_IMPL", "solution")
if IMPL not in ("solution", "starter"):
    raise ValueError(f"COURSE_IMPL must be 'solution' or 'starter', not {IMPL!r}")

comments = load_example("flask", f"exercises/comments/{IMPL}")
tags = load_example("flask", f"exercises/tags/{IMPL}")


def app_of(module, tmp_path):
    return module.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


@pytest.fixture
def comments_app(tmp_path):
    app = app_of(comments, tmp_path)
    with app.app_context():
        comments.db.session.add(comments.Post(body="First post"))
        comments.db.session.commit()
    yield app
    with app.app_context():
        comments.db.engine.dispose()


@pytest.fixture
def tags_app(tmp_path):
    app = app_of(tags, tmp_path)
    yield app
    with app.app_context():
        tags.db.engine.dispose()


# The lab: comments -------------------------------------------------------------


class TestComments:
    def test_the_post_page_is_given(self, comments_app):
        page = comments_app.test_client().get("/posts/1")
        assert page.status_code == 200 and "First post" in page.text

    def test_a_comment_is_saved_and_shown_under_its_post(self, comments_app):
        client = comments_app.test_client()
        response = client.post("/posts/1/comments", data={"name": "ada", "text": "Nice!"})
        assert response.status_code == 302 and response.location == "/posts/1"
        assert "<b>ada</b>: Nice!" in client.get("/posts/1").text

    def test_comments_are_shown_oldest_first(self, comments_app):
        client = comments_app.test_client()
        for text in ["one", "two", "three"]:
            client.post("/posts/1/comments", data={"name": "ada", "text": text})
        page = client.get("/posts/1").text
        assert page.index(": one") < page.index(": two") < page.index(": three")

    def test_a_comment_is_html_escaped(self, comments_app):
        client = comments_app.test_client()
        client.post("/posts/1/comments", data={"name": "<i>x</i>", "text": "<b>y</b>"})
        page = client.get("/posts/1").text
        assert "&lt;i&gt;x&lt;/i&gt;" in page and "<b>y</b>" not in page

    @pytest.mark.parametrize(
        "form", [{"name": "", "text": "hi"}, {"name": "ada", "text": "  "}, {},
                 {"name": "ada", "text": "x" * 301}, {"name": "x" * 41, "text": "hi"}],
    )
    def test_an_empty_or_long_comment_is_400_and_not_saved(self, comments_app, form):
        client = comments_app.test_client()
        assert client.post("/posts/1/comments", data=form).status_code == 400
        client.post("/posts/1/comments", data={"name": "ada", "text": "kept"})
        assert client.get("/posts/1").text.count('class="comment"') == 1

    def test_a_comment_on_a_missing_post_is_404(self, comments_app):
        client = comments_app.test_client()
        response = client.post("/posts/99/comments", data={"name": "ada", "text": "hi"})
        assert response.status_code == 404

    def test_comments_over_real_http(self, comments_app):
        with served(comments_app) as url:
            form = b"name=bob&text=over+HTTP"
            with urllib.request.urlopen(f"{url}/posts/1/comments", data=form, timeout=5) as reply:
                page = reply.read().decode()  # urllib followed the redirect
        assert "<b>bob</b>: over HTTP" in page


# The assignment: tags ------------------------------------------------------------


def post(client, body: str, tag_text: str):
    return client.post("/posts", data={"body": body, "tags": tag_text})


class TestTags:
    def test_posting_without_tags_is_given(self, tags_app):
        client = tags_app.test_client()
        assert post(client, "untagged", "").status_code == 302
        assert "untagged" in client.get("/").text

    @pytest.mark.parametrize(
        "text, names",
        [("python", ["python"]), ("Python, flask web", ["python", "flask", "web"]),
         ("#web  #Web,web", ["web"]), ("  ,, ", []), ("ip-v6 a_b", ["ip-v6", "a_b"])],
    )
    def test_parse_tags(self, text, names):
        assert tags.parse_tags(text) == names

    @pytest.mark.parametrize("text", ["c++", "<b>", "x" * 31, "naïve"])
    def test_parse_tags_refuses_other_characters(self, text):
        with pytest.raises(ValueError):
            tags.parse_tags(text)

    def test_a_tag_page_lists_its_posts_newest_first(self, tags_app):
        client = tags_app.test_client()
        post(client, "about python", "python")
        post(client, "about flask", "flask python")
        post(client, "about cats", "cats")
        page = client.get("/tags/python")
        assert page.status_code == 200
        assert "about cats" not in page.text
        assert page.text.index("about flask") < page.text.index("about python")

    def test_tags_are_shown_with_links_to_their_pages(self, tags_app):
        client = tags_app.test_client()
        post(client, "hello", "Web, HTTP")
        assert '<a class="tag" href="/tags/web">#web</a>' in client.get("/").text
        assert "hello" in client.get("/tags/http").text

    def test_a_tag_is_stored_once(self, tags_app):
        client = tags_app.test_client()
        post(client, "one", "web")
        post(client, "two", "web, http")
        assert client.get("/tags").get_json() == {"http": 1, "web": 2}

    def test_an_unknown_tag_is_404(self, tags_app):
        client = tags_app.test_client()
        post(client, "one", "web")
        assert client.get("/tags/nothing").status_code == 404

    @pytest.mark.parametrize("form", [{"body": "", "tags": "web"},
                                      {"body": "x", "tags": "c++"}])
    def test_a_bad_post_is_400_and_not_saved(self, tags_app, form):
        client = tags_app.test_client()
        assert client.post("/posts", data=form).status_code == 400
        assert client.get("/tags").get_json() == {}

    def test_a_tag_page_over_real_http(self, tags_app):
        with served(tags_app) as url:
            form = b"body=over+HTTP&tags=net"
            urllib.request.urlopen(f"{url}/posts", data=form, timeout=5).close()
            with urllib.request.urlopen(f"{url}/tags/net", timeout=5) as reply:
                assert "over HTTP" in reply.read().decode()


@pytest.mark.skipif(IMPL == "starter", reason="this is the run against the starters")
def test_the_tests_fail_on_the_starters(tmp_path):
    assert_starters_fail(
        "tests/test_flask_exercises.py",
        ("TestComments", "TestTags"),
        given_code_tests={"test_the_post_page_is_given", "test_posting_without_tags_is_given"},
        tmp_path=tmp_path,
    )
