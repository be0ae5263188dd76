"""Lecture 8: the microblog through Flask's test client, on SQLite and on
PostgreSQL (a real server from tests/postgres.py), each test on a fresh
database made by the migrations."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from tests.postgres import postgres_server, postgres_url  # noqa: F401  (fixtures)
from tests.support_flask import PASSWORD, closing_app, form_post, make_app, microblog, register


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/microblog.sqlite"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url):
    with closing_app(make_app(database_url)) as app:
        yield app


@pytest.fixture
def client(app):
    with app.test_client() as client:
        yield client


def posts_in(app) -> list[tuple[str, str]]:
    with app.app_context():
        db, Post = microblog.db, microblog.models.Post
        return [(post.author.username, post.body) for post in db.session.scalars(db.select(Post))]


# The database ----------------------------------------------------------------


def test_the_migrations_make_every_table_from_an_empty_database(app):
    with app.app_context():
        inspector = inspect(microblog.db.engine)
        assert set(inspector.get_table_names()) == {"alembic_version", "user", "post"}
        columns = {column["name"] for column in inspector.get_columns("post")}
    assert columns == {"id", "body", "created", "author_id"}


def test_the_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), microblog.db.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection), microblog.db.metadata
        )
    assert differences == []


def test_passwords_are_stored_hashed_and_salted(app):
    with app.app_context():
        db, User = microblog.db, microblog.models.User
        alice, bob = User(username="alice"), User(username="bob")
        alice.set_password(PASSWORD)
        bob.set_password(PASSWORD)
        db.session.add_all([alice, bob])
        db.session.commit()
        assert PASSWORD not in alice.password_hash
        assert alice.password_hash != bob.password_hash  # a salt of its own
        assert alice.check_password(PASSWORD) and not alice.check_password("guess")


def test_a_username_is_unique_in_the_database(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db, User = microblog.db, microblog.models.User
        db.session.add_all([User(username="alice", password_hash="x"),
                            User(username="alice", password_hash="y")])
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


# Registering and logging in -----------------------------------------------------


def test_register_then_log_in_shows_the_name_on_every_page(client):
    response = register(client, "alice", log_in=False)
    assert response.status_code == 302 and response.location == "/auth/login"
    response = form_post(client, "/auth/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert '<span id="me">alice</span>' in client.get("/").text


def test_a_taken_name_is_refused_with_a_message(client):
    register(client, "alice", log_in=False)
    response = register(client, "alice", log_in=False)
    assert response.status_code == 200
    assert "That name is taken." in response.text


def test_a_wrong_password_logs_nobody_in(client):
    register(client, "alice", log_in=False)
    response = form_post(client, "/auth/login", {"username": "alice", "password": "guess"})
    assert "Wrong username or password." in response.text
    assert 'id="me"' not in client.get("/").text


def test_log_out_forgets_the_user(client):
    register(client, "alice")
    response = form_post(client, "/auth/logout", {}, token_from="/")
    assert response.status_code == 302
    assert 'id="me"' not in client.get("/").text


@pytest.mark.parametrize(
    "username, password, error",
    [
        ("", PASSWORD, "This field is required."),
        ("a b", PASSWORD, "letters, digits, _"),
        ("x" * 41, PASSWORD, "Field cannot be longer than 40 characters."),
        ("carol", "short", "Field must be at least 8 characters long."),
    ],
)
def test_a_bad_registration_says_what_is_wrong(client, username, password, error):
    response = form_post(client, "/auth/register", {"username": username, "password": password})
    assert response.status_code == 200 and error in response.text


# Posting ---------------------------------------------------------------------------


def test_a_logged_in_user_posts_and_everyone_sees_it(app, client):
    register(client, "alice")
    response = form_post(client, "/posts", {"body": "Hello, world"}, token_from="/")
    assert response.status_code == 302
    assert posts_in(app) == [("alice", "Hello, world")]
    with app.test_client() as anonymous:
        page = anonymous.get("/").text
        assert "Hello, world" in page and "/users/alice" in anonymous.get("/").text
        assert "Hello, world" in anonymous.get("/users/alice").text


def test_posts_are_listed_newest_first(client):
    register(client, "alice")
    for body in ["first", "second", "third"]:
        form_post(client, "/posts", {"body": body}, token_from="/")
    page = client.get("/").text
    assert page.index("third") < page.index("second") < page.index("first")


def test_html_in_a_post_is_shown_as_text(client):
    register(client, "alice")
    form_post(client, "/posts", {"body": "<script>alert(1)</script>"}, token_from="/")
    page = client.get("/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_an_anonymous_visitor_is_sent_to_log_in(app, client):
    response = form_post(client, "/posts", {"body": "spam"}, token_from="/auth/login")
    assert response.status_code == 302 and response.location == "/auth/login"
    assert posts_in(app) == []


@pytest.mark.parametrize("body, error", [("", "This field is required."),
                                         ("x" * 501, "cannot be longer than 500")])
def test_an_empty_or_long_post_is_refused(app, client, body, error):
    register(client, "alice")
    response = form_post(client, "/posts", {"body": body}, token_from="/")
    assert response.status_code == 400 and error in response.text
    assert posts_in(app) == []


def test_an_unknown_user_is_404(client):
    assert client.get("/users/nobody").status_code == 404


# CSRF and bad input --------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(app, client):
    register(client, "alice")
    response = client.post("/posts", data={"body": "forged"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text
    assert posts_in(app) == []


def test_a_token_from_another_session_is_refused(app, client):
    with app.test_client() as other:
        token = microblog_token(other)
    register(client, "alice")
    response = client.post("/posts", data={"body": "forged", "csrf_token": token})
    assert response.status_code == 400 and "CSRF" in response.text
    assert posts_in(app) == []


def microblog_token(client) -> str:
    from tests.support_flask import csrf_token

    return csrf_token(client.get("/auth/login").text)


def test_a_body_over_max_content_length_is_413(app, client):
    register(client, "alice")
    response = client.post("/posts", data={"body": "x" * 70_000})
    assert response.status_code == 413
    assert posts_in(app) == []


def test_a_malformed_form_body_is_a_clean_400(app, client):
    register(client, "alice")
    response = client.post(
        "/posts", data=b"--nope\r\ngarbage", content_type="multipart/form-data; boundary=nope"
    )
    assert response.status_code == 400
    assert posts_in(app) == []
