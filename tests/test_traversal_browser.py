"""The wiki in a real browser: Chromium, driven by Playwright, logs in as
bob, edits the front page with the form, and sees the new text; the real
wiki.py serves it on a free loopback port."""

from __future__ import annotations

import pytest

from tests.support import run_example

pytestmark = pytest.mark.browser





@pytest.fixture
def wiki_url(tmp_path):
    with run_example("traversal", "wiki", "--data", str(tmp_path)) as (_, host, port):
        yield f"http://{host}:{port}"


@pytest.fixture
def bob(browser):
    """A browser tab that logs in as bob when the wiki asks."""
    context = browser.new_context(http_credentials={"username": "bob", "password": "bob-pw"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_bob_edits_the_front_page_in_the_browser(bob, wiki_url):
    bob.goto(wiki_url + "/")
    assert bob.url == wiki_url + "/FrontPage/"
    bob.click("a:text-is('edit')")
    bob.wait_for_url(wiki_url + "/FrontPage/edit")
    bob.fill("textarea[name=text]", "Edited in a browser. <b>Not bold</b>")
    bob.click("button[type=submit]")
    bob.wait_for_url(wiki_url + "/FrontPage/")
    assert bob.inner_text("p >> nth=0") == "Edited in a browser. <b>Not bold</b>"
    bob.click("a:text-is('history')")
    bob.wait_for_url(wiki_url + "/FrontPage/history")
    assert bob.inner_text("li >> nth=0") == "version 2: Edited in a browser. <b>Not bold</b>"


def test_bob_adds_a_page_by_following_a_missing_wikiword(bob, wiki_url):
    bob.goto(wiki_url + "/FrontPage/")
    bob.click("a.missing")  # the ? after HowToEdit
    bob.wait_for_url(wiki_url + "/add?name=HowToEdit")
    bob.fill("textarea[name=text]", "Click edit, type, Save. Back to FrontPage.")
    bob.click("button[type=submit]")
    bob.wait_for_url(wiki_url + "/HowToEdit/")
    bob.click("a:text-is('FrontPage')")
    bob.wait_for_url(wiki_url + "/FrontPage/")
    assert bob.get_attribute("p a", "href") == wiki_url + "/HowToEdit/"
