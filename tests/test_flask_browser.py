"""Lecture 8 in a real browser (Chromium, driven by Playwright): logging in
and posting through the forms, and two pages of the chat room that see
each other's messages over server-sent events."""

from __future__ import annotations

import pytest

from tests.support_flask import PASSWORD, closing_app, make_app, microblog, served

pytestmark = pytest.mark.browser





@pytest.fixture
def app(tmp_path):
    with closing_app(make_app(f"sqlite:///{tmp_path}/microblog.sqlite")) as app:
        with app.app_context():
            db, User = microblog.db, microblog.models.User
            for name in ("alice", "bob"):
                user = User(username=name)
                user.set_password(PASSWORD)
                db.session.add(user)
            db.session.commit()
        yield app


@pytest.fixture
def url(app):
    with served(app) as url:
        yield url


@pytest.fixture
def new_page(browser):
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield new_page
    for context in contexts:
        context.close()


def log_in(page, url: str, name: str) -> None:
    page.goto(f"{url}/auth/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector(f"#me:has-text('{name}')")


def test_log_in_and_post_in_the_browser(url, new_page):
    page = new_page()
    log_in(page, url, "alice")
    page.fill("textarea[name=body]", "Hello from <Chromium>")
    page.click("button:has-text('Post')")
    page.wait_for_selector(".flash:has-text('Posted.')")
    assert page.inner_text("article .body") == "Hello from <Chromium>"  # as text
    assert page.errors == []


def test_two_pages_see_each_others_messages(url, new_page):
    alice, bob = new_page(), new_page()
    for page, name in ((alice, "alice"), (bob, "bob")):
        log_in(page, url, name)
        page.goto(f"{url}/chat/")
        page.wait_for_selector("#status:has-text('connected')")
    alice.fill("#say input", "hi bob")
    alice.press("#say input", "Enter")
    bob.wait_for_selector("#messages li:has-text('alice: hi bob')")
    bob.fill("#say input", "<b>hi</b> alice")
    bob.press("#say input", "Enter")
    for page in (alice, bob):
        page.wait_for_selector("#messages li:nth-child(2)")
        assert page.locator("#messages li").all_inner_texts() == [
            "alice: hi bob",
            "bob: <b>hi</b> alice",
        ]
        assert page.errors == []
